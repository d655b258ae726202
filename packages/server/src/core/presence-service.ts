import type { SessionDirectory } from './session-directory.js';
import type { PushPort } from './session.js';
import type { Store } from './store.js';
import { ContactState, type UserId } from './types.js';

/**
 * Presence (online, offline, last seen). Watchers of a user are its friends and the people it
 * shares a conversation of at most `maxSharedMembers` members with (direct chats, small groups),
 * less anyone either side has blocked; big groups and chatrooms do not share presence, or every
 * login in a 10,000-member group would wake 10,000 devices. Only online watchers are told.
 */
export class PresenceService {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionDirectory,
    private readonly push: PushPort,
    private readonly maxSharedMembers: number,
    private readonly now: () => number = Date.now,
  ) {}

  isOnline(userId: UserId): boolean {
    return this.sessions.isOnline(userId);
  }

  /** The user's first device came online. */
  async online(userId: UserId): Promise<void> {
    const watchers = await this.onlineWatchers(userId);
    this.push.push(watchers, { kind: 'presence', userId, online: true, lastSeenAt: 0 });
  }

  /**
   * The user's last device went offline. `push` narrows who is told (when a node died, each node
   * tells its own devices).
   */
  async offline(
    userId: UserId,
    push: PushPort['push'] = (ids, event) => {
      this.push.push(ids, event);
    },
  ): Promise<void> {
    const at = this.now();
    await this.store.setLastSeen(userId, at);
    // It may have come back while the write ran.
    if (this.sessions.isOnline(userId)) return;
    const watchers = await this.onlineWatchers(userId);
    push(watchers, { kind: 'presence', userId, online: false, lastSeenAt: at });
  }

  /** May `viewer` see the presence of `target`? */
  async canSee(viewer: UserId, target: UserId): Promise<boolean> {
    if (viewer === target) return true;
    if ((await this.store.isBlocked(target, viewer)) || (await this.store.isBlocked(viewer, target)))
      return false;
    if ((await this.store.getContact(viewer, target))?.state === ContactState.FRIENDS) return true;
    return (await this.store.conversationPeers(viewer, this.maxSharedMembers)).includes(target);
  }

  private async onlineWatchers(userId: UserId): Promise<UserId[]> {
    const [peers, friends, blocked] = await Promise.all([
      this.store.conversationPeers(userId, this.maxSharedMembers),
      this.store.listContacts(userId, [ContactState.FRIENDS]),
      this.store.listBlocked(userId),
    ]);
    const excluded = new Set(blocked);
    const candidates = new Set<UserId>();
    for (const id of peers) if (this.sessions.isOnline(id)) candidates.add(id);
    for (const c of friends) if (this.sessions.isOnline(c.peerId)) candidates.add(c.peerId);
    const watchers: UserId[] = [];
    for (const id of candidates) {
      if (id === userId || excluded.has(id)) continue;
      if (await this.store.isBlocked(id, userId)) continue;
      watchers.push(id);
    }
    return watchers;
  }
}
