import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message, SendResult } from '@parley/protocol';
import { NativeTestClient, createTestDatabase, spawnServer, type TestDatabase } from '@parley/testkit';

/** Sender connections, each keeping WINDOW sends in flight, until KILL_AT acks; then SIGKILL. */
const SENDERS = 8;
const WINDOW = 100;
const KILL_AT = 3000;

interface Sender {
  readonly username: string;
  readonly password: string;
  client: NativeTestClient;
  /** Every clientMsgId sent, in order (the frame may not have left before the kill). */
  readonly sent: string[];
  readonly acks: Map<string, SendResult>;
  next: number;
}

/** Keeps WINDOW sends in flight until `stop()` or the connection dies. */
async function pump(s: Sender, to: bigint, stop: () => boolean, onAck: () => void): Promise<void> {
  const inflight = new Set<Promise<void>>();
  while (!stop() && !s.client.isClosed) {
    while (inflight.size < WINDOW) {
      const id = `${s.username}-${s.next++}`;
      s.sent.push(id);
      const p: Promise<void> = s.client
        .sendText(to, `load ${id}`, id)
        .then(
          (r) => {
            s.acks.set(id, r);
            onAck();
          },
          () => undefined,
        )
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.race(inflight);
  }
  await Promise.allSettled(inflight);
}

/** Every message of the conversation with `peer`, pulled page by page. */
async function pullAll(client: NativeTestClient, peer: bigint, from = 1n): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const page = await client.pull(String(peer), from, 200);
    out.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.hasMore || last === undefined) return out;
    from = last.seq + 1n;
  }
}

/**
 * SIGKILL under load, then restart (issue 10, acceptance 3): several senders pipeline thousands
 * of messages per second to one receiver who is online; the server is killed mid-stream. After
 * the restart the receiver pulls what it missed, the senders resend every message they have no
 * ack for (same clientMsgId), and then: every acked message is stored with its acked seq and id,
 * every conversation's seqs are gapless, a retry of a message that was committed before the kill
 * is answered as a duplicate and is not delivered again, and the receiver got every message
 * exactly once.
 */
