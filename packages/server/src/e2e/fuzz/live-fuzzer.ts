import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  ABSOLUTE_MAX_BODY_LENGTH,
  Command,
  FrameDecoder,
  GroupCreateRequestSchema,
  ImtpCommand,
  ImtpDecoder,
  JimDecoder,
  LoginRequestSchema,
  MessageSchema,
  PullRequestSchema,
  ReadRequestSchema,
  RegisterRequestSchema,
  SearchRequestSchema,
  SyncRequestSchema,
  ChatroomRefSchema,
  encodeFrame,
  encodeImtpFrame,
  encodeImtpLogin,
  encodeImtpMessage,
  encodeJimFrame,
  makeFlags,
} from '@parley/protocol';
import { NativeTestClient } from '@parley/testkit';
import { detectDialect } from '../../gateway/dialect.js';
// Test code may reach into the codec package's fuzz helpers (not part of its public exports).
import { concat, chunked, mutate, type Mutation } from '../../../../protocol/src/fuzz-support.js';

/**
 * A live-server fuzzer: many connections, every dialect, over TCP (dialect detection) and over
 * WebSocket (/ws, /ws/imtp, /ws/jim, /ws/imp), each sending a stream of valid and mutated frames
 * (often after a real login, so the authenticated handlers are reached too). It checks what it
 * can see from outside: every byte the server writes back must still decode with the dialect's
 * own decoder (the server never breaks its framing, whatever it was sent). Whether the server
 * survived (crashes, unhandled rejections, error logs, memory, a normal client afterwards) is the
 * caller's to check: the CI test runs the server in-process, the long run as a child process.
 */

export interface FuzzUser {
  readonly username: string;
  readonly password: string;
  readonly id: bigint;
}

export interface FuzzTarget {
  readonly host: string;
  readonly tcpPort: number;
  readonly httpPort: number;
  /** Registered users the plans log in as and send to. */
  readonly users: readonly FuzzUser[];
}

export interface FuzzStats {
  /** Sessions started (connected or not). */
  sessions: number;
  framesSent: number;
  mutatedFrames: number;
  bytesSent: number;
  bytesReceived: number;
  /** Sessions the server ended (it closed or reset the connection). */
  closedByServer: number;
  readonly byKind: Record<string, number>;
  /** What went wrong, one line each (capped at 100). */
  readonly failures: string[];
}

export function emptyStats(): FuzzStats {
  return {
    sessions: 0,
    framesSent: 0,
    mutatedFrames: 0,
    bytesSent: 0,
    bytesReceived: 0,
    closedByServer: 0,
    byKind: {},
    failures: [],
  };
}

type Dialect = 'native' | 'imtp' | 'jim' | 'imp' | 'raw';
type Transport = 'tcp' | 'ws';

interface SessionPlan {
  readonly dialect: Dialect;
  readonly transport: Transport;
  /** Index of the user whose valid login goes first (Jim: with a freshly minted token). */
  readonly loginAs: number | undefined;
  readonly frames: readonly { readonly bytes: Uint8Array; readonly mutated: boolean }[];
  /** Chunk sizes the stream is written in (one write / WebSocket message per chunk). */
  readonly chunks: readonly number[];
  /** Whether to yield to the event loop between chunks. */
  readonly spread: boolean;
}

const WS_PATHS: Record<Exclude<Dialect, 'raw'>, string> = {
  native: '/ws',
  imtp: '/ws/imtp',
  jim: '/ws/jim',
  imp: '/ws/imp',
};
/** Where each dialect's header keeps a 32-bit length (what the hostile-length mutation targets). */
const LENGTH_OFFSETS: Record<Dialect, readonly number[]> = {
  native: [0],
  imtp: [20],
  jim: [12],
  imp: [],
  raw: [],
};

const enc = new TextEncoder();
const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), {
  minLength: 1,
  maxLength: 4,
});
const shortText = fc.string({ maxLength: 40 });
/** A command (or cmd) and its body, typed as a pair. */
const entry = <C>(command: C, body: Uint8Array): [C, Uint8Array] => [command, body];
const anyBytes = fc.uint8Array({ maxLength: 200 });

