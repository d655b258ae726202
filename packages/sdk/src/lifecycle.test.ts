import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create, toBinary } from '@bufbuild/protobuf';
import { ForbiddenError, KickReason, MessageSchema, type KickNotice } from '@parley/protocol';
import { WebSocket } from 'ws';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import {
  AuthFailedError,
  ConnectionState,
  ContentType,
  MemoryStorage,
  ParleyClient,
  Platform,
  TimeoutError,
  TokenRevokedError,
  direct,
  webSocketTransport,
  type Message,
  type Transport,
  type TransportFactory,
} from './index.js';
import { tcpTransport } from './node/index.js';

const reconnect = { initialDelayMs: 20, maxDelayMs: 200 };

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wraps a transport so a test can make it a black hole (a network that silently eats bytes). */
function holeable(inner: TransportFactory): { factory: TransportFactory; holes: { on: boolean }[] } {
  const holes: { on: boolean }[] = [];
  const factory: TransportFactory = () => {
    const t = inner();
    const hole = { on: false };
    holes.push(hole);
    const wrapped: Transport = {
      open: () => t.open(),
      send: (bytes) => {
        if (!hole.on) t.send(bytes);
      },
      close: () => {
        t.close();
      },
      onBytes: (handler) => {
        t.onBytes((bytes) => {
          if (!hole.on) handler(bytes);
        });
      },
      onClose: (handler) => {
        t.onClose(handler);
      },
    };
    return wrapped;
  };
  return { factory, holes };
}

