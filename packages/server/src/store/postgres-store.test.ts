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

void it('a group commit of plain and mentioning appends takes the batch path, not the one-by-one fallback', async () => {
  await admin('SELECT 1');
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  const store = new PostgresStore({ connectionString: url, schema, poolSize: 2 });
  try {
    await store.migrate();
    await store.ensureConversation({
      id: 'g:1',
      type: 1,
      createdAt: 1,
      members: [
        { userId: 1n, role: 0 },
        { userId: 2n, role: 0 },
      ],
    });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.appendMessage({
          id: BigInt(1000 + i),
          conversationId: 'g:1',
          senderId: 1n,
          senderDevice: 'd',
          clientMsgId: `c${i}`,
          contentType: 1,
          content: Uint8Array.of(i, 0, 255),
          searchText: `text, "quoted" {${i}} \\`,
          serverTime: 1,
          ...(i % 10 === 5 ? { mentions: [2n] } : {}),
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.message.seq),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    assert.deepEqual(store.appendCounts, { batched: 40, fallbacks: 0 });
    assert.equal((await store.getConversationState(2n, 'g:1'))?.mentionSeq, 36);
    const stored = await store.getMessage('g:1', 40);
    assert.deepEqual(stored?.content, Uint8Array.of(39, 0, 255));
    assert.equal(stored.searchText, 'text, "quoted" {39} \\');
  } finally {
    await store.close();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
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
      mentionSeq: 0,
      pinned: false,
      muted: false,
      hiddenSeq: 0,
    });
    assert.deepEqual(await store.addMembers('g:1', [{ userId: 3n, role: 0 }]), [3n]);
    assert.equal((await store.getConversation('g:1'))?.memberCount, 3);
  } finally {
    await store.close();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
});

void it('migration 3 adds mentions, settings, contacts, blocks and search over version-2 rows', async () => {
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema};
    SET search_path = ${schema};
    CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL);
    ${postgresMigrations[0] ?? ''};
    ${postgresMigrations[1] ?? ''};
    INSERT INTO schema_migrations VALUES (1, 0), (2, 0);
    INSERT INTO users (id, username, username_key, display_name, password_hash, created_at)
      VALUES (1, 'Ann', 'ann', 'Ann A', 'h', 5);
    INSERT INTO conversations (id, type, max_seq, created_at, member_count) VALUES ('g:1', 1, 2, 10, 2);
    INSERT INTO memberships (user_id, conversation_id, join_seq, read_seq, role)
      VALUES (1, 'g:1', 1, 2, 2), (2, 'g:1', 2, 1, 0);
    INSERT INTO messages (id, conversation_id, seq, sender_id, sender_device, client_msg_id,
                          content_type, content, search_text, server_time)
      VALUES (100, 'g:1', 1, 1, 'd', 'c1', 1, '\\x00', 'old pineapple', 20),
             (101, 'g:1', 2, 1, 'd', 'c2', 1, '\\x00', 'newer pineapple', 21);`);
  const store = new PostgresStore({ connectionString: url, schema, poolSize: 2 });
  try {
    await store.migrate();
    await store.migrate();
    assert.deepEqual(await store.getUserById(1n), {
      id: 1n,
      username: 'Ann',
      displayName: 'Ann A',
      avatarUrl: '',
      passwordHash: 'h',
      createdAt: 5,
      lastSeenAt: 0,
      bannedUntil: 0,
      mutedUntil: 0,
    });
    assert.deepEqual(await store.getConversationState(2n, 'g:1'), {
      conversationId: 'g:1',
      type: 1,
      maxSeq: 2,
      readSeq: 1,
      joinSeq: 2,
      role: 0,
      mutedUntil: 0,
      mentionSeq: 0,
      pinned: false,
      muted: false,
      hiddenSeq: 0,
    });
    assert.deepEqual(
      (await store.searchMessages(1n, 'pineapple', 10, 0n)).map((m) => m.id),
      [101n, 100n],
    );
    assert.deepEqual(
      (await store.searchMessages(2n, 'pineapple', 10, 0n)).map((m) => m.id),
      [101n],
    );
    const { message } = await store.appendMessage({
      id: 102n,
      conversationId: 'g:1',
      senderId: 1n,
      senderDevice: 'd',
      clientMsgId: 'c3',
      contentType: 1,
      content: Uint8Array.of(1),
      searchText: 'pineapple again',
      serverTime: 22,
      mentions: [2n],
    });
    assert.equal(message.seq, 3);
    assert.equal((await store.getConversationState(2n, 'g:1'))?.mentionSeq, 3);
    assert.equal((await store.searchMessages(2n, 'pineapple', 10, 0n))[0]?.id, 102n);
    await store.updateMembershipSettings(2n, 'g:1', { pinned: true });
    await store.putContactPair(1n, 2n, 3, 3, '', 30);
    await store.block(1n, 3n, 31);
    assert.equal((await store.getContact(2n, 1n))?.state, 3);
    assert.deepEqual(await store.listBlocked(1n), [3n]);
    assert.deepEqual(await store.conversationPeers(1n, 100), [2n]);
    assert.deepEqual(
      (await store.searchUsers('an', 5)).map((u) => u.id),
      [1n],
    );
  } finally {
    await store.close();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
});
