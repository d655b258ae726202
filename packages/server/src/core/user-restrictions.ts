import { ForbiddenError } from '@parley/protocol';
import type { Store } from './store.js';
import type { UserId } from './types.js';

/** How long a user's mute state is trusted before it is read again (another node's mute). */
const DEFAULT_TTL_MS = 2000;
/** Cached users at most; past it the cache starts over (bounded memory, not an LRU). */
const MAX_ENTRIES = 100_000;

interface Entry {
  readonly mutedUntil: number;
  readonly readAt: number;
}

interface Reading {
  readonly done: Promise<number>;
}

/** "until" in an error text: an instant, or "further notice" for a ban or mute without end. */
export function untilText(at: number): string {
  return at >= PERMANENT ? 'further notice' : new Date(at).toISOString();
}

/** The time a ban or mute without end is stored with: the last instant a Date can hold. */
export const PERMANENT = 8_640_000_000_000_000;

/**
 * Whether a user may send (an admin's mute, DESIGN §8), asked on every send. The mute time is read
 * from the store and kept for a couple of seconds, so the check costs a map look-up; the node that
 * mutes forgets its copy at once, other cluster nodes within the TTL.
 */
export class UserRestrictions {
  readonly #cache = new Map<UserId, Entry>();
  /** Reads in flight: a burst of pipelined sends reads the store once. */
  readonly #reading = new Map<UserId, Reading>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {}

  /** Throws ForbiddenError while the user is muted; a promise only when the store must be read. */
  checkSend(userId: UserId): Promise<void> | undefined {
    const now = this.now();
    const hit = this.#cache.get(userId);
    if (hit !== undefined && now - hit.readAt < this.ttlMs) {
      assertNotMuted(hit.mutedUntil, now);
      return undefined;
    }
    return this.#read(userId, now).then((mutedUntil) => {
      assertNotMuted(mutedUntil, this.now());
    });
  }

  #read(userId: UserId, now: number): Promise<number> {
    const running = this.#reading.get(userId);
    if (running !== undefined) return running.done;
    const reading: { done: Promise<number> } = {
      done: this.store.getUserById(userId).then(
        (user) => {
          // Members need not be registered users (guests): nobody mutes those.
          const mutedUntil = user?.mutedUntil ?? 0;
          // A read that forget() overtook (it began before a mute) answers its caller but is not
          // kept: the next check reads the store again.
          if (this.#reading.get(userId) === reading) {
            this.#reading.delete(userId);
            if (this.#cache.size >= MAX_ENTRIES) this.#cache.clear();
            this.#cache.set(userId, { mutedUntil, readAt: now });
          }
          return mutedUntil;
        },
        (err: unknown) => {
          if (this.#reading.get(userId) === reading) this.#reading.delete(userId);
          throw err;
        },
      ),
    };
    this.#reading.set(userId, reading);
    return reading.done;
  }

  /** Drops the cached state (after a mute or unmute on this node). */
  forget(userId: UserId): void {
    this.#cache.delete(userId);
    this.#reading.delete(userId);
  }
}

function assertNotMuted(mutedUntil: number, now: number): void {
  if (mutedUntil > now) throw new ForbiddenError(`muted by an admin until ${untilText(mutedUntil)}`);
}
