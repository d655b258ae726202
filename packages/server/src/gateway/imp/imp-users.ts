import type { DeviceSession } from '../../core/session.js';
import type { UserId, UserRecord } from '../../core/types.js';
import type { Dispatcher } from '../dispatcher.js';

/** Usernames by id, remembered per connection (usernames do not change). */
export type NameCache = Map<UserId, string>;

const MAX_CACHED_NAMES = 10_000;
/** dispatcher.users.profiles takes at most this many ids. */
const PROFILES_PER_CALL = 200;

/** The usernames of `ids` (unknown users are left out), filling `cache`. */
export async function usernamesOf(
  dispatcher: Dispatcher,
  viewer: DeviceSession,
  ids: readonly UserId[],
  cache: NameCache,
): Promise<NameCache> {
  const missing = [...new Set(ids)].filter((id) => !cache.has(id));
  if (cache.size + missing.length > MAX_CACHED_NAMES) cache.clear();
  for (let i = 0; i < missing.length; i += PROFILES_PER_CALL) {
    const profiles = await dispatcher.users.profiles(viewer, missing.slice(i, i + PROFILES_PER_CALL));
    for (const p of profiles) cache.set(p.user.id, p.user.username);
  }
  return cache;
}

/** The user whose username is exactly `username` (case-insensitively), for `MSG USER`. */
export function findUserByUsername(
  dispatcher: Dispatcher,
  username: string,
): Promise<UserRecord | undefined> {
  return dispatcher.users.byUsername(username);
}
