import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import {
  Command,
  ContactState,
  ContentType,
  ConnectionState,
  ForbiddenError,
  GroupRole,
  NotFoundError,
  ParleyClient,
  chatroom,
  direct,
  group,
  webSocketTransport,
  type EditEvent,
  type GroupEvent,
  type Message,
  type ParleyEvents,
  type ReadEvent,
  type RecallEvent,
} from './index.js';
import { LogoutResponseSchema, PingSchema, PongSchema } from '@parley/protocol';
import { tcpTransport } from './node/index.js';

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Collects every event of a client, by name. */
function record(c: ParleyClient) {
  const log = {
    message: [] as Message[],
    recall: [] as RecallEvent[],
    edit: [] as EditEvent[],
    group: [] as GroupEvent[],
    read: [] as ReadEvent[],
    typing: [] as ParleyEvents['typing'][],
    presence: [] as ParleyEvents['presence'][],
    contact: [] as ParleyEvents['contact'][],
    errors: [] as Error[],
  };
  c.on('message', (m) => log.message.push(m));
  c.on('recall', (e) => log.recall.push(e));
  c.on('edit', (e) => log.edit.push(e));
  c.on('group', (e) => log.group.push(e));
  c.on('read', (e) => log.read.push(e));
  c.on('typing', (e) => log.typing.push(e));
  c.on('presence', (e) => log.presence.push(e));
  c.on('contact', (e) => log.contact.push(e));
  c.on('error', (e) => log.errors.push(e.error));
  return log;
}

