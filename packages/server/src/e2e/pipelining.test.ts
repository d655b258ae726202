import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command, ConversationType, MessageSchema, PingSchema, SendResultSchema } from '@parley/protocol';
import { NativeTestClient, SERVER_STORES, startTestServer, type InProcessServer } from '@parley/testkit';

// Sends on one connection run alongside each other (they share a group commit), yet each
// sender's messages keep the order it sent them in, and anything but a send waits for them.
for (const backend of SERVER_STORES) {
  describe(`pipelined sends on ${backend.name}`, () => {
    let server: InProcessServer;
    let cleanup: () => Promise<void>;

    before(async () => {
      const store = await backend.open();
      cleanup = () => store.cleanup();
      server = await startTestServer(store.env);
    });
    after(async () => {
      await server.stop();
      await cleanup();
    });

    it('keeps the order of one connection’s sends, in seqs and in delivery', async () => {
      const a = await NativeTestClient.connect(server.port);
      const b = await NativeTestClient.connect(server.port);
      await a.register('pipe-a', 'password-1');
      const bId = await b.register('pipe-b', 'password-1');
      await a.login('pipe-a', 'password-1', 'a');
      await b.login('pipe-b', 'password-1', 'b');
      const count = 200;
      // Written back to back, none awaited: the server has many in flight at once.
      const acks = await Promise.all(
        Array.from({ length: count }, (_, i) => a.sendText(bId, `m${i}`, `pipe-${i}`)),
      );
      const seqs = acks.map((ack) => Number(ack.seq));
      assert.deepEqual(
        seqs,
        Array.from({ length: count }, (_, i) => (seqs[0] ?? 0) + i),
        'seqs follow the order of the requests',
      );
      await b.waitFor(() => b.pushedMessages().length === count, 10_000, 'all pushed');
      assert.deepEqual(
        b.pushedMessages().map((m) => m.messageContent?.text),
        Array.from({ length: count }, (_, i) => `m${i}`),
      );
      // A retry of one of them is still a duplicate with the same seq.
      const again = await a.sendText(bId, 'm7', 'pipe-7');
      assert.equal(again.duplicate, true);
      assert.equal(again.seq, acks[7]?.seq);
      await Promise.all([a.close(), b.close()]);
    });

    it('answers a non-send only after the sends before it', async () => {
      const a = await NativeTestClient.connect(server.port);
      await a.register('pipe-c', 'password-1');
      const peer = await a.register('pipe-d', 'password-1');
      await a.login('pipe-c', 'password-1', 'c');
      const sends = Array.from({ length: 50 }, (_, i) =>
        a.request(
          Command.MS,
          MessageSchema,
          {
            clientMsgId: `barrier-${i}`,
            conversation: { type: ConversationType.SINGLE, target: String(peer) },
            messageContent: { contentType: 1, text: `x${i}` },
          },
          SendResultSchema,
        ),
      );
      const ping = a.request(Command.PING, PingSchema, {}, PingSchema);
      await ping;
      const responses = a.received.filter((f) => f.seq > 0).map((f) => f.command);
      const pingAt = responses.indexOf(Command.PING);
      assert.equal(
        responses.slice(0, pingAt).filter((c) => c === Command.MS).length,
        50,
        'every earlier send was answered before the PING',
      );
      await Promise.all(sends);
      await a.close();
    });
  });
}