function nativeFrames(users: readonly FuzzUser[]): fc.Arbitrary<Uint8Array> {
  const user = fc.constantFrom(...users);
  const target = fc.oneof(
    user.map((u) => String(u.id)),
    fc.constantFrom('', '0', '-1', '18446744073709551616', 'fuzzroom'),
    shortText,
  );
  const conversation = fc.record({
    type: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff_ffff })),
    target,
  });
  const body: fc.Arbitrary<[number, Uint8Array]> = fc.oneof(
    fc
      .record({ u: user, platform: fc.integer({ min: 0, max: 6 }), wrong: fc.boolean() })
      .map(({ u, platform, wrong }) =>
        entry(
          Command.LOGIN,
          toBinary(
            LoginRequestSchema,
            create(LoginRequestSchema, {
              username: u.username,
              password: wrong ? 'wrong-password' : u.password,
              deviceId: `fz-${platform}`,
              platform,
            }),
          ),
        ),
      ),
    fc
      .record({ username: fc.stringMatching(/^fz[a-z0-9]{0,8}$/), password: shortText })
      .map((r) => entry(Command.REGISTER, toBinary(RegisterRequestSchema, create(RegisterRequestSchema, r)))),
    fc.constant(entry(Command.PING, new Uint8Array(0))),
    fc
      .record({
        clientMsgId: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,12}$/), shortText),
        conversation,
        contentType: fc.integer({ min: 0, max: 12 }),
        text: shortText,
      })
      .map(({ clientMsgId, conversation, contentType, text }) =>
        entry(
          Command.MS,
          toBinary(
            MessageSchema,
            create(MessageSchema, { clientMsgId, conversation, messageContent: { contentType, text } }),
          ),
        ),
      ),
    fc
      .record({
        conversation,
        fromSeq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        limit: fc.integer({ min: 0, max: 100_000 }),
        backward: fc.boolean(),
      })
      .map((r) => entry(Command.MP, toBinary(PullRequestSchema, create(PullRequestSchema, r)))),
    fc
      .array(fc.record({ conversation, seq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }), { maxLength: 5 })
      .map((cursors) =>
        entry(Command.SYNC, toBinary(SyncRequestSchema, create(SyncRequestSchema, { cursors }))),
      ),
    fc
      .record({
        name: shortText,
        memberIds: fc.array(
          user.map((u) => u.id),
          { maxLength: 4 },
        ),
      })
      .map((r) =>
        entry(Command.GROUP_CREATE, toBinary(GroupCreateRequestSchema, create(GroupCreateRequestSchema, r))),
      ),
    fc
      .oneof(fc.constant('fuzzroom'), shortText)
      .map((name) =>
        entry(Command.CHATROOM_JOIN, toBinary(ChatroomRefSchema, create(ChatroomRefSchema, { name }))),
      ),
    fc
      .record({ conversation, seq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) })
      .map((r) => entry(Command.READ, toBinary(ReadRequestSchema, create(ReadRequestSchema, r)))),
    fc
      .record({ query: shortText, limit: fc.integer({ min: 0, max: 1000 }) })
      .map((r) => entry(Command.SEARCH, toBinary(SearchRequestSchema, create(SearchRequestSchema, r)))),
    fc.tuple(fc.integer({ min: 0, max: 255 }), anyBytes).map(([c, b]) => entry(c, b)),
  );
  return fc
    .tuple(
      fc.integer({ min: 0, max: 0xffff_ffff }),
      body,
      fc.oneof(
        { weight: 8, arbitrary: fc.constant('plain' as const) },
        { weight: 1, arbitrary: fc.constant('gzip' as const) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
      ),
    )
    .map(([seq, [command, raw], flag]) => {
      if (flag === 'plain') return encodeFrame({ seq, command, flag: 0, status: 0, body: raw });
      if (flag === 'gzip') {
        return encodeFrame({ seq, command, flag: makeFlags(0, 1), status: 0, body: gzipSync(raw) });
      }
      return encodeFrame({ seq, command, flag, status: 0, body: raw });
    });
}

