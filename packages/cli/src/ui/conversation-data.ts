import { ContentType, ConversationType, conversationKey, type ConversationRef } from '@parley/sdk';
import { describe, type MessageView } from '../message-view.js';
import { describeRedPacket } from '../special-content.js';
import type { UserDirectory } from '../user-directory.js';
import { packetTail, type ClaimNote } from './red-packets.js';
import type { ChatLine, ConversationItem } from './view-types.js';

/** A message typed here and not yet acknowledged (or refused). */
export interface PendingSend {
  readonly clientMsgId: string;
  readonly text: string;
  readonly time: number;
  failed: string | undefined;
}

/** Everything the client knows about one conversation. Mutated by the model only. */
export class ConversationData {
  readonly key: string;
  name = '';
  maxSeq = 0n;
  /** This user's read cursor. */
  readSeq = 0n;
  /** The highest seq another member has read. */
  peerReadSeq = 0n;
  lastTime = 0;
  muted = false;
  pinned = false;
  readonly messages = new Map<bigint, MessageView>();
  readonly pending = new Map<string, PendingSend>();
  /** The first history page was fetched. */
  historyLoaded = false;
  hasMore = true;
  loading = false;
  /** Typing user id → until when (ms). */
  readonly typing = new Map<string, number>();
  /** A markRead request is in flight. */
  markingRead = false;

  constructor(readonly ref: ConversationRef) {
    this.key = conversationKey(ref);
  }

  get unread(): number {
    const n = this.maxSeq - this.readSeq;
    return n > 0n ? Number(n) : 0;
  }

  oldestSeq(): bigint | undefined {
    let min: bigint | undefined;
    for (const seq of this.messages.keys()) if (min === undefined || seq < min) min = seq;
    return min;
  }

  /** Adds or replaces a stored message; returns true if it is new. */
  put(v: MessageView): boolean {
    const isNew = !this.messages.has(v.seq);
    this.messages.set(v.seq, v);
    if (v.seq > this.maxSeq) this.maxSeq = v.seq;
    if (v.time > this.lastTime) this.lastTime = v.time;
    return isNew;
  }

  /** The newest own message that `/recall` or `/edit` would change. */
  lastOwn(me: string, textOnly: boolean): MessageView | undefined {
    let best: MessageView | undefined;
    for (const m of this.messages.values()) {
      if (m.senderId !== me || m.recalled || m.contentType === ContentType.SYSTEM) continue;
      if (textOnly && m.contentType !== ContentType.TEXT) continue;
      if (best === undefined || m.seq > best.seq) best = m;
    }
    return best;
  }

  title(users: UserDirectory): string {
    switch (this.ref.type) {
      case ConversationType.CHATROOM:
        return `#${this.ref.target}`;
      case ConversationType.GROUP:
        return this.name !== '' ? this.name : `group ${this.ref.target}`;
      case ConversationType.SINGLE: {
        const known = users.get(this.ref.target);
        if (known !== undefined) return users.displayName(this.ref.target);
        return this.name !== '' ? this.name : `user ${this.ref.target}`;
      }
    }
  }

  typingUsers(now: number): string[] {
    return [...this.typing].filter(([, until]) => until > now).map(([id]) => id);
  }

  item(users: UserDirectory, online: ReadonlyMap<string, boolean>, now: number): ConversationItem {
    return {
      key: this.key,
      ref: this.ref,
      title: this.title(users),
      unread: this.unread,
      online: this.ref.type === ConversationType.SINGLE ? online.get(this.ref.target) : undefined,
      typing: this.typingUsers(now).length > 0,
      muted: this.muted,
    };
  }

  /** `claims`: what this client got from red packets (shown on their lines). */
  lines(
    me: string,
    users: UserDirectory,
    claims: ReadonlyMap<string, ClaimNote> = new Map(),
    now = Date.now(),
  ): ChatLine[] {
    const sorted = [...this.messages.values()].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    const out: ChatLine[] = sorted.map((m) => {
      const mine = m.senderId === me;
      const system = m.contentType === ContentType.SYSTEM;
      return {
        id: `s${String(m.seq)}`,
        kind: system ? 'system' : 'message',
        seq: m.seq,
        time: m.time,
        sender:
          m.senderName !== '' && users.get(m.senderId) === undefined
            ? m.senderName
            : users.displayName(m.senderId),
        mine,
        text:
          m.redPacket !== undefined && !m.recalled
            ? describeRedPacket(m.redPacket, packetTail(this, m, me, claims.get(m.redPacket.packetId), now))
            : describe(m),
        special: m.recalled ? undefined : specialOf(m.contentType),
        edited: m.edited,
        recalled: m.recalled,
        read: mine && m.seq <= this.peerReadSeq,
      };
    });
    for (const p of this.pending.values()) {
      out.push({
        id: `p${p.clientMsgId}`,
        kind: p.failed === undefined ? 'pending' : 'failed',
        seq: undefined,
        time: p.time,
        sender: users.displayName(me),
        mine: true,
        text: p.failed === undefined ? p.text : `${p.text}  (not sent: ${p.failed})`,
        edited: false,
        recalled: false,
        read: false,
      });
    }
    return out;
  }
}

function specialOf(contentType: number): ChatLine['special'] {
  if (contentType === ContentType.RED_PACKET) return 'red-packet';
  if (contentType === ContentType.CALL) return 'call';
  return undefined;
}
