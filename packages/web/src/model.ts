import { ContentType, type Message, type UserProfile } from '@parley/sdk';
import { callRecordText, type CallView } from './call-record.js';
import { formatMoney } from './money.js';

/** Media as a message row shows it (MediaInfo with numbers instead of bigints). */
export interface MediaView {
  readonly url: string;
  readonly thumbnailUrl: string;
  readonly mime: string;
  readonly size: number;
  readonly name: string;
  readonly durationMs: number;
  readonly width: number;
  readonly height: number;
}

export interface LocationView {
  readonly latitude: number;
  readonly longitude: number;
  readonly title: string;
  readonly address: string;
}

/** A red packet as its message shows it (amounts in cents). */
export interface RedPacketView {
  readonly packetId: bigint;
  readonly total: bigint;
  readonly count: number;
  /** random or even. */
  readonly mode: string;
  readonly greeting: string;
  readonly expiresAt: number;
  readonly senderId: bigint;
}

/** What this user knows of a red packet after opening it: their own share and its state. */
export interface PacketStatus {
  /** What I got (0: nothing, or not claimed). */
  readonly amount: bigint;
  /** open, empty, expired or refunded. */
  readonly state: string;
}

/** A message as the UI shows it. Immutable: a recall or an edit replaces the entry. */
export interface ChatMessage {
  readonly seq: bigint;
  readonly messageId: bigint;
  readonly senderId: bigint;
  readonly senderName: string;
  readonly contentType: number;
  readonly text: string;
  readonly media: MediaView | undefined;
  readonly location: LocationView | undefined;
  readonly redPacket: RedPacketView | undefined;
  readonly call: CallView | undefined;
  /** SYSTEM messages: what happened (`recalled`, `edited`, `members_added`, ...). */
  readonly systemKind: string;
  readonly time: number;
  readonly recalled: boolean;
  readonly edited: boolean;
}

/** Message.flags bits. */
export const MessageFlag = { RECALLED: 1, EDITED: 2 } as const;

export function toChat(m: Message): ChatMessage {
  const c = m.messageContent;
  const media = c?.media;
  const location = c?.location;
  const packet = c?.redPacket;
  const call = c?.call;
  return {
    seq: m.seq,
    messageId: m.messageId,
    senderId: m.senderId,
    senderName: m.senderName !== '' ? m.senderName : m.from,
    contentType: c?.contentType ?? 0,
    text: c?.text ?? '',
    media:
      media === undefined
        ? undefined
        : {
            url: media.url !== '' ? media.url : (c?.remoteMediaUrl ?? ''),
            thumbnailUrl: media.thumbnailUrl,
            mime: media.mime,
            size: Number(media.size),
            name: media.name,
            durationMs: media.durationMs,
            width: media.width,
            height: media.height,
          },
    location:
      location === undefined
        ? undefined
        : {
            latitude: location.latitude,
            longitude: location.longitude,
            title: location.title,
            address: location.address,
          },
    redPacket:
      packet === undefined
        ? undefined
        : {
            packetId: packet.packetId,
            total: packet.total,
            count: packet.count,
            mode: packet.mode,
            greeting: packet.greeting,
            expiresAt: Number(packet.expiresAt),
            senderId: packet.senderId,
          },
    call:
      call === undefined
        ? undefined
        : {
            callId: call.callId,
            media: call.media,
            outcome: call.outcome,
            durationMs: Number(call.durationMs),
            callerId: call.callerId,
          },
    systemKind: c?.system?.kind ?? '',
    time: Number(m.serverTime),
    recalled: (m.flags & MessageFlag.RECALLED) !== 0,
    edited: (m.flags & MessageFlag.EDITED) !== 0,
  };
}

/** A one-line summary for the conversation list and notifications (`me`: to word call records). */
export function preview(m: Message | undefined, me?: bigint): string {
  if (m === undefined) return '';
  if ((m.flags & MessageFlag.RECALLED) !== 0) return 'message recalled';
  const c = m.messageContent;
  if (c === undefined) return '';
  if (c.contentType === ContentType.RED_PACKET && c.redPacket !== undefined) {
    const greeting = c.redPacket.greeting;
    return `[Red packet ${formatMoney(c.redPacket.total)}]${greeting !== '' ? ` ${greeting}` : ''}`;
  }
  if (c.contentType === ContentType.CALL && c.call !== undefined) {
    const call = toChat(m).call;
    if (call !== undefined) return callRecordText(call, me === undefined ? undefined : call.callerId === me);
  }
  return contentSummary(c.contentType, c.text, c.media?.name ?? '', c.location?.title ?? '');
}

