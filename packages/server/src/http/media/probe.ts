import { fileTypeFromBuffer } from 'file-type';
import { parseBuffer } from 'music-metadata';
import sharp from 'sharp';
import { BadRequestError, UnsupportedError } from '@parley/protocol';

/** What may be uploaded, by the type sniffed from the bytes (file-type): never the name or mime. */
export const ALLOWED_MIME = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'audio/mpeg',
  'audio/ogg',
  'audio/opus',
  'audio/wav',
  'audio/x-wav',
  'audio/aac',
  'audio/mp4',
  'audio/x-m4a',
  'audio/flac',
  'audio/x-flac',
  'video/mp4',
  'video/webm',
  'video/quicktime',
  'application/pdf',
]);

const THUMB_SIZE = 320;
/** Decompression-bomb guard: images with more pixels than this are refused. */
const MAX_PIXELS = 50_000_000;

export interface Probed {
  readonly mime: string;
  readonly width: number;
  readonly height: number;
  readonly durationMs: number;
  readonly thumbnail: Buffer | undefined;
}

export async function probeMedia(bytes: Buffer): Promise<Probed> {
  const type = await fileTypeFromBuffer(bytes);
  if (type === undefined || !ALLOWED_MIME.has(type.mime)) {
    throw new UnsupportedError(
      `file type ${type?.mime ?? 'unknown'} is not allowed (images, audio, video and PDF only)`,
    );
  }
  const mime = type.mime;
  if (mime.startsWith('image/')) {
    try {
      const meta = await sharp(bytes, { limitInputPixels: MAX_PIXELS }).metadata();
      const thumbnail = await sharp(bytes, { limitInputPixels: MAX_PIXELS })
        .rotate()
        .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 75 })
        .toBuffer();
      return { mime, width: meta.width, height: meta.height, durationMs: 0, thumbnail };
    } catch {
      throw new BadRequestError('the image cannot be decoded');
    }
  }
  let durationMs = 0;
  if (mime.startsWith('audio/') || mime.startsWith('video/')) {
    try {
      const parsed = await parseBuffer(bytes, { mimeType: mime, size: bytes.length }, { duration: true });
      const seconds = parsed.format.duration;
      if (seconds !== undefined && Number.isFinite(seconds)) durationMs = Math.round(seconds * 1000);
    } catch {
      // Duration is best effort: an unreadable container is still stored.
    }
  }
  return { mime, width: 0, height: 0, durationMs, thumbnail: undefined };
}
