import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadRequestError, ConversationType } from '@parley/protocol';
import {
  conversationIdFor,
  conversationRefFor,
  parseUserId,
  singleConversationId,
} from './conversation-id.js';

const MAX_ID = 2n ** 63n - 1n;
const userId = fc.bigInt({ min: 1n, max: MAX_ID });

describe('conversation ids', () => {
  it('singleConversationId is symmetric and orders the ids', () => {
    assert.equal(singleConversationId(5n, 12n), 's:5:12');
    assert.equal(singleConversationId(12n, 5n), 's:5:12');
    // Numeric, not lexicographic, order.
    assert.equal(singleConversationId(100n, 9n), 's:9:100');
    fc.assert(
      fc.property(userId, userId, (a, b) => {
        const id = singleConversationId(a, b);
        assert.equal(id, singleConversationId(b, a));
        const lo = a < b ? a : b;
        const hi = a < b ? b : a;
        assert.equal(id, `s:${lo}:${hi}`);
      }),
    );
  });

  it('distinct pairs get distinct ids', () => {
    fc.assert(
      fc.property(userId, userId, userId, userId, (a, b, c, d) => {
        const same = (a === c && b === d) || (a === d && b === c);
        assert.equal(singleConversationId(a, b) === singleConversationId(c, d), same);
      }),
    );
  });

  it('conversationIdFor and conversationRefFor round-trip for both members', () => {
    fc.assert(
      fc.property(userId, userId, (alice, bob) => {
        const fromAlice = conversationIdFor(alice, { type: ConversationType.SINGLE, target: String(bob) });
        const fromBob = conversationIdFor(bob, { type: ConversationType.SINGLE, target: String(alice) });
        assert.equal(fromAlice, fromBob, 'both members name the same stored conversation');
        assert.deepEqual(conversationRefFor(alice, fromAlice), {
          type: ConversationType.SINGLE,
          target: String(bob),
        });
        assert.deepEqual(conversationRefFor(bob, fromAlice), {
          type: ConversationType.SINGLE,
          target: String(alice),
        });
      }),
    );
    // A note-to-self conversation points back at the viewer.
    const self = conversationIdFor(7n, { type: ConversationType.SINGLE, target: '7' });
    assert.equal(self, 's:7:7');
    assert.deepEqual(conversationRefFor(7n, self), { type: ConversationType.SINGLE, target: '7' });
  });

  it('maps group and chatroom keys to their references', () => {
    assert.deepEqual(conversationRefFor(1n, 'g:42'), { type: ConversationType.GROUP, target: '42' });
    assert.deepEqual(conversationRefFor(1n, 'r:lobby'), { type: ConversationType.CHATROOM, target: 'lobby' });
    assert.throws(() => conversationRefFor(1n, 'x:1:2'), /malformed/);
    assert.throws(() => conversationRefFor(1n, 's:1'), /malformed/);
    assert.throws(() => conversationRefFor(1n, ''), /malformed/);
    assert.throws(() => conversationRefFor(1n, 'g42'), /malformed/);
    assert.throws(() => conversationRefFor(1n, 'gg:42'), /malformed/);
    assert.deepEqual(conversationRefFor(1n, 'r:a.b-c'), { type: ConversationType.CHATROOM, target: 'a.b-c' });
    assert.deepEqual(conversationRefFor(12n, 's:3:12'), { type: ConversationType.SINGLE, target: '3' });
    assert.deepEqual(conversationRefFor(3n, 's:3:12'), { type: ConversationType.SINGLE, target: '12' });
  });

  it('conversationIdFor rejects bad targets and unknown types', () => {
    assert.throws(
      () => conversationIdFor(1n, { type: ConversationType.SINGLE, target: 'bob' }),
      BadRequestError,
    );
    assert.throws(
      () => conversationIdFor(1n, { type: ConversationType.SINGLE, target: '' }),
      BadRequestError,
    );
    assert.throws(() => conversationIdFor(1n, { type: 3, target: '2' }), BadRequestError);
    assert.throws(() => conversationIdFor(1n, { type: -1, target: '2' }), BadRequestError);
    assert.throws(
      () => conversationIdFor(1n, { type: ConversationType.GROUP, target: 'g' }),
      BadRequestError,
    );
    assert.throws(
      () => conversationIdFor(1n, { type: ConversationType.CHATROOM, target: 'a b' }),
      BadRequestError,
    );
    assert.throws(
      () => conversationIdFor(1n, { type: ConversationType.CHATROOM, target: '' }),
      BadRequestError,
    );
  });

  it('names groups by id and chatrooms by case-insensitive name, with an optional #', () => {
    assert.equal(conversationIdFor(1n, { type: ConversationType.GROUP, target: '42' }), 'g:42');
    assert.equal(conversationIdFor(1n, { type: ConversationType.CHATROOM, target: '#Lobby' }), 'r:lobby');
    assert.deepEqual(conversationRefFor(7n, 'r:lobby'), { type: ConversationType.CHATROOM, target: 'lobby' });
    assert.deepEqual(conversationRefFor(7n, 'g:42'), { type: ConversationType.GROUP, target: '42' });
  });
});

describe('parseUserId', () => {
  it('accepts canonical decimal ids in [1, 2^63 - 1]', () => {
    assert.equal(parseUserId('1'), 1n);
    assert.equal(parseUserId('1234567890123'), 1234567890123n);
    assert.equal(parseUserId(String(MAX_ID)), MAX_ID);
    fc.assert(
      fc.property(userId, (id) => {
        assert.equal(parseUserId(String(id)), id);
      }),
    );
  });

  it('rejects everything else with BadRequestError', () => {
    const bad = [
      '',
      '0',
      '00',
      '01',
      '-1',
      '+1',
      ' 1',
      '1 ',
      '1.0',
      '1e3',
      '0x10',
      'abc',
      '12abc',
      '١٢',
      String(2n ** 63n),
      String(2n ** 64n),
      '99999999999999999999',
      '1'.repeat(21),
      '9'.repeat(10_000),
    ];
    for (const text of bad) {
      assert.throws(() => parseUserId(text), BadRequestError, JSON.stringify(text.slice(0, 30)));
    }
  });

  it('does not echo a long input in full', () => {
    const long = '7'.repeat(5000) + 'x';
    assert.throws(
      () => parseUserId(long),
      (err: unknown) => err instanceof BadRequestError && err.message.length < 200,
    );
  });
});
