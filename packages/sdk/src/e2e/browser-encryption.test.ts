import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import { EndToEnd, ParleyClient, generateE2eKeyPair, type E2eMessageEvent } from '../index.js';
import { tcpTransport } from '../node/index.js';

const entry = fileURLToPath(new URL('../index.ts', import.meta.url));

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The encryption flags and end-to-end encryption with the browser's own WebCrypto (Chromium):
 * the page logs in with RSA, talks AES over WebSocket, publishes its P-256 key and exchanges
 * end-to-end messages with a Node client. The page's origin forwards /api/ to the server, as a
 * same-origin deployment would.
 */
describe('encryption in Chromium (WebCrypto)', () => {
  let server: InProcessServer;
  let page: Server;
  let origin = '';
  let browser: Browser;

  before(async () => {
    server = await startTestServer();
    const bundle = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      conditions: ['parley-source'],
      logLevel: 'silent',
    });
    const sdk = bundle.outputFiles[0]?.text ?? '';
    page = createServer((req, res) => {
      void (async () => {
        if (req.url === '/sdk.js') {
          res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
          return;
        }
        if (req.url?.startsWith('/api/') === true) {
          const body = req.method === 'GET' ? undefined : await bodyOf(req);
          const headers: Record<string, string> = {};
          for (const name of ['authorization', 'content-type']) {
            const value = req.headers[name];
            if (typeof value === 'string') headers[name] = value;
          }
          const upstream = await fetch(`http://127.0.0.1:${String(server.httpPort)}${req.url}`, {
            method: req.method ?? 'GET',
            headers,
            ...(body === undefined ? {} : { body: Uint8Array.from(body) }),
          });
          res
            .writeHead(upstream.status, {
              'content-type': upstream.headers.get('content-type') ?? 'text/plain',
            })
            .end(Buffer.from(await upstream.arrayBuffer()));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sdk</title>');
      })();
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const address = page.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser.close();
    page.close();
    await server.stop();
  });

  it('logs in with RSA, talks AES over WebSocket, and exchanges end-to-end messages with a Node client', async () => {
    const bob = new ParleyClient({ transport: tcpTransport({ port: server.port }) });
    const bobId = await bob.register('nodebob', 'secret123');
    await bob.login({ username: 'nodebob', password: 'secret123' });
    const bobE2e = new EndToEnd(bob, {
      httpUrl: `http://127.0.0.1:${String(server.httpPort)}`,
      keys: await generateE2eKeyPair(),
    });
    await bobE2e.publish();
    const bobSees: E2eMessageEvent[] = [];
    bobE2e.on('message', (e) => bobSees.push(e));

    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(origin);
    const wsUrl = `ws://127.0.0.1:${String(server.httpPort)}/ws`;
    const started = tab.evaluate(
      async ({ wsUrl, bobId, origin }) => {
        const sdkUrl = '/sdk.js';
        const sdk = (await import(sdkUrl)) as typeof import('../index.js');
        const client = new sdk.ParleyClient({
          transport: sdk.webSocketTransport({ url: wsUrl }),
          encryption: { httpUrl: origin },
        });
        await client.register('pagealice', 'secret123');
        const login = await client.login({ username: 'pagealice', password: 'secret123' });
        const e2e = new sdk.EndToEnd(client, { httpUrl: origin, keys: await sdk.generateE2eKeyPair() });
        await e2e.publish();
        const texts: string[] = [];
        e2e.on('message', ({ message, encrypted, error }) => {
          if (encrypted && error === undefined) texts.push(message.messageContent?.text ?? '');
        });
        await e2e.sendText(BigInt(bobId), 'sealed in Chromium');
        const deadline = Date.now() + 10_000;
        while (!texts.includes('answered from Node') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        client.close();
        return { userId: String(login.userId), texts };
      },
      { wsUrl, bobId: String(bobId), origin },
    );
    await until(() => bobSees.some((e) => e.encrypted), 'bob gets the page message');
    const fromPage = bobSees.find((e) => e.encrypted);
    assert.ok(fromPage !== undefined);
    assert.equal(fromPage.error, undefined);
    assert.equal(fromPage.message.messageContent?.text, 'sealed in Chromium');
    await bobE2e.sendText(fromPage.message.senderId, 'answered from Node');
    const result = await started;
    assert.deepEqual(result.texts, ['sealed in Chromium', 'answered from Node']);
    assert.equal(result.userId, String(fromPage.message.senderId));
    bobE2e.close();
    bob.close();
    await context.close();
  });
});
