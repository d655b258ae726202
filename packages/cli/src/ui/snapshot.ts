import { ConversationType, conversationKey, type Message } from '@parley/sdk';
import { describe, fromNative } from '../message-view.js';
import type { ConversationData } from './conversation-data.js';
import type { ClaimNote } from './red-packets.js';
import type { People } from './people.js';
import type { ActiveConversation, SearchHit } from './view-types.js';

/** The open conversation as the chat pane draws it. */
export function activeView(
  c: ConversationData,
  me: string,
  people: People,
  now: number,
  claims: ReadonlyMap<string, ClaimNote>,
): ActiveConversation {
  const typing = c.typingUsers(now).map((id) => people.users.displayName(id));
  const kind =
    c.ref.type === ConversationType.GROUP
      ? 'group'
      : c.ref.type === ConversationType.CHATROOM
        ? 'chatroom'
        : 'direct';
  const presence = c.ref.type === ConversationType.SINGLE ? people.online.get(c.ref.target) : undefined;
  return {
    key: c.key,
    title: c.title(people.users),
    subtitle: presence === undefined ? kind : `${kind} · ${presence ? 'online' : 'offline'}`,
    lines: c.lines(me, people.users, claims, now),
    hasMore: c.hasMore,
    loading: c.loading,
    typing:
      typing.length === 0 ? undefined : `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`,
  };
}

/** Search results, each named by its conversation. */
export function searchHits(
  messages: readonly Message[],
  conversations: ReadonlyMap<string, ConversationData>,
  people: People,
): SearchHit[] {
  return messages.map((m) => {
    const v = fromNative(m);
    const { type, target } = v.conversation;
    const where =
      conversations.get(conversationKey(v.conversation))?.title(people.users) ??
      (type === ConversationType.CHATROOM
        ? `#${target}`
        : type === ConversationType.GROUP
          ? `group ${target}`
          : `user ${target}`);
    return {
      id: v.messageId,
      where,
      sender: people.users.displayName(v.senderId),
      time: v.time,
      text: describe(v),
    };
  });
}
