import { NotFoundError } from '@parley/protocol';
import type { Store } from './store.js';
import type { ConversationId, ConversationState, UserId } from './types.js';

/**
 * The user's membership of a conversation, or NOT_FOUND (rather than FORBIDDEN: whether a
 * conversation exists is not the caller's business). Every service checks access through this.
 */
export async function requireMembership(
  store: Store,
  userId: UserId,
  conversationId: ConversationId,
): Promise<ConversationState> {
  const state = await store.getConversationState(userId, conversationId);
  if (state === undefined) throw new NotFoundError('no such conversation');
  return state;
}
