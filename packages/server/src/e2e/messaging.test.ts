import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import { create, equals } from '@bufbuild/protobuf';
import {
  AuthFailedError,
  RateLimitedError,
  BadRequestError,
  Command,
  ContentType,
  MessageContentSchema,
  MessageSchema,
  SendResultSchema,
  ConflictError,
  KickNoticeSchema,
  Platform,
  Status,
  TokenRevokedError,
  type Message,
} from '@parley/protocol';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';

async function pullAll(client: NativeTestClient, target: string, from: bigint): Promise<Message[]> {
  const out: Message[] = [];
  let next = from;
  for (;;) {
    const page = await client.pull(target, next, 200);
    out.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.hasMore || last === undefined) return out;
    next = last.seq + 1n;
  }
}

describe('native protocol: 1:1 messaging', () => {
  let server: InProcessServer;
  const clients: NativeTestClient[] = [];
  const client = async () => {
    const c = await NativeTestClient.connect(server.port);
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await server.stop();
  });

  it('delivers 1,000 offline messages exactly once, in order, to two devices, and pushes to the sender’s other device', async () => {
    const a1 = await client();
    const aliceId = await a1.register('alice', 'alice-password');
    const bobId = await (await client()).register('bob', 'bob-password');
    await a1.login('alice', 'alice-password', 'alice-pc', Platform.PC);
    const a2 = await client();
    await a2.login('alice', 'alice-password', 'alice-phone', Platform.MOBILE);

    const acks = [];
    for (let i = 0; i < 1000; i++) acks.push(a1.sendText(bobId, `message ${i} ✓ 你好 🎉`, `a-${i}`));
    const results = await Promise.all(acks);
    assert.deepEqual(
      results.map((r) => r.seq),
      Array.from({ length: 1000 }, (_, i) => BigInt(i + 1)),
      'acks carry gapless seqs in send order',
    );
    assert.equal(new Set(results.map((r) => r.messageId)).size, 1000);

    // Alice's phone got her own messages pushed, in order, once each.
    await a2.waitFor(() => a2.pushedMessages().length >= 1000, 10_000, '1000 pushes on alice-phone');
    const pushed = a2.pushedMessages();
    assert.equal(pushed.length, 1000);
    assert.deepEqual(
      pushed.map((m) => m.seq),
      results.map((r) => r.seq),
    );
    assert.equal(pushed[0]?.conversation?.target, String(bobId), 'the sender sees the peer as target');
    assert.equal(pushed[0].senderId, aliceId);
    assert.equal(a1.pushedMessages().length, 0, 'the sending device gets acks, not pushes');

    // Bob comes online on two platform classes; each syncs and pulls everything.
    for (const [device, platform] of [
      ['bob-pc', Platform.PC],
      ['bob-web', Platform.WEB],
    ] as const) {
      const b = await client();
      await b.login('bob', 'bob-password', device, platform);
      const sync = await b.sync();
      assert.equal(sync.conversations.length, 1);
      const state = sync.conversations[0];
      assert.ok(state);
      assert.equal(state.conversation?.target, String(aliceId));
      assert.equal(state.maxSeq, 1000n);
      assert.equal(state.unread, 1000n);
      const messages = await pullAll(b, String(aliceId), 1n);
      assert.equal(messages.length, 1000, `${device} got every message`);
      assert.deepEqual(
        messages.map((m) => m.seq),
        Array.from({ length: 1000 }, (_, i) => BigInt(i + 1)),
      );
      assert.equal(new Set(messages.map((m) => m.messageId)).size, 1000, 'no message twice');
      assert.equal(messages[999]?.messageContent?.text, 'message 999 ✓ 你好 🎉');
      assert.equal(messages[0]?.from, String(aliceId));
      assert.equal(b.pushedMessages().length, 0, 'nothing was pushed twice on top of the pull');
      // Synced with its cursor at the head: nothing moved.
      assert.equal((await b.sync([{ target: String(aliceId), seq: 1000n }])).conversations.length, 0);
    }
  });

  it('a re-sent clientMsgId returns the same id and seq and stores nothing new', async () => {
    const c = await client();
    await c.register('dora', 'dora-password');
    const eveId = await c.register('eve', 'eve-password');
    await c.login('dora', 'dora-password', 'dora-pc');
    const first = await c.sendText(eveId, 'hello', 'same-id');
    const again = await c.sendText(eveId, 'hello (retry with other text)', 'same-id');
    assert.equal(again.messageId, first.messageId);
    assert.equal(again.seq, first.seq);
    assert.equal(again.duplicate, true);
    assert.equal(first.duplicate, false);
    const page = await c.pull(String(eveId), 1n);
    assert.equal(page.maxSeq, 1n);
    assert.equal(page.messages.length, 1);
    assert.equal(page.messages[0]?.messageContent?.text, 'hello');
  });

  it('a second login on the same platform class kicks the first; another class coexists', async () => {
    const setup = await client();
    const gusId = await setup.register('gus', 'gus-password');
    const hal = await client();
    await hal.register('hal', 'hal-password');
    await hal.login('hal', 'hal-password', 'hal-pc');

    const pc1 = await client();
    const pc1Login = await pc1.login('gus', 'gus-password', 'gus-pc-1', Platform.PC);
    const phone = await client();
    await phone.login('gus', 'gus-password', 'gus-phone', Platform.MOBILE);
    const pc2 = await client();
    await pc2.login('gus', 'gus-password', 'gus-pc-2', Platform.PC);

    await pc1.waitFor(() => pc1.isClosed, 5000, 'pc1 closed');
    const kick = pc1.notifications.find((f) => f.command === Command.KICK);
    assert.ok(kick, 'pc1 got a KICK notice before the close');
    const notice = fromBinary(KickNoticeSchema, kick.body);
    assert.equal(notice.byDeviceId, 'gus-pc-2');
    assert.equal(notice.byPlatform, Platform.PC);
    assert.equal(phone.isClosed, false);

    // The phone and the new PC both receive; the kicked session's token is revoked.
    await hal.sendText(gusId, 'still there?', 'h-1');
    await phone.waitFor(() => phone.pushedMessages().length === 1);
    await pc2.waitFor(() => pc2.pushedMessages().length === 1);
    const retry = await client();
    await assert.rejects(retry.loginWithToken(pc1Login.token), TokenRevokedError);
  });

  it('logs in with a token, and LOGOUT revokes it and closes the connection', async () => {
    const c = await client();
    await c.register('ivy', 'ivy-password');
    const login = await c.login('ivy', 'ivy-password', 'ivy-pc');
    const d = await client();
    const again = await d.loginWithToken(login.token);
    assert.equal(again.userId, login.userId);
    const bye = await d.requestFrame(Command.LOGOUT, new Uint8Array(0));
    assert.equal(bye.status, Status.OK);
    await d.waitFor(() => d.isClosed, 5000, 'closed after logout');
    await assert.rejects((await client()).loginWithToken(login.token), TokenRevokedError);
  });

  it('locks an account after too many failed logins, whatever the password, and only that account', async () => {
    const c = await client();
    await c.register('lockme', 'lockme-password');
    await c.register('notme', 'notme-password');
    // The test server allows 10 failures per account (PARLEY_MAX_LOGIN_FAILURES default).
    for (let i = 0; i < 10; i++) {
      await assert.rejects(c.login('lockme', `guess-${i}`, 'd'), AuthFailedError);
    }
    await assert.rejects(c.login('LockMe', 'lockme-password', 'd'), RateLimitedError);
    const other = await client();
    assert.ok(
      (await other.login('notme', 'notme-password', 'd')).userId > 0n,
      'other accounts are not locked',
    );
  });

  it('rejects a taken username and a wrong password with their status codes', async () => {
    const c = await client();
    await c.register('jack', 'jack-password');
    await assert.rejects(c.register('JACK', 'other-password'), ConflictError);
    await assert.rejects(c.login('jack', 'wrong-password', 'd'), AuthFailedError);
    await assert.rejects(c.login('nobody', 'whatever-1', 'd'), AuthFailedError);
  });

  it('carries every content type intact, and relays typing without storing it', async () => {
    const c = await client();
    await c.register('nia', 'nia-password');
    const olaId = await c.register('ola', 'ola-password');
    await c.login('nia', 'nia-password', 'nia-pc');
    const ola = await client();
    await ola.login('ola', 'ola-password', 'ola-pc');
    const media = {
      url: 'https://media.example/f/1',
      size: 123456n,
      mime: 'image/png',
      width: 640,
      height: 480,
      durationMs: 0,
      thumbnailUrl: 'https://media.example/f/1.thumb',
      thumbnailSize: 2048n,
      name: 'photo.png',
    };
    const contents = [
      { contentType: ContentType.TEXT, text: 'plain ✓ 🎉 Ünïcödé 中文', mentionedTargets: [String(olaId)] },
      { contentType: ContentType.FACE, text: '[:smile]' },
      { contentType: ContentType.IMAGE, media },
      {
        contentType: ContentType.SOUND,
        media: { url: 'https://media.example/a.mp3', durationMs: 3600, size: 10240n },
      },
      {
        contentType: ContentType.VIDEO,
        media: { ...media, url: 'https://media.example/v.mp4', durationMs: 12_000 },
      },
      {
        contentType: ContentType.FILE,
        media: { url: 'https://media.example/a.docx', name: 'a.docx', size: 10240n },
      },
      {
        contentType: ContentType.STICKER,
        media: { url: 'https://media.example/s.gif', width: 120, height: 120 },
      },
      {
        contentType: ContentType.LOCATION,
        location: { latitude: 22.5, longitude: 113.9, title: '深圳湾公园', mapUrl: 'https://map.example/q' },
      },
      { contentType: ContentType.CUSTOM, customType: 'card', data: Uint8Array.from([1, 2, 3]) },
    ];
    for (const [i, messageContent] of contents.entries()) {
      const r = await c.request(
        Command.MS,
        MessageSchema,
        { clientMsgId: `n-${i}`, conversation: { type: 0, target: String(olaId) }, messageContent },
        SendResultSchema,
      );
      assert.equal(r.seq, BigInt(i + 1));
    }
    const page = await c.pull(String(olaId), 1n);
    assert.equal(page.messages.length, contents.length);
    for (const [i, m] of page.messages.entries()) {
      const expected = create(MessageContentSchema, contents[i]);
      assert.ok(
        m.messageContent && equals(MessageContentSchema, m.messageContent, expected),
        `content ${i} round-trips`,
      );
    }
    await ola.waitFor(() => ola.pushedMessages().length === contents.length);

    const typing = await c.request(
      Command.MS,
      MessageSchema,
      {
        conversation: { type: 0, target: String(olaId) },
        messageContent: { contentType: ContentType.TYPING },
      },
      SendResultSchema,
    );
    assert.equal(typing.seq, 0n);
    await ola.waitFor(() => ola.pushedMessages().length === contents.length + 1);
    assert.equal(ola.pushedMessages().at(-1)?.messageContent?.contentType, ContentType.TYPING);
    assert.equal((await c.pull(String(olaId), 1n)).maxSeq, BigInt(contents.length), 'typing is not stored');

    for (const bad of [
      { contentType: ContentType.TEXT, text: '   ' },
      { contentType: ContentType.IMAGE, media: { url: 'javascript:alert(1)' } },
      { contentType: ContentType.SYSTEM, text: 'I am the server' },
      { contentType: 99 },
    ]) {
      const r = c.request(
        Command.MS,
        MessageSchema,
        { clientMsgId: 'bad', conversation: { type: 0, target: String(olaId) }, messageContent: bad },
        SendResultSchema,
      );
      await assert.rejects(r, BadRequestError);
    }
  });

  it('pulls backward from the head and answers NOT_FOUND for a conversation the user is not in', async () => {
    const c = await client();
    await c.register('kim', 'kim-password');
    const leoId = await c.register('leo', 'leo-password');
    const monId = await c.register('mon', 'mon-password');
    await c.login('kim', 'kim-password', 'kim-pc');
    for (let i = 1; i <= 5; i++) await c.sendText(leoId, `m${i}`, `k-${i}`);
    const tail = await c.pull(String(leoId), 0n, 2, true);
    assert.deepEqual(
      tail.messages.map((m) => m.seq),
      [4n, 5n],
    );
    assert.equal(tail.hasMore, true);
    const f = await c.requestFrame(Command.MP, new Uint8Array(0));
    assert.equal(f.status, Status.BAD_REQUEST, 'a pull without a conversation is a bad request');
    await assert.rejects(
      c.pull(String(monId), 1n),
      (e: Error & { status?: number }) => e.status === Status.NOT_FOUND,
    );
  });
});
