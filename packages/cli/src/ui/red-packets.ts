import { ContentType, ConversationType } from '@parley/sdk';
import type { MessageView } from '../message-view.js';
import { formatCents } from '../money.js';
import type { ConversationData } from './conversation-data.js';

/** What this client learned by claiming a packet (the server has the rest). */
export type ClaimNote =
  | { readonly kind: 'claimed'; readonly amount: number }
  | { readonly kind: 'already'; readonly amount: number }
  | { readonly kind: 'empty' }
  | { readonly kind: 'expired' };

/** Which packet `/claim` means: the newest unclaimed one here, the one in message #seq, or an id. */
export type ClaimHandle =
  | { readonly kind: 'newest' }
  | { readonly kind: 'seq'; readonly seq: bigint }
  | { readonly kind: 'id'; readonly packetId: string };

function isPacket(m: MessageView): m is MessageView & { redPacket: NonNullable<MessageView['redPacket']> } {
  return m.contentType === ContentType.RED_PACKET && m.redPacket !== undefined && !m.recalled;
}

/** A direct chat's packet is for the peer: its sender cannot claim it. */
function claimable(c: ConversationData, m: MessageView, me: string): boolean {
  return !(c.ref.type === ConversationType.SINGLE && m.senderId === me);
}

/**
 * What follows a packet's description in the chat pane: the outcome of this client's claim, or
 * `/claim #seq` (the message's seq is the packet's short handle), or `expired`.
 */
export function packetTail(
  c: ConversationData,
  m: MessageView,
  me: string,
  note: ClaimNote | undefined,
  now: number,
): string {
  if (note !== undefined) {
    switch (note.kind) {
      case 'claimed':
      case 'already':
        return `you got ${formatCents(note.amount)}`;
      case 'empty':
        return 'all claimed';
      case 'expired':
        return 'expired';
    }
  }
  const expiresAt = m.redPacket?.expiresAt ?? 0;
  if (expiresAt > 0 && expiresAt <= now) return 'expired';
  return claimable(c, m, me) ? `/claim #${String(m.seq)}` : '';
}

/** The packet `/claim` means in the open conversation; throws a readable Error if there is none. */
export function findPacket(
  c: ConversationData,
  handle: ClaimHandle,
  me: string,
  claims: ReadonlyMap<string, ClaimNote>,
  now: number,
): { readonly packetId: string; readonly message: MessageView | undefined } {
  switch (handle.kind) {
    case 'id': {
      const message = [...c.messages.values()].find((m) => m.redPacket?.packetId === handle.packetId);
      return { packetId: handle.packetId, message };
    }
    case 'seq': {
      const m = c.messages.get(handle.seq);
      if (m === undefined) throw new Error(`no message #${String(handle.seq)} here`);
      if (!isPacket(m)) throw new Error(`#${String(handle.seq)} is not a red packet`);
      return { packetId: m.redPacket.packetId, message: m };
    }
    case 'newest': {
      const open = [...c.messages.values()]
        .filter(isPacket)
        .filter((m) => claimable(c, m, me) && !claims.has(m.redPacket.packetId))
        .filter((m) => m.redPacket.expiresAt === 0 || m.redPacket.expiresAt > now)
        .sort((a, b) => (a.seq < b.seq ? 1 : a.seq > b.seq ? -1 : 0));
      const newest = open[0];
      if (newest === undefined) throw new Error('no unclaimed red packet here (/claim #seq names one)');
      return { packetId: newest.redPacket.packetId, message: newest };
    }
  }
}
