import type { UserKeyRecord } from '../core/user-key-store.js';

/** user_keys as either driver returns it (integers as bigint or string, bytes as a Buffer). */
export interface UserKeyRow {
  readonly user_id: bigint | string;
  readonly key_id: string;
  readonly algorithm: string;
  readonly public_key: Uint8Array;
  readonly published_at: bigint | string;
}

export const USER_KEY_COLUMNS = 'user_id, key_id, algorithm, public_key, published_at';

export function userKeyOf(row: UserKeyRow): UserKeyRecord {
  return {
    userId: BigInt(row.user_id),
    keyId: row.key_id,
    algorithm: row.algorithm,
    publicKey: Uint8Array.from(row.public_key),
    publishedAt: Number(row.published_at),
  };
}
