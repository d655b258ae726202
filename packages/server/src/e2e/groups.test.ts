import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import {
  ChangeResultSchema,
  ChatroomInfoSchema,
  ChatroomListRequestSchema,
  ChatroomListResponseSchema,
  ChatroomRefSchema,
  Command,
  ContentType,
  ConversationType,
  EditRequestSchema,
  GroupCreateRequestSchema,
  GroupInfoSchema,
  GroupMemberChangeSchema,
  GroupMembersRequestSchema,
  GroupMembersResultSchema,
  GroupRefSchema,
  GroupUpdateRequestSchema,
  MembersRequestSchema,
  MembersResponseSchema,
  MessageFlag,
  MessageSchema,
  NotifySchema,
  PullRequestSchema,
  PullResponseSchema,
  ReadCountsRequestSchema,
  ReadCountsResponseSchema,
  ReadNoticeSchema,
  ReadRequestSchema,
  ReadResponseSchema,
  RecallRequestSchema,
  SendResultSchema,
  Status,
  type Message,
} from '@parley/protocol';
import {
  NativeTestClient,
  SERVER_STORES,
  startTestServer,
  type InProcessServer,
  type ServerStore,
  type ServerStoreEnv,
} from '@parley/testkit';
import { rejectsWithStatus as refused } from '@parley/testkit';

const EMPTY = new Uint8Array(0);

interface User {
  readonly id: bigint;
  readonly name: string;
  readonly client: NativeTestClient;
}

class Harness {
  readonly clients: NativeTestClient[] = [];
  private n = 0;
  constructor(readonly server: InProcessServer) {}

  async connect(): Promise<NativeTestClient> {
    const c = await NativeTestClient.connect(this.server.port);
    this.clients.push(c);
    return c;
  }

  /** A fresh user, logged in on a PC device. */
  async user(prefix: string): Promise<User> {
    const name = `${prefix}${++this.n}`;
    const client = await this.connect();
    const id = await client.register(name, `${name}-password`);
    await client.login(name, `${name}-password`, `${name}-pc`);
    return { id, name, client };
  }

  async device(user: User, deviceId: string, platform: number): Promise<NativeTestClient> {
    const c = await this.connect();
    await c.login(user.name, `${user.name}-password`, deviceId, platform);
    return c;
  }
}

function createGroup(owner: User, members: User[], name = 'team') {
  return owner.client.request(
    Command.GROUP_CREATE,
    GroupCreateRequestSchema,
    { name, memberIds: members.map((m) => m.id) },
    GroupInfoSchema,
  );
}

function sendTo(user: User, type: number, target: string, text: string, clientMsgId: string) {
  return user.client.request(
    Command.MS,
    MessageSchema,
    { clientMsgId, conversation: { type, target }, messageContent: { contentType: ContentType.TEXT, text } },
    SendResultSchema,
  );
}

function pull(user: User, type: number, target: string, fromSeq = 1n) {
  return user.client.request(
    Command.MP,
    PullRequestSchema,
    { conversation: { type, target }, fromSeq, limit: 200 },
    PullResponseSchema,
  );
}

function groupMembersCall(user: User, command: number, groupId: string, ids: bigint[]) {
  return user.client.request(
    command,
    GroupMembersRequestSchema,
    { groupId, userIds: ids },
    GroupMembersResultSchema,
  );
}

function texts(messages: Message[]): string[] {
  return messages
    .filter((m) => m.messageContent?.contentType === ContentType.TEXT)
    .map((m) => m.messageContent?.text ?? '');
}

