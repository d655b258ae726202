import {
  ContentType,
  ConversationType,
  type ConversationRef,
  type Message,
  type MessageContent,
} from '@parley/sdk';
import {
  callFromJson,
  callFromNative,
  describeCall,
  describeRedPacket,
  redPacketFromJson,
  redPacketFromNative,
  type CallView,
  type RedPacketView,
} from './special-content.js';

/**
 * One message as the CLI shows and prints it, whether it came over the native protocol (chat,
 * tail) or the HTTP API (history, send). Ids are decimal strings, as in the HTTP API's JSON.
 */
export interface MessageView {
  readonly conversation: ConversationRef;
  readonly seq: bigint;
  readonly messageId: string;
  readonly clientMsgId: string;
  readonly senderId: string;
  /** The sender's display name when the server sent it; '' otherwise (look it up). */
  readonly senderName: string;
  /** Server time, ms since the epoch. */
  readonly time: number;
  readonly contentType: number;
  readonly text: string;
  readonly media: MediaView | undefined;
  readonly location: LocationView | undefined;
  /** SYSTEM messages: what happened (`recalled`, `edited`, `members_added`, ...). */
  readonly systemKind: string;
  readonly customType: string;
  /** RED_PACKET messages: the packet. */
  readonly redPacket: RedPacketView | undefined;
  /** CALL messages: the call record. */
  readonly call: CallView | undefined;
  readonly recalled: boolean;
  readonly edited: boolean;
}

export interface MediaView {
  readonly url: string;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly durationMs: number;
  readonly thumbnailUrl: string;
}

export interface LocationView {
  readonly latitude: number;
  readonly longitude: number;
  readonly title: string;
  readonly address: string;
}

const RECALLED = 1;
const EDITED = 2;

const TYPE_NAMES = new Map<number, string>(
  Object.entries(ContentType).map(([name, value]) => [value, name.toLowerCase()]),
);

/** `text`, `image`, `file`, ... (`type-<n>` for a type this build does not know). */
export function contentTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `type-${String(type)}`;
}

export function conversationTypeName(type: number): 'single' | 'group' | 'chatroom' {
  if (type === ConversationType.GROUP) return 'group';
  if (type === ConversationType.CHATROOM) return 'chatroom';
  return 'single';
}

function refOf(type: number, target: string): ConversationRef {
  const t =
    type === ConversationType.GROUP
      ? ConversationType.GROUP
      : type === ConversationType.CHATROOM
        ? ConversationType.CHATROOM
        : ConversationType.SINGLE;
  return { type: t, target };
}

type ContentFields = Pick<
  MessageView,
  'contentType' | 'text' | 'media' | 'location' | 'systemKind' | 'customType' | 'redPacket' | 'call'
>;

function contentFields(c: MessageContent | undefined): ContentFields {
  const media = c?.media;
  const loc = c?.location;
  return {
    contentType: c?.contentType ?? 0,
    text: c?.text ?? '',
    media:
      media === undefined
        ? undefined
        : {
            url: media.url,
            name: media.name,
            mime: media.mime,
            size: Number(media.size),
            width: media.width,
            height: media.height,
            durationMs: media.durationMs,
            thumbnailUrl: media.thumbnailUrl,
          },
    location:
      loc === undefined
        ? undefined
        : { latitude: loc.latitude, longitude: loc.longitude, title: loc.title, address: loc.address },
    systemKind: c?.system?.kind ?? '',
    customType: c?.customType ?? '',
    redPacket: redPacketFromNative(c?.redPacket),
    call: callFromNative(c?.call),
  };
}

/** A message of the native protocol (SDK `message` event, history pages, search results). */
export function fromNative(m: Message): MessageView {
  return {
    conversation: refOf(m.conversation?.type ?? 0, m.conversation?.target ?? ''),
    seq: m.seq,
    messageId: String(m.messageId),
    clientMsgId: m.clientMsgId,
    senderId: String(m.senderId),
    senderName: m.senderName,
    time: Number(m.serverTime),
    ...contentFields(m.messageContent),
    recalled: (m.flags & RECALLED) !== 0,
    edited: (m.flags & EDITED) !== 0,
  };
}

/** The same message with new content (an `edit` event). */
export function withContent(v: MessageView, c: MessageContent | undefined): MessageView {
  return { ...v, ...contentFields(c), edited: true };
}

// ---- HTTP API JSON (docs/http-api.md): content is the protobuf JSON form, 64-bit ints as strings ----

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0;
  return Number.isFinite(n) ? n : 0;
}