function imtpFrames(users: readonly FuzzUser[]): fc.Arbitrary<Uint8Array> {
  const user = fc.constantFrom(...users);
  const id = fc.oneof(
    user.map((u) => u.id),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  );
  const message = fc
    .record({
      text: shortText,
      ackId: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      timestamp: fc.bigInt({ min: 0n, max: 2n ** 62n }),
      width: fc.option(fc.integer(), { nil: undefined }),
      name: fc.option(shortText, { nil: undefined }),
    })
    .map(({ text, ackId, timestamp, width, name }) =>
      encodeImtpMessage({
        text,
        ackId,
        timestamp,
        ...(width === undefined && name === undefined
          ? {}
          : {
              metadata: {
                ...(width === undefined ? {} : { width }),
                ...(name === undefined ? {} : { name }),
              },
            }),
      }),
    );
  const frame: fc.Arbitrary<[number, Uint8Array]> = fc.oneof(
    fc
      .record({ u: user, wrong: fc.boolean() })
      .map(({ u, wrong }) =>
        entry<number>(
          ImtpCommand.LOGIN,
          encodeImtpLogin({ username: u.username, password: wrong ? 'nope-nope' : u.password }),
        ),
      ),
    shortText.map((t) => entry<number>(ImtpCommand.AUTH, enc.encode(t))),
    fc.tuple(fc.integer({ min: 1, max: 8 }), message).map(([cmd, body]) => entry(cmd, body)),
    fc.constantFrom<[number, Uint8Array]>(
      [ImtpCommand.HEARTBEAT, new Uint8Array(0)],
      [ImtpCommand.OFFLINE, new Uint8Array(0)],
      [ImtpCommand.MSG_RES, new Uint8Array(9)],
    ),
    fc.tuple(fc.integer({ min: -128, max: 127 }), anyBytes).map(([cmd, body]) => entry(cmd, body)),
  );
  return fc
    .tuple(frame, id, id, fc.boolean())
    .map(([[cmd, body], sender, receiver, group]) => encodeImtpFrame({ cmd, body, sender, receiver, group }));
}

function jimFrames(users: readonly FuzzUser[]): fc.Arbitrary<Uint8Array> {
  const receiver = fc.oneof(
    fc.constantFrom(...users).map((u) => String(u.id)),
    fc.constantFrom('#fuzzroom', '0', '', 'x'),
    fc.integer(),
  );
  const data = fc.record(
    {
      receiver_id: receiver,
      content: shortText,
      symbol: shortText,
      url: fc.constantFrom('https://example.com/a.png', ''),
      big_url: fc.constantFrom('https://example.com/a.png', 'x'),
      size: fc.oneof(fc.nat(), fc.double()),
      seconds: fc.double(),
      lat: fc.double(),
      lng: fc.double(),
      sender_id: receiver,
    },
    { requiredKeys: ['receiver_id'] },
  );
  const messageBody = fc
    .record({
      type: fc.constantFrom('text', 'face', 'image', 'sound', 'location', 'file', 'video', 'ack', 'bogus'),
      data,
    })
    .map((b) => enc.encode(JSON.stringify(b)));
  const frame: fc.Arbitrary<[string, Uint8Array]> = fc.oneof(
    fc.constant(entry('A001', new Uint8Array(0))),
    fc
      .record({ client_id: shortText, token: shortText })
      .map((b) => entry('B001', enc.encode(JSON.stringify(b)))),
    fc.tuple(fc.constantFrom('B101', 'B102', 'B103'), messageBody).map(([c, b]) => entry<string>(c, b)),
    fc.tuple(fc.constantFrom('B004', 'A998', 'A999', 'B002'), anyBytes).map(([c, b]) => entry<string>(c, b)),
    fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{4}$/), anyBytes).map(([c, b]) => entry(c, b)),
  );
  return fc
    .tuple(frame, fc.integer({ min: 0, max: 0xffff_ffff }))
    .map(([[command, body], requestId]) => encodeJimFrame({ command, requestId, body }));
}

