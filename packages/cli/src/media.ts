import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, resolve } from 'node:path';
import { ContentType, type ContentInit } from '@parley/sdk';
import { CliError } from './errors.js';
import type { HttpApi, UploadedMedia } from './http-api.js';
import { formatBytes } from './message-view.js';

/** The server's default PARLEY_MEDIA_MAX_BYTES; a bigger file is refused here, before uploading. */
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export interface UploadedFile {
  readonly name: string;
  readonly media: UploadedMedia;
  /** IMAGE, SOUND, VIDEO or FILE, from the type the server sniffed (not from the file name). */
  readonly contentType: number;
}

/** `~/x` and relative paths, as a shell would have expanded them. */
export function expandPath(path: string, cwd: string = process.cwd()): string {
  const p = path.trim().replace(/^(['"])(.*)\1$/, '$2');
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return resolve(cwd, p);
}

export function contentTypeForMime(mime: string): number {
  if (mime.startsWith('image/')) return ContentType.IMAGE;
  if (mime.startsWith('audio/')) return ContentType.SOUND;
  if (mime.startsWith('video/')) return ContentType.VIDEO;
  return ContentType.FILE;
}

/** Reads and uploads a file through the HTTP media API. */
export async function uploadFile(api: HttpApi, path: string): Promise<UploadedFile> {
  const info = await stat(path).catch((err: unknown) => {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  });
  if (!info.isFile()) throw new CliError(`${path} is not a file`);
  if (info.size === 0) throw new CliError(`${path} is empty`);
  if (info.size > MAX_UPLOAD_BYTES) {
    throw new CliError(
      `${path} is ${formatBytes(info.size)}; the server takes at most ${formatBytes(MAX_UPLOAD_BYTES)}`,
    );
  }
  const bytes = await readFile(path);
  const name = basename(path);
  const media = await api.upload(bytes, name);
  return { name, media, contentType: contentTypeForMime(media.mime) };
}

/** The message content for the native protocol (SDK `messages.send`). */
export function nativeContent(file: UploadedFile): ContentInit {
  const m = file.media;
  return {
    contentType: file.contentType,
    media: {
      url: m.url,
      name: file.name,
      mime: m.mime,
      size: BigInt(m.size),
      width: m.width,
      height: m.height,
      durationMs: m.durationMs,
      thumbnailUrl: m.thumbnailUrl,
    },
  };
}

/** The same content in the HTTP API's JSON form (uint64 as a decimal string). */
export function jsonContent(file: UploadedFile): Record<string, unknown> {
  const m = file.media;
  const media: Record<string, unknown> = { url: m.url, name: file.name, mime: m.mime, size: String(m.size) };
  if (m.width > 0) media['width'] = m.width;
  if (m.height > 0) media['height'] = m.height;
  if (m.durationMs > 0) media['durationMs'] = m.durationMs;
  if (m.thumbnailUrl !== '') media['thumbnailUrl'] = m.thumbnailUrl;
  return { contentType: file.contentType, media };
}
