import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import { ContentType, ParleyClient, direct, tcpTransport, type Message } from '@parley/sdk/node';
import { until } from '../test-support/poll.js';
import { assertBuilt, parleyEnv, runParley } from '../test-support/parley-process.js';

/** `parley claim` on a red packet past its expiry (the server's shortest TTL, 1 s). */
describe('parley claim after expiry', () => {
  let server: InProcessServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let bob: ParleyClient;
  const bobGot: Message[] = [];

  before(async () => {
    assertBuilt();
    server = await startTestServer({ PARLEY_ADMIN_USERS: 'bob', PARLEY_RED_PACKET_TTL_MS: '1000' });
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-expiry-'));
    env = parleyEnv(join(dir, 'config'));
    bob = new ParleyClient({ transport: tcpTransport({ port: server.port }) });
    const bobId = await bob.register('bob', 'bob-password-1');
    const { token } = await bob.login({ username: 'bob', password: 'bob-password-1' });
    bob.on('message', (m) => bobGot.push(m));
    const res = await fetch(
      `http://127.0.0.1:${String(server.httpPort)}/api/v1/admin/wallets/${String(bobId)}/credit`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 700 }),
      },
    );
    assert.equal(res.status, 200);
  });

  after(async () => {
    bob.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says it is too late, and the sender gets the amount back', async () => {
    const flags = [
      '--server',
      `127.0.0.1:${String(server.port)}`,
      '--http',
      `http://127.0.0.1:${String(server.httpPort)}`,
    ];
    const reg = await runParley(['register', '--username', 'carol', '--password-stdin', ...flags], env, {
      input: 'carol-password-1\n',
    });
    assert.equal(reg.code, 0, reg.stderr);
    const carolId = /user id (\d+)/.exec(reg.stdout)?.[1] ?? '';
    const sent = await bob.wallet.sendRedPacket(direct(carolId), { total: 700, greeting: 'quick!' });
    const packet = await until(
      () =>
        bobGot.find((m) => m.seq === sent.seq && m.messageContent?.contentType === ContentType.RED_PACKET)
          ?.messageContent?.redPacket,
      'bob to see his packet',
    );
    assert.equal((await bob.wallet.balance()).balance, 0n);
    await until(() => Date.now() > Number(packet.expiresAt) + 50, 'the packet to expire', 5000);

    const late = await runParley(['claim', String(packet.packetId), '--json'], env);
    assert.equal(late.code, 1);
    assert.deepEqual(JSON.parse(late.stdout), { packetId: String(packet.packetId), outcome: 'expired' });
    assert.equal(late.stderr, 'parley: too late: the red packet has expired\n');
    const wallet = await bob.wallet.balance();
    assert.equal(wallet.balance, 700n);
    assert.deepEqual(
      wallet.entries.map((e) => e.kind),
      ['red_packet_refund', 'red_packet_send', 'credit'],
    );
  });
});