export function contentSummary(type: number, text: string, fileName: string, place: string): string {
  switch (type) {
    case ContentType.TEXT:
    case ContentType.SYSTEM:
    case ContentType.FACE:
      return text;
    case ContentType.IMAGE:
      return '[image]';
    case ContentType.SOUND:
      return '[voice message]';
    case ContentType.VIDEO:
      return '[video]';
    case ContentType.FILE:
      return fileName !== '' ? `[file] ${fileName}` : '[file]';
    case ContentType.LOCATION:
      return place !== '' ? `[location] ${place}` : '[location]';
    case ContentType.STICKER:
      return '[sticker]';
    case ContentType.RED_PACKET:
      return '[red packet]';
    case ContentType.CALL:
      return text !== '' ? text : '[call]';
    case ContentType.ENCRYPTED:
      return '[encrypted message]';
    default:
      return '[message]';
  }
}

/** What the UI knows about a user: name and, where the server shows it, presence. */
export interface UserInfo {
  readonly id: bigint;
  readonly username: string;
  readonly displayName: string;
  readonly online: boolean;
  readonly lastSeenAt: number;
}

export function userInfo(p: UserProfile): UserInfo {
  return {
    id: p.userId,
    username: p.username,
    displayName: p.displayName,
    online: p.online,
    lastSeenAt: Number(p.lastSeenAt),
  };
}

export function userLabel(u: UserInfo | undefined, fallback: string): string {
  if (u === undefined) return fallback;
  return u.displayName !== '' ? u.displayName : u.username;
}

/** How long a typing signal shows "is typing…" unless another one (or a message) comes. */
export const TYPING_SHOW_MS = 4000;

/**
 * Everything the client knows per conversation (messages by seq, read marks, paging, who is
 * typing) and per user (names, presence). React re-renders through the `version` counter that
 * `useModel` bumps after each change.
 */
export class Model {
  readonly messages = new Map<string, Map<bigint, ChatMessage>>();
  readonly peerRead = new Map<string, bigint>();
  readonly hasOlder = new Map<string, boolean>();
  readonly users = new Map<bigint, UserInfo>();
  /** Red packets I opened, by packet id. */
  readonly packets = new Map<bigint, PacketStatus>();
  private readonly typing = new Map<string, Map<bigint, number>>();

  add(key: string, m: ChatMessage): void {
    let byKey = this.messages.get(key);
    if (byKey === undefined) {
      byKey = new Map<bigint, ChatMessage>();
      this.messages.set(key, byKey);
    }
    byKey.set(m.seq, m);
    // A message ends its sender's typing.
    this.typing.get(key)?.delete(m.senderId);
  }

  list(key: string): ChatMessage[] {
    return [...(this.messages.get(key)?.values() ?? [])].sort((a, b) => (a.seq < b.seq ? -1 : 1));
  }

  get(key: string, seq: bigint): ChatMessage | undefined {
    return this.messages.get(key)?.get(seq);
  }

  recall(key: string, seq: bigint): void {
    const m = this.get(key, seq);
    if (m !== undefined)
      this.add(key, {
        ...m,
        recalled: true,
        text: '',
        media: undefined,
        location: undefined,
        redPacket: undefined,
        call: undefined,
      });
  }

  edit(key: string, seq: bigint, text: string): void {
    const m = this.get(key, seq);
    if (m !== undefined) this.add(key, { ...m, text, edited: true });
  }

  markPeerRead(key: string, seq: bigint): void {
    if (seq > (this.peerRead.get(key) ?? 0n)) this.peerRead.set(key, seq);
  }

  setTyping(key: string, userId: bigint, until: number): void {
    let byKey = this.typing.get(key);
    if (byKey === undefined) {
      byKey = new Map<bigint, number>();
      this.typing.set(key, byKey);
    }
    byKey.set(userId, until);
  }

  /** Who is typing in a conversation at `now` (expired entries are dropped). */
  typingIn(key: string, now: number): bigint[] {
    const byKey = this.typing.get(key);
    if (byKey === undefined) return [];
    const out: bigint[] = [];
    for (const [id, until] of byKey) {
      if (until > now) out.push(id);
      else byKey.delete(id);
    }
    return out;
  }

  setUser(u: UserInfo): void {
    this.users.set(u.id, u);
  }

  setPresence(userId: bigint, online: boolean, lastSeenAt: number): void {
    const u = this.users.get(userId);
    if (u !== undefined) this.users.set(userId, { ...u, online, lastSeenAt });
  }
}
