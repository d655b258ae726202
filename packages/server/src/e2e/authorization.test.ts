import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import {
  BlockListResponseSchema,
  ChatroomInfoSchema,
  ChatroomRefSchema,
  Command,
  ContactListRequestSchema,
  ContactListResponseSchema,
  ContactRequestSchema,
  ContentType,
  ConversationListRequestSchema,
  ConversationListResponseSchema,
  ConversationSettingsRequestSchema,
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
  PullRequestSchema,
  PullResponseSchema,
  ReadCountsRequestSchema,
  ReadRequestSchema,
  RecallRequestSchema,
  SearchRequestSchema,
  SearchResponseSchema,
  SendResultSchema,
  Status,
  SyncRequestSchema,
  SyncResponseSchema,
  UsersRequestSchema,
  UsersResponseSchema,
  statusName,
  type GroupInfo,
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

/*
 * Issue 3, acceptance 7: every conversation-scoped command tried by a non-member, a removed
 * member, a blocked user and with a forged target id is refused with the documented status code
 * (docs/native-protocol.md: "Not a member: NOT_FOUND; a role too low, a dismissed group, a muted
 * member: FORBIDDEN"), and changes nothing.
 */

const { SINGLE, GROUP, CHATROOM } = ConversationType;
const PASSWORD_SUFFIX = '-password';
const GROUP_NAME = 'authz';
const ROOM = 'authz-room';

type ActorName = 'owner' | 'member' | 'outsider' | 'removed' | 'blocked';

interface User {
  readonly id: bigint;
  readonly name: string;
  readonly client: NativeTestClient;
}

/** Everything the cases refer to, built once per store in `before`. */
interface World {
  readonly users: Readonly<Record<ActorName, User>>;
  readonly gid: string;
  /** A decimal id that is neither a group nor a user. */
  readonly forgedGroup: string;
  readonly forgedUser: bigint;
  readonly seq: {
    /** The owner's text in the group. */
    readonly ownerGroup: bigint;
    readonly memberGroup: bigint;
    /** What `removed` sent to the group before it was removed. */
    readonly removedGroup: bigint;
    readonly ownerRoom: bigint;
    /** owner → member and member → owner in their direct conversation. */
    readonly ownerDirect: bigint;
    readonly memberDirect: bigint;
  };
}

interface Case {
  readonly actor: ActorName;
  readonly what: string;
  readonly command: number;
  readonly body: (w: World) => Uint8Array;
  readonly status: Status;
}

function body<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): Uint8Array {
  return toBinary(schema, create(schema, init));
}

const text = (t: string) => ({ contentType: ContentType.TEXT, text: t });
const room = { type: CHATROOM, target: ROOM };
const direct = (peer: bigint) => ({ type: SINGLE, target: String(peer) });
const id = (w: World, who: ActorName) => w.users[who].id;

let clientMsgCounter = 0;
const cmid = (prefix: string) => `${prefix}-${++clientMsgCounter}`;

/** The bodies of the conversation-scoped commands, aimed at `conversation`. */
const ms =
  (conversation: (w: World) => { type: number; target: string }, t = 'let me in') =>
  (w: World) =>
    body(MessageSchema, { clientMsgId: cmid('x'), conversation: conversation(w), messageContent: text(t) });
const typing = (conversation: (w: World) => { type: number; target: string }) => (w: World) =>
  body(MessageSchema, {
    clientMsgId: cmid('t'),
    conversation: conversation(w),
    messageContent: { contentType: ContentType.TYPING },
  });
const mp =
  (conversation: (w: World) => { type: number; target: string }, backward = false) =>
  (w: World) =>
    body(PullRequestSchema, {
      conversation: conversation(w),
      fromSeq: backward ? 0n : 1n,
      limit: 200,
      backward,
    });
const mr =
  (conversation: (w: World) => { type: number; target: string }, seq: (w: World) => bigint) => (w: World) =>
    body(RecallRequestSchema, { conversation: conversation(w), seq: seq(w) });
const edit =
  (conversation: (w: World) => { type: number; target: string }, seq: (w: World) => bigint) => (w: World) =>
    body(EditRequestSchema, { conversation: conversation(w), seq: seq(w), messageContent: text('hijacked') });
const read =
  (conversation: (w: World) => { type: number; target: string }, seq: (w: World) => bigint) => (w: World) =>
    body(ReadRequestSchema, { conversation: conversation(w), seq: seq(w) });
const readCounts =
  (conversation: (w: World) => { type: number; target: string }, seq: (w: World) => bigint) => (w: World) =>
    body(ReadCountsRequestSchema, { conversation: conversation(w), seqs: [seq(w)] });
const members = (conversation: (w: World) => { type: number; target: string }) => (w: World) =>
  body(MembersRequestSchema, { conversation: conversation(w), limit: 200 });
const settings = (conversation: (w: World) => { type: number; target: string }) => (w: World) =>
  body(ConversationSettingsRequestSchema, {
    conversation: conversation(w),
    pinned: true,
    muted: true,
    hide: true,
  });
const groupRef = (gid: (w: World) => string) => (w: World) => body(GroupRefSchema, { groupId: gid(w) });
const groupMembers = (gid: (w: World) => string, ids: (w: World) => bigint[]) => (w: World) =>
  body(GroupMembersRequestSchema, { groupId: gid(w), userIds: ids(w) });
