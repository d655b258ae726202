import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { CallSignalKind, ParleyClient, Platform, type CallSignal } from '@parley/sdk';
import { tcpTransport } from '@parley/sdk/node';
import {
  FAKE_MEDIA_ARGS,
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

/** The call panel in a given state. */
const panel = (page: Page, state: string) => page.locator(`[data-testid=call-panel][data-state=${state}]`);

/** Waits until the page's remote <video> shows frames from the other side's (fake) camera. */
async function receivesVideo(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid=remote-video]');
    return v !== null && v.readyState >= 2 && v.videoWidth > 0;
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A device of a user on the native protocol (TCP), recording the call signals it gets. */
async function nativeDevice(
  port: number,
  username: string,
  register: boolean,
): Promise<{ client: ParleyClient; id: bigint; signals: CallSignal[] }> {
  const client = new ParleyClient({ transport: tcpTransport({ port }), platform: Platform.PC });
  const signals: CallSignal[] = [];
  client.on('call', (s) => signals.push(s));
  if (register) await client.register(username, `${username}-password`);
  const { userId: id } = await client.login({ username, password: `${username}-password` });
  return { client, id, signals };
}

/**
 * Issue 11 in the web client, in Chromium with fake cameras and microphones: 1:1 WebRTC calls
 * signaled through the server (connected on both sides, hang-up, refusal, busy while in a call,
 * answered on another device), call records in the conversation; red packets sent over HTTP and
 * from the UI, claimed in two browsers, and the wallet. The admin credit is the HTTP admin route.
 */
describe('the web client: voice and video calls, red packets, wallet', () => {
  let web: WebE2e;
  let alice: Page;
  let bob: Page;
  let bobId = '';
  const natives: ParleyClient[] = [];
  const shotCall = screenshots('calls');
  const shotPacket = screenshots('redpacket');

  /** POST a JSON body with a bearer token; the answer must be a success. */
  const api = async (token: string, path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${web.base}api/v1/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json: unknown = await res.json();
    assert.ok(res.ok, `POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const httpUser = async (username: string): Promise<{ userId: string; token: string }> => {
    const res = await fetch(`${web.base}api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: `${username}-password` }),
    });
    assert.equal(res.status, 201);
    return (await res.json()) as { userId: string; token: string };
  };

  before(async () => {
    web = await startWebE2e({
      env: { PARLEY_ADMIN_USERS: 'bank' },
      // Loopback candidates too, so the peers connect on a machine with no other interface.
      chromiumArgs: [...FAKE_MEDIA_ARGS, '--allow-loopback-in-peer-connection'],
    });
    const media = { permissions: ['camera', 'microphone'] };
    alice = await web.users.open(media);
    await registerInUi(alice, 'alice');
    bob = await web.users.open(media);
    bobId = await registerInUi(bob, 'bob');
    await openChatWith(alice, 'bob');
    await send(alice, 'call me?');
    await conversation(bob, 'alice').click();
    await message(bob, 'call me?').waitFor();
  });

  after(async () => {
    for (const c of natives) c.close();
    await web.stop();
  });

  it('connects a video call between two browsers; busy while in it; hang-up leaves a record', async () => {
    await alice.getByTestId('call-video').click();
    await panel(bob, 'incoming').waitFor();
    assert.equal(await bob.getByTestId('call-panel').getAttribute('data-media'), 'video');
    assert.match((await bob.getByTestId('call-panel').textContent()) ?? '', /alice.*Incoming video call/);
    // Bob's device said it rings.
    await panel(alice, 'ringing').waitFor();
    await shotCall(bob, 'bob-incoming-video');
    await bob.getByTestId('call-accept').click();

    // Both peer connections report 'connected', and each side plays the other's camera.
    for (const page of [alice, bob]) {
      await page
        .locator('[data-testid=call-panel][data-state=connected][data-connection=connected]')
        .waitFor({
          timeout: 20_000,
        });
      await receivesVideo(page);
    }
    await alice
      .getByTestId('call-status')
      .getByText(/^0:0[1-9]$/)
      .waitFor();
    await shotCall(alice, 'alice-connected');
    await shotCall(bob, 'bob-connected');

    // A third user calls bob meanwhile: bob's browser answers busy by itself.
    const dave = await nativeDevice(web.server.port, 'dave', true);
    natives.push(dave.client);
    await dave.client.calls.invite('dave-1', BigInt(bobId), 'voice', 'v=0');
    await until(() => dave.signals.some((s) => s.kind === CallSignalKind.BUSY), 'busy from bob');
    assert.equal(await panel(bob, 'connected').count(), 1, 'the call goes on');
    await conversation(bob, 'dave').locator('.conv-last', { hasText: 'Missed voice call (busy)' }).waitFor();

    // Muting the microphone turns the local audio track off.
    await alice.getByTestId('call-mute').click();
    assert.equal(await alice.getByTestId('call-mute').getAttribute('aria-pressed'), 'true');

    await alice.getByTestId('call-hangup').click();
    await panel(alice, 'ended').waitFor();
    await panel(bob, 'ended').getByText('Call ended').waitFor();
    for (const page of [alice, bob]) {
      const record = page.locator('[data-testid=call-record][data-outcome=completed][data-media=video]');
      await record.waitFor();
      assert.match((await record.textContent()) ?? '', /^Video call · \d+:\d\d$/);
      assert.ok(Number(await record.getAttribute('data-duration-ms')) >= 1000);
    }
    await shotCall(bob, 'bob-record');
    await conversation(alice, 'bob')
      .locator('.conv-last', { hasText: /^Video call · / })
      .waitFor();
  });

  it('refused and cancelled calls end on both sides with their records', async () => {
    await alice.getByTestId('call-voice').click();
    await panel(bob, 'incoming').getByText('Incoming voice call').waitFor();
    await bob.getByTestId('call-refuse').click();
    await panel(alice, 'ended').getByText('Declined').waitFor();
    await shotCall(alice, 'alice-declined');
    const aliceRecord = alice.locator('[data-testid=call-record][data-outcome=refused]');
    await aliceRecord.waitFor();
    assert.equal(await aliceRecord.textContent(), 'Voice call · refused');
    const bobRecord = bob.locator('[data-testid=call-record][data-outcome=refused]');
    await bobRecord.waitFor();
    assert.equal(await bobRecord.textContent(), 'Refused voice call');
    await shotCall(bob, 'bob-refused-record');

    // The caller gives up while it rings: the callee missed it.
    await alice.getByTestId('call-video').click();
    await panel(bob, 'incoming').getByText('Incoming video call').waitFor();
    await panel(alice, 'ringing').getByTestId('call-hangup').click();
    await panel(bob, 'ended').getByText('Missed call').waitFor();
    const cancelled = '[data-testid=call-record][data-outcome=cancelled]';
    await alice.locator(cancelled).getByText('Video call · cancelled').waitFor();
    await bob.locator(cancelled).getByText('Missed video call').waitFor();
    await conversation(bob, 'alice').locator('.conv-last', { hasText: 'Missed video call' }).waitFor();
    await shotCall(bob, 'bob-missed-record');
  });

  it('stops ringing when another device of the callee answers', async () => {
    const dave = natives[0];
    assert.ok(dave);
    const bobPc = await nativeDevice(web.server.port, 'bob', false);
    natives.push(bobPc.client);
    await dave.calls.invite('dave-2', BigInt(bobId), 'video', 'v=0');
    await panel(bob, 'incoming').waitFor();
    await until(() => bobPc.signals.some((s) => s.callId === 'dave-2'), 'bob PC rings too');
    await bobPc.client.calls.answer('dave-2', bobPc.signals[0]?.peerId ?? 0n, 'v=0');
    await panel(bob, 'ended').getByText('Answered on another device').waitFor();
    await shotCall(bob, 'answered-elsewhere');
    await dave.calls.hangup('dave-2', BigInt(bobId));
    await conversation(bob, 'dave')
      .locator('.conv-last', { hasText: /^Video call · / })
      .waitFor();
    await assertNoErrorBar(alice);
    await assertNoErrorBar(bob);
  });

  it('red packets: two browsers claim a group packet, send one from the UI, and see their wallets', async () => {
    const bank = await httpUser('bank');
    const carol = await httpUser('carol');
    const aliceId = (await alice.locator('.me .muted').textContent())?.replace('#', '') ?? '';
    await api(bank.token, `admin/wallets/${carol.userId}/credit`, { amount: 1000 });
    await api(bank.token, `admin/wallets/${aliceId}/credit`, { amount: 500 });
    const group = (await api(carol.token, 'groups', {
      name: 'Lucky',
      memberIds: [aliceId, bobId],
    })) as { groupId: string };
    await api(carol.token, `conversations/group/${group.groupId}/red-packets`, {
      clientMsgId: 'lucky-1',
      total: 1000,
      count: 2,
      mode: 'random',
      greeting: 'Happy new year <b>!</b>',
    });

    const claim = async (page: Page, who: string): Promise<bigint> => {
      await conversation(page, 'Lucky').click();
      const card = page.getByTestId('red-packet');
      await card.getByText('Happy new year <b>!</b>').waitFor();
      assert.match((await card.textContent()) ?? '', /Red packet · 10\.00 · 2 shares/);
      await shotPacket(page, `${who}-sees-packet`);
      await card.click();
      const result = page.locator('[data-testid=red-packet-result][data-outcome=got]');
      await result.waitFor();
      const amount = BigInt(
        (await result.getByTestId('red-packet-amount').getAttribute('data-amount')) ?? '0',
      );
      await shotPacket(page, `${who}-claimed`);
      await page.getByTestId('close-red-packet').click();
      await card.getByText(/^You got \d+\.\d\d$/).waitFor();
      return amount;
    };
    const aliceGot = await claim(alice, 'alice');
    const bobGot = await claim(bob, 'bob');
    assert.ok(aliceGot >= 1n && bobGot >= 1n, `${aliceGot} and ${bobGot}`);
    assert.equal(aliceGot + bobGot, 1000n, 'the shares add up to the total');

    // Opening again only looks: the same amount, and both claims listed.
    await alice.getByTestId('red-packet').click();
    await alice.locator('[data-testid=red-packet-result][data-outcome=already]').waitFor();
    await alice
      .getByTestId('red-packet-summary')
      .getByText(/^2\/2 opened · 10\.00 of 10\.00/)
      .waitFor();
    assert.equal(await alice.getByTestId('red-packet-claim').count(), 2);
    await shotPacket(alice, 'claims-list');
    await alice.getByTestId('close-red-packet').click();

    const wallet = async (page: Page): Promise<bigint> => {
      await page.getByTestId('open-wallet').click();
      const balance = page.getByTestId('wallet-balance');
      await page.locator('[data-testid=wallet-balance][data-balance]:not([data-balance=""])').waitFor();
      const value = BigInt((await balance.getAttribute('data-balance')) ?? '-1');
      return value;
    };
    assert.equal(await wallet(alice), 500n + aliceGot);
    assert.deepEqual(
      await alice
        .getByTestId('ledger-entry')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind'))),
      ['red_packet_claim', 'credit'],
    );
    await shotPacket(alice, 'alice-wallet');
    await alice.getByTestId('close-dialog').click();

    // Alice sends one to bob from the UI: bad input and a too-large amount are refused first.
    await conversation(alice, 'bob').click();
    await alice.getByTestId('red-packet-button').click();
    const dialog = alice.getByTestId('send-red-packet-dialog');
    await dialog
      .getByTestId('send-balance')
      .getByText(`Balance: ${(Number(500n + aliceGot) / 100).toFixed(2)}`)
      .waitFor();
    assert.equal(await dialog.locator('input[name=count]').count(), 0, 'one share in a direct chat');
    await dialog.locator('input[name=amount]').fill('1.234');
    await dialog.getByTestId('send-red-packet').click();
    await dialog.getByTestId('red-packet-error').getByText('Enter an amount such as 12.34.').waitFor();
    await dialog.locator('input[name=amount]').fill('999');
    await dialog.getByTestId('send-red-packet').click();
    await dialog.getByTestId('red-packet-error').getByText('Your balance is too low.').waitFor();
    await dialog.locator('input[name=amount]').fill('1.50');
    await dialog.locator('input[name=greeting]').fill('for coffee');
    await shotPacket(alice, 'alice-sends');
    await dialog.getByTestId('send-red-packet').click();
    await dialog.waitFor({ state: 'detached' });

    const direct = bob.getByTestId('red-packet').filter({ hasText: 'for coffee' });
    await conversation(bob, 'alice').click();
    await direct.click();
    const got = bob.locator('[data-testid=red-packet-result][data-outcome=got]');
    await got.getByTestId('red-packet-amount').getByText('1.50').waitFor();
    await bob.getByTestId('close-red-packet').click();
    // The sender cannot claim a direct packet: opening it shows who did.
    await alice.getByTestId('red-packet').filter({ hasText: 'for coffee' }).click();
    await alice.getByTestId('red-packet-claim').getByText('1.50').waitFor();
    assert.equal(await alice.getByTestId('red-packet-result').count(), 0);
    await shotPacket(alice, 'alice-sees-bob-claimed');
    await alice.getByTestId('close-red-packet').click();

    assert.equal(await wallet(alice), 500n + aliceGot - 150n);
    assert.equal(await alice.getByTestId('ledger-entry').first().getAttribute('data-delta'), '-150');
    assert.equal(await wallet(bob), bobGot + 150n);
    await shotPacket(bob, 'bob-wallet');
    await assertNoErrorBar(alice);
    await assertNoErrorBar(bob);
  });
});
