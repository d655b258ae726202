import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  Command,
  DisconnectSchema,
  FrameDecoder,
  ImtpCommand,
  ImtpDecoder,
  JimDecoder,
  LoginRequestSchema,
  Platform,
  Status,
  decodeImtpMessage,
  encodeFrame,
  encodeImtpFrame,
  encodeImtpLogin,
  encodeJimFrame,
  parseJimStatus,
  type Frame,
} from '@parley/protocol';
import { NativeTestClient, spawnServer, startTestServer, type InProcessServer } from '@parley/testkit';
import { RawClient } from './raw-client.js';

/**
 * Fault tests (issue 10): what hostile or broken peers cannot do to the server. A reader that
 * never reads is cut off at the write-buffer bound while the server's memory stays flat;
 * slowloris connections that trickle a frame that never ends are closed at the login and idle
 * timeouts, in every dialect; thousands of connections that never log in are all closed while a
 * normal pair keeps chatting.
 */

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? 0 : Number(match[1]) / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a reader that never reads', () => {
  it('is disconnected at PARLEY_MAX_WRITE_BUFFER_BYTES (TCP and WebSocket); server memory stays bounded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-slow-'));
    const server = await spawnServer({
      PARLEY_DATA_DIR: dir,
      PARLEY_MAX_WRITE_BUFFER_BYTES: '262144',
      PARLEY_MAX_TEXT_LENGTH: '60000',
    });
    const pid = server.child.pid ?? 0;
    const clients: NativeTestClient[] = [];
    try {
      const sender = await NativeTestClient.connect(server.port);
      clients.push(sender);
      await sender.register('flooder', 'flooder-password');
      const slowId = await sender.register('sloth', 'sloth-password');
      await sender.login('flooder', 'flooder-password', 'f-pc');
      // The same user on two transports (different platform classes, so both stay online).
      const tcpReader = await NativeTestClient.connect(server.port);
      const wsReader = await NativeTestClient.connectWebSocket(server.httpPort);
      clients.push(tcpReader, wsReader);
      await tcpReader.login('sloth', 'sloth-password', 'sloth-pc', Platform.PC);
      await wsReader.login('sloth', 'sloth-password', 'sloth-web', Platform.WEB);
      tcpReader.socket.pause();
      wsReader.socket.pause();

      // 1500 pushes of 50 kB (75 MB) to each reader; the server may hold 256 KiB per connection.
      const count = 1500;
      const text = 'z'.repeat(50_000);
      const rssStart = rssMb(pid);
      let rssPeak = rssStart;
      const window = 50;
      for (let i = 0; i < count; i += window) {
        const acks = [];
        for (let j = i; j < Math.min(count, i + window); j++)
          acks.push(sender.sendText(slowId, text, `flood-${j}`));
        await Promise.all(acks);
        rssPeak = Math.max(rssPeak, rssMb(pid));
      }
      const growth = rssPeak - rssStart;
      console.log(
        `slow reader: ${count} pushes of 50 kB to each of 2 readers (${((2 * count * 50_000) / 1e6).toFixed(0)} MB); ` +
          `server RSS ${rssStart.toFixed(0)} MB at start, peak +${growth.toFixed(0)} MB`,
      );
      // Far less than the 150 MB the readers were owed: nothing was queued for them without bound.
      assert.ok(growth < 100, `server RSS grew by ${growth.toFixed(0)} MB`);
      assert.equal(sender.isClosed, false, 'the sender was never held up');

      // Both readers were cut off: reading again drains what the kernel held, then the close.
      tcpReader.socket.resume();
      wsReader.socket.resume();
      await Promise.all([tcpReader.closed, wsReader.closed]);
      for (const reader of [tcpReader, wsReader]) {
        assert.ok(
          reader.pushedMessages().length < count,
          `got ${reader.pushedMessages().length} of ${count}`,
        );
      }
      const slowLogs = server.output.filter((l) => l.includes('slow consumer disconnected'));
      assert.equal(slowLogs.length, 2, 'both were dropped as slow consumers');
      // Nothing is lost for the user: a fresh login pulls up to the head.
      const again = await NativeTestClient.connect(server.port);
      clients.push(again);
      const login = await again.login('flooder', 'flooder-password', 'f-pc-2');
      const head = await again.pull(String(slowId), 0n, 1, true);
      assert.equal(head.maxSeq, BigInt(count));
      assert.ok(login.userId > 0n);
    } finally {
      for (const c of clients) c.destroy();
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

type Dialect = 'native' | 'imtp' | 'jim' | 'imp';

/** The start of a frame that announces a 60000-byte body: the body then trickles in forever. */
function endlessFrame(dialect: Dialect): Buffer {
  switch (dialect) {
    case 'native': {
      const header = encodeFrame({
        seq: 9,
        command: Command.MS,
        flag: 0,
        status: 0,
        body: new Uint8Array(0),
      });
      new DataView(header.buffer).setUint32(0, 60_000);
      return Buffer.from(header);
    }
    case 'imtp': {
      const header = encodeImtpFrame({
        cmd: 1,
        sender: 0n,
        receiver: 0n,
        group: false,
        body: new Uint8Array(0),
      });
      new DataView(header.buffer).setInt32(20, 60_000);
      return Buffer.from(header.subarray(0, 24));
    }
    case 'jim': {
      const header = encodeJimFrame({ command: 'B101', requestId: 9, body: new Uint8Array(0) });
      new DataView(header.buffer).setUint32(12, 60_000);
      return Buffer.from(header);
    }
    case 'imp':
      return Buffer.from('MSG USER @nobody 60000\r\n');
  }
}

/** What a dialect says when the server closes for a timeout; undefined when it said nothing. */
function timeoutNotice(dialect: Dialect, bytes: Buffer): string | undefined {
  switch (dialect) {
    case 'native': {
      const decoder = new FrameDecoder({ maxBodyLength: 1 << 20 });
      decoder.push(bytes);
      for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) {
        const f: Frame = r.frame;
        if (f.command === Command.DISCONNECT && f.status === Status.TIMEOUT) {
          return fromBinary(DisconnectSchema, f.body).reason;
        }
      }
      return undefined;
    }
    case 'imtp': {
      const decoder = new ImtpDecoder();
      decoder.push(bytes);
      for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) {
        if (r.frame.cmd !== ImtpCommand.TEXT) continue;
        const text = decodeImtpMessage(r.frame.body).text;
        if (text.includes(`(status ${Status.TIMEOUT})`)) return text;
      }
      return undefined;
    }
    case 'jim': {
      const decoder = new JimDecoder();
      decoder.push(bytes);
      for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) {
        if (r.frame.command !== 'A999') continue;
        const status = parseJimStatus(r.frame.body);
        if (status.code === Status.TIMEOUT) return status.message;
      }
      return undefined;
    }
    case 'imp':
      return /ERR (.*in time)/.exec(bytes.toString('utf8'))?.[1];
  }
}