describe('the SDK API against a real server', () => {
  let server: InProcessServer;
  const clients: ParleyClient[] = [];
  let n = 0;

  before(async () => {
    // Groups above 3 members get MN notifies instead of pushes.
    server = await startTestServer({ PARLEY_GROUP_NOTIFY_THRESHOLD: '3' });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  /** A registered, logged-in user (every other one over WebSocket, to cover both transports). */
  const user = async (display = '') => {
    n += 1;
    const name = `api${String(n)}`;
    const transport =
      n % 2 === 0
        ? webSocketTransport({ url: `ws://127.0.0.1:${String(server.httpPort)}/ws`, WebSocket })
        : tcpTransport({ port: server.port });
    const c = new ParleyClient({ transport, reconnect: { initialDelayMs: 20 } });
    clients.push(c);
    const id = await c.register(name, `${name}-password`, display);
    await c.login({ username: name, password: `${name}-password` });
    await c.whenSynced();
    return { c, id, name, log: record(c) };
  };

  it('messages: send, sendText, recall, edit, markRead, readCounts, typing, history, search', async () => {
    const a = await user();
    const b = await user();
    const conv = direct(b.id);
    const r1 = await a.c.messages.sendText(conv, 'hello bob, first');
    const r2 = await a.c.messages.send(
      conv,
      { contentType: ContentType.FACE, text: '[:smile]' },
      { clientMsgId: 'face-1' },
    );
    const again = await a.c.messages.send(
      conv,
      { contentType: ContentType.FACE, text: '[:smile]' },
      { clientMsgId: 'face-1' },
    );
    assert.equal(again.seq, r2.seq, 'the same clientMsgId is the same message');
    assert.equal(again.duplicate, true);
    const r3 = await a.c.messages.sendText(conv, 'a typo hree');
    await until(() => b.log.message.length === 3, 3000, 'three at bob');
    assert.deepEqual(
      b.log.message.map((m) => m.seq),
      [r1.seq, r2.seq, r3.seq],
    );

    await a.c.messages.edit(conv, r3.seq, 'a typo here');
    await a.c.messages.recall(conv, r1.seq);
    await until(() => b.log.edit.length === 1 && b.log.recall.length === 1, 3000, 'edit and recall events');
    assert.equal(b.log.edit[0]?.seq, r3.seq);
    assert.equal(b.log.edit[0].content?.text, 'a typo here');
    assert.equal(b.log.recall[0]?.seq, r1.seq);
    assert.equal(b.log.recall[0].actorId, a.id);
    assert.deepEqual(
      a.log.recall.map((e) => e.seq),
      [r1.seq],
      'the sender hears it too (its own SYSTEM message)',
    );
    await assert.rejects(b.c.messages.recall(direct(a.id), r2.seq), ForbiddenError);

    // Read receipts: bob reads up to what he has; alice hears it; counts say 1.
    const read = await b.c.messages.markRead(direct(a.id));
    assert.equal(read.unread, 0n);
    await until(() => a.log.read.length >= 1, 3000, 'read notice');
    assert.equal(a.log.read.at(-1)?.userId, b.id);
    const counts = await a.c.messages.readCounts(conv, [r2.seq, r3.seq]);
    assert.equal(counts.get(r2.seq), 1);

    await b.c.messages.typing(direct(a.id));
    await until(() => a.log.typing.length === 1, 3000, 'typing');
    assert.equal(a.log.typing[0]?.userId, b.id);
    assert.equal(a.log.typing[0].conversation.target, String(b.id));

    const forward = await a.c.messages.history(conv, { fromSeq: 1n, limit: 2 });
    assert.deepEqual(
      forward.messages.map((m) => m.seq),
      [1n, 2n],
    );
    assert.equal(forward.hasMore, true);
    const backward = await a.c.messages.history(conv, { direction: 'backward', limit: 2 });
    assert.equal(backward.messages.at(-1)?.seq, backward.maxSeq, 'backward from the head');
    assert.equal(backward.messages.length, 2);

    const found = await b.c.messages.search('typo');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.seq, r3.seq);
    assert.deepEqual(await b.c.messages.search('first'), [], 'recalled messages are not found');
    assert.deepEqual([...a.log.errors, ...b.log.errors], []);
  });

  it('groups: create, info, update, members, add, remove, setRole, mute, transfer, leave, dismiss; MN notifies', async () => {
    const owner = await user('Owner');
    const m1 = await user();
    const m2 = await user();
    const m3 = await user();
    const g = await owner.c.groups.create({ name: 'team', memberIds: [m1.id] });
    assert.equal(g.ownerId, owner.id);
    assert.equal(g.memberCount, 2);
    const conv = group(g.groupId);
    await until(() => m1.log.group.some((e) => e.kind === 'group_created'), 3000, 'group_created');

    const updated = await owner.c.groups.update(g.groupId, { notice: 'be nice' });
    assert.equal(updated.notice, 'be nice');
    assert.equal((await m1.c.groups.info(g.groupId)).notice, 'be nice');
    assert.deepEqual(await owner.c.groups.addMembers(g.groupId, [m2.id]), [m2.id]);
    await owner.c.groups.setRole(g.groupId, m1.id, GroupRole.ADMIN);
    const members = await m2.c.groups.members(g.groupId);
    assert.equal(members.members.length, 3);
    assert.equal(members.members.find((m) => m.userId === m1.id)?.role, GroupRole.ADMIN);

    const until1 = Date.now() + 60_000;
    await owner.c.groups.mute(g.groupId, m2.id, until1);
    await assert.rejects(m2.c.messages.sendText(conv, 'muted?'), ForbiddenError);
    await owner.c.groups.mute(g.groupId, m2.id, 0);
    await m2.c.messages.sendText(conv, 'unmuted');

    // A fourth member takes the group over the notify threshold: MN, then the client pulls.
    await owner.c.groups.addMembers(g.groupId, [m3.id]);
    const before = m3.log.message.length;
    const sent = await owner.c.messages.sendText(conv, 'big group now');
    await until(
      () => m3.log.message.some((m) => m.seq === sent.seq),
      3000,
      'the message reached m3 through MN + pull',
    );
    assert.ok(m3.log.message.length > before);
    const seqs = m3.log.message.filter((m) => m.conversation?.target === g.groupId).map((m) => m.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((x, y) => (x < y ? -1 : 1)),
      'in seq order',
    );

    assert.deepEqual(await owner.c.groups.removeMembers(g.groupId, [m3.id]), [m3.id]);
    await m2.c.groups.leave(g.groupId);
    await assert.rejects(m2.c.groups.info(g.groupId), NotFoundError);
    const transferred = await owner.c.groups.transfer(g.groupId, m1.id);
    assert.equal(transferred.ownerId, m1.id);
    await m1.c.groups.dismiss(g.groupId);
    assert.equal((await owner.c.groups.info(g.groupId)).dismissed, true);
    await until(() => owner.log.group.some((e) => e.kind === 'group_dismissed'), 3000, 'dismissed event');
    const kinds = new Set(owner.log.group.map((e) => e.kind));
    for (const k of [
      'group_created',
      'members_added',
      'role_changed',
      'member_muted',
      'group_updated',
      'members_removed',
      'member_left',
      'owner_transferred',
    ]) {
      assert.ok(kinds.has(k as GroupEvent['kind']), `group event ${k}`);
    }
    assert.deepEqual([...owner.log.errors, ...m1.log.errors, ...m3.log.errors], []);
  });

  it('chatrooms: join, list, members, messages, leave', async () => {
    const a = await user();
    const b = await user();
    const info = await a.c.chatrooms.join('#Lobby');
    assert.equal(info.name, 'lobby');
    await b.c.chatrooms.join('lobby');
    const list = await a.c.chatrooms.list();
    assert.ok(list.rooms.some((r) => r.name === 'lobby'));
    const members = await a.c.chatrooms.members('lobby');
    assert.deepEqual(new Set(members.members.map((m) => m.userId)), new Set([a.id, b.id]));
    const sent = await a.c.messages.sendText(chatroom('#Lobby'), 'hi room');
    await until(() => b.log.message.some((m) => m.seq === sent.seq), 3000, 'room message');
    await b.c.chatrooms.leave('lobby');
    assert.equal((await a.c.chatrooms.members('lobby')).members.length, 1);
  });

  it('contacts and presence: request, accept, list, decline, remove, block, unblock, blocked', async () => {
    const a = await user();
    const b = await user();
    const c = await user();
    const req = await a.c.contacts.request(b.id, 'hi, it is a');
    assert.equal(req.state, ContactState.REQUESTED);
    await until(
      () => b.log.contact.some((x) => x.userId === a.id && x.state === ContactState.PENDING),
      3000,
      'pending notice',
    );
    assert.equal((await b.c.contacts.list([ContactState.PENDING]))[0]?.userId, a.id);
    const accepted = await b.c.contacts.accept(a.id);
    assert.equal(accepted.state, ContactState.FRIENDS);
    assert.equal((await a.c.contacts.list()).find((x) => x.userId === b.id)?.state, ContactState.FRIENDS);

    // Friends see each other's presence.
    const [profile] = await a.c.users.get([b.id]);
    assert.equal(profile?.online, true);
    b.c.close();
    await until(() => a.log.presence.some((p) => p.userId === b.id && !p.online), 3000, 'offline presence');

    await c.c.contacts.request(a.id);
    await a.c.contacts.decline(c.id);
    assert.deepEqual(await c.c.contacts.list([ContactState.REQUESTED]), []);
    await a.c.contacts.remove(b.id);
    assert.deepEqual(await a.c.contacts.list([ContactState.FRIENDS]), []);

    await a.c.contacts.block(c.id);
    assert.deepEqual(await a.c.contacts.blocked(), [c.id]);
    await assert.rejects(c.c.messages.sendText(direct(a.id), 'let me in'), ForbiddenError);
    await a.c.contacts.unblock(c.id);
    assert.deepEqual(await a.c.contacts.blocked(), []);
    await c.c.messages.sendText(direct(a.id), 'thanks');
  });

  it('users and conversations: updateProfile, search, get, list, pin, mute, hide, update', async () => {
    const a = await user();
    const b = await user();
    const me = await a.c.users.updateProfile({ displayName: 'Zed Zebra' });
    assert.equal(me.displayName, 'Zed Zebra');
    const found = await b.c.users.search('zebra');
    assert.deepEqual(
      found.map((u) => u.userId),
      [a.id],
    );
    assert.equal((await b.c.users.get([a.id]))[0]?.username, a.name);

    const c = await user();
    await b.c.messages.sendText(direct(a.id), 'from b');
    await c.c.messages.sendText(direct(a.id), 'from c');
    let list = await a.c.conversations.list();
    assert.equal(list.conversations[0]?.conversation?.target, String(c.id), 'newest first');
    assert.equal(list.totalUnread, 2n);
    await a.c.conversations.pin(direct(b.id));
    list = await a.c.conversations.list();
    assert.equal(list.conversations[0]?.conversation?.target, String(b.id), 'pinned first');
    assert.equal(list.conversations[0].pinned, true);
    await a.c.conversations.mute(direct(c.id));
    list = await a.c.conversations.list();
    assert.equal(list.totalUnread, 1n, 'muted conversations do not count');
    await a.c.conversations.update(direct(b.id), { pinned: false, muted: false });
    await a.c.conversations.hide(direct(c.id));
    list = await a.c.conversations.list();
    assert.deepEqual(
      list.conversations.map((x) => x.conversation?.target),
      [String(b.id)],
    );
  });

  it('client plumbing: call, callEmpty, off, and requests that wait for a reconnect', async () => {
    const a = await user();
    const pong = await a.c.call(Command.PING, PingSchema, {}, PongSchema);
    assert.ok(pong.serverTime > 0n);
    await a.c.callEmpty(Command.PING, PingSchema, {});
    await a.c.call(Command.PING, PingSchema, {}, LogoutResponseSchema);
    const seen: Message[] = [];
    const handler = (m: Message) => seen.push(m);
    a.c.on('message', handler);
    a.c.off('message', handler);
    const b = await user();
    await b.c.messages.sendText(direct(a.id), 'unheard');
    await until(() => a.log.message.length === 1, 3000, 'delivered');
    assert.equal(seen.length, 0, 'off() unsubscribed');

    server.dropConnections(a.id);
    await until(() => a.c.state !== ConnectionState.ONLINE, 2000, 'dropped');
    const profiles = await a.c.users.get([b.id]);
    assert.equal(profiles[0]?.userId, b.id, 'the request waited for the reconnect');
  });
});
