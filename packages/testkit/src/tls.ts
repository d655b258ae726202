import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParleyClient, direct, tlsTransport, type Message } from '@parley/sdk/node';
import { NativeTestClient } from './native-client.js';

export interface CertificateFiles {
  /** Path of the PEM certificate. */
  readonly cert: string;
  /** Path of the PEM private key (unencrypted). */
  readonly key: string;
}

/**
 * Writes a self-signed certificate for `localhost` and `127.0.0.1`, valid for a day, as
 * `<name>-cert.pem` and `<name>-key.pem` in `dir`. It is the openssl command docs/security.md
 * gives operators, so the tests go through what an operator would do.
 */
export function makeSelfSignedCertificate(dir: string, name = 'server'): CertificateFiles {
  const cert = join(dir, `${name}-cert.pem`);
  const key = join(dir, `${name}-key.pem`);
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
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

export interface TlsFixture extends CertificateFiles {
  /** The run's own temporary directory; tests may write more files there. */
  readonly dir: string;
  /** The certificate's bytes: what a client passes as `ca` to trust it. */
  readonly ca: Buffer;
  /** Deletes the directory and everything in it. */
  remove(): void;
}

/** A fresh temporary directory holding a self-signed `server` certificate and key. */
export function createTlsFixture(): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
  const files = makeSelfSignedCertificate(dir);
  return {
    ...files,
    dir,
    ca: readFileSync(files.cert),
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TlsChatOptions {
  /** The server's plain TCP port, where the native-protocol peer connects. */
  readonly plainPort: number;
  /** Where the SDK client dials TLS (the server's TLS listener or a terminator in front of it). */
  readonly tlsPort: number;
  /** The certificate the SDK client trusts; it is checked against the name `localhost`. */
  readonly ca: Buffer;
  /** Prefix of the two usernames, so a server may run this more than once. */
  readonly prefix: string;
}

/**
 * An SDK client over TLS and a plain-TCP native client register, log in and send each other a
 * message; asserts that both arrive.
 */
export async function assertChatsOverTls(options: TlsChatOptions): Promise<void> {
  const plainName = `${options.prefix}-plain`;
  const secureName = `${options.prefix}-secure`;
  const toPlain = `to ${plainName}, sealed 🔒`;
  const toSecure = `to ${secureName}, in the clear`;
  const plain = await NativeTestClient.connect(options.plainPort);
  const client = new ParleyClient({
    transport: tlsTransport({
      host: '127.0.0.1',
      port: options.tlsPort,
      tls: { ca: options.ca, servername: 'localhost' },
    }),
  });
  const received: Message[] = [];
  client.on('message', (m) => received.push(m));
  try {
    const plainId = await plain.register(plainName, `${plainName}-password`);
    await plain.login(plainName, `${plainName}-password`, `${plainName}-pc`);
    const secureId = await client.register(secureName, `${secureName}-password`);
    await client.login({ username: secureName, password: `${secureName}-password` });
    await client.messages.sendText(direct(plainId), toPlain);
    await plain.waitFor(() => plain.pushedMessages().some((m) => m.messageContent?.text === toPlain));
    await plain.sendText(secureId, toSecure, `${plainName}-1`);
    const deadline = Date.now() + 5000;
    while (!received.some((m) => m.messageContent?.text === toSecure) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(
      received.some((m) => m.messageContent?.text === toSecure),
      'the TLS client got the plain one',
    );
  } finally {
    client.close();
    plain.destroy();
  }
}
