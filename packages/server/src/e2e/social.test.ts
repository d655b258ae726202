import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import {
  BlockListResponseSchema,
  Command,
  ContactListRequestSchema,
  ContactListResponseSchema,
  ContactNoticeSchema,
  ContactRequestSchema,
  ContactSchema,
  ContentType,
  ConversationListRequestSchema,
  ConversationListResponseSchema,
  ConversationSettingsRequestSchema,
  GroupCreateRequestSchema,
  GroupInfoSchema,
  MessageContentSchema,
  MessageSchema,
  PresenceNoticeSchema,
  ProfileUpdateRequestSchema,
  PullRequestSchema,
  PullResponseSchema,
  ReadRequestSchema,
  ReadResponseSchema,
  SearchRequestSchema,
  SearchResponseSchema,
  SendResultSchema,
  Status,
  UserProfileSchema,
  UserSearchRequestSchema,
  UsersRequestSchema,
  UsersResponseSchema,
  type Frame,
} from '@parley/protocol';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  NativeTestClient,
  SERVER_STORES,
  startTestServer,
  type InProcessServer,
  type ServerStore,
  type ServerStoreEnv,
} from '@parley/testkit';
import { rejectsWithStatus as refused } from '@parley/testkit';

interface User {
  readonly id: bigint;
  readonly name: string;
  client: NativeTestClient;
}

const EMPTY = new Uint8Array(0);

function presenceOf(frames: Frame[], userId: bigint): boolean[] {
  return frames
    .filter((f) => f.command === Command.PRESENCE)
    .map((f) => fromBinary(PresenceNoticeSchema, f.body))
    .filter((p) => p.userId === userId)
    .map((p) => p.online);
}

