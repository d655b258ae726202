import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContentType, type Message } from '@parley/sdk';
import { UserDirectory } from './user-directory.js';
import { toMessageJson } from './json-line.js';
import { describe as describeMessage, fromHttp, fromNative } from './message-view.js';
import { formatCents, formatDelta, parseAmount } from './money.js';
import { describeCall, describeRedPacket, formatDuration, type CallView } from './special-content.js';
import { entryLine, walletFromHttp } from './wallet-view.js';

describe('amounts', () => {
  it('reads amounts with at most two decimals as cents', () => {
    assert.equal(parseAmount('12.34'), 1234);
    assert.equal(parseAmount('12.3'), 1230);
    assert.equal(parseAmount('12'), 1200);
    assert.equal(parseAmount('12.'), 1200);
    assert.equal(parseAmount('.5'), 50);
    assert.equal(parseAmount('0.01'), 1);
    assert.equal(parseAmount(' 7 '), 700);
    for (const bad of ['', '.', '0', '0.00', '-1', '+1', '1e3', '12.345', '1,5', 'abc', '99999999999999999'])
      assert.equal(parseAmount(bad), undefined, bad);
  });

  it('writes cents with two decimals, and deltas with a sign', () => {
    assert.equal(formatCents(1234), '12.34');
    assert.equal(formatCents(5), '0.05');
    assert.equal(formatCents(0), '0.00');
    assert.equal(formatCents(-250n), '-2.50');
    assert.equal(formatDelta(1234), '+12.34');
    assert.equal(formatDelta(-5), '-0.05');
  });
});

describe('red packets and call records as lines', () => {
  const packet = {
    packetId: '385879187338039296',
    senderId: '7',
    total: 1234,
    count: 3,
    mode: 'even',
    greeting: 'Happy new year',
    expiresAt: 0,
  };

  it('describes a red packet with its amount, shares, mode and greeting', () => {
    assert.equal(
      describeRedPacket(packet),
      '[red packet] 12.34 in 3 shares (even): Happy new year · id 385879187338039296',
    );
    assert.equal(
      describeRedPacket({ ...packet, count: 1, greeting: '', mode: 'random' }, '/claim #4'),
      '[red packet] 12.34 in 1 share · /claim #4',
    );
    assert.equal(
      describeRedPacket({ ...packet, mode: 'random' }, ''),
      '[red packet] 12.34 in 3 shares: Happy new year',
    );
  });

  it('describes calls by media and outcome', () => {
    const call = (media: string, outcome: string, durationMs = 0): CallView => ({
      callId: 'c',
      media,
      outcome,
      durationMs,
      callerId: '1',
    });
    assert.equal(describeCall(call('video', 'completed', 42_400)), 'Video call 0:42');
    assert.equal(describeCall(call('voice', 'completed', 3_723_000)), 'Voice call 1:02:03');
    assert.equal(describeCall(call('voice', 'missed')), 'Missed voice call');
    assert.equal(describeCall(call('video', 'refused')), 'Declined video call');
    assert.equal(describeCall(call('voice', 'cancelled')), 'Cancelled voice call');
    assert.equal(describeCall(call('video', 'busy')), 'Video call (busy)');
    assert.equal(describeCall(call('', 'lost')), 'Call (lost)');
    assert.equal(formatDuration(0), '0:00');
    assert.equal(formatDuration(605_000), '10:05');
  });

  it('reads both from native messages and from the HTTP API, and prints them in JSON lines', () => {
    // A push as the SDK decodes it (only the fields the CLI reads).
    const pushed = {
      conversation: { type: 1, target: '7' },
      seq: 4n,
      messageId: 99n,
      clientMsgId: 'rp-1',
      senderId: 7n,
      senderName: 'Bob',
      serverTime: 0n,
      flags: 0,
      messageContent: {
        contentType: ContentType.RED_PACKET,
        text: '[Red packet] Happy new year',
        redPacket: {
          packetId: 385879187338039296n,
          senderId: 7n,
          total: 1234n,
          count: 3,
          mode: 'even',
          greeting: 'Happy new year',
          expiresAt: 0n,
        },
      },
    } as unknown as Message;
    const native = fromNative(pushed);
    assert.deepEqual(native.redPacket, packet);
    // The HTTP API writes content in protobuf JSON: 64-bit integers as strings.
    const http = fromHttp({
      conversation: { type: 'single', target: '7' },
      seq: 5,
      senderId: '7',
      contentType: ContentType.CALL,
      content: {
        contentType: ContentType.CALL,
        text: '[Video call] 00:42',
        call: { callId: 'c1', media: 'video', outcome: 'completed', durationMs: '42000', callerId: '7' },
      },
    });
    assert.deepEqual(http.call, {
      callId: 'c1',
      media: 'video',
      outcome: 'completed',
      durationMs: 42_000,
      callerId: '7',
    });
    assert.equal(describeMessage(http), 'Video call 0:42');
    const users = new UserDirectory(() => Promise.resolve([]));
    const json = toMessageJson(native, '9', users);
    assert.equal(json.contentType, 'red_packet');
    assert.deepEqual(json.redPacket, packet);
    assert.equal(json.summary, describeRedPacket(packet));
    assert.equal(toMessageJson(http, '9', users).call?.outcome, 'completed');
    // Without the structured part (another server version), the server's text still reads.
    assert.equal(describeMessage({ ...http, call: undefined }), '[Video call] 00:42');
  });

  it('reads the wallet of the HTTP API and lays out ledger lines', () => {
    const w = walletFromHttp({
      balance: 984,
      entries: [
        { id: '2', delta: -250, balanceAfter: 984, kind: 'red_packet_send', refId: '55', createdAt: 0 },
        { id: '1', delta: 1234, balanceAfter: 1234, kind: 'credit', refId: '0', createdAt: 0 },
      ],
    });
    assert.equal(w.balance, 984);
    assert.match(
      entryLine(w.entries[0] ?? assert.fail()),
      /^\S+ \S+ {7}-2\.50 = {7}9\.84 {2}red packet sent 55$/,
    );
    assert.match(entryLine(w.entries[1] ?? assert.fail()), / {6}\+12\.34 = {6}12\.34 {2}credit$/);
    assert.deepEqual(walletFromHttp('nonsense'), { balance: 0, entries: [] });
  });
});
