import { ConversationType, NotFoundError } from '@parley/protocol';
import { normalizeRoomName, roomConversationId } from './conversation-id.js';
import type { MemberDirectory } from './member-directory.js';
import type { DeviceSession } from './session.js';
import type { Store } from './store.js';
import { MemberRole, type ConversationRecord, type ConversationState } from './types.js';

export interface ChatroomConfig {
  readonly maxPageSize: number;
}

/**
 * Chatrooms (CHATROOM, the IMP channels): open rooms anyone may join and leave; joining creates
 * a missing room. A member sees history from the seq at which it joined (the store sets joinSeq).
 * Joins and leaves are not stored as messages: in a busy room they would drown the talk.
 */
export class ChatroomService {
  constructor(
    private readonly store: Store,
    private readonly members: MemberDirectory,
    private readonly config: ChatroomConfig,
    private readonly now: () => number = Date.now,
  ) {}

  async join(
    actor: DeviceSession,
    name: string,
  ): Promise<{ room: ConversationRecord; state: ConversationState }> {
    const id = roomConversationId(name);
    await this.store.ensureConversation({
      id,
      type: ConversationType.CHATROOM,
      createdAt: this.now(),
      members: [],
      profile: { name: normalizeRoomName(name) },
    });
    await this.store.addMembers(id, [{ userId: actor.userId, role: MemberRole.MEMBER }]);
    this.members.invalidate(id);
    const [room, state] = await Promise.all([
      this.store.getConversation(id),
      this.store.getConversationState(actor.userId, id),
    ]);
    if (room === undefined || state === undefined) throw new NotFoundError('chatroom vanished');
    return { room, state };
  }

  async leave(actor: DeviceSession, name: string): Promise<void> {
    const id = roomConversationId(name);
    const removed = await this.store.removeMembers(id, [actor.userId]);
    if (removed.length === 0) throw new NotFoundError('not in that chatroom');
    this.members.invalidate(id);
  }

  async list(after: string, limit: number): Promise<{ rooms: ConversationRecord[]; hasMore: boolean }> {
    const size = Math.min(Math.max(Math.trunc(limit) || this.config.maxPageSize, 1), this.config.maxPageSize);
    const afterId = after === '' ? '' : roomConversationId(after);
    const page = await this.store.listConversations(ConversationType.CHATROOM, afterId, size + 1);
    return { rooms: page.slice(0, size), hasMore: page.length > size };
  }
}
