import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';

const shots = fileURLToPath(new URL('../../../test-output/web/', import.meta.url));
const XSS = `<img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script>`;

/** A small gradient PNG (no image library needed). */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw.set([(x * 255) / width, (y * 255) / height, 160], o);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The web client (packages/web/dist, built by `npm run build -w @parley/web`) served by a real
 * server at `/`, driven in Debian's Chromium: two browser users, a third registered over HTTP, and
 * a native TCP user, all chatting with each other.
 */
describe('the web client in Chromium', () => {
  let server: InProcessServer;
  let browser: Browser;
  let base = '';
  const contexts: BrowserContext[] = [];
  let step = 0;

  const shot = async (page: Page, name: string): Promise<void> => {
    step += 1;
    await page.screenshot({ path: `${shots}${String(step).padStart(2, '0')}-${name}.png` });
  };

  const openPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(base);
    return page;
  };

  const registerInUi = async (page: Page, username: string): Promise<string> => {
    await page.getByTestId('show-register').click();
    await page.locator('input[name=username]').fill(username);
    await page.locator('input[name=password]').fill(`${username}-password`);
    await page.getByTestId('auth-submit').click();
    await page.locator('[data-testid=connection-state][data-state=online]').waitFor();
    const id = (await page.locator('.me .muted').textContent()) ?? '';
    return id.replace('#', '');
  };

  const openChatWith = async (page: Page, who: string): Promise<void> => {
    await page.getByTestId('new-chat').click();
    await page.locator('input[name=peer]').fill(who);
    await page.getByTestId('open-chat').click();
    await page.getByTestId('chat').waitFor();
  };

  const send = async (page: Page, text: string): Promise<void> => {
    await page.getByTestId('composer').fill(text);
    await page.getByTestId('send').click();
  };

  const message = (page: Page, text: string) =>
    page.getByTestId('message').filter({ has: page.locator('.text', { hasText: text }) });

  before(async () => {
    mkdirSync(shots, { recursive: true });
    server = await startTestServer();
    base = `http://127.0.0.1:${server.httpPort}/`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser.close();
    await server.stop();
  });

  it('serves the app at / with an SPA fallback, next to the API and health routes', async () => {
    const root = await fetch(base);
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type') ?? '', /text\/html/);
    assert.match(root.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await root.text(), /<div id="root">/);
    const deep = await fetch(`${base}chats/some/where`, { headers: { accept: 'text/html' } });
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /<div id="root">/);
    assert.equal((await fetch(`${base}chats/some/where`)).status, 404, 'not a page navigation');
    assert.equal((await fetch(`${base}healthz`)).status, 200);
    const api404 = await fetch(`${base}api/v1/no-such-route`, { headers: { accept: 'text/html' } });
    assert.equal(api404.status, 404);
    assert.match(api404.headers.get('content-type') ?? '', /json/);
    assert.equal((await fetch(`${base}assets/missing.js`)).status, 404);
  });

  it('chats between two browsers, a third HTTP user and a native TCP user', async () => {
    const alice = await openPage();
    await shot(alice, 'login-page');
    const aliceId = await registerInUi(alice, 'alice');
    const bob = await openPage();
    const bobId = await registerInUi(bob, 'bob');
    assert.notEqual(aliceId, bobId);
    await shot(bob, 'bob-registered');

    // A third user through the HTTP API.
    const carolRes = await fetch(`${base}api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'carol-password' }),
    });
    assert.equal(carolRes.status, 201);
    const carol = (await carolRes.json()) as { userId: string; token: string };

    // Alice writes to bob; bob sees an unread badge, opens the chat, and alice sees the read tick.
    await openChatWith(alice, 'bob');
    await send(alice, 'hello bob');
    await message(alice, 'hello bob').waitFor();
    await shot(alice, 'alice-sent');
    const bobConv = bob.locator('[data-testid=conversation][data-name=alice]');
    await bobConv.getByTestId('unread').waitFor();
    assert.equal(await bobConv.getByTestId('unread').textContent(), '1');
    await shot(bob, 'bob-unread-badge');
    await bobConv.click();
    await message(bob, 'hello bob').waitFor();
    await message(alice, 'hello bob').locator('[data-testid=tick][data-read=true]').waitFor();
    await shot(alice, 'alice-read-tick');
    await bobConv.getByTestId('unread').waitFor({ state: 'detached' });

    // And back.
    await send(bob, 'hi alice');
    await message(alice, 'hi alice').waitFor();
    await shot(alice, 'alice-got-reply');

    // An image: uploaded over HTTP, sent as IMAGE, its thumbnail fetched with the token on bob's side.
    await alice.getByTestId('image-input').setInputFiles({
      name: 'gradient.png',
      mimeType: 'image/png',
      buffer: png(96, 64),
    });
    const thumb = bob.getByTestId('thumbnail').last();
    await thumb.waitFor();
    await bob.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid=thumbnail]');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    assert.match((await thumb.getAttribute('src')) ?? '', /^blob:/);
    await shot(bob, 'bob-sees-image');

    // An HTML/JS payload is text, and runs nothing.
    await send(alice, XSS);
    await message(bob, XSS).waitFor();
    assert.equal(await message(bob, XSS).locator('.text').textContent(), XSS);
    for (const page of [alice, bob]) {
      assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined);
      assert.equal(await page.locator('.messages img:not([data-testid=thumbnail])').count(), 0);
      assert.equal(await page.locator('.messages script').count(), 0);
    }
    await shot(bob, 'bob-sees-payload-as-text');

    // Recall.
    await send(alice, 'oops, take that back');
    await message(bob, 'oops, take that back').waitFor();
    await message(alice, 'oops, take that back').getByTestId('recall').click();
    await bob.locator('[data-testid=message][data-recalled=true]').first().waitFor();
    assert.equal(await message(bob, 'oops, take that back').count(), 0);
    await shot(bob, 'bob-sees-recall');

    // A group with bob (by username) and carol (by id).
    await alice.getByTestId('new-group').click();
    await alice.locator('input[name=group-name]').fill('Trio');
    await alice.locator('input[name=member]').fill('bob');
    await alice.getByTestId('add-member').click();
    await alice.getByTestId('members').getByText('bob').waitFor();
    await alice.locator('input[name=member]').fill(carol.userId);
    await alice.getByTestId('add-member').click();
    await alice.getByTestId('members').getByText(carol.userId).waitFor();
    await shot(alice, 'alice-creates-group');
    await alice.getByTestId('create-group').click();
    await alice.locator('[data-testid=chat-title]', { hasText: 'Trio' }).waitFor();
    await send(alice, 'hello trio');
    await message(alice, 'hello trio').waitFor();
    await bob.locator('[data-testid=conversation][data-name=Trio]').click();
    await message(bob, 'hello trio').waitFor();
    await send(bob, 'bob in the group');
    await message(alice, 'bob in the group').waitFor();
    await shot(alice, 'group-chat');
    const convs = (await (
      await fetch(`${base}api/v1/conversations`, { headers: { authorization: `Bearer ${carol.token}` } })
    ).json()) as { conversations: { conversation: { type: string; target: string }; name: string }[] };
    const trio = convs.conversations.find((c) => c.name === 'Trio');
    assert.ok(trio, 'carol is in the group');
    const history = (await (
      await fetch(`${base}api/v1/conversations/group/${trio.conversation.target}/messages`, {
        headers: { authorization: `Bearer ${carol.token}` },
      })
    ).json()) as { messages: { content?: { text?: string } }[] };
    const texts = history.messages.map((m) => m.content?.text);
    assert.ok(texts.includes('hello trio') && texts.includes('bob in the group'), texts.join('|'));

    // A native TCP user and the web user.
    const dave = await NativeTestClient.connect(server.port);
    const daveId = await dave.register('dave', 'dave-password');
    await dave.login('dave', 'dave-password', 'dave-pc');
    await openChatWith(alice, String(daveId));
    await send(alice, 'hi dave, from the browser');
    await dave.waitFor(() =>
      dave.pushedMessages().some((m) => m.messageContent?.text === 'hi dave, from the browser'),
    );
    await dave.sendText(BigInt(aliceId), 'hi alice, from TCP', 'dave-1');
    await message(alice, 'hi alice, from TCP').waitFor();
    await shot(alice, 'native-user-chat');
    dave.destroy();

    assert.equal(await alice.locator('.error-bar').count(), 0, 'no error shown');
    assert.equal(await bob.locator('.error-bar').count(), 0, 'no error shown');

    // Connection state and sign-out.
    await alice.getByTestId('logout').click();
    await alice.getByTestId('auth-form').waitFor();
    await shot(alice, 'signed-out');
  });
});
