/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  Command,
  ContentType,
  DisconnectSchema,
  ConversationType,
  Encryption,
  Flow,
  FrameDecoder,
  HEADER_LENGTH,
  LoginRequestSchema,
  MessageContentSchema,
  MessageSchema,
  Platform,
  PullResponseSchema,
  PullRequestSchema,
  SearchRequestSchema,
  SearchResponseSchema,
  SendResultSchema,
  Status,
  encodeFrame,
  importServerPublicKey,
  type WebSessionCipher,
  makeFlags,
  parseFlags,
  readHeader,
  sealRsaLogin,
  type Frame,
  type Message,
  type ServerPublicKey,
} from '@parley/protocol';
import {
  ConnectionState,
  EndToEnd,
  ParleyClient,
  direct,
  generateE2eKeyPair,
  webSocketTransport,
  type E2eMessageEvent,
  type TransportFactory,
} from '@parley/sdk/node';
import { tcpTransport } from '@parley/sdk/node';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';
import { HttpTestClient } from '../http/http-test-client.js';
import { GENERATED_KEY_FILE } from '../gateway/native/server-keyring.js';

/**
 * Issue 10, acceptance 1 (the encryption flags): an SDK client logs in with RSA and talks AES
 * while chatting with a plain client; frames tampered or replayed in transit are refused and the
 * connection closed; an end-to-end message is stored only as ciphertext (read back from the
 * SQLite file) and the recipient's SDK shows it decrypted.
 */

const PASSWORD = 'secret123';

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function allFrames(chunks: readonly Uint8Array[]): Frame[] {
  const decoder = new FrameDecoder({ maxBodyLength: 16 * 1024 * 1024 - 1 });
  for (const c of chunks) decoder.push(c);
  const frames: Frame[] = [];
  for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) frames.push(r.frame);
  return frames;
}

function contains(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle, 'utf8'));
}

/** A transport that keeps a copy of every byte it moves, both ways. */
function recording(inner: TransportFactory): {
  factory: TransportFactory;
  sent: Uint8Array[];
  received: Uint8Array[];
} {
  const sent: Uint8Array[] = [];
  const received: Uint8Array[] = [];
  const factory: TransportFactory = () => {
    const t = inner();
    return {
      open: () => t.open(),
      send: (bytes) => {
        sent.push(Uint8Array.from(bytes));
        t.send(bytes);
      },
      close: () => {
        t.close();
      },
      onBytes: (handler) => {
        t.onBytes((bytes) => {
          received.push(Uint8Array.from(bytes));
          handler(bytes);
        });
      },
      onClose: (handler) => {
        t.onClose(handler);
      },
    };
  };
  return { factory, sent, received };
}

const messageBody = (to: bigint, clientMsgId: string, text: string): Uint8Array =>
  toBinary(
    MessageSchema,
    create(MessageSchema, {
      conversation: { type: ConversationType.SINGLE, target: String(to) },
      clientMsgId,
      messageContent: { contentType: ContentType.TEXT, text },
    }),
  );

/** The protocol by hand over a raw socket, after an RSA LOGIN: for exact tampering and statuses. */
class RawEncryptedClient {
  private opened: Frame[] = [];
  private read = 0;
  private nextSeq = 100;

  private constructor(
    readonly raw: NativeTestClient,
    readonly cipher: WebSessionCipher,
  ) {}

  static async login(port: number, key: ServerPublicKey, username: string): Promise<RawEncryptedClient> {
    const raw = await NativeTestClient.connect(port);
    const body = toBinary(
      LoginRequestSchema,
      create(LoginRequestSchema, { username, password: PASSWORD, deviceId: 'raw', platform: Platform.BOT }),
    );
    const { bytes, cipher } = await sealRsaLogin(key, {
      seq: 1,
      command: Command.LOGIN,
      flag: makeFlags(Flow.REQUEST),
      status: 0,
      body,
    });
    raw.writeRaw(bytes);
    const client = new RawEncryptedClient(raw, cipher);
    const answer = await client.response(1);
    assert.equal(answer.status, Status.OK, 'RSA LOGIN answered OK');
    return client;
  }

