import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BadRequestError, ConflictError, ConversationType, NotFoundError } from '@parley/protocol';
import {
  ContactState,
  MemberRole,
  type ConversationId,
  type ConversationRecord,
  type NewMember,
  type NewMessage,
  type Store,
  type StoredMessage,
  type UserId,
  type UserRecord,
} from '@parley/server';

/** A fresh database for one run of the contract suite. */
export interface StoreFixture {
  /** A store on a fresh, not yet migrated database. */
  readonly store: Store;
  /** Opens one more store on the same database through its own connection(s), not migrated. */
  openAnother(): Promise<Store>;
  /** Removes the database. Runs after the suite has closed every store it was given. */
  cleanup(): Promise<void>;
}

/**
 * The Store port's contract (core/store.ts), registered as node:test suites. Every Store
 * implementation runs it: `storeContract('SqliteStore', async () => ({ store, openAnother, cleanup }))`.
 * Tests share one database and stay independent by using fresh ids and names.
 */
export function storeContract(name: string, open: () => Promise<StoreFixture>): void {
  void describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture | undefined;
    const others: Store[] = [];
    const db = (): Store => {
      assert.ok(fixture, 'store fixture failed to open');
      return fixture.store;
    };
    const another = async (): Promise<Store> => {
      assert.ok(fixture, 'store fixture failed to open');
      const store = await fixture.openAnother();
      others.push(store);
      return store;
    };

    before(async () => {
      fixture = await open();
      // Two migrators racing on a fresh database must both succeed.
      const second = await another();
      await Promise.all([fixture.store.migrate(), second.migrate()]);
    });

    after(async () => {
      if (fixture === undefined) return;
      const stores = [fixture.store, ...others];
      await Promise.all(stores.map((s) => s.close()));
      await fixture.cleanup();
    });

    void describe('migrations', () => {
      void it('migrate() again is harmless and keeps the data', async () => {
        const user = await db().createUser(newUser());
        await db().migrate();
        await db().migrate();
        assert.deepEqual(await db().getUserById(user.id), user);
      });
    });

    void describe('users', () => {
      void it('creates a user and reads it back by id and by username', async () => {
        const input = newUser();
        const created = await db().createUser(input);
        assert.deepEqual(created, { ...input, avatarUrl: '', lastSeenAt: 0, bannedUntil: 0, mutedUntil: 0 });
        assert.deepEqual(await db().getUserById(input.id), created);
        assert.deepEqual(await db().getUserByUsername(input.username), created);
      });

      void it('finds usernames case-insensitively and keeps the original spelling', async () => {
        const input = newUser({ username: `MiXeD_${unique()}` });
        await db().createUser(input);
        const found = await db().getUserByUsername(input.username.toUpperCase());
        assert.equal(found?.id, input.id);
        assert.equal(found.username, input.username);
        assert.equal((await db().getUserByUsername(input.username.toLowerCase()))?.id, input.id);
      });

      void it('answers undefined for unknown users', async () => {
        assert.equal(await db().getUserById(nextId()), undefined);
        assert.equal(await db().getUserByUsername(`nobody_${unique()}`), undefined);
      });

      void it('rejects a taken username, whatever its case, with ConflictError', async () => {
        const first = newUser({ username: `taken_${unique()}` });
        await db().createUser(first);
        await assert.rejects(db().createUser(newUser({ username: first.username })), ConflictError);
        await assert.rejects(
          db().createUser(newUser({ username: first.username.toUpperCase() })),
          ConflictError,
        );
      });

      void it('lets exactly one of two racing registrations of a name win', async () => {
        const other = await another();
        const username = `race_${unique()}`;
        const results = await Promise.allSettled([
          db().createUser(newUser({ username })),
          other.createUser(newUser({ username: username.toUpperCase() })),
        ]);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        const rejected = results.filter((r) => r.status === 'rejected');
        assert.equal(rejected.length, 1);
        assert.ok(rejected[0]?.reason instanceof ConflictError, String(rejected[0]?.reason));
      });

      void it('round-trips 64-bit ids above 2^53 exactly', async () => {
        const big = newUser({ id: 2n ** 63n - 1n });
        const odd = newUser({ id: 2n ** 53n + 1n });
        await db().createUser(big);
        await db().createUser(odd);
        assert.equal((await db().getUserById(big.id))?.id, big.id);
        assert.equal((await db().getUserById(odd.id))?.id, odd.id);
        assert.equal(await db().getUserById(2n ** 53n), undefined);
      });
    });

    void describe('admin restrictions and totals', () => {
      void it('restrictUser sets the given ban and mute times only; NotFoundError for an unknown user', async () => {
        const user = await db().createUser(newUser());
        const banned = await db().restrictUser(user.id, { bannedUntil: 2_000_000_000_000 });
        assert.deepEqual([banned.bannedUntil, banned.mutedUntil], [2_000_000_000_000, 0]);
        const muted = await db().restrictUser(user.id, { mutedUntil: 8_640_000_000_000_000 });
        assert.deepEqual([muted.bannedUntil, muted.mutedUntil], [2_000_000_000_000, 8_640_000_000_000_000]);
        assert.deepEqual(await db().getUserById(user.id), muted);
        assert.deepEqual(await db().getUserByUsername(user.username), muted);
        const lifted = await db().restrictUser(user.id, { bannedUntil: 0 });
        assert.deepEqual([lifted.bannedUntil, lifted.mutedUntil], [0, 8_640_000_000_000_000]);
        assert.equal(lifted.displayName, user.displayName);
        await assert.rejects(db().restrictUser(nextId(), { mutedUntil: 1 }), NotFoundError);
        await assert.rejects(db().restrictUser(user.id, { bannedUntil: -1 }), BadRequestError);
      });

      void it('totals count users, conversations by type and messages', async () => {
        const before = await db().totals();
        const sender = (await db().createUser(newUser())).id;
        const id = conversationId();
        await db().createConversation(group(id, [sender]));
        for (let i = 0; i < 3; i++) await db().appendMessage(newMessage(id, sender));
        const after = await db().totals();
        assert.equal(after.users - before.users, 1);
        assert.equal(after.conversations.group - before.conversations.group, 1);
        assert.equal(after.conversations.single, before.conversations.single);
        assert.equal(after.conversations.chatroom, before.conversations.chatroom);
        assert.equal(after.messages - before.messages, 3);
      });
    });

    void describe('tokens', () => {
      void it('creates, reads and revokes a token; a second revoke keeps the first time', async () => {
        const token = {
          tokenHash: `hash_${unique()}`,
          userId: 2n ** 60n + nextId(),
          deviceId: 'device-1',
          platform: 2,
          createdAt: 1_700_000_000_000,
          expiresAt: 1_700_086_400_000,
          revokedAt: null,
        };
        await db().createToken(token);
        assert.deepEqual(await db().getToken(token.tokenHash), token);
        await db().revokeToken(token.tokenHash, 1_700_000_000_500);
        await db().revokeToken(token.tokenHash, 1_700_000_009_999);
        assert.deepEqual(await db().getToken(token.tokenHash), { ...token, revokedAt: 1_700_000_000_500 });
      });

      void it('answers undefined for an unknown token and ignores revoking it', async () => {
        const hash = `missing_${unique()}`;
        await db().revokeToken(hash, 1);
        assert.equal(await db().getToken(hash), undefined);
      });
    });

    void describe('conversations', () => {
      void it('creates a conversation with its members, idempotently', async () => {
        const [a, b] = [nextId(), nextId()];
        const id = conversationId();
        const conversation = {
          id,
          type: ConversationType.GROUP,
          createdAt: 1_700_000_000_000,
          members: members([a, b]),
        };
        await db().ensureConversation(conversation);
        await db().ensureConversation(conversation);
        await db().ensureConversation({ ...conversation, members: members([b]) });
        assert.deepEqual(await db().getConversation(id), {
          id,
          type: ConversationType.GROUP,
          maxSeq: 0,
          createdAt: 1_700_000_000_000,
          ...DEFAULT_PROFILE,
          memberCount: 2,
        });
        assert.deepEqual(sorted(await db().getMemberIds(id)), sorted([a, b]));
        assert.deepEqual(await db().getConversationState(a, id), {
          conversationId: id,
          type: ConversationType.GROUP,
          maxSeq: 0,
          readSeq: 0,
          joinSeq: 1,
          role: MemberRole.MEMBER,
          mutedUntil: 0,
          ...MEMBERSHIP_DEFAULTS,
        });
      });

      void it('answers undefined / empty for unknown conversations and non-members', async () => {
        const id = conversationId();
        assert.equal(await db().getConversation(id), undefined);
        assert.deepEqual(await db().getMemberIds(id), []);
        const member = nextId();
        await db().ensureConversation(group(id, [member]));
        assert.equal(await db().getConversationState(nextId(), id), undefined);
      });

      void it('gives a member added later joinSeq = maxSeq + 1 and readSeq = maxSeq', async () => {
        const [a, b, late] = [nextId(), nextId(), nextId()];
        const id = conversationId();
        await db().ensureConversation(group(id, [a, b]));
        for (let i = 0; i < 3; i++) await db().appendMessage(newMessage(id, a));
        await db().ensureConversation(group(id, [a, b, late]));
        assert.deepEqual(await db().getConversationState(late, id), {
          conversationId: id,
          type: ConversationType.GROUP,
          maxSeq: 3,
          readSeq: 3,
          joinSeq: 4,
          role: MemberRole.MEMBER,
          mutedUntil: 0,
          ...MEMBERSHIP_DEFAULTS,
        });
        const kept = await db().getConversationState(b, id);
        assert.equal(kept?.joinSeq, 1);
        assert.equal(kept.readSeq, 0);
      });

      void it('lists every conversation of a user with its state', async () => {
        const [me, peer] = [nextId(), nextId()];
        const [first, second] = [conversationId(), conversationId()];
        await db().ensureConversation(group(first, [me, peer]));
        await db().ensureConversation({
          id: second,
          type: ConversationType.CHATROOM,
          createdAt: 5,
          members: members([me]),
        });
        await db().appendMessage(newMessage(first, peer));
        await db().appendMessage(newMessage(first, peer));
        const states = await db().listConversationStates(me);
        const byId = new Map(states.map((s) => [s.conversationId, s]));
        assert.equal(states.length, 2);
        assert.deepEqual(byId.get(first), {
          conversationId: first,
          type: ConversationType.GROUP,
          maxSeq: 2,
          readSeq: 0,
          joinSeq: 1,
          role: MemberRole.MEMBER,
          mutedUntil: 0,
          ...MEMBERSHIP_DEFAULTS,
        });
        assert.deepEqual(byId.get(second), {
          conversationId: second,
          type: ConversationType.CHATROOM,
          maxSeq: 0,
          readSeq: 0,
          joinSeq: 1,
          role: MemberRole.MEMBER,
          mutedUntil: 0,
          ...MEMBERSHIP_DEFAULTS,
        });
        assert.deepEqual(await db().listConversationStates(nextId()), []);
      });
    });

    void describe('group profiles', () => {
      void it('ensureConversation stores the profile and the roles on creation only', async () => {
        const [owner, member] = [nextId(), nextId()];
        const id = conversationId();
        const profile = { name: 'Team', avatarUrl: 'https://x/a.png', notice: 'hi', ownerId: owner };
        await db().ensureConversation({
          id,
          type: ConversationType.GROUP,
          createdAt: 7,
          members: [
            { userId: owner, role: MemberRole.OWNER },
            { userId: member, role: MemberRole.MEMBER },
          ],
          profile,
        });
        // A later ensure neither rewrites the profile nor the existing members' roles.
        await db().ensureConversation({
          id,
          type: ConversationType.GROUP,
          createdAt: 8,
          members: [{ userId: member, role: MemberRole.ADMIN }],
          profile: { name: 'Other' },
        });
        assert.deepEqual(await db().getConversation(id), {
          id,
          type: ConversationType.GROUP,
          maxSeq: 0,
          createdAt: 7,
          ...DEFAULT_PROFILE,
          ...profile,
          memberCount: 2,
        });
        assert.equal((await db().getConversationState(owner, id))?.role, MemberRole.OWNER);
        assert.equal((await db().getConversationState(member, id))?.role, MemberRole.MEMBER);
      });

      void it('createConversation returns the record with its members, and conflicts on an existing id', async () => {
        const [owner, admin, member] = [nextId(), nextId(), nextId()];
        const id = conversationId();
        const created = await db().createConversation({
          id,
          type: ConversationType.GROUP,
          createdAt: 9,
          members: [
            { userId: owner, role: MemberRole.OWNER },
            { userId: admin, role: MemberRole.ADMIN },
            { userId: member, role: MemberRole.MEMBER },
            { userId: member, role: MemberRole.ADMIN },
          ],
          profile: { name: 'G', ownerId: owner, muteAll: true },
        });
        const expected: ConversationRecord = {
          id,
          type: ConversationType.GROUP,
          maxSeq: 0,
          createdAt: 9,
          ...DEFAULT_PROFILE,
          name: 'G',
          ownerId: owner,
          muteAll: true,
          memberCount: 3,
        };
        assert.deepEqual(created, expected);
        assert.deepEqual(await db().getConversation(id), expected);
        assert.deepEqual(
          await db().listMembers(id, 0n, 10),
          sortedBy(
            [
              { userId: owner, role: MemberRole.OWNER, joinSeq: 1, readSeq: 0, mutedUntil: 0 },
              { userId: admin, role: MemberRole.ADMIN, joinSeq: 1, readSeq: 0, mutedUntil: 0 },
              { userId: member, role: MemberRole.MEMBER, joinSeq: 1, readSeq: 0, mutedUntil: 0 },
            ],
            (m) => m.userId,
          ),
        );
        const intruder = nextId();
        for (const type of [ConversationType.GROUP, ConversationType.CHATROOM]) {
          await assert.rejects(
            db().createConversation({ id, type, createdAt: 10, members: members([intruder]) }),
            ConflictError,
          );
        }
        // The failed creates changed nothing.
        assert.deepEqual(await db().getConversation(id), expected);
        assert.equal(await db().getConversationState(intruder, id), undefined);
      });

      void it('lets exactly one of two racing createConversation calls win', async () => {
        const other = await another();
        const id = conversationId();
        const results = await Promise.allSettled([
          db().createConversation(group(id, [nextId()])),
          other.createConversation(group(id, [nextId(), nextId()])),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1);
        const rejected = results.filter((r) => r.status === 'rejected');
        assert.ok(rejected[0]?.reason instanceof ConflictError, String(rejected[0]?.reason));
        assert.equal((await db().getConversation(id))?.memberCount, won[0]?.value.memberCount);
      });

      void it('updateConversation patches only the given fields; NotFoundError on a missing id', async () => {
        const owner = nextId();
        const id = conversationId();
        const base = await db().createConversation({
          ...group(id, [owner]),
          profile: { name: 'before', avatarUrl: 'a', notice: 'n', ownerId: owner },
        });
        const renamed = await db().updateConversation(id, { name: 'after' });
        assert.deepEqual(renamed, { ...base, name: 'after' });
        const switched = await db().updateConversation(id, { dismissed: true, muteAll: true, notice: '' });
        assert.deepEqual(switched, { ...base, name: 'after', dismissed: true, muteAll: true, notice: '' });
        const successor = 2n ** 63n - nextId();
        assert.equal((await db().updateConversation(id, { ownerId: successor })).ownerId, successor);
        const ownerless = await db().updateConversation(id, { ownerId: null, muteAll: false });
        assert.deepEqual(ownerless, {
          ...base,
          name: 'after',
          dismissed: true,
          muteAll: false,
          notice: '',
          ownerId: null,
        });
        assert.deepEqual(await db().updateConversation(id, {}), ownerless);
        assert.deepEqual(await db().getConversation(id), ownerless);
        await assert.rejects(db().updateConversation(conversationId(), { name: 'x' }), NotFoundError);
      });

      void it('listConversations pages by id within one type', async () => {
        const prefix = `r:list_${unique()}_`;
        const rooms = ['a', 'b', 'c', 'd', 'e'].map((s) => `${prefix}${s}`);
        for (const id of rooms) {
          await db().ensureConversation({ id, type: ConversationType.CHATROOM, createdAt: 1, members: [] });
        }
        // Same prefix, another type: never listed with the chatrooms.
        await db().ensureConversation({ ...group(`${prefix}bb`, []), members: [] });
        const page = async (after: string, limit: number) =>
          (await db().listConversations(ConversationType.CHATROOM, after, limit)).map((c) => c.id);
        assert.deepEqual(await page(prefix, 2), rooms.slice(0, 2));
        assert.deepEqual(await page(rooms[1] ?? '', 2), rooms.slice(2, 4));
        assert.deepEqual((await page(rooms[3] ?? '', 2))[0], rooms[4]);
        assert.deepEqual(await page(prefix, 0), []);
        const groups = await db().listConversations(ConversationType.GROUP, prefix, 1);
        assert.equal(groups[0]?.id, `${prefix}bb`);
        assert.equal(groups[0].type, ConversationType.GROUP);

        // Walking every chatroom from '' meets each once, in ascending order, ours included.
        const seen: string[] = [];
        let after = '';
        for (;;) {
          const batch = await db().listConversations(ConversationType.CHATROOM, after, 7);
          assert.ok(batch.every((c) => c.type === ConversationType.CHATROOM));
          seen.push(...batch.map((c) => c.id));
          const last = batch.at(-1);
          if (last === undefined) break;
          after = last.id;
        }
        assert.deepEqual(seen, [...seen].sort(byteOrder));
        assert.equal(new Set(seen).size, seen.length);
        for (const id of rooms) assert.ok(seen.includes(id), id);
        await assert.rejects(db().listConversations(ConversationType.GROUP, '', -1), BadRequestError);
      });
    });

    void describe('members', () => {
      void it('keeps memberCount exact through adds, removes and duplicates', async () => {
        const [a, b, c, d, stranger] = [nextId(), nextId(), nextId(), nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a, b]));
        const added = await db().addMembers(id, members([b, c, c, d]));
        assert.deepEqual(sorted(added), sorted([c, d]));
        assert.equal((await db().getConversation(id))?.memberCount, 4);
        assert.deepEqual(await db().addMembers(id, members([a, b, c, d])), []);
        assert.deepEqual(await db().addMembers(id, []), []);
        assert.equal((await db().getConversation(id))?.memberCount, 4);

        const removed = await db().removeMembers(id, [a, stranger, a]);
        assert.deepEqual(removed, [a]);
        assert.deepEqual(await db().removeMembers(id, [a]), []);
        assert.deepEqual(await db().removeMembers(id, []), []);
        assert.equal((await db().getConversation(id))?.memberCount, 3);
        assert.deepEqual(sorted(await db().getMemberIds(id)), sorted([b, c, d]));
        assert.equal(await db().getConversationState(a, id), undefined);
        assert.ok((await db().listConversationStates(a)).every((s) => s.conversationId !== id));

        // A removed member may come back, at the current head.
        await db().appendMessage(newMessage(id, b));
        assert.deepEqual(await db().addMembers(id, members([a], MemberRole.ADMIN)), [a]);
        const back = await db().getConversationState(a, id);
        assert.deepEqual([back?.joinSeq, back?.readSeq, back?.role], [2, 1, MemberRole.ADMIN]);
        assert.equal((await db().getConversation(id))?.memberCount, 4);
      });

      void it('adds later members at the head: joinSeq = maxSeq + 1, readSeq = maxSeq, not a reader of older seqs', async () => {
        const [a, b, late] = [nextId(), nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a, b]));
        for (let i = 0; i < 3; i++) await db().appendMessage(newMessage(id, a));
        await db().markRead(b, id, 3);
        assert.deepEqual(await db().addMembers(id, members([late])), [late]);
        const state = await db().getConversationState(late, id);
        assert.deepEqual(state, {
          conversationId: id,
          type: ConversationType.GROUP,
          maxSeq: 3,
          readSeq: 3,
          joinSeq: 4,
          role: MemberRole.MEMBER,
          mutedUntil: 0,
          ...MEMBERSHIP_DEFAULTS,
        });
        assert.equal(await db().countReaders(id, 3, a), 1);
        assert.equal(await db().countReaders(id, 1, a), 1);
        await db().appendMessage(newMessage(id, a));
        await db().markRead(late, id, 4);
        assert.equal(await db().countReaders(id, 4, a), 1);
      });

      void it('rejects adding members to a missing conversation and bad roles', async () => {
        await assert.rejects(db().addMembers(conversationId(), members([nextId()])), NotFoundError);
        const id = conversationId();
        await db().createConversation(group(id, []));
        const bad = [{ userId: nextId(), role: 7 as MemberRole }];
        await assert.rejects(db().addMembers(id, bad), BadRequestError);
        assert.equal((await db().getConversation(id))?.memberCount, 0);
        assert.deepEqual(await db().removeMembers(conversationId(), [nextId()]), []);
      });

      void it('adds 10,000 members in one call', async (t) => {
        const id = conversationId();
        const first = nextId();
        await db().createConversation(group(id, [first]));
        await db().appendMessage(newMessage(id, first));
        const many = Array.from({ length: 10_000 }, () => nextId());
        const started = performance.now();
        const added = await db().addMembers(id, members(many));
        const elapsed = performance.now() - started;
        t.diagnostic(`addMembers(10,000) took ${elapsed.toFixed(0)} ms`);
        assert.equal(added.length, 10_000);
        assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
        assert.equal((await db().getConversation(id))?.memberCount, 10_001);
        const state = await db().getConversationState(many[9_999] ?? 0n, id);
        assert.deepEqual([state?.joinSeq, state?.readSeq], [2, 1]);
        let count = 0;
        let after = 0n;
        for (;;) {
          const page = await db().listMembers(id, after, 3_000);
          const last = page.at(-1);
          if (last === undefined) break;
          count += page.length;
          after = last.userId;
        }
        assert.equal(count, 10_001);
        const removed = await db().removeMembers(id, many.slice(0, 5_000));
        assert.equal(removed.length, 5_000);
        assert.equal((await db().getConversation(id))?.memberCount, 5_001);
      });

      void it('never double-counts when two stores add overlapping members at once', async () => {
        const [one, two] = await Promise.all([another(), another()]);
        const id = conversationId();
        await db().createConversation(group(id, []));
        await Promise.all([one.getConversation(id), two.getConversation(id)]);
        const ids = Array.from({ length: 900 }, () => nextId());
        const [x, y] = await Promise.all([
          one.addMembers(id, members(ids.slice(0, 600))),
          two.addMembers(id, members(ids.slice(300))),
          db().appendMessage(newMessage(id, nextId())),
        ]);
        const all = [...x, ...y];
        assert.equal(all.length, 900);
        assert.deepEqual(sorted(all), sorted(ids));
        assert.equal((await db().getConversation(id))?.memberCount, 900);
        assert.equal((await db().getMemberIds(id)).length, 900);
        // Each member joined at the head as it was when its add committed, never mid-append.
        const listed = await db().listMembers(id, 0n, 1000);
        assert.ok(listed.every((m) => m.readSeq === m.joinSeq - 1 && m.joinSeq <= 2));
        // Concurrent removes of overlapping sets: each membership is removed exactly once.
        const [r1, r2] = await Promise.all([
          one.removeMembers(id, ids.slice(0, 500)),
          two.removeMembers(id, ids.slice(250, 750)),
        ]);
        assert.equal(r1.length + r2.length, 750);
        assert.equal((await db().getConversation(id))?.memberCount, 150);
      });

      void it('updateMember patches role and mutedUntil; NotFoundError for a non-member', async () => {
        const [a, b] = [nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a, b]));
        await db().updateMember(id, a, { role: MemberRole.ADMIN });
        await db().updateMember(id, a, { mutedUntil: 1_800_000_000_000 });
        const state = await db().getConversationState(a, id);
        assert.deepEqual([state?.role, state?.mutedUntil], [MemberRole.ADMIN, 1_800_000_000_000]);
        await db().updateMember(id, a, { role: MemberRole.MEMBER, mutedUntil: 0 });
        await db().updateMember(id, a, {});
        const [member] = await db().listMembers(id, 0n, 1);
        assert.equal(member?.userId, a < b ? a : b);
        const again = await db().getConversationState(a, id);
        assert.deepEqual([again?.role, again?.mutedUntil], [MemberRole.MEMBER, 0]);
        assert.equal((await db().getConversationState(b, id))?.role, MemberRole.MEMBER);
        await assert.rejects(db().updateMember(id, nextId(), { role: MemberRole.ADMIN }), NotFoundError);
        await assert.rejects(db().updateMember(conversationId(), a, { mutedUntil: 1 }), NotFoundError);
        await assert.rejects(db().updateMember(id, a, { role: 9 as MemberRole }), BadRequestError);
      });

      void it('listMembers pages by user id after afterUserId', async () => {
        const id = conversationId();
        const ids = sorted(Array.from({ length: 5 }, () => nextId()));
        await db().createConversation({
          ...group(id, []),
          members: ids.map((userId, i) => ({ userId, role: i === 0 ? MemberRole.OWNER : MemberRole.MEMBER })),
        });
        const page1 = await db().listMembers(id, 0n, 2);
        assert.deepEqual(page1, [
          { userId: ids[0], role: MemberRole.OWNER, joinSeq: 1, readSeq: 0, mutedUntil: 0 },
          { userId: ids[1], role: MemberRole.MEMBER, joinSeq: 1, readSeq: 0, mutedUntil: 0 },
        ]);
        const page2 = await db().listMembers(id, page1[1]?.userId ?? 0n, 2);
        assert.deepEqual(
          page2.map((m) => m.userId),
          ids.slice(2, 4),
        );
        const page3 = await db().listMembers(id, page2[1]?.userId ?? 0n, 2);
        assert.deepEqual(
          page3.map((m) => m.userId),
          ids.slice(4),
        );
        assert.deepEqual(await db().listMembers(id, ids[4] ?? 0n, 2), []);
        assert.deepEqual(await db().listMembers(id, 0n, 0), []);
        assert.deepEqual(await db().listMembers(conversationId(), 0n, 10), []);
        await assert.rejects(db().listMembers(id, 0n, -1), BadRequestError);
      });

      void it('existingUserIds answers the registered ids only', async () => {
        const [u1, u2] = [newUser(), newUser({ id: 2n ** 63n - nextId() })];
        await db().createUser(u1);
        await db().createUser(u2);
        const found = await db().existingUserIds([u1.id, nextId(), u2.id, u1.id]);
        assert.deepEqual(sorted(found), sorted([u1.id, u2.id]));
        assert.deepEqual(await db().existingUserIds([]), []);
      });
    });

    void describe('read receipts', () => {
      void it('markRead never moves back and clamps at maxSeq; NotFoundError for a non-member', async () => {
        const [a, b] = [nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a, b]));
        for (let i = 0; i < 5; i++) await db().appendMessage(newMessage(id, a));
        assert.equal(await db().markRead(b, id, 3), 3);
        assert.equal(await db().markRead(b, id, 2), 3);
        assert.equal(await db().markRead(b, id, 0), 3);
        assert.equal((await db().getConversationState(b, id))?.readSeq, 3);
        assert.equal(await db().markRead(b, id, 99), 5);
        assert.equal((await db().getConversationState(b, id))?.readSeq, 5);
        await db().appendMessage(newMessage(id, a));
        assert.equal(await db().markRead(b, id, 6), 6);
        await assert.rejects(db().markRead(nextId(), id, 1), NotFoundError);
        await assert.rejects(db().markRead(b, conversationId(), 1), NotFoundError);
        await assert.rejects(db().markRead(b, id, -1), BadRequestError);
      });

      void it('countReaders counts members at or past seq, except the given user', async () => {
        const [a, b, c] = [nextId(), nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a, b, c]));
        for (let i = 0; i < 3; i++) await db().appendMessage(newMessage(id, a));
        await db().markRead(b, id, 2);
        assert.equal(await db().countReaders(id, 2, a), 1);
        assert.equal(await db().countReaders(id, 2, b), 1);
        assert.equal(await db().countReaders(id, 2, nextId()), 2);
        assert.equal(await db().countReaders(id, 3, a), 0);
        assert.equal(await db().countReaders(id, 1, c), 2);
        await db().markRead(c, id, 3);
        assert.equal(await db().countReaders(id, 3, a), 1);
        assert.equal(await db().countReaders(conversationId(), 1, a), 0);
      });

      void it('sendersBetween answers the distinct senders of a seq range', async () => {
        const [a, b, c] = [nextId(), nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a, b, c]));
        for (const sender of [a, b, a, c, b, a]) await db().appendMessage(newMessage(id, sender));
        assert.deepEqual(sorted(await db().sendersBetween(id, 1, 6)), sorted([a, b, c]));
        assert.deepEqual(sorted(await db().sendersBetween(id, 1, 3)), sorted([a, b]));
        assert.deepEqual(await db().sendersBetween(id, 4, 4), [c]);
        assert.deepEqual(await db().sendersBetween(id, 6, 100), [a]);
        assert.deepEqual(await db().sendersBetween(id, 7, 9), []);
        assert.deepEqual(await db().sendersBetween(id, 3, 2), []);
      });
    });

    void describe('getMessage / updateMessage', () => {
      void it('reads one message and rewrites it in place', async () => {
        const sender = nextId();
        const id = conversationId();
        await db().createConversation(group(id, [sender]));
        await db().appendMessage(newMessage(id, sender));
        const { message } = await db().appendMessage(newMessage(id, sender));
        assert.deepEqual(comparable((await db().getMessage(id, 2)) ?? fail()), comparable(message));
        assert.equal(await db().getMessage(id, 3), undefined);
        assert.equal(await db().getMessage(conversationId(), 1), undefined);

        const patch = { flags: 1, contentType: 9, content: Uint8Array.of(0, 255, 7), searchText: '' };
        const updated = await db().updateMessage(id, 2, patch);
        const expected = comparable({ ...message, ...patch });
        assert.deepEqual(comparable(updated), expected);
        assert.deepEqual(comparable((await db().getMessage(id, 2)) ?? fail()), expected);
        // The other message and the dedup key are untouched.
        assert.equal((await db().getMessage(id, 1))?.flags, 0);
        const retry = await db().appendMessage(newMessage(id, sender, { clientMsgId: message.clientMsgId }));
        assert.equal(retry.duplicate, true);
        assert.deepEqual(comparable(retry.message), expected);

        await assert.rejects(db().updateMessage(id, 3, patch), NotFoundError);
        await assert.rejects(db().updateMessage(conversationId(), 1, patch), NotFoundError);
      });
    });

    void describe('appendMessage', () => {
      void it('assigns seqs 1, 2, 3 and stores the message as given', async () => {
        const sender = nextId();
        const id = conversationId();
        await db().ensureConversation(group(id, [sender]));
        const results = [];
        for (let i = 0; i < 3; i++) results.push(await db().appendMessage(newMessage(id, sender)));
        assert.deepEqual(
          results.map((r) => [r.message.seq, r.duplicate]),
          [
            [1, false],
            [2, false],
            [3, false],
          ],
        );
        const stored = await db().getMessages(id, 1, 10, 'forward');
        assert.deepEqual(
          stored.map(comparable),
          results.map((r) => comparable(r.message)),
        );
        assert.deepEqual(
          stored.map((m) => m.flags),
          [0, 0, 0],
        );
        assert.equal((await db().getConversation(id))?.maxSeq, 3);
      });

      void it('answers a retried clientMsgId with the original and stores nothing new', async () => {
        const sender = nextId();
        const id = conversationId();
        await db().ensureConversation(group(id, [sender]));
        const original = await db().appendMessage(newMessage(id, sender, { clientMsgId: 'retry-me' }));
        // The retry arrives with a fresh server-side id and a later time: the original still wins.
        const retry = await db().appendMessage(
          newMessage(id, sender, { clientMsgId: 'retry-me', serverTime: original.message.serverTime + 1 }),
        );
        assert.equal(retry.duplicate, true);
        assert.equal(retry.message.id, original.message.id);
        assert.equal(retry.message.seq, original.message.seq);
        assert.deepEqual(comparable(retry.message), comparable(original.message));
        assert.equal((await db().getConversation(id))?.maxSeq, 1);
        assert.equal((await db().getMessages(id, 0, 10, 'forward')).length, 1);
      });

      void it('answers an id past 2^63 - 1 (a uint64 from the wire) with BAD_REQUEST, not INTERNAL', async () => {
        const tooBig = 2n ** 64n - 1n;
        await assert.rejects(db().existingUserIds([tooBig]), BadRequestError);
        await assert.rejects(db().getUserById(tooBig), BadRequestError);
        // In a transaction too (PostgreSQL: a pooled client of its own).
        await assert.rejects(
          db().createConversation(group(conversationId(), [nextId(), tooBig])),
          BadRequestError,
        );
        // The largest id that fits is fine (whether such a user exists depends on other tests).
        assert.ok(Array.isArray(await db().existingUserIds([2n ** 63n - 1n])));
      });

      void it('group commit: appends of one turn keep call order; a retry or a failure in a batch stays alone', async () => {
        const sender = nextId();
        const [a, b] = [conversationId(), conversationId()];
        await db().ensureConversation(group(a, [sender]));
        await db().ensureConversation(group(b, [sender]));
        // 100 appends over two conversations in one turn: seqs follow the call order per conversation.
        const many = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            db().appendMessage(
              newMessage(i % 2 === 0 ? a : b, sender, { clientMsgId: `batch-${String(i)}` }),
            ),
          ),
        );
        assert.deepEqual(
          many.map((r) => r.message.seq),
          Array.from({ length: 100 }, (_, i) => Math.floor(i / 2) + 1),
        );
        // In one batch: a retry of batch-3 (a duplicate), a missing conversation, and a new message.
        const [retry, missing, fresh] = await Promise.allSettled([
          db().appendMessage(newMessage(b, sender, { clientMsgId: 'batch-3' })),
          db().appendMessage(newMessage(conversationId(), sender)),
          db().appendMessage(newMessage(a, sender)),
        ]);
        assert.equal(retry.status === 'fulfilled' && retry.value.duplicate, true);
        assert.equal(retry.status === 'fulfilled' ? retry.value.message.seq : -1, 2);
        assert.equal(missing.status, 'rejected');
        assert.equal(
          fresh.status === 'fulfilled' ? fresh.value.message.seq : -1,
          51,
          'gapless after the failure',
        );
        assert.equal((await db().getConversation(a))?.maxSeq, 51);
        assert.equal((await db().getConversation(b))?.maxSeq, 50);
      });

      void it('answers a retry sent in the same turn as its original (one group commit)', async () => {
        const sender = nextId();
        const id = conversationId();
        await db().ensureConversation(group(id, [sender]));
        const [before, original, retry, after] = await Promise.all([
          db().appendMessage(newMessage(id, sender, { clientMsgId: 'turn-a' })),
          db().appendMessage(newMessage(id, sender, { clientMsgId: 'turn-b' })),
          db().appendMessage(newMessage(id, sender, { clientMsgId: 'turn-b' })),
          db().appendMessage(newMessage(id, sender, { clientMsgId: 'turn-c' })),
        ]);
        assert.deepEqual(
          [before, original, retry, after].map((r) => [r.message.seq, r.duplicate]),
          [
            [1, false],
            [2, false],
            [2, true],
            [3, false],
          ],
        );
        assert.equal(retry.message.id, original.message.id);
        assert.equal((await db().getConversation(id))?.maxSeq, 3);
      });

      void it('keys dedup by sender: another sender may reuse a clientMsgId', async () => {
        const [a, b] = [nextId(), nextId()];
        const id = conversationId();
        await db().ensureConversation(group(id, [a, b]));
        const first = await db().appendMessage(newMessage(id, a, { clientMsgId: 'same' }));
        const second = await db().appendMessage(newMessage(id, b, { clientMsgId: 'same' }));
        assert.equal(second.duplicate, false);
        assert.equal(second.message.seq, first.message.seq + 1);
      });

      void it('round-trips content bytes, text and 64-bit ids exactly', async () => {
        const sender = 2n ** 62n + nextId();
        const id = conversationId();
        await db().ensureConversation(group(id, [sender]));
        const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
        const samples = [everyByte, new Uint8Array(0), new Uint8Array(randomBytes(4096))];
        for (const content of samples) {
          await db().appendMessage(
            newMessage(id, sender, {
              id: 2n ** 63n - nextId(),
              content,
              searchText: 'héllo wörld 🌍',
            }),
          );
        }
        const stored = await db().getMessages(id, 1, 10, 'forward');
        assert.deepEqual(
          stored.map((m) => hex(m.content)),
          samples.map(hex),
        );
        for (const m of stored) {
          assert.equal(m.senderId, sender);
          assert.ok(m.id > 2n ** 62n, `id ${m.id} lost precision`);
          assert.equal(m.searchText, 'héllo wörld 🌍');
        }
      });

      void it("moves the sender's readSeq, nobody else's", async () => {
        const [sender, reader] = [nextId(), nextId()];
        const id = conversationId();
        await db().ensureConversation(group(id, [sender, reader]));
        await db().appendMessage(newMessage(id, sender));
        await db().appendMessage(newMessage(id, reader));
        await db().appendMessage(newMessage(id, sender));
        assert.equal((await db().getConversationState(sender, id))?.readSeq, 3);
        assert.equal((await db().getConversationState(reader, id))?.readSeq, 2);
      });

      void it('rejects a message to a conversation that does not exist, storing nothing', async () => {
        const id = conversationId();
        await assert.rejects(db().appendMessage(newMessage(id, nextId())), NotFoundError);
        assert.equal(await db().getConversation(id), undefined);
        assert.deepEqual(await db().getMessages(id, 0, 10, 'forward'), []);
      });
    });

    void describe('getMessages', () => {
      const id = conversationId();
      const seqs = async (fromSeq: number, limit: number, direction: 'forward' | 'backward') =>
        (await db().getMessages(id, fromSeq, limit, direction)).map((m) => m.seq);

      before(async () => {
        const sender = nextId();
        await db().ensureConversation(group(id, [sender]));
        for (let i = 0; i < 10; i++) await db().appendMessage(newMessage(id, sender));
      });

      void it('pulls forward from fromSeq, ascending, up to limit', async () => {
        assert.deepEqual(await seqs(1, 3, 'forward'), [1, 2, 3]);
        assert.deepEqual(await seqs(0, 3, 'forward'), [1, 2, 3]);
        assert.deepEqual(await seqs(4, 100, 'forward'), [4, 5, 6, 7, 8, 9, 10]);
        assert.deepEqual(await seqs(10, 5, 'forward'), [10]);
      });

      void it('answers nothing forward beyond the head', async () => {
        assert.deepEqual(await seqs(11, 5, 'forward'), []);
        assert.deepEqual(await seqs(1_000_000, 5, 'forward'), []);
      });

      void it('pulls backward as the newest `limit` at or below fromSeq, ascending', async () => {
        assert.deepEqual(await seqs(5, 3, 'backward'), [3, 4, 5]);
        assert.deepEqual(await seqs(2, 5, 'backward'), [1, 2]);
        assert.deepEqual(await seqs(1, 1, 'backward'), [1]);
        assert.deepEqual(await seqs(1_000, 2, 'backward'), [9, 10]);
      });

      void it('pulls backward from the head when fromSeq is 0', async () => {
        assert.deepEqual(await seqs(0, 3, 'backward'), [8, 9, 10]);
        assert.deepEqual(await seqs(0, 100, 'backward'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      });

      void it('answers nothing for limit 0 and for an unknown conversation', async () => {
        assert.deepEqual(await seqs(0, 0, 'forward'), []);
        assert.deepEqual(await seqs(0, 0, 'backward'), []);
        assert.deepEqual(await db().getMessages(conversationId(), 0, 10, 'backward'), []);
      });
    });

    void describe('profiles and presence', () => {
      void it('updateProfile patches only the given fields; NotFoundError for an unknown user', async () => {
        const input = newUser();
        const created = await db().createUser(input);
        const renamed = await db().updateProfile(input.id, { displayName: 'New Name' });
        assert.deepEqual(renamed, { ...created, displayName: 'New Name' });
        const pictured = await db().updateProfile(input.id, { avatarUrl: 'https://x/p.png' });
        assert.deepEqual(pictured, { ...created, displayName: 'New Name', avatarUrl: 'https://x/p.png' });
        assert.deepEqual(await db().updateProfile(input.id, {}), pictured);
        const both = await db().updateProfile(input.id, { displayName: 'Zoë 🌍', avatarUrl: '' });
        assert.deepEqual(both, { ...created, displayName: 'Zoë 🌍' });
        assert.deepEqual(await db().getUserById(input.id), both);
        assert.deepEqual(await db().getUserByUsername(input.username), both);
        await assert.rejects(db().updateProfile(nextId(), { displayName: 'x' }), NotFoundError);
      });

      void it('setLastSeen stores the time; an unknown user is ignored', async () => {
        const input = newUser();
        await db().createUser(input);
        assert.equal((await db().getUserById(input.id))?.lastSeenAt, 0);
        await db().setLastSeen(input.id, 1_700_000_123_456);
        assert.equal((await db().getUserById(input.id))?.lastSeenAt, 1_700_000_123_456);
        await db().setLastSeen(input.id, 1_700_000_200_000);
        const user = await db().getUserById(input.id);
        assert.deepEqual(user, {
          ...input,
          avatarUrl: '',
          lastSeenAt: 1_700_000_200_000,
          bannedUntil: 0,
          mutedUntil: 0,
        });
        await db().setLastSeen(nextId(), 5);
        await assert.rejects(db().setLastSeen(input.id, -1), BadRequestError);
      });

      void it('searchUsers matches a username prefix or a display-name substring, case-insensitively, by username', async () => {
        const tag = word();
        const upperTag = tag.toUpperCase();
        const names = [`${tag}_b`, `${upperTag}_A`, `zz_${tag}_display`, `x${tag}`, `zz_${unique()}`];
        const [b, a, display, infix, none] = await Promise.all(
          names.map((username, i) =>
            db().createUser(
              newUser({
                username,
                displayName: i === 2 ? `Mr ${upperTag} Smith` : i === 4 ? `100% ${tag}%` : 'Nobody',
              }),
            ),
          ),
        );
        const usernames = async (query: string, limit: number) =>
          (await db().searchUsers(query, limit)).map((u) => u.username);
        // `x${tag}` contains the tag in its username but neither starts with it nor shows it.
        // Ordered by the case-insensitive username key, in byte order.
        const byKey = (users: (UserRecord | undefined)[]) =>
          users.map((u) => u?.username ?? fail()).sort((x, y) => byteOrder(x.toLowerCase(), y.toLowerCase()));
        assert.deepEqual(await usernames(tag, 10), byKey([a, b, display, none]));
        assert.deepEqual(await usernames(upperTag, 10), await usernames(tag, 10));
        assert.deepEqual(await usernames(tag, 2), [a?.username, b?.username]);
        assert.deepEqual(await usernames(`${tag}_a`, 10), [a?.username]);
        assert.deepEqual(await usernames(`r ${tag} s`, 10), [display?.username]);
        assert.deepEqual(await usernames(`${tag}%`, 10), [none?.username]);
        assert.deepEqual(await usernames(`${tag}_`, 10), [a?.username, b?.username]);
        assert.deepEqual(await usernames(`X${tag}`, 10), [infix?.username]);
        assert.deepEqual(await usernames(`${tag}_%`, 10), []);
        assert.deepEqual(await usernames(tag, 0), []);
        const full = await db().searchUsers(`${tag}_b`, 1);
        assert.deepEqual(full, [b]);
        await assert.rejects(db().searchUsers(tag, -1), BadRequestError);
      });
    });

    void describe('contacts and blocks', () => {
      void it('putContactPair writes both directions; getContact and listContacts read them', async () => {
        const [a, b, c] = sorted([nextId(), nextId(), nextId()]);
        if (a === undefined || b === undefined || c === undefined) return fail();
        await db().putContactPair(a, b, ContactState.REQUESTED, ContactState.PENDING, 'hi, it is A', 10);
        assert.deepEqual(await db().getContact(a, b), {
          userId: a,
          peerId: b,
          state: ContactState.REQUESTED,
          note: 'hi, it is A',
          updatedAt: 10,
        });
        assert.deepEqual(await db().getContact(b, a), {
          userId: b,
          peerId: a,
          state: ContactState.PENDING,
          note: 'hi, it is A',
          updatedAt: 10,
        });
        assert.equal(await db().getContact(a, c), undefined);

        // Accepting rewrites both rows; the pair with c is a separate relation.
        await db().putContactPair(b, a, ContactState.FRIENDS, ContactState.FRIENDS, '', 20);
        await db().putContactPair(c, a, ContactState.REQUESTED, ContactState.PENDING, 'me too', 30);
        const friends = { userId: a, peerId: b, state: ContactState.FRIENDS, note: '', updatedAt: 20 };
        const pendingC = { userId: a, peerId: c, state: ContactState.PENDING, note: 'me too', updatedAt: 30 };
        assert.deepEqual(await db().listContacts(a), [friends, pendingC]);
        assert.deepEqual(await db().listContacts(a, [ContactState.FRIENDS]), [friends]);
        assert.deepEqual(await db().listContacts(a, [ContactState.PENDING, ContactState.REQUESTED]), [
          pendingC,
        ]);
        assert.deepEqual(await db().listContacts(a, []), []);
        assert.deepEqual(await db().listContacts(c, [ContactState.REQUESTED]), [
          { userId: c, peerId: a, state: ContactState.REQUESTED, note: 'me too', updatedAt: 30 },
        ]);
        assert.deepEqual(await db().listContacts(nextId()), []);
      });

      void it('deleteContactPair removes both directions and says whether it removed anything', async () => {
        const [a, b, c] = [nextId(), nextId(), nextId()];
        await db().putContactPair(a, b, ContactState.FRIENDS, ContactState.FRIENDS, '', 1);
        await db().putContactPair(a, c, ContactState.FRIENDS, ContactState.FRIENDS, '', 1);
        assert.equal(await db().deleteContactPair(b, a), true);
        assert.equal(await db().getContact(a, b), undefined);
        assert.equal(await db().getContact(b, a), undefined);
        assert.equal(await db().deleteContactPair(a, b), false);
        assert.deepEqual(
          (await db().listContacts(a)).map((r) => r.peerId),
          [c],
        );
        assert.deepEqual(await db().listContacts(b), []);
      });

      void it('rejects a pair with oneself and unknown states', async () => {
        const [a, b] = [nextId(), nextId()];
        await assert.rejects(
          db().putContactPair(a, a, ContactState.FRIENDS, ContactState.FRIENDS, '', 1),
          BadRequestError,
        );
        await assert.rejects(
          db().putContactPair(a, b, 9 as ContactState, ContactState.FRIENDS, '', 1),
          BadRequestError,
        );
        assert.equal(await db().getContact(a, b), undefined);
        assert.equal(await db().getContact(b, a), undefined);
      });

      void it('block is one-directional and idempotent; unblock undoes it', async () => {
        const [me, x, y] = [nextId(), nextId(), nextId()];
        await db().block(me, y, 1);
        await db().block(me, x, 2);
        await db().block(me, x, 3);
        assert.equal(await db().isBlocked(me, x), true);
        assert.equal(await db().isBlocked(x, me), false);
        assert.deepEqual(await db().listBlocked(me), sorted([x, y]));
        assert.deepEqual(await db().listBlocked(x), []);
        await db().unblock(me, x);
        await db().unblock(me, x);
        await db().unblock(x, me);
        assert.equal(await db().isBlocked(me, x), false);
        assert.equal(await db().isBlocked(me, y), true);
        assert.deepEqual(await db().listBlocked(me), [y]);
        // Answers stay exact after a user's list was read (a store may keep it in memory).
        assert.equal(await db().isBlocked(x, me), false);
        await db().block(x, me, 4);
        assert.equal(await db().isBlocked(x, me), true);
        await db().unblock(me, y);
        assert.equal(await db().isBlocked(me, y), false);
      });
    });

    void describe('membership settings and conversation lists', () => {
      void it('updateMembershipSettings patches one member only; NotFoundError for a non-member', async () => {
        const [a, b] = [nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a, b]));
        for (let i = 0; i < 3; i++) await db().appendMessage(newMessage(id, b));
        await db().updateMembershipSettings(a, id, { pinned: true });
        const pinned = await db().getConversationState(a, id);
        assert.deepEqual(pinned, {
          conversationId: id,
          type: ConversationType.GROUP,
          maxSeq: 3,
          readSeq: 0,
          joinSeq: 1,
          role: MemberRole.MEMBER,
          mutedUntil: 0,
          ...MEMBERSHIP_DEFAULTS,
          pinned: true,
        });
        await db().updateMembershipSettings(a, id, { muted: true, hiddenSeq: 3 });
        await db().updateMembershipSettings(a, id, {});
        const all = { ...pinned, muted: true, hiddenSeq: 3 };
        assert.deepEqual(await db().getConversationState(a, id), all);
        assert.deepEqual(
          (await db().listConversationStates(a)).find((s) => s.conversationId === id),
          all,
        );
        await db().updateMembershipSettings(a, id, { pinned: false, hiddenSeq: 0 });
        assert.deepEqual(await db().getConversationState(a, id), { ...all, pinned: false, hiddenSeq: 0 });
        const other = await db().getConversationState(b, id);
        assert.deepEqual([other?.pinned, other?.muted, other?.hiddenSeq], [false, false, 0]);

        await assert.rejects(db().updateMembershipSettings(nextId(), id, { pinned: true }), NotFoundError);
        await assert.rejects(
          db().updateMembershipSettings(a, conversationId(), { muted: true }),
          NotFoundError,
        );
        await assert.rejects(db().updateMembershipSettings(nextId(), id, {}), NotFoundError);
        await assert.rejects(db().updateMembershipSettings(a, id, { hiddenSeq: -1 }), BadRequestError);
      });

      void it('lastMessages answers the newest message of each listed conversation in one call', async () => {
        const sender = nextId();
        const [c1, c2, empty, missing] = [
          conversationId(),
          conversationId(),
          conversationId(),
          conversationId(),
        ];
        for (const id of [c1, c2, empty]) await db().createConversation(group(id, [sender]));
        const sent: StoredMessage[] = [];
        for (const id of [c1, c2, c1, c1])
          sent.push((await db().appendMessage(newMessage(id, sender))).message);
        const last = await db().lastMessages([c1, c2, empty, missing, c1]);
        assert.deepEqual(
          sortedBy(last, (m) => BigInt(m.seq)).map(comparable),
          [sent[1], sent[3]].map((m) => comparable(m ?? fail())),
        );
        assert.deepEqual(await db().lastMessages([]), []);
        assert.deepEqual(await db().lastMessages([empty, missing]), []);
      });

      void it('conversationPeers answers everyone sharing a conversation up to a size, once, without the user', async () => {
        const [me, p1, p2, p3, stranger, big1, big2] = [
          nextId(),
          nextId(),
          nextId(),
          nextId(),
          nextId(),
          nextId(),
          nextId(),
        ];
        await db().createConversation(group(conversationId(), [me, p1, p2]));
        await db().createConversation(group(conversationId(), [p2, me, p3]));
        await db().createConversation(group(conversationId(), [p1, stranger]));
        await db().createConversation(group(conversationId(), [me]));
        await db().createConversation(group(conversationId(), [me, p1, big1, big2]));
        assert.deepEqual(sorted(await db().conversationPeers(me, 3)), sorted([p1, p2, p3]));
        assert.deepEqual(sorted(await db().conversationPeers(me, 4)), sorted([p1, p2, p3, big1, big2]));
        assert.deepEqual(sorted(await db().conversationPeers(p3, 3)), sorted([me, p2]));
        assert.deepEqual(await db().conversationPeers(nextId(), 100), []);
      });
    });

    void describe('mentions', () => {
      const mentionSeqs = async (id: ConversationId, userIds: UserId[]) =>
        Promise.all(userIds.map(async (u) => (await db().getConversationState(u, id))?.mentionSeq));

      void it('appendMessage flags the mentioned members at the new seq, never the sender', async () => {
        const [a, b, c, d, stranger] = [nextId(), nextId(), nextId(), nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a, b, c, d]));
        await db().appendMessage(newMessage(id, a, { mentions: [b, a, b, stranger] }));
        assert.deepEqual(await mentionSeqs(id, [a, b, c, d]), [0, 1, 0, 0]);
        assert.equal(await db().getConversationState(stranger, id), undefined);
        await db().appendMessage(newMessage(id, c, { mentions: [] }));
        await db().appendMessage(newMessage(id, c, { mentions: [d] }));
        assert.deepEqual(await mentionSeqs(id, [a, b, c, d]), [0, 1, 0, 3]);
        // Reading does not clear it: the flag is mentionSeq > readSeq.
        await db().markRead(d, id, 3);
        const state = await db().getConversationState(d, id);
        assert.deepEqual([state?.mentionSeq, state?.readSeq], [3, 3]);
      });

      void it('mentionAll flags every member but the sender; later messages never move mentionSeq back', async () => {
        const [a, b, c] = [nextId(), nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a, b, c]));
        await db().appendMessage(newMessage(id, a, { mentions: [b] }));
        await db().appendMessage(newMessage(id, b, { mentionAll: true }));
        assert.deepEqual(await mentionSeqs(id, [a, b, c]), [2, 1, 2]);
        await db().appendMessage(newMessage(id, c, { mentionAll: true, mentions: [c, b] }));
        assert.deepEqual(await mentionSeqs(id, [a, b, c]), [3, 3, 2]);
        for (let i = 0; i < 2; i++) await db().appendMessage(newMessage(id, a));
        await db().appendMessage(newMessage(id, a, { mentionAll: false, mentions: [] }));
        assert.deepEqual(await mentionSeqs(id, [a, b, c]), [3, 3, 2]);
        // A retried message changes nothing.
        const original = await db().appendMessage(newMessage(id, b, { clientMsgId: `m_${unique()}` }));
        const retry = await db().appendMessage(
          newMessage(id, b, { clientMsgId: original.message.clientMsgId, mentionAll: true }),
        );
        assert.equal(retry.duplicate, true);
        assert.deepEqual(await mentionSeqs(id, [a, b, c]), [3, 3, 2]);
      });

      void it('group commit: mentions amid plain appends keep call order and flag only their members', async () => {
        const [a, b, c] = [nextId(), nextId(), nextId()];
        const [id, other] = [conversationId(), conversationId()];
        await db().createConversation(group(id, [a, b, c]));
        await db().createConversation(group(other, [a, b]));
        const bytes = Uint8Array.from([0, 255, 92, 120, 34, 44, 123, 125, 0]);
        const withBytes = newMessage(other, b, {
          content: bytes,
          searchText: 'quote " comma , brace { backslash \\',
        });
        const sent = [
          newMessage(id, a),
          withBytes,
          newMessage(id, a, { mentions: [b] }),
          newMessage(id, b, { mentions: [b] }),
          newMessage(other, a),
          newMessage(id, c, { mentionAll: true }),
          newMessage(id, a),
        ];
        // One turn: one group commit.
        const results = await Promise.all(sent.map((m) => db().appendMessage(m)));
        assert.deepEqual(
          results.map((r) => [r.message.conversationId, r.message.seq, r.duplicate]),
          [
            [id, 1, false],
            [other, 1, false],
            [id, 2, false],
            [id, 3, false],
            [other, 2, false],
            [id, 4, false],
            [id, 5, false],
          ],
        );
        assert.deepEqual(await mentionSeqs(id, [a, b, c]), [4, 4, 0]);
        assert.deepEqual(await mentionSeqs(other, [a, b]), [0, 0]);
        assert.deepEqual((await db().getConversationState(a, id))?.readSeq, 5);
        assert.deepEqual((await db().getConversationState(b, other))?.readSeq, 1);
        const stored = await db().getMessage(other, 1);
        assert.deepEqual(stored?.content, bytes);
        assert.equal(stored.searchText, withBytes.searchText);
        assert.equal(stored.id, withBytes.id);
        assert.equal(stored.clientMsgId, withBytes.clientMsgId);
      });
    });

    void describe('searchMessages', () => {
      const text = (m: StoredMessage) => m.searchText;

      void it("finds words in the user's conversations only, newest first, all words required", async () => {
        const [me, peer, outsider] = [nextId(), nextId(), nextId()];
        const [mine, theirs] = [conversationId(), conversationId()];
        await db().createConversation(group(mine, [me, peer]));
        await db().createConversation(group(theirs, [peer, outsider]));
        const w = word();
        const send = async (id: ConversationId, sender: UserId, searchText: string) =>
          (await db().appendMessage(newMessage(id, sender, { searchText }))).message;
        const first = await send(mine, peer, `hello ${w} one`);
        await send(theirs, outsider, `${w} secret`);
        const second = await send(mine, me, `${w.toUpperCase()} two`);
        await send(mine, me, `unrelated ${word()}`);
        const found = await db().searchMessages(me, w, 10, 0n);
        assert.deepEqual(found.map(comparable), [second, first].map(comparable));
        assert.deepEqual((await db().searchMessages(me, `${w} two`, 10, 0n)).map(text), [second.searchText]);
        assert.deepEqual((await db().searchMessages(me, `two ${w.toUpperCase()}`, 10, 0n)).map(text), [
          second.searchText,
        ]);
        assert.deepEqual(await db().searchMessages(me, `${w} secret`, 10, 0n), []);
        assert.deepEqual((await db().searchMessages(outsider, w, 10, 0n)).map(text), [`${w} secret`]);
        assert.equal((await db().searchMessages(peer, w, 10, 0n)).length, 3);
        assert.deepEqual(await db().searchMessages(nextId(), w, 10, 0n), []);
        assert.deepEqual((await db().searchMessages(me, w, 1, 0n)).map(comparable), [comparable(second)]);
        assert.deepEqual(await db().searchMessages(me, w, 0, 0n), []);
        assert.deepEqual(await db().searchMessages(me, '', 10, 0n), []);
        assert.deepEqual(await db().searchMessages(me, '   ', 10, 0n), []);
        await assert.rejects(db().searchMessages(me, w, -1, 0n), BadRequestError);
        // A removed member finds nothing there any more.
        await db().removeMembers(mine, [me]);
        assert.deepEqual(await db().searchMessages(me, w, 10, 0n), []);
      });

      void it('finds nothing from before the membership began (joinSeq)', async () => {
        const [a, late] = [nextId(), nextId()];
        const id = conversationId();
        await db().createConversation(group(id, [a]));
        const w = word();
        await db().appendMessage(newMessage(id, a, { searchText: `${w} early` }));
        await db().appendMessage(newMessage(id, a, { searchText: `${w} earlier` }));
        await db().addMembers(id, members([late]));
        assert.deepEqual(await db().searchMessages(late, w, 10, 0n), []);
        const after = await db().appendMessage(newMessage(id, a, { searchText: `${w} later` }));
        assert.deepEqual((await db().searchMessages(late, w, 10, 0n)).map(comparable), [
          comparable(after.message),
        ]);
        assert.equal((await db().searchMessages(a, w, 10, 0n)).length, 3);
      });

      void it('skips recalled messages and follows edits', async () => {
        const a = nextId();
        const id = conversationId();
        await db().createConversation(group(id, [a]));
        const [w, old, fresh] = [word(), word(), word()];
        const sent: StoredMessage[] = [];
        for (const t of [`${w} ${old} edit me`, `${w} recall me`, `${w} recall keeping text`, `${w} stays`]) {
          sent.push((await db().appendMessage(newMessage(id, a, { searchText: t }))).message);
        }
        const [edited, recalled, recalledKeep, stays] = sent;
        if (!edited || !recalled || !recalledKeep || !stays) return fail();
        const content = Uint8Array.of(1, 2, 3);
        await db().updateMessage(id, recalled.seq, { flags: 1, contentType: 1, content, searchText: '' });
        // The recalled bit alone hides a message, whatever text it still has.
        await db().updateMessage(id, recalledKeep.seq, {
          flags: 1 | 2,
          contentType: 1,
          content,
          searchText: recalledKeep.searchText,
        });
        await db().updateMessage(id, edited.seq, {
          flags: 2,
          contentType: 1,
          content,
          searchText: `${w} ${fresh}`,
        });
        assert.deepEqual(
          (await db().searchMessages(a, w, 10, 0n)).map((m) => m.id),
          [stays.id, edited.id],
        );
        assert.deepEqual(await db().searchMessages(a, old, 10, 0n), []);
        assert.deepEqual(await db().searchMessages(a, `${w} recall`, 10, 0n), []);
        const hit = await db().searchMessages(a, fresh, 10, 0n);
        assert.deepEqual(
          hit.map((m) => [m.id, m.flags, m.searchText]),
          [[edited.id, 2, `${w} ${fresh}`]],
        );
        // Edited back: the index follows every rewrite.
        await db().updateMessage(id, edited.seq, {
          flags: 2,
          contentType: 1,
          content,
          searchText: `${w} ${old}`,
        });
        assert.deepEqual(await db().searchMessages(a, fresh, 10, 0n), []);
        assert.deepEqual(
          (await db().searchMessages(a, old, 10, 0n)).map((m) => m.id),
          [edited.id],
        );
      });

      void it('pages with beforeId, newest first', async () => {
        const a = nextId();
        const [one, two] = [conversationId(), conversationId()];
        await db().createConversation(group(one, [a]));
        await db().createConversation(group(two, [a]));
        const w = word();
        const sent: StoredMessage[] = [];
        for (const id of [one, two, one, two, one]) {
          sent.push((await db().appendMessage(newMessage(id, a, { searchText: `page ${w}` }))).message);
        }
        const ids = sent.map((m) => m.id).reverse();
        const seen: bigint[] = [];
        let before = 0n;
        for (;;) {
          const page = await db().searchMessages(a, w, 2, before);
          assert.ok(page.length <= 2);
          const last = page.at(-1);
          if (last === undefined) break;
          seen.push(...page.map((m) => m.id));
          before = last.id;
        }
        assert.deepEqual(seen, ids);
        assert.deepEqual(
          (await db().searchMessages(a, w, 10, ids[1] ?? 0n)).map((m) => m.id),
          ids.slice(2),
        );
        assert.deepEqual(await db().searchMessages(a, w, 10, ids.at(-1) ?? 0n), []);
      });

      void it('reads any input as plain words and never throws on query syntax', async () => {
        const [a, outsider] = [nextId(), nextId()];
        const [id, elsewhere] = [conversationId(), conversationId()];
        await db().createConversation(group(id, [a]));
        await db().createConversation(group(elsewhere, [outsider]));
        const w = word();
        const mine = await db().appendMessage(
          newMessage(id, a, { searchText: `${w} AND (this) "quoted" -minus star* 🌍 NEAR or NOT` }),
        );
        await db().appendMessage(
          newMessage(elsewhere, outsider, { searchText: `${w} AND (this) "quoted" -minus` }),
        );
        const weird = [
          '"',
          '""',
          '*',
          'AND',
          'OR',
          'NOT',
          '(',
          ')',
          '-x',
          '🌍',
          '"unterminated',
          'a"b',
          'search_text:x',
          'NEAR(a b)',
          '^start',
          '\\',
          "'",
          ':',
          '+',
          '{a b}',
          '%',
          '&|!<->',
          `${w} AND`,
          `${w} OR nothing`,
          `${w} "quoted"`,
          `(${w})`,
          `${w}*`,
          `-${w}`,
          `${w} 🌍`,
        ];
        for (const query of weird) {
          const found = await db().searchMessages(a, query, 50, 0n);
          assert.ok(
            found.every((m) => m.conversationId !== elsewhere),
            `query ${JSON.stringify(query)} leaked a message`,
          );
        }
        for (const query of [`${w} AND`, `(${w})`, `${w} "quoted"`, `"${w}"`, `${w} this`]) {
          assert.deepEqual(
            (await db().searchMessages(a, query, 50, 0n)).map((m) => m.id),
            [mine.message.id],
            `query ${JSON.stringify(query)}`,
          );
        }
        // Plain words, not operators: OR does not widen the search.
        assert.deepEqual(await db().searchMessages(a, `${w} OR ${word()}`, 50, 0n), []);
      });
    });

    void describe('concurrency', () => {
      void it('8 stores appending 50 messages each at once produce seqs exactly 1..400', async () => {
        const writers = await Promise.all(Array.from({ length: 8 }, () => another()));
        const senders = writers.map(() => nextId());
        const id = conversationId();
        await db().ensureConversation(group(id, senders));
        const perWriter = await Promise.all(
          writers.map((store, w) => {
            const sender = senders[w] ?? 0n;
            return Promise.all(Array.from({ length: 50 }, () => store.appendMessage(newMessage(id, sender))));
          }),
        );
        const all = perWriter.flat();
        assert.ok(all.every((r) => !r.duplicate));
        const assigned = all.map((r) => r.message.seq).sort((x, y) => x - y);
        assert.deepEqual(
          assigned,
          Array.from({ length: 400 }, (_, i) => i + 1),
        );
        assert.equal((await db().getConversation(id))?.maxSeq, 400);
        const stored = await db().getMessages(id, 1, 1000, 'forward');
        assert.deepEqual(
          stored.map((m) => m.seq),
          assigned,
        );
        // Each sender's readSeq is its newest message, even when its appends committed out of order.
        for (const [w, results] of perWriter.entries()) {
          const sender = senders[w] ?? 0n;
          const newest = Math.max(...results.map((r) => r.message.seq));
          assert.equal((await db().getConversationState(sender, id))?.readSeq, newest);
        }
      });

      void it('stores exactly one message when several stores race the same clientMsgId', async () => {
        const racers = await Promise.all(Array.from({ length: 6 }, () => another()));
        const sender = nextId();
        const id = conversationId();
        await db().ensureConversation(group(id, [sender]));
        // Warm every racer's connection first, or connection setup staggers them into taking turns.
        await Promise.all(racers.map((store) => store.getConversation(id)));
        const rounds = Array.from({ length: 20 }, (_, round) => `racing-${round}`);
        const results = await Promise.all(
          rounds.map((clientMsgId) =>
            Promise.all(racers.map((store) => store.appendMessage(newMessage(id, sender, { clientMsgId })))),
          ),
        );
        const winners: StoredMessage[] = [];
        for (const round of results) {
          const originals = round.filter((r) => !r.duplicate);
          assert.equal(originals.length, 1, 'exactly one racer stores the message');
          const winner = originals[0]?.message;
          assert.ok(winner);
          for (const r of round) assert.deepEqual(comparable(r.message), comparable(winner));
          winners.push(winner);
        }
        assert.equal((await db().getConversation(id))?.maxSeq, rounds.length);
        const stored = await db().getMessages(id, 0, 100, 'forward');
        assert.deepEqual(
          stored.map((m) => m.id),
          winners.sort((x, y) => x.seq - y.seq).map((m) => m.id),
        );
      });
    });
  });
}

