import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { NativeTestClient } from '@parley/testkit';
import {
  assertNoErrorBar,
  conversation,
  message,
  openChatWith,
  registerInUi,
  screenshots,
  send,
  startWebE2e,
  type WebE2e,
} from './e2e-kit.js';

/**
 * The live parts of the web client in Chromium, between two browser users (and a native TCP
 * user for presence): typing, presence, the emoji picker, @mentions, edits, search and desktop
 * notifications. One server and one browser for the whole file; the steps build on each other.
 */
describe('the web client, live: typing, presence, emoji, mentions, edit, search, notifications', () => {
  let web: WebE2e;
  let alice: Page;
  let bob: Page;
  let aliceId = '';
  const shot = screenshots('realtime');

  before(async () => {
    web = await startWebE2e();
    alice = await web.users.open();
    aliceId = await registerInUi(alice, 'alice');
    bob = await web.users.open();
    await registerInUi(bob, 'bob');
    // A first message, so both have the conversation (and may see each other's presence).
    await openChatWith(alice, 'bob');
    await send(alice, 'hello bob');
    await conversation(bob, 'alice').click();
    await message(bob, 'hello bob').waitFor();
  });

  after(() => web.stop());

  it('shows the peer typing in the chat header and the conversation list', async () => {
    await alice.getByTestId('composer').pressSequentially('still typ', { delay: 20 });
    const indicator = bob.getByTestId('typing-indicator');
    await indicator.waitFor();
    assert.equal(await indicator.textContent(), 'alice is typing…');
    assert.equal(await conversation(bob, 'alice').getByTestId('typing').textContent(), 'alice is typing…');
    await shot(bob, 'bob-sees-alice-typing');
    // The message ends it.
    await alice.getByTestId('send').click();
    await message(bob, 'still typ').waitFor();
    await indicator.waitFor({ state: 'detached' });
    assert.equal(await conversation(bob, 'alice').getByTestId('typing').count(), 0);
  });

  it('shows presence: online in the list and header, then offline when the peer leaves', async () => {
    await conversation(bob, 'alice').locator('[data-testid=presence][data-online=true]').waitFor();
    await bob.locator('[data-testid=peer-presence][data-online=true]').waitFor();
    assert.equal(await bob.getByTestId('peer-presence').textContent(), 'online');

    const carol = await NativeTestClient.connect(web.server.port);
    await carol.register('carol', 'carol-password');
    await carol.login('carol', 'carol-password', 'carol-pc');
    await carol.sendText(BigInt(aliceId), 'hi alice, carol here', 'carol-1');
    const carolRow = conversation(alice, 'carol');
    await carolRow.locator('[data-testid=presence][data-online=true]').waitFor();
    await shot(alice, 'carol-online');
    carol.destroy();
    await carolRow.locator('[data-testid=presence][data-online=false]').waitFor();
    await carolRow.click();
    await alice.locator('[data-testid=peer-presence][data-online=false]').waitFor();
    assert.match((await alice.getByTestId('peer-presence').textContent()) ?? '', /^last seen /);
    await shot(alice, 'carol-offline');
    await conversation(alice, 'bob').click();
  });

  it('inserts an emoji from the picker, and the peer sees it', async () => {
    await alice.getByTestId('composer').fill('great ');
    await alice.getByTestId('emoji-button').click();
    const picker = alice.getByTestId('emoji-picker');
    await picker.waitFor();
    await shot(alice, 'emoji-picker');
    await picker.getByRole('tab', { name: /Things/ }).click();
    await picker.locator('[data-emoji="🎉"]').click();
    await picker.waitFor({ state: 'detached' });
    assert.equal(await alice.getByTestId('composer').inputValue(), 'great 🎉');
    await alice.getByTestId('send').click();
    const got = message(bob, 'great 🎉');
    await got.waitFor();
    assert.equal(await got.locator('.text').textContent(), 'great 🎉');
  });

  it('edits a message: the peer sees the new text, marked edited', async () => {
    await send(alice, 'meet at five');
    await message(bob, 'meet at five').waitFor();
    await message(alice, 'meet at five').getByTestId('edit').click();
    await alice.getByTestId('editing').waitFor();
    assert.equal(await alice.getByTestId('composer').inputValue(), 'meet at five');
    await alice.getByTestId('composer').fill('meet at six');
    await alice.getByTestId('send').click();
    const edited = message(bob, 'meet at six');
    await edited.waitFor();
    assert.equal(await edited.getAttribute('data-edited'), 'true');
    await edited.getByTestId('edited').waitFor();
    assert.equal(await message(bob, 'meet at five').count(), 0);
    await message(alice, 'meet at six').getByTestId('edited').waitFor();
    // An edit is a mark on the message, not a line of its own.
    assert.equal(await bob.getByTestId('system-message').filter({ hasText: 'edited' }).count(), 0);
    await shot(bob, 'bob-sees-edit');
  });

  it('finds a message with search and opens it in its conversation', async () => {
    await conversation(bob, 'carol').waitFor({ state: 'detached' }); // bob never talked to carol
    await bob.getByTestId('open-search').click();
    await bob.locator('input[name=search]').fill('six');
    await bob.getByTestId('run-search').click();
    const result = bob.getByTestId('search-result');
    await result.first().waitFor();
    assert.equal(await result.count(), 1);
    assert.match((await result.textContent()) ?? '', /meet at six/);
    await shot(bob, 'search-results');
    await result.click();
    await bob.getByTestId('search-dialog').waitFor({ state: 'detached' });
    await bob.locator('.msg.focused', { hasText: 'meet at six' }).waitFor();
  });

  it('marks a group conversation where I am @mentioned', async () => {
    await alice.getByTestId('new-group').click();
    await alice.locator('input[name=group-name]').fill('Planning');
    await alice.locator('input[name=member]').fill('bob');
    await alice.getByTestId('add-member').click();
    await alice.getByTestId('members').getByText('bob').waitFor();
    await alice.getByTestId('create-group').click();
    await alice.locator('[data-testid=chat-title]', { hasText: 'Planning' }).waitFor();
    await send(alice, 'no mention here');
    const row = conversation(bob, 'Planning');
    await row.locator('.conv-last', { hasText: 'no mention here' }).waitFor();
    assert.equal(await row.getByTestId('mention').count(), 0);
    const unread = Number(await row.getByTestId('unread').textContent());
    assert.ok(unread > 0);
    await send(alice, '@bob can you bring the slides?');
    await row.locator('.conv-last', { hasText: 'can you bring the slides?' }).waitFor();
    await row.getByTestId('mention').waitFor();
    assert.equal(await row.getByTestId('unread').textContent(), String(unread + 1));
    await shot(bob, 'bob-mentioned');
    await row.click();
    await message(bob, 'can you bring the slides?').waitFor();
    await row.getByTestId('mention').waitFor({ state: 'detached' });
  });

  it('loads older history when scrolled to the top', async () => {
    const res = await fetch(`${web.base}api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'frank', password: 'frank-password' }),
    });
    const frank = (await res.json()) as { token: string };
    for (let i = 1; i <= 45; i++) {
      const sent = await fetch(`${web.base}api/v1/conversations/single/${aliceId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${frank.token}` },
        body: JSON.stringify({
          clientMsgId: `history-${i}`,
          content: { contentType: 1, text: `history ${i}` },
        }),
      });
      assert.equal(sent.status, 200);
    }
    // Delivered live, these are all in the page's memory: a reload starts from the stored cursors
    // with an empty view, as a returning user would.
    await conversation(alice, 'frank').locator('.conv-last', { hasText: 'history 45' }).waitFor();
    await alice.reload();
    await alice.locator('[data-testid=connection-state][data-state=online]').waitFor();
    await conversation(alice, 'frank').click();
    await message(alice, 'history 45').waitFor();
    const historyTexts = alice.locator('[data-testid=message] .text').filter({ hasText: /^history \d+$/ });
    // One page first; the oldest come only on scrolling up.
    assert.equal(await historyTexts.count(), 30);
    await alice.getByTestId('load-older').waitFor();
    await alice.getByTestId('messages').evaluate((el) => {
      el.scrollTop = 0;
    });
    await alice.locator('[data-testid=message] .text').getByText('history 1', { exact: true }).waitFor();
    await alice.getByTestId('load-older').waitFor({ state: 'detached' });
    assert.equal(await historyTexts.count(), 45);
    await conversation(alice, 'Planning').click();
  });

  it('shows a desktop notification only while the page is hidden, after permission', async () => {
    await bob.context().grantPermissions(['notifications'], { origin: web.base });
    // Bob's page records the notifications it creates (the real Notification still runs).
    await bob.evaluate(`(() => {
      const Real = window.Notification;
      window.__shown = [];
      window.Notification = class extends Real {
        constructor(title, options) { super(title, options); window.__shown.push({ title, body: options?.body ?? '' }); }
      };
      Object.defineProperty(window.Notification, 'permission', { get: () => Real.permission });
    })()`);
    const shown = async (): Promise<{ title: string; body: string }[]> =>
      bob.evaluate<{ title: string; body: string }[]>('window.__shown');

    // Visible: no notification.
    await send(alice, 'you can see this one');
    await message(bob, 'you can see this one').waitFor();
    assert.deepEqual(await shown(), []);

    // Hidden: headless Chromium keeps every page visible (other tabs, minimizing), so the page
    // is told it is hidden the way a browser tells it (visibilityState + visibilitychange).
    const setHidden = (hidden: boolean): Promise<unknown> =>
      bob.evaluate(`(() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '${hidden ? 'hidden' : 'visible'}' });
        document.dispatchEvent(new Event('visibilitychange'));
      })()`);
    await setHidden(true);
    await send(alice, 'ping while away');
    // A function, not a string: when Playwright has to poll, it evals a string predicate in the
    // page, which the app's Content Security Policy (script-src 'self') refuses.
    await bob.waitForFunction(() => (window as unknown as { __shown: unknown[] }).__shown.length > 0);
    assert.deepEqual(await shown(), [{ title: 'alice in Planning', body: 'ping while away' }]);
    // Own messages never notify.
    await setHidden(false);
    await send(bob, 'back again');
    await message(alice, 'back again').waitFor();
    assert.equal((await shown()).length, 1);
    await assertNoErrorBar(alice);
    await assertNoErrorBar(bob);
  });
});
