/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import {
  Command,
  ContentType,
  ConversationType,
  RedPacketDetailSchema,
  RedPacketRefSchema,
  RedPacketSendRequestSchema,
  SendResultSchema,
  WalletRequestSchema,
  WalletResponseSchema,
} from '@parley/protocol';
import { NativeTestClient, SERVER_STORES, startTestServer, type InProcessServer } from '@parley/testkit';
import { HttpTestClient, type Json } from '../http/http-test-client.js';

// Issue 11, acceptance 1 and 2, on each store: through the real server (HTTP API, native
// protocol, and a telnet-style IMP client that sees a readable line).
for (const backend of SERVER_STORES) {
  describe(`red packets on ${backend.name}`, () => {
    let server: InProcessServer;
    let cleanup: () => Promise<void>;
    let env: Record<string, string>;
    let api: HttpTestClient;
    let admin: { userId: string; token: string };

    before(async () => {
      const store = await backend.open();
      cleanup = () => store.cleanup();
      env = store.env;
      server = await startTestServer({
        ...store.env,
        PARLEY_HTTP_AUTH_RATE_LIMIT: '100000',
        PARLEY_HTTP_RATE_LIMIT: '100000',
        PARLEY_ADMIN_USERS: 'banker',
      });
      api = new HttpTestClient(`http://127.0.0.1:${server.httpPort}`);
      admin = await api.register('banker');
    });

    after(async () => {
      await server.stop();
      await cleanup();
    });

    it('200 concurrent claims on a 50-share packet: 50 succeed, shares sum to the total, the ledger balances', async () => {
      const owner = await api.register('owner');
      const members = [];
      for (let i = 0; i < 199; i++) members.push(await api.register(`m${i}`));
      const group = await api.post(
        '/api/v1/groups',
        { name: 'lucky', memberIds: members.map((m) => m.userId) },
        owner.token,
      );
      assert.equal(group.status, 201);
      const groupId: string = group.body.groupId;
      await api.post(`/api/v1/admin/wallets/${owner.userId}/credit`, { amount: 100_000 }, admin.token);
      const sent = await api.post(
        `/api/v1/conversations/group/${groupId}/red-packets`,
        { clientMsgId: 'big', total: 10_000, count: 50, greeting: 'lucky draw' },
        owner.token,
      );
      assert.equal(sent.status, 200);
      const packetId: string = sent.body.message.content.redPacket.packetId;
      const claimers = [owner, ...members];
      const results = await Promise.all(
        claimers.map((u) => api.post(`/api/v1/red-packets/${packetId}/claim`, {}, u.token)),
      );
      assert.deepEqual(
        results.filter((r) => r.status !== 200).map((r) => `${r.status} ${JSON.stringify(r.body)}`),
        [],
        'every claim is answered',
      );
      const won = results.filter((r) => r.body.claimed === true);
      assert.equal(won.length, 50);
      const shares = won.map((r) => r.body.amount as number);
      assert.equal(
        shares.reduce((a, b) => a + b, 0),
        10_000,
      );
      assert.ok(shares.every((a) => a >= 1));
      const balances = await Promise.all(
        claimers.map(async (u) => (await api.get('/api/v1/wallet', u.token)).body.balance as number),
      );
      assert.equal(
        balances.reduce((a, b) => a + b, 0),
        100_000,
        'the ledger balances: nothing created or lost',
      );
      for (const [i, u] of claimers.entries()) {
        const wallet = await api.get('/api/v1/wallet?limit=200', u.token);
        const deltas = (wallet.body.entries as Json[]).map((e) => Number(e.delta));
        const sum = deltas.reduce((a, b) => a + b, 0);
        assert.equal(sum, balances[i], `${u.userId}: the ledger rows add up to the balance`);
      }
      const info = await api.get(`/api/v1/red-packets/${packetId}`, owner.token);
      assert.equal(info.body.state, 'empty');
      assert.equal(info.body.claims.length, 50);
    });

    it('expiry returns the rest to the sender exactly once', async () => {
      // A server of its own with a short expiry, on the same database.
      const short = await startTestServer({
        ...env,
        // SQLite: the same database file as the main server.
        PARLEY_DATA_DIR: server.dataDir,
        PARLEY_HTTP_AUTH_RATE_LIMIT: '100000',
        PARLEY_ADMIN_USERS: 'banker',
        PARLEY_RED_PACKET_TTL_MS: '1500',
      });
      const api = new HttpTestClient(`http://127.0.0.1:${short.httpPort}`);
      const admin = (await api.post('/api/v1/auth/login', { username: 'banker', password: 'secret123' }))
        .body;
      try {
        await expiry(api, admin);
      } finally {
        await short.stop();
      }
    });

    async function expiry(api: HttpTestClient, admin: { token: string }): Promise<void> {
      const sender = await api.register('giver');
      const taker = await api.register('taker');
      const group = await api.post(
        '/api/v1/groups',
        { name: 'exp', memberIds: [taker.userId] },
        sender.token,
      );
      await api.post(`/api/v1/admin/wallets/${sender.userId}/credit`, { amount: 1000 }, admin.token);
      const sent = await api.post(
        `/api/v1/conversations/group/${group.body.groupId}/red-packets`,
        { clientMsgId: 'exp', total: 900, count: 3, mode: 'even' },
        sender.token,
      );
      const packetId: string = sent.body.message.content.redPacket.packetId;
      const claim = await api.post(`/api/v1/red-packets/${packetId}/claim`, {}, taker.token);
      assert.equal(claim.body.amount, 300);
      const deadline = Date.now() + 15_000;
      let state = '';
      while (Date.now() < deadline) {
        state = (await api.get(`/api/v1/red-packets/${packetId}`, sender.token)).body.state;
        if (state === 'expired') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(state, 'expired', 'the sweeper closed it');
      // Give other sweeps a chance to (wrongly) refund again.
      await new Promise((r) => setTimeout(r, 1000));
      const wallet = await api.get('/api/v1/wallet', sender.token);
      assert.equal(wallet.body.balance, 700);
      assert.deepEqual(
        (wallet.body.entries as Json[])
          .filter((e) => e.kind === 'red_packet_refund')
          .map((e) => Number(e.delta)),
        [600],
      );
      const late = await api.post(`/api/v1/red-packets/${packetId}/claim`, {}, sender.token);
      assert.equal(late.status, 403);
      assert.equal(late.body.error.name, 'EXPIRED');
    }

    it('works over the native protocol; an IMP user sees a readable line', async () => {
      const alice = await NativeTestClient.connect(server.port);
      const bob = await NativeTestClient.connect(server.port);
      const aliceId = await alice.register('nalice', 'password-1');
      const bobId = await bob.register('nbob', 'password-1');
      await alice.login('nalice', 'password-1', 'dev-a');
      await bob.login('nbob', 'password-1', 'dev-b');
      await api.post(`/api/v1/admin/wallets/${aliceId}/credit`, { amount: 500 }, admin.token);
      const imp = connect(server.port, '127.0.0.1');
      let impText = '';
      imp.on('data', (chunk: Buffer) => (impText += chunk.toString()));
      imp.write('REG @nimp password-1\r\n');
      await waitFor(() => impText.includes('OK'), 'IMP login');
      const impId = BigInt((await api.get('/api/v1/users/search?q=nimp', admin.token)).body.users[0].userId);

      const ack = await alice.request(
        Command.RED_PACKET_SEND,
        RedPacketSendRequestSchema,
        {
          clientMsgId: 'native-rp',
          conversation: { type: ConversationType.SINGLE, target: String(bobId) },
          total: 250n,
          count: 1,
          greeting: 'tea money',
        },
        SendResultSchema,
      );
      assert.equal(ack.seq > 0n, true);
      await bob.waitFor(() =>
        bob.pushedMessages().some((m) => m.messageContent?.contentType === ContentType.RED_PACKET),
      );
      const pushed = bob
        .pushedMessages()
        .find((m) => m.messageContent?.contentType === ContentType.RED_PACKET);
      const packetId = pushed?.messageContent?.redPacket?.packetId ?? 0n;
      assert.ok(packetId > 0n);
      await alice.request(
        Command.RED_PACKET_SEND,
        RedPacketSendRequestSchema,
        {
          clientMsgId: 'native-rp-imp',
          conversation: { type: ConversationType.SINGLE, target: String(impId) },
          total: 100n,
          count: 1,
          greeting: 'for the terminal',
        },
        SendResultSchema,
      );
      await waitFor(() => impText.includes('[Red packet] for the terminal'), 'IMP user saw a readable line');

      const detail = await bob.request(
        Command.RED_PACKET_CLAIM,
        RedPacketRefSchema,
        { packetId },
        RedPacketDetailSchema,
      );
      assert.equal(detail.claimed, true);
      assert.equal(detail.amount, 250n);
      assert.equal(detail.state, 'empty');
      const wallet = await bob.request(
        Command.WALLET,
        WalletRequestSchema,
        { limit: 10 },
        WalletResponseSchema,
      );
      assert.equal(wallet.balance, 250n);
      assert.equal(wallet.entries[0]?.kind, 'red_packet_claim');
      await Promise.all([alice.close(), bob.close()]);
      imp.destroy();
    });
  });
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