let counter = 0;

function unique(): string {
  counter += 1;
  return `${process.pid}_${counter}`;
}

/** Ids near 2^53 and above so every test exercises 64-bit precision. */
function nextId(): UserId {
  counter += 1;
  return 2n ** 53n + 1000n + BigInt(counter);
}

/** A word no other test uses, one token for both FTS5 (unicode61) and PostgreSQL ('simple'). */
function word(): string {
  counter += 1;
  return `kw${process.pid}n${counter}`;
}

function conversationId(): ConversationId {
  return `g:${unique()}`;
}

function newUser(overrides: { id?: UserId; username?: string; displayName?: string } = {}) {
  return {
    id: overrides.id ?? nextId(),
    username: overrides.username ?? `user_${unique()}`,
    displayName: overrides.displayName ?? 'Some One',
    passwordHash: '$scrypt$fake',
    createdAt: 1_700_000_000_000,
  };
}

function group(id: ConversationId, userIds: UserId[]) {
  return { id, type: ConversationType.GROUP, createdAt: 1_700_000_000_000, members: members(userIds) };
}

function members(userIds: readonly UserId[], role: MemberRole = MemberRole.MEMBER): NewMember[] {
  return userIds.map((userId) => ({ userId, role }));
}

/** A new membership's own state: no mention, no settings. */
const MEMBERSHIP_DEFAULTS = { mentionSeq: 0, pinned: false, muted: false, hiddenSeq: 0 } as const;

