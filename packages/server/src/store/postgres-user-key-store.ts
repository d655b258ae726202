import type { Pool } from 'pg';
import type { UserKeyRecord, UserKeyStore } from '../core/user-key-store.js';
import type { UserId } from '../core/types.js';
import { USER_KEY_COLUMNS, userKeyOf, type UserKeyRow } from './user-key-rows.js';

/** Published end-to-end keys on the PostgresStore's pool. */
export class PostgresUserKeyStore implements UserKeyStore {
  constructor(private readonly pool: Pool) {}

  async putUserKey(record: UserKeyRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO user_keys (${USER_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, key_id) DO UPDATE SET published_at = excluded.published_at`,
      [record.userId, record.keyId, record.algorithm, Buffer.from(record.publicKey), record.publishedAt],
    );
  }

  async currentUserKey(userId: UserId): Promise<UserKeyRecord | undefined> {
    const { rows } = await this.pool.query<UserKeyRow>(
      `SELECT ${USER_KEY_COLUMNS} FROM user_keys WHERE user_id = $1 ORDER BY published_at DESC, key_id DESC LIMIT 1`,
      [userId],
    );
    return rows[0] === undefined ? undefined : userKeyOf(rows[0]);
  }

  async getUserKey(userId: UserId, keyId: string): Promise<UserKeyRecord | undefined> {
    const { rows } = await this.pool.query<UserKeyRow>(
      `SELECT ${USER_KEY_COLUMNS} FROM user_keys WHERE user_id = $1 AND key_id = $2`,
      [userId, keyId],
    );
    return rows[0] === undefined ? undefined : userKeyOf(rows[0]);
  }
}