  seal(command: number, body: Uint8Array): Promise<Uint8Array> {
    return this.cipher.seal({ seq: this.nextSeq++, command, flag: makeFlags(Flow.REQUEST), status: 0, body });
  }

  /** Every server frame so far, opened (each is checked to be AES on the wire). */
  async frames(): Promise<Frame[]> {
    while (this.read < this.raw.received.length) {
      const frame = this.raw.received[this.read++];
      if (frame === undefined) break;
      assert.equal(parseFlags(frame.flag).encryption, Encryption.AES, 'the server writes AES frames only');
      this.opened.push(await this.cipher.open(frame));
    }
    return this.opened;
  }

  async response(seq: number): Promise<Frame> {
    for (;;) {
      const found = (await this.frames()).find(
        (f) => f.seq === seq && parseFlags(f.flag).flow === Flow.RESPONSE,
      );
      if (found !== undefined) return found;
      if (this.raw.isClosed) throw new Error(`closed before the answer to seq ${String(seq)}`);
      const have = this.raw.received.length;
      await this.raw.waitFor(
        () => this.raw.received.length > have || this.raw.isClosed,
        10_000,
        `seq ${String(seq)}`,
      );
    }
  }

  /** How many server frames arrived so far (opened). */
  async mark(): Promise<number> {
    return (await this.frames()).length;
  }

  /**
   * Waits for the server to close; after `mark` it must have written exactly one frame: a
   * DISCONNECT with status PROTOCOL_ERROR (no answer to the refused frame's seq). Its reason.
   */
  async expectCutOff(mark: number): Promise<string> {
    await this.raw.closed;
    // Pushes (presence and the like) may come and go; answers and the close are what count.
    const after = (await this.frames())
      .slice(mark)
      .filter((f) => parseFlags(f.flag).flow === Flow.RESPONSE || f.command === Command.DISCONNECT);
    assert.deepEqual(
      after.map((f) => [f.command, f.status]),
      [[Command.DISCONNECT, Status.PROTOCOL_ERROR]],
      'only a DISCONNECT saying PROTOCOL_ERROR',
    );
    return fromBinary(DisconnectSchema, after[0]?.body ?? new Uint8Array(0)).reason;
  }
}

interface ProxyControl {
  /** Flip this byte offset (from the frame start) of the next client frame with this command. */
  tamper?: { readonly command: number; readonly at: number } | undefined;
  /** Send the next client frame with this command twice. */
  replay?: { readonly command: number } | undefined;
  /** Headers of the server's frames (in clear even when AES). */
  readonly serverHeaders: { command: number; status: number; encryption: number }[];
  readonly clientHeaders: { command: number; encryption: number }[];
}

/** A man in the middle on TCP that can change or repeat one client frame. */
async function startProxy(target: number, control: ProxyControl): Promise<{ port: number; server: Server }> {
  const server = createServer((client: Socket) => {
    const upstream = connectTcp(target, '127.0.0.1');
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= HEADER_LENGTH) {
        const length = pending.readUInt32BE(0);
        if (pending.length < HEADER_LENGTH + length) break;
        const frame = Buffer.from(pending.subarray(0, HEADER_LENGTH + length));
        pending = pending.subarray(HEADER_LENGTH + length);
        const header = readHeader(frame);
        control.clientHeaders.push({
          command: header.command,
          encryption: parseFlags(header.flag).encryption,
        });
        if (control.tamper?.command === header.command) {
          const at = control.tamper.at < 0 ? frame.length + control.tamper.at : control.tamper.at;
          frame[at] = (frame[at] ?? 0) ^ 0x01;
          control.tamper = undefined;
        }
        upstream.write(frame);
        if (control.replay?.command === header.command) {
          upstream.write(frame);
          control.replay = undefined;
        }
      }
    });
    let fromServer = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      fromServer = Buffer.concat([fromServer, chunk]);
      while (fromServer.length >= HEADER_LENGTH) {
        const header = readHeader(fromServer);
        if (fromServer.length < HEADER_LENGTH + header.length) break;
        control.serverHeaders.push({
          command: header.command,
          status: header.status,
          encryption: parseFlags(header.flag).encryption,
        });
        fromServer = fromServer.subarray(HEADER_LENGTH + header.length);
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy port');
  return { port: address.port, server };
}

