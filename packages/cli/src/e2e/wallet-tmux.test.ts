import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import {
  ContentType,
  ParleyClient,
  Platform,
  direct,
  group,
  tcpTransport,
  type Message,
} from '@parley/sdk/node';
import { until } from '../test-support/poll.js';
import { PARLEY_MAIN, assertBuilt, parleyEnv, runParley } from '../test-support/parley-process.js';
import { TmuxSession, shellQuote } from '../test-support/tmux.js';

/**
 * Red packets, the wallet and call records with the real `parley`: the chat client in tmux
 * (connected through the gateway endpoint), and `wallet` / `claim` as processes. Money comes
 * from the admin credit route, as an operator would add it.
 */
describe('parley red packets, wallet and call records', () => {
  let server: InProcessServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let gateway: string;
  let bob: ParleyClient;
  let aliceId: bigint;
  let bobId: bigint;
  const bobGot: Message[] = [];
  const tmux = new TmuxSession(110, 32);

  const api = async (token: string, method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`http://127.0.0.1:${String(server.httpPort)}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = await res.json();
    assert.equal(res.status, 200, JSON.stringify(json));
    return json;
  };

  const sdkClient = (platform: Platform = Platform.PC) =>
    new ParleyClient({ transport: tcpTransport({ port: server.port }), platform });

  before(async () => {
    assertBuilt();
    server = await startTestServer({ PARLEY_ADMIN_USERS: 'admin' });
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-wallet-'));
    env = parleyEnv(join(dir, 'config'));
    gateway = `http://127.0.0.1:${String(server.httpPort)}`;
    // alice signs up with the CLI, through the gateway endpoint: the session remembers it.
    const reg = await runParley(
      ['register', '--gateway', gateway, '--username', 'alice', '--password-stdin'],
      env,
      { input: 'alice-password-1\n' },
    );
    assert.equal(reg.code, 0, reg.stderr);
    aliceId = BigInt(/user id (\d+)/.exec(reg.stdout)?.[1] ?? '0');
    bob = sdkClient();
    bobId = await bob.register('bob', 'bob-password-1');
    await bob.login({ username: 'bob', password: 'bob-password-1' });
    bob.on('message', (m) => bobGot.push(m));
    const admin = sdkClient();
    await admin.register('admin', 'admin-password-1');
    const { token } = await admin.login({ username: 'admin', password: 'admin-password-1' });
    admin.close();
    const credited = await api(token, 'POST', `/api/v1/admin/wallets/${String(bobId)}/credit`, {
      amount: 5000,
    });
    assert.deepEqual(credited, { balance: 5000 });
  });

  after(async () => {
    tmux.kill();
    bob.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const command = () =>
    [
      'env -u CI -u CONTINUOUS_INTEGRATION -u PARLEY_SERVER -u PARLEY_HTTP -u PARLEY_GATEWAY',
      `PARLEY_CONFIG_DIR=${shellQuote(join(dir, 'config'))}`,
      'TERM=xterm-256color',
      shellQuote(process.execPath),
      shellQuote(PARLEY_MAIN),
    ].join(' ');

  const enter = (line: string) => {
    tmux.type('chat', line);
    tmux.press('chat', 'Enter');
  };

  it('resumes the gateway session and names the node in the status line', async () => {
    tmux.start('chat', command());
    const screen = await tmux.waitFor('chat', '● online');
    assert.match(screen, /parley · alice @ gateway 127\.0\.0\.1:\d+ · node 127\.0\.0\.1:(\d+)/);
    assert.equal(/· node 127\.0\.0\.1:(\d+)/.exec(screen)?.[1], String(server.port));
  });

  it('shows a red packet from the SDK client, claims it with /claim, and /wallet shows the balance', async () => {
    await bob.wallet.sendRedPacket(direct(aliceId), { total: 1234, greeting: 'Happy new year' });
    const shown = await tmux.waitFor(
      'chat',
      /#(\d+) \d\d:\d\d bob: \[red packet\] 12\.34 in 1 share: Happy new/,
    );
    const seq = /#(\d+) \d\d:\d\d bob: \[red packet\]/.exec(shown)?.[1] ?? '';
    await tmux.waitFor('chat', `/claim #${seq}`);

    enter('/claim');
    await tmux.waitFor('chat', "you got 12.34 from bob's red packet · balance 12.34");
    await tmux.waitFor('chat', /Happy new year · you got 12\.34/);
    enter('/claim');
    await tmux.waitFor('chat', 'no unclaimed red packet here');
    enter(`/claim #${seq}`);
    await tmux.waitFor('chat', "you already claimed bob's red packet: 12.34");

    enter('/wallet');
    const wallet = await tmux.waitFor('chat', /Wallet {2}balance 12\.34/);
    assert.match(wallet, /\+12\.34 = {6}12\.34 {2}red packet claimed \d+/);
    tmux.press('chat', 'Escape');
    await tmux.waitFor('chat', /bob {2}direct/);
  });

  it('sends red packets with /redpacket, refusing what cannot work', async () => {
    enter('/redpacket 5 2 for two');
    await tmux.waitFor('chat', 'a red packet in a direct chat has one share');
    enter('/redpacket 100');
    await tmux.waitFor('chat', 'your balance is too low for 100.00');
    enter('/redpacket 12.345');
    await tmux.waitFor('chat', '"12.345" is not an amount');

    enter("/redpacket 2.5 'thanks, bob'");
    await tmux.waitFor('chat', 'sent a red packet of 2.50 in 1 share');
    const got = await until(
      () =>
        bobGot.find(
          (m) => m.senderId === aliceId && m.messageContent?.contentType === ContentType.RED_PACKET,
        ),
      'bob to receive the red packet',
    );
    const packet = got.messageContent?.redPacket;
    assert.equal(packet?.total, 250n);
    assert.equal(packet.greeting, 'thanks, bob');
    assert.equal(packet.senderId, aliceId);
    // Her own packet in a direct chat is bob's to claim: no /claim hint on her line.
    const mine = await tmux.waitFor('chat', /alice: \[red packet\] 2\.50 in 1 share: thanks, bob/);
    assert.doesNotMatch(mine, /thanks, bob · \/claim/);
    const claimed = await bob.wallet.claim(packet.packetId);
    assert.equal(claimed.claimed, true);
    assert.equal(claimed.amount, 250n);
  });

  it('shows call records as readable lines', async () => {
    // A call alice does not take: bob gives up before an answer.
    const missed = randomUUID();
    await bob.calls.invite(missed, aliceId, 'voice', 'v=0 offer');
    await bob.calls.cancel(missed, aliceId);
    await tmux.waitFor('chat', /bob: Cancelled voice call/);
    // A call alice answers on another device (web), then hangs up.
    const aliceWeb = sdkClient(Platform.WEB);
    try {
      await aliceWeb.login({ username: 'alice', password: 'alice-password-1' });
      const answered = randomUUID();
      await bob.calls.invite(answered, aliceId, 'video', 'v=0 offer');
      await aliceWeb.calls.answer(answered, bobId, 'v=0 answer');
      await aliceWeb.calls.hangup(answered, bobId);
    } finally {
      aliceWeb.close();
    }
    // The record is written by whoever ended the call: alice's other device.
    await tmux.waitFor('chat', /alice: Video call 0:0\d/);
  });

  it('prints the wallet as JSON and claims by id as processes', async () => {
    const wallet = await runParley(['wallet', '--json'], env);
    assert.equal(wallet.code, 0, wallet.stderr);
    const w = JSON.parse(wallet.stdout) as { balance: number; entries: { kind: string; delta: number }[] };
    assert.equal(w.balance, 1234 - 250);
    assert.deepEqual(
      w.entries.map((e) => [e.kind, e.delta]),
      [
        ['red_packet_send', -250],
        ['red_packet_claim', 1234],
      ],
    );
    const text = await runParley(['wallet'], env);
    assert.match(text.stdout, /^balance 9\.84\n.* -2\.50 = {7}9\.84 {2}red packet sent \d+\n/);

    // A group packet in two even shares: alice claims hers by id, twice.
    const info = await bob.groups.create({ name: 'Team', memberIds: [aliceId] });
    const sent = await bob.wallet.sendRedPacket(group(info.groupId), { total: 300, count: 2, mode: 'even' });
    const history = await runParley(['history', `#${info.groupId}`, '--json'], env);
    const line = history.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; summary: string; redPacket?: { packetId: string } })
      .find((m) => m.seq === Number(sent.seq));
    const packetId = line?.redPacket?.packetId ?? '';
    assert.match(
      line?.summary ?? '',
      new RegExp(`^\\[red packet\\] 3\\.00 in 2 shares \\(even\\) · id ${packetId}$`),
    );

    const first = await runParley(['claim', packetId, '--json'], env);
    assert.equal(first.code, 0, first.stderr);
    const claimed = JSON.parse(first.stdout) as { outcome: string; amount: number; balance: number };
    assert.deepEqual([claimed.outcome, claimed.amount, claimed.balance], ['claimed', 150, 984 + 150]);
    const again = await runParley(['claim', packetId], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'already claimed 1.50 (balance 11.34)\n');

    // One share, taken by its sender: nothing left for alice.
    const solo = await bob.wallet.sendRedPacket(group(info.groupId), { total: 100, count: 1 });
    const soloId = await until<bigint>(
      () =>
        bobGot.find((m) => m.seq === solo.seq && m.conversation?.target === info.groupId)?.messageContent
          ?.redPacket?.packetId,
      'bob to see his packet',
    );
    await bob.wallet.claim(soloId);
    const empty = await runParley(['claim', String(soloId), '--json'], env);
    assert.equal(empty.code, 1);
    assert.equal((JSON.parse(empty.stdout) as { outcome: string }).outcome, 'empty');
    assert.match(empty.stderr, /too late: the red packet is empty/);
    const unknown = await runParley(['claim', '12345'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no such red packet \(NOT_FOUND\)/);
    const bad = await runParley(['claim', 'abc'], env);
    assert.equal(bad.code, 2);

    // Both tokens are revoked through the gateway, without a warning.
    const out = await runParley(['logout'], env);
    assert.deepEqual([out.code, out.stdout, out.stderr], [0, 'signed out alice\n', '']);
  });
});
