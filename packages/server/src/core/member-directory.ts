import type { Store } from './store.js';
import type { ConversationId, UserId } from './types.js';

/**
 * Member ids per conversation, cached for fan-out so a message to a big group does not read
 * thousands of rows. Every membership change in core calls `invalidate`. Bounded: past
 * `maxEntries` conversations the cache starts over.
 */
export class MemberDirectory {
  private readonly cache = new Map<ConversationId, Promise<UserId[]>>();
  private readonly listeners: ((id: ConversationId) => void)[] = [];

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

  /** Membership changed here: drop the cached list, and tell listeners (the other nodes). */
  invalidate(id: ConversationId): void {
    this.cache.delete(id);
    for (const listener of this.listeners) listener(id);
  }

  /** Membership changed on another node: drop the cached list only. */
  forget(id: ConversationId): void {
    this.cache.delete(id);
  }

  onInvalidate(listener: (id: ConversationId) => void): void {
    this.listeners.push(listener);
  }
}
