import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createServer, type Server } from 'node:tls';
import {
  assertChatsOverTls,
  createTlsFixture,
  startTestServer,
  type InProcessServer,
  type TlsFixture,
} from '@parley/testkit';
import { ParleyClient, tlsTransport } from './node/index.js';

/**
 * tlsTransport against real TLS: a self-signed certificate made with openssl for this run
 * (testkit's createTlsFixture), and a TLS terminator in front of the server's TCP port (the
 * server's own TLS listener is tested in packages/server/src/e2e/tls.test.ts; the transport's side
 * of the handshake is what is tested here).
 */
describe('tlsTransport', () => {
  let server: InProcessServer;
  let terminator: Server;
  let tlsPort = 0;
  let tls: TlsFixture;

  before(async () => {
    server = await startTestServer();
    tls = createTlsFixture();
    terminator = createServer({ key: readFileSync(tls.key), cert: tls.ca }, (secure) => {
      const plain = connect({ port: server.port, host: '127.0.0.1' });
      secure.pipe(plain).pipe(secure);
      secure.on('error', () => plain.destroy());
      plain.on('error', () => secure.destroy());
    });
    await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
    const address = terminator.address();
    tlsPort = typeof address === 'object' && address !== null ? address.port : 0;
  });

  after(async () => {
    terminator.close();
    await server.stop();
    tls.remove();
  });

  it('logs in and chats over TLS with a trusted certificate', async () => {
    await assertChatsOverTls({ plainPort: server.port, tlsPort, ca: tls.ca, prefix: 'tls-transport' });
  });

  it('refuses a server whose certificate it does not trust', async () => {
    const client = new ParleyClient({
      transport: tlsTransport({ host: '127.0.0.1', port: tlsPort }),
      requestTimeoutMs: 3000,
    });
    try {
      await assert.rejects(client.register('untrusting', 'untrusting-password'));
    } finally {
      client.close();
    }
  });
});