describe('slowloris: frames that never end', () => {
  it('are closed at the login timeout, and after a login at the idle timeout, in every dialect', async () => {
    const server = await startTestServer({ PARLEY_AUTH_TIMEOUT_MS: '1500', PARLEY_IDLE_TIMEOUT_MS: '2500' });
    const raws: RawClient[] = [];
    let trickling = true;
    try {
      // One user per dialect, so no login replaces another's session.
      const setup = await NativeTestClient.connect(server.port);
      for (const name of ['loris-native', 'loris-imtp', 'loris-jim', 'loris-imp']) {
        await setup.register(name, `${name}-password`);
      }
      const token = (await setup.login('loris-jim', 'loris-jim-password', 'loris-bot', Platform.BOT)).token;
      setup.destroy();
      const logins: Record<Dialect, Uint8Array> = {
        native: encodeFrame({
          seq: 1,
          command: Command.LOGIN,
          flag: 0,
          status: 0,
          body: toBinary(
            LoginRequestSchema,
            create(LoginRequestSchema, {
              username: 'loris-native',
              password: 'loris-native-password',
              platform: Platform.PC,
            }),
          ),
        }),
        imtp: encodeImtpFrame({
          cmd: ImtpCommand.LOGIN,
          sender: 0n,
          receiver: 0n,
          group: false,
          body: encodeImtpLogin({ username: 'loris-imtp', password: 'loris-imtp-password' }),
        }),
        jim: encodeJimFrame({
          command: 'B001',
          requestId: 1,
          body: Buffer.from(JSON.stringify({ client_id: 'loris', token })),
        }),
        imp: Buffer.from('REG @loris-imp loris-imp-password\r\n'),
      };
      const dialects: Dialect[] = ['native', 'imtp', 'jim', 'imp'];
      const cases: { dialect: Dialect; authenticated: boolean; client: RawClient; next: number }[] = [];
      for (const dialect of dialects) {
        for (const authenticated of [false, true]) {
          const client = await RawClient.tcp(server.port);
          raws.push(client);
          if (authenticated) client.write(logins[dialect]);
          cases.push({ dialect, authenticated, client, next: 0 });
        }
      }
      // One byte per connection every 100 ms: the frame never ends, the connection never idles
      // at the TCP level, and no complete frame ever arrives.
      const trickle = (async () => {
        while (trickling) {
          for (const c of cases) {
            if (c.client.isClosed) continue;
            const start = endlessFrame(c.dialect);
            c.client.write(c.next < start.length ? start.subarray(c.next, c.next + 1) : Buffer.of(0x61));
            c.next += 1;
          }
          await sleep(100);
        }
      })();
      const results = await Promise.all(cases.map((c) => c.client.closedWithin(20_000)));
      trickling = false;
      await trickle;
      for (const [i, c] of cases.entries()) {
        const what = `${c.dialect} ${c.authenticated ? 'after login' : 'before login'}`;
        assert.equal(results[i], true, `${what}: closed by the server`);
        assert.ok(c.next > 5, `${what}: it was trickling (${c.next} bytes)`);
        const notice = timeoutNotice(c.dialect, c.client.bytes);
        assert.ok(
          notice !== undefined,
          `${what}: told TIMEOUT (got ${JSON.stringify(c.client.text.slice(0, 300))})`,
        );
        assert.match(notice, c.authenticated ? /no frame/ : /no login/, what);
      }
      assert.equal(server.app.gateway.connectionCount, 0);
    } finally {
      trickling = false;
      for (const r of raws) r.destroy();
      await server.stop();
    }
  });
});

