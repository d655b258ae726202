import type Database from 'better-sqlite3';
import type { UserKeyRecord, UserKeyStore } from '../core/user-key-store.js';
import type { UserId } from '../core/types.js';
import { USER_KEY_COLUMNS, userKeyOf, type UserKeyRow } from './user-key-rows.js';

/** Published end-to-end keys on the SqliteStore's connection. */
export class SqliteUserKeyStore implements UserKeyStore {
  constructor(private readonly db: Database.Database) {}

  putUserKey(record: UserKeyRecord): Promise<void> {
    return settled(() => {
      this.db
        .prepare(
          `INSERT INTO user_keys (${USER_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (user_id, key_id) DO UPDATE SET published_at = excluded.published_at`,
        )
        .run(record.userId, record.keyId, record.algorithm, record.publicKey, BigInt(record.publishedAt));
    });
  }

  currentUserKey(userId: UserId): Promise<UserKeyRecord | undefined> {
    return settled(() => {
      const row = this.db
        .prepare(
          `SELECT ${USER_KEY_COLUMNS} FROM user_keys WHERE user_id = ? ORDER BY published_at DESC, key_id DESC LIMIT 1`,
        )
        .get(userId) as UserKeyRow | undefined;
      return row === undefined ? undefined : userKeyOf(row);
    });
  }

  getUserKey(userId: UserId, keyId: string): Promise<UserKeyRecord | undefined> {
    return settled(() => {
      const row = this.db
        .prepare(`SELECT ${USER_KEY_COLUMNS} FROM user_keys WHERE user_id = ? AND key_id = ?`)
        .get(userId, keyId) as UserKeyRow | undefined;
      return row === undefined ? undefined : userKeyOf(row);
    });
  }
}

/** better-sqlite3 is synchronous: a throw becomes a rejection, as the port promises. */
function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