const DEFAULT_PROFILE = {
  name: '',
  avatarUrl: '',
  notice: '',
  ownerId: null,
  dismissed: false,
  muteAll: false,
} as const;

function newMessage(
  conversationId: ConversationId,
  senderId: UserId,
  overrides: Partial<
    Pick<
      NewMessage,
      'id' | 'clientMsgId' | 'content' | 'searchText' | 'serverTime' | 'mentions' | 'mentionAll'
    >
  > = {},
): NewMessage {
  const text = `text ${unique()}`;
  return {
    ...(overrides.mentions === undefined ? {} : { mentions: overrides.mentions }),
    ...(overrides.mentionAll === undefined ? {} : { mentionAll: overrides.mentionAll }),
    id: overrides.id ?? nextId(),
    conversationId,
    senderId,
    senderDevice: 'device-a',
    clientMsgId: overrides.clientMsgId ?? `cm_${unique()}`,
    contentType: 1,
    content: overrides.content ?? new TextEncoder().encode(text),
    searchText: overrides.searchText ?? text,
    serverTime: overrides.serverTime ?? 1_700_000_000_000 + counter,
  };
}

/** A message with its bytes as hex, so Buffer and Uint8Array compare equal and diffs stay readable. */
function comparable(m: StoredMessage) {
  return { ...m, content: hex(m.content) };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function sorted(ids: UserId[]): UserId[] {
  return [...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

function sortedBy<T>(items: T[], key: (item: T) => bigint): T[] {
  return [...items].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}

/** UTF-8 byte order, the order both stores page conversations in. */
function byteOrder(x: string, y: string): number {
  return Buffer.compare(Buffer.from(x), Buffer.from(y));
}

function fail(): never {
  throw new assert.AssertionError({ message: 'expected a value' });
}
