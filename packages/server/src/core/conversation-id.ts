import { BadRequestError, ConversationType } from '@parley/protocol';
import type { ConversationId, UserId } from './types.js';

/** A conversation as a client names it: type + target relative to the reader (DESIGN §4). */
export interface ConversationRef {
  readonly type: number;
  readonly target: string;
}

const DECIMAL_ID = /^[1-9][0-9]{0,19}$/;

/** A snowflake id (user or group) written in decimal. */
export function parseUserId(text: string): UserId {
  if (!DECIMAL_ID.test(text)) throw new BadRequestError(`"${text.slice(0, 40)}" is not an id`);
  const id = BigInt(text);
  // Stores keep ids in signed 64-bit columns; snowflakes never reach 2^63.
  if (id >= 2n ** 63n) throw new BadRequestError('user id out of range');
  return id;
}

const ROOM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** Chatroom names are case-insensitive (IMP `#General` is `#general`); an IMP `#` is optional. */
export function normalizeRoomName(name: string): string {
  const bare = name.startsWith('#') ? name.slice(1) : name;
  if (!ROOM_NAME.test(bare)) {
    throw new BadRequestError(
      'chatroom names are 1-64 characters: letters, digits, _ . - (not starting with . or -)',
    );
  }
  return bare.toLowerCase();
}

export function groupConversationId(groupId: bigint): ConversationId {
  return `g:${groupId}`;
}

export function roomConversationId(name: string): ConversationId {
  return `r:${normalizeRoomName(name)}`;
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
      return groupConversationId(parseUserId(ref.target));
    case ConversationType.CHATROOM:
      return roomConversationId(ref.target);
    default:
      throw new BadRequestError(`unknown conversation type ${ref.type}`);
  }
}

const COLON = ':';
const KIND_SINGLE = 's'.charCodeAt(0);
const KIND_GROUP = 'g'.charCodeAt(0);
const KIND_ROOM = 'r'.charCodeAt(0);

/** The text of `id` from `start` up to the next ':' (or the end). */
function part(id: string, start: number): string {
  const end = id.indexOf(COLON, start);
  return end < 0 ? id.slice(start) : id.slice(start, end);
}

/**
 * The reference `viewer` uses for a stored conversation key. Runs for every message pushed (twice:
 * the conversation and the sender's side), so it slices the key instead of splitting it.
 */
export function conversationRefFor(viewer: UserId, id: ConversationId): ConversationRef {
  if (id.length >= 2 && id[1] === COLON) {
    const a = part(id, 2);
    switch (id.charCodeAt(0)) {
      case KIND_SINGLE: {
        const bStart = 2 + a.length + 1;
        if (bStart > id.length) break;
        const b = part(id, bStart);
        return { type: ConversationType.SINGLE, target: String(viewer) === a ? b : a };
      }
      case KIND_GROUP:
        return { type: ConversationType.GROUP, target: a };
      case KIND_ROOM:
        return { type: ConversationType.CHATROOM, target: a };
      default:
        break;
    }
  }
  throw new Error(`malformed conversation id ${id}`);
}