function impFrames(users: readonly FuzzUser[]): fc.Arbitrary<Uint8Array> {
  const user = fc.constantFrom(...users);
  const eol = fc.constantFrom('\n', '\r\n');
  const msg = fc
    .tuple(
      fc.constantFrom('CHN #fuzzroom', 'CHN fuzzroom', 'CHN #nowhere'),
      fc.oneof(user.map((u) => `USER @${u.username}`)),
      fc.boolean(),
      fc.uint8Array({ maxLength: 100 }),
      eol,
    )
    .map(([chn, usr, toChannel, payload, e]) =>
      concat([enc.encode(`MSG ${toChannel ? chn : usr} ${payload.length}${e}`), payload]),
    );
  const line = fc.oneof(
    fc
      .tuple(user, fc.boolean(), eol)
      .map(([u, wrong, e]) => enc.encode(`REG @${u.username} ${wrong ? 'wrong-pw' : u.password}${e}`)),
    fc.tuple(fc.stringMatching(/^[a-z]{2,8}$/), eol).map(([h, e]) => enc.encode(`reg @guest${h}${e}`)),
    fc
      .tuple(fc.constantFrom('JOIN', 'LEAVE', 'USERS', 'join'), fc.constantFrom('#fuzzroom', '#x', ''), eol)
      .map(([c, chan, e]) => enc.encode(`${c} ${chan}${e}`)),
    fc
      .tuple(fc.constantFrom('CHNS', 'PING tok', 'QUIT', 'HELP'), eol)
      .map(([c, e]) => enc.encode(`${c}${e}`)),
    msg,
    fc.tuple(shortText, eol).map(([t, e]) => enc.encode(`${t}${e}`)),
  );
  return line;
}

function framesOf(dialect: Dialect, users: readonly FuzzUser[]): fc.Arbitrary<Uint8Array> {
  switch (dialect) {
    case 'native':
      return nativeFrames(users);
    case 'imtp':
      return imtpFrames(users);
    case 'jim':
      return jimFrames(users);
    case 'imp':
      return impFrames(users);
    case 'raw':
      return fc.uint8Array({ minLength: 1, maxLength: 300 });
  }
}

function planArb(users: readonly FuzzUser[], framesPerSession: number): fc.Arbitrary<SessionPlan> {
  return fc
    .record({
      dialect: fc.constantFrom<Dialect>('native', 'native', 'imtp', 'jim', 'imp', 'raw'),
      transport: fc.constantFrom<Transport>('tcp', 'tcp', 'ws'),
      login: fc.option(fc.nat({ max: users.length - 1 }), { nil: undefined, freq: 4 }),
      chunks: fc.oneof(
        fc.constant([1 << 20]),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }),
        fc.constant([1]),
      ),
      spread: fc.boolean(),
    })
    .chain(({ dialect, transport, login, chunks, spread }) =>
      fc
        .array(fc.tuple(framesOf(dialect, users), fc.option(mutationsArb, { nil: undefined, freq: 2 })), {
          minLength: 1,
          maxLength: framesPerSession,
        })
        .map((frames) => ({
          dialect,
          transport,
          loginAs: dialect === 'raw' ? undefined : login,
          frames: frames.map(([bytes, mutations]) =>
            mutations === undefined
              ? { bytes, mutated: false }
              : { bytes: mutate(bytes, mutations, LENGTH_OFFSETS[dialect]), mutated: true },
          ),
          chunks,
          spread,
        })),
    );
}

/** The unmutated login that opens a session, so the authenticated handlers get fuzzed too. */
async function loginPrefix(plan: SessionPlan, target: FuzzTarget): Promise<Uint8Array> {
  const user = plan.loginAs === undefined ? undefined : target.users[plan.loginAs];
  if (user === undefined) return new Uint8Array(0);
  switch (plan.dialect) {
    case 'native':
      return encodeFrame({
        seq: 1,
        command: Command.LOGIN,
        flag: 0,
        status: 0,
        body: toBinary(
          LoginRequestSchema,
          create(LoginRequestSchema, { username: user.username, password: user.password, platform: 2 }),
        ),
      });
    case 'imtp':
      return encodeImtpFrame({
        cmd: ImtpCommand.LOGIN,
        sender: 0n,
        receiver: 0n,
        group: false,
        body: encodeImtpLogin({ username: user.username, password: user.password }),
      });
    case 'jim': {
      const token = await mintToken(target, user);
      return encodeJimFrame({
        command: 'B001',
        requestId: 1,
        body: enc.encode(JSON.stringify({ client_id: 'fuzz', token })),
      });
    }
    case 'imp':
      return enc.encode(`REG @${user.username} ${user.password}\r\n`);
    case 'raw':
      return new Uint8Array(0);
  }
}

