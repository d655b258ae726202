import { BadRequestError } from '@parley/protocol';
import type { PushPort } from './session.js';
import type { Store } from './store.js';
import type { StoreTotals, UserId, UserRecord } from './types.js';
import { PERMANENT, untilText, type UserRestrictions } from './user-restrictions.js';

/** A ban or mute: until an instant (ms since the epoch), or without end. */
export type RestrictionTerm = { readonly until: number } | { readonly permanent: true };

/**
 * What the server's admins (PARLEY_ADMIN_USERS) may do beyond the users' API (DESIGN §8): ban a
 * user (no login, every live session kicked on every node), mute one (no sends), read totals.
 * Who is an admin is the HTTP layer's check; this service trusts its caller.
 */
export class AdminService {
  constructor(
    private readonly store: Store,
    private readonly push: PushPort,
    private readonly restrictions: UserRestrictions,
    private readonly now: () => number = Date.now,
  ) {}

  async ban(userId: UserId, term: RestrictionTerm): Promise<UserRecord> {
    const until = this.#until(term);
    const user = await this.#restrict(userId, { bannedUntil: until });
    // Each kicked session is detached as its connection closes, and the user's contacts learn it
    // went offline the usual way (devices kicked on two nodes at once: ClusterSessions 'detached').
    this.push.push([userId], { kind: 'suspended', text: `banned by an admin until ${untilText(until)}` });
    return user;
  }

  unban(userId: UserId): Promise<UserRecord> {
    return this.#restrict(userId, { bannedUntil: 0 });
  }

  async mute(userId: UserId, term: RestrictionTerm): Promise<UserRecord> {
    const user = await this.#restrict(userId, { mutedUntil: this.#until(term) });
    this.restrictions.forget(userId);
    return user;
  }

  async unmute(userId: UserId): Promise<UserRecord> {
    const user = await this.#restrict(userId, { mutedUntil: 0 });
    this.restrictions.forget(userId);
    return user;
  }

  totals(): Promise<StoreTotals> {
    return this.store.totals();
  }

  #until(term: RestrictionTerm): number {
    if ('permanent' in term) return PERMANENT;
    if (!Number.isSafeInteger(term.until) || term.until <= this.now() || term.until > PERMANENT) {
      throw new BadRequestError('until must be a future time in milliseconds since the epoch');
    }
    return term.until;
  }

  #restrict(userId: UserId, patch: { bannedUntil?: number; mutedUntil?: number }): Promise<UserRecord> {
    return this.store.restrictUser(userId, patch);
  }
}