function suite(store: ServerStore) {
  describe(`groups, chatrooms, recall, edit, read (${store.name})`, () => {
    let h: Harness;
    let storeEnv: ServerStoreEnv | undefined;

    before(async () => {
      storeEnv = await store.open();
      // A short recall window to test its end; 5 members already make a "big" group.
      h = new Harness(
        await startTestServer({
          PARLEY_RECALL_WINDOW_MS: '1500',
          PARLEY_GROUP_NOTIFY_THRESHOLD: '4',
          ...storeEnv.env,
        }),
      );
    });
    after(async () => {
      for (const c of h.clients) c.destroy();
      await h.server.stop();
      await storeEnv?.cleanup();
    });

    it('a group of three chats; a later member sees history from its join seq; a removed member gets nothing more; a dismissed group refuses messages', async () => {
      const [alice, bob, carol, dave] = [
        await h.user('alice'),
        await h.user('bob'),
        await h.user('carol'),
        await h.user('dave'),
      ];
      const group = await createGroup(alice, [bob, carol]);
      assert.equal(group.memberCount, 3);
      assert.equal(group.ownerId, alice.id);
      const gid = group.groupId;
      const G = ConversationType.GROUP;

      await sendTo(alice, G, gid, 'hello from alice', 'a1');
      await sendTo(bob, G, gid, 'hello from bob', 'b1');
      await sendTo(carol, G, gid, 'hello from carol', 'c1');
      for (const u of [alice, bob, carol]) {
        await u.client.waitFor(
          () => texts(u.client.pushedMessages()).length >= 2,
          5000,
          `${u.name} got the others' messages`,
        );
        const own = `hello from ${u.name.replace(/\d+$/, '')}`;
        assert.ok(
          !texts(u.client.pushedMessages()).includes(own),
          'the sending device gets an ack, not a push',
        );
      }
      assert.deepEqual(texts((await pull(carol, G, gid)).messages), [
        'hello from alice',
        'hello from bob',
        'hello from carol',
      ]);

      // Dave joins later: his history starts at his join, with the join event itself.
      assert.deepEqual((await groupMembersCall(alice, Command.GROUP_ADD, gid, [dave.id])).userIds, [dave.id]);
      await sendTo(bob, G, gid, 'welcome dave', 'b2');
      const davePage = await pull(dave, G, gid);
      assert.deepEqual(texts(davePage.messages), ['welcome dave']);
      const joinEvent = davePage.messages[0];
      assert.equal(joinEvent?.messageContent?.contentType, ContentType.SYSTEM);
      assert.equal(joinEvent.messageContent.system?.kind, 'members_added');
      assert.ok(
        (await pull(dave, G, gid, 1n)).messages.every((m) => m.seq >= joinEvent.seq),
        'nothing before the join',
      );

      // Carol is removed: she sees the removal, then nothing more, and cannot pull or send.
      await groupMembersCall(alice, Command.GROUP_REMOVE, gid, [carol.id]);
      await carol.client.waitFor(
        () => carol.client.pushedMessages().some((m) => m.messageContent?.system?.kind === 'members_removed'),
        5000,
        'carol told of her removal',
      );
      const before = carol.client.pushedMessages().length;
      await sendTo(alice, G, gid, 'after carol left', 'a2');
      await dave.client.waitFor(() => texts(dave.client.pushedMessages()).includes('after carol left'));
      assert.equal(carol.client.pushedMessages().length, before, 'a removed member receives nothing more');
      await refused(pull(carol, G, gid), Status.NOT_FOUND, 'removed member pull');
      await refused(sendTo(carol, G, gid, 'let me in', 'c2'), Status.NOT_FOUND, 'removed member send');

      // Roles: bob is not an admin and cannot add, remove, update or dismiss.
      await refused(
        groupMembersCall(bob, Command.GROUP_ADD, gid, [carol.id]),
        Status.FORBIDDEN,
        'member adds',
      );
      await refused(
        groupMembersCall(bob, Command.GROUP_REMOVE, gid, [dave.id]),
        Status.FORBIDDEN,
        'member removes',
      );
      await refused(
        bob.client.request(Command.GROUP_DISMISS, GroupRefSchema, { groupId: gid }, GroupInfoSchema),
        Status.FORBIDDEN,
        'member dismisses',
      );
      // Once an admin, bob may update the profile; the owner cannot leave without handing over.
      await alice.client.request(
        Command.GROUP_SET_ROLE,
        GroupMemberChangeSchema,
        { groupId: gid, userId: bob.id, value: 1n },
        GroupInfoSchema,
      );
      const renamed = await bob.client.request(
        Command.GROUP_UPDATE,
        GroupUpdateRequestSchema,
        { groupId: gid, name: 'renamed', notice: 'be nice' },
        GroupInfoSchema,
      );
      assert.equal(renamed.name, 'renamed');
      assert.equal(renamed.notice, 'be nice');
      await refused(
        alice.client.request(Command.GROUP_LEAVE, GroupRefSchema, { groupId: gid }, GroupInfoSchema),
        Status.FORBIDDEN,
        'owner leaves',
      );
      const members = await alice.client.request(
        Command.GROUP_MEMBERS,
        MembersRequestSchema,
        { conversation: { type: G, target: gid }, limit: 2 },
        MembersResponseSchema,
      );
      assert.equal(members.members.length, 2);
      assert.equal(members.hasMore, true);

      // Mute all: only the owner and admins may send.
      await alice.client.request(
        Command.GROUP_UPDATE,
        GroupUpdateRequestSchema,
        { groupId: gid, muteAll: true },
        GroupInfoSchema,
      );
      await refused(sendTo(dave, G, gid, 'shh', 'd1'), Status.FORBIDDEN, 'muted-all member sends');
      await sendTo(bob, G, gid, 'admins may speak', 'b3');
      await alice.client.request(
        Command.GROUP_UPDATE,
        GroupUpdateRequestSchema,
        { groupId: gid, muteAll: false },
        GroupInfoSchema,
      );
      // Mute one member.
      await alice.client.request(
        Command.GROUP_MUTE,
        GroupMemberChangeSchema,
        { groupId: gid, userId: dave.id, value: BigInt(Date.now() + 60_000) },
        GroupInfoSchema,
      );
      await refused(sendTo(dave, G, gid, 'shh', 'd2'), Status.FORBIDDEN, 'muted member sends');

      // Transfer, then the new owner dismisses: no more messages.
      const moved = await alice.client.request(
        Command.GROUP_TRANSFER,
        GroupMemberChangeSchema,
        { groupId: gid, userId: bob.id },
        GroupInfoSchema,
      );
      assert.equal(moved.ownerId, bob.id);
      await bob.client.request(Command.GROUP_DISMISS, GroupRefSchema, { groupId: gid }, GroupInfoSchema);
      await refused(sendTo(alice, G, gid, 'anyone?', 'a3'), Status.FORBIDDEN, 'send to dismissed group');
      const history = await pull(alice, G, gid);
      assert.equal(history.messages.at(-1)?.messageContent?.system?.kind, 'group_dismissed');
      assert.deepEqual(
        history.messages.map((m) => m.seq),
        Array.from({ length: history.messages.length }, (_, i) => BigInt(i + 1)),
        'gapless history with the system events in it',
      );
    });

    it('recall and edit reach every online device and every later sync; limits are enforced', async () => {
      const alice = await h.user('ralice');
      const bob = await h.user('rbob');
      const carol = await h.user('rcarol');
      const alicePhone = await h.device(alice, 'ralice-phone', 3);
      const group = await createGroup(alice, [bob, carol]);
      const G = ConversationType.GROUP;
      const gid = group.groupId;
      const sent = await sendTo(bob, G, gid, 'oops', 'rb1');
      const editMe = await sendTo(bob, G, gid, 'typo', 'rb2');

      const recall = await bob.client.request(
        Command.MR,
        RecallRequestSchema,
        { conversation: { type: G, target: gid }, seq: sent.seq, messageId: sent.messageId },
        ChangeResultSchema,
      );
      assert.ok(recall.eventSeq > editMe.seq);
      const edited = await bob.client.request(
        Command.EDIT,
        EditRequestSchema,
        {
          conversation: { type: G, target: gid },
          seq: editMe.seq,
          messageContent: { contentType: ContentType.TEXT, text: 'fixed' },
        },
        ChangeResultSchema,
      );
      for (const c of [alice.client, alicePhone, carol.client]) {
        await c.waitFor(
          () => c.pushedMessages().some((m) => m.messageContent?.system?.kind === 'edited'),
          5000,
          'edit event',
        );
        const events = c.pushedMessages().filter((m) => m.messageContent?.contentType === ContentType.SYSTEM);
        const recallEvent = events.find((m) => m.messageContent?.system?.kind === 'recalled');
        assert.equal(recallEvent?.messageContent?.system?.targetSeq, sent.seq);
        const editEvent = events.find((m) => m.seq === edited.eventSeq);
        assert.equal(editEvent?.messageContent?.system?.newContent?.text, 'fixed');
      }
      // A later pull shows the stored markers.
      const page = await pull(carol, G, gid, sent.seq);
      const [recalled, changed] = page.messages;
      assert.equal((recalled?.flags ?? 0) & MessageFlag.RECALLED, MessageFlag.RECALLED);
      assert.equal(recalled?.messageContent?.text, '');
      assert.equal((changed?.flags ?? 0) & MessageFlag.EDITED, MessageFlag.EDITED);
      assert.equal(changed?.messageContent?.text, 'fixed');

      // Carol (not admin) cannot recall bob's message; alice (owner) can, any time.
      const other = await sendTo(bob, G, gid, 'keep me', 'rb3');
      await refused(
        carol.client.request(
          Command.MR,
          RecallRequestSchema,
          { conversation: { type: G, target: gid }, seq: other.seq },
          ChangeResultSchema,
        ),
        Status.FORBIDDEN,
        'member recalls another',
      );
      // After the window: the sender may not recall or edit.
      const late = await sendTo(carol, G, gid, 'too late', 'rc1');
      await new Promise((r) => setTimeout(r, 1700));
      await refused(
        carol.client.request(
          Command.MR,
          RecallRequestSchema,
          { conversation: { type: G, target: gid }, seq: late.seq },
          ChangeResultSchema,
        ),
        Status.EXPIRED,
        'recall after the window',
      );
      await refused(
        carol.client.request(
          Command.EDIT,
          EditRequestSchema,
          {
            conversation: { type: G, target: gid },
            seq: late.seq,
            messageContent: { contentType: ContentType.TEXT, text: 'x' },
          },
          ChangeResultSchema,
        ),
        Status.EXPIRED,
        'edit after the window',
      );
      await alice.client.request(
        Command.MR,
        RecallRequestSchema,
        { conversation: { type: G, target: gid }, seq: other.seq },
        ChangeResultSchema,
      );
      await refused(
        alice.client.request(
          Command.MR,
          RecallRequestSchema,
          { conversation: { type: G, target: gid }, seq: other.seq },
          ChangeResultSchema,
        ),
        Status.CONFLICT,
        'recall twice',
      );
      // Direct messages: the peer cannot recall what it did not send.
      const dm = await sendTo(alice, ConversationType.SINGLE, String(bob.id), 'dm', 'ra-dm');
      await refused(
        bob.client.request(
          Command.MR,
          RecallRequestSchema,
          { conversation: { type: 0, target: String(alice.id) }, seq: dm.seq },
          ChangeResultSchema,
        ),
        Status.FORBIDDEN,
        'peer recalls',
      );
    });

    it('read receipts: the reader’s other devices drop to 0 unread and the sender is told', async () => {
      const alice = await h.user('malice');
      const bob = await h.user('mbob');
      const bobPhone = await h.device(bob, 'mbob-phone', 3);
      for (let i = 0; i < 3; i++) await sendTo(alice, 0, String(bob.id), `m${i}`, `m-${i}`);
      const unreadBefore = (await bobPhone.sync()).conversations[0]?.unread;
      assert.equal(unreadBefore, 3n);
      const read = await bob.client.request(
        Command.READ,
        ReadRequestSchema,
        { conversation: { type: 0, target: String(alice.id) }, seq: 3n },
        ReadResponseSchema,
      );
      assert.equal(read.readSeq, 3n);
      assert.equal(read.unread, 0n);
      for (const c of [alice.client, bobPhone]) {
        await c.waitFor(() => c.notifications.some((f) => f.command === Command.READ), 5000, 'read notice');
        const notice = fromBinary(
          ReadNoticeSchema,
          c.notifications.find((f) => f.command === Command.READ)?.body ?? EMPTY,
        );
        assert.equal(notice.userId, bob.id);
        assert.equal(notice.readSeq, 3n);
      }
      assert.equal((await bobPhone.sync()).conversations.length, 1);
      assert.equal((await bobPhone.sync()).conversations[0]?.unread, 0n, 'unread is 0 on the other device');
      // Reading never moves back.
      const back = await bob.client.request(
        Command.READ,
        ReadRequestSchema,
        { conversation: { type: 0, target: String(alice.id) }, seq: 1n },
        ReadResponseSchema,
      );
      assert.equal(back.readSeq, 3n);

      // Groups: the sender can ask how many have read.
      const carol = await h.user('mcarol');
      const group = await createGroup(alice, [bob, carol]);
      const msg = await sendTo(alice, 1, group.groupId, 'read me', 'gm-1');
      await bob.client.request(
        Command.READ,
        ReadRequestSchema,
        { conversation: { type: 1, target: group.groupId }, seq: msg.seq },
        ReadResponseSchema,
      );
      const counts = await alice.client.request(
        Command.READ_COUNTS,
        ReadCountsRequestSchema,
        { conversation: { type: 1, target: group.groupId }, seqs: [msg.seq] },
        ReadCountsResponseSchema,
      );
      assert.deepEqual(counts.counts, [1]);
    });

    it('chatrooms: create on join, history from the join seq, list, members, leave', async () => {
      const alice = await h.user('calice');
      const bob = await h.user('cbob');
      const R = ConversationType.CHATROOM;
      const room = 'General';
      const joined = await alice.client.request(
        Command.CHATROOM_JOIN,
        ChatroomRefSchema,
        { name: room },
        ChatroomInfoSchema,
      );
      assert.equal(joined.name, 'general');
      await sendTo(alice, R, '#general', 'before bob', 'ca1');
      const bobJoin = await bob.client.request(
        Command.CHATROOM_JOIN,
        ChatroomRefSchema,
        { name: '#GENERAL' },
        ChatroomInfoSchema,
      );
      assert.equal(bobJoin.joinSeq, 2n);
      await sendTo(alice, R, 'general', 'after bob', 'ca2');
      await bob.client.waitFor(() => texts(bob.client.pushedMessages()).includes('after bob'));
      assert.deepEqual(texts((await pull(bob, R, 'general')).messages), ['after bob']);
      const list = await bob.client.request(
        Command.CHATROOM_LIST,
        ChatroomListRequestSchema,
        {},
        ChatroomListResponseSchema,
      );
      assert.ok(list.rooms.some((r) => r.name === 'general' && r.memberCount === 2));
      const members = await bob.client.request(
        Command.CHATROOM_MEMBERS,
        MembersRequestSchema,
        { conversation: { type: R, target: 'general' } },
        MembersResponseSchema,
      );
      assert.deepEqual(members.members.map((m) => m.userId).sort(), [alice.id, bob.id].sort());
      await bob.client.request(
        Command.CHATROOM_LEAVE,
        ChatroomRefSchema,
        { name: 'general' },
        ChatroomInfoSchema,
      );
      await refused(sendTo(bob, R, 'general', 'gone', 'cb1'), Status.NOT_FOUND, 'send after leaving');
      await refused(pull(bob, R, 'general'), Status.NOT_FOUND, 'pull after leaving');
      await refused(
        bob.client.request(
          Command.CHATROOM_JOIN,
          ChatroomRefSchema,
          { name: 'bad name!' },
          ChatroomInfoSchema,
        ),
        Status.BAD_REQUEST,
        'bad room name',
      );
    });

    it('a big group gets a notify (MN) and its members pull', async () => {
      const owner = await h.user('bigowner');
      const others = [];
      for (let i = 0; i < 4; i++) others.push(await h.user('bigm'));
      // The threshold is lowered for this server: 5 members is "big".
      const group = await createGroup(owner, others);
      await sendTo(owner, 1, group.groupId, 'to many', 'big-1');
      for (const m of others) {
        await m.client.waitFor(
          () => m.client.notifications.some((f) => f.command === Command.MN),
          5000,
          'MN',
        );
        const note = fromBinary(
          NotifySchema,
          m.client.notifications.find((f) => f.command === Command.MN)?.body ?? EMPTY,
        );
        assert.equal(note.conversation?.target, group.groupId);
        const page = await pull(m, 1, group.groupId, note.maxSeq);
        assert.deepEqual(texts(page.messages), ['to many']);
      }
    });
  });
}

for (const store of SERVER_STORES) suite(store);
