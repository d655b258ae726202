import type { UserId } from './types.js';

/** The one end-to-end key algorithm: ECDH on P-256 (WebCrypto has it everywhere). */
export const E2E_KEY_ALGORITHM = 'ECDH-P256';

/**
 * A user's published end-to-end public key (docs/security.md). Keys are per user (every device of
 * the user holds the private key); old ones are kept so history encrypted to them stays readable.
 */
export interface UserKeyRecord {
  readonly userId: UserId;
  /** Hex of the first 8 bytes of SHA-256 of `publicKey`. */
  readonly keyId: string;
  readonly algorithm: string;
  /** The raw public key (P-256, uncompressed: 65 bytes). */
  readonly publicKey: Uint8Array;
  /** When it was (last) published, ms since the epoch: the newest is the user's current key. */
  readonly publishedAt: number;
}

/** Published public keys, on the Store's database (table user_keys, migration 5). */
export interface UserKeyStore {
  /** Adds the key, or publishes a known one again (it becomes current again). */
  putUserKey(record: UserKeyRecord): Promise<void>;
  currentUserKey(userId: UserId): Promise<UserKeyRecord | undefined>;
  getUserKey(userId: UserId, keyId: string): Promise<UserKeyRecord | undefined>;
}
