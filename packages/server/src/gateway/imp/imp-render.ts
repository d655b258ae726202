import { fromBinary } from '@bufbuild/protobuf';
import { ContentType, MessageContentSchema, MessageFlag, type MessageContent } from '@parley/protocol';
import type { StoredMessage } from '../../core/types.js';

/**
 * Message content as the one readable text an IMP client can show (DESIGN §5: non-text content
 * becomes a readable line). The payload may still hold line breaks (a TEXT's own); the MSG
 * length frames it.
 */
export function renderImpText(message: StoredMessage): string {
  if ((message.flags & MessageFlag.RECALLED) !== 0) return '[recalled a message]';
  let content: MessageContent;
  try {
    content = fromBinary(MessageContentSchema, message.content);
  } catch {
    return '[unreadable message]';
  }
  return renderContent(content);
}

function words(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').join(' ');
}

function seconds(ms: number): string | undefined {
  return ms > 0 ? `${Math.max(1, Math.round(ms / 1000))}s` : undefined;
}

export function renderContent(content: MessageContent): string {
  const media = content.media;
  const url = media?.url !== undefined && media.url !== '' ? media.url : content.remoteMediaUrl;
  switch (content.contentType) {
    case ContentType.TEXT:
      return content.text;
    case ContentType.IMAGE:
      return words('[image]', url);
    case ContentType.FILE:
      return words('[file]', media?.name, url);
    case ContentType.LOCATION: {
      const loc = content.location;
      if (loc === undefined) return '[location]';
      return words('[location]', loc.title, `${loc.latitude},${loc.longitude}`);
    }
    case ContentType.FACE:
      return words('[face]', content.text);
    case ContentType.SOUND:
      return words('[sound]', url, seconds(media?.durationMs ?? 0));
    case ContentType.VIDEO:
      return words('[video]', url, seconds(media?.durationMs ?? 0));
    case ContentType.STICKER:
      return words('[sticker]', url);
    case ContentType.SYSTEM:
      // Group events and recall notices are stored with a readable line.
      return content.text !== '' ? content.text : words('[system]', content.system?.kind);
    case ContentType.CUSTOM:
      return words('[custom]', content.customType, content.text);
    case ContentType.ENCRYPTED:
      return '[encrypted message: open it in a Parley app]';
    default:
      return content.text !== '' ? content.text : '[unsupported message]';
  }
}
