/** A user's names, by decimal id. */
export interface UserNames {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
}

export type UserLookup = (ids: readonly string[]) => Promise<readonly UserNames[]>;

/**
 * Caches user names and looks up unknown ids in batches (at most 200 per request, the server's
 * limit). A failed lookup is not cached, so a later call tries again.
 */
export class UserDirectory {
  private readonly known = new Map<string, UserNames>();

  constructor(private readonly lookup: UserLookup) {}

  get(id: string): UserNames | undefined {
    return this.known.get(id);
  }

  remember(user: UserNames): void {
    if (user.userId !== '' && user.username !== '') this.known.set(user.userId, user);
  }

  /** Resolves every id it can; unknown ids stay unknown (deleted users, lookup failure). */
  async resolve(ids: Iterable<string>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => id !== '' && id !== '0' && !this.known.has(id));
    for (let i = 0; i < missing.length; i += 200) {
      const users = await this.lookup(missing.slice(i, i + 200));
      for (const u of users) this.remember(u);
    }
  }

  /** The display name (else username, else `user <id>`). */
  displayName(id: string): string {
    const u = this.known.get(id);
    if (u === undefined) return `user ${id}`;
    return u.displayName !== '' ? u.displayName : u.username;
  }

  username(id: string): string | undefined {
    return this.known.get(id)?.username;
  }
}
