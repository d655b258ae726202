import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));

/** What the page reports back to the test. */
interface PageResult {
  readonly userId: string;
  readonly texts: string[];
}

/**
 * The SDK in a real browser (Debian's Chromium through playwright-core): the browser bundle talks
 * to the server over WebSocket, keeps its session, cursors and outbox in IndexedDB, and after a
 * reload resumes from IndexedDB alone and receives what was sent while the page was gone.
 */
describe('the SDK in Chromium with IndexedDB storage', () => {
  let server: InProcessServer;
  let page: Server;
  let pageUrl = '';
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
      if (req.url === '/sdk.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sdk</title>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const address = page.address();
    pageUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
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

  it('chats over WebSocket, survives a reload from IndexedDB, and catches up on what it missed', async () => {
    const peer = await NativeTestClient.connect(server.port);
    const peerId = await peer.register('browserpeer', 'browserpeer-password');
    await peer.login('browserpeer', 'browserpeer-password', 'peer-pc');
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(pageUrl);
    const wsUrl = `ws://127.0.0.1:${server.httpPort}/ws`;

    // First visit: register, log in, send; the session and cursors land in IndexedDB.
    const userId = await tab.evaluate(
      async ({ wsUrl, peerId }) => {
        const sdkUrl = '/sdk.js';
        const sdk = (await import(sdkUrl)) as typeof import('./index.js');
        const storage = new sdk.IndexedDbStorage('parley-browser-test');
        const client = new sdk.ParleyClient({ transport: sdk.webSocketTransport({ url: wsUrl }), storage });
        const id = await client.register('browseruser', 'browseruser-password');
        await client.login({ username: 'browseruser', password: 'browseruser-password' });
        await client.messages.sendText(sdk.direct(BigInt(peerId)), 'hello from the browser');
        // Let the fire-and-forget storage writes finish before the page goes away.
        await new Promise((r) => setTimeout(r, 300));
        client.close();
        return String(id);
      },
      { wsUrl, peerId: String(peerId) },
    );
    await peer.waitFor(() =>
      peer.pushedMessages().some((m) => m.messageContent?.text === 'hello from the browser'),
    );

    // While the page is gone, the peer writes.
    await peer.sendText(BigInt(userId), 'sent while you were away', 'away-1');

    // Second visit: a fresh page resumes from IndexedDB alone and gets only what it missed.
    await tab.reload();
    const result: PageResult = await tab.evaluate(
      async ({ wsUrl }) => {
        const sdkUrl = '/sdk.js';
        const sdk = (await import(sdkUrl)) as typeof import('./index.js');
        const storage = new sdk.IndexedDbStorage('parley-browser-test');
        const client = new sdk.ParleyClient({ transport: sdk.webSocketTransport({ url: wsUrl }), storage });
        const texts: string[] = [];
        client.on('message', (m) => texts.push(m.messageContent?.text ?? ''));
        const login = await client.resume();
        const deadline = Date.now() + 5000;
        while (!texts.includes('sent while you were away') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        client.close();
        return { userId: String(login.userId), texts };
      },
      { wsUrl },
    );
    assert.equal(result.userId, userId, 'the same account, from the stored token');
    assert.deepEqual(result.texts, ['sent while you were away'], 'the cursor survived: nothing twice');
    await context.close();
    peer.destroy();
  });
});
