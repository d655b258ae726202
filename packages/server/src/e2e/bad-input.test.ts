import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { fromBinary } from '@bufbuild/protobuf';
import {
  Command,
  DisconnectSchema,
  Encryption,
  Flow,
  HEADER_LENGTH,
  Compression,
  Status,
  encodeFrame,
  makeFlags,
  type Frame,
} from '@parley/protocol';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';

const MAX_FRAME = 65536;

function frame(command: number, body: Uint8Array, flag = makeFlags(Flow.REQUEST), seq = 77): Uint8Array {
  return encodeFrame({ seq, command, flag, status: 0, body });
}

function lastResponse(c: NativeTestClient): Frame | undefined {
  return c.received.find((f) => (f.flag & 0b11) === Flow.RESPONSE);
}

function disconnectOf(c: NativeTestClient): Frame | undefined {
  return c.received.find((f) => f.command === Command.DISCONNECT);
}

/**
 * Every kind of bad input gets its documented status, and none of it disturbs a healthy client
 * that keeps chatting on the same server the whole time.
 */
describe('native protocol: bad input', () => {
  let server: InProcessServer;
  let healthy: NativeTestClient;
  let peer: NativeTestClient;
  let peerId: bigint;
  let sent = 0;
  let chatting: Promise<void>;
  let stopChatting = false;
  const clients: NativeTestClient[] = [];
  const connect = async () => {
    const c = await NativeTestClient.connect(server.port);
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startTestServer({
      PARLEY_MAX_FRAME_BYTES: String(MAX_FRAME),
      PARLEY_AUTH_TIMEOUT_MS: '1500',
      PARLEY_IDLE_TIMEOUT_MS: '3000',
    });
    healthy = await connect();
    await healthy.register('healthy', 'healthy-password');
    peer = await connect();
    peerId = await peer.register('peer', 'peer-password');
    await healthy.login('healthy', 'healthy-password', 'h-pc');
    await peer.login('peer', 'peer-password', 'p-pc');
    chatting = (async () => {
      while (!stopChatting) {
        await healthy.sendText(peerId, `still fine ${sent}`, `h-${sent}`);
        sent += 1;
        // The peer only receives; its PINGs are the heartbeat that keeps it within the idle timeout.
        if (sent % 10 === 0) await peer.requestFrame(Command.PING, new Uint8Array(0));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
  });

  after(async () => {
    stopChatting = true;
    await chatting;
    // The healthy client never noticed: everything it sent was acked and reached its peer.
    await peer.waitFor(() => peer.pushedMessages().length === sent, 5000, 'all healthy messages delivered');
    assert.ok(sent > 10, `the healthy client kept sending (${sent} messages)`);
    assert.equal(healthy.isClosed, false);
    for (const c of clients) c.destroy();
    await server.stop();
  });

  it('closes on non-zero reserved flag bits, answering PROTOCOL_ERROR', async () => {
    const c = await connect();
    c.writeRaw(frame(Command.PING, new Uint8Array(0), 0b0100_0000));
    await c.waitFor(() => c.isClosed, 5000, 'close');
    assert.equal(lastResponse(c)?.status, Status.PROTOCOL_ERROR);
    assert.equal(lastResponse(c)?.seq, 77);
  });

  it('answers TOO_LARGE and closes when a length is over the limit', async () => {
    const c = await connect();
    const header = new Uint8Array(HEADER_LENGTH);
    new DataView(header.buffer).setUint32(0, MAX_FRAME + 1);
    header[4] = 1;
    header[9] = Command.PING;
    c.writeRaw(header);
    await c.waitFor(() => c.isClosed, 5000, 'close');
    assert.equal(lastResponse(c)?.status, Status.TOO_LARGE);
  });

  it('answers UNSUPPORTED_VERSION and closes on another version', async () => {
    const c = await connect();
    const bytes = frame(Command.PING, new Uint8Array(0));
    bytes[4] = 2;
    c.writeRaw(bytes);
    await c.waitFor(() => c.isClosed, 5000, 'close');
    assert.equal(lastResponse(c)?.status, Status.UNSUPPORTED_VERSION);
  });

  it('survives random garbage: each connection is closed, the server stays up', async () => {
    for (let i = 0; i < 30; i++) {
      const c = await connect();
      const junk = randomBytes(64 + i * 7);
      // A native first byte (0x00), then a length over the limit or a broken header.
      junk[0] = 0x00;
      junk[1] = 0x01 + (i % 200);
      c.writeRaw(junk);
      await c.waitFor(() => c.isClosed, 5000, `close of garbage connection ${i}`);
      const status = lastResponse(c)?.status;
      assert.ok(
        status === Status.TOO_LARGE ||
          status === Status.PROTOCOL_ERROR ||
          status === Status.UNSUPPORTED_VERSION,
        `garbage answered with a framing status, got ${String(status)}`,
      );
    }
  });

  it('closes a connection whose first bytes are no dialect at all', async () => {
    for (const first of [0x01, 0x7f, 0x80, 0xc0, 0xfe, 0xff]) {
      const c = await connect();
      const junk = randomBytes(32);
      junk[0] = first;
      c.writeRaw(junk);
      await c.waitFor(() => c.isClosed, 5000, `close of 0x${first.toString(16)} connection`);
      assert.equal(c.received.length, 0, 'nothing is answered in a dialect nobody spoke');
    }
  });

  it('closes a connection that sends nothing at all in time', async () => {
    const c = await connect();
    await c.waitFor(() => c.isClosed, 6000, 'silent connection closed');
  });

  it('closes a connection that sends a truncated frame and then nothing (unauthenticated)', async () => {
    const c = await connect();
    c.writeRaw(frame(Command.LOGIN, new Uint8Array(40)).subarray(0, 20));
    await c.waitFor(() => c.isClosed, 6000, 'timeout close');
    const bye = disconnectOf(c);
    assert.equal(bye?.status, Status.TIMEOUT);
    assert.match(fromBinary(DisconnectSchema, bye.body).reason, /login/);
  });

  it('closes a logged-in connection whose frame stays truncated past the idle timeout', async () => {
    const c = await connect();
    await c.login('peer', 'peer-password', 'p-web', 1);
    c.writeRaw(frame(Command.PING, new Uint8Array(10)).subarray(0, 15));
    await c.waitFor(() => c.isClosed, 8000, 'idle close');
    assert.equal(disconnectOf(c)?.status, Status.TIMEOUT);
  });

  it('answers BAD_REQUEST to an undecodable body and keeps the connection', async () => {
    const c = await connect();
    const r = await c.requestFrame(Command.LOGIN, Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
    assert.equal(r.status, Status.BAD_REQUEST);
    assert.equal((await c.requestFrame(Command.PING, new Uint8Array(0))).status, Status.OK);
  });

  it('answers UNKNOWN_COMMAND and keeps the connection', async () => {
    const c = await connect();
    assert.equal((await c.requestFrame(200, new Uint8Array(0))).status, Status.UNKNOWN_COMMAND);
    assert.equal((await c.requestFrame(0, new Uint8Array(0))).status, Status.UNKNOWN_COMMAND);
    assert.equal((await c.requestFrame(Command.PING, new Uint8Array(0))).status, Status.OK);
  });

  it('answers UNAUTHENTICATED to every command that needs a login', async () => {
    const c = await connect();
    for (const command of [Command.LOGOUT, Command.MS, Command.MP, Command.MR, Command.SYNC, Command.MPS]) {
      const r = await c.requestFrame(command, new Uint8Array(0));
      assert.equal(r.status, Status.UNAUTHENTICATED, `command ${command}`);
    }
    assert.equal(c.isClosed, false);
  });

  it('answers TOO_LARGE to a gzip body that inflates past the limit, and keeps the connection', async () => {
    const c = await connect();
    const bomb = gzipSync(Buffer.alloc(MAX_FRAME * 16));
    assert.ok(bomb.length < MAX_FRAME);
    const r = await c.requestFrame(Command.LOGIN, bomb, makeFlags(Flow.REQUEST, Compression.GZIP));
    assert.equal(r.status, Status.TOO_LARGE);
    const bad = await c.requestFrame(
      Command.PING,
      Uint8Array.from([1, 2, 3]),
      makeFlags(Flow.REQUEST, Compression.GZIP),
    );
    assert.equal(bad.status, Status.BAD_COMPRESSION);
    assert.equal((await c.requestFrame(Command.PING, new Uint8Array(0))).status, Status.OK);
  });

  it('accepts a gzip request and answers BAD_REQUEST to an AES frame without a session key and PROTOCOL_ERROR to a wrong flow', async () => {
    const c = await connect();
    const ok = await c.requestFrame(
      Command.PING,
      gzipSync(Buffer.alloc(0)),
      makeFlags(Flow.REQUEST, Compression.GZIP),
    );
    assert.equal(ok.status, Status.OK);
    const enc = await c.requestFrame(
      Command.PING,
      new Uint8Array(0),
      makeFlags(Flow.REQUEST, 0, Encryption.AES),
    );
    // No RSA LOGIN gave this connection a session key (docs/native-protocol.md, "Encryption flags").
    assert.equal(enc.status, Status.BAD_REQUEST);
    c.writeRaw(frame(Command.PING, new Uint8Array(0), makeFlags(Flow.NOTIFY), 5));
    await c.waitFor(() => c.received.some((f) => f.seq === 5), 5000, 'flow answer');
    assert.equal(c.received.find((f) => f.seq === 5)?.status, Status.PROTOCOL_ERROR);
  });
});
