import type { ParleyClient } from '@parley/sdk';
import { UserDirectory } from '../user-directory.js';

/**
 * Names and presence of the users the chat shows. Lookups are batched by the directory; a
 * failed one leaves ids on screen (names are cosmetic) and is retried on the next need.
 */
export class People {
  readonly users: UserDirectory;
  /** User id → online, for users whose presence the server shares with us. */
  readonly online = new Map<string, boolean>();

  constructor(
    private readonly client: ParleyClient,
    private readonly changed: () => void,
  ) {
    this.users = new UserDirectory(async (ids) =>
      (await client.users.get(ids.map((id) => BigInt(id)))).map((u) => ({
        userId: String(u.userId),
        username: u.username,
        displayName: u.displayName,
      })),
    );
  }

  /** Looks up the names of ids not known yet. */
  need(ids: readonly string[]): void {
    const missing = ids.filter((id) => id !== '' && id !== '0' && this.users.get(id) === undefined);
    if (missing.length > 0) void this.refresh(missing);
  }

  /** Names and presence (direct-chat peers get a presence dot), at most 200 ids per request. */
  async refresh(ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)].filter((id) => /^[1-9][0-9]*$/.test(id));
    try {
      for (let i = 0; i < unique.length; i += 200) {
        const profiles = await this.client.users.get(unique.slice(i, i + 200).map((id) => BigInt(id)));
        for (const p of profiles) {
          this.users.remember({ userId: String(p.userId), username: p.username, displayName: p.displayName });
          // Presence is only filled where we may see it; elsewhere both fields stay empty.
          if (p.online || p.lastSeenAt > 0n) this.online.set(String(p.userId), p.online);
        }
      }
    } catch {
      // offline or refused: the ids stay on screen
    }
    this.changed();
  }

  /** A user id by exact username (case-insensitive). */
  async find(username: string): Promise<string | undefined> {
    const found = await this.client.users.search(username, 50);
    const u = found.find((p) => p.username.toLowerCase() === username.toLowerCase());
    if (u === undefined) return undefined;
    this.users.remember({ userId: String(u.userId), username: u.username, displayName: u.displayName });
    return String(u.userId);
  }
}
