import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CallSignalSchema,
  ImtpCallCommand,
  PingSchema,
  decodeImtpMessage,
  type CallSignal,
  ChangeResultSchema,
  Command,
  ContentType,
  ConversationType,
  GroupCreateRequestSchema,
  GroupInfoSchema,
  ImtpCommand,
  ImtpDecoder,
  MessageSchema,
  Platform,
  RecallRequestSchema,
  SendResultSchema,
  Status,
  encodeImtpFrame,
  encodeImtpMessage,
  type ImtpFrame,
  type Message,
  type MessageContent,
} from '@parley/protocol';
import { WebSocket } from 'ws';
import { fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';
import { Dialect } from '../dialect.js';
import { createImtpConnection } from './imtp-connection.js';
import { ImtpTestClient, type ImtpReceived } from './imtp-test-client.js';

const TEXT = '你好, wörld 👋🏽 — 深圳 🇨🇳';

let server: InProcessServer;
const sockets: { destroy(): void }[] = [];
let n = 0;

interface User {
  readonly id: bigint;
  readonly name: string;
  readonly password: string;
}

async function user(prefix: string): Promise<User> {
  const name = `${prefix}${++n}`;
  const c = await NativeTestClient.connect(server.port);
  const password = `${name}-password`;
  const id = await c.register(name, password);
  await c.close();
  return { id, name, password };
}

async function imtp(u?: User): Promise<ImtpTestClient> {
  const c = await ImtpTestClient.connect(server.port);
  sockets.push(c);
  if (u !== undefined) {
    const res = await c.login(u.name, u.password);
    assert.equal(res.state, Status.OK, JSON.stringify(res.info));
  }
  return c;
}

/** A native device on the web platform (an IMTP login is a PC device: they coexist). */
async function native(u: User): Promise<NativeTestClient> {
  const c = await NativeTestClient.connect(server.port);
  sockets.push(c);
  await c.login(u.name, u.password, `${u.name}-web`, Platform.WEB);
  return c;
}

function nativeSend(
  c: NativeTestClient,
  type: number,
  target: bigint | string,
  content: MessageInitShape<typeof MessageSchema>['messageContent'],
  clientMsgId: string,
) {
  return c.request(
    Command.MS,
    MessageSchema,
    { clientMsgId, conversation: { type, target: String(target) }, messageContent: content },
    SendResultSchema,
  );
}

async function pushed(c: NativeTestClient, match: (m: Message) => boolean, what: string): Promise<Message> {
  let found: Message | undefined;
  await c.waitFor(() => (found = c.pushedMessages().find(match)) !== undefined, 10_000, what);
  if (found === undefined) throw new Error(what);
  return found;
}

const contentOf = (m: Message): MessageContent => {
  if (m.messageContent === undefined) throw new Error('no content');
  return m.messageContent;
};

before(async () => {
  server = await startTestServer();
  server.app.gateway.register(Dialect.IMTP, createImtpConnection);
});

after(async () => {
  for (const s of sockets) s.destroy();
  await server.stop();
});

describe('IMTP login and heartbeat', () => {
  it('logs in with username/password and answers user info + state 0', async () => {
    const u = await user('login');
    const c = await imtp();
    const res = await c.login(u.name, u.password);
    assert.equal(res.state, Status.OK);
    assert.equal(res.info['id'], String(u.id));
    assert.equal(res.info['username'], u.name);
    assert.equal(typeof res.info['displayName'], 'string');
    assert.equal(typeof res.info['avatarUrl'], 'string');
    assert.ok(typeof res.info['token'] === 'string' && res.info['token'] !== '');
    const login = c.frames.find((f) => f.cmd === ImtpCommand.LOGIN_RES);
    assert.equal(login?.receiver, u.id);
  });

  it('answers a wrong password with AUTH_FAILED and keeps the connection', async () => {
    const u = await user('wrong');
    const c = await imtp();
    const res = await c.login(u.name, 'not-the-password');
    assert.equal(res.state, Status.AUTH_FAILED);
    assert.equal(typeof res.info['message'], 'string');
    await c.heartbeat();
    assert.equal((await c.login(u.name, u.password)).state, Status.OK);
  });

  it('refuses a malformed login body with BAD_REQUEST', async () => {
    const c = await imtp();
    const from = c.frames.length;
    c.write({
      sender: 0n,
      receiver: 0n,
      group: false,
      cmd: ImtpCommand.LOGIN,
      body: new TextEncoder().encode('{"username":'),
    });
    const res = await c.next(from, (f) => f.cmd === ImtpCommand.LOGIN_RES, 'LOGIN_RES');
    assert.equal(res.body.at(-1), Status.BAD_REQUEST);
  });

  it('authenticates with a token (120 → -120)', async () => {
    const u = await user('token');
    const first = await imtp();
    const token = (await first.login(u.name, u.password)).info['token'];
    assert.ok(typeof token === 'string');
    await first.close();
    const c = await imtp();
    const res = await c.auth(token);
    assert.equal(res.state, Status.OK);
    assert.equal(res.info['id'], String(u.id));
    const bad = await imtp();
    assert.equal((await bad.auth('no-such-token')).state, Status.AUTH_FAILED);
  });

  it('is served over WebSocket at /ws/imtp (binary frames, same bytes)', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws/imtp`);
    sockets.push({
      destroy: () => {
        ws.terminate();
      },
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        resolve();
      });
      ws.once('error', reject);
    });
    const reply = new Promise<ImtpFrame>((resolve) => {
      const decoder = new ImtpDecoder();
      ws.on('message', (data: Buffer) => {
        decoder.push(new Uint8Array(data));
        const r = decoder.next();
        if (r.kind === 'frame') resolve(r.frame);
      });
    });
    ws.send(
      encodeImtpFrame({
        sender: 0n,
        receiver: 0n,
        group: false,
        cmd: ImtpCommand.HEARTBEAT,
        body: new Uint8Array(0),
      }),
    );
    assert.equal((await reply).cmd, ImtpCommand.HEARTBEAT_RES);
    ws.close();
  });

  it('answers heartbeats before and after login', async () => {
    const u = await user('beat');
    const c = await imtp();
    const before = await c.heartbeat();
    assert.equal(before.body.length, 0);
    assert.equal((await c.login(u.name, u.password)).state, Status.OK);
    const afterLogin = await c.heartbeat();
    assert.equal(afterLogin.receiver, u.id);
  });
});

describe('IMTP messaging', () => {
  it('IMTP → native direct message keeps non-ASCII and emoji text intact', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const a = await imtp(alice);
    const b = await native(bob);
    assert.equal(await a.send(ImtpCommand.TEXT, bob.id, TEXT, 1001n), Status.OK);
    const m = await pushed(b, (x) => contentOf(x).text === TEXT, 'the IMTP text on native');
    assert.equal(m.senderId, alice.id);
    assert.equal(m.conversation?.type, ConversationType.SINGLE);
    assert.equal(m.conversation.target, String(alice.id));
    assert.match(m.clientMsgId, /^imtp-1001-[\w-]{32}$/, 'ackId plus a hash of the body');
    assert.equal(contentOf(m).contentType, ContentType.TEXT);
  });

  it('native → IMTP direct message arrives as TEXT with sender, receiver, seq and server time', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const a = await imtp(alice);
    const b = await native(bob);
    const sent = await b.sendText(alice.id, TEXT, 'n-1');
    const m = await a.waitForMessage((x) => x.text === TEXT, 'the native text on IMTP');
    assert.equal(m.cmd, ImtpCommand.TEXT);
    assert.equal(m.sender, bob.id);
    assert.equal(m.receiver, alice.id);
    assert.equal(m.group, false);
    assert.equal(m.ackId, sent.seq);
    assert.equal(m.timestamp, sent.serverTime);
    // And the reply goes back the other way.
    assert.equal(await a.send(ImtpCommand.TEXT, bob.id, 'reply ✓', 1n), Status.OK);
    await pushed(b, (x) => contentOf(x).text === 'reply ✓', 'the reply');
  });

  it('group messages both ways (group bit, receiver = group id)', async () => {
    const owner = await user('owner');
    const alice = await user('alice');
    const o = await native(owner);
    const a = await imtp(alice);
    const info = await o.request(
      Command.GROUP_CREATE,
      GroupCreateRequestSchema,
      { name: 'imtp team', memberIds: [alice.id] },
      GroupInfoSchema,
    );
    const groupId = BigInt(info.groupId);
    assert.equal(await a.send(ImtpCommand.TEXT, groupId, `group ${TEXT}`, 5n, { group: true }), Status.OK);
    const m = await pushed(o, (x) => contentOf(x).text === `group ${TEXT}`, 'group message on native');
    assert.equal(m.conversation?.type, ConversationType.GROUP);
    assert.equal(m.conversation.target, info.groupId);
    await nativeSend(
      o,
      ConversationType.GROUP,
      groupId,
      { contentType: ContentType.TEXT, text: 'hello group' },
      'g-1',
    );
    const got = await a.waitForMessage((x) => x.text === 'hello group', 'group message on IMTP');
    assert.equal(got.group, true);
    assert.equal(got.receiver, groupId);
    assert.equal(got.sender, owner.id);
    // Group creation is a system event: a readable line.
    await a.waitForMessage((x) => x.text.startsWith('[system] '), 'the group-created line');
    // A group the user is not in is refused.
    assert.equal(await a.send(ImtpCommand.TEXT, groupId + 1n, 'nope', 6n, { group: true }), Status.NOT_FOUND);
  });

  it('acks after the commit and de-duplicates a retried ackId', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const a = await imtp(alice);
    const b = await native(bob);
    assert.equal(await a.send(ImtpCommand.TEXT, bob.id, 'once', 77n), Status.OK);
    // Committed by the time of the ack: a pull sees it.
    const page = await b.pull(String(alice.id), 1n);
    assert.deepEqual(
      page.messages.map((m) => contentOf(m).text),
      ['once'],
    );
    assert.equal(await a.send(ImtpCommand.TEXT, bob.id, 'once', 77n), Status.OK);
    const again = await b.pull(String(alice.id), 1n);
    assert.equal(again.messages.length, 1);
    await b.sendText(alice.id, 'marker', 'marker-1');
    await a.waitForMessage((x) => x.text === 'marker', 'marker');
    assert.equal(b.pushedMessages().filter((m) => contentOf(m).text === 'once').length, 1);
  });

  it('refuses a spoofed sender and messages before login', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const mallory = await user('mallory');
    const m = await imtp(mallory);
    const b = await native(bob);
    assert.equal(
      await m.send(ImtpCommand.TEXT, bob.id, 'I am alice', 9n, { sender: alice.id }),
      Status.FORBIDDEN,
    );
    const anon = await imtp();
    assert.equal(
      await anon.send(ImtpCommand.TEXT, bob.id, 'hi', 10n, { sender: alice.id }),
      Status.UNAUTHENTICATED,
    );
    const page = await b.sync();
    assert.equal(page.conversations.length, 0);
    assert.equal(b.pushedMessages().length, 0);
  });

  it('closes a connection with a bad checksum; other connections keep working', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const a = await imtp(alice);
    const bad = await imtp(bob);
    const frame = encodeImtpFrame({
      sender: bob.id,
      receiver: alice.id,
      group: false,
      cmd: ImtpCommand.TEXT,
      body: encodeImtpMessage({ text: 'corrupt', ackId: 1n, timestamp: 0n }),
    });
    frame[frame.length - 1] = (frame.at(-1) ?? 0) ^ 0xff;
    bad.writeRaw(frame);
    await bad.closed;
    assert.equal(bad.messages().length, 0);
    await a.heartbeat();
    const b2 = await native(bob);
    assert.equal(await a.send(ImtpCommand.TEXT, bob.id, 'still here', 2n), Status.OK);
    await pushed(b2, (x) => contentOf(x).text === 'still here', 'message after the fault');
    assert.equal(
      a.messages().some((x) => x.text === 'corrupt'),
      false,
    );
  });

  it('closes on a bad magic or version', async () => {
    const c1 = await imtp();
    const frame = encodeImtpFrame({
      sender: 0n,
      receiver: 0n,
      group: false,
      cmd: 127,
      body: new Uint8Array(0),
    });
    const wrongVersion = frame.slice();
    wrongVersion[1] = 2;
    c1.writeRaw(wrongVersion);
    await c1.closed;
    const c2 = await imtp();
    c2.writeRaw(frame);
    await c2.waitFor(() => c2.frames.length > 0, 'heartbeat');
    c2.writeRaw(new Uint8Array([0x00, 1, 2, 3]));
    await c2.closed;
  });

  it('delivers offline messages on login, then marks them read', async () => {
    const carol = await user('carol');
    const bob = await user('bob');
    const b = await native(bob);
    await b.sendText(carol.id, `first ${TEXT}`, 'off-1');
    await nativeSend(
      b,
      ConversationType.SINGLE,
      carol.id,
      { contentType: ContentType.FACE, text: '[:smile]' },
      'off-2',
    );
    const c = await imtp(carol);
    await c.waitFor(() => c.offlineMessages().length >= 2, 'offline delivery');
    const got = c.offlineMessages();
    assert.deepEqual(
      got.map((m) => [m.cmd, m.text, m.sender, m.receiver, m.ackId]),
      [
        [ImtpCommand.TEXT, `first ${TEXT}`, bob.id, carol.id, 1n],
        [ImtpCommand.MEME, '[:smile]', bob.id, carol.id, 2n],
      ],
    );
    // Read: asking again gives nothing.
    assert.deepEqual(await c.offline(), []);
    // A later absence is delivered on request too.
    await c.close();
    await b.sendText(carol.id, 'later', 'off-3');
    const again = await imtp(carol);
    await again.waitFor(() => again.offlineMessages().length === 1, 'second offline delivery');
    assert.equal(again.offlineMessages()[0]?.text, 'later');
  });

  it('maps VIDEO_CALL and the 40-47 block onto call signaling with a native peer', async () => {
    const u = await user('caller');
    const peer = await user('callee');
    const c = await imtp(u);
    const callee = await native(peer);
    const callsOf = (): CallSignal[] =>
      callee.notifications
        .filter((f) => f.command === Command.CALL)
        .map((f) => fromBinary(CallSignalSchema, f.body));
    assert.equal(
      await c.send(ImtpCommand.VIDEO_CALL, peer.id, 'offer-sdp', 41n, { metadata: { name: 'imtp-call-1' } }),
      Status.OK,
    );
    await callee.waitFor(() => callsOf().length === 1, 10_000, 'the native callee rings');
    const ring = callsOf()[0];
    assert.deepEqual(
      [ring?.callId, ring?.kind, ring?.media, ring?.payload, ring?.peerId],
      ['imtp-call-1', 'invite', 'video', 'offer-sdp', u.id],
    );
    // The callee answers over the native protocol; the IMTP caller gets ANSWER (41).
    const from = c.frames.length;
    await callee.request(
      Command.CALL,
      CallSignalSchema,
      { callId: 'imtp-call-1', peerId: u.id, kind: 'answer', payload: 'answer-sdp' },
      PingSchema,
    );
    const answer = await c.next(from, (f) => f.cmd === ImtpCallCommand.ANSWER, 'ANSWER frame');
    const body = decodeImtpMessage(answer.body);
    assert.equal(answer.sender, peer.id);
    assert.equal(body.text, 'answer-sdp');
    assert.equal(body.metadata?.name, 'imtp-call-1');
    assert.equal(
      await c.send(ImtpCallCommand.HANGUP, peer.id, '', 42n, { metadata: { name: 'imtp-call-1' } }),
      Status.OK,
    );
    await callee.waitFor(() => callsOf().some((x) => x.kind === 'hangup'), 10_000, 'hangup relayed');
    // A signal without a call id, or on a call that is gone, is refused.
    assert.equal(await c.send(ImtpCallCommand.ICE, peer.id, 'x', 43n), Status.BAD_REQUEST);
    assert.equal(
      await c.send(ImtpCallCommand.ICE, peer.id, 'x', 44n, { metadata: { name: 'imtp-call-1' } }),
      Status.NOT_FOUND,
    );
  });

  it('answers unsupported and unknown commands with an error state', async () => {
    const u = await user('calls');
    const peer = await user('peer');
    const c = await imtp(u);
    assert.equal(await c.send(48, peer.id, 'x', 33n), Status.UNSUPPORTED);
    assert.equal(await c.send(49, peer.id, 'x', 35n), Status.UNSUPPORTED);
    const from = c.frames.length;
    c.write({ sender: u.id, receiver: 0n, group: false, cmd: 99, body: new Uint8Array(0) });
    const res = await c.next(from, (f) => f.cmd === ImtpCommand.MSG_RES, 'MSG_RES');
    assert.equal(res.body[0], Status.UNKNOWN_COMMAND);
    // Sending to a user that does not exist.
    assert.equal(await c.send(ImtpCommand.TEXT, 123456789n, 'hello?', 34n), Status.NOT_FOUND);
    assert.equal(await c.send(ImtpCommand.TEXT, 0n, 'hello?', 35n), Status.BAD_REQUEST);
  });

  it('tells a replaced IMTP session why, then closes it', async () => {
    const u = await user('twice');
    const first = await imtp(u);
    await imtp(u);
    await first.closed;
    assert.ok(first.messages().some((m) => m.sender === 0n && m.text.startsWith('[signed out]')));
  });
});

describe('IMTP content mapping', () => {
  it('maps IMTP message commands to Parley content types', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const a = await imtp(alice);
    const b = await native(bob);
    const meta = {
      width: 640,
      height: 480,
      mediaType: 'image/png',
      size: 12345,
      name: 'photo.png',
      thumbnailUrl: 'https://cdn.example/t.png',
    };
    const cases: [number, string, number, object?][] = [
      [ImtpCommand.VOICE, 'https://cdn.example/v.amr', ContentType.SOUND, { duration: 3000 }],
      [ImtpCommand.MEME, '[:smile]', ContentType.FACE],
      [ImtpCommand.MEME, 'https://cdn.example/s.gif', ContentType.STICKER],
      [ImtpCommand.IMAGE, 'https://cdn.example/p.png', ContentType.IMAGE, meta],
      [
        ImtpCommand.VIDEO,
        'https://cdn.example/v.mp4',
        ContentType.VIDEO,
        { duration: 9000, previewUrl: 'https://cdn.example/pv.jpg' },
      ],
      [ImtpCommand.FILE, 'https://cdn.example/f.pdf', ContentType.FILE, { name: 'report.pdf', size: 99 }],
    ];
    let ack = 500n;
    for (const [cmd, text, type, metadata] of cases) {
      const state = await a.send(cmd, bob.id, text, ++ack, metadata === undefined ? {} : { metadata });
      assert.equal(state, Status.OK, `cmd ${cmd}`);
      const m = await pushed(b, (x) => x.clientMsgId.startsWith(`imtp-${ack}-`), `content of cmd ${cmd}`);
      const content = contentOf(m);
      assert.equal(content.contentType, type, `cmd ${cmd}`);
      if (type === ContentType.FACE) assert.equal(content.text, text);
      else assert.equal(content.media?.url, text);
    }
    const image = contentOf(await pushed(b, (x) => x.clientMsgId.startsWith('imtp-504-'), 'image'));
    assert.equal(image.media?.width, 640);
    assert.equal(image.media.height, 480);
    assert.equal(image.media.mime, 'image/png');
    assert.equal(image.media.size, 12345n);
    assert.equal(image.media.name, 'photo.png');
    assert.equal(image.media.thumbnailUrl, 'https://cdn.example/t.png');
    const voice = contentOf(await pushed(b, (x) => x.clientMsgId.startsWith('imtp-501-'), 'voice'));
    assert.equal(voice.media?.durationMs, 3000);
    const video = contentOf(await pushed(b, (x) => x.clientMsgId.startsWith('imtp-505-'), 'video'));
    assert.equal(video.media?.thumbnailUrl, 'https://cdn.example/pv.jpg');
    // Media without a URL is refused by core's validation.
    assert.equal(await a.send(ImtpCommand.IMAGE, bob.id, 'not a url', 600n), Status.BAD_REQUEST);
    // A malformed metadata block too.
    assert.equal(
      await a.send(ImtpCommand.IMAGE, bob.id, 'https://x/y', 601n, { metadata: { width: -1 } }),
      Status.BAD_REQUEST,
    );
  });

  it('renders Parley content for IMTP, readable lines for what it cannot express', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const a = await imtp(alice);
    const b = await native(bob);
    const send = (content: MessageInitShape<typeof MessageSchema>['messageContent'], id: string) =>
      nativeSend(b, ConversationType.SINGLE, alice.id, content, id);
    await send(
      {
        contentType: ContentType.IMAGE,
        media: {
          url: 'https://cdn.example/i.jpg',
          width: 10,
          height: 20,
          mime: 'image/jpeg',
          thumbnailUrl: 'https://cdn.example/ti.jpg',
          size: 77n,
        },
      },
      'r-img',
    );
    await send(
      { contentType: ContentType.SOUND, media: { url: 'https://cdn.example/s.amr', durationMs: 1500 } },
      'r-snd',
    );
    await send({ contentType: ContentType.STICKER, media: { url: 'https://cdn.example/st.gif' } }, 'r-stk');
    await send({ contentType: ContentType.FACE, text: '[:cry]' }, 'r-face');
    await send(
      { contentType: ContentType.FILE, media: { url: 'https://cdn.example/f.zip', name: 'f.zip', size: 5n } },
      'r-file',
    );
    await send(
      { contentType: ContentType.VIDEO, media: { url: 'https://cdn.example/v.mp4', durationMs: 2000 } },
      'r-vid',
    );
    await send(
      {
        contentType: ContentType.LOCATION,
        location: { latitude: 22.5, longitude: 113.9, title: '深圳湾公园' },
      },
      'r-loc',
    );
    await send({ contentType: ContentType.CUSTOM, customType: 'poll', pushContent: 'Lunch?' }, 'r-custom');
    const recallable = await b.sendText(alice.id, 'oops', 'r-oops');
    await b.request(
      Command.MR,
      RecallRequestSchema,
      { conversation: { type: ConversationType.SINGLE, target: String(alice.id) }, seq: recallable.seq },
      ChangeResultSchema,
    );
    await a.waitFor(() => a.messages().some((m) => m.text === '[recalled a message]'), 'recall line');
    const byText = (t: string): ImtpReceived => {
      const m = a.messages().find((x) => x.text === t);
      assert.ok(m, t);
      return m;
    };
    const img = byText('https://cdn.example/i.jpg');
    assert.equal(img.cmd, ImtpCommand.IMAGE);
    assert.deepEqual(img.metadata, {
      width: 10,
      height: 20,
      mediaType: 'image/jpeg',
      size: 77,
      thumbnailUrl: 'https://cdn.example/ti.jpg',
      previewUrl: 'https://cdn.example/ti.jpg',
    });
    const snd = byText('https://cdn.example/s.amr');
    assert.equal(snd.cmd, ImtpCommand.VOICE);
    assert.equal(snd.metadata?.duration, 1500);
    assert.equal(byText('https://cdn.example/st.gif').cmd, ImtpCommand.MEME);
    assert.equal(byText('[:cry]').cmd, ImtpCommand.MEME);
    const file = byText('https://cdn.example/f.zip');
    assert.equal(file.cmd, ImtpCommand.FILE);
    assert.equal(file.metadata?.name, 'f.zip');
    assert.equal(byText('https://cdn.example/v.mp4').cmd, ImtpCommand.VIDEO);
    assert.equal(byText('[location] 深圳湾公园 22.5,113.9').cmd, ImtpCommand.TEXT);
    assert.equal(byText('[poll] Lunch?').cmd, ImtpCommand.TEXT);
    assert.equal(byText('[recalled a message]').sender, bob.id);
  });

  it('drops typing, read and presence events (IMTP has no frames for them)', async () => {
    const alice = await user('alice');
    const bob = await user('bob');
    const a = await imtp(alice);
    const b = await native(bob);
    await nativeSend(b, ConversationType.SINGLE, alice.id, { contentType: ContentType.TYPING }, 'typing-1');
    await b.sendText(alice.id, 'after typing', 'typing-2');
    await a.waitForMessage((m) => m.text === 'after typing', 'text after typing');
    const kinds = new Set(a.frames.map((f) => f.cmd));
    assert.deepEqual(
      [...kinds].sort((x, y) => x - y),
      [ImtpCommand.LOGIN_RES, ImtpCommand.TEXT].sort((x, y) => x - y),
    );
  });
});

describe('IMTP in large groups (notify, then pull)', () => {
  let big: InProcessServer;
  before(async () => {
    big = await startTestServer({ PARLEY_GROUP_NOTIFY_THRESHOLD: '2' });
    big.app.gateway.register(Dialect.IMTP, createImtpConnection);
  });
  after(async () => {
    await big.stop();
  });

  it('pulls and delivers what a notify announces, without echoing its own sends', async () => {
    const make = async (name: string): Promise<User> => {
      const c = await NativeTestClient.connect(big.port);
      const id = await c.register(name, `${name}-password`);
      await c.close();
      return { id, name, password: `${name}-password` };
    };
    const owner = await make('bigowner');
    const alice = await make('bigalice');
    const bob = await make('bigbob');
    const o = await NativeTestClient.connect(big.port);
    sockets.push(o);
    await o.login(owner.name, owner.password, 'owner-web', Platform.WEB);
    const info = await o.request(
      Command.GROUP_CREATE,
      GroupCreateRequestSchema,
      { name: 'big', memberIds: [alice.id, bob.id] },
      GroupInfoSchema,
    );
    const groupId = BigInt(info.groupId);
    const a = await ImtpTestClient.connect(big.port);
    sockets.push(a);
    assert.equal((await a.login(alice.name, alice.password)).state, Status.OK);
    assert.equal(await a.send(ImtpCommand.TEXT, groupId, 'mine', 1n, { group: true }), Status.OK);
    for (const [i, text] of ['big one', 'big two 🎉'].entries()) {
      await nativeSend(
        o,
        ConversationType.GROUP,
        groupId,
        { contentType: ContentType.TEXT, text },
        `big-${i}`,
      );
    }
    await a.waitFor(() => a.messages().some((m) => m.text === 'big two 🎉'), 'notified messages');
    const texts = a.messages().filter((m) => m.group && m.receiver === groupId && m.sender === owner.id);
    assert.deepEqual(
      texts.filter((m) => !m.text.startsWith('[system]')).map((m) => m.text),
      ['big one', 'big two 🎉'],
    );
    assert.equal(
      a.messages().some((m) => m.text === 'mine'),
      false,
    );
  });
});
