import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { Page } from 'playwright-core';
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

/** A bare IMP (text line dialect) user on the TCP port. */
class ImpUser {
  private buffer = '';
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
    });
  }

  static async connect(port: number): Promise<ImpUser> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve).once('error', reject);
    });
    return new ImpUser(socket);
  }

  /** Sends a line and waits until the received text matches `reply`. */
  async command(line: string, reply: RegExp): Promise<void> {
    this.socket.write(`${line}\r\n`);
    await this.waitFor(reply);
  }

  async say(room: string, text: string): Promise<void> {
    this.socket.write(`MSG CHN #${room} ${Buffer.byteLength(text)}\r\n${text}`);
    await this.waitFor(/OK\r?\n$/);
  }

  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pattern.test(this.buffer)) {
      if (Date.now() > end) throw new Error(`IMP: no ${String(pattern)} in ${JSON.stringify(this.buffer)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

async function cssVar(page: Page, name: string): Promise<string> {
  const value = await page.evaluate<string>(
    `getComputedStyle(document.documentElement).getPropertyValue('${name}')`,
  );
  return value.trim();
}

/**
 * Chatrooms (with an IMP user on TCP in the same room), group management, and the layouts: a
 * phone-sized window shows one pane at a time, and the light/dark themes follow the system or
 * the toggle.
 */
describe('the web client: chatrooms, group management, phone layout, dark mode', () => {
  let web: WebE2e;
  let alice: Page;
  let bob: Page;
  const shot = screenshots('rooms');

  before(async () => {
    web = await startWebE2e();
    alice = await web.users.open();
    await registerInUi(alice, 'alice');
    bob = await web.users.open();
    await registerInUi(bob, 'bob');
  });

  after(() => web.stop());

  it('browses and joins a chatroom, and chats there with an IMP user on TCP', async () => {
    await alice.getByTestId('browse-rooms').click();
    await alice.getByTestId('chatroom-dialog').getByText('No rooms yet.').waitFor();
    await alice.locator('input[name=room]').fill('#Lobby');
    await alice.getByTestId('join-named-room').click();
    await alice.locator('[data-testid=chat-title]', { hasText: '#lobby' }).waitFor();
    await send(alice, 'hello lobby');
    await message(alice, 'hello lobby').waitFor();

    const ivan = await ImpUser.connect(web.server.port);
    try {
      await ivan.command('REG @ivan ivan-password', /^OK\r?\n/);
      await ivan.command('JOIN #lobby', /OK\r?\nOK\r?\n$/);

      await bob.getByTestId('browse-rooms').click();
      const room = bob.locator('[data-testid=room][data-room=lobby]');
      await room.waitFor();
      assert.match((await room.textContent()) ?? '', /2 members/);
      await shot(bob, 'room-list');
      assert.equal(await room.getByTestId('join-room').textContent(), 'Join');
      await room.getByTestId('join-room').click();
      await bob.locator('[data-testid=chat-title]', { hasText: '#lobby' }).waitFor();
      await send(bob, 'bob is here');
      await message(alice, 'bob is here').waitFor();
      await ivan.waitFor(/MSG CHN #lobby @bob 11\r\nbob is here/);

      await ivan.say('lobby', 'ivan on a terminal');
      await message(alice, 'ivan on a terminal').waitFor();
      await message(bob, 'ivan on a terminal').waitFor();
      await ivan.waitFor(/MSG CHN #lobby @alice 11\r\nhello lobby|MSG CHN #lobby @bob/);
      await shot(alice, 'room-chat');

      // Browsing again: the joined room opens instead of joining.
      await bob.getByTestId('browse-rooms').click();
      assert.equal(await room.getByTestId('join-room').textContent(), 'Open');
      await bob.getByTestId('close-dialog').click();

      // Leaving closes the chat and drops the room from the list.
      await conversation(bob, 'lobby').waitFor();
      await bob.getByTestId('leave-room').click();
      await bob.getByTestId('chat').waitFor({ state: 'detached' });
      await conversation(bob, 'lobby').waitFor({ state: 'detached' });
    } finally {
      ivan.close();
    }
  });

  it('manages a group: rename, add and remove a member, and a member leaves', async () => {
    const carolRes = await fetch(`${web.base}api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'carol-password' }),
    });
    assert.equal(carolRes.status, 201);

    await alice.getByTestId('new-group').click();
    await alice.locator('input[name=group-name]').fill('Team');
    await alice.locator('input[name=member]').fill('bob');
    await alice.getByTestId('add-member').click();
    await alice.getByTestId('members').getByText('bob').waitFor();
    await alice.getByTestId('create-group').click();
    await alice.locator('[data-testid=chat-title]', { hasText: 'Team' }).waitFor();
    await send(alice, 'welcome to the team');
    await conversation(bob, 'Team').waitFor();

    await alice.getByTestId('manage-group').click();
    const dialog = alice.getByTestId('group-settings');
    const member = (name: string) => dialog.locator(`[data-testid=group-member][data-name="${name}"]`);
    await member('bob').waitFor();
    assert.match((await member('alice').textContent()) ?? '', /\(you\)owner/);

    await dialog.locator('input[name=rename]').fill('Team Rocket');
    await dialog.getByTestId('rename-group').click();
    await dialog.getByTestId('group-notice').getByText('Renamed.').waitFor();
    await dialog.locator('input[name=member]').fill('carol');
    await dialog.getByTestId('add-member').click();
    await member('carol').waitFor();
    await shot(alice, 'group-settings');
    await member('carol').getByTestId('remove-member').click();
    await member('carol').waitFor({ state: 'detached' });
    await dialog.getByTestId('close-dialog').click();
    await alice.locator('[data-testid=chat-title]', { hasText: 'Team Rocket' }).waitFor();
    await conversation(bob, 'Team Rocket').waitFor();

    // Bob is a member: no rename, no remove; he can leave.
    await conversation(bob, 'Team Rocket').click();
    await message(bob, 'welcome to the team').waitFor();
    await bob.getByTestId('manage-group').click();
    const bobDialog = bob.getByTestId('group-settings');
    await bobDialog.locator('[data-testid=group-member][data-name=alice]').waitFor();
    assert.equal(await bobDialog.locator('input[name=rename]').count(), 0);
    assert.equal(await bobDialog.getByTestId('remove-member').count(), 0);
    await bobDialog.getByTestId('leave-group').click();
    await bob.getByTestId('group-settings').waitFor({ state: 'detached' });
    await bob.getByTestId('chat').waitFor({ state: 'detached' });

    await alice.getByTestId('manage-group').click();
    await member('alice').waitFor();
    await member('bob').waitFor({ state: 'detached' });
    assert.equal(await dialog.getByTestId('group-member').count(), 1);
    // Dismissing asks once more, then ends the group and closes its chat.
    await dialog.getByTestId('dismiss-group').click();
    assert.equal(await dialog.getByTestId('dismiss-group').textContent(), 'Dismiss for everybody?');
    await dialog.getByTestId('dismiss-group').click();
    await dialog.waitFor({ state: 'detached' });
    await alice.getByTestId('chat').waitFor({ state: 'detached' });
    await assertNoErrorBar(alice);
    await assertNoErrorBar(bob);
  });

  it('shows one pane at a time on a phone-sized window', async () => {
    const phone = await web.users.open({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await shot(phone, 'phone-login');
    await registerInUi(phone, 'dana');
    await openChatWith(phone, 'alice');
    await send(phone, 'hi from my phone');
    await conversation(alice, 'dana').click();
    await message(alice, 'hi from my phone').waitFor();
    await send(alice, 'hello phone 📱');
    await message(phone, 'hello phone').waitFor();
    assert.equal(await phone.locator('.sidebar').isVisible(), false);
    const composer = await phone.getByTestId('composer').boundingBox();
    assert.ok(composer !== null && composer.x + composer.width <= 390, 'the composer fits the width');
    await shot(phone, 'phone-chat');
    await phone.getByTestId('back').click();
    await phone.getByTestId('conversation-list').waitFor();
    assert.equal(await phone.locator('.main').isVisible(), false);
    await conversation(phone, 'alice').waitFor();
    await shot(phone, 'phone-list');
  });

  it('follows a dark system theme, and the toggle overrides it', async () => {
    const dark = await web.users.open({ colorScheme: 'dark' });
    assert.equal(await cssVar(dark, '--bg'), '#111318');
    await registerInUi(dark, 'erin');
    await openChatWith(dark, 'alice');
    await send(dark, 'dark side');
    await conversation(alice, 'erin').click();
    await message(alice, 'dark side').waitFor();
    await send(alice, 'welcome, erin');
    await message(dark, 'welcome, erin').waitFor();
    await shot(dark, 'dark-system');
    const toggle = dark.getByTestId('theme-toggle');
    assert.equal(await toggle.getAttribute('data-theme'), 'system');
    await toggle.click(); // light
    assert.equal(await cssVar(dark, '--bg'), '#f4f5f7');
    await toggle.click(); // dark, chosen
    assert.equal(await toggle.getAttribute('data-theme'), 'dark');
    assert.equal(await cssVar(dark, '--bg'), '#111318');
    // The choice is kept across a reload.
    await dark.reload();
    await dark.locator('[data-testid=connection-state][data-state=online]').waitFor();
    assert.equal(await dark.getByTestId('theme-toggle').getAttribute('data-theme'), 'dark');
    assert.equal(await cssVar(dark, '--bg'), '#111318');

    // In a light system, the toggle makes it dark.
    assert.equal(await cssVar(alice, '--bg'), '#f4f5f7');
    await alice.getByTestId('theme-toggle').click();
    await alice.getByTestId('theme-toggle').click();
    assert.equal(await cssVar(alice, '--bg'), '#111318');
    await shot(alice, 'dark-toggle');
  });
});
