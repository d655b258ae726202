import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { WebSocket } from 'ws';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import {
  BadRequestError,
  ConnectionState,
  ParleyClient,
  ParleyError,
  Status,
  direct,
  fetchServerKey,
  serverKeySource,
  webSocketTransport,
  type EncryptionOptions,
  type Message,
  type TransportFactory,
} from './index.js';
import { tcpTransport } from './node/index.js';

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SDK encryption option (RSA LOGIN, then AES frames)', () => {
  let server: InProcessServer;
  let httpUrl: string;
  let pem: string;
  const clients: ParleyClient[] = [];
  let n = 0;

  const client = (encryption: EncryptionOptions, transport?: TransportFactory): ParleyClient => {
    const c = new ParleyClient({
      transport: transport ?? tcpTransport({ port: server.port }),
      encryption,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    clients.push(c);
    return c;
  };
  const newUser = async (encryption: EncryptionOptions): Promise<{ c: ParleyClient; name: string }> => {
    const name = `enc${String(++n)}`;
    const c = client(encryption);
    // REGISTER goes before any LOGIN, in plain, on a short-lived connection.
    await c.register(name, 'secret123');
    return { c, name };
  };

  before(async () => {
    server = await startTestServer();
    httpUrl = `http://127.0.0.1:${String(server.httpPort)}`;
    pem = await fetchServerKey(httpUrl);
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  it('logs in with a given key, works, and after a dropped connection logs in again (a new session key)', async () => {
    const { c: a, name } = await newUser({ serverPublicKey: pem });
    const { c: b, name: bName } = await newUser({ httpUrl });
    await a.login({ username: name, password: 'secret123' });
    const bLogin = await b.login({ username: bName, password: 'secret123' });
    const got: Message[] = [];
    const states: string[] = [];
    b.on('message', (m) => got.push(m));
    b.on('state', ({ state }) => states.push(state));
    await a.messages.sendText(direct(bLogin.userId), 'one');
    await until(() => got.length === 1, 'the first message');
    assert.equal(server.dropConnections(bLogin.userId), 1);
    await until(() => states.at(-1) === ConnectionState.ONLINE, 'b back online');
    assert.ok(states.includes(ConnectionState.RECONNECTING));
    await a.messages.sendText(direct(bLogin.userId), 'two');
    await until(() => got.length === 2, 'both messages');
    assert.deepEqual(
      got.map((m) => m.messageContent?.text),
      ['one', 'two'],
    );
    assert.equal((await a.conversations.list()).conversations.length, 1);
  });

  it('works over WebSocket as over TCP', async () => {
    const name = `enc${String(++n)}`;
    const c = client(
      { httpUrl },
      webSocketTransport({ url: `ws://127.0.0.1:${String(server.httpPort)}/ws`, WebSocket }),
    );
    await c.register(name, 'secret123');
    const res = await c.login({ username: name, password: 'secret123' });
    assert.ok(res.userId > 0n);
    assert.equal((await c.conversations.list()).conversations.length, 0);
  });

  it('refuses a key that is not the pinned one, before connecting', async () => {
    const { c, name } = await newUser({ httpUrl, fingerprint: '00'.repeat(32) });
    await assert.rejects(c.login({ username: name, password: 'secret123' }), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.match(err.message, /is not the pinned/);
      return true;
    });
    assert.equal(c.state, ConnectionState.IDLE);
  });

  it("fails the login with the server's PROTOCOL_ERROR when the key is not the server's", async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const { c, name } = await newUser({ serverPublicKey: other });
    await assert.rejects(c.login({ username: name, password: 'secret123' }), (err: unknown) => {
      assert.ok(err instanceof ParleyError);
      assert.equal(err.status, Status.PROTOCOL_ERROR);
      assert.match(err.message, /does not decrypt with this server key/);
      return true;
    });
  });

  it('says what is wrong with the options and with an unreachable key URL', async () => {
    assert.throws(() => serverKeySource({}), /exactly one of serverPublicKey and httpUrl/);
    assert.throws(() => serverKeySource({ httpUrl, serverPublicKey: pem }), /exactly one/);
    await assert.rejects(serverKeySource({ serverPublicKey: 'junk' })(), /not a PEM PUBLIC KEY/);
    await assert.rejects(serverKeySource({ httpUrl: `${httpUrl}/nowhere` })(), /HTTP 404/);
  });
});
