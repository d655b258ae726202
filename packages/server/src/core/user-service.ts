import { BadRequestError, NotFoundError } from '@parley/protocol';
import type { PresenceService } from './presence-service.js';
import { isDisplayText, isMediaUrl } from './text-rules.js';
import type { DeviceSession } from './session.js';
import type { Store } from './store.js';
import type { UserId, UserRecord } from './types.js';

export interface PublicProfile {
  readonly user: UserRecord;
  /** Presence, when the viewer may see it. */
  readonly online: boolean;
  readonly lastSeenAt: number;
}

const MAX_DISPLAY_NAME = 64;
const MAX_QUERY = 64;
const MAX_IDS = 200;

/** Profiles: one's own update, search by name, and others' public profiles with presence. */
export class UserService {
  constructor(
    private readonly store: Store,
    private readonly presence: PresenceService,
  ) {}

  updateProfile(
    actor: DeviceSession,
    patch: { displayName?: string | undefined; avatarUrl?: string | undefined },
  ): Promise<UserRecord> {
    const out: { displayName?: string; avatarUrl?: string } = {};
    if (patch.displayName !== undefined) {
      if (!isDisplayText(patch.displayName, MAX_DISPLAY_NAME)) {
        throw new BadRequestError(
          `display name must be 1-${MAX_DISPLAY_NAME} characters without control characters`,
        );
      }
      out.displayName = patch.displayName;
    }
    if (patch.avatarUrl !== undefined) {
      if (patch.avatarUrl !== '' && !isMediaUrl(patch.avatarUrl)) {
        throw new BadRequestError('avatar url must be an http(s) url or a path on this server');
      }
      out.avatarUrl = patch.avatarUrl;
    }
    return this.store.updateProfile(actor.userId, out);
  }

  /** The caller's own record. */
  async me(actor: DeviceSession): Promise<UserRecord> {
    const user = await this.store.getUserById(actor.userId);
    if (user === undefined) throw new NotFoundError('no such user');
    return user;
  }

  /** Exact, case-insensitive username lookup (dialects that address users by name: IMP). */
  byUsername(username: string): Promise<UserRecord | undefined> {
    if (username === '' || username.length > MAX_QUERY) return Promise.resolve(undefined);
    return this.store.getUserByUsername(username);
  }

  async search(query: string, limit: number): Promise<UserRecord[]> {
    const q = query.trim();
    if (q === '' || q.length > MAX_QUERY)
      throw new BadRequestError(`a search needs 1-${MAX_QUERY} characters`);
    return this.store.searchUsers(q, Math.min(Math.max(Math.trunc(limit) || 20, 1), 50));
  }

  async profiles(viewer: DeviceSession, ids: readonly UserId[]): Promise<PublicProfile[]> {
    if (ids.length > MAX_IDS) throw new BadRequestError(`at most ${MAX_IDS} users per request`);
    const out: PublicProfile[] = [];
    for (const id of new Set(ids)) {
      const user = await this.store.getUserById(id);
      if (user === undefined) continue;
      const visible = await this.presence.canSee(viewer.userId, id);
      out.push({
        user,
        online: visible && this.presence.isOnline(id),
        lastSeenAt: visible ? user.lastSeenAt : 0,
      });
    }
    return out;
  }
}