for (const kind of ['tcp', 'websocket'] as const) {
  describe(`client lifecycle over ${kind}`, () => {
    let server: InProcessServer;
    const clients: ParleyClient[] = [];
    let n = 0;

    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      for (const c of clients) c.close();
      await server.stop();
    });

    const transportTo = (s: InProcessServer): TransportFactory =>
      kind === 'tcp'
        ? tcpTransport({ port: s.port })
        : webSocketTransport({ url: `ws://127.0.0.1:${String(s.httpPort)}/ws`, WebSocket });

    const client = (options: Partial<ConstructorParameters<typeof ParleyClient>[0]> = {}): ParleyClient => {
      const c = new ParleyClient({ transport: transportTo(server), reconnect, ...options });
      clients.push(c);
      return c;
    };

    /** A registered user; returns its name and id. */
    const user = async (): Promise<{ name: string; id: bigint }> => {
      n += 1;
      const name = `life${String(n)}`;
      const id = await client().register(name, `${name}-password`);
      return { name, id };
    };

    const login = async (c: ParleyClient, u: { name: string }) =>
      c.login({ username: u.name, password: `${u.name}-password` });

    it('register and login: a wrong password is AuthFailedError and nothing retries', async () => {
      const u = await user();
      const c = client();
      const states: ConnectionState[] = [];
      c.on('state', (e) => states.push(e.state));
      await assert.rejects(c.login({ username: u.name, password: 'wrong-password' }), AuthFailedError);
      await sleep(150);
      assert.deepEqual(states, [ConnectionState.CONNECTING, ConnectionState.UNAUTHENTICATED]);
      const res = await login(c, u);
      assert.equal(res.userId, u.id);
      assert.equal(c.userId, u.id);
      assert.ok(c.token !== undefined && c.token !== '');
      assert.equal(c.state, ConnectionState.ONLINE);
      await assert.rejects(login(c, u), /already online/);
    });

    it('a kicked client reports the kick and does not reconnect', async () => {
      const u = await user();
      const first = client({ deviceId: 'pc-one', platform: Platform.PC });
      await login(first, u);
      const kicks: unknown[] = [];
      const states: ConnectionState[] = [];
      first.on('kick', (k) => kicks.push(k));
      first.on('state', (e) => states.push(e.state));

      const second = client({ deviceId: 'pc-two', platform: Platform.PC });
      await login(second, u);
      await until(() => kicks.length === 1, 5000, 'kick');
      await sleep(500);
      assert.equal(first.state, ConnectionState.KICKED);
      assert.deepEqual(states, [ConnectionState.KICKED], 'no reconnect attempt after the kick');
      assert.equal(first.token, '', 'the revoked token is forgotten');
      assert.equal(server.app.sessions.sessionsOf(u.id).length, 1);
      assert.equal(second.state, ConnectionState.ONLINE);
      await assert.rejects(first.users.get([u.id]), /kicked/);
    });

    it('a banned client reports the kick, keeps its token, and a reconnect while banned stops for good', async () => {
      const u = await user();
      const c = client();
      await login(c, u);
      const token = c.token;
      const kicks: KickNotice[] = [];
      c.on('kick', (k) => kicks.push(k));
      await server.app.store.restrictUser(u.id, { bannedUntil: Date.now() + 60_000 });
      server.app.sessions.push([u.id], { kind: 'suspended', text: 'banned by an admin' });
      await until(() => kicks.length === 1, 5000, 'kick');
      assert.equal(kicks[0]?.reason, KickReason.BANNED);
      assert.equal(c.state, ConnectionState.KICKED);
      assert.equal(c.token, token, 'a ban leaves the token, for when it is lifted');
      await until(() => server.app.sessions.sessionsOf(u.id).length === 0, 5000, 'detached');

      // A client that missed the kick (its connection dropped) and reconnects while banned.
      await server.app.store.restrictUser(u.id, { bannedUntil: 0 });
      const d = client();
      await login(d, u);
      const errors: Error[] = [];
      d.on('error', (e) => errors.push(e.error));
      await server.app.store.restrictUser(u.id, { bannedUntil: Date.now() + 60_000 });
      server.dropConnections(u.id);
      await until(() => d.state === ConnectionState.UNAUTHENTICATED, 5000, 'unauthenticated');
      assert.ok(errors[0] instanceof ForbiddenError, String(errors[0]));
      const states: ConnectionState[] = [];
      d.on('state', (e) => states.push(e.state));
      await sleep(300);
      assert.deepEqual(states, [], 'no further attempts');
      assert.notEqual(d.token, '', 'the token is kept');
    });

    it('a revoked token stops reconnecting: state unauthenticated and an error event', async () => {
      const u = await user();
      const c = client();
      await login(c, u);
      const errors: Error[] = [];
      c.on('error', (e) => errors.push(e.error));
      const token = c.token ?? '';
      await server.revokeToken(token);
      server.dropConnections(u.id);
      await until(() => c.state === ConnectionState.UNAUTHENTICATED, 5000, 'unauthenticated');
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof TokenRevokedError);
      const states: ConnectionState[] = [];
      c.on('state', (e) => states.push(e.state));
      await sleep(300);
      assert.deepEqual(states, [], 'no further attempts');
      assert.equal(server.app.sessions.sessionsOf(u.id).length, 0);
    });

    it('reconnects with the token of the first login, and resume() logs in from stored state', async () => {
      const u = await user();
      const storage = new MemoryStorage();
      const c = client({ storage, deviceId: 'resumer' });
      await login(c, u);
      const token = c.token;
      server.dropConnections(u.id);
      await until(() => c.state === ConnectionState.RECONNECTING, 2000, 'reconnecting');
      await until(() => c.state === ConnectionState.ONLINE, 5000, 'online again');
      assert.equal(c.token, token);
      c.close();
      assert.equal(c.state, ConnectionState.CLOSED);

      const again = client({ storage });
      const res = await again.resume();
      assert.equal(res.userId, u.id);
      assert.equal(again.deviceId, 'resumer', 'the stored device id is reused');
      await again.logout();
      assert.equal(again.state, ConnectionState.CLOSED);
      const third = client({ storage });
      await assert.rejects(third.resume(), AuthFailedError);
    });

    it('a missing pong closes the connection and the client reconnects; a request times out with TimeoutError', async () => {
      const u = await user();
      const peer = await user();
      const { factory, holes } = holeable(transportTo(server));
      const c = client({ transport: factory, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 200 });
      await login(c, u);
      const p = client();
      await login(p, peer);
      const got: Message[] = [];
      p.on('message', (m) => got.push(m));

      const hole = holes.at(-1);
      assert.ok(hole);
      hole.on = true;
      // Sent into the black hole: the outbox keeps it and sends it again after the reconnect.
      const sent = c.messages.sendText(direct(peer.id), 'through the outage');
      await until(() => c.state !== ConnectionState.ONLINE, 2000, 'dead connection noticed');
      await until(() => c.state === ConnectionState.ONLINE, 5000, 'reconnected');
      assert.equal((await sent).seq, 1n);
      await until(() => got.length === 1, 2000, 'delivery');
      assert.equal(got[0]?.messageContent?.text, 'through the outage');

      // Without a heartbeat to notice, a request in the black hole ends with TimeoutError.
      const { factory: f2, holes: h2 } = holeable(transportTo(server));
      const slow = client({ transport: f2, requestTimeoutMs: 300, heartbeatIntervalMs: 60_000 });
      await login(slow, peer);
      const h = h2.at(-1);
      assert.ok(h);
      h.on = true;
      await assert.rejects(slow.users.get([u.id]), TimeoutError);
    });

    it('a DISCONNECT with SHUTTING_DOWN reconnects after reconnect_after_ms', async () => {
      const other = await startTestServer();
      try {
        const c = new ParleyClient({ transport: transportTo(other), reconnect });
        clients.push(c);
        await c.register(`shutty`, 'shutty-password');
        await c.login({ username: 'shutty', password: 'shutty-password' });
        let lostAt = 0;
        c.on('state', (e) => {
          if (e.state === ConnectionState.RECONNECTING) lostAt = Date.now();
        });
        // The gateway's graceful close: DISCONNECT(SHUTTING_DOWN, reconnect after 1000 ms) to all.
        // The listener stays up here, so the client comes back to the same server.
        await other.app.gateway.close(200);
        await until(() => lostAt > 0, 2000, 'disconnect');
        await until(() => c.state === ConnectionState.ONLINE, 5000, 'back online');
        const waited = Date.now() - lostAt;
        assert.ok(waited >= 900, `waited ${String(waited)} ms, as the server asked`);
        c.close();
      } finally {
        await other.stop();
      }
    });

    it('storage carries cursors and the outbox to the next client: nothing twice, nothing lost', async () => {
      const u = await user();
      const peer = await user();
      const storage = new MemoryStorage();
      const c = client({ storage });
      const seen: Message[] = [];
      c.on('message', (m) => seen.push(m));
      await login(c, u);
      const p = client();
      await login(p, peer);
      await p.messages.sendText(direct(u.id), 'one');
      await until(() => seen.length === 1, 2000, 'one delivered');
      c.close();

      // Offline: the peer writes twice; a message this user queued (in an earlier run) waits.
      await p.messages.sendText(direct(u.id), 'two');
      await p.messages.sendText(direct(u.id), 'three');
      const queued = create(MessageSchema, {
        clientMsgId: 'queued-offline',
        conversation: direct(peer.id),
        messageContent: { contentType: ContentType.TEXT, text: 'four' },
      });
      await storage.putOutbox({
        order: 1,
        clientMsgId: 'queued-offline',
        body: toBinary(MessageSchema, queued),
      });
      const next = client({ storage });
      const later: Message[] = [];
      const sentEvents: string[] = [];
      next.on('message', (m) => later.push(m));
      next.on('sent', (e) => sentEvents.push(e.clientMsgId));
      await login(next, u);
      await next.whenSynced();
      await until(() => later.length === 3, 3000, 'two, three and four');
      assert.deepEqual(
        later.map((m) => m.messageContent?.text),
        ['two', 'three', 'four'],
        'only what was missed, then the queued message',
      );
      assert.deepEqual(sentEvents, ['queued-offline']);
    });
  });
}
