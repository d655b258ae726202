import { ContentType, type ConversationRef, type ParleyClient, type SendResult } from '@parley/sdk';
import { uploadMedia, type UploadedMedia } from './http.js';
import type { LocationView } from './model.js';

export type MediaKind = 'image' | 'sound' | 'video' | 'file';

/** The content type for an upload, by the type the server sniffed from its bytes. */
export function kindOf(mime: string): MediaKind {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return 'sound';
  if (mime.startsWith('video/')) return 'video';
  return 'file';
}

const CONTENT_TYPE: Readonly<Record<MediaKind, ContentType>> = {
  image: ContentType.IMAGE,
  sound: ContentType.SOUND,
  video: ContentType.VIDEO,
  file: ContentType.FILE,
};

/**
 * Uploads through the HTTP media API, then sends the matching content through the SDK. `kind`
 * overrides the sniffed kind (a recorded voice message is WebM, which the server calls video).
 */
export async function sendMedia(
  client: ParleyClient,
  conversation: ConversationRef,
  token: string,
  file: Blob,
  name: string,
  options: { readonly kind?: MediaKind; readonly mime?: string; readonly durationMs?: number } = {},
): Promise<SendResult> {
  const media: UploadedMedia = await uploadMedia(token, file, name);
  const kind = options.kind ?? kindOf(media.mime);
  return client.messages.send(conversation, {
    contentType: CONTENT_TYPE[kind],
    media: {
      url: media.url,
      thumbnailUrl: media.thumbnailUrl ?? '',
      mime: options.mime ?? media.mime,
      size: BigInt(media.size),
      width: media.width,
      height: media.height,
      durationMs: media.durationMs > 0 ? media.durationMs : Math.round(options.durationMs ?? 0),
      name,
    },
  });
}

export function sendLocation(
  client: ParleyClient,
  conversation: ConversationRef,
  location: LocationView,
): Promise<SendResult> {
  return client.messages.send(conversation, {
    contentType: ContentType.LOCATION,
    location: { latitude: location.latitude, longitude: location.longitude, title: location.title },
  });
}
