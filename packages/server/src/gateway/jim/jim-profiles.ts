import type { DeviceSession } from '../../core/session.js';
import type { UserId } from '../../core/types.js';
import type { Dispatcher } from '../dispatcher.js';

/** What Jim shows of a sender: the server fills sender_name and sender_avatar (seed 001). */
export interface JimSenderProfile {
  readonly name: string;
  readonly avatar: string;
}

interface Entry extends JimSenderProfile {
  readonly at: number;
}

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * A bounded, short-lived cache of sender profiles shared by the Jim connections of this process,
 * so a fan-out looks a sender up once. A profile change shows within TTL_MS. Past MAX_ENTRIES the
 * oldest entry goes (Map order is insertion order).
 */
export class JimProfileCache {
  private readonly entries = new Map<UserId, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  get(id: UserId): JimSenderProfile | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (this.now() - entry.at > TTL_MS) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Loads the profiles not cached yet, as `viewer` sees them. */
  async load(dispatcher: Dispatcher, viewer: DeviceSession, ids: Iterable<UserId>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => this.get(id) === undefined).slice(0, 200);
    if (missing.length === 0) return;
    const profiles = await dispatcher.users.profiles(viewer, missing);
    const at = this.now();
    for (const id of missing) this.set(id, { name: '', avatar: '', at });
    for (const p of profiles) this.set(p.user.id, { name: p.user.displayName, avatar: p.user.avatarUrl, at });
  }

  private set(id: UserId, entry: Entry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}

export const jimProfiles = new JimProfileCache();
