import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContentType, Status, type CallSignal, type Message } from '@parley/protocol';
import { rejectsWithStatus, startTestServer, type InProcessServer } from '@parley/testkit';
import { CallSignalKind, ParleyClient, Platform, direct, group } from './index.js';
import { tcpTransport } from './node/index.js';

interface Device {
  readonly client: ParleyClient;
  readonly calls: CallSignal[];
  readonly messages: Message[];
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Issue 11: call signaling relayed between devices, with a call record; red packets through the SDK.
describe('calls and red packets through the SDK', () => {
  let server: InProcessServer;
  const clients: ParleyClient[] = [];
  let n = 0;

  before(async () => {
    server = await startTestServer({ PARLEY_CALL_RING_TIMEOUT_MS: '1000', PARLEY_ADMIN_USERS: 'sdkbank' });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  const register = async (): Promise<{ name: string; id: bigint }> => {
    n += 1;
    const name = `caller${n}`;
    const c = new ParleyClient({ transport: tcpTransport({ port: server.port }) });
    return { name, id: await c.register(name, 'password-123') };
  };
  const device = async (user: { name: string }, platform: Platform = Platform.PC): Promise<Device> => {
    const client = new ParleyClient({ transport: tcpTransport({ port: server.port }), platform });
    clients.push(client);
    const calls: CallSignal[] = [];
    const messages: Message[] = [];
    client.on('call', (c) => calls.push(c));
    client.on('message', (m) => messages.push(m));
    await client.login({ username: user.name, password: 'password-123' });
    return { client, calls, messages };
  };
  const records = (d: Device) =>
    d.messages
      .filter((m) => m.messageContent?.contentType === ContentType.CALL)
      .map((m) => m.messageContent?.call);

  it('invite, ring, answer (other devices stop ringing), ICE both ways, hangup, and a completed record', async () => {
    const [a, b] = [await register(), await register()];
    const alice = await device(a);
    const bobPc = await device(b);
    const bobWeb = await device(b, Platform.WEB);
    await alice.client.calls.invite('call-1', b.id, 'video', 'offer-sdp');
    await until(() => bobPc.calls.length === 1 && bobWeb.calls.length === 1, 'both bob devices ring');
    const ring = bobPc.calls[0];
    assert.ok(ring);
    assert.equal(ring.kind, CallSignalKind.INVITE);
    assert.equal(ring.payload, 'offer-sdp');
    assert.equal(ring.peerId, a.id);
    assert.equal(ring.media, 'video');
    await bobPc.client.calls.ringing('call-1', a.id);
    await bobPc.client.calls.answer('call-1', a.id, 'answer-sdp');
    await until(() => alice.calls.some((c) => c.kind === CallSignalKind.ANSWER), 'alice got the answer');
    assert.equal(alice.calls.find((c) => c.kind === CallSignalKind.ANSWER)?.payload, 'answer-sdp');
    await until(
      () => bobWeb.calls.some((c) => c.kind === CallSignalKind.ANSWERED_ELSEWHERE),
      'web stops ringing',
    );
    await alice.client.calls.ice('call-1', b.id, '{"candidate":"a"}');
    await bobPc.client.calls.ice('call-1', a.id, '{"candidate":"b"}');
    await until(() => bobPc.calls.some((c) => c.kind === CallSignalKind.ICE), 'ice to bob');
    await until(() => alice.calls.some((c) => c.kind === CallSignalKind.ICE), 'ice to alice');
    await new Promise((r) => setTimeout(r, 1100));
    await alice.client.calls.hangup('call-1', b.id);
    await until(() => bobPc.calls.some((c) => c.kind === CallSignalKind.HANGUP), 'bob told of the hangup');
    await until(
      () => records(bobPc).length === 1 && records(alice).length === 1,
      'call record on both sides',
    );
    const record = records(bobPc)[0];
    assert.ok(record);
    assert.equal(record.outcome, 'completed');
    assert.equal(record.media, 'video');
    assert.equal(record.callerId, a.id);
    assert.ok(record.durationMs >= 1000n, `duration ${String(record.durationMs)}`);
    // A second hangup finds nothing: one record only.
    await rejectsWithStatus(bobPc.client.calls.hangup('call-1', a.id), Status.NOT_FOUND, 'second hangup');
  });

  it('refused, cancelled and missed calls are recorded as such', async () => {
    const [a, b] = [await register(), await register()];
    const alice = await device(a);
    const bob = await device(b);
    await alice.client.calls.invite('call-r', b.id, 'voice', 'sdp');
    await until(() => bob.calls.length === 1, 'ring');
    await bob.client.calls.refuse('call-r', a.id);
    await alice.client.calls.invite('call-c', b.id, 'voice', 'sdp');
    await until(() => bob.calls.length === 2, 'refused, then the next ring');
    await alice.client.calls.cancel('call-c', b.id);
    await alice.client.calls.invite('call-m', b.id, 'voice', 'sdp');
    // Nobody answers: the 1 s ring timeout ends it.
    await until(() => records(alice).length === 3, 'three records', 15_000);
    assert.deepEqual(
      records(alice).map((r) => [r?.callId, r?.outcome]),
      [
        ['call-r', 'refused'],
        ['call-c', 'cancelled'],
        ['call-m', 'missed'],
      ],
    );
    assert.ok(bob.calls.some((c) => c.callId === 'call-m' && c.kind === CallSignalKind.CANCEL));
  });

  it('only the two parties signal on a call, each only its own part', async () => {
    const [a, b, c] = [await register(), await register(), await register()];
    const alice = await device(a);
    const bob = await device(b);
    const carol = await device(c);
    await alice.client.calls.invite('call-x', b.id, 'voice', 'sdp');
    await rejectsWithStatus(carol.client.calls.ice('call-x', a.id, 'x'), Status.NOT_FOUND, 'a third party');
    await rejectsWithStatus(bob.client.calls.cancel('call-x', a.id), Status.FORBIDDEN, 'callee cancels');
    await rejectsWithStatus(
      alice.client.calls.answer('call-x', b.id, 'sdp'),
      Status.FORBIDDEN,
      'caller answers',
    );
    await rejectsWithStatus(
      alice.client.calls.invite('call-x', b.id, 'voice', 'sdp'),
      Status.CONFLICT,
      'id reuse',
    );
    await rejectsWithStatus(
      alice.client.calls.invite('call-y', b.id, 'hologram' as 'voice', 'sdp'),
      Status.BAD_REQUEST,
      'bad media',
    );
    await rejectsWithStatus(
      alice.client.calls.invite('call-z', a.id, 'voice', 'sdp'),
      Status.BAD_REQUEST,
      'self',
    );
    await bob.client.contacts.block(c.id);
    await rejectsWithStatus(
      carol.client.calls.invite('call-b', b.id, 'voice', 'sdp'),
      Status.FORBIDDEN,
      'blocked',
    );
    await alice.client.calls.hangup('call-x', b.id);
  });

  it('sends, claims and lists red packets', async () => {
    const bank = await register();
    const [a, b, c] = [await register(), await register(), await register()];
    const alice = await device(a);
    const bob = await device(b);
    const carol = await device(c);
    // The admin credit is an HTTP route (PARLEY_ADMIN_USERS); sdkbank is that admin.
    const bankLogin = await fetch(`http://127.0.0.1:${server.httpPort}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'sdkbank', password: 'password-123' }),
    });
    const { token } = (await bankLogin.json()) as { token: string };
    assert.ok(bank.id > 0n);
    const credit = await fetch(`http://127.0.0.1:${server.httpPort}/api/v1/admin/wallets/${a.id}/credit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ amount: 1000 }),
    });
    assert.equal(credit.status, 200);
    const info = await alice.client.groups.create({ name: 'rp', memberIds: [b.id, c.id] });
    await alice.client.wallet.sendRedPacket(group(info.groupId), {
      total: 600,
      count: 2,
      mode: 'even',
      greeting: 'hi',
    });
    await until(
      () => bob.messages.some((m) => m.messageContent?.contentType === ContentType.RED_PACKET),
      'bob sees the packet',
    );
    const packet = bob.messages.find((m) => m.messageContent?.contentType === ContentType.RED_PACKET);
    const packetId = packet?.messageContent?.redPacket?.packetId ?? 0n;
    assert.equal((await bob.client.wallet.claim(packetId)).amount, 300n);
    assert.equal((await carol.client.wallet.claim(packetId)).amount, 300n);
    const late = await alice.client.wallet.claim(packetId);
    assert.equal(late.claimed, false);
    assert.equal(late.state, 'empty');
    assert.equal((await alice.client.wallet.balance()).balance, 400n);
    assert.equal((await bob.client.wallet.balance()).balance, 300n);
    await rejectsWithStatus(
      alice.client.wallet.sendRedPacket(direct(b.id), { total: 5000 }),
      Status.CONFLICT,
      'balance too low',
    );
  });
});