async function crashAndRecover(env: Record<string, string>, label: string): Promise<void> {
  let server = await spawnServer(env);
  const bobView = await NativeTestClient.connect(server.port);
  const bobId = await bobView.register('bob', 'bob-password');
  await bobView.login('bob', 'bob-password', 'bob-pc');
  const senders: Sender[] = [];
  for (let k = 0; k < SENDERS; k++) {
    const username = `sender${k}`;
    const client = await NativeTestClient.connect(server.port);
    await client.register(username, `${username}-password`);
    await client.login(username, `${username}-password`, `${username}-pc`);
    senders.push({ username, password: `${username}-password`, client, sent: [], acks: new Map(), next: 0 });
  }

  // The kill comes from inside the ack callback: hundreds of sends are in flight at that moment.
  let killed = false;
  let acked = 0;
  let loadSeconds = 0;
  const started = Date.now();
  const onAck = () => {
    acked += 1;
    if (acked !== KILL_AT) return;
    server.child.kill('SIGKILL');
    killed = true;
    loadSeconds = (Date.now() - started) / 1000;
  };
  const pumps = senders.map((s) => pump(s, bobId, () => killed, onAck));
  await Promise.all(pumps);
  const ackedAtKill = KILL_AT;
  assert.equal(await server.exited, 'SIGKILL');
  const ackedBefore = new Map<string, SendResult>();
  for (const s of senders) for (const [id, ack] of s.acks) ackedBefore.set(id, ack);
  const sentBefore = senders.reduce((n, s) => n + s.sent.length, 0);
  const pushedBefore = bobView.pushedMessages();
  bobView.destroy();
  for (const s of senders) s.client.destroy();
  assert.ok(ackedBefore.size >= KILL_AT, `thousands acked before the kill (${ackedBefore.size})`);
  // Still in flight at the kill: some sends had no answer.
  assert.ok(sentBefore > ackedBefore.size);

  server = await spawnServer(env);
  try {
    // The receiver comes back first and fills its gap from what it holds (by seq, per sender).
    const bob = await NativeTestClient.connect(server.port);
    await bob.login('bob', 'bob-password', 'bob-pc');
    const delivered: Message[] = [...pushedBefore];
    const senderIds = new Map<string, bigint>();
    for (const s of senders) {
      s.client = await NativeTestClient.connect(server.port);
      senderIds.set(s.username, (await s.client.login(s.username, s.password, `${s.username}-pc`)).userId);
    }
    for (const s of senders) {
      const peer = senderIds.get(s.username) ?? 0n;
      const held = new Set(pushedBefore.filter((m) => m.senderId === peer).map((m) => m.seq));
      for (const m of await pullAll(bob, peer)) if (!held.has(m.seq)) delivered.push(m);
    }
    const pushesBeforeRetry = bob.pushedMessages().length;

    // Each sender resends everything it has no ack for, with the same clientMsgId.
    let duplicates = 0;
    let stored = 0;
    for (const s of senders) {
      const unacked = s.sent.filter((id) => !s.acks.has(id));
      for (let i = 0; i < unacked.length; i += WINDOW) {
        const acks = await Promise.all(
          unacked.slice(i, i + WINDOW).map((id) => s.client.sendText(bobId, `load ${id}`, id)),
        );
        for (const [j, ack] of acks.entries()) {
          s.acks.set(unacked[i + j] ?? '', ack);
          if (ack.duplicate) duplicates += 1;
          else stored += 1;
        }
      }
    }
    // Pushes of the retries: only the ones that were new.
    await bob.waitFor(
      () => bob.pushedMessages().length - pushesBeforeRetry === stored,
      10_000,
      'retry pushes',
    );
    const retryPushes = bob.pushedMessages().slice(pushesBeforeRetry);
    delivered.push(...retryPushes);

    let lost = 0;
    for (const s of senders) {
      const peer = senderIds.get(s.username) ?? 0n;
      const messages = await pullAll(bob, peer);
      assert.deepEqual(
        messages.map((m) => m.seq),
        Array.from({ length: messages.length }, (_, i) => BigInt(i + 1)),
        `${s.username}: seqs gapless`,
      );
      const byClientId = new Map(messages.map((m) => [m.clientMsgId, m]));
      assert.equal(byClientId.size, messages.length, `${s.username}: no clientMsgId stored twice`);
      assert.deepEqual(
        [...byClientId.keys()].sort(),
        [...s.sent].sort(),
        `${s.username}: every send stored once`,
      );
      for (const id of s.sent) {
        const before = ackedBefore.get(id);
        const m = byClientId.get(id);
        if (before === undefined) continue;
        if (m === undefined || m.seq !== before.seq || m.messageId !== before.messageId) lost += 1;
      }
      for (const [id, ack] of s.acks) assert.equal(byClientId.get(id)?.messageId, ack.messageId, id);
    }
    const deliveredIds = new Set(delivered.map((m) => m.messageId));
    const duplicatesDelivered = delivered.length - deliveredIds.size;
    const storedTotal = senders.reduce((n, s) => n + s.sent.length, 0);
    console.log(
      `${label}: ${ackedBefore.size} messages acked in ${loadSeconds.toFixed(1)} s before SIGKILL ` +
        `(${Math.round(ackedBefore.size / loadSeconds)}/s, ${ackedAtKill} at the kill signal), ${sentBefore} sent; ` +
        `after restart ${duplicates} retries were already committed (answered duplicate, not pushed) and ` +
        `${stored} were new; acked messages lost: ${lost}; stored ${storedTotal}; delivered to the receiver ` +
        `${delivered.length} (${pushedBefore.length} pushed before the kill, ${retryPushes.length} after), ` +
        `duplicates delivered: ${duplicatesDelivered}`,
    );
    assert.equal(lost, 0, 'zero acked messages lost');
    assert.equal(duplicatesDelivered, 0, 'zero duplicates delivered');
    assert.equal(deliveredIds.size, storedTotal, 'the receiver got every stored message');
    bob.destroy();
    for (const s of senders) s.client.destroy();
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

describe('SIGKILL under load, then restart', () => {
  const dirs: string[] = [];
  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    for (const db of dbs) await db.drop();
  });

  it('SQLite: zero acked messages lost, zero duplicates delivered, seqs gapless', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
    dirs.push(dir);
    await crashAndRecover({ PARLEY_DATA_DIR: dir }, 'SQLite');
  });

  it('PostgreSQL: zero acked messages lost, zero duplicates delivered, seqs gapless', async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    await crashAndRecover(
      { PARLEY_DATABASE_URL: db.url, PARLEY_DATA_DIR: join(tmpdir(), 'unused') },
      'PostgreSQL',
    );
  });
});
