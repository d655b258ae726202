import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { Command, DisconnectSchema, Status } from '@parley/protocol';
import { NativeTestClient, spawnServer, startTestServer } from '@parley/testkit';

describe('connection lifecycle', () => {
  it('drops a client that never reads instead of buffering for it without bound', async () => {
    const server = await startTestServer({ PARLEY_MAX_WRITE_BUFFER_BYTES: '65536' });
    try {
      const sender = await NativeTestClient.connect(server.port);
      await sender.register('sender', 'sender-password');
      const slowId = await sender.register('slow', 'slow-password');
      await sender.login('sender', 'sender-password', 's-pc');
      const slow = await NativeTestClient.connect(server.port);
      await slow.login('slow', 'slow-password', 'slow-pc');
      assert.equal(server.app.sessions.isOnline(slowId), true);
      slow.socket.pause();

      // ~27 MB of pushes: more than loopback's socket buffers and far more than the 64 KiB bound.
      const text = 'x'.repeat(9000);
      const sends = [];
      for (let i = 0; i < 3000; i++) sends.push(sender.sendText(slowId, text, `flood-${i}`));
      const results = await Promise.all(sends);
      assert.equal(results.length, 3000, 'the sender was never held up by the slow reader');
      assert.equal(server.app.sessions.isOnline(slowId), false, 'the slow reader was disconnected');
      assert.equal(sender.isClosed, false);
      // Nothing was lost for the slow user: it catches up with a pull after reconnecting.
      const again = await NativeTestClient.connect(server.port);
      await again.login('slow', 'slow-password', 'slow-pc');
      const head = await again.pull(
        String((await again.sync()).conversations[0]?.conversation?.target),
        0n,
        1,
        true,
      );
      assert.equal(head.maxSeq, 3000n);
      sender.destroy();
      slow.destroy();
      again.destroy();
    } finally {
      await server.stop();
    }
  });

  it('shuts down gracefully: every client is told SHUTTING_DOWN and the listener closes', async () => {
    const server = await startTestServer();
    const c = await NativeTestClient.connect(server.port);
    await c.register('leaver', 'leaver-password');
    await c.login('leaver', 'leaver-password', 'l-pc');
    // Not logged in, but it has spoken (so its dialect is known and it can be told).
    const idle = await NativeTestClient.connect(server.port);
    assert.equal((await idle.requestFrame(Command.PING, new Uint8Array(0))).status, Status.OK);
    // Connected but silent: no dialect to speak to it in, so it is just closed.
    const silent = await NativeTestClient.connect(server.port);
    const started = Date.now();
    await server.stop();
    assert.ok(Date.now() - started < 3000, 'clients that leave promptly do not hold up the shutdown');
    for (const client of [c, idle]) {
      await client.waitFor(() => client.isClosed, 5000, 'closed');
      const bye = client.notifications.find((f) => f.command === Command.DISCONNECT);
      assert.equal(bye?.status, Status.SHUTTING_DOWN);
      assert.ok(fromBinary(DisconnectSchema, bye.body).reconnectAfterMs > 0);
    }
    await silent.waitFor(() => silent.isClosed, 5000, 'silent closed');
    assert.equal(silent.received.length, 0);
    await assert.rejects(NativeTestClient.connect(server.port));
  });

  it('runs from the build as `npm start` does, answers on its TCP port, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-start-'));
    try {
      const server = await spawnServer({ PARLEY_DATA_DIR: dir }, { fromBuild: true });
      const c = await NativeTestClient.connect(server.port);
      const pong = await c.requestFrame(Command.PING, new Uint8Array(0));
      assert.equal(pong.status, Status.OK);
      await c.register('first', 'first-password');
      const login = await c.login('first', 'first-password', 'f-pc');
      assert.ok(login.userId > 0n);
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      assert.ok(server.output.some((l) => l.includes('"msg":"stopped"')));
      c.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
