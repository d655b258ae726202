/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContentType, Status } from '@parley/protocol';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';
import { HttpTestClient, type Json } from './http-test-client.js';

describe('HTTP API with native clients', () => {
  let server: InProcessServer;
  let api: HttpTestClient;

  before(async () => {
    server = await startTestServer({ PARLEY_HTTP_AUTH_RATE_LIMIT: '1000' });
    api = new HttpTestClient(`http://127.0.0.1:${server.httpPort}`);
  });
  after(async () => {
    await server.stop();
  });

  it('an HTTP user and a TCP native user chat with each other', async () => {
    const alice = await api.register('alice');
    const tcp = await NativeTestClient.connect(server.port);
    try {
      const bobId = await tcp.register('bob', 'secret123');
      await tcp.login('bob', 'secret123', 'bob-pc');
      const sent = await api.post(
        `/api/v1/conversations/single/${bobId}/messages`,
        { clientMsgId: 'h-1', content: { contentType: ContentType.TEXT, text: 'hi from http' } },
        alice.token,
      );
      assert.equal(sent.status, 200);
      await tcp.waitFor(() => tcp.pushedMessages().length === 1, 5000, 'push to bob');
      const pushed = tcp.pushedMessages()[0];
      assert.equal(pushed?.messageContent?.text, 'hi from http');
      assert.equal(String(pushed.senderId), alice.userId);

      await tcp.sendText(BigInt(alice.userId), 'hi from tcp', 't-1');
      const history = await api.get(`/api/v1/conversations/single/${bobId}/messages`, alice.token);
      assert.deepEqual(
        history.body.messages.map((m: Json) => [m.seq, m.senderId, m.content.text]),
        [
          [1, alice.userId, 'hi from http'],
          [2, String(bobId), 'hi from tcp'],
        ],
      );
      // HTTP requests never attach a session: the TCP device was not kicked.
      assert.equal(tcp.isClosed, false);
    } finally {
      await tcp.close();
    }
  });

  it('a token from HTTP login works on the native protocol, and HTTP use kicks nobody', async () => {
    const login = await api.post('/api/v1/auth/login', { username: 'alice', password: 'secret123' });
    const token: string = login.body.token;
    const ws = await NativeTestClient.connectWebSocket(server.httpPort);
    try {
      const res = await ws.loginWithToken(token, '', 1);
      assert.equal(String(res.userId), login.body.userId);
      for (let i = 0; i < 3; i++) assert.equal((await api.get('/api/v1/me', token)).status, 200);
      assert.equal(ws.isClosed, false);
      assert.equal(server.app.sessions.isOnline(BigInt(login.body.userId)), true);
    } finally {
      await ws.close();
    }
  });
});

describe('HTTP rate limits', () => {
  let server: InProcessServer;
  let api: HttpTestClient;

  before(async () => {
    server = await startTestServer({ PARLEY_HTTP_RATE_LIMIT: '5', PARLEY_HTTP_AUTH_RATE_LIMIT: '3' });
    api = new HttpTestClient(`http://127.0.0.1:${server.httpPort}`);
  });
  after(async () => {
    await server.stop();
  });

  it('answers 429 with the error shape past the per-token limit', async () => {
    const { token } = await api.register('alice');
    const statuses: number[] = [];
    let last: Json;
    for (let i = 0; i < 7; i++) {
      last = await api.get('/api/v1/me', token);
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    assert.equal(last.body.error.status, Status.RATE_LIMITED);
    assert.equal(last.body.error.name, 'RATE_LIMITED');
    assert.ok(last.headers.get('retry-after') !== null);
    // Another token has its own budget; health checks are not limited.
    const other = await api.register('bob');
    assert.equal((await api.get('/api/v1/me', other.token)).status, 200);
    for (let i = 0; i < 8; i++) assert.equal((await api.get('/healthz', '')).status, 200);
  });

  it('limits register/login per address', async () => {
    // Each of register and login has its own budget per address.
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await api.post('/api/v1/auth/login', { username: 'alice', password: 'secret123' })).status,
        200,
      );
    }
    const limited = await api.post('/api/v1/auth/login', { username: 'alice', password: 'secret123' });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.status, Status.RATE_LIMITED);
  });
});
