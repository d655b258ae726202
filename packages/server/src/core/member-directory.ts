import type { Store } from './store.js';
import type { ConversationId, UserId } from './types.js';

/**
 * Member ids per conversation, cached for fan-out so a message to a big group does not read
 * thousands of rows. Every membership change in core calls `invalidate`. Bounded: past
 * `maxEntries` conversations the cache starts over.
 */
export class MemberDirectory {
  private readonly cache = new Map<ConversationId, Promise<UserId[]>>();

  constructor(
    private readonly store: Store,
    private readonly maxEntries = 10_000,
  ) {}

  memberIds(id: ConversationId): Promise<UserId[]> {
    let ids = this.cache.get(id);
    if (ids === undefined) {
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      ids = this.store.getMemberIds(id);
      this.cache.set(id, ids);
      // A failed read must not stay cached.
      ids.catch(() => this.cache.delete(id));
    }
    return ids;
  }

  invalidate(id: ConversationId): void {
    this.cache.delete(id);
  }
}
