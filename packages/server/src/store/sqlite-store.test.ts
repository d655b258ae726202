import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { storeContract } from '@parley/testkit';
import { sqliteMigrations } from './sqlite-migrations.js';
import { SqliteStore } from './sqlite-store.js';

storeContract('SqliteStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-sqlite-'));
  // A nested path also checks that the store creates its directory.
  const path = join(dir, 'data', 'parley.db');
  return {
    store: new SqliteStore({ path }),
    openAnother: () => Promise.resolve(new SqliteStore({ path })),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

void it('migration 2 backfills member counts and keeps version-1 rows readable', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'parley-sqlite-'));
  try {
    const path = join(dir, 'v1.db');
    const v1 = new Database(path);
    v1.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT',
    );
    v1.exec(sqliteMigrations[0] ?? '');
    v1.exec(`INSERT INTO schema_migrations VALUES (1, 0);
      INSERT INTO conversations (id, type, max_seq, created_at) VALUES ('g:1', 1, 4, 10), ('g:2', 1, 0, 11);
      INSERT INTO memberships (user_id, conversation_id, join_seq, read_seq)
        VALUES (1, 'g:1', 1, 0), (2, 'g:1', 3, 2), (1, 'g:2', 1, 0);`);
    v1.close();
    const store = new SqliteStore({ path });
    try {
      await store.migrate();
      assert.equal((await store.getConversation('g:1'))?.memberCount, 2);
      assert.equal((await store.getConversation('g:2'))?.memberCount, 1);
      assert.deepEqual(await store.getConversationState(2n, 'g:1'), {
        conversationId: 'g:1',
        type: 1,
        maxSeq: 4,
        readSeq: 2,
        joinSeq: 3,
        role: 0,
        mutedUntil: 0,
      });
      assert.deepEqual(await store.addMembers('g:1', [{ userId: 3n, role: 0 }]), [3n]);
      assert.equal((await store.getConversation('g:1'))?.memberCount, 3);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
