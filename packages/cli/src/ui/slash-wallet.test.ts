import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContentType, direct, group } from '@parley/sdk';
import type { MessageView } from '../message-view.js';
import { ConversationData } from './conversation-data.js';
import { findPacket, packetTail, type ClaimNote } from './red-packets.js';
import { parseInput } from './slash.js';

describe('wallet commands on the input line', () => {
  it('parses /redpacket: amount, count, mode and a free-text greeting', () => {
    assert.deepEqual(parseInput('/redpacket 12.34'), {
      kind: 'redpacket',
      total: 1234,
      count: undefined,
      mode: 'random',
      greeting: '',
    });
    assert.deepEqual(parseInput('/redpacket 10 5 --even Happy  new year!'), {
      kind: 'redpacket',
      total: 1000,
      count: 5,
      mode: 'even',
      greeting: 'Happy  new year!',
    });
    assert.deepEqual(parseInput("/rp -e 3 'tis the season"), {
      kind: 'redpacket',
      total: 300,
      count: undefined,
      mode: 'even',
      greeting: "'tis the season",
    });
    // A number after the count belongs to the greeting; quotes around all of it are dropped.
    assert.deepEqual(parseInput('/redpacket 8.8 2 "2025 is here"'), {
      kind: 'redpacket',
      total: 880,
      count: 2,
      mode: 'random',
      greeting: '2025 is here',
    });
    assert.deepEqual(parseInput('/redpacket 1 2 3 go'), {
      kind: 'redpacket',
      total: 100,
      count: 2,
      mode: 'random',
      greeting: '3 go',
    });
    assert.deepEqual(parseInput('/redpacket'), {
      kind: 'error',
      message: 'usage: /redpacket <amount> [count] [--even] [greeting…], e.g. /redpacket 12.34 3 Enjoy!',
    });
    assert.deepEqual(parseInput('/redpacket 1.234'), {
      kind: 'error',
      message: '"1.234" is not an amount (like 12.34)',
    });
    assert.equal(parseInput('/redpacket 0')?.kind, 'error');
    assert.deepEqual(parseInput('/redpacket 5 0'), { kind: 'error', message: 'the count must be 1 or more' });
  });

  it('parses /claim and /wallet', () => {
    assert.deepEqual(parseInput('/claim'), { kind: 'claim', handle: { kind: 'newest' } });
    assert.deepEqual(parseInput('/claim #12'), { kind: 'claim', handle: { kind: 'seq', seq: 12n } });
    assert.deepEqual(parseInput('/claim 385879187338039296'), {
      kind: 'claim',
      handle: { kind: 'id', packetId: '385879187338039296' },
    });
    for (const bad of ['/claim x', '/claim #0', '/claim 1 2', '/claim 99999999999999999999'])
      assert.equal(parseInput(bad)?.kind, 'error', bad);
    assert.deepEqual(parseInput('/wallet'), { kind: 'wallet' });
    assert.deepEqual(parseInput('/balance'), { kind: 'wallet' });
    assert.equal(parseInput('/wallet now')?.kind, 'error');
  });
});

function packetMessage(seq: number, packetId: string, senderId: string, expiresAt = 0): MessageView {
  return {
    conversation: direct('2'),
    seq: BigInt(seq),
    messageId: `m${String(seq)}`,
    clientMsgId: '',
    senderId,
    senderName: '',
    time: 0,
    contentType: ContentType.RED_PACKET,
    text: '[Red packet] hi',
    media: undefined,
    location: undefined,
    systemKind: '',
    customType: '',
    redPacket: { packetId, senderId, total: 100, count: 1, mode: 'random', greeting: 'hi', expiresAt },
    call: undefined,
    recalled: false,
    edited: false,
  };
}

describe('which packet /claim means', () => {
  const now = 1_000_000;
  const me = '1';

  it('takes the newest unclaimed, unexpired packet someone else sent to a direct chat', () => {
    const c = new ConversationData(direct('2'));
    c.put(packetMessage(3, 'p3', '2'));
    c.put(packetMessage(5, 'p5', '2', now - 1)); // expired
    c.put(packetMessage(6, 'p6', me)); // mine: for the peer
    c.put({ ...packetMessage(7, 'p7', '2'), contentType: ContentType.TEXT, redPacket: undefined });
    const claims = new Map<string, ClaimNote>();
    assert.equal(findPacket(c, { kind: 'newest' }, me, claims, now).packetId, 'p3');
    claims.set('p3', { kind: 'claimed', amount: 100 });
    assert.throws(() => findPacket(c, { kind: 'newest' }, me, claims, now), /no unclaimed red packet here/);
    assert.equal(findPacket(c, { kind: 'seq', seq: 5n }, me, claims, now).packetId, 'p5');
    assert.throws(() => findPacket(c, { kind: 'seq', seq: 7n }, me, claims, now), /#7 is not a red packet/);
    assert.throws(() => findPacket(c, { kind: 'seq', seq: 9n }, me, claims, now), /no message #9 here/);
    const byId = findPacket(c, { kind: 'id', packetId: 'p6' }, me, claims, now);
    assert.equal(byId.message?.seq, 6n);
    assert.equal(findPacket(c, { kind: 'id', packetId: 'elsewhere' }, me, claims, now).message, undefined);
  });

  it('lets the sender claim in a group, and says on each line what a claim would do or did', () => {
    const g = new ConversationData(group('9'));
    const own = { ...packetMessage(2, 'g2', me), conversation: group('9') };
    g.put(own);
    assert.equal(findPacket(g, { kind: 'newest' }, me, new Map(), now).packetId, 'g2');
    assert.equal(packetTail(g, own, me, undefined, now), '/claim #2');
    assert.equal(packetTail(g, own, me, { kind: 'claimed', amount: 1234 }, now), 'you got 12.34');
    assert.equal(packetTail(g, own, me, { kind: 'already', amount: 5 }, now), 'you got 0.05');
    assert.equal(packetTail(g, own, me, { kind: 'empty' }, now), 'all claimed');
    assert.equal(packetTail(g, own, me, { kind: 'expired' }, now), 'expired');
    const d = new ConversationData(direct('2'));
    assert.equal(packetTail(d, packetMessage(3, 'p3', me), me, undefined, now), '');
    assert.equal(packetTail(d, packetMessage(4, 'p4', '2', now), me, undefined, now), 'expired');
  });
});
