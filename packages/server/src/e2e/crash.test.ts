import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SendResult } from '@parley/protocol';
import { NativeTestClient, createTestDatabase, spawnServer, type TestDatabase } from '@parley/testkit';

const BURST = 600;

async function crashAndRecover(env: Record<string, string>): Promise<void> {
  let server = await spawnServer(env);
  const setup = await NativeTestClient.connect(server.port);
  await setup.register('alice', 'alice-password');
  const bobId = await setup.register('bob', 'bob-password');
  const alice = await NativeTestClient.connect(server.port);
  await alice.login('alice', 'alice-password', 'alice-pc');

  // A burst of pipelined sends; SIGKILL as soon as half of them are acked, others still in flight.
  const acked: SendResult[] = [];
  const sends = Array.from({ length: BURST }, (_, i) =>
    alice.sendText(bobId, `burst ${i}`, `c-${i}`).then(
      (r) => {
        acked.push(r);
        if (acked.length === BURST / 2) server.child.kill('SIGKILL');
      },
      () => undefined,
    ),
  );
  await Promise.all(sends);
  assert.equal(await server.exited, 'SIGKILL');
  assert.ok(acked.length >= BURST / 2, `at least ${BURST / 2} acked before the kill (${acked.length})`);
  setup.destroy();
  alice.destroy();

  server = await spawnServer(env);
  try {
    const bob = await NativeTestClient.connect(server.port);
    const aliceLogin = await bob.login('alice', 'alice-password', 'alice-pc-2');
    const bobView = await NativeTestClient.connect(server.port);
    await bobView.login('bob', 'bob-password', 'bob-pc');
    const sync = await bobView.sync();
    const state = sync.conversations.find((c) => c.conversation?.target === String(aliceLogin.userId));
    assert.ok(state, 'the conversation survived');
    const stored = [];
    let from = 1n;
    for (;;) {
      const page = await bobView.pull(String(aliceLogin.userId), from, 200);
      stored.push(...page.messages);
      const last = page.messages.at(-1);
      if (!page.hasMore || last === undefined) break;
      from = last.seq + 1n;
    }
    assert.equal(BigInt(stored.length), state.maxSeq, 'one stored message per seq');
    assert.deepEqual(
      stored.map((m) => m.seq),
      Array.from({ length: stored.length }, (_, i) => BigInt(i + 1)),
      'gapless',
    );
    const byClientId = new Map(stored.map((m) => [m.clientMsgId, m]));
    for (const ack of acked) {
      const m = byClientId.get(ack.clientMsgId);
      assert.ok(m, `acked message ${ack.clientMsgId} is there`);
      assert.equal(m.seq, ack.seq);
      assert.equal(m.messageId, ack.messageId);
    }
    bob.destroy();
    bobView.destroy();
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

describe('SIGKILL after acked sends', () => {
  const dirs: string[] = [];
  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    for (const db of dbs) await db.drop();
  });

  it('keeps every acked message on SQLite, seqs gapless, and a fresh sync delivers them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
    dirs.push(dir);
    await crashAndRecover({ PARLEY_DATA_DIR: dir });
  });

  it('keeps every acked message on PostgreSQL', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    await crashAndRecover({ PARLEY_DATABASE_URL: db.url, PARLEY_DATA_DIR: join(tmpdir(), 'unused') });
  });
});
