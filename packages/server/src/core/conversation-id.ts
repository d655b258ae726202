import { BadRequestError, ConversationType, UnsupportedError } from '@parley/protocol';
import type { ConversationId, UserId } from './types.js';

/** A conversation as a client names it: type + target relative to the reader (DESIGN §4). */
export interface ConversationRef {
  readonly type: number;
  readonly target: string;
}

const DECIMAL_ID = /^[1-9][0-9]{0,19}$/;

export function parseUserId(text: string): UserId {
  if (!DECIMAL_ID.test(text)) throw new BadRequestError(`"${text.slice(0, 40)}" is not a user id`);
  const id = BigInt(text);
  // Stores keep ids in signed 64-bit columns; snowflakes never reach 2^63.
  if (id >= 2n ** 63n) throw new BadRequestError('user id out of range');
  return id;
}

export function singleConversationId(a: UserId, b: UserId): ConversationId {
  return a < b ? `s:${a}:${b}` : `s:${b}:${a}`;
}

/** The stored conversation key for a reference made by `viewer`. */
export function conversationIdFor(viewer: UserId, ref: ConversationRef): ConversationId {
  switch (ref.type) {
    case ConversationType.SINGLE:
      return singleConversationId(viewer, parseUserId(ref.target));
    case ConversationType.GROUP:
    case ConversationType.CHATROOM:
      throw new UnsupportedError('group and chatroom conversations are not available yet');
    default:
      throw new BadRequestError(`unknown conversation type ${ref.type}`);
  }
}

/** The reference `viewer` uses for a stored conversation key. */
export function conversationRefFor(viewer: UserId, id: ConversationId): ConversationRef {
  const [kind, a, b] = id.split(':');
  if (kind === 's' && a !== undefined && b !== undefined) {
    return { type: ConversationType.SINGLE, target: String(viewer) === a ? b : a };
  }
  if (kind === 'g' && a !== undefined) return { type: ConversationType.GROUP, target: a };
  if (kind === 'r' && a !== undefined) return { type: ConversationType.CHATROOM, target: a };
  throw new Error(`malformed conversation id ${id}`);
}
