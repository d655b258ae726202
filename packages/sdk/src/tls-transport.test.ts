import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';
import { ParleyClient, direct, tlsTransport, type Message } from './node/index.js';

/**
 * tlsTransport against real TLS: a self-signed certificate made with openssl for this run, and a
 * TLS terminator in front of the server's TCP port (the server's own TLS listener is a later
 * issue; the transport's side of the handshake is what is tested here).
 */
describe('tlsTransport', () => {
  let server: InProcessServer;
  let terminator: Server;
  let tlsPort = 0;
  let dir = '';
  let ca: Buffer;

  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(dir, 'cert.pem'));
    terminator = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: ca }, (secure) => {
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
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in and chats over TLS with a trusted certificate', async () => {
    const peer = await NativeTestClient.connect(server.port);
    const peerId = await peer.register('tlspeer', 'tlspeer-password');
    await peer.login('tlspeer', 'tlspeer-password', 'peer-pc');
    const client = new ParleyClient({
      transport: tlsTransport({ host: '127.0.0.1', port: tlsPort, tls: { ca, servername: 'localhost' } }),
    });
    const received: Message[] = [];
    client.on('message', (m) => received.push(m));
    try {
      const userId = await client.register('tlsuser', 'tlsuser-password');
      await client.login({ username: 'tlsuser', password: 'tlsuser-password' });
      await client.messages.sendText(direct(peerId), 'over TLS 🔒');
      await peer.waitFor(() => peer.pushedMessages().some((m) => m.messageContent?.text === 'over TLS 🔒'));
      await peer.sendText(userId, 'and back', 'tls-back');
      const deadline = Date.now() + 5000;
      while (!received.some((m) => m.messageContent?.text === 'and back') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(received.some((m) => m.messageContent?.text === 'and back'));
    } finally {
      client.close();
      peer.destroy();
    }
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