describe('native encryption flags (issue 10, acceptance 1)', () => {
  let server: InProcessServer;
  let api: HttpTestClient;
  let httpUrl: string;
  let serverKey: ServerPublicKey;
  const users = new Map<string, bigint>();
  const clients: ParleyClient[] = [];
  const raws: NativeTestClient[] = [];

  const register = async (name: string): Promise<bigint> => {
    const id = BigInt((await api.register(name, PASSWORD)).userId);
    users.set(name, id);
    return id;
  };
  const sdk = (transport: TransportFactory, encrypted: boolean): ParleyClient => {
    const client = new ParleyClient({
      transport,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      ...(encrypted ? { encryption: { httpUrl, fingerprint: serverKey.fingerprint } } : {}),
    });
    clients.push(client);
    return client;
  };
  const inbox = (client: ParleyClient): Message[] => {
    const got: Message[] = [];
    client.on('message', (m) => got.push(m));
    return got;
  };
  const texts = (messages: readonly Message[]): string[] => messages.map((m) => m.messageContent?.text ?? '');

  before(async () => {
    server = await startTestServer({ PARLEY_HTTP_AUTH_RATE_LIMIT: '1000' });
    httpUrl = `http://127.0.0.1:${String(server.httpPort)}`;
    api = new HttpTestClient(httpUrl);
    for (const name of ['alice', 'bob', 'carol', 'tina', 'tom', 'erin', 'emil']) await register(name);
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const r of raws) r.destroy();
    await server.stop();
  });

  it('publishes the server key (generated on first use into the data dir, mode 0600)', async () => {
    const res = await api.get('/api/v1/keys/server', '');
    assert.equal(res.status, 200);
    assert.equal(res.body.algorithm, 'RSA-OAEP-SHA256');
    assert.equal(res.body.bits, 2048);
    serverKey = await importServerPublicKey(res.body.publicKey as string);
    assert.equal(serverKey.fingerprint, res.body.fingerprint);
    const file = join(server.dataDir, GENERATED_KEY_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, 'utf8'), /BEGIN PRIVATE KEY/);
  });

  it('an RSA+AES client (TCP and WebSocket) chats with a plain client; nothing readable crosses its wire', async () => {
    const wire = recording(tcpTransport({ port: server.port }));
    const alice = sdk(wire.factory, true);
    const carol = sdk(
      webSocketTransport({ url: `ws://127.0.0.1:${String(server.httpPort)}/ws`, WebSocket }),
      true,
    );
    const bob = sdk(tcpTransport({ port: server.port }), false);
    const [aliceIn, bobIn, carolIn] = [inbox(alice), inbox(bob), inbox(carol)];
    await alice.login({ username: 'alice', password: PASSWORD });
    await carol.login({ username: 'carol', password: PASSWORD });
    await bob.login({ username: 'bob', password: PASSWORD });
    const bobId = users.get('bob') ?? 0n;

    await alice.messages.sendText(direct(bobId), 'hello bob, over AES');
    await carol.messages.sendText(direct(bobId), 'hello bob, over AES in a WebSocket');
    await until(() => bobIn.length === 2, 'bob gets both');
    assert.deepEqual(texts(bobIn).sort(), ['hello bob, over AES', 'hello bob, over AES in a WebSocket']);
    await bob.messages.sendText(direct(users.get('alice') ?? 0n), 'hi alice, in plain');
    await bob.messages.sendText(direct(users.get('carol') ?? 0n), 'hi carol, in plain');
    await until(() => aliceIn.length === 2 && carolIn.length === 2, 'the answers');
    assert.deepEqual(texts(aliceIn), ['hello bob, over AES', 'hi alice, in plain']);
    assert.deepEqual(texts(carolIn), ['hello bob, over AES in a WebSocket', 'hi carol, in plain']);

    // On alice's wire: one RSA LOGIN, then AES only, both ways; no text or password in clear.
    const up = allFrames(wire.sent);
    const down = allFrames(wire.received);
    assert.equal(parseFlags(up[0]?.flag ?? 0).encryption, Encryption.RSA);
    assert.equal(up[0]?.command, Command.LOGIN);
    assert.ok(up.slice(1).every((f) => parseFlags(f.flag).encryption === Encryption.AES));
    assert.ok(up.some((f) => f.command === Command.MS));
    assert.ok(down.length > 2 && down.every((f) => parseFlags(f.flag).encryption === Encryption.AES));
    for (const chunk of [...wire.sent, ...wire.received]) {
      for (const secret of ['hello bob', 'hi alice', PASSWORD, 'alice'])
        assert.ok(!contains(chunk, secret), secret);
    }
  });

  it('refuses a frame tampered in its ciphertext, tag, command or seq: PROTOCOL_ERROR, closed, nothing stored', async () => {
    const tom = await NativeTestClient.connect(server.port);
    raws.push(tom);
    await tom.login('tom', PASSWORD, 'watch');
    const tomId = users.get('tom') ?? 0n;
    for (const [what, offset] of [
      ['ciphertext', HEADER_LENGTH + 12 + 3],
      ['tag', -1],
      ['command', 9],
      ['seq', 8],
    ] as const) {
      const tina = await RawEncryptedClient.login(server.port, serverKey, 'tina');
      raws.push(tina.raw);
      const sealed = await tina.seal(Command.MS, messageBody(tomId, `tampered-${what}`, `tampered ${what}`));
      const at = offset < 0 ? sealed.length + offset : offset;
      sealed[at] = (sealed[at] ?? 0) ^ 0x01;
      const mark = await tina.mark();
      tina.raw.writeRaw(sealed);
      assert.match(await tina.expectCutOff(mark), /failed authentication/, what);
    }
    // No conversation between them exists: nothing tampered was stored.
    await assert.rejects(
      tom.request(
        Command.MP,
        PullRequestSchema,
        { conversation: { type: ConversationType.SINGLE, target: String(users.get('tina')) }, fromSeq: 1n },
        PullResponseSchema,
      ),
      (err: unknown) => (err as { status?: number }).status === Status.NOT_FOUND,
    );
    assert.equal(tom.pushedMessages().length, 0, 'none was pushed');
  });

  it('refuses a replayed frame (same counter), a plain frame in an encrypted session and a second RSA LOGIN', async () => {
    const tina = await RawEncryptedClient.login(server.port, serverKey, 'tina');
    raws.push(tina.raw);
    const tomId = users.get('tom') ?? 0n;
    const sealed = await tina.seal(Command.MS, messageBody(tomId, 'once', 'sent once, replayed once'));
    const seq = readHeader(sealed).seq;
    tina.raw.writeRaw(sealed);
    assert.equal((await tina.response(seq)).status, Status.OK);
    const mark = await tina.mark();
    tina.raw.writeRaw(sealed);
    assert.match(await tina.expectCutOff(mark), /does not increase/);

    const plain = await RawEncryptedClient.login(server.port, serverKey, 'tina');
    raws.push(plain.raw);
    const plainMark = await plain.mark();
    plain.raw.writeRaw(
      encodeFrame({
        seq: 7,
        command: Command.PING,
        flag: makeFlags(Flow.REQUEST),
        status: 0,
        body: new Uint8Array(0),
      }),
    );
    assert.match(await plain.expectCutOff(plainMark), /plain frame after an encrypted LOGIN/);

    const twice = await RawEncryptedClient.login(server.port, serverKey, 'tina');
    raws.push(twice.raw);
    const again = await sealRsaLogin(serverKey, {
      seq: 8,
      command: Command.LOGIN,
      flag: 0,
      status: 0,
      body: new Uint8Array(0),
    });
    const twiceMark = await twice.mark();
    twice.raw.writeRaw(again.bytes);
    assert.match(await twice.expectCutOff(twiceMark), /later frames must be AES/);

    const tom = await NativeTestClient.connect(server.port);
    raws.push(tom);
    await tom.login('tom', PASSWORD, 'replay-check', Platform.MOBILE);
    const pulled = await tom.request(
      Command.MP,
      PullRequestSchema,
      { conversation: { type: ConversationType.SINGLE, target: String(users.get('tina')) }, fromSeq: 1n },
      PullResponseSchema,
    );
    assert.deepEqual(
      pulled.messages.map((m) => m.messageContent?.text),
      ['sent once, replayed once'],
    );
  });

  it('answers misuse without a session: AES without a key (BAD_REQUEST), RSA off LOGIN (BAD_REQUEST), another server key (PROTOCOL_ERROR)', async () => {
    const c = await NativeTestClient.connect(server.port);
    raws.push(c);
    // 28 bytes: as long as an AES body's nonce and tag.
    const noKey = await c.requestFrame(
      Command.PING,
      new Uint8Array(28),
      makeFlags(Flow.REQUEST, 0, Encryption.AES),
    );
    assert.equal(noKey.status, Status.BAD_REQUEST);
    assert.match(new TextDecoder().decode(noKey.body), /no session key/);
    const rsaPing = await c.requestFrame(
      Command.PING,
      new Uint8Array(300),
      makeFlags(Flow.REQUEST, 0, Encryption.RSA),
    );
    assert.equal(rsaPing.status, Status.BAD_REQUEST);
    assert.equal((await c.requestFrame(Command.PING, new Uint8Array(0))).status, Status.OK, 'still open');

    const other = await crypto.subtle.generateKey(
      { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' },
      true,
      ['encrypt', 'decrypt'],
    );
    const wrongKey: ServerPublicKey = { key: other.publicKey, modulusBytes: 256, fingerprint: '' };
    const login = await sealRsaLogin(wrongKey, {
      seq: 9,
      command: Command.LOGIN,
      flag: 0,
      status: 0,
      body: new Uint8Array(0),
    });
    c.writeRaw(login.bytes);
    await c.closed;
    const refused = c.received.find((f) => f.seq === 9);
    assert.equal(refused?.status, Status.PROTOCOL_ERROR);
    assert.equal(
      parseFlags(refused.flag).encryption,
      Encryption.NONE,
      'no session key: the refusal is plain',
    );
  });

  it('an SDK client through a tampering (then a replaying) man in the middle is cut off, reconnects, and its message arrives once', async () => {
    const control: ProxyControl = { serverHeaders: [], clientHeaders: [] };
    const proxy = await startProxy(server.port, control);
    try {
      const erin = sdk(tcpTransport({ port: proxy.port }), true);
      const emil = sdk(tcpTransport({ port: server.port }), false);
      const emilIn = inbox(emil);
      const states: string[] = [];
      erin.on('state', ({ state }) => states.push(state));
      await erin.login({ username: 'erin', password: PASSWORD });
      await emil.login({ username: 'emil', password: PASSWORD });
      const emilId = users.get('emil') ?? 0n;

      control.tamper = { command: Command.MS, at: HEADER_LENGTH + 14 };
      const sent = await erin.messages.sendText(direct(emilId), 'through a tampering proxy');
      assert.ok(
        control.serverHeaders.some(
          (h) => h.command === Command.DISCONNECT && h.status === Status.PROTOCOL_ERROR,
        ),
        'the server closed the tampered connection with PROTOCOL_ERROR',
      );
      assert.ok(states.includes(ConnectionState.RECONNECTING), 'the client was cut off and came back');

      control.replay = { command: Command.MS };
      const second = await erin.messages.sendText(direct(emilId), 'through a replaying proxy');
      await until(() => emilIn.length === 2, 'both messages');
      assert.deepEqual(texts(emilIn), ['through a tampering proxy', 'through a replaying proxy']);
      assert.deepEqual(
        emilIn.map((m) => m.seq),
        [sent.seq, second.seq],
      );
      const cutOffs = () =>
        control.serverHeaders.filter(
          (h) => h.command === Command.DISCONNECT && h.status === Status.PROTOCOL_ERROR,
        ).length;
      // The ack of the first copy may reach the client before the refusal of the second.
      await until(() => cutOffs() === 2, 'the replay refused too');
      await until(() => erin.state === ConnectionState.ONLINE, 'erin back online');
      assert.ok(
        control.serverHeaders.every((h) => h.encryption === Encryption.AES),
        'every server frame was AES',
      );
      assert.ok(
        control.clientHeaders
          .filter((h) => h.command === Command.LOGIN)
          .every((h) => h.encryption === Encryption.RSA),
      );
    } finally {
      proxy.server.close();
    }
  });

  it('end to end: the server stores and forwards ciphertext only; the recipient SDK shows the text', async () => {
    const SECRET = 'the eagle lands at midnight 4711';
    const REPLY = 'roger that 4712';
    const aliceId = users.get('alice') ?? 0n;
    const bobId = users.get('bob') ?? 0n;
    const [alice, bob] = [clients[0], clients[2]];
    assert.ok(alice !== undefined && bob !== undefined);
    const bobWire = recording(tcpTransport({ port: server.port }));
    // bob again on a recorded plain connection (a new client replaces the PC session).
    bob.close();
    const bob2 = sdk(bobWire.factory, false);
    await bob2.login({ username: 'bob', password: PASSWORD });
    const aliceE2e = new EndToEnd(alice, { httpUrl, keys: await generateE2eKeyPair() });
    const bobE2e = new EndToEnd(bob2, { httpUrl, keys: await generateE2eKeyPair() });
    await aliceE2e.publish();
    await bobE2e.publish();
    const aliceSees: E2eMessageEvent[] = [];
    const bobSees: E2eMessageEvent[] = [];
    aliceE2e.on('message', (e) => aliceSees.push(e));
    bobE2e.on('message', (e) => bobSees.push(e));
    const watcher = await NativeTestClient.connect(server.port);
    raws.push(watcher);
    await watcher.login('bob', PASSWORD, 'watcher', Platform.MOBILE);

    const sent = await aliceE2e.sendText(bobId, SECRET);
    await until(() => bobSees.some((e) => e.encrypted), 'bob decrypts');
    const got = bobSees.find((e) => e.encrypted);
    assert.ok(got !== undefined);
    assert.equal(got.error, undefined);
    assert.equal(got.message.messageContent?.contentType, ContentType.TEXT);
    assert.equal(got.message.messageContent.text, SECRET);
    assert.equal(got.message.seq, sent.seq);

    await bobE2e.sendText(aliceId, REPLY);
    await until(
      () => aliceSees.some((e) => e.encrypted && e.message.messageContent?.text === REPLY),
      'alice decrypts',
    );
    // alice's own message, on her own device, decrypts too (she is a recipient of it).
    await until(
      () => aliceSees.some((e) => e.message.messageContent?.text === SECRET),
      'alice reads her own',
    );

    // bob is on a plain connection: his MS carried the end-to-end flag (3), and no plaintext.
    const bobMs = allFrames(bobWire.sent).filter((f) => f.command === Command.MS);
    assert.equal(bobMs.length, 1);
    assert.equal(parseFlags(bobMs[0]?.flag ?? 0).encryption, Encryption.END_TO_END);
    assert.ok(
      [...bobWire.sent, ...bobWire.received].every((c) => !contains(c, SECRET) && !contains(c, REPLY)),
    );

    // A plain device of bob's gets the push flagged end-to-end, the content opaque.
    await watcher.waitFor(() => watcher.pushedMessages().length >= 2, 10_000, 'watcher pushes');
    const pushFrame = watcher.notifications.find((f) => f.command === Command.MPS);
    assert.equal(parseFlags(pushFrame?.flag ?? 0).encryption, Encryption.END_TO_END);
    const pushed = watcher.pushedMessages().find((m) => m.seq === sent.seq);
    assert.equal(pushed?.messageContent?.contentType, ContentType.ENCRYPTED);
    const ciphertext = pushed.messageContent.ciphertext;
    assert.ok(ciphertext.length > 100 && !contains(ciphertext, SECRET));

    // History (MP) carries the same bytes; search finds nothing.
    const pulled = await watcher.request(
      Command.MP,
      PullRequestSchema,
      {
        conversation: { type: ConversationType.SINGLE, target: String(aliceId) },
        fromSeq: sent.seq,
        limit: 1,
      },
      PullResponseSchema,
    );
    assert.deepEqual(pulled.messages[0]?.messageContent?.ciphertext, ciphertext);
    const found = await watcher.request(
      Command.SEARCH,
      SearchRequestSchema,
      { query: 'eagle' },
      SearchResponseSchema,
    );
    assert.equal(found.messages.length, 0);

    // In the database: ciphertext only, no search text, the plaintext nowhere in the files.
    const db = new Database(join(server.dataDir, 'parley.db'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT content_type, content, search_text FROM messages WHERE content_type = ?')
        .all(ContentType.ENCRYPTED) as { content_type: number; content: Buffer; search_text: string }[];
      assert.equal(rows.length, 2);
      for (const row of rows) {
        assert.equal(row.search_text, '');
        const stored = fromBinary(MessageContentSchema, row.content);
        assert.equal(stored.text, '');
        assert.ok(stored.ciphertext.length > 100);
      }
      assert.ok(
        rows.some((r) =>
          Buffer.from(fromBinary(MessageContentSchema, r.content).ciphertext).equals(Buffer.from(ciphertext)),
        ),
      );
      for (const row of db.prepare('SELECT content, search_text FROM messages').all() as {
        content: Buffer;
        search_text: string;
      }[]) {
        assert.ok(!contains(row.content, SECRET) && !row.search_text.includes('eagle'));
      }
    } finally {
      db.close();
    }
    for (const file of ['parley.db', 'parley.db-wal']) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(server.dataDir, file));
      } catch {
        continue;
      }
      assert.ok(!contains(bytes, SECRET) && !contains(bytes, REPLY), file);
    }
    aliceE2e.close();
    bobE2e.close();
  });

  it('checks the end-to-end envelope only: flag 3 needs ENCRYPTED content on MS; ENCRYPTED carries a ciphertext and nothing else', async () => {
    const c = await NativeTestClient.connect(server.port);
    raws.push(c);
    await c.login('tom', PASSWORD, 'checks', Platform.PAD);
    const tinaId = users.get('tina') ?? 0n;
    const e2e = makeFlags(Flow.REQUEST, 0, Encryption.END_TO_END);
    const send = (content: Record<string, unknown>, flag: number) =>
      c.requestFrame(
        Command.MS,
        toBinary(
          MessageSchema,
          create(MessageSchema, {
            conversation: { type: ConversationType.SINGLE, target: String(tinaId) },
            clientMsgId: `chk-${String(Math.random()).slice(2)}`,
            messageContent: content,
          }),
        ),
        flag,
      );
    assert.equal(
      (await send({ contentType: ContentType.TEXT, text: 'plain' }, e2e)).status,
      Status.BAD_REQUEST,
    );
    assert.equal((await c.requestFrame(Command.PING, new Uint8Array(0), e2e)).status, Status.BAD_REQUEST);
    assert.equal(
      (await send({ contentType: ContentType.ENCRYPTED, ciphertext: Uint8Array.of(1), text: 'leak' }, e2e))
        .status,
      Status.BAD_REQUEST,
    );
    assert.equal((await send({ contentType: ContentType.ENCRYPTED }, e2e)).status, Status.BAD_REQUEST);
    const ok = await send({ contentType: ContentType.ENCRYPTED, ciphertext: Uint8Array.of(1, 2, 3) }, e2e);
    assert.equal(ok.status, Status.OK);
    assert.ok(fromBinary(SendResultSchema, ok.body).seq > 0n);
  });
});
