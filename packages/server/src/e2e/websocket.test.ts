import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import {
  Command,
  HEADER_LENGTH,
  JimCommand,
  JimDecoder,
  Platform,
  Status,
  encodeJimFrame,
  type JimFrame,
} from '@parley/protocol';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';

const MAX_FRAME = 4096;

describe('native protocol over WebSocket (/ws on the HTTP port)', () => {
  let server: InProcessServer;
  const clients: NativeTestClient[] = [];

  before(async () => {
    server = await startTestServer({
      PARLEY_MAX_FRAME_BYTES: String(MAX_FRAME),
      PARLEY_AUTH_TIMEOUT_MS: '1500',
    });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await server.stop();
  });

  const ws = async () => {
    const c = await NativeTestClient.connectWebSocket(server.httpPort);
    clients.push(c);
    return c;
  };
  const tcp = async () => {
    const c = await NativeTestClient.connect(server.port);
    clients.push(c);
    return c;
  };

  it('a WebSocket user and a TCP user chat both ways, and kicks work across transports', async () => {
    const web = await ws();
    const webId = await web.register('webby', 'webby-password');
    await web.login('webby', 'webby-password', 'webby-browser', Platform.WEB);
    const pc = await tcp();
    const pcId = await pc.register('tcpy', 'tcpy-password');
    await pc.login('tcpy', 'tcpy-password', 'tcpy-pc', Platform.PC);

    await web.sendText(pcId, 'from the browser ✓', 'w-1');
    await pc.sendText(webId, 'from the terminal 🎉', 't-1');
    await pc.waitFor(() => pc.pushedMessages().length === 1);
    await web.waitFor(() => web.pushedMessages().length === 1);
    assert.equal(pc.pushedMessages()[0]?.messageContent?.text, 'from the browser ✓');
    assert.equal(web.pushedMessages()[0]?.messageContent?.text, 'from the terminal 🎉');

    // A second web login (over TCP this time) replaces the WebSocket session.
    const again = await tcp();
    await again.login('webby', 'webby-password', 'webby-other-browser', Platform.WEB);
    await web.waitFor(() => web.isClosed, 5000, 'kicked WebSocket closed');
    assert.ok(web.notifications.some((f) => f.command === Command.KICK));
  });

  it('keeps the same limits: an oversized frame is answered TOO_LARGE and closed; no login in time closes', async () => {
    const big = await ws();
    const header = new Uint8Array(HEADER_LENGTH);
    new DataView(header.buffer).setUint32(0, MAX_FRAME + 1);
    header[4] = 1;
    header[9] = Command.PING;
    big.writeRaw(header);
    await big.waitFor(() => big.isClosed, 5000, 'closed');
    assert.equal(big.received[0]?.status, Status.TOO_LARGE);

    const idle = await ws();
    await idle.waitFor(() => idle.isClosed, 5000, 'auth timeout');
    assert.equal(idle.received.find((f) => f.command === Command.DISCONNECT)?.status, Status.TIMEOUT);
  });

  it('refuses text messages, unknown paths, and serves /healthz', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) =>
      socket.once('close', (code) => {
        resolve(code);
      }),
    );
    socket.send('LOGIN alice');
    assert.equal(await closed, 1003);

    const wrong = new WebSocket(`ws://127.0.0.1:${server.httpPort}/nope`);
    const failed = await new Promise<boolean>((resolve) => {
      wrong.once('open', () => {
        resolve(false);
      });
      wrong.once('error', () => {
        resolve(true);
      });
    });
    assert.equal(failed, true);

    const res = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`);
    assert.equal(res.status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${server.httpPort}/elsewhere`)).status, 404);
  });

  it('serves IMP at /ws/imp in text messages and Jim at /ws/jim in binary ones', async () => {
    const imp = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws/imp`);
    const impLines: string[] = [];
    imp.on('message', (data: Buffer, isBinary: boolean) => {
      assert.equal(isBinary, false, 'IMP answers in text messages');
      impLines.push(
        ...data
          .toString('utf8')
          .split('\r\n')
          .filter((l) => l !== ''),
      );
    });
    await new Promise((resolve) => imp.once('open', resolve));
    imp.send('REG @wsimp wsimp-password\r\n');
    imp.send('join #websockets\r\n');
    imp.send('CHNS\r\n');
    const deadline = Date.now() + 5000;
    while (impLines.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(impLines.slice(0, 2), ['OK', 'OK']);
    assert.match(impLines[2] ?? '', /^CHNS .*#websockets/);
    imp.close();

    const jim = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws/jim`);
    await new Promise((resolve) => jim.once('open', resolve));
    const frames: JimFrame[] = [];
    const decoder = new JimDecoder({ maxBodyLength: 65536 });
    jim.on('message', (data: Buffer) => {
      decoder.push(data);
      for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) frames.push(r.frame);
    });
    jim.send(encodeJimFrame({ command: JimCommand.PING, requestId: 7, body: new Uint8Array(0) }));
    const until = Date.now() + 5000;
    while (frames.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.equal(frames[0]?.command, JimCommand.PONG);
    assert.equal(frames[0].requestId, 7);
    jim.close();
  });
});