const KINDS: Readonly<Record<string, number>> = {
  single: ConversationType.SINGLE,
  group: ConversationType.GROUP,
  chatroom: ConversationType.CHATROOM,
};

/** A message object of the HTTP API (`messageJson` on the server). */
export function fromHttp(value: unknown): MessageView {
  const m = obj(value);
  const conv = obj(m['conversation']);
  const c = obj(m['content']);
  const media = m['content'] !== undefined && c['media'] !== undefined ? obj(c['media']) : undefined;
  const loc = c['location'] !== undefined ? obj(c['location']) : undefined;
  return {
    conversation: refOf(KINDS[str(conv['type'])] ?? 0, str(conv['target'])),
    seq: BigInt(Math.max(0, Math.trunc(num(m['seq'])))),
    messageId: str(m['messageId']),
    clientMsgId: str(m['clientMsgId']),
    senderId: str(m['senderId']),
    senderName: '',
    time: num(m['serverTime']),
    contentType: num(m['contentType'] ?? c['contentType']),
    text: str(c['text']),
    media:
      media === undefined
        ? undefined
        : {
            url: str(media['url']),
            name: str(media['name']),
            mime: str(media['mime']),
            size: num(media['size']),
            width: num(media['width']),
            height: num(media['height']),
            durationMs: num(media['durationMs']),
            thumbnailUrl: str(media['thumbnailUrl']),
          },
    location:
      loc === undefined
        ? undefined
        : {
            latitude: num(loc['latitude']),
            longitude: num(loc['longitude']),
            title: str(loc['title']),
            address: str(loc['address']),
          },
    systemKind: str(obj(c['system'])['kind']),
    customType: str(c['customType']),
    redPacket: redPacketFromJson(c['redPacket']),
    call: callFromJson(c['call']),
    recalled: m['recalled'] === true,
    edited: m['edited'] === true,
  };
}

// ---- text ----

export function formatBytes(n: number): string {
  if (n < 1024) return `${String(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function mediaLabel(kind: string, m: MediaView | undefined): string {
  if (m === undefined) return `[${kind}]`;
  const parts: string[] = [];
  if (m.name !== '') parts.push(m.name);
  if (m.width > 0 && m.height > 0) parts.push(`${String(m.width)}×${String(m.height)}`);
  if (m.durationMs > 0) parts.push(`${(m.durationMs / 1000).toFixed(1)} s`);
  if (m.size > 0) parts.push(formatBytes(m.size));
  if (m.url !== '') parts.push(m.url);
  return `[${kind}] ${parts.join(' ')}`.trimEnd();
}

/** One readable line for any content type (what the chat pane and `tail` show). */
export function describe(v: MessageView): string {
  if (v.recalled) return '(message recalled)';
  switch (v.contentType) {
    case ContentType.TEXT:
    case ContentType.FACE:
    case ContentType.SYSTEM:
      return v.text;
    case ContentType.IMAGE:
      return mediaLabel('image', v.media);
    case ContentType.FILE:
      return mediaLabel('file', v.media);
    case ContentType.SOUND:
      return mediaLabel('sound', v.media);
    case ContentType.VIDEO:
      return mediaLabel('video', v.media);
    case ContentType.STICKER:
      return mediaLabel('sticker', v.media);
    case ContentType.LOCATION: {
      const l = v.location;
      if (l === undefined) return '[location]';
      const label = [l.title, l.address].filter((s) => s !== '').join(', ');
      return `[location] ${label !== '' ? `${label} ` : ''}(${String(l.latitude)}, ${String(l.longitude)})`;
    }
    case ContentType.CUSTOM:
      return `[${v.customType !== '' ? v.customType : 'custom'}]${v.text !== '' ? ` ${v.text}` : ''}`;
    case ContentType.RED_PACKET:
      return v.redPacket === undefined ? v.text || '[red packet]' : describeRedPacket(v.redPacket);
    case ContentType.CALL:
      return v.call === undefined ? v.text || '[call]' : describeCall(v.call);
    default:
      return v.text !== '' ? v.text : `[${contentTypeName(v.contentType)}]`;
  }
}

/** `HH:MM` in local time (chat pane), or `YYYY-MM-DD HH:MM:SS` (scripts). */
export function clock(time: number, long = false): string {
  const d = new Date(time);
  const p = (n: number) => String(n).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  if (!long) return hm;
  return `${String(d.getFullYear())}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${hm}:${p(d.getSeconds())}`;
}
