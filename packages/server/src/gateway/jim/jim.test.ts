import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import {
  ChangeResultSchema,
  Command,
  ContentType,
  ConversationType,
  GroupCreateRequestSchema,
  GroupInfoSchema,
  JimCommand,
  JimDecoder,
  MessageSchema,
  Platform,
  RecallRequestSchema,
  SendResultSchema,
  Status,
  encodeJimAuth,
  encodeJimBody,
  encodeJimFrame,
  parseJimAuthOk,
  parseJimBody,
  parseJimStatus,
  type JimBody,
  type JimFrame,
  type JimMessageBody,
  type Message,
  type MessageContent,
} from '@parley/protocol';
import { NativeTestClient, rejectsWithStatus, startTestServer, type InProcessServer } from '@parley/testkit';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { MessageContentSchema } from '@parley/protocol';
import { Dialect } from '../dialect.js';
import { createJimConnection } from './jim-connection.js';

const enc = new TextEncoder();

/** A tiny Jim client: real TCP, frames logged in order, waiters. */
class JimTestClient {
  readonly frames: JimFrame[] = [];
  private readonly decoder = new JimDecoder({ maxBodyLength: 16 * 1024 * 1024 - 1 });
  private readonly waiters: (() => void)[] = [];
  private nextId = 1;
  closedFlag = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let r = this.decoder.next(); r.kind === 'frame'; r = this.decoder.next()) {
        this.frames.push(r.frame);
        this.wake();
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.closedFlag = true;
        this.wake();
        resolve();
      });
    });
  }

  static async connect(port: number): Promise<JimTestClient> {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new JimTestClient(socket);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(command: string, body: Uint8Array, requestId = this.nextId++): number {
    this.socket.write(encodeJimFrame({ command, requestId, body }));
    return requestId;
  }

  /** Sends a request and waits for the first frame answering its id (any command). */
  async request(command: string, body: Uint8Array, requestId = this.nextId++): Promise<JimFrame> {
    const seen = this.frames.length;
    this.send(command, body, requestId);
    await this.waitFor(
      () => this.frames.slice(seen).some((f) => f.requestId === requestId),
      `answer to ${command} #${requestId}`,
    );
    const frame = this.frames.slice(seen).find((f) => f.requestId === requestId);
    assert.ok(frame !== undefined);
    return frame;
  }

  async auth(token: string, clientId: string): Promise<JimFrame> {
    return this.request(JimCommand.AUTH, encodeJimAuth({ clientId, token }));
  }

  /** A PING round trip: everything the server wrote before its PONG is in `frames` after it. */
  async ping(): Promise<void> {
    const answer = await this.request(JimCommand.PING, new Uint8Array(0));
    assert.equal(answer.command, JimCommand.PONG);
  }

  /** Pushed frames (request id 0) of a command, bodies parsed. */
  pushed(command: string): JimBody[] {
    return this.frames
      .filter((f) => f.command === command && f.requestId === 0)
      .map((f) => parseJimBody(f.body));
  }

  async waitPushed(command: string, count: number): Promise<JimBody[]> {
    await this.waitFor(() => this.pushed(command).length >= count, `${count} × ${command}`);
    return this.pushed(command);
  }

  /** Sends a message body; resolves with the answer frame (ack or B103 error notice). */
  sendBody(command: string, body: JimBody | string, requestId?: number): Promise<JimFrame> {
    const bytes = typeof body === 'string' ? enc.encode(body) : encodeJimBody(body);
    return this.request(command, bytes, requestId);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

interface NativeUser {
  readonly id: bigint;
  readonly name: string;
  readonly client: NativeTestClient;
}

interface JimUser {
  readonly id: bigint;
  readonly name: string;
  readonly token: string;
}

const envelopeOf = (receiverId: string) => ({ senderId: '', senderName: '', senderAvatar: '', receiverId });

/** One body of every Jim type, with valid urls (core checks them). */
function everyType(receiverId: string): JimMessageBody[] {
  const e = envelopeOf(receiverId);
  return [
    { type: 'text', data: { ...e, content: 'héllo — 你好 👋🏽 🇯🇵' } },
    { type: 'face', data: { ...e, symbol: '[:smile]' } },
    { type: 'sound', data: { ...e, url: 'https://example.com/a.mp3', size: 10240, seconds: 36 } },
    {
      type: 'image',
      data: {
        ...e,
        format: 2,
        size: 10240,
        width: 500,
        height: 700,
        iconUrl: 'https://example.com/i.png',
        bigUrl: 'https://example.com/b.png',
      },
    },
    {
      type: 'file',
      data: {
        ...e,
        size: 10240,
        name: 'a.docx',
        format: 1,
        thumbUrl: 'https://example.com/a.png',
        url: 'https://example.com/a.docx',
      },
    },
    {
      type: 'video',
      data: {
        ...e,
        size: 10240,
        seconds: 3600,
        url: 'https://example.com/a.mp4',
        format: 0,
        thumbUrl: 'https://example.com/a.png',
        thumbSize: 1024,
        thumbWidth: 500,
        thumbHeight: 700,
        thumbFormat: 2,
      },
    },
    {
      type: 'location',
      data: {
        ...e,
        coverImage: 'https://example.com/map.png',
        lat: 22.5,
        lng: 113.9,
        mapLink: 'https://j.map.baidu.com/8f/Q44c',
        desc: '深圳湾公园',
      },
    },
  ];
}

/** The same contents as native MessageContent. */
const nativeContents: MessageInitShape<typeof MessageContentSchema>[] = [
  { contentType: ContentType.TEXT, text: 'native — 日本語 🎉' },
  { contentType: ContentType.FACE, text: '[:cry]' },
  {
    contentType: ContentType.SOUND,
    media: { url: 'https://example.com/s.ogg', size: 99n, durationMs: 4000 },
  },
  {
    contentType: ContentType.IMAGE,
    media: {
      url: 'https://example.com/p.gif',
      size: 5n,
      mime: 'image/gif',
      width: 10,
      height: 20,
      thumbnailUrl: 'https://example.com/t.gif',
    },
  },
  {
    contentType: ContentType.FILE,
    media: { url: 'https://example.com/f.xls', size: 7n, mime: 'application/vnd.ms-excel', name: 'f.xls' },
  },
  {
    contentType: ContentType.VIDEO,
    media: {
      url: 'https://example.com/v.mkv',
      size: 8n,
      mime: 'video/x-matroska',
      durationMs: 12000,
      thumbnailUrl: 'https://example.com/v.jpg',
      thumbnailSize: 3n,
      thumbnailWidth: 4,
      thumbnailHeight: 5,
    },
  },
  {
    contentType: ContentType.LOCATION,
    location: { latitude: -33.8, longitude: 151.2, title: 'Sydney', mapUrl: 'https://maps.example/s' },
  },
  { contentType: ContentType.CUSTOM, customType: 'poll', pushContent: 'a poll: lunch?' },
];

void describe('Jim dialect over TCP', () => {
  let server: InProcessServer;
  const natives: NativeTestClient[] = [];
  const jims: JimTestClient[] = [];
  let n = 0;

  before(async () => {
    server = await startTestServer({ PARLEY_GROUP_NOTIFY_THRESHOLD: '3' });
    server.app.gateway.register(Dialect.JIM, createJimConnection);
  });

  after(async () => {
    for (const c of natives) c.destroy();
    for (const c of jims) c.destroy();
    await server.stop();
  });

  async function nativeUser(prefix: string): Promise<NativeUser> {
    const name = `${prefix}${++n}`;
    const client = await NativeTestClient.connect(server.port);
    natives.push(client);
    const id = await client.register(name, `${name}-password`);
    await client.login(name, `${name}-password`, `${name}-pc`, Platform.PC);
    return { id, name, client };
  }

  /** A user whose token was issued (over the native protocol) to a mobile device. */
  async function jimUser(prefix: string): Promise<JimUser> {
    const name = `${prefix}${++n}`;
    const client = await NativeTestClient.connect(server.port);
    const id = await client.register(name, `${name}-password`);
    const login = await client.login(name, `${name}-password`, `${name}-phone`, Platform.MOBILE);
    await client.close();
    return { id, name, token: login.token };
  }

  async function jimClient(user?: JimUser, clientId = 'c1'): Promise<JimTestClient> {
    const c = await JimTestClient.connect(server.port);
    jims.push(c);
    if (user !== undefined) {
      const answer = await c.auth(user.token, clientId);
      assert.equal(answer.command, JimCommand.AUTH_OK, new TextDecoder().decode(answer.body));
    }
    return c;
  }

  function sendNative(
    from: NativeUser,
    type: number,
    target: string,
    content: MessageInitShape<typeof MessageContentSchema>,
    id: string,
  ) {
    return from.client.request(
      Command.MS,
      MessageSchema,
      { clientMsgId: id, conversation: { type, target }, messageContent: content },
      SendResultSchema,
    );
  }

  async function nativePushes(user: NativeUser, count: number): Promise<Message[]> {
    await user.client.waitFor(() => user.client.pushedMessages().length >= count, 5000, `${count} pushes`);
    return user.client.pushedMessages();
  }

  function noticeOf(frame: JimFrame): { content: string; code: number | undefined } {
    assert.equal(frame.command, JimCommand.PUSH);
    const body = parseJimBody(frame.body);
    assert.equal(body.type, 'text');
    return { content: body.data.content, code: body.data.code };
  }

  void it('authenticates with a token (B002) and refuses bad ones (B003)', async () => {
    const alice = await jimUser('auth');
    const c = await jimClient();
    const ok = await c.auth(alice.token, 'phone-1');
    assert.equal(ok.command, JimCommand.AUTH_OK);
    assert.deepEqual(parseJimAuthOk(ok.body), { userId: String(alice.id), username: alice.name });

    const d = await jimClient();
    const bad = await d.auth('not-a-token', 'x');
    assert.equal(bad.command, JimCommand.AUTH_FAIL);
    assert.equal(parseJimStatus(bad.body).code, Status.AUTH_FAILED);
    const malformed = await d.request(JimCommand.AUTH, enc.encode('{"client_id":"x"}'));
    assert.equal(malformed.command, JimCommand.AUTH_FAIL);
    assert.equal(parseJimStatus(malformed.body).code, Status.BAD_REQUEST);
    // Before B002 a message is refused with a B103 notice; the connection stays.
    const early = await d.sendBody(JimCommand.C2C, everyType(String(alice.id))[0] ?? '');
    assert.equal(noticeOf(early).code, Status.UNAUTHENTICATED);
    await d.ping();
    const unknown = await d.request('ZZ99', new Uint8Array(0));
    assert.equal(noticeOf(unknown).code, Status.UNKNOWN_COMMAND);
  });

  void it('answers A001 with A002, before and after B002', async () => {
    const c = await jimClient();
    const pong = await c.request(JimCommand.PING, new Uint8Array(0), 4242);
    assert.equal(pong.command, JimCommand.PONG);
    assert.equal(pong.requestId, 4242);
    const u = await jimUser('ping');
    await c.auth(u.token, 'c');
    await c.ping();
  });

  void it('carries direct messages Jim ↔ native with non-ASCII and emoji intact', async () => {
    const bob = await nativeUser('dbob');
    const alice = await jimUser('dalice');
    const jim = await jimClient(alice, 'alice-phone');
    const text = 'Grüße, 世界! 👩‍👩‍👧‍👦 🇨🇭';
    const ack = await jim.sendBody(JimCommand.C2C, {
      type: 'text',
      data: { ...envelopeOf(String(bob.id)), content: text },
    });
    assert.equal(ack.command, JimCommand.C2C);
    const ackBody = parseJimBody(ack.body);
    assert.equal(ackBody.type, 'ack');
    const [pushed] = await nativePushes(bob, 1);
    assert.equal(pushed?.messageContent?.text, text);
    assert.equal(pushed.senderId, alice.id);
    assert.equal(String(pushed.messageId), ackBody.data.messageId);
    assert.equal(ackBody.data.receiverId, String(bob.id));

    await sendNative(
      bob,
      ConversationType.SINGLE,
      String(alice.id),
      { contentType: ContentType.TEXT, text: `re: ${text}` },
      'b1',
    );
    const [reply] = await jim.waitPushed(JimCommand.C2C, 1);
    assert.deepEqual(reply, {
      type: 'text',
      data: {
        senderId: String(bob.id),
        senderName: bob.name,
        senderAvatar: '',
        receiverId: String(alice.id),
        content: `re: ${text}`,
      },
    });
  });

  void it('acks after the commit, with the same message on a retried request id', async () => {
    const bob = await nativeUser('abob');
    const alice = await jimUser('aalice');
    const jim = await jimClient(alice, 'dev-A');
    const body: JimBody = { type: 'text', data: { ...envelopeOf(String(bob.id)), content: 'once' } };
    const first = parseJimBody((await jim.sendBody(JimCommand.C2C, body, 77)).body);
    const retry = parseJimBody((await jim.sendBody(JimCommand.C2C, body, 77)).body);
    assert.equal(first.type, 'ack');
    assert.deepEqual(retry, first);
    assert.deepEqual(first.data, {
      receiverId: String(bob.id),
      requestId: 77,
      messageId: first.data.messageId,
    });
    assert.match(first.data.messageId, /^[1-9][0-9]*$/);
    // Committed before the ack: the peer can pull it right away.
    const pulled = await bob.client.pull(String(alice.id), 1n);
    assert.deepEqual(
      pulled.messages.map((m) => String(m.messageId)),
      [first.data.messageId],
    );
    await bob.client.requestFrame(Command.PING, new Uint8Array(0));
    assert.equal(bob.client.pushedMessages().length, 1, 'the retry is not pushed again');
    // Another request id is another message.
    const other = parseJimBody((await jim.sendBody(JimCommand.C2C, body, 78)).body);
    assert.notDeepEqual(other, first);
  });

  void it('refuses a body that claims another sender', async () => {
    const bob = await nativeUser('sbob');
    const alice = await jimUser('salice');
    const jim = await jimClient(alice);
    const answer = await jim.sendBody(JimCommand.C2C, {
      type: 'text',
      data: { ...envelopeOf(String(bob.id)), senderId: String(bob.id), content: 'I am bob' },
    });
    assert.equal(noticeOf(answer).code, Status.FORBIDDEN);
    // Nothing was stored: the conversation does not even exist.
    await rejectsWithStatus(bob.client.pull(String(alice.id), 1n), Status.NOT_FOUND, 'pull');
    // Its own id (or none) is fine.
    const ok = await jim.sendBody(JimCommand.C2C, {
      type: 'text',
      data: {
        ...envelopeOf(String(bob.id)),
        senderId: String(alice.id),
        senderName: 'whatever',
        content: 'me',
      },
    });
    assert.equal(parseJimBody(ok.body).type, 'ack');
    const [m] = await nativePushes(bob, 1);
    assert.equal(m?.senderId, alice.id);
  });

  void it('maps every content type Jim → native and native → Jim', async () => {
    const bob = await nativeUser('cbob');
    const alice = await jimUser('calice');
    const jim = await jimClient(alice);
    const bodies = everyType(String(bob.id));
    for (const body of bodies) {
      const ack = await jim.sendBody(JimCommand.C2C, body);
      assert.equal(parseJimBody(ack.body).type, 'ack', `${body.type}: ${new TextDecoder().decode(ack.body)}`);
    }
    const got = (await nativePushes(bob, bodies.length)).map((m) => m.messageContent);
    const [text, face, sound, image, file, video, location] = got as MessageContent[];
    assert.equal(text?.contentType, ContentType.TEXT);
    assert.equal(text.text, 'héllo — 你好 👋🏽 🇯🇵');
    assert.deepEqual([face?.contentType, face?.text], [ContentType.FACE, '[:smile]']);
    assert.equal(sound?.contentType, ContentType.SOUND);
    assert.deepEqual(
      [sound.media?.url, sound.media?.size, sound.media?.durationMs],
      ['https://example.com/a.mp3', 10240n, 36000],
    );
    assert.equal(image?.contentType, ContentType.IMAGE);
    assert.deepEqual(
      [
        image.media?.url,
        image.media?.thumbnailUrl,
        image.media?.mime,
        image.media?.width,
        image.media?.height,
      ],
      ['https://example.com/b.png', 'https://example.com/i.png', 'image/png', 500, 700],
    );
    assert.equal(file?.contentType, ContentType.FILE);
    assert.deepEqual(
      [file.media?.name, file.media?.url, file.media?.thumbnailUrl, file.media?.mime],
      [
        'a.docx',
        'https://example.com/a.docx',
        'https://example.com/a.png',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ],
    );
    assert.equal(video?.contentType, ContentType.VIDEO);
    assert.deepEqual(
      [video.media?.mime, video.media?.durationMs, video.media?.thumbnailSize, video.media?.thumbnailWidth],
      ['video/mp4', 3_600_000, 1024n, 500],
    );
    assert.equal(location?.contentType, ContentType.LOCATION);
    assert.deepEqual(
      [
        location.location?.latitude,
        location.location?.longitude,
        location.location?.title,
        location.location?.mapUrl,
        location.location?.coverUrl,
      ],
      [22.5, 113.9, '深圳湾公园', 'https://j.map.baidu.com/8f/Q44c', 'https://example.com/map.png'],
    );

    // native → Jim
    for (const [i, content] of nativeContents.entries()) {
      await sendNative(bob, ConversationType.SINGLE, String(alice.id), content, `nc${i}`);
    }
    await jim.waitFor(
      () => jim.pushed(JimCommand.C2C).length + jim.pushed(JimCommand.PUSH).length >= nativeContents.length,
      'every native content',
    );
    const data = jim.pushed(JimCommand.C2C).map((b) => ({ type: b.type, ...b.data }));
    const common = {
      senderId: String(bob.id),
      senderName: bob.name,
      senderAvatar: '',
      receiverId: String(alice.id),
    };
    assert.deepEqual(data, [
      { type: 'text', ...common, content: 'native — 日本語 🎉' },
      { type: 'face', ...common, symbol: '[:cry]' },
      { type: 'sound', ...common, url: 'https://example.com/s.ogg', size: 99, seconds: 4 },
      {
        type: 'image',
        ...common,
        format: 1,
        size: 5,
        width: 10,
        height: 20,
        iconUrl: 'https://example.com/t.gif',
        bigUrl: 'https://example.com/p.gif',
      },
      {
        type: 'file',
        ...common,
        size: 7,
        name: 'f.xls',
        format: 3,
        thumbUrl: '',
        url: 'https://example.com/f.xls',
      },
      {
        type: 'video',
        ...common,
        size: 8,
        seconds: 12,
        url: 'https://example.com/v.mkv',
        format: 5,
        thumbUrl: 'https://example.com/v.jpg',
        thumbSize: 3,
        thumbWidth: 4,
        thumbHeight: 5,
        thumbFormat: 0,
      },
      {
        type: 'location',
        ...common,
        coverImage: '',
        lat: -33.8,
        lng: 151.2,
        mapLink: 'https://maps.example/s',
        desc: 'Sydney',
      },
    ]);
    // Custom content has no Jim type: a readable B103 notice.
    const [notice] = jim.pushed(JimCommand.PUSH);
    assert.deepEqual(notice, { type: 'text', data: { ...common, content: '[poll] a poll: lunch?' } });
  });

  void it('round-trips every content type Jim → Jim', async () => {
    const alice = await jimUser('jalice');
    const carol = await jimUser('jcarol');
    const a = await jimClient(alice);
    const c = await jimClient(carol);
    const bodies = everyType(String(carol.id));
    for (const body of bodies)
      assert.equal(parseJimBody((await a.sendBody(JimCommand.C2C, body)).body).type, 'ack');
    const got = await c.waitPushed(JimCommand.C2C, bodies.length);
    assert.deepEqual(
      got,
      bodies.map((b) => ({ ...b, data: { ...b.data, senderId: String(alice.id), senderName: alice.name } })),
    );
  });

  void it("accepts the seed's image keys that end in a space", async () => {
    const bob = await nativeUser('ibob');
    const alice = await jimUser('ialice');
    const jim = await jimClient(alice);
    const line = `{"type":"image","data":{"sender_id":"${alice.id}","sender_name":"用户1","sender_avatar":"https://x.example/a.png","receiver_id":"${bob.id}","format":0,"size ":10240,"width ":500,"height ":700,"icon_url ":"https://www.baidu.com/img/icon.png","big_url ":"https://www.baidu.com/img/big.jpg"}}`;
    const ack = await jim.sendBody(JimCommand.C2C, line);
    assert.equal(parseJimBody(ack.body).type, 'ack');
    const [m] = await nativePushes(bob, 1);
    const media = m?.messageContent?.media;
    assert.deepEqual(
      [media?.url, media?.thumbnailUrl, media?.size, media?.width, media?.height, media?.mime],
      [
        'https://www.baidu.com/img/big.jpg',
        'https://www.baidu.com/img/icon.png',
        10240n,
        500,
        700,
        'image/jpeg',
      ],
    );
    // The seed's location example swaps lat and lng; it is read the right way round.
    const loc = `{"type":"location","data":{"receiver_id":"${bob.id}","cover_image":"https://x.example/c.png","lat":116.5319,"lng":40.016465,"map_link":"https://j.map.baidu.com/8f/Q44c","desc":"深圳湾公园"}}`;
    assert.equal(parseJimBody((await jim.sendBody(JimCommand.C2C, loc)).body).type, 'ack');
    const [, l] = await nativePushes(bob, 2);
    assert.deepEqual(
      [l?.messageContent?.location?.latitude, l?.messageContent?.location?.longitude],
      [40.016465, 116.5319],
    );
  });

  void it('sends group messages (B102) to the members, and shows group events as B103', async () => {
    const owner = await nativeUser('gowner');
    const alice = await jimUser('galice');
    const group = await owner.client.request(
      Command.GROUP_CREATE,
      GroupCreateRequestSchema,
      { name: 'team', memberIds: [alice.id] },
      GroupInfoSchema,
    );
    const jim = await jimClient(alice);
    const ack = await jim.sendBody(JimCommand.C2G, {
      type: 'text',
      data: { ...envelopeOf(group.groupId), content: 'hi team 👋' },
    });
    assert.equal(ack.command, JimCommand.C2G);
    assert.equal(parseJimBody(ack.body).type, 'ack');
    const pushed = await nativePushes(owner, 1);
    const last = pushed.at(-1);
    assert.deepEqual(
      [last?.conversation?.type, last?.conversation?.target, last?.messageContent?.text],
      [ConversationType.GROUP, group.groupId, 'hi team 👋'],
    );

    const sent = await sendNative(
      owner,
      ConversationType.GROUP,
      group.groupId,
      { contentType: ContentType.TEXT, text: 'welcome' },
      'g1',
    );
    const [g] = await jim.waitPushed(JimCommand.C2G, 1);
    assert.deepEqual(g, {
      type: 'text',
      data: {
        senderId: String(owner.id),
        senderName: owner.name,
        senderAvatar: '',
        receiverId: group.groupId,
        content: 'welcome',
      },
    });
    // A recall is a system event: a readable notice.
    await owner.client.request(
      Command.MR,
      RecallRequestSchema,
      {
        conversation: { type: ConversationType.GROUP, target: group.groupId },
        seq: sent.seq,
        messageId: sent.messageId,
      },
      ChangeResultSchema,
    );
    await jim.waitFor(
      () => jim.pushed(JimCommand.PUSH).some((b) => b.type === 'text' && b.data.content.includes('recalled')),
      'recall notice',
    );
    const notice = jim.pushed(JimCommand.PUSH).at(-1);
    assert.equal(notice?.type, 'text');
    assert.match(notice.data.content, /recalled/);
    assert.equal(notice.data.receiverId, group.groupId);
    // A non-member cannot post.
    const stranger = await jimUser('gstranger');
    const s = await jimClient(stranger);
    const refused = await s.sendBody(JimCommand.C2G, {
      type: 'text',
      data: { ...envelopeOf(group.groupId), content: 'x' },
    });
    assert.equal(noticeOf(refused).code, Status.NOT_FOUND);
  });

  void it('pulls and delivers big-group messages announced by a notify (MN)', async () => {
    const owner = await nativeUser('bowner');
    const m1 = await nativeUser('bm');
    const m2 = await nativeUser('bm');
    const alice = await jimUser('balice');
    const group = await owner.client.request(
      Command.GROUP_CREATE,
      GroupCreateRequestSchema,
      { name: 'big', memberIds: [alice.id, m1.id, m2.id] },
      GroupInfoSchema,
    );
    const jim = await jimClient(alice);
    for (const text of ['one', 'two', 'three']) {
      await sendNative(
        owner,
        ConversationType.GROUP,
        group.groupId,
        { contentType: ContentType.TEXT, text },
        `big-${text}`,
      );
    }
    const got = await jim.waitPushed(JimCommand.C2G, 3);
    assert.deepEqual(
      got.map((b) => (b.type === 'text' ? b.data.content : b.type)),
      ['one', 'two', 'three'],
    );
    await jim.ping();
    assert.equal(jim.pushed(JimCommand.C2G).length, 3, 'nothing twice');
  });

  void it('closes only the connection that sends a bad frame', async () => {
    const bob = await nativeUser('fbob');
    const alice = await jimUser('falice');
    const carol = await jimUser('fcarol');
    const bad = await jimClient(alice);
    const good = await jimClient(carol);
    for (const garbage of [
      enc.encode('jim2A0010000'),
      new Uint8Array([...enc.encode('jim1A-01'), 0, 0, 0, 1, 0, 0, 0, 0]),
      new Uint8Array([...enc.encode('jim1B101'), 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]),
    ]) {
      // The first bytes choose the dialect, so the garbage follows a valid frame.
      const victim = await jimClient();
      await victim.ping();
      victim.socket.write(garbage);
      await victim.closed;
      const close = victim.frames.find((f) => f.command === JimCommand.SERVER_CLOSE);
      assert.ok(close !== undefined, 'A999 before the close');
      assert.notEqual(parseJimStatus(close.body).code, Status.OK);
    }
    await bad.ping();
    bad.socket.write(enc.encode('nonsense'));
    await bad.closed;
    await good.ping();
    const ack = await good.sendBody(JimCommand.C2C, {
      type: 'text',
      data: { ...envelopeOf(String(bob.id)), content: 'still here' },
    });
    assert.equal(parseJimBody(ack.body).type, 'ack');
    // A bad body (not a bad frame) is answered and the connection stays.
    const refused = await good.sendBody(JimCommand.C2C, '{"type":"text","data":');
    assert.equal(noticeOf(refused).code, Status.BAD_REQUEST);
    await good.ping();
  });

  void it('delivers unread messages right after B002, once', async () => {
    const bob = await nativeUser('obob');
    const alice = await jimUser('oalice');
    for (const [i, text] of ['first', 'second 🚀', 'third'].entries()) {
      await sendNative(
        bob,
        ConversationType.SINGLE,
        String(alice.id),
        { contentType: ContentType.TEXT, text },
        `o-${i}`,
      );
    }
    const jim = await jimClient(alice);
    const got = await jim.waitPushed(JimCommand.C2C, 3);
    assert.deepEqual(
      got.map((b) => (b.type === 'text' ? b.data.content : '')),
      ['first', 'second 🚀', 'third'],
    );
    const authIndex = jim.frames.findIndex((f) => f.command === JimCommand.AUTH_OK);
    const firstPush = jim.frames.findIndex((f) => f.command === JimCommand.C2C);
    assert.ok(authIndex < firstPush, 'B002 comes first');
    // Delivered counts as read: the next login gets nothing again.
    await jim.ping();
    jim.send(JimCommand.CLIENT_CLOSE, new Uint8Array(0));
    await jim.closed;
    await bob.client.waitFor(
      () => bob.client.notifications.some((f) => f.command === Command.READ),
      5000,
      'read notice',
    );
    const again = await jimClient(alice);
    await again.ping();
    await new Promise((r) => setTimeout(r, 100));
    await again.ping();
    assert.equal(again.pushed(JimCommand.C2C).length, 0);
  });

  void it('kicks an older session of the same device class, and logs out (B004)', async () => {
    const alice = await jimUser('kalice');
    const first = await jimClient(alice, 'k1');
    await jimClient(alice, 'k2');
    await first.closed;
    const kicked = first.frames.filter((f) => f.requestId === 0);
    assert.equal(kicked.at(-2)?.command, JimCommand.PUSH);
    assert.equal(kicked.at(-1)?.command, JimCommand.SERVER_CLOSE);
    assert.equal(parseJimStatus(kicked.at(-1)?.body ?? new Uint8Array()).code, Status.KICKED);

    const bob = await jimUser('kbob');
    const c = await jimClient(bob);
    c.send(JimCommand.LOGOUT, new Uint8Array(0));
    await c.closed;
    const bye = c.frames.at(-1);
    assert.equal(bye?.command, JimCommand.SERVER_CLOSE);
    assert.equal(parseJimStatus(bye.body).code, Status.OK);
    const d = await jimClient();
    const refused = await d.auth(bob.token, 'again');
    assert.equal(refused.command, JimCommand.AUTH_FAIL);
    assert.equal(parseJimStatus(refused.body).code, Status.TOKEN_REVOKED);
  });
});