const memberChange =
  (gid: (w: World) => string, user: (w: World) => bigint, value = 0n) =>
  (w: World) =>
    body(GroupMemberChangeSchema, { groupId: gid(w), userId: user(w), value });
const update =
  (gid: (w: World) => string, init: { name?: string; muteAll?: boolean; notice?: string }) => (w: World) =>
    body(GroupUpdateRequestSchema, { groupId: gid(w), ...init });
const contact = (user: (w: World) => bigint) => (w: World) => body(ContactRequestSchema, { userId: user(w) });

const realGroup = (w: World) => w.gid;
const forgedGroup = (w: World) => w.forgedGroup;
const inGroup = (w: World) => ({ type: GROUP, target: w.gid });
const inRoom = () => room;

/**
 * Every conversation-scoped command against the group, the chatroom and a direct conversation, by
 * someone who is not (or no longer) a member: NOT_FOUND, as if the conversation did not exist.
 */
function nonMemberCases(actor: 'outsider' | 'removed'): Case[] {
  const N = Status.NOT_FOUND;
  const ownerGroup = (w: World) => w.seq.ownerGroup;
  const ownerRoom = (w: World) => w.seq.ownerRoom;
  const ownerDirect = (w: World) => w.seq.ownerDirect;
  const self = (w: World) => id(w, actor);
  const toMember = (w: World) => direct(id(w, 'member'));
  const toOwner = (w: World) => direct(id(w, 'owner'));
  const cases: Omit<Case, 'actor'>[] = [
    // The group.
    { what: 'MS text to the group', command: Command.MS, body: ms(inGroup), status: N },
    { what: 'MS typing to the group', command: Command.MS, body: typing(inGroup), status: N },
    { what: 'MP the group forward', command: Command.MP, body: mp(inGroup), status: N },
    { what: 'MP the group backward from the head', command: Command.MP, body: mp(inGroup, true), status: N },
    { what: "MR the owner's group message", command: Command.MR, body: mr(inGroup, ownerGroup), status: N },
    {
      what: "EDIT the owner's group message",
      command: Command.EDIT,
      body: edit(inGroup, ownerGroup),
      status: N,
    },
    { what: 'READ the group', command: Command.READ, body: read(inGroup, ownerGroup), status: N },
    {
      what: 'READ_COUNTS in the group',
      command: Command.READ_COUNTS,
      body: readCounts(inGroup, ownerGroup),
      status: N,
    },
    {
      what: 'GROUP_UPDATE the name',
      command: Command.GROUP_UPDATE,
      body: update(realGroup, { name: 'hijacked' }),
      status: N,
    },
    {
      what: 'GROUP_UPDATE mute_all',
      command: Command.GROUP_UPDATE,
      body: update(realGroup, { muteAll: true }),
      status: N,
    },
    {
      what: 'GROUP_ADD itself',
      command: Command.GROUP_ADD,
      body: groupMembers(realGroup, (w) => [self(w)]),
      status: N,
    },
    {
      what: 'GROUP_REMOVE the member',
      command: Command.GROUP_REMOVE,
      body: groupMembers(realGroup, (w) => [id(w, 'member')]),
      status: N,
    },
    { what: 'GROUP_LEAVE', command: Command.GROUP_LEAVE, body: groupRef(realGroup), status: N },
    {
      what: 'GROUP_TRANSFER to itself',
      command: Command.GROUP_TRANSFER,
      body: memberChange(realGroup, self),
      status: N,
    },
    { what: 'GROUP_DISMISS', command: Command.GROUP_DISMISS, body: groupRef(realGroup), status: N },
    {
      what: 'GROUP_SET_ROLE itself admin',
      command: Command.GROUP_SET_ROLE,
      body: memberChange(realGroup, self, 1n),
      status: N,
    },
    {
      what: 'GROUP_MUTE the member',
      command: Command.GROUP_MUTE,
      body: memberChange(realGroup, (w) => id(w, 'member'), BigInt(Date.now() + 3_600_000)),
      status: N,
    },
    { what: 'GROUP_MEMBERS', command: Command.GROUP_MEMBERS, body: members(inGroup), status: N },
    { what: 'GROUP_INFO', command: Command.GROUP_INFO, body: groupRef(realGroup), status: N },
    {
      what: 'CONVERSATION_SETTINGS on the group',
      command: Command.CONVERSATION_SETTINGS,
      body: settings(inGroup),
      status: N,
    },
    // The chatroom the owner joined and the actor did not.
    { what: 'MS to a room it did not join', command: Command.MS, body: ms(inRoom), status: N },
    { what: 'MP a room it did not join', command: Command.MP, body: mp(inRoom), status: N },
    { what: "MR the owner's room message", command: Command.MR, body: mr(inRoom, ownerRoom), status: N },
    {
      what: "EDIT the owner's room message",
      command: Command.EDIT,
      body: edit(inRoom, ownerRoom),
      status: N,
    },
    { what: 'READ a room it did not join', command: Command.READ, body: read(inRoom, ownerRoom), status: N },
    {
      what: 'READ_COUNTS in a room it did not join',
      command: Command.READ_COUNTS,
      body: readCounts(inRoom, ownerRoom),
      status: N,
    },
    {
      what: 'CHATROOM_MEMBERS of a room it did not join',
      command: Command.CHATROOM_MEMBERS,
      body: members(inRoom),
      status: N,
    },
    {
      what: 'CONVERSATION_SETTINGS on a room it did not join',
      command: Command.CONVERSATION_SETTINGS,
      body: settings(inRoom),
      status: N,
    },
    // The owner ↔ member conversation: a SINGLE target is relative to the reader, so the actor
    // can only name its own (non-existent) conversation with either of them.
    { what: 'MP {SINGLE, member}', command: Command.MP, body: mp(toMember), status: N },
    { what: 'MP {SINGLE, owner} backward', command: Command.MP, body: mp(toOwner, true), status: N },
    {
      what: "MR the owner's direct message as {SINGLE, member}",
      command: Command.MR,
      body: mr(toMember, ownerDirect),
      status: N,
    },
    {
      what: "EDIT the owner's direct message as {SINGLE, owner}",
      command: Command.EDIT,
      body: edit(toOwner, ownerDirect),
      status: N,
    },
    { what: 'READ {SINGLE, member}', command: Command.READ, body: read(toMember, ownerDirect), status: N },
    {
      what: 'READ_COUNTS {SINGLE, owner}',
      command: Command.READ_COUNTS,
      body: readCounts(toOwner, ownerDirect),
      status: N,
    },
    {
      what: 'CONVERSATION_SETTINGS {SINGLE, member}',
      command: Command.CONVERSATION_SETTINGS,
      body: settings(toMember),
      status: N,
    },
    // The stored key of the owner ↔ member conversation is not a valid target.
    {
      what: 'MP a SINGLE target spelled "owner:member"',
      command: Command.MP,
      body: mp((w) => ({ type: SINGLE, target: `${id(w, 'owner')}:${id(w, 'member')}` })),
      status: Status.BAD_REQUEST,
    },
    {
      what: 'MP a GROUP target spelled as the stored key "s:owner:member"',
      command: Command.MP,
      body: mp((w) => {
        const [a, b] = [id(w, 'owner'), id(w, 'member')].sort((x, y) => (x < y ? -1 : 1));
        return { type: GROUP, target: `s:${String(a)}:${String(b)}` };
      }),
      status: Status.BAD_REQUEST,
    },
  ];
  if (actor === 'removed') {
    const own = (w: World) => w.seq.removedGroup;
    cases.push(
      {
        what: 'MR its own group message after removal',
        command: Command.MR,
        body: mr(inGroup, own),
        status: N,
      },
      {
        what: 'EDIT its own group message after removal',
        command: Command.EDIT,
        body: edit(inGroup, own),
        status: N,
      },
    );
  }
  return cases.map((c) => ({ ...c, actor }));
}

