import { ConversationType, type Conversation } from '@parley/protocol';

/**
 * A conversation as this client names it (relative to the reader): SINGLE targets the peer's
 * user id, GROUP the group id, CHATROOM the room name.
 */
export interface ConversationRef {
  readonly type: ConversationType;
  readonly target: string;
}

/** The 1:1 conversation with a user. */
export function direct(userId: bigint | string): ConversationRef {
  return { type: ConversationType.SINGLE, target: String(userId) };
}

export function group(groupId: string | bigint): ConversationRef {
  return { type: ConversationType.GROUP, target: String(groupId) };
}

/** Chatroom names are case-insensitive and the `#` is optional: both are normalised away. */
export function chatroom(name: string): ConversationRef {
  return { type: ConversationType.CHATROOM, target: name.replace(/^#/, '').toLowerCase() };
}

/** A stable map key for a conversation: `type:target`. */
export function conversationKey(c: { readonly type: number; readonly target: string }): string {
  return `${String(c.type)}:${c.target}`;
}

/** The wire conversation of a message as a ref (an absent one maps to an empty SINGLE). */
export function refOf(c: Conversation | undefined): ConversationRef {
  if (c === undefined) return { type: ConversationType.SINGLE, target: '' };
  const type: ConversationType =
    c.type === ConversationType.GROUP
      ? ConversationType.GROUP
      : c.type === ConversationType.CHATROOM
        ? ConversationType.CHATROOM
        : ConversationType.SINGLE;
  return { type, target: c.target };
}