describe('thousands of connections that never log in', () => {
  let server: InProcessServer;

  it('are all closed at the login timeout while a normal pair keeps chatting', async () => {
    server = await startTestServer({
      PARLEY_AUTH_TIMEOUT_MS: '1500',
      PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '100000',
    });
    const storm: RawClient[] = [];
    let chatting = true;
    try {
      const alice = await NativeTestClient.connect(server.port);
      await alice.register('calm-alice', 'calm-alice-password');
      const bobId = await alice.register('calm-bob', 'calm-bob-password');
      await alice.login('calm-alice', 'calm-alice-password', 'a-pc');
      const bob = await NativeTestClient.connect(server.port);
      await bob.login('calm-bob', 'calm-bob-password', 'b-pc');
      let sent = 0;
      const chat = (async () => {
        while (chatting) {
          await alice.sendText(bobId, `calm ${sent}`, `calm-${sent}`);
          sent += 1;
          if (sent % 20 === 0) await bob.requestFrame(Command.PING, new Uint8Array(0));
          await sleep(10);
        }
      })();

      // 3000 TCP connections (silent, or a dialect's first bytes and no more) and 200 WebSockets.
      const openers: Buffer[] = [
        Buffer.alloc(0),
        Buffer.from([0, 0, 0]),
        Buffer.from('jim1B0'),
        Buffer.from([0xdf, 1, 0]),
        Buffer.from('REG @someone'),
      ];
      const paths = ['/ws', '/ws/imtp', '/ws/jim', '/ws/imp'];
      for (let batch = 0; batch < 15; batch++) {
        const opened = await Promise.all(
          Array.from({ length: 200 }, async (_, i) => {
            const c = await RawClient.tcp(server.port);
            const opener = openers[i % openers.length] ?? Buffer.alloc(0);
            if (opener.length > 0) c.write(opener);
            return c;
          }),
        );
        storm.push(...opened);
      }
      storm.push(
        ...(await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            RawClient.ws(server.httpPort, paths[i % 4] ?? '/ws', i % 4 === 3),
          ),
        )),
      );
      const peak = server.app.gateway.connectionCount;

      // A new client can still sign in while the storm is open.
      const carol = await NativeTestClient.connect(server.port);
      await carol.register('calm-carol', 'calm-carol-password');
      await carol.login('calm-carol', 'calm-carol-password', 'c-pc');

      const closed = await Promise.all(storm.map((c) => c.closedWithin(30_000)));
      const open = closed.filter((c) => !c).length;
      chatting = false;
      await chat;
      console.log(
        `${storm.length} connections that never logged in: ${storm.length - open} closed by the server ` +
          `(${peak} dialect connections at the peak); meanwhile ${sent} messages were acked`,
      );
      assert.equal(open, 0, 'every idle connection was closed');
      await bob.waitFor(() => bob.pushedMessages().length === sent, 5000, 'every calm message delivered');
      // Only the three real clients are left.
      assert.equal(server.app.gateway.connectionCount, 3);
      assert.ok(sent > 0);
      alice.destroy();
      bob.destroy();
      carol.destroy();
    } finally {
      chatting = false;
      for (const c of storm) c.destroy();
      await server.stop();
    }
  });
});