/** A member without a role: FORBIDDEN for what needs owner/admin or authorship. */
function memberCases(): Case[] {
  const F = Status.FORBIDDEN;
  const member = (w: World) => id(w, 'member');
  const cases: Omit<Case, 'actor'>[] = [
    {
      what: 'GROUP_UPDATE the name',
      command: Command.GROUP_UPDATE,
      body: update(realGroup, { name: 'hijacked' }),
      status: F,
    },
    {
      what: 'GROUP_UPDATE mute_all',
      command: Command.GROUP_UPDATE,
      body: update(realGroup, { muteAll: true }),
      status: F,
    },
    {
      what: 'GROUP_ADD the outsider',
      command: Command.GROUP_ADD,
      body: groupMembers(realGroup, (w) => [id(w, 'outsider')]),
      status: F,
    },
    {
      what: 'GROUP_REMOVE the owner',
      command: Command.GROUP_REMOVE,
      body: groupMembers(realGroup, (w) => [id(w, 'owner')]),
      status: F,
    },
    {
      what: 'GROUP_TRANSFER to itself',
      command: Command.GROUP_TRANSFER,
      body: memberChange(realGroup, member),
      status: F,
    },
    { what: 'GROUP_DISMISS', command: Command.GROUP_DISMISS, body: groupRef(realGroup), status: F },
    {
      what: 'GROUP_SET_ROLE itself admin',
      command: Command.GROUP_SET_ROLE,
      body: memberChange(realGroup, member, 1n),
      status: F,
    },
    {
      what: 'GROUP_MUTE the owner',
      command: Command.GROUP_MUTE,
      body: memberChange(realGroup, (w) => id(w, 'owner'), BigInt(Date.now() + 3_600_000)),
      status: F,
    },
    {
      what: "MR the owner's group message",
      command: Command.MR,
      body: mr(inGroup, (w) => w.seq.ownerGroup),
      status: F,
    },
    {
      what: "EDIT the owner's group message",
      command: Command.EDIT,
      body: edit(inGroup, (w) => w.seq.ownerGroup),
      status: F,
    },
    {
      what: 'MS mentioning everyone (@all is for owner/admins)',
      command: Command.MS,
      body: (w) =>
        body(MessageSchema, {
          clientMsgId: cmid('all'),
          conversation: inGroup(w),
          messageContent: { ...text('@all wake up'), mentionedType: 2 },
        }),
      status: F,
    },
    {
      what: "MR the owner's direct message",
      command: Command.MR,
      body: mr(
        (w) => direct(id(w, 'owner')),
        (w) => w.seq.ownerDirect,
      ),
      status: F,
    },
    {
      what: "EDIT the owner's direct message",
      command: Command.EDIT,
      body: edit(
        (w) => direct(id(w, 'owner')),
        (w) => w.seq.ownerDirect,
      ),
      status: F,
    },
  ];
  return cases.map((c) => ({ ...c, actor: 'member' }));
}

