import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@parley/testkit';
import type { Store } from '../core/store.js';
import { E2E_KEY_ALGORITHM, type UserKeyRecord } from '../core/user-key-store.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';

const key = (userId: bigint, n: number, publishedAt: number): UserKeyRecord => ({
  userId,
  keyId: n.toString(16).padStart(16, '0'),
  algorithm: E2E_KEY_ALGORITHM,
  publicKey: Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : (i * n) & 0xff)),
  publishedAt,
});

/** The UserKeyStore contract (migration 5), run on both stores. */
function userKeyContract(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  describe(`UserKeyStore on ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = await open());
      await store.migrate();
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    it('answers the newest published key as current, and any key by id', async () => {
      const keys = store.userKeys;
      assert.equal(await keys.currentUserKey(1n), undefined);
      await keys.putUserKey(key(1n, 1, 1000));
      await keys.putUserKey(key(1n, 2, 2000));
      await keys.putUserKey(key(2n, 3, 3000));
      assert.equal((await keys.currentUserKey(1n))?.keyId, key(1n, 2, 0).keyId);
      const old = await keys.getUserKey(1n, key(1n, 1, 0).keyId);
      assert.deepEqual(old, key(1n, 1, 1000));
      assert.equal(await keys.getUserKey(2n, key(1n, 1, 0).keyId), undefined, 'keys are per user');
      assert.equal((await keys.currentUserKey(2n))?.keyId, key(2n, 3, 0).keyId);
    });

    it('makes a key published again current again (one row per user and key id)', async () => {
      const keys = store.userKeys;
      await keys.putUserKey(key(1n, 1, 5000));
      assert.deepEqual(await keys.currentUserKey(1n), key(1n, 1, 5000));
      assert.deepEqual(await keys.getUserKey(1n, key(1n, 2, 0).keyId), key(1n, 2, 2000));
    });
  });
}

userKeyContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-keys-'));
  return Promise.resolve({
    store: new SqliteStore({ path: join(dir, 'parley.db') }),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});

userKeyContract('PostgreSQL', async () => {
  const db: TestDatabase = await createTestDatabase();
  return { store: new PostgresStore({ connectionString: db.url, poolSize: 2 }), cleanup: () => db.drop() };
});
