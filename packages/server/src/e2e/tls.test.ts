import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import { create, toBinary } from '@bufbuild/protobuf';
import { Command, FrameDecoder, LoginRequestSchema, Platform, Status, encodeFrame } from '@parley/protocol';
import {
  NativeTestClient,
  assertChatsOverTls,
  createTlsFixture,
  makeSelfSignedCertificate,
  startTestServer,
  type InProcessServer,
  type TlsFixture,
} from '@parley/testkit';
import { ConfigError } from '../config.js';
import { loadTlsCredentials } from '../gateway/tls-credentials.js';

/**
 * TLS (issue 10): the TLS listener serves every TCP dialect inside TLS with the same detection,
 * the HTTPS port serves the HTTP API and WSS, and a TLS client chats with a plain-TCP one. The
 * certificate is self-signed for this run, made with the openssl command docs/security.md gives
 * (testkit's createTlsFixture).
 */

async function tlsSocket(port: number, ca: Buffer): Promise<TLSSocket> {
  const socket = connectTls({ host: '127.0.0.1', port, ca, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

function loginFrame(username: string, password: string): Uint8Array {
  return encodeFrame({
    seq: 1,
    command: Command.LOGIN,
    flag: 0,
    status: 0,
    body: toBinary(
      LoginRequestSchema,
      create(LoginRequestSchema, { username, password, platform: Platform.PAD }),
    ),
  });
}

describe('TLS and HTTPS listeners', () => {
  let server: InProcessServer;
  let tls: TlsFixture;
  let tlsPort = 0;
  let httpsPort = 0;

  before(async () => {
    tls = createTlsFixture();
    server = await startTestServer({
      PARLEY_TLS_CERT: tls.cert,
      PARLEY_TLS_KEY: tls.key,
      PARLEY_TLS_PORT: '0',
      PARLEY_HTTPS_PORT: '0',
    });
    tlsPort = server.app.tlsPort ?? 0;
    httpsPort = server.app.httpsPort ?? 0;
    assert.ok(tlsPort > 0 && httpsPort > 0, 'both TLS listeners are up');
  });

  after(async () => {
    await server.stop();
    tls.remove();
  });

  it('an SDK client logs in over TLS and chats with a plain-TCP client', async () => {
    await assertChatsOverTls({ plainPort: server.port, tlsPort, ca: tls.ca, prefix: 'tls-listener' });
  });

  it('detects the dialect inside TLS: IMP over TLS', async () => {
    const setup = await NativeTestClient.connect(server.port);
    await setup.register('tls-imp', 'tls-imp-password');
    setup.destroy();
    const socket = await tlsSocket(tlsPort, tls.ca);
    let text = '';
    socket.on('data', (b: Buffer) => (text += b.toString('utf8')));
    socket.write('REG @tls-imp tls-imp-password\r\nJOIN #vault\r\n');
    const deadline = Date.now() + 5000;
    while (!/OK\r\nOK\r\n/.test(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.match(text, /^OK\r\nOK\r\n/);
    socket.destroy();
  });

  it('serves the HTTP API over HTTPS and the native protocol over WSS', async () => {
    const health = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      get(
        { host: '127.0.0.1', port: httpsPort, path: '/healthz', ca: tls.ca, servername: 'localhost' },
        (res) => {
          let body = '';
          res.on('data', (b: Buffer) => (body += b.toString('utf8')));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      ).on('error', reject);
    });
    assert.equal(health.status, 200);

    const setup = await NativeTestClient.connect(server.port);
    await setup.register('wss-wes', 'wss-wes-password');
    setup.destroy();
    const ws = new WebSocket(`wss://localhost:${httpsPort}/ws`, { ca: tls.ca });
    const decoder = new FrameDecoder();
    const frames: { status: number; command: number }[] = [];
    ws.on('message', (data: Buffer) => {
      decoder.push(data);
      for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) frames.push(r.frame);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(loginFrame('wss-wes', 'wss-wes-password'));
    const deadline = Date.now() + 5000;
    while (frames.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(frames[0], { ...frames[0], command: Command.LOGIN, status: Status.OK });
    ws.terminate();
  });

  it('drops a client that does not speak TLS on the TLS port, or does not trust the certificate', async () => {
    const plain = connectTcp({ host: '127.0.0.1', port: tlsPort });
    plain.on('error', () => undefined);
    plain.write(loginFrame('nobody', 'nobody-password'));
    await new Promise<void>((resolve) => {
      plain.once('close', () => {
        resolve();
      });
    });
    await assert.rejects(
      new Promise<void>((resolve, reject) => {
        const s = connectTls({ host: '127.0.0.1', port: tlsPort, servername: 'localhost' });
        s.once('secureConnect', () => {
          s.destroy();
          resolve();
        });
        s.once('error', reject);
      }),
      /self-signed|certificate/,
    );
    // The server is unharmed.
    const c = await NativeTestClient.connect(server.port);
    assert.equal((await c.requestFrame(Command.PING, new Uint8Array(0))).status, Status.OK);
    c.destroy();
  });

  it('refuses half a configuration or a key that does not match, naming the keys', () => {
    const other = makeSelfSignedCertificate(tls.dir, 'other');
    const mine = { cert: tls.cert, key: tls.key };
    assert.equal(loadTlsCredentials({ tlsCert: undefined, tlsKey: undefined }), undefined);
    assert.throws(() => loadTlsCredentials({ tlsCert: mine.cert, tlsKey: undefined }), ConfigError);
    assert.throws(
      () => loadTlsCredentials({ tlsCert: mine.cert, tlsKey: join(tls.dir, 'missing.pem') }),
      (err: unknown) => err instanceof ConfigError && /cannot read PARLEY_TLS_KEY/.test(err.message),
    );
    assert.throws(
      () => loadTlsCredentials({ tlsCert: mine.cert, tlsKey: other.key }),
      (err: unknown) => err instanceof ConfigError && /not a usable certificate and key/.test(err.message),
    );
    const garbage = join(tls.dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    assert.throws(() => loadTlsCredentials({ tlsCert: garbage, tlsKey: mine.key }), ConfigError);
  });
});
