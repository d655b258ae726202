import { BadRequestError, ConversationType } from '@parley/protocol';
import { conversationIdFor, conversationRefFor, type ConversationRef } from './conversation-id.js';
import { requireMembership } from './membership.js';
import type { DeviceSession } from './session.js';
import type { Store } from './store.js';
import type { ConversationState, MembershipSettings, MessageId, StoredMessage } from './types.js';

export interface ConversationListEntry {
  readonly state: ConversationState;
  readonly lastMessage: StoredMessage | undefined;
  readonly name: string;
  readonly avatarUrl: string;
  readonly unread: number;
  readonly mentioned: boolean;
}

const MAX_LIST = 500;
const MAX_QUERY = 200;

export function unreadOf(state: ConversationState): number {
  return Math.max(0, state.maxSeq - state.readSeq);
}

/** The conversation list, one's own per-conversation switches, and full-text search. */
export class ConversationService {
  constructor(private readonly store: Store) {}

  async list(
    actor: DeviceSession,
    limit: number,
  ): Promise<{ entries: ConversationListEntry[]; totalUnread: number }> {
    const size = Math.min(Math.max(Math.trunc(limit) || 100, 1), MAX_LIST);
    const states = (await this.store.listConversationStates(actor.userId)).filter(
      (s) => s.maxSeq > s.hiddenSeq && s.maxSeq > 0,
    );
    const totalUnread = states.reduce((sum, s) => sum + (s.muted ? 0 : unreadOf(s)), 0);
    const last = new Map(
      (await this.store.lastMessages(states.map((s) => s.conversationId))).map((m) => [m.conversationId, m]),
    );
    const time = (s: ConversationState) => last.get(s.conversationId)?.serverTime ?? 0;
    states.sort((a, b) => Number(b.pinned) - Number(a.pinned) || time(b) - time(a));
    const entries: ConversationListEntry[] = [];
    for (const state of states.slice(0, size)) {
      const { name, avatarUrl } = await this.displayOf(actor, state);
      entries.push({
        state,
        lastMessage: last.get(state.conversationId),
        name,
        avatarUrl,
        unread: unreadOf(state),
        mentioned: state.mentionSeq > state.readSeq,
      });
    }
    return { entries, totalUnread };
  }

  async settings(
    actor: DeviceSession,
    ref: ConversationRef,
    input: { pinned?: boolean | undefined; muted?: boolean | undefined; hide: boolean },
  ): Promise<void> {
    const id = conversationIdFor(actor.userId, ref);
    const state = await requireMembership(this.store, actor.userId, id);
    const patch: { -readonly [K in keyof MembershipSettings]: MembershipSettings[K] } = {};
    if (input.pinned !== undefined) patch.pinned = input.pinned;
    if (input.muted !== undefined) patch.muted = input.muted;
    if (input.hide) patch.hiddenSeq = state.maxSeq;
    await this.store.updateMembershipSettings(actor.userId, id, patch);
  }

  async search(
    actor: DeviceSession,
    query: string,
    limit: number,
    beforeId: MessageId,
  ): Promise<StoredMessage[]> {
    const q = query.trim();
    if (q === '' || q.length > MAX_QUERY)
      throw new BadRequestError(`a search needs 1-${MAX_QUERY} characters`);
    return this.store.searchMessages(
      actor.userId,
      q,
      Math.min(Math.max(Math.trunc(limit) || 20, 1), 50),
      beforeId,
    );
  }

  private async displayOf(
    actor: DeviceSession,
    state: ConversationState,
  ): Promise<{ name: string; avatarUrl: string }> {
    if (state.type === ConversationType.SINGLE) {
      const peer = await this.store.getUserById(
        BigInt(conversationRefFor(actor.userId, state.conversationId).target),
      );
      return { name: peer?.displayName ?? '', avatarUrl: peer?.avatarUrl ?? '' };
    }
    const record = await this.store.getConversation(state.conversationId);
    return { name: record?.name ?? '', avatarUrl: record?.avatarUrl ?? '' };
  }
}