/** The owner, who holds every role, aimed at ids that exist nowhere (or name another kind). */
function forgedCases(): Case[] {
  const N = Status.NOT_FOUND;
  const inForged = (w: World) => ({ type: GROUP, target: w.forgedGroup });
  const forgedUser = (w: World) => w.forgedUser;
  const one = () => 1n;
  const member = (w: World) => id(w, 'member');
  const cases: Omit<Case, 'actor'>[] = [
    // A group id that exists nowhere.
    { what: 'MS to a forged group', command: Command.MS, body: ms(inForged), status: N },
    { what: 'MP a forged group', command: Command.MP, body: mp(inForged), status: N },
    { what: 'MR in a forged group', command: Command.MR, body: mr(inForged, one), status: N },
    { what: 'EDIT in a forged group', command: Command.EDIT, body: edit(inForged, one), status: N },
    { what: 'READ a forged group', command: Command.READ, body: read(inForged, one), status: N },
    {
      what: 'READ_COUNTS in a forged group',
      command: Command.READ_COUNTS,
      body: readCounts(inForged, one),
      status: N,
    },
    {
      what: 'GROUP_UPDATE a forged group',
      command: Command.GROUP_UPDATE,
      body: update(forgedGroup, { name: 'ghost' }),
      status: N,
    },
    {
      what: 'GROUP_ADD to a forged group',
      command: Command.GROUP_ADD,
      body: groupMembers(forgedGroup, (w) => [id(w, 'outsider')]),
      status: N,
    },
    {
      what: 'GROUP_REMOVE from a forged group',
      command: Command.GROUP_REMOVE,
      body: groupMembers(forgedGroup, (w) => [member(w)]),
      status: N,
    },
    {
      what: 'GROUP_LEAVE a forged group',
      command: Command.GROUP_LEAVE,
      body: groupRef(forgedGroup),
      status: N,
    },
    {
      what: 'GROUP_TRANSFER a forged group',
      command: Command.GROUP_TRANSFER,
      body: memberChange(forgedGroup, member),
      status: N,
    },
    {
      what: 'GROUP_DISMISS a forged group',
      command: Command.GROUP_DISMISS,
      body: groupRef(forgedGroup),
      status: N,
    },
    {
      what: 'GROUP_SET_ROLE in a forged group',
      command: Command.GROUP_SET_ROLE,
      body: memberChange(forgedGroup, member, 1n),
      status: N,
    },
    {
      what: 'GROUP_MUTE in a forged group',
      command: Command.GROUP_MUTE,
      body: memberChange(forgedGroup, member, BigInt(Date.now() + 3_600_000)),
      status: N,
    },
    {
      what: 'GROUP_MEMBERS of a forged group',
      command: Command.GROUP_MEMBERS,
      body: members(inForged),
      status: N,
    },
    {
      what: 'GROUP_INFO of a forged group',
      command: Command.GROUP_INFO,
      body: groupRef(forgedGroup),
      status: N,
    },
    {
      what: 'CONVERSATION_SETTINGS on a forged group',
      command: Command.CONVERSATION_SETTINGS,
      body: settings(inForged),
      status: N,
    },
    // Ids of another kind: a user id as a group, the group id as a user.
    {
      what: 'GROUP_INFO with a user id as group id',
      command: Command.GROUP_INFO,
      body: groupRef((w) => String(member(w))),
      status: N,
    },
    {
      what: 'MS to {GROUP, a user id}',
      command: Command.MS,
      body: ms((w) => ({ type: GROUP, target: String(member(w)) })),
      status: N,
    },
    {
      what: 'MS to {SINGLE, the group id}',
      command: Command.MS,
      body: ms((w) => direct(BigInt(w.gid))),
      status: N,
    },
    // A chatroom nobody created.
    {
      what: 'MS to a room nobody created',
      command: Command.MS,
      body: ms(() => ({ type: CHATROOM, target: 'nobody-made-this' })),
      status: N,
    },
    {
      what: 'MP a room nobody created',
      command: Command.MP,
      body: mp(() => ({ type: CHATROOM, target: 'nobody-made-this' })),
      status: N,
    },
    {
      what: 'CHATROOM_MEMBERS of a room nobody created',
      command: Command.CHATROOM_MEMBERS,
      body: members(() => ({ type: CHATROOM, target: 'nobody-made-this' })),
      status: N,
    },
    // A user id that exists nowhere.
    { what: 'MS to a forged user', command: Command.MS, body: ms((w) => direct(w.forgedUser)), status: N },
    {
      what: 'MP {SINGLE, forged user}',
      command: Command.MP,
      body: mp((w) => direct(w.forgedUser)),
      status: N,
    },
    {
      what: 'READ {SINGLE, forged user}',
      command: Command.READ,
      body: read((w) => direct(w.forgedUser), one),
      status: N,
    },
    {
      what: 'CONVERSATION_SETTINGS {SINGLE, forged user}',
      command: Command.CONVERSATION_SETTINGS,
      body: settings((w) => direct(w.forgedUser)),
      status: N,
    },
    {
      what: 'GROUP_ADD a forged user (with a real one: all or nothing)',
      command: Command.GROUP_ADD,
      body: groupMembers(realGroup, (w) => [id(w, 'outsider'), w.forgedUser]),
      status: N,
    },
    {
      what: 'GROUP_TRANSFER to a forged user',
      command: Command.GROUP_TRANSFER,
      body: memberChange(realGroup, forgedUser),
      status: N,
    },
    {
      what: 'GROUP_TRANSFER to a non-member',
      command: Command.GROUP_TRANSFER,
      body: memberChange(realGroup, (w) => id(w, 'outsider')),
      status: N,
    },
    {
      what: 'GROUP_TRANSFER to the removed member',
      command: Command.GROUP_TRANSFER,
      body: memberChange(realGroup, (w) => id(w, 'removed')),
      status: N,
    },
    {
      what: 'GROUP_SET_ROLE a forged user',
      command: Command.GROUP_SET_ROLE,
      body: memberChange(realGroup, forgedUser, 1n),
      status: N,
    },
    {
      what: 'GROUP_SET_ROLE a non-member',
      command: Command.GROUP_SET_ROLE,
      body: memberChange(realGroup, (w) => id(w, 'outsider'), 1n),
      status: N,
    },
    {
      what: 'GROUP_MUTE a forged user',
      command: Command.GROUP_MUTE,
      body: memberChange(realGroup, forgedUser, BigInt(Date.now() + 3_600_000)),
      status: N,
    },
    {
      what: 'GROUP_MUTE the removed member',
      command: Command.GROUP_MUTE,
      body: memberChange(realGroup, (w) => id(w, 'removed'), BigInt(Date.now() + 3_600_000)),
      status: N,
    },
    {
      what: 'GROUP_CREATE with a forged member',
      command: Command.GROUP_CREATE,
      body: (w) => body(GroupCreateRequestSchema, { name: 'ghosts', memberIds: [member(w), w.forgedUser] }),
      status: N,
    },
    {
      what: 'CONTACT_REQUEST a forged user',
      command: Command.CONTACT_REQUEST,
      body: contact(forgedUser),
      status: N,
    },
    { what: 'BLOCK a forged user', command: Command.BLOCK, body: contact(forgedUser), status: N },
    // The owner has every role, and still may not leave without handing over.
    {
      what: 'GROUP_LEAVE as the owner',
      command: Command.GROUP_LEAVE,
      body: groupRef(realGroup),
      status: Status.FORBIDDEN,
    },
  ];
  return cases.map((c) => ({ ...c, actor: 'owner' }));
}

