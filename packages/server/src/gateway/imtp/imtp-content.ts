import { create, fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  BadRequestError,
  ContentType,
  ImtpCommand,
  MessageContentSchema,
  MessageFlag,
  type ImtpMessageBody,
  type ImtpMetadata,
  type MediaInfo,
  type MessageContent,
} from '@parley/protocol';
import type { StoredMessage } from '../../core/types.js';

/**
 * IMTP message commands ↔ Parley content (docs/protocols/imtp.md):
 * TEXT ↔ TEXT, VOICE ↔ SOUND, MEME ↔ STICKER (or FACE when the text is a `[:name]` symbol),
 * IMAGE/VIDEO/FILE ↔ IMAGE/VIDEO/FILE. The text field carries the media URL, the metadata JSON
 * the MediaInfo. What IMTP cannot express is delivered as a readable TEXT line.
 */

/** A FACE symbol such as `[:smile]`. */
const FACE_SYMBOL = /^\[:[^\]\s]{1,60}\]$/u;

const MEDIA_CONTENT: Readonly<Record<number, number>> = {
  [ImtpCommand.VOICE]: ContentType.SOUND,
  [ImtpCommand.IMAGE]: ContentType.IMAGE,
  [ImtpCommand.VIDEO]: ContentType.VIDEO,
  [ImtpCommand.FILE]: ContentType.FILE,
};

const UINT32_MAX = 0xffff_ffff;

function uint32(value: number | undefined): number {
  return value === undefined ? 0 : Math.min(value, UINT32_MAX);
}

function mediaFrom(
  url: string,
  meta: ImtpMetadata | undefined,
): MessageInitShape<typeof MessageContentSchema>['media'] {
  const m = meta ?? {};
  return {
    url,
    width: uint32(m.width),
    height: uint32(m.height),
    durationMs: uint32(m.duration),
    size: BigInt(m.size ?? 0),
    name: m.name ?? '',
    mime: typeof m.mediaType === 'string' ? m.mediaType : '',
    format: typeof m.mediaType === 'number' ? uint32(Math.max(0, m.mediaType)) : 0,
    // IMTP has two preview fields; Parley one thumbnail.
    thumbnailUrl: m.thumbnailUrl ?? m.previewUrl ?? '',
  };
}

/** The content a message command carries (validated by core like every dialect's). */
export function contentFromImtp(cmd: number, msg: ImtpMessageBody): MessageContent {
  if (cmd === ImtpCommand.TEXT)
    return create(MessageContentSchema, { contentType: ContentType.TEXT, text: msg.text });
  if (cmd === ImtpCommand.MEME) {
    if (FACE_SYMBOL.test(msg.text)) {
      return create(MessageContentSchema, { contentType: ContentType.FACE, text: msg.text });
    }
    return create(MessageContentSchema, {
      contentType: ContentType.STICKER,
      media: mediaFrom(msg.text, msg.metadata),
      remoteMediaUrl: msg.text,
    });
  }
  const contentType = MEDIA_CONTENT[cmd];
  if (contentType === undefined) throw new BadRequestError(`IMTP command ${cmd} carries no message`);
  return create(MessageContentSchema, {
    contentType,
    media: mediaFrom(msg.text, msg.metadata),
    remoteMediaUrl: msg.text,
  });
}

function metadataOf(media: MediaInfo | undefined): ImtpMetadata | undefined {
  if (media === undefined) return undefined;
  const out: Record<string, string | number> = {};
  if (media.width > 0) out['width'] = media.width;
  if (media.height > 0) out['height'] = media.height;
  if (media.mime !== '') out['mediaType'] = media.mime;
  else if (media.format > 0) out['mediaType'] = media.format;
  if (media.durationMs > 0) out['duration'] = media.durationMs;
  if (media.size > 0n && media.size <= BigInt(Number.MAX_SAFE_INTEGER)) out['size'] = Number(media.size);
  if (media.name !== '') out['name'] = media.name;
  if (media.thumbnailUrl !== '') {
    out['thumbnailUrl'] = media.thumbnailUrl;
    out['previewUrl'] = media.thumbnailUrl;
  }
  return out;
}

export interface ImtpRendering {
  readonly cmd: number;
  readonly text: string;
  readonly metadata?: ImtpMetadata;
}

function line(text: string): ImtpRendering {
  return { cmd: ImtpCommand.TEXT, text };
}

function mediaUrl(content: MessageContent): string {
  return content.media?.url ?? content.remoteMediaUrl;
}

function withMeta(cmd: number, content: MessageContent): ImtpRendering {
  const metadata = metadataOf(content.media);
  return metadata === undefined
    ? { cmd, text: mediaUrl(content) }
    : { cmd, text: mediaUrl(content), metadata };
}

function formatCoordinate(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

/** How an IMTP client sees a content it may or may not express. */
export function renderContent(content: MessageContent): ImtpRendering {
  switch (content.contentType) {
    case ContentType.TEXT:
      return line(content.text);
    case ContentType.FACE:
      return { cmd: ImtpCommand.MEME, text: content.text };
    case ContentType.STICKER:
      return withMeta(ImtpCommand.MEME, content);
    case ContentType.SOUND:
      return withMeta(ImtpCommand.VOICE, content);
    case ContentType.IMAGE:
      return withMeta(ImtpCommand.IMAGE, content);
    case ContentType.VIDEO:
      return withMeta(ImtpCommand.VIDEO, content);
    case ContentType.FILE:
      return withMeta(ImtpCommand.FILE, content);
    case ContentType.LOCATION: {
      const loc = content.location;
      const title = [loc?.title ?? '', loc?.address ?? ''].filter((s) => s !== '').join(' ');
      const where = `${formatCoordinate(loc?.latitude ?? 0)},${formatCoordinate(loc?.longitude ?? 0)}`;
      return line(title === '' ? `[location] ${where}` : `[location] ${title} ${where}`);
    }
    case ContentType.CUSTOM: {
      const summary = content.pushContent || content.searchableContent || content.text;
      return line(summary === '' ? `[${content.customType}]` : `[${content.customType}] ${summary}`);
    }
    case ContentType.SYSTEM: {
      const event = content.system;
      if (event?.kind === 'recalled') return line('[recalled a message]');
      if (event?.kind === 'edited') {
        const edited = event.newContent === undefined ? '' : renderContent(event.newContent).text;
        return line(`[edited] ${edited}`);
      }
      return line(`[system] ${content.text}`);
    }
    case ContentType.RED_PACKET:
    case ContentType.CALL:
      // Written by the server with a readable line.
      return line(content.text);
    case ContentType.ENCRYPTED:
      return line('[encrypted message: open it in a Parley app]');
    default:
      return line(`[unsupported message type ${content.contentType}]`);
  }
}

/** A stored message as IMTP shows it (a recalled one as a marker). */
export function renderMessage(message: StoredMessage): ImtpRendering {
  if ((message.flags & MessageFlag.RECALLED) !== 0) return line('[recalled a message]');
  let content: MessageContent;
  try {
    content = fromBinary(MessageContentSchema, message.content);
  } catch {
    return line('[unreadable message]');
  }
  return renderContent(content);
}
