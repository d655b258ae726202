import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  Command,
  ContentType,
  ConversationType,
  Encryption,
  Flow,
  MessageSchema,
  Status,
  makeFlags,
} from '@parley/protocol';
import { NativeTestClient } from '@parley/testkit';
import {
  message,
  openChatWith,
  png,
  registerInUi,
  screenshots,
  send,
  startWebE2e,
  type WebE2e,
} from './e2e-kit.js';

const XSS = `<img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script>`;

/**
 * The web client (packages/web/dist, built by `npm run build -w @parley/web`) served by a real
 * server at `/`, driven in Debian's Chromium: two browser users, a third registered over HTTP, and
 * a native TCP user, all chatting with each other.
 */
describe('the web client in Chromium', () => {
  let web: WebE2e;
  const shot = screenshots('chat');
  const openPage = (): Promise<Page> => web.users.open();

  before(async () => {
    web = await startWebE2e();
  });

  after(() => web.stop());

  it('serves the app at / with an SPA fallback, next to the API and health routes', async () => {
    const root = await fetch(web.base);
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type') ?? '', /text\/html/);
    assert.match(root.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await root.text(), /<div id="root">/);
    const deep = await fetch(`${web.base}chats/some/where`, { headers: { accept: 'text/html' } });
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /<div id="root">/);
    assert.equal((await fetch(`${web.base}chats/some/where`)).status, 404, 'not a page navigation');
    assert.equal((await fetch(`${web.base}healthz`)).status, 200);
    const api404 = await fetch(`${web.base}api/v1/no-such-route`, { headers: { accept: 'text/html' } });
    assert.equal(api404.status, 404);
    assert.match(api404.headers.get('content-type') ?? '', /json/);
    assert.equal((await fetch(`${web.base}assets/missing.js`)).status, 404);
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
    const carolRes = await fetch(`${web.base}api/v1/auth/register`, {
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
    await alice.getByTestId('attach-input').setInputFiles({
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
      await fetch(`${web.base}api/v1/conversations`, { headers: { authorization: `Bearer ${carol.token}` } })
    ).json()) as { conversations: { conversation: { type: string; target: string }; name: string }[] };
    const trio = convs.conversations.find((c) => c.name === 'Trio');
    assert.ok(trio, 'carol is in the group');
    const history = (await (
      await fetch(`${web.base}api/v1/conversations/group/${trio.conversation.target}/messages`, {
        headers: { authorization: `Bearer ${carol.token}` },
      })
    ).json()) as { messages: { content?: { text?: string } }[] };
    const texts = history.messages.map((m) => m.content?.text);
    assert.ok(texts.includes('hello trio') && texts.includes('bob in the group'), texts.join('|'));

    // A native TCP user and the web user.
    const dave = await NativeTestClient.connect(web.server.port);
    const daveId = await dave.register('dave', 'dave-password');
    await dave.login('dave', 'dave-password', 'dave-pc');
    await openChatWith(alice, String(daveId));
    await send(alice, 'hi dave, from the browser');
    await dave.waitFor(() =>
      dave.pushedMessages().some((m) => m.messageContent?.text === 'hi dave, from the browser'),
    );
    await dave.sendText(BigInt(aliceId), 'hi alice, from TCP', 'dave-1');
    await message(alice, 'hi alice, from TCP').waitFor();
    // An end-to-end message (encryption flag 3): the browser has no key and says so.
    const sealed = await dave.requestFrame(
      Command.MS,
      toBinary(
        MessageSchema,
        create(MessageSchema, {
          conversation: { type: ConversationType.SINGLE, target: aliceId },
          clientMsgId: 'dave-sealed',
          messageContent: { contentType: ContentType.ENCRYPTED, ciphertext: Uint8Array.of(1, 2, 3) },
        }),
      ),
      makeFlags(Flow.REQUEST, 0, Encryption.END_TO_END),
    );
    assert.equal(sealed.status, Status.OK);
    await alice.getByTestId('encrypted').waitFor();
    await alice
      .locator('[data-testid=conversation][data-name=dave] .conv-last', { hasText: '[encrypted message]' })
      .waitFor();
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