/** A login token for a Jim session, from a native login over TCP (platform BOT). */
async function mintToken(target: FuzzTarget, user: FuzzUser): Promise<string> {
  const client = await NativeTestClient.connect(target.tcpPort, target.host);
  try {
    return (await client.login(user.username, user.password, 'fz-jim', 5)).token;
  } finally {
    client.destroy();
  }
}

/** Checks the server's output keeps its framing: a decoder for the dialect's server side. */
function outputChecker(dialect: Dialect): ((chunk: Uint8Array) => string | undefined) | undefined {
  let seen: Uint8Array = new Uint8Array(0);
  const check = (decoder: { push(c: Uint8Array): void; next(): { readonly kind: string } }) => {
    let failed = false;
    return (chunk: Uint8Array): string | undefined => {
      if (failed) return undefined;
      if (seen.length < 64) seen = concat([seen, chunk]).subarray(0, 64);
      decoder.push(chunk);
      for (;;) {
        const r = decoder.next();
        if (r.kind === 'need-more') return undefined;
        if (r.kind === 'fault') {
          failed = true;
          return `${dialect}: the server wrote bytes its own dialect cannot decode (${Buffer.from(seen).toString('hex')})`;
        }
      }
    };
  };
  switch (dialect) {
    case 'native':
      return check(new FrameDecoder({ maxBodyLength: ABSOLUTE_MAX_BODY_LENGTH }));
    case 'imtp':
      return check(new ImtpDecoder({ maxBodyLength: 0x7fff_ffff }));
    case 'jim':
      return check(new JimDecoder({ maxBodyLength: ABSOLUTE_MAX_BODY_LENGTH }));
    case 'imp':
    case 'raw':
      return undefined;
  }
}

/**
 * The dialect the server will speak: a WebSocket path's, or on TCP whatever the first bytes tell
 * (a mutated first frame may well look like another dialect).
 */
function spokenDialect(plan: SessionPlan, stream: Uint8Array): Dialect {
  if (plan.transport === 'ws') return plan.dialect === 'raw' ? 'native' : plan.dialect;
  const detected = detectDialect(stream.subarray(0, 64));
  return detected === 'need-more' || detected === 'unknown' ? 'raw' : detected;
}

interface Pipe {
  send(bytes: Uint8Array): void;
  readonly closed: Promise<void>;
  readonly closedByServer: () => boolean;
  destroy(): void;
}

async function open(plan: SessionPlan, target: FuzzTarget, onData: (b: Uint8Array) => void): Promise<Pipe> {
  let byServer = false;
  let ending = false;
  if (plan.transport === 'tcp') {
    const socket = connect({ host: target.host, port: target.tcpPort, noDelay: true });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (b: Buffer) => {
      onData(b);
    });
    const closed = new Promise<void>((resolve) => {
      socket.on('end', () => {
        if (!ending) byServer = true;
      });
      socket.on('close', () => {
        if (!ending) byServer = true;
        resolve();
      });
    });
    return {
      send: (bytes) => socket.write(bytes),
      closed,
      closedByServer: () => byServer,
      destroy: () => {
        ending = true;
        socket.destroy();
      },
    };
  }
  const dialect = plan.dialect === 'raw' ? 'native' : plan.dialect;
  const ws = new WebSocket(`ws://${target.host}:${target.httpPort}${WS_PATHS[dialect]}`);
  ws.on('error', () => undefined);
  // Listening from the start: the server may answer in the same packet as the upgrade.
  ws.on('message', (data: Buffer) => {
    onData(data);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const closed = new Promise<void>((resolve) => {
    ws.on('close', () => {
      if (!ending) byServer = true;
      resolve();
    });
  });
  const text = dialect === 'imp';
  return {
    send: (bytes) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (text) ws.send(Buffer.from(bytes).toString('utf8'));
      else ws.send(bytes, { binary: true });
    },
    closed,
    closedByServer: () => byServer,
    destroy: () => {
      ending = true;
      ws.terminate();
    },
  };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));

