import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import pg from 'pg';
import { storeContract } from '@parley/testkit';
import { postgresMigrations } from './postgres-migrations.js';
import { PostgresStore } from './postgres-store.js';

const url = process.env['PARLEY_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs `sql` on a short-lived connection; an unreachable server fails the run, never skips it. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `PostgreSQL is unreachable at ${url} (${reason}). Start it, or point PARLEY_TEST_DATABASE_URL at one.`,
      { cause: err },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

storeContract('PostgresStore', async () => {
  await admin('SELECT 1');
  // A fresh schema per run: runs never see each other's rows, and dropping it cleans up everything.
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  // A small pool per store: the concurrency tests open many stores at once.
  const open = () => new PostgresStore({ connectionString: url, schema, poolSize: 4 });
  return {
    store: open(),
    openAnother: () => Promise.resolve(open()),
    cleanup: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
});

void it('migration 2 backfills member counts and keeps version-1 rows readable', async () => {
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema};
    SET search_path = ${schema};
    CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL);
    ${postgresMigrations[0] ?? ''};
    INSERT INTO schema_migrations VALUES (1, 0);
    INSERT INTO conversations (id, type, max_seq, created_at) VALUES ('g:1', 1, 4, 10), ('g:2', 1, 0, 11);
    INSERT INTO memberships (user_id, conversation_id, join_seq, read_seq)
      VALUES (1, 'g:1', 1, 0), (2, 'g:1', 3, 2), (1, 'g:2', 1, 0);`);
  const store = new PostgresStore({ connectionString: url, schema, poolSize: 2 });
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
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
});
