import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConflictError, ConversationType, NotFoundError } from '@parley/protocol';
import type { ConversationId, NewMessage, Store, StoredMessage, UserId } from '@parley/server';

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
        assert.deepEqual(created, { ...input, avatarUrl: '' });
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
          members: [a, b],
        };
        await db().ensureConversation(conversation);
        await db().ensureConversation(conversation);
        await db().ensureConversation({ ...conversation, members: [b] });
        assert.deepEqual(await db().getConversation(id), {
          id,
          type: ConversationType.GROUP,
          maxSeq: 0,
          createdAt: 1_700_000_000_000,
        });
        assert.deepEqual(sorted(await db().getMemberIds(id)), sorted([a, b]));
        assert.deepEqual(await db().getConversationState(a, id), {
          conversationId: id,
          type: ConversationType.GROUP,
          maxSeq: 0,
          readSeq: 0,
          joinSeq: 1,
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
          members: [me],
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
        });
        assert.deepEqual(byId.get(second), {
          conversationId: second,
          type: ConversationType.CHATROOM,
          maxSeq: 0,
          readSeq: 0,
          joinSeq: 1,
        });
        assert.deepEqual(await db().listConversationStates(nextId()), []);
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

function conversationId(): ConversationId {
  return `g:${unique()}`;
}

function newUser(overrides: { id?: UserId; username?: string } = {}) {
  return {
    id: overrides.id ?? nextId(),
    username: overrides.username ?? `user_${unique()}`,
    displayName: 'Some One',
    passwordHash: '$scrypt$fake',
    createdAt: 1_700_000_000_000,
  };
}

function group(id: ConversationId, members: UserId[]) {
  return { id, type: ConversationType.GROUP, createdAt: 1_700_000_000_000, members };
}

function newMessage(
  conversationId: ConversationId,
  senderId: UserId,
  overrides: Partial<Pick<NewMessage, 'id' | 'clientMsgId' | 'content' | 'searchText' | 'serverTime'>> = {},
): NewMessage {
  const text = `text ${unique()}`;
  return {
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