/** Blocked by the owner: may not message or befriend the owner. */
function blockedCases(): Case[] {
  const F = Status.FORBIDDEN;
  const toOwner = (w: World) => direct(id(w, 'owner'));
  const cases: Omit<Case, 'actor'>[] = [
    { what: 'MS to the owner', command: Command.MS, body: ms(toOwner, 'hello?'), status: F },
    { what: 'MS typing to the owner', command: Command.MS, body: typing(toOwner), status: F },
    {
      what: 'CONTACT_REQUEST to the owner',
      command: Command.CONTACT_REQUEST,
      body: contact((w) => id(w, 'owner')),
      status: F,
    },
  ];
  return cases.map((c) => ({ ...c, actor: 'blocked' }));
}

const CASES: readonly Case[] = [
  ...nonMemberCases('outsider'),
  ...nonMemberCases('removed'),
  ...memberCases(),
  ...forgedCases(),
  ...blockedCases(),
];

function textsOf(messages: readonly Message[]): string[] {
  return messages
    .filter((m) => m.messageContent?.contentType === ContentType.TEXT)
    .map((m) => m.messageContent?.text ?? '');
}

/** A random decimal id (18 digits) that no snowflake generator here will hand out. */
function randomId(): bigint {
  return BigInt(
    `${randomInt(1, 10)}${String(randomInt(0, 1e8)).padStart(8, '0')}${String(randomInt(0, 1e9)).padStart(9, '0')}`,
  );
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function suite(store: ServerStore) {
  describe(`authorization matrix (${store.name})`, () => {
    let server: InProcessServer | undefined;
    let storeEnv: ServerStoreEnv | undefined;
    const clients: NativeTestClient[] = [];
    let world: World | undefined;
    let before_: Snapshot | undefined;

    const w = (): World => {
      assert.ok(world !== undefined, 'setup did not finish');
      return world;
    };

    async function user(name: string): Promise<User> {
      assert.ok(server !== undefined);
      const client = await NativeTestClient.connect(server.port);
      clients.push(client);
      const userId = await client.register(name, `${name}${PASSWORD_SUFFIX}`);
      await client.login(name, `${name}${PASSWORD_SUFFIX}`, `${name}-pc`);
      return { id: userId, name, client };
    }

    before(async () => {
      storeEnv = await store.open();
      server = await startTestServer(storeEnv.env);
      const users = {
        owner: await user('owner'),
        member: await user('member'),
        outsider: await user('outsider'),
        removed: await user('removed'),
        blocked: await user('blocked'),
      };
      const { owner, member, removed, blocked } = users;
      const send = (u: User, conversation: { type: number; target: string }, t: string) =>
        u.client.request(
          Command.MS,
          MessageSchema,
          { clientMsgId: cmid(u.name), conversation, messageContent: text(t) },
          SendResultSchema,
        );

      const info = await owner.client.request(
        Command.GROUP_CREATE,
        GroupCreateRequestSchema,
        { name: GROUP_NAME, memberIds: [member.id, removed.id] },
        GroupInfoSchema,
      );
      const gid = info.groupId;
      const G = { type: GROUP, target: gid };
      const ownerGroup = (await send(owner, G, 'group alpha quokka')).seq;
      const memberGroup = (await send(member, G, 'group beta')).seq;
      const removedGroup = (await send(removed, G, 'group gamma from removed')).seq;
      const gone = await owner.client.request(
        Command.GROUP_REMOVE,
        GroupMembersRequestSchema,
        { groupId: gid, userIds: [removed.id] },
        GroupMembersResultSchema,
      );
      assert.deepEqual(gone.userIds, [removed.id]);
      await send(owner, G, 'group delta after the removal');

      await owner.client.request(
        Command.CHATROOM_JOIN,
        ChatroomRefSchema,
        { name: ROOM },
        ChatroomInfoSchema,
      );
      const ownerRoom = (await send(owner, room, 'room alpha')).seq;

      const ownerDirect = (await send(owner, direct(member.id), 'direct one wombat')).seq;
      const memberDirect = (await send(member, direct(owner.id), 'direct two')).seq;
      await send(owner, direct(member.id), 'direct three');

      const blockFrame = await owner.client.requestFrame(
        Command.BLOCK,
        body(ContactRequestSchema, { userId: blocked.id }),
      );
      assert.equal(blockFrame.status, Status.OK, 'the owner blocks `blocked`');

      const forgedUser = randomId();
      const forgedGroupId = randomId();
      assert.notEqual(forgedUser, forgedGroupId);
      for (const u of Object.values(users)) {
        assert.notEqual(u.id, forgedUser);
        assert.notEqual(u.id, forgedGroupId);
      }
      assert.notEqual(gid, String(forgedGroupId));
      const found = await owner.client.request(
        Command.USERS_GET,
        UsersRequestSchema,
        { userIds: [forgedUser, forgedGroupId] },
        UsersResponseSchema,
      );
      assert.deepEqual(found.users, [], 'the forged ids are nobody');

      world = {
        users,
        gid,
        forgedGroup: String(forgedGroupId),
        forgedUser,
        seq: { ownerGroup, memberGroup, removedGroup, ownerRoom, ownerDirect, memberDirect },
      };
      before_ = await snapshot(world);
    });

    after(async () => {
      for (const c of clients) c.destroy();
      await server?.stop();
      await storeEnv?.cleanup();
    });

    it('the setup is what the matrix assumes', () => {
      assert.ok(before_ !== undefined);
      const g = before_.groupInfo;
      assert.equal(g.name, GROUP_NAME);
      assert.equal(g.ownerId, w().users.owner.id);
      assert.equal(g.memberCount, 2, 'owner and member; removed is gone');
      assert.equal(g.muteAll, false);
      assert.equal(g.dismissed, false);
      assert.deepEqual(
        before_.groupMembers.map((m) => m.userId).sort(),
        [w().users.owner.id, w().users.member.id].sort(),
      );
      assert.deepEqual(textsOf(before_.groupHistory), [
        'group alpha quokka',
        'group beta',
        'group gamma from removed',
        'group delta after the removal',
      ]);
      assert.deepEqual(textsOf(before_.directHistory), ['direct one wombat', 'direct two', 'direct three']);
      assert.deepEqual(before_.ownerBlocked, [w().users.blocked.id]);
    });

    for (const c of CASES) {
      it(`${c.actor}: ${c.what} → ${statusName(c.status)}`, async () => {
        const frame = await w().users[c.actor].client.requestFrame(c.command, c.body(w()));
        assert.equal(
          frame.status,
          c.status,
          `${c.actor} ${c.what}: expected ${statusName(c.status)}, got ${statusName(frame.status)}`,
        );
      });
    }

    it('GROUP_REMOVE of users who are not members (a forged id, the outsider) answers OK with no ids and changes nothing', async () => {
      const { owner, outsider, removed } = w().users;
      const res = await owner.client.request(
        Command.GROUP_REMOVE,
        GroupMembersRequestSchema,
        { groupId: w().gid, userIds: [w().forgedUser, outsider.id, removed.id] },
        GroupMembersResultSchema,
      );
      assert.deepEqual(res.userIds, []);
    });

    it('after every refused attempt the group, the room, the direct conversation and the contacts are unchanged, and nothing was pushed', async () => {
      assert.ok(before_ !== undefined);
      const now = await snapshot(w());
      assert.deepEqual(now.groupInfo, before_.groupInfo, 'GROUP_INFO');
      assert.deepEqual(now.groupMembers, before_.groupMembers, 'GROUP_MEMBERS (ids, roles, mutes)');
      assert.deepEqual(now.groupHistory, before_.groupHistory, 'group history');
      assert.deepEqual(now.roomHistory, before_.roomHistory, 'room history');
      assert.deepEqual(now.directHistory, before_.directHistory, 'owner ↔ member history');
      assert.deepEqual(now.ownerSync, before_.ownerSync, "owner's conversations");
      assert.deepEqual(now.memberSync, before_.memberSync, "member's conversations");
      assert.deepEqual(
        now.ownerContacts,
        before_.ownerContacts,
        "owner's contacts (no request from blocked)",
      );
      assert.deepEqual(now.ownerBlocked, before_.ownerBlocked, "owner's block list");
      assert.deepEqual(now.pushes, before_.pushes, 'no push reached owner or member');
      // Spelled out, as the acceptance names them.
      const g = now.groupInfo;
      assert.equal(g.memberCount, 2);
      assert.equal(g.name, GROUP_NAME);
      assert.equal(g.ownerId, w().users.owner.id);
      assert.equal(g.dismissed, false);
      assert.equal(g.muteAll, false);
      assert.deepEqual(
        now.groupHistory.map((m) => m.seq),
        Array.from({ length: now.groupHistory.length }, (_, i) => BigInt(i + 1)),
      );
      assert.ok(
        now.groupHistory.every((m) => m.flags === 0),
        'nothing recalled or edited',
      );
      assert.ok(
        now.directHistory.every((m) => m.flags === 0),
        'nothing recalled or edited',
      );
    });

    it('the server takes the sender from the session: a body claiming to be from the owner is stored as the real sender', async () => {
      const { owner, member } = w().users;
      const forged = {
        clientMsgId: cmid('forge'),
        messageContent: text('I am the owner, honest'),
        senderId: owner.id,
        from: String(owner.id),
        senderDevice: 'owner-pc',
        senderName: 'owner',
        messageId: 42n,
        seq: 9_999n,
        serverTime: 1n,
        flags: MessageFlag.EDITED,
      };
      const headDirect = BigInt(before_?.directHistory.length ?? 0);
      const dm = await member.client.request(
        Command.MS,
        MessageSchema,
        { ...forged, conversation: direct(owner.id), to: String(member.id) },
        SendResultSchema,
      );
      assert.equal(dm.seq, headDirect + 1n, 'the seq is the server’s, not the body’s');
      assert.notEqual(dm.messageId, 42n);
      const inGroupSent = await member.client.request(
        Command.MS,
        MessageSchema,
        { ...forged, clientMsgId: cmid('forge'), conversation: inGroup(w()) },
        SendResultSchema,
      );
      for (const [page, seq] of [
        [await pullAs(owner, direct(member.id)), dm.seq],
        [await pullAs(owner, inGroup(w())), inGroupSent.seq],
      ] as const) {
        const stored = page.find((m) => m.seq === seq);
        assert.ok(stored !== undefined, 'the message is stored');
        assert.equal(stored.senderId, member.id);
        assert.equal(stored.from, String(member.id));
        assert.equal(stored.senderDevice, 'member-pc');
        assert.equal(stored.flags, 0);
        assert.notEqual(stored.messageId, 42n);
        assert.ok(stored.serverTime > 1n);
        assert.equal(stored.messageContent?.text, 'I am the owner, honest');
      }
      // The push the owner's device got says the same.
      await owner.client.waitFor(
        () => owner.client.pushedMessages().some((m) => m.seq === dm.seq && m.conversation?.type === SINGLE),
        5000,
        'the push to the owner',
      );
      const pushed = owner.client
        .pushedMessages()
        .find((m) => m.seq === dm.seq && m.conversation?.type === SINGLE);
      assert.equal(pushed?.senderId, member.id);
      assert.equal(pushed.from, String(member.id));
      assert.equal(pushed.conversation?.target, String(member.id), 'the owner sees the member as the peer');
    });

    it('a SINGLE target names the reader’s own conversation: the outsider never reads owner ↔ member', async () => {
      const { owner, member, outsider } = w().users;
      const secrets = textsOf(await pullAs(owner, direct(member.id)));
      // Before it wrote to either, the outsider has no conversation with them.
      await refused(pullAs(outsider, direct(member.id)), Status.NOT_FOUND, 'outsider pulls {SINGLE, member}');
      await refused(pullAs(outsider, direct(owner.id)), Status.NOT_FOUND, 'outsider pulls {SINGLE, owner}');
      // Writing to the member opens the outsider's own conversation, which holds only that.
      await outsider.client.request(
        Command.MS,
        MessageSchema,
        {
          clientMsgId: cmid('out'),
          conversation: direct(member.id),
          messageContent: text('hi, stranger here'),
        },
        SendResultSchema,
      );
      for (const backward of [false, true]) {
        const page = await outsider.client.request(
          Command.MP,
          PullRequestSchema,
          { conversation: direct(member.id), fromSeq: backward ? 0n : 1n, limit: 200, backward },
          PullResponseSchema,
        );
        assert.deepEqual(textsOf(page.messages), ['hi, stranger here']);
        assert.equal(page.maxSeq, 1n);
        assert.ok(page.messages.every((m) => m.senderId === outsider.id));
      }
      // The member sees it as a separate conversation; its conversation with the owner is intact.
      assert.deepEqual(textsOf(await pullAs(member, direct(outsider.id))), ['hi, stranger here']);
      assert.deepEqual(textsOf(await pullAs(member, direct(owner.id))), secrets);
      // Nor do SYNC, CONVERSATIONS or SEARCH reach the owner's conversations.
      const synced = await outsider.client.request(Command.SYNC, SyncRequestSchema, {}, SyncResponseSchema);
      assert.deepEqual(
        synced.conversations.map((c) => c.conversation),
        [{ ...direct(member.id), $typeName: 'parley.v1.Conversation' }],
      );
      const list = await outsider.client.request(
        Command.CONVERSATIONS,
        ConversationListRequestSchema,
        {},
        ConversationListResponseSchema,
      );
      assert.deepEqual(
        list.conversations.map((c) => c.conversation?.target),
        [String(member.id)],
      );
      for (const word of ['wombat', 'quokka']) {
        assert.equal((await search(owner, word)).length, 1, `the owner finds "${word}" (control)`);
        assert.deepEqual(await search(outsider, word), [], `the outsider does not find "${word}"`);
      }
    });

    it('a removed member reads nothing of the group any more, not even what it saw before', async () => {
      const { removed } = w().users;
      const synced = await removed.client.request(Command.SYNC, SyncRequestSchema, {}, SyncResponseSchema);
      assert.ok(!synced.conversations.some((c) => c.conversation?.type === GROUP));
      assert.deepEqual(await search(removed, 'quokka'), []);
      assert.deepEqual(await search(removed, 'gamma'), [], 'not even its own message');
    });

    it('blocked: the owner’s presence is hidden from it', async () => {
      const { owner, blocked } = w().users;
      const res = await blocked.client.request(
        Command.USERS_GET,
        UsersRequestSchema,
        { userIds: [owner.id] },
        UsersResponseSchema,
      );
      assert.equal(res.users.length, 1);
      assert.equal(res.users[0]?.online, false, 'the owner is online, but not for the user it blocks');
      assert.equal(res.users[0].lastSeenAt, 0n);
    });

    it('blocked: a refused MS leaves no conversation behind (MP {SINGLE, owner} is still NOT_FOUND)', async () => {
      const { owner, blocked } = w().users;
      await refused(pullAs(blocked, direct(owner.id)), Status.NOT_FOUND, 'blocked pulls {SINGLE, owner}');
      const frame = await blocked.client.requestFrame(
        Command.CONVERSATION_SETTINGS,
        body(ConversationSettingsRequestSchema, { conversation: direct(owner.id), pinned: true }),
      );
      assert.equal(frame.status, Status.NOT_FOUND, `CONVERSATION_SETTINGS: ${statusName(frame.status)}`);
    });

    it('a refused MS to a stranger leaves no conversation behind, so it grants no presence', async () => {
      const { owner, outsider } = w().users;
      const online = async () =>
        (
          await outsider.client.request(
            Command.USERS_GET,
            UsersRequestSchema,
            { userIds: [owner.id] },
            UsersResponseSchema,
          )
        ).users[0]?.online;
      assert.equal(await online(), false, 'a stranger does not see the owner online (control)');
      const frame = await outsider.client.requestFrame(
        Command.MS,
        body(MessageSchema, {
          clientMsgId: 'not a valid client msg id',
          conversation: direct(owner.id),
          messageContent: text('never stored'),
        }),
      );
      assert.equal(frame.status, Status.BAD_REQUEST);
      await refused(pullAs(outsider, direct(owner.id)), Status.NOT_FOUND, 'outsider pulls {SINGLE, owner}');
      assert.equal(await online(), false, 'still no presence after a refused send');
    });
  });

  interface Snapshot {
    readonly groupInfo: GroupInfo;
    readonly groupMembers: MembersOf;
    readonly groupHistory: Message[];
    readonly roomHistory: Message[];
    readonly directHistory: Message[];
    readonly ownerSync: unknown;
    readonly memberSync: unknown;
    readonly ownerContacts: unknown;
    readonly ownerBlocked: bigint[];
    readonly pushes: Record<string, number>;
  }
  type MembersOf = Awaited<ReturnType<typeof membersOf>>;

  async function membersOf(u: User, conversation: { type: number; target: string }) {
    return (
      await u.client.request(
        Command.GROUP_MEMBERS,
        MembersRequestSchema,
        { conversation, limit: 200 },
        MembersResponseSchema,
      )
    ).members;
  }

  async function pullAs(u: User, conversation: { type: number; target: string }): Promise<Message[]> {
    const page = await u.client.request(
      Command.MP,
      PullRequestSchema,
      { conversation, fromSeq: 1n, limit: 200 },
      PullResponseSchema,
    );
    assert.equal(page.hasMore, false);
    return page.messages;
  }

  async function search(u: User, query: string): Promise<Message[]> {
    return (
      await u.client.request(Command.SEARCH, SearchRequestSchema, { query, limit: 50 }, SearchResponseSchema)
    ).messages;
  }

  /** Waits until no client received anything for a while, then counts what each got. */
  async function settledPushes(users: readonly User[]): Promise<Record<string, number>> {
    const count = () =>
      Object.fromEntries(
        users.map((u) => [
          u.name,
          u.client.notifications.filter((f) => f.command !== Command.PRESENCE).length,
        ]),
      );
    let last = JSON.stringify(count());
    for (;;) {
      await sleep(150);
      const next = JSON.stringify(count());
      if (next === last) return count();
      last = next;
    }
  }

  async function snapshot(w: World): Promise<Snapshot> {
    const { owner, member } = w.users;
    const G = { type: GROUP, target: w.gid };
    const sync = async (u: User) =>
      (await u.client.request(Command.SYNC, SyncRequestSchema, {}, SyncResponseSchema)).conversations;
    return {
      groupInfo: await owner.client.request(
        Command.GROUP_INFO,
        GroupRefSchema,
        { groupId: w.gid },
        GroupInfoSchema,
      ),
      groupMembers: await membersOf(owner, G),
      groupHistory: await pullAs(owner, G),
      roomHistory: await pullAs(owner, room),
      directHistory: await pullAs(owner, direct(member.id)),
      ownerSync: await sync(owner),
      memberSync: await sync(member),
      ownerContacts: (
        await owner.client.request(
          Command.CONTACT_LIST,
          ContactListRequestSchema,
          {},
          ContactListResponseSchema,
        )
      ).contacts,
      ownerBlocked: fromBinary(
        BlockListResponseSchema,
        (await owner.client.requestFrame(Command.BLOCK_LIST, new Uint8Array(0))).body,
      ).userIds,
      pushes: await settledPushes([owner, member]),
    };
  }
}

for (const store of SERVER_STORES) suite(store);
