import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import {
  Command,
  ContentType,
  ConversationType,
  GroupCreateRequestSchema,
  GroupInfoSchema,
  MessageSchema,
  NotifySchema,
  PullRequestSchema,
  PullResponseSchema,
  SendResultSchema,
} from '@parley/protocol';
import { hashPassword, groupConversationId } from '@parley/server';
import {
  NativeTestClient,
  SERVER_STORES,
  startTestServer,
  type InProcessServer,
  type ServerStore,
  type ServerStoreEnv,
} from '@parley/testkit';

const MEMBERS = 10_000;
const ONLINE = 500;

function bigGroup(store: ServerStore) {
  const storeName = store.name;
  describe(`a group of ${MEMBERS} members with ${ONLINE} online (${storeName})`, () => {
    let server: InProcessServer;
    let storeEnv: ServerStoreEnv | undefined;
    const clients: NativeTestClient[] = [];

    before(async () => {
      storeEnv = await store.open();
      server = await startTestServer(storeEnv.env);
    });
    after(async () => {
      for (const c of clients) c.destroy();
      await server.stop();
      await storeEnv?.cleanup();
    });

    it('delivers one message to every online member and every member’s sync shows it once', async () => {
      // Bulk-create the users straight in the store (one password hash shared by all).
      const hash = await hashPassword('member-password', { log2N: 10, r: 8, p: 1 });
      const ids: bigint[] = [];
      const base = BigInt(Date.now()) << 22n;
      for (let i = 0; i < MEMBERS; i++) {
        const user = await server.app.store.createUser({
          id: base + BigInt(i),
          username: `${storeName.toLowerCase()}member${i}`,
          displayName: `member ${i}`,
          passwordHash: hash,
          createdAt: Date.now(),
        });
        ids.push(user.id);
      }
      const owner = await NativeTestClient.connect(server.port);
      clients.push(owner);
      await owner.login(`${storeName.toLowerCase()}member0`, 'member-password', 'owner-pc');
      const group = await owner.request(
        Command.GROUP_CREATE,
        GroupCreateRequestSchema,
        { name: 'everyone', memberIds: ids.slice(1) },
        GroupInfoSchema,
      );
      assert.equal(group.memberCount, MEMBERS);

      const online: NativeTestClient[] = [];
      for (let i = 1; i <= ONLINE; i++) {
        const c = await NativeTestClient.connect(server.port);
        clients.push(c);
        online.push(c);
      }
      await Promise.all(
        online.map((c, i) =>
          c.login(`${storeName.toLowerCase()}member${i + 1}`, 'member-password', `m${i + 1}`),
        ),
      );

      const sent = await owner.request(
        Command.MS,
        MessageSchema,
        {
          clientMsgId: 'to-everyone',
          conversation: { type: ConversationType.GROUP, target: group.groupId },
          messageContent: { contentType: ContentType.TEXT, text: 'hello, all ten thousand' },
        },
        SendResultSchema,
      );

      // Above the notify threshold every online device gets MN with the head seq, then pulls.
      await Promise.all(
        online.map(async (c) => {
          await c.waitFor(() => c.notifications.some((f) => f.command === Command.MN), 20_000, 'MN');
          const notices = c.notifications.filter((f) => f.command === Command.MN);
          assert.equal(notices.length, 1, 'one notify per message');
          const note = fromBinary(NotifySchema, notices[0]?.body ?? new Uint8Array(0));
          assert.equal(note.maxSeq, sent.seq);
          const page = await c.request(
            Command.MP,
            PullRequestSchema,
            {
              conversation: { type: ConversationType.GROUP, target: group.groupId },
              fromSeq: sent.seq,
              limit: 10,
            },
            PullResponseSchema,
          );
          assert.equal(page.messages.length, 1);
          assert.equal(page.messages[0]?.messageContent?.text, 'hello, all ten thousand');
          const sync = await c.sync();
          const states = sync.conversations.filter((s) => s.conversation?.target === group.groupId);
          assert.equal(states.length, 1, 'the group appears once in sync');
          assert.equal(states[0]?.maxSeq, sent.seq);
        }),
      );

      // Every member, online or not, has it in what sync reads: the group's head at this seq.
      const conversationId = groupConversationId(BigInt(group.groupId));
      for (const id of ids) {
        const state = await server.app.store.getConversationState(id, conversationId);
        assert.equal(state?.maxSeq, Number(sent.seq), `member ${id} sees the head`);
      }
      const page = await server.app.store.getMessages(conversationId, 1, 10, 'forward');
      assert.equal(page.filter((m) => m.clientMsgId === 'to-everyone').length, 1, 'stored once');
    });
  });
}

for (const store of SERVER_STORES) bigGroup(store);