async function runSession(plan: SessionPlan, target: FuzzTarget, stats: FuzzStats, lingerMs: number) {
  const fail = (what: string) => {
    if (stats.failures.length < 100) stats.failures.push(what);
  };
  stats.sessions += 1;
  let prefix: Uint8Array;
  try {
    prefix = await loginPrefix(plan, target);
  } catch (err) {
    fail(`${plan.dialect}: minting a token failed: ${String(err)}`);
    return;
  }
  const stream = concat([prefix, ...plan.frames.map((f) => f.bytes)]);
  const check = outputChecker(spokenDialect(plan, stream));
  let pipe: Pipe;
  try {
    pipe = await open(plan, target, (bytes) => {
      stats.bytesReceived += bytes.length;
      const problem = check?.(bytes);
      if (problem !== undefined) fail(problem);
    });
  } catch (err) {
    fail(`${plan.transport}/${plan.dialect}: connect failed: ${String(err)}`);
    return;
  }
  const kind = `${plan.transport}/${plan.dialect}`;
  stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
  stats.framesSent += plan.frames.length + (prefix.length > 0 ? 1 : 0);
  stats.mutatedFrames += plan.frames.filter((f) => f.mutated).length;
  for (const chunk of chunked(stream, plan.chunks)) {
    if (pipe.closedByServer()) break;
    pipe.send(chunk);
    stats.bytesSent += chunk.length;
    if (plan.spread) await yieldTurn();
  }
  await Promise.race([pipe.closed, tick(lingerMs)]);
  if (pipe.closedByServer()) stats.closedByServer += 1;
  pipe.destroy();
}

export interface FuzzRunOptions {
  readonly seed: number;
  /** Stop after this many sessions, or when `until()` says so (checked between sessions). */
  readonly sessions?: number;
  readonly until?: () => boolean;
  /** Sessions open at once. */
  readonly concurrency: number;
  readonly framesPerSession: number;
  /** How long a session waits for answers after its last write (ms). */
  readonly lingerMs: number;
  /** Called after each batch (the long run prints progress). */
  readonly onBatch?: (stats: FuzzStats) => void;
}

/** Runs sessions until the count or `until`, `concurrency` at a time; returns the counts. */
export async function runLiveFuzz(target: FuzzTarget, options: FuzzRunOptions): Promise<FuzzStats> {
  const stats = emptyStats();
  const arb = planArb(target.users, options.framesPerSession);
  let batch = 0;
  for (;;) {
    const left = options.sessions === undefined ? options.concurrency : options.sessions - stats.sessions;
    if (left <= 0 || options.until?.() === true) break;
    const plans = fc.sample(arb, {
      seed: options.seed + batch,
      numRuns: Math.min(left, options.concurrency),
    });
    batch += 1;
    await Promise.all(plans.map((plan) => runSession(plan, target, stats, options.lingerMs)));
    options.onBatch?.(stats);
  }
  return stats;
}

/** Registers the users the plans log in as (over native TCP). */
export async function registerFuzzUsers(
  host: string,
  tcpPort: number,
  count: number,
  prefix = 'fuzzer',
): Promise<FuzzUser[]> {
  const client = await NativeTestClient.connect(tcpPort, host);
  try {
    const users: FuzzUser[] = [];
    for (let i = 0; i < count; i++) {
      const username = `${prefix}${i}`;
      const password = `${prefix}-password-${i}`;
      users.push({ username, password, id: await client.register(username, password) });
    }
    return users;
  } finally {
    client.destroy();
  }
}
