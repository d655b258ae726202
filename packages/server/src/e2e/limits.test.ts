import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import {
  Command,
  ContentType,
  DisconnectSchema,
  FrameDecoder,
  ImtpCommand,
  ImtpDecoder,
  JimDecoder,
  Platform,
  Status,
  decodeImtpLoginResult,
  decodeImtpMsgRes,
  encodeFrame,
  encodeImtpFrame,
  encodeImtpLogin,
  encodeImtpMessage,
  encodeJimFrame,
  parseJimBody,
  parseJimStatus,
  type Frame,
} from '@parley/protocol';
import { NativeTestClient, rejectsWithStatus, startTestServer, type InProcessServer } from '@parley/testkit';
import { HttpTestClient } from '../http/http-test-client.js';
import { RawClient } from './raw-client.js';

/**
 * Every abuse limit of issue 10, crossed over real sockets, with the status each dialect shows
 * for it (RATE_LIMITED, 7): connections per address, failed logins per address, messages per
 * connection, messages per user. The limits are the PARLEY_* keys in docs/security.md.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function nativeFrames(bytes: Buffer): Frame[] {
  const decoder = new FrameDecoder({ maxBodyLength: 1 << 20 });
  decoder.push(bytes);
  const out: Frame[] = [];
  for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) out.push(r.frame);
  return out;
}

async function withServer(env: Record<string, string>, body: (server: InProcessServer) => Promise<void>) {
  const server = await startTestServer(env);
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

describe('limit: connections per address (PARLEY_MAX_CONNECTIONS_PER_ADDRESS)', () => {
  it('refuses the connection past the limit with RATE_LIMITED in its own dialect, TCP and WebSocket', async () => {
    await withServer({ PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '3' }, async (server) => {
      const held = await Promise.all([0, 1, 2].map(() => NativeTestClient.connect(server.port)));
      // The three are fine: they answer.
      for (const c of held)
        assert.equal((await c.requestFrame(Command.PING, new Uint8Array(0))).status, Status.OK);

      const native = await RawClient.tcp(server.port);
      native.write(
        encodeFrame({ seq: 1, command: Command.PING, flag: 0, status: 0, body: new Uint8Array(0) }),
      );
      const imp = await RawClient.tcp(server.port);
      imp.write('CHNS\r\n');
      const jim = await RawClient.tcp(server.port);
      jim.write(encodeJimFrame({ command: 'A001', requestId: 1, body: new Uint8Array(0) }));
      const ws = await RawClient.ws(server.httpPort, '/ws');
      for (const c of [native, imp, jim, ws])
        assert.equal(await c.closedWithin(5000), true, 'refused and closed');

      const disconnect = nativeFrames(native.bytes).find((f) => f.command === Command.DISCONNECT);
      assert.equal(disconnect?.status, Status.RATE_LIMITED);
      assert.match(
        fromBinary(DisconnectSchema, disconnect.body).reason,
        /too many connections from this address/,
      );
      assert.equal(
        nativeFrames(ws.bytes).find((f) => f.command === Command.DISCONNECT)?.status,
        Status.RATE_LIMITED,
      );
      assert.match(imp.text, /^ERR too many connections from this address\r\n$/);
      const decoder = new JimDecoder();
      decoder.push(jim.bytes);
      const close = decoder.next();
      assert.ok(close.kind === 'frame' && close.frame.command === 'A999');
      assert.equal(parseJimStatus(close.frame.body).code, Status.RATE_LIMITED);

      // A place frees up when one of the three leaves.
      held[0]?.destroy();
      let next: NativeTestClient | undefined;
      for (const deadline = Date.now() + 5000; next === undefined && Date.now() < deadline;) {
        const c = await NativeTestClient.connect(server.port);
        const pong = await c.requestFrame(Command.PING, new Uint8Array(0)).catch(() => undefined);
        if (pong?.status === Status.OK) next = c;
        else c.destroy();
      }
      assert.ok(next !== undefined, 'a new connection is served once one of the three left');
      for (const c of [...held, next]) c.destroy();
    });
  });
});

describe('limit: failed logins per address (PARLEY_MAX_LOGIN_FAILURES_PER_ADDRESS)', () => {
  it('after that many failures from one address, even a right password is refused with RATE_LIMITED', async () => {
    await withServer(
      { PARLEY_MAX_LOGIN_FAILURES_PER_ADDRESS: '5', PARLEY_MAX_LOGIN_FAILURES: '1000' },
      async (server) => {
        const c = await NativeTestClient.connect(server.port);
        for (let i = 0; i < 6; i++) await c.register(`spray${i}`, `spray${i}-password`);
        // Password spraying: one wrong guess per account, so the per-account lock never trips.
        for (let i = 0; i < 5; i++) {
          await rejectsWithStatus(c.login(`spray${i}`, 'guess-123', 'd'), Status.AUTH_FAILED, `guess ${i}`);
        }
        await rejectsWithStatus(
          c.login('spray5', 'spray5-password', 'd'),
          Status.RATE_LIMITED,
          'native login',
        );
        // Other dialects from the same address are refused too: IMP REG and IMTP LOGIN.
        const imp = await RawClient.tcp(server.port);
        imp.write('REG @spray5 spray5-password\r\n');
        const imtp = await RawClient.tcp(server.port);
        imtp.write(
          encodeImtpFrame({
            cmd: ImtpCommand.LOGIN,
            sender: 0n,
            receiver: 0n,
            group: false,
            body: encodeImtpLogin({ username: 'spray5', password: 'spray5-password' }),
          }),
        );
        const deadline = Date.now() + 5000;
        while ((!imp.text.includes('\n') || imtp.bytes.length === 0) && Date.now() < deadline)
          await sleep(20);
        assert.match(imp.text, /^ERR too many failed logins from this address/);
        const decoder = new ImtpDecoder();
        decoder.push(imtp.bytes);
        const res = decoder.next();
        assert.ok(res.kind === 'frame' && res.frame.cmd === ImtpCommand.LOGIN_RES);
        assert.equal(decodeImtpLoginResult(res.frame.body).state, Status.RATE_LIMITED);
        for (const x of [c, imp, imtp]) x.destroy();
      },
    );
  });
});

describe('limit: messages per connection (PARLEY_MAX_MESSAGES_PER_CONNECTION)', () => {
  it('answers RATE_LIMITED past the limit on that connection only', async () => {
    await withServer(
      { PARLEY_MAX_MESSAGES_PER_CONNECTION: '5', PARLEY_MAX_MESSAGES_PER_USER: '1000' },
      async (server) => {
        const a = await NativeTestClient.connect(server.port);
        await a.register('chatty', 'chatty-password');
        const peerId = await a.register('listener', 'listener-password');
        const login = await a.login('chatty', 'chatty-password', 'chatty-pc');
        for (let i = 0; i < 5; i++) await a.sendText(peerId, `m${i}`, `c-${i}`);
        await rejectsWithStatus(a.sendText(peerId, 'one too many', 'c-5'), Status.RATE_LIMITED, '6th send');
        // Another device of the same user has a budget of its own.
        const b = await NativeTestClient.connect(server.port);
        await b.login('chatty', 'chatty-password', 'chatty-web', Platform.WEB);
        await b.sendText(peerId, 'from the other device', 'c-web');

        // IMTP reports it in MSG_RES: five sends are OK, the sixth RATE_LIMITED.
        const imtp = await RawClient.tcp(server.port);
        imtp.write(
          encodeImtpFrame({
            cmd: ImtpCommand.LOGIN,
            sender: 0n,
            receiver: 0n,
            group: false,
            body: encodeImtpLogin({ username: 'listener', password: 'listener-password' }),
          }),
        );
        for (let i = 1; i <= 6; i++) {
          imtp.write(
            encodeImtpFrame({
              cmd: ImtpCommand.TEXT,
              sender: peerId,
              receiver: login.userId,
              group: false,
              body: encodeImtpMessage({ text: `i${i}`, ackId: BigInt(i), timestamp: 1n }),
            }),
          );
        }
        const states = new Map<bigint, number>();
        const deadline = Date.now() + 5000;
        while (states.size < 6 && Date.now() < deadline) {
          await sleep(20);
          const decoder = new ImtpDecoder();
          decoder.push(imtp.bytes);
          for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) {
            if (r.frame.cmd === ImtpCommand.MSG_RES) {
              const res = decodeImtpMsgRes(r.frame.body);
              states.set(res.ackId, res.state);
            }
          }
        }
        assert.deepEqual(
          [1n, 2n, 3n, 4n, 5n, 6n].map((id) => states.get(id)),
          [0, 0, 0, 0, 0, Status.RATE_LIMITED],
        );
        for (const x of [a, b, imtp]) x.destroy();
      },
    );
  });
});

describe('limit: messages per user (PARLEY_MAX_MESSAGES_PER_USER)', () => {
  it('counts every device, dialect and the HTTP API together, then RATE_LIMITED (429 over HTTP)', async () => {
    await withServer(
      { PARLEY_MAX_MESSAGES_PER_USER: '8', PARLEY_MAX_MESSAGES_PER_CONNECTION: '1000' },
      async (server) => {
        const pc = await NativeTestClient.connect(server.port);
        await pc.register('busy', 'busy-password');
        const peerId = await pc.register('quiet', 'quiet-password');
        await pc.login('busy', 'busy-password', 'busy-pc');
        const web = await NativeTestClient.connectWebSocket(server.httpPort);
        await web.login('busy', 'busy-password', 'busy-web', Platform.WEB);
        const http = new HttpTestClient(`http://127.0.0.1:${server.httpPort}`);
        const token = await http.post('/api/v1/auth/login', { username: 'busy', password: 'busy-password' });
        http.token = (token.body as { token: string }).token;
        const send = (i: number) =>
          http.post(`/api/v1/conversations/single/${peerId}/messages`, {
            clientMsgId: `h-${i}`,
            content: { contentType: ContentType.TEXT, text: `http ${i}` },
          });

        for (let i = 0; i < 3; i++) await pc.sendText(peerId, `pc ${i}`, `p-${i}`);
        for (let i = 0; i < 3; i++) await web.sendText(peerId, `web ${i}`, `w-${i}`);
        for (let i = 0; i < 2; i++) assert.equal((await send(i)).status, 200);
        // Eight sent; the ninth is refused wherever it comes from.
        await rejectsWithStatus(pc.sendText(peerId, 'nine', 'p-9'), Status.RATE_LIMITED, 'TCP');
        await rejectsWithStatus(web.sendText(peerId, 'nine', 'w-9'), Status.RATE_LIMITED, 'WebSocket');
        const refused = await send(9);
        const error = (refused.body as { error: { status: number; message: string } }).error;
        assert.equal(refused.status, 429);
        assert.equal(error.status, Status.RATE_LIMITED);
        assert.match(error.message, /too many messages from this user/);

        // Jim reports it with a B103 notice carrying the code.
        const jim = await RawClient.tcp(server.port);
        jim.write(
          encodeJimFrame({
            command: 'B001',
            requestId: 1,
            body: Buffer.from(JSON.stringify({ client_id: 'j', token: http.token })),
          }),
        );
        jim.write(
          encodeJimFrame({
            command: 'B101',
            requestId: 2,
            body: Buffer.from(
              JSON.stringify({ type: 'text', data: { receiver_id: String(peerId), content: 'from jim' } }),
            ),
          }),
        );
        let code: number | undefined;
        const deadline = Date.now() + 5000;
        while (code === undefined && Date.now() < deadline) {
          await sleep(20);
          const decoder = new JimDecoder();
          decoder.push(jim.bytes);
          for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) {
            if (r.frame.command !== 'B103' || r.frame.requestId !== 2) continue;
            const body = parseJimBody(r.frame.body);
            if (body.type === 'text') code = body.data.code;
          }
        }
        assert.equal(code, Status.RATE_LIMITED);

        // The limit is the user's: someone else sends as usual.
        const other = await NativeTestClient.connect(server.port);
        await other.login('quiet', 'quiet-password', 'q-pc');
        const ack = await other.sendText(await pc.register('third', 'third-password'), 'hello', 'q-1');
        assert.ok(ack.seq > 0n);
        for (const x of [pc, web, jim, other]) x.destroy();
      },
    );
  });
});
