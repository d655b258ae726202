import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import {
  ConnectionState,
  ParleyClient,
  direct,
  webSocketTransport,
  type Message,
  type TransportFactory,
} from './index.js';
import { tcpTransport } from './node/index.js';

/** Fast reconnects, so five drops cost well under a second each. */
const reconnect = { initialDelayMs: 20, maxDelayMs: 200 };

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const kind of ['tcp', 'websocket'] as const) {
  describe(`reliability over ${kind}`, () => {
    let server: InProcessServer;
    const clients: ParleyClient[] = [];

    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      for (const c of clients) c.close();
      await server.stop();
    });

    const transport = (): TransportFactory =>
      kind === 'tcp'
        ? tcpTransport({ port: server.port })
        : webSocketTransport({ url: `ws://127.0.0.1:${String(server.httpPort)}/ws`, WebSocket });

    const client = (deviceId: string): ParleyClient => {
      const c = new ParleyClient({ transport: transport(), deviceId, reconnect });
      clients.push(c);
      return c;
    };

    it('1,000 messages arrive exactly once and in order while both sides are dropped 5 times', async () => {
      const alice = client('alice-pc');
      const bob = client('bob-pc');
      const aliceId = await alice.register(`alice_${kind}`, 'alice-password');
      const bobId = await bob.register(`bob_${kind}`, 'bob-password');
      await alice.login({ username: `alice_${kind}`, password: 'alice-password' });
      await bob.login({ username: `bob_${kind}`, password: 'bob-password' });

      const received: Message[] = [];
      const ownEchoes: Message[] = [];
      bob.on('message', (m) => received.push(m));
      alice.on('message', (m) => ownEchoes.push(m));
      let reconnects = 0;
      for (const c of [alice, bob]) {
        c.on('state', (e) => {
          if (e.state === ConnectionState.ONLINE && e.previous === ConnectionState.CONNECTING)
            reconnects += 1;
        });
      }
      const errors: Error[] = [];
      for (const c of [alice, bob]) c.on('error', (e) => errors.push(e.error));

      const total = 1000;
      // Five drops at random points of the run, each of both users' connections at once.
      const dropAt = Array.from({ length: 5 }, () => 50 + Math.floor(Math.random() * 900)).sort(
        (a, b) => a - b,
      );
      let acked = 0;
      let drops = 0;
      const dropper = setInterval(() => {
        const next = dropAt[drops];
        if (next === undefined || acked < next) return;
        // Drop only live connections, so each drop really cuts both sides: both clients are back
        // online from the previous drop (a client still reporting ONLINE over a connection the
        // server already cut would make two drops count as one).
        if (alice.state !== ConnectionState.ONLINE || bob.state !== ConnectionState.ONLINE) return;
        if (reconnects < drops * 2) return;
        drops += 1;
        assert.equal(server.dropConnections(aliceId), 1);
        assert.equal(server.dropConnections(bobId), 1);
      }, 2);

      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        sends.push(
          alice.messages.sendText(direct(bobId), `message ${String(i)}`).then((r) => {
            acked += 1;
            return r;
          }),
        );
        // Spread the sends over time so the drops land in the middle of traffic, not after it.
        if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 15));
      }
      const results = (await Promise.all(sends)) as { seq: bigint }[];
      await until(() => received.length >= total, 20_000, `${String(total)} messages at bob`);
      await until(() => drops >= 5, 5_000, 'all drops');
      clearInterval(dropper);
      // Every drop cut both connections, so both clients came back 5 times each.
      await until(() => reconnects >= 10, 5_000, `10 reconnects (saw ${String(reconnects)})`);
      // Let any late duplicate show itself before counting.
      await new Promise((resolve) => setTimeout(resolve, 200));

      assert.equal(drops, 5);
      assert.deepEqual(
        results.map((r) => r.seq),
        Array.from({ length: total }, (_, i) => BigInt(i + 1)),
        'acks carry gapless seqs in send order: the outbox re-sent in order, the server stored each once',
      );
      assert.equal(received.length, total, 'bob saw each message once');
      assert.deepEqual(
        received.map((m) => m.messageContent?.text),
        Array.from({ length: total }, (_, i) => `message ${String(i)}`),
      );
      assert.deepEqual(
        received.map((m) => m.seq),
        Array.from({ length: total }, (_, i) => BigInt(i + 1)),
      );
      assert.ok(received.every((m) => m.conversation?.target === String(aliceId)));
      assert.equal(ownEchoes.length, total, 'alice saw her own messages once each, in order');
      assert.deepEqual(
        ownEchoes.map((m) => m.seq),
        received.map((m) => m.seq),
      );
      assert.equal(alice.pendingMessages.length, 0, 'the outbox is empty');
      assert.deepEqual(errors, []);
      assert.equal(alice.state, ConnectionState.ONLINE);
      assert.equal(bob.state, ConnectionState.ONLINE);
    });
  });
}