function socialSuite(store: ServerStore) {
  describe(`contacts, presence, search, mentions, conversation list (${store.name})`, () => {
    let server: InProcessServer;
    let storeEnv: ServerStoreEnv | undefined;
    const clients: NativeTestClient[] = [];
    let n = 0;

    const user = async (prefix: string, login = true): Promise<User> => {
      const name = `${prefix}${++n}`;
      const client = await NativeTestClient.connect(server.port);
      clients.push(client);
      const id = await client.register(name, `${name}-password`);
      if (login) await client.login(name, `${name}-password`, `${name}-pc`);
      return { id, name, client };
    };
    const relogin = async (u: User): Promise<void> => {
      u.client = await NativeTestClient.connect(server.port);
      clients.push(u.client);
      await u.client.login(u.name, `${u.name}-password`, `${u.name}-pc`);
    };
    const contactCall = (u: User, command: number, peer: User, note = '') =>
      u.client.request(command, ContactRequestSchema, { userId: peer.id, note }, ContactSchema);
    const send = (
      u: User,
      type: number,
      target: string,
      content: MessageInitShape<typeof MessageSchema>['messageContent'],
      id: string,
    ) =>
      u.client.request(
        Command.MS,
        MessageSchema,
        { clientMsgId: id, conversation: { type, target }, messageContent: content },
        SendResultSchema,
      );
    const text = (u: User, to: User, t: string, id: string) =>
      send(u, 0, String(to.id), { contentType: ContentType.TEXT, text: t }, id);
    const list = (u: User) =>
      u.client.request(
        Command.CONVERSATIONS,
        ConversationListRequestSchema,
        {},
        ConversationListResponseSchema,
      );
    const search = (u: User, query: string) =>
      u.client.request(Command.SEARCH, SearchRequestSchema, { query }, SearchResponseSchema);

    before(async () => {
      storeEnv = await store.open();
      server = await startTestServer(storeEnv.env);
    });
    after(async () => {
      for (const c of clients) c.destroy();
      await server.stop();
      await storeEnv?.cleanup();
    });

    it('friend requests: request, notice, accept, list, decline, remove', async () => {
      const alice = await user('fa');
      const bob = await user('fb');
      const carol = await user('fc');
      const sent = await contactCall(alice, Command.CONTACT_REQUEST, bob, 'hi, it is alice');
      assert.equal(sent.state, 1);
      await bob.client.waitFor(() =>
        bob.client.notifications.some((f) => f.command === Command.CONTACT_NOTICE),
      );
      const notice = fromBinary(
        ContactNoticeSchema,
        bob.client.notifications.find((f) => f.command === Command.CONTACT_NOTICE)?.body ?? EMPTY,
      );
      assert.equal(notice.contact?.userId, alice.id);
      assert.equal(notice.contact.state, 2);
      assert.equal(notice.contact.note, 'hi, it is alice');
      const accepted = await contactCall(bob, Command.CONTACT_ACCEPT, alice);
      assert.equal(accepted.state, 3);
      const friends = await alice.client.request(
        Command.CONTACT_LIST,
        ContactListRequestSchema,
        { states: [3] },
        ContactListResponseSchema,
      );
      assert.deepEqual(
        friends.contacts.map((c) => c.userId),
        [bob.id],
      );
      await refused(contactCall(alice, Command.CONTACT_REQUEST, bob), Status.CONFLICT, 'request to a friend');
      await refused(
        contactCall(alice, Command.CONTACT_ACCEPT, carol),
        Status.NOT_FOUND,
        'accept without a request',
      );
      await contactCall(carol, Command.CONTACT_REQUEST, alice);
      await alice.client.request(
        Command.CONTACT_DECLINE,
        ContactRequestSchema,
        { userId: carol.id },
        ContactSchema,
      );
      assert.equal(
        (
          await carol.client.request(
            Command.CONTACT_LIST,
            ContactListRequestSchema,
            {},
            ContactListResponseSchema,
          )
        ).contacts.length,
        0,
      );
      await alice.client.request(
        Command.CONTACT_REMOVE,
        ContactRequestSchema,
        { userId: bob.id },
        ContactSchema,
      );
      assert.equal(
        (
          await bob.client.request(
            Command.CONTACT_LIST,
            ContactListRequestSchema,
            {},
            ContactListResponseSchema,
          )
        ).contacts.length,
        0,
      );
      await refused(
        contactCall(alice, Command.CONTACT_REQUEST, alice),
        Status.BAD_REQUEST,
        'request to self',
      );
      await refused(
        alice.client.request(
          Command.CONTACT_REQUEST,
          ContactRequestSchema,
          { userId: 123456789n },
          ContactSchema,
        ),
        Status.NOT_FOUND,
        'request to nobody',
      );
    });

    it('presence flips online/offline for a contact, not for a stranger or a blocker; blocked users cannot message', async () => {
      const alice = await user('pa', false);
      const friend = await user('pf');
      const stranger = await user('ps');
      const blocker = await user('pb');
      // friend and blocker both know alice; blocker then blocks her.
      await alice.client.login(alice.name, `${alice.name}-password`, 'pa-pc');
      await contactCall(alice, Command.CONTACT_REQUEST, friend);
      await contactCall(friend, Command.CONTACT_ACCEPT, alice);
      await contactCall(alice, Command.CONTACT_REQUEST, blocker);
      await contactCall(blocker, Command.CONTACT_ACCEPT, alice);
      await blocker.client.request(Command.BLOCK, ContactRequestSchema, { userId: alice.id }, ContactSchema);
      const blocked = await blocker.client.request(
        Command.BLOCK_LIST,
        ContactRequestSchema,
        {},
        BlockListResponseSchema,
      );
      assert.deepEqual(blocked.userIds, [alice.id]);

      alice.client.destroy();
      await friend.client.waitFor(
        () => presenceOf(friend.client.notifications, alice.id).includes(false),
        5000,
        'offline seen',
      );
      await relogin(alice);
      await friend.client.waitFor(
        () => presenceOf(friend.client.notifications, alice.id).at(-1) === true,
        5000,
        'online seen',
      );
      assert.deepEqual(presenceOf(stranger.client.notifications, alice.id), [], 'a stranger sees nothing');
      assert.deepEqual(presenceOf(blocker.client.notifications, alice.id), [], 'the blocker sees nothing');

      const viewed = await friend.client.request(
        Command.USERS_GET,
        UsersRequestSchema,
        { userIds: [alice.id] },
        UsersResponseSchema,
      );
      assert.equal(viewed.users[0]?.online, true);
      assert.ok(viewed.users[0].lastSeenAt > 0n, 'last seen recorded when she went offline');
      const hidden = await stranger.client.request(
        Command.USERS_GET,
        UsersRequestSchema,
        { userIds: [alice.id] },
        UsersResponseSchema,
      );
      assert.equal(hidden.users[0]?.online, false);
      assert.equal(hidden.users[0].lastSeenAt, 0n);

      // The blocked user cannot message the blocker; the blocker can still unblock.
      await refused(text(alice, blocker, 'hello?', 'blocked-1'), Status.FORBIDDEN, 'blocked sender');
      await refused(
        contactCall(alice, Command.CONTACT_REQUEST, blocker),
        Status.FORBIDDEN,
        'blocked request',
      );
      await blocker.client.request(
        Command.UNBLOCK,
        ContactRequestSchema,
        { userId: alice.id },
        ContactSchema,
      );
      await text(alice, blocker, 'hello again', 'blocked-2');
    });

    it('search finds words in the user’s conversations only, chatrooms since joining, never recalled text', async () => {
      const alice = await user('sa');
      const bob = await user('sb');
      const eve = await user('se');
      await text(alice, bob, 'the quick brown fox', 's1');
      await text(bob, alice, 'lazy dogs sleep', 's2');
      await text(eve, bob, 'secret fox plans', 's3');
      const found = await search(alice, 'fox');
      assert.deepEqual(
        found.messages.map((m) => m.messageContent?.text),
        ['the quick brown fox'],
      );
      assert.equal(found.messages[0]?.conversation?.target, String(bob.id));
      assert.equal((await search(alice, 'secret')).messages.length, 0, 'eve↔bob is not alice’s');
      assert.equal((await search(bob, 'fox')).messages.length, 2);
      for (const weird of ['"', 'fox*', 'AND', '(', '-fox', '🦊', 'NEAR(a b)']) {
        await search(alice, weird);
      }
      await refused(search(alice, '   '), Status.BAD_REQUEST, 'empty search');
    });

    it('mentions flag the conversation; the list has last message, unread, pinned, muted, hidden', async () => {
      const alice = await user('ma');
      const bob = await user('mb');
      const carol = await user('mc');
      const group = await alice.client.request(
        Command.GROUP_CREATE,
        GroupCreateRequestSchema,
        { name: 'mentions', memberIds: [bob.id, carol.id] },
        GroupInfoSchema,
      );
      const mention: MessageInitShape<typeof MessageContentSchema> = {
        contentType: ContentType.TEXT,
        text: '@bob look',
        mentionedType: 1,
        mentionedTargets: [String(bob.id)],
      };
      await send(alice, 1, group.groupId, mention, 'mention-1');
      const bobList = await list(bob);
      const bobGroup = bobList.conversations.find((c) => c.conversation?.target === group.groupId);
      assert.equal(bobGroup?.mentioned, true);
      assert.equal(bobGroup.name, 'mentions');
      assert.equal(bobGroup.lastMessage?.messageContent?.text, '@bob look');
      const carolGroup = (await list(carol)).conversations.find(
        (c) => c.conversation?.target === group.groupId,
      );
      assert.equal(carolGroup?.mentioned, false, 'carol was not mentioned');
      await refused(
        send(
          bob,
          1,
          group.groupId,
          { contentType: ContentType.TEXT, text: '@all', mentionedType: 2 },
          'all-1',
        ),
        Status.FORBIDDEN,
        'member @all',
      );
      await send(
        alice,
        1,
        group.groupId,
        { contentType: ContentType.TEXT, text: '@all hi', mentionedType: 2 },
        'all-2',
      );
      assert.equal(
        (await list(carol)).conversations.find((c) => c.conversation?.target === group.groupId)?.mentioned,
        true,
      );
      // Reading clears the flag.
      await bob.client.request(
        Command.READ,
        ReadRequestSchema,
        { conversation: { type: 1, target: group.groupId }, seq: 100n },
        ReadResponseSchema,
      );
      const afterRead = (await list(bob)).conversations.find((c) => c.conversation?.target === group.groupId);
      assert.equal(afterRead?.mentioned, false);
      assert.equal(afterRead.unread, 0n);

      // Direct chat with unread; pin, mute, hide.
      await text(carol, bob, 'ping', 'l1');
      let bobView = await list(bob);
      assert.equal(bobView.conversations[0]?.conversation?.target, String(carol.id), 'newest first');
      assert.equal(bobView.totalUnread, 1n);
      const G = { type: 1, target: group.groupId };
      await bob.client.request(
        Command.CONVERSATION_SETTINGS,
        ConversationSettingsRequestSchema,
        { conversation: G, pinned: true },
        ConversationListResponseSchema,
      );
      bobView = await list(bob);
      assert.equal(bobView.conversations[0]?.conversation?.target, group.groupId, 'pinned first');
      assert.equal(bobView.conversations[0].pinned, true);
      const C = { type: 0, target: String(carol.id) };
      await bob.client.request(
        Command.CONVERSATION_SETTINGS,
        ConversationSettingsRequestSchema,
        { conversation: C, muted: true },
        ConversationListResponseSchema,
      );
      bobView = await list(bob);
      assert.equal(bobView.totalUnread, 0n, 'muted conversations do not count in the total');
      await bob.client.request(
        Command.CONVERSATION_SETTINGS,
        ConversationSettingsRequestSchema,
        { conversation: C, hide: true },
        ConversationListResponseSchema,
      );
      assert.ok(
        !(await list(bob)).conversations.some((c) => c.conversation?.target === String(carol.id)),
        'hidden',
      );
      await text(carol, bob, 'back again', 'l2');
      assert.ok(
        (await list(bob)).conversations.some((c) => c.conversation?.target === String(carol.id)),
        'a new message brings it back',
      );
      const history = await bob.client.request(
        Command.MP,
        PullRequestSchema,
        { conversation: C, fromSeq: 1n },
        PullResponseSchema,
      );
      assert.equal(history.messages.length, 2, 'hiding deletes nothing');
    });

    it('profiles: update, search by name; typing is rate-limited and never stored', async () => {
      const alice = await user('qa');
      const bob = await user('qb');
      const me = await alice.client.request(
        Command.PROFILE_UPDATE,
        ProfileUpdateRequestSchema,
        { displayName: 'Alice Liddell', avatarUrl: 'https://img.example/a.png' },
        UserProfileSchema,
      );
      assert.equal(me.displayName, 'Alice Liddell');
      await refused(
        alice.client.request(
          Command.PROFILE_UPDATE,
          ProfileUpdateRequestSchema,
          { avatarUrl: 'javascript:alert(1)' },
          UserProfileSchema,
        ),
        Status.BAD_REQUEST,
        'bad avatar',
      );
      const byName = await bob.client.request(
        Command.USER_SEARCH,
        UserSearchRequestSchema,
        { query: 'liddell' },
        UsersResponseSchema,
      );
      assert.deepEqual(
        byName.users.map((u) => u.userId),
        [alice.id],
      );
      const byHandle = await bob.client.request(
        Command.USER_SEARCH,
        UserSearchRequestSchema,
        { query: alice.name.toUpperCase() },
        UsersResponseSchema,
      );
      assert.ok(byHandle.users.some((u) => u.userId === alice.id));

      await text(alice, bob, 'before typing', 't0');
      await send(alice, 0, String(bob.id), { contentType: ContentType.TYPING }, '');
      await refused(
        send(alice, 0, String(bob.id), { contentType: ContentType.TYPING }, ''),
        Status.RATE_LIMITED,
        'typing flood',
      );
      await bob.client.waitFor(() =>
        bob.client.pushedMessages().some((m) => m.messageContent?.contentType === ContentType.TYPING),
      );
      const history = await bob.client.request(
        Command.MP,
        PullRequestSchema,
        { conversation: { type: 0, target: String(alice.id) }, fromSeq: 1n },
        PullResponseSchema,
      );
      assert.deepEqual(
        history.messages.map((m) => m.messageContent?.contentType),
        [ContentType.TEXT],
        'typing never in history',
      );
    });
  });
}

for (const store of SERVER_STORES) socialSuite(store);
