/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import { fromBinary } from '@bufbuild/protobuf';
import { Command, ContentType, ForbiddenError, KickNoticeSchema, KickReason, Status } from '@parley/protocol';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';
import { HttpTestClient, type Json } from './http-test-client.js';

function text(clientMsgId: string, body: string) {
  return { clientMsgId, content: { contentType: ContentType.TEXT, text: body } };
}

describe('HTTP API', () => {
  let server: InProcessServer;
  let api: HttpTestClient;
  let alice: { userId: string; token: string };
  let bob: { userId: string; token: string };
  let carol: { userId: string; token: string };
  let groupId = '';

  before(async () => {
    server = await startTestServer({
      PARLEY_HTTP_AUTH_RATE_LIMIT: '1000',
      PARLEY_RECALL_WINDOW_MS: '600000',
      PARLEY_ADMIN_USERS: 'carol',
      PARLEY_ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]',
    });
    api = new HttpTestClient(`http://127.0.0.1:${server.httpPort}`);
    alice = await api.register('alice');
    bob = await api.register('bob');
    carol = await api.register('carol');
    api.token = alice.token;
  });
  after(async () => {
    await server.stop();
  });

  describe('auth', () => {
    it('registers, answering a decimal user id and a token', async () => {
      const res = await api.post('/api/v1/auth/register', { username: 'dave', password: 'secret123' });
      assert.equal(res.status, 201);
      assert.match(res.body.userId, /^[1-9][0-9]*$/);
      assert.equal(typeof res.body.token, 'string');
      const taken = await api.post('/api/v1/auth/register', { username: 'dave', password: 'secret123' });
      assert.equal(taken.status, 409);
      assert.deepEqual(Object.keys(taken.body.error), ['status', 'name', 'message']);
      assert.equal(taken.body.error.status, Status.CONFLICT);
      assert.equal(taken.body.error.name, 'CONFLICT');
    });

    it('logs in with a password, refuses a wrong one with 401', async () => {
      const ok = await api.post('/api/v1/auth/login', { username: 'alice', password: 'secret123' });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.userId, alice.userId);
      const bad = await api.post('/api/v1/auth/login', { username: 'alice', password: 'wrong-one' });
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error.status, Status.AUTH_FAILED);
    });

    it('validates bodies: missing fields, extra fields, wrong types are 400', async () => {
      for (const body of [
        { username: 'x' },
        { username: 'eve', password: 'secret123', admin: true },
        { username: 5, password: [] },
      ]) {
        const res = await api.post('/api/v1/auth/login', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.status, Status.BAD_REQUEST);
      }
      const notJson = await fetch(`${api.base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username":',
      });
      assert.equal(notJson.status, 400);
    });

    it('refuses missing, malformed and unknown tokens with 401', async () => {
      assert.equal((await api.get('/api/v1/me', '')).status, 401);
      assert.equal((await api.get('/api/v1/me', 'x y')).status, 401);
      const unknown = await api.get('/api/v1/me', 'not-a-real-token');
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body.error.status, Status.AUTH_FAILED);
    });

    it('logout revokes the token', async () => {
      const login = await api.post('/api/v1/auth/login', {
        username: 'bob',
        password: 'secret123',
        platform: 'bot',
      });
      const token: string = login.body.token;
      assert.equal((await api.get('/api/v1/me', token)).status, 200);
      assert.equal((await api.post('/api/v1/auth/logout', {}, token)).status, 200);
      const after = await api.get('/api/v1/me', token);
      assert.equal(after.status, 401);
      assert.equal(after.body.error.status, Status.TOKEN_REVOKED);
    });
  });

  describe('me and users', () => {
    it('reads and updates my profile', async () => {
      const me = await api.get('/api/v1/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.username, 'alice');
      const updated = await api.patch('/api/v1/me', {
        displayName: 'Alice A.',
        avatarUrl: '/api/v1/media/x',
      });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.displayName, 'Alice A.');
      const bad = await api.patch('/api/v1/me', { displayName: '\u0001' });
      assert.equal(bad.status, 400);
    });

    it('searches users and reads profiles by ids', async () => {
      const found = await api.get('/api/v1/users/search?q=bo');
      assert.equal(found.status, 200);
      assert.deepEqual(
        found.body.users.map((u: Json) => u.username),
        ['bob'],
      );
      const profiles = await api.get(`/api/v1/users?ids=${bob.userId},${carol.userId},999`);
      assert.equal(profiles.status, 200);
      assert.deepEqual(
        profiles.body.users.map((u: Json) => u.userId).sort(),
        [bob.userId, carol.userId].sort(),
      );
      assert.equal((await api.get('/api/v1/users?ids=abc')).status, 400);
    });
  });

  describe('contacts and blocks', () => {
    it('request, list, accept, remove', async () => {
      const req = await api.post('/api/v1/contacts/requests', { userId: bob.userId, note: 'hi' });
      assert.equal(req.status, 200);
      assert.equal(req.body.state, 'requested');
      const pending = await api.get('/api/v1/contacts?state=pending', bob.token);
      assert.deepEqual(
        pending.body.contacts.map((c: Json) => c.peerId),
        [alice.userId],
      );
      const accepted = await api.post(`/api/v1/contacts/${alice.userId}/accept`, {}, bob.token);
      assert.equal(accepted.status, 200);
      assert.equal(accepted.body.state, 'friends');
      const list = await api.get('/api/v1/contacts');
      assert.deepEqual(
        list.body.contacts.map((c: Json) => [c.peerId, c.state]),
        [[bob.userId, 'friends']],
      );
      assert.equal((await api.delete(`/api/v1/contacts/${bob.userId}`)).status, 200);
      assert.equal((await api.delete(`/api/v1/contacts/${bob.userId}`)).status, 404);
    });

    it('decline', async () => {
      await api.post('/api/v1/contacts/requests', { userId: carol.userId });
      assert.equal((await api.post(`/api/v1/contacts/${alice.userId}/decline`, {}, carol.token)).status, 200);
      assert.equal((await api.post(`/api/v1/contacts/${alice.userId}/decline`, {}, carol.token)).status, 404);
    });

    it('block, list blocks, blocked user cannot message, unblock', async () => {
      assert.equal((await api.put(`/api/v1/blocks/${carol.userId}`)).status, 200);
      assert.deepEqual((await api.get('/api/v1/blocks')).body.userIds, [carol.userId]);
      const refused = await api.post(
        `/api/v1/conversations/single/${alice.userId}/messages`,
        text('blk-1', 'hi'),
        carol.token,
      );
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.status, Status.FORBIDDEN);
      assert.equal((await api.delete(`/api/v1/blocks/${carol.userId}`)).status, 200);
      assert.deepEqual((await api.get('/api/v1/blocks')).body.userIds, []);
    });
  });

  describe('messages', () => {
    it('sends text and other content types, idempotent by clientMsgId', async () => {
      const first = await api.post(
        `/api/v1/conversations/single/${bob.userId}/messages`,
        text('m-1', 'hello bob'),
      );
      assert.equal(first.status, 200);
      assert.equal(first.body.message.seq, 1);
      assert.equal(first.body.message.senderId, alice.userId);
      assert.equal(first.body.duplicate, false);
      const again = await api.post(
        `/api/v1/conversations/single/${bob.userId}/messages`,
        text('m-1', 'hello bob'),
      );
      assert.equal(again.body.duplicate, true);
      assert.equal(again.body.message.messageId, first.body.message.messageId);
      const location = await api.post(`/api/v1/conversations/single/${bob.userId}/messages`, {
        clientMsgId: 'm-2',
        content: {
          contentType: ContentType.LOCATION,
          location: { latitude: 48.85, longitude: 2.35, title: 'Paris' },
        },
      });
      assert.equal(location.status, 200);
      assert.equal(location.body.message.content.location.title, 'Paris');
      const custom = await api.post(`/api/v1/conversations/single/${bob.userId}/messages`, {
        clientMsgId: 'm-3',
        content: { contentType: ContentType.CUSTOM, customType: 'card', data: 'AQID' },
      });
      assert.equal(custom.body.message.content.customType, 'card');
      assert.equal(custom.body.message.seq, 3);
    });

    it('refuses bad content', async () => {
      const empty = await api.post(`/api/v1/conversations/single/${bob.userId}/messages`, text('m-x', '  '));
      assert.equal(empty.status, 400);
      const unknownField = await api.post(`/api/v1/conversations/single/${bob.userId}/messages`, {
        clientMsgId: 'm-y',
        content: { contentType: 1, text: 'x', bogus: 1 },
      });
      assert.equal(unknownField.status, 400);
      const tooLong = await api.post(
        `/api/v1/conversations/single/${bob.userId}/messages`,
        text('m-z', 'x'.repeat(10001)),
      );
      assert.equal(tooLong.status, 413);
      assert.equal(tooLong.body.error.status, Status.TOO_LARGE);
      const noPeer = await api.post('/api/v1/conversations/single/12345/messages', text('m-w', 'x'));
      assert.equal(noPeer.status, 404);
    });

    it('pages history by seq in both directions', async () => {
      const back = await api.get(`/api/v1/conversations/single/${alice.userId}/messages?limit=2`, bob.token);
      assert.equal(back.status, 200);
      assert.deepEqual(
        back.body.messages.map((m: Json) => m.seq),
        [2, 3],
      );
      assert.equal(back.body.hasMore, true);
      assert.equal(back.body.maxSeq, 3);
      const older = await api.get(
        `/api/v1/conversations/single/${alice.userId}/messages?fromSeq=1&limit=2`,
        bob.token,
      );
      assert.deepEqual(
        older.body.messages.map((m: Json) => m.seq),
        [1],
      );
      const fwd = await api.get(
        `/api/v1/conversations/single/${alice.userId}/messages?direction=forward&fromSeq=2`,
        bob.token,
      );
      assert.deepEqual(
        fwd.body.messages.map((m: Json) => m.seq),
        [2, 3],
      );
      assert.equal(fwd.body.hasMore, false);
      const stranger = await api.get(`/api/v1/conversations/single/${alice.userId}/messages`, carol.token);
      assert.equal(stranger.status, 404);
    });

    it('lists conversations and changes settings', async () => {
      const list = await api.get('/api/v1/conversations', bob.token);
      assert.equal(list.status, 200);
      assert.equal(list.body.conversations.length, 1);
      const entry = list.body.conversations[0];
      assert.deepEqual(entry.conversation, { type: 'single', target: alice.userId });
      assert.equal(entry.unread, 3);
      assert.equal(list.body.totalUnread, 3);
      const set = await api.patch(
        `/api/v1/conversations/single/${alice.userId}/settings`,
        { pinned: true, muted: true },
        bob.token,
      );
      assert.equal(set.status, 200);
      const after = await api.get('/api/v1/conversations', bob.token);
      assert.equal(after.body.conversations[0].pinned, true);
      assert.equal(after.body.totalUnread, 0);
      const unknownConv = await api.patch(
        `/api/v1/conversations/single/${carol.userId}/settings`,
        { hide: true },
        bob.token,
      );
      assert.equal(unknownConv.status, 404);
    });

    it('marks read and counts readers', async () => {
      const read = await api.post(`/api/v1/conversations/single/${alice.userId}/read`, { seq: 2 }, bob.token);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, { readSeq: 2, unread: 1 });
      const counts = await api.get(`/api/v1/conversations/single/${bob.userId}/read-counts?seqs=1,3`);
      assert.equal(counts.status, 200);
      assert.deepEqual(counts.body.counts, [
        { seq: 1, readers: 1 },
        { seq: 3, readers: 0 },
      ]);
    });

    it('edits and recalls', async () => {
      const edit = await api.patch(`/api/v1/conversations/single/${bob.userId}/messages/1`, {
        content: { contentType: ContentType.TEXT, text: 'hello, bob' },
      });
      assert.equal(edit.status, 200);
      assert.equal(edit.body.seq, 1);
      const notMine = await api.patch(
        `/api/v1/conversations/single/${alice.userId}/messages/1`,
        {
          content: { contentType: ContentType.TEXT, text: 'hijack' },
        },
        bob.token,
      );
      assert.equal(notMine.status, 403);
      const history = await api.get(
        `/api/v1/conversations/single/${alice.userId}/messages?direction=forward&fromSeq=1&limit=1`,
        bob.token,
      );
      assert.equal(history.body.messages[0].content.text, 'hello, bob');
      assert.equal(history.body.messages[0].edited, true);
      const recall = await api.post(`/api/v1/conversations/single/${bob.userId}/messages/2/recall`, {});
      assert.equal(recall.status, 200);
      const gone = await api.get(
        `/api/v1/conversations/single/${alice.userId}/messages?direction=forward&fromSeq=2&limit=1`,
        bob.token,
      );
      assert.equal(gone.body.messages[0].recalled, true);
      assert.equal(
        (await api.post(`/api/v1/conversations/single/${bob.userId}/messages/99/recall`, {})).status,
        404,
      );
    });

    it('searches messages', async () => {
      const found = await api.get('/api/v1/messages/search?q=bob', bob.token);
      assert.equal(found.status, 200);
      assert.ok(found.body.messages.some((m: Json) => m.content.text === 'hello, bob'));
      assert.equal((await api.get('/api/v1/messages/search?q=bob', carol.token)).body.messages.length, 0);
    });
  });

  describe('groups', () => {
    it('creates a group and reads its info', async () => {
      const created = await api.post('/api/v1/groups', { name: 'team', memberIds: [bob.userId] });
      assert.equal(created.status, 201);
      groupId = created.body.groupId;
      assert.equal(created.body.ownerId, alice.userId);
      assert.equal(created.body.memberCount, 2);
      const info = await api.get(`/api/v1/groups/${groupId}`, bob.token);
      assert.equal(info.status, 200);
      assert.equal(info.body.name, 'team');
      assert.equal((await api.get(`/api/v1/groups/${groupId}`, carol.token)).status, 404);
    });

    it('updates the profile (managers only)', async () => {
      const updated = await api.patch(`/api/v1/groups/${groupId}`, { notice: 'be nice' });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.notice, 'be nice');
      assert.equal((await api.patch(`/api/v1/groups/${groupId}`, { name: 'mine' }, bob.token)).status, 403);
    });

    it('adds, lists and removes members', async () => {
      const added = await api.post(`/api/v1/groups/${groupId}/members`, { userIds: [carol.userId] });
      assert.equal(added.status, 200);
      assert.deepEqual(added.body.added, [carol.userId]);
      const members = await api.get(`/api/v1/groups/${groupId}/members?limit=2`);
      assert.equal(members.status, 200);
      assert.equal(members.body.members.length, 2);
      assert.equal(members.body.hasMore, true);
      const removed = await api.delete(`/api/v1/groups/${groupId}/members/${carol.userId}`);
      assert.deepEqual(removed.body.removed, [carol.userId]);
    });

    it('sets roles, mutes, and muted members cannot send', async () => {
      assert.equal(
        (await api.put(`/api/v1/groups/${groupId}/members/${bob.userId}/role`, { role: 'admin' })).status,
        200,
      );
      const members = await api.get(`/api/v1/groups/${groupId}/members`);
      assert.equal(members.body.members.find((m: Json) => m.userId === bob.userId).role, 'admin');
      assert.equal(
        (await api.put(`/api/v1/groups/${groupId}/members/${bob.userId}/role`, { role: 'owner' })).status,
        400,
      );
      assert.equal(
        (await api.put(`/api/v1/groups/${groupId}/members/${bob.userId}/role`, { role: 'member' })).status,
        200,
      );
      const mute = await api.put(`/api/v1/groups/${groupId}/members/${bob.userId}/mute`, {
        mutedUntil: Date.now() + 60_000,
      });
      assert.equal(mute.status, 200);
      const muted = await api.post(
        `/api/v1/conversations/group/${groupId}/messages`,
        text('g-1', 'hi'),
        bob.token,
      );
      assert.equal(muted.status, 403);
      await api.put(`/api/v1/groups/${groupId}/members/${bob.userId}/mute`, { mutedUntil: 0 });
      const sent = await api.post(
        `/api/v1/conversations/group/${groupId}/messages`,
        text('g-1', 'hi'),
        bob.token,
      );
      assert.equal(sent.status, 200);
    });

    it('transfers, leaves and dismisses', async () => {
      const transferred = await api.post(`/api/v1/groups/${groupId}/transfer`, { userId: bob.userId });
      assert.equal(transferred.status, 200);
      assert.equal(transferred.body.ownerId, bob.userId);
      assert.equal((await api.post(`/api/v1/groups/${groupId}/leave`, {}, bob.token)).status, 403);
      assert.equal((await api.post(`/api/v1/groups/${groupId}/leave`)).status, 200);
      assert.equal((await api.get(`/api/v1/groups/${groupId}`)).status, 404);
      assert.equal((await api.delete(`/api/v1/groups/${groupId}`)).status, 404);
      assert.equal((await api.delete(`/api/v1/groups/${groupId}`, bob.token)).status, 200);
      const info = await api.get(`/api/v1/groups/${groupId}`, bob.token);
      assert.equal(info.body.dismissed, true);
    });
  });

  describe('chatrooms', () => {
    it('join, list, members, leave', async () => {
      const joined = await api.post('/api/v1/chatrooms/General/join');
      assert.equal(joined.status, 200);
      assert.equal(joined.body.chatroom.name, 'general');
      await api.post('/api/v1/chatrooms/general/join', {}, bob.token);
      const list = await api.get('/api/v1/chatrooms');
      assert.deepEqual(
        list.body.chatrooms.map((r: Json) => r.name),
        ['general'],
      );
      const members = await api.get('/api/v1/chatrooms/general/members');
      assert.equal(members.body.members.length, 2);
      const sent = await api.post('/api/v1/conversations/chatroom/general/messages', text('r-1', 'hi room'));
      assert.equal(sent.status, 200);
      assert.equal((await api.post('/api/v1/chatrooms/general/leave')).status, 200);
      assert.equal((await api.post('/api/v1/chatrooms/general/leave')).status, 404);
      assert.equal((await api.get('/api/v1/chatrooms/general/members')).status, 404);
      assert.equal((await api.post('/api/v1/chatrooms/..%2F/join')).status, 400);
    });
  });

  describe('admin', () => {
    it('bans: every session is kicked (BANNED), logins and old tokens are refused; unban lets the user back', async () => {
      const dan = await api.register('dan');
      const native = await NativeTestClient.connect(server.port);
      await native.login('dan', 'secret123', 'dan-pc');
      const sessions = async () =>
        (await api.get('/api/v1/admin/stats', carol.token)).body.node.sessions as number;
      const withDan = await sessions();
      const ban = `/api/v1/admin/users/${dan.userId}/ban`;
      assert.equal((await api.post(ban, {})).status, 403, 'alice is no admin');
      assert.equal(native.isClosed, false);
      const banned = await api.post(ban, {}, carol.token);
      assert.equal(banned.status, 200);
      assert.deepEqual(banned.body, {
        userId: dan.userId,
        username: 'dan',
        bannedUntil: 'permanent',
        mutedUntil: null,
      });

      await native.waitFor(() => native.isClosed, 5000, 'the banned session closed');
      const kick = native.notifications.find((f) => f.command === Command.KICK);
      assert.ok(kick, 'a KICK notice before the close');
      const notice = fromBinary(KickNoticeSchema, kick.body);
      assert.equal(notice.reason, KickReason.BANNED);
      assert.match(notice.text, /banned by an admin until further notice/);
      // The kicked session is gone from the registry, not only closed.
      const deadline = Date.now() + 5000;
      while ((await sessions()) !== withDan - 1 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(await sessions(), withDan - 1);

      const login = await api.post('/api/v1/auth/login', { username: 'dan', password: 'secret123' });
      assert.equal(login.status, 403);
      assert.equal(login.body.error.status, Status.FORBIDDEN);
      assert.match(login.body.error.message, /banned/);
      assert.equal((await api.get('/api/v1/me', dan.token)).status, 403, 'an old token opens nothing');
      const again = await NativeTestClient.connect(server.port);
      await assert.rejects(again.login('dan', 'secret123', 'dan-pc'), ForbiddenError);
      await again.close();

      const lifted = await api.delete(ban, carol.token);
      assert.equal(lifted.status, 200);
      assert.equal(lifted.body.bannedUntil, null);
      assert.equal(
        (await api.post('/api/v1/auth/login', { username: 'dan', password: 'secret123' })).status,
        200,
      );
      assert.equal((await api.get('/api/v1/me', dan.token)).status, 200);
    });

    it('a ban or mute ends at its time; a past time, a bad id or an unknown user is refused', async () => {
      const fay = await api.register('fay');
      const until = Date.now() + 1500;
      const banned = await api.post(`/api/v1/admin/users/${fay.userId}/ban`, { until }, carol.token);
      assert.equal(banned.body.bannedUntil, until);
      assert.equal((await api.get('/api/v1/me', fay.token)).status, 403);
      await new Promise((resolve) => setTimeout(resolve, until - Date.now() + 50));
      assert.equal((await api.get('/api/v1/me', fay.token)).status, 200, 'the ban ran out');
      const past = await api.post(
        `/api/v1/admin/users/${fay.userId}/mute`,
        { until: Date.now() - 1 },
        carol.token,
      );
      assert.equal(past.status, 400);
      assert.equal((await api.post('/api/v1/admin/users/123/ban', {}, carol.token)).status, 404);
      const self = await api.post(`/api/v1/admin/users/${carol.userId}/ban`, {}, carol.token);
      assert.equal(self.status, 403, 'an admin cannot lock admins out');
      assert.match(self.body.error.message, /PARLEY_ADMIN_USERS/);
      assert.equal((await api.post('/api/v1/admin/users/bob/ban', {}, carol.token)).status, 400);
      assert.equal(
        (await api.post(`/api/v1/admin/users/${fay.userId}/ban`, { until: 'soon' }, carol.token)).status,
        400,
      );
    });

    it('mutes: sends are refused (403) in every conversation until unmuted; reading still works', async () => {
      const gil = await api.register('gil');
      const mute = `/api/v1/admin/users/${gil.userId}/mute`;
      assert.equal((await api.post(mute, {})).status, 403, 'alice is no admin');
      const muted = await api.post(mute, { until: Date.now() + 600_000 }, carol.token);
      assert.equal(muted.status, 200);
      assert.equal(typeof muted.body.mutedUntil, 'number');
      const refused = await api.post(
        `/api/v1/conversations/single/${alice.userId}/messages`,
        text('gil-1', 'hi'),
        gil.token,
      );
      assert.equal(refused.status, 403);
      assert.match(refused.body.error.message, /muted by an admin/);
      assert.equal((await api.get('/api/v1/me', gil.token)).status, 200, 'a muted user is still logged in');
      const packet = await api.post(
        `/api/v1/conversations/single/${alice.userId}/red-packets`,
        { clientMsgId: 'gil-rp', total: 1, count: 1 },
        gil.token,
      );
      assert.equal(packet.status, 403, 'no red packet either');
      assert.equal((await api.delete(mute, carol.token)).status, 200);
      const sent = await api.post(
        `/api/v1/conversations/single/${alice.userId}/messages`,
        text('gil-2', 'hi'),
        gil.token,
      );
      assert.equal(sent.status, 200);
    });

    it('stats: totals and this node (admins only)', async () => {
      assert.equal((await api.get('/api/v1/admin/stats')).status, 403, 'alice is no admin');
      const native = await NativeTestClient.connect(server.port);
      await native.login('bob', 'secret123', 'bob-stats');
      const stats = await api.get('/api/v1/admin/stats', carol.token);
      assert.equal(stats.status, 200);
      assert.ok(stats.body.users >= 7, JSON.stringify(stats.body));
      assert.ok(stats.body.conversations.single >= 1);
      assert.ok(stats.body.conversations.group >= 1);
      assert.ok(stats.body.messages >= 1);
      assert.ok(stats.body.node.connections.native >= 1);
      assert.ok(stats.body.node.sessions >= 1);
      assert.equal(typeof stats.body.node.uptimeSeconds, 'number');
      assert.equal(stats.body.nodes.length, 1);
      await native.close();
    });
  });

  describe('wallet and red packets', () => {
    it('credits (admins only), sends, claims once, shows the packet and the ledger', async () => {
      const credit = `/api/v1/admin/wallets/${alice.userId}/credit`;
      assert.equal((await api.post(credit, { amount: 1000 })).status, 403, 'alice is no admin');
      const credited = await api.post(credit, { amount: 1000 }, carol.token);
      assert.equal(credited.status, 200);
      assert.equal(credited.body.balance, 1000);
      assert.equal((await api.post(credit, { amount: 0 }, carol.token)).status, 400);

      const sent = await api.post(`/api/v1/conversations/single/${bob.userId}/red-packets`, {
        clientMsgId: 'rp-1',
        total: 300,
        count: 5,
        mode: 'even',
        greeting: 'for you',
      });
      assert.equal(sent.status, 200);
      assert.equal(sent.body.message.content.contentType, ContentType.RED_PACKET);
      const packetId = sent.body.message.content.redPacket.packetId;
      assert.equal(sent.body.message.content.redPacket.count, 1, 'a direct packet has one share');
      const again = await api.post(`/api/v1/conversations/single/${bob.userId}/red-packets`, {
        clientMsgId: 'rp-1',
        total: 300,
        count: 1,
      });
      assert.equal(again.body.duplicate, true, 'a retry debits nothing');
      const tooMuch = await api.post(`/api/v1/conversations/single/${bob.userId}/red-packets`, {
        clientMsgId: 'rp-2',
        total: 5000,
        count: 1,
      });
      assert.equal(tooMuch.status, 409);
      assert.equal((await api.post(`/api/v1/red-packets/${packetId}/claim`)).status, 403, 'not my own');
      assert.equal((await api.post(`/api/v1/red-packets/${packetId}/claim`, {}, carol.token)).status, 404);
      const claimed = await api.post(`/api/v1/red-packets/${packetId}/claim`, {}, bob.token);
      assert.equal(claimed.status, 200);
      assert.equal(claimed.body.claimed, true);
      assert.equal(claimed.body.amount, 300);
      assert.equal(claimed.body.balance, 300);
      const twice = await api.post(`/api/v1/red-packets/${packetId}/claim`, {}, bob.token);
      assert.equal(twice.body.claimed, false);
      assert.equal(twice.body.amount, 300);
      const info = await api.get(`/api/v1/red-packets/${packetId}`);
      assert.equal(info.body.state, 'empty');
      assert.deepEqual(
        info.body.claims.map((c: Json) => [c.userId, c.amount]),
        [[bob.userId, 300]],
      );
      const wallet = await api.get('/api/v1/wallet?limit=10');
      assert.equal(wallet.body.balance, 700);
      assert.deepEqual(
        wallet.body.entries.map((e: Json) => [e.kind, e.delta]),
        [
          ['red_packet_send', -300],
          ['credit', 1000],
        ],
      );
      // Clients cannot forge a red packet message.
      const forged = await api.post(`/api/v1/conversations/single/${bob.userId}/messages`, {
        clientMsgId: 'forged',
        content: { contentType: ContentType.RED_PACKET, text: 'free money' },
      });
      assert.equal(forged.status, 400);
    });
  });

  describe('keys', () => {
    it('serves the server RSA key without a token, and publishes and serves end-to-end keys', async () => {
      const server = await api.get('/api/v1/keys/server', '');
      assert.equal(server.status, 200);
      assert.match(server.body.publicKey, /^-----BEGIN PUBLIC KEY-----/);
      assert.match(server.body.fingerprint, /^[0-9a-f]{64}$/);
      const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
        'deriveBits',
      ]);
      const raw = Buffer.from(await crypto.subtle.exportKey('raw', pair.publicKey));
      const put = await api.put('/api/v1/keys/me', {
        algorithm: 'ECDH-P256',
        publicKey: raw.toString('base64'),
      });
      assert.equal(put.status, 200);
      assert.equal(put.body.userId, alice.userId);
      assert.match(put.body.keyId, /^[0-9a-f]{16}$/);
      const read = await api.get(`/api/v1/keys/users/${alice.userId}`, bob.token);
      assert.equal(read.status, 200);
      assert.equal(read.body.publicKey, raw.toString('base64'));
      const byId = await api.get(`/api/v1/keys/users/${alice.userId}?keyId=${put.body.keyId}`, bob.token);
      assert.equal(byId.body.fingerprint, read.body.fingerprint);
      assert.equal((await api.get(`/api/v1/keys/users/${bob.userId}`, alice.token)).status, 404);
      assert.equal((await api.get(`/api/v1/keys/users/${alice.userId}`, '')).status, 401);
      const offCurve = Buffer.alloc(65, 1);
      offCurve[0] = 4;
      for (const publicKey of [offCurve.toString('base64'), 'AAAA', '***']) {
        const bad = await api.put('/api/v1/keys/me', { algorithm: 'ECDH-P256', publicKey });
        assert.equal(bad.status, 400, publicKey);
      }
    });
  });

  describe('errors, health and docs', () => {
    it('answers unknown routes with the error shape', async () => {
      const res = await api.get('/api/v1/nope');
      assert.equal(res.status, 404);
      assert.equal(res.body.error.status, Status.NOT_FOUND);
    });

    it('serves /healthz and /readyz', async () => {
      assert.equal((await api.get('/healthz', '')).status, 200);
      const ready = await api.get('/readyz', '');
      assert.equal(ready.status, 200);
      assert.equal(ready.body, 'ready\n');
    });

    it('hands out the configured ICE servers for calls', async () => {
      const res = await api.get('/api/v1/calls/ice-servers');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { iceServers: [{ urls: 'stun:stun.example.org:3478' }] });
      assert.equal((await api.get('/api/v1/calls/ice-servers', '')).status, 401);
    });

    it('names this node at GET /api/v1/gateway (the embedded mode is a cluster of one)', async () => {
      const res = await api.get('/api/v1/gateway', '');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.tcp, { host: '127.0.0.1', port: server.port });
      assert.equal(res.body.ws, `ws://127.0.0.1:${server.httpPort}/ws`);
      assert.equal(res.body.http, `http://127.0.0.1:${server.httpPort}`);
      assert.equal(typeof res.body.load, 'number');
      const excluded = await api.get(`/api/v1/gateway?exclude=${res.body.instanceId}`, '');
      assert.equal(excluded.status, 503);
      assert.equal(excluded.body.error.status, Status.SHUTTING_DOWN);
      assert.equal((await api.get(`/api/v1/gateway?bogus=1`, '')).status, 400);
    });

    it('serves Prometheus metrics', async () => {
      // A native and an IMP connection, so the per-dialect series have something to count.
      const native = await NativeTestClient.connect(server.port);
      await native.login('alice', 'secret123', 'metrics-probe');
      await native.sendText(BigInt(bob.userId), 'metrics', 'metrics-1');
      const imp = await NativeTestClient.connect(server.port);
      imp.writeRaw(new TextEncoder().encode('PING x\r\n'));
      await new Promise((r) => setTimeout(r, 100));
      const res = await api.get('/metrics', '');
      assert.match(res.body, /^parley_dialect_connections\{dialect="native"\} [1-9]\d*$/m);
      assert.match(res.body, /^parley_dialect_connections\{dialect="imp"\} [1-9]\d*$/m);
      assert.match(res.body, /^parley_request_duration_seconds_count\{dialect="native"\} [1-9]\d*$/m);
      assert.match(res.body, /^parley_pushes_out_total\{dialect="native"\} \d+$/m);
      native.destroy();
      imp.destroy();
      assert.equal(res.status, 200);
      assert.match(res.body, /^parley_messages_in_total \d+$/m);
      assert.match(res.body, /^parley_connections \d+$/m);
      assert.match(res.body, /^parley_nodejs_heap_space_physical_bytes\{space="new"\} [1-9]\d*$/m);
      assert.match(res.body, /^parley_nodejs_heap_space_physical_bytes\{space="old"\} [1-9]\d*$/m);
      assert.match(res.body, /parley_http_request_duration_seconds_count\{/);
      assert.match(res.body, /parley_http_errors_total\{status="NOT_FOUND"\}/);
    });

    it('serves a valid OpenAPI document listing every route, and every route was exercised', async () => {
      const res = await api.get('/api/docs/json', '');
      assert.equal(res.status, 200);
      assert.equal((await api.get('/api/docs', '')).status, 200);
      const doc = res.body;
      await SwaggerParser.validate(structuredClone(doc));
      const documented = new Set<string>();
      for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
        for (const method of Object.keys(ops))
          documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
      }
      for (const route of [
        'POST /api/v1/auth/register',
        'POST /api/v1/auth/login',
        'POST /api/v1/media',
        'GET /api/v1/media/:mediaId',
      ]) {
        assert.ok(documented.has(route), route);
      }
      // Every documented route was called by this file (media routes by media.test.ts).
      const metrics = String((await api.get('/metrics', '')).body);
      const called = new Set(
        [
          ...metrics.matchAll(/parley_http_request_duration_seconds_count\{method="(\w+)",route="([^"]+)"/g),
        ].map((m) => `${m[1]} ${m[2]}`),
      );
      const missing = [...documented].filter((r) => !called.has(r) && !r.includes('/media'));
      assert.deepEqual(missing, []);
    });
  });
});
