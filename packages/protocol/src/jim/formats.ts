/**
 * The seed's format numbers and the MIME types they stand for. The seed's notes under the video
 * body label `format` and `thumb_format` the other way round; Parley reads `format` as the
 * video's format and `thumb_format` as the thumbnail's image format (what the fields describe).
 */
export const JimImageFormat = ['image/jpeg', 'image/gif', 'image/png', 'image/bmp'] as const;
export const JimFileFormat = [
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-powerpoint',
  'application/vnd.ms-excel',
] as const;
export const JimVideoFormat = [
  'video/mp4',
  'video/quicktime',
  'video/x-ms-wmv',
  'video/x-flv',
  'video/x-msvideo',
  'video/x-matroska',
] as const;

/** The MIME type of a format number, or '' when the number is not in the table. */
export function jimFormatMime(table: readonly string[], format: number): string {
  return Number.isInteger(format) && format >= 0 ? (table[format] ?? '') : '';
}

/** The format number of a MIME type, or -1. */
export function jimMimeFormat(table: readonly string[], mime: string): number {
  return table.indexOf(mime.toLowerCase());
}
