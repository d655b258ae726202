import type { UserId } from '../core/types.js';

/**
 * Whom each recently asked-about user blocks, so that the check on every 1:1 send is a lookup:
 * on SQLite each autocommit read takes and drops a WAL read lock with two fcntl calls, which cost
 * more than the query (about 9% of the server's CPU at full 1:1 load, `npm run bench --
 * --profile`). Exact only while this process is the sole writer of blocks, which an embedded
 * database's server is; the store updates it after each block and unblock it commits.
 */
export class BlockCache {
  private readonly lists = new Map<UserId, Set<UserId>>();

  constructor(private readonly maxUsers: number) {}

  /** Whether `blocker` blocks `userId`; `load` reads the blocker's whole list on a miss. */
  has(blocker: UserId, userId: UserId, load: (blocker: UserId) => readonly UserId[]): boolean {
    let list = this.lists.get(blocker);
    if (list === undefined) {
      list = new Set(load(blocker));
      // Oldest first out: Map keeps insertion order.
      if (this.lists.size >= this.maxUsers) {
        const oldest = this.lists.keys().next();
        if (oldest.done !== true) this.lists.delete(oldest.value);
      }
      this.lists.set(blocker, list);
    }
    return list.has(userId);
  }

  blocked(blocker: UserId, userId: UserId): void {
    this.lists.get(blocker)?.add(userId);
  }

  unblocked(blocker: UserId, userId: UserId): void {
    this.lists.get(blocker)?.delete(userId);
  }
}
