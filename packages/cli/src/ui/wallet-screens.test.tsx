// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import '../test-support/no-ci.js';
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, render } from 'ink-testing-library';
import { ConnectionState, ContentType, direct } from '@parley/sdk';
import type { MessageView } from '../message-view.js';
import { stripAnsi } from '../test-support/poll.js';
import { UserDirectory } from '../user-directory.js';
import { ChatPane } from './ChatPane.js';
import { ConversationData } from './conversation-data.js';
import { paneRows } from './pane-rows.js';
import { Panel } from './Panel.js';
import type { ClaimNote } from './red-packets.js';
import { StatusBar } from './StatusBar.js';

afterEach(() => {
  cleanup();
});

const ME = '1';
const BOB = '2';
const TIME = new Date(2025, 0, 31, 9, 5).getTime();

function message(seq: number, senderId: string, content: Partial<MessageView>): MessageView {
  return {
    conversation: direct(BOB),
    seq: BigInt(seq),
    messageId: `m${String(seq)}`,
    clientMsgId: '',
    senderId,
    senderName: '',
    time: TIME,
    contentType: ContentType.TEXT,
    text: '',
    media: undefined,
    location: undefined,
    systemKind: '',
    customType: '',
    redPacket: undefined,
    call: undefined,
    recalled: false,
    edited: false,
    ...content,
  };
}

function packet(seq: number, senderId: string, packetId: string, expiresAt = TIME + 86_400_000) {
  return message(seq, senderId, {
    contentType: ContentType.RED_PACKET,
    text: '[Red packet] Happy new year',
    redPacket: {
      packetId,
      senderId,
      total: 1234,
      count: 1,
      mode: 'random',
      greeting: 'Happy new year',
      expiresAt,
    },
  });
}

function call(seq: number, senderId: string, media: string, outcome: string, durationMs = 0) {
  return message(seq, senderId, {
    contentType: ContentType.CALL,
    text: `[${media} call] ${outcome}`,
    call: { callId: `c${String(seq)}`, media, outcome, durationMs, callerId: BOB },
  });
}

function drawn(c: ConversationData, claims: ReadonlyMap<string, ClaimNote>, now = TIME): string {
  const users = new UserDirectory(() => Promise.resolve([]));
  users.remember({ userId: ME, username: 'alice', displayName: '' });
  users.remember({ userId: BOB, username: 'bob', displayName: '' });
  const lines = c.lines(ME, users, claims, now);
  const conversation = {
    key: c.key,
    title: 'bob',
    subtitle: 'direct',
    lines,
    hasMore: false,
    loading: false,
    typing: undefined,
  };
  const width = 90;
  const r = render(
    <ChatPane
      conversation={conversation}
      rows={paneRows(lines, width - 1)}
      width={width}
      height={12}
      scroll={0}
    />,
  );
  return stripAnsi(r.lastFrame() ?? '');
}

describe('red packets and calls in the chat pane', () => {
  it('shows a packet with its amount, greeting and how to claim it, then what the claim got', () => {
    const c = new ConversationData(direct(BOB));
    c.put(packet(3, BOB, '385879187338039296'));
    c.put(packet(4, ME, '385879187338039297'));
    c.put(packet(5, BOB, '385879187338039298', TIME - 1));
    const before = drawn(c, new Map());
    assert.match(before, /#3 09:05 bob: \[red packet\] 12\.34 in 1 share: Happy new year · \/claim #3\n/);
    // Her own packet in a direct chat is the peer's to claim.
    assert.match(before, /#4 09:05 alice: \[red packet\] 12\.34 in 1 share: Happy new year ✓\n/);
    assert.match(before, /#5 09:05 bob: \[red packet\] 12\.34 in 1 share: Happy new year · expired\n/);

    const after = drawn(c, new Map([['385879187338039296', { kind: 'claimed', amount: 1234 }]]));
    assert.match(after, /#3 09:05 bob: \[red packet\] 12\.34 in 1 share: Happy new year · you got 12\.34\n/);
    const late = drawn(c, new Map([['385879187338039296', { kind: 'empty' }]]));
    assert.match(late, /Happy new year · all claimed\n/);
  });

  it('shows call records as readable lines, and a recalled packet as recalled', () => {
    const c = new ConversationData(direct(BOB));
    c.put(call(6, BOB, 'video', 'completed', 42_000));
    c.put(call(7, BOB, 'voice', 'missed'));
    c.put(call(8, ME, 'voice', 'refused'));
    c.put({ ...packet(9, BOB, '1'), recalled: true });
    const text = drawn(c, new Map());
    assert.match(text, /#6 09:05 bob: Video call 0:42\n/);
    assert.match(text, /#7 09:05 bob: Missed voice call\n/);
    assert.match(text, /#8 09:05 alice: Declined voice call ✓\n/);
    assert.match(text, /#9 09:05 bob: \(message recalled\)\n/);
  });
});

describe('wallet panel, status line and help', () => {
  it('shows the balance and the ledger, newest first, or that it is loading', () => {
    const wallet = {
      balance: 984,
      entries: [
        { id: '3', delta: -250, balanceAfter: 984, kind: 'red_packet_send', refId: '77', createdAt: TIME },
        { id: '2', delta: 1234, balanceAfter: 1234, kind: 'red_packet_claim', refId: '76', createdAt: TIME },
      ],
    };
    const text = stripAnsi(
      render(<Panel overlay={{ kind: 'wallet', wallet }} width={90} height={10} />).lastFrame() ?? '',
    );
    assert.match(text, /Wallet {2}balance 9\.84/);
    assert.match(text, /2025-01-31 09:05:00 {7}-2\.50 = {7}9\.84 {2}red packet sent 77\n/);
    assert.match(text, /2025-01-31 09:05:00 {6}\+12\.34 = {6}12\.34 {2}red packet claimed 76\n/);
    assert.ok(text.indexOf('red packet sent') < text.indexOf('red packet claimed'));
    const loading = stripAnsi(
      render(<Panel overlay={{ kind: 'wallet', wallet: undefined }} width={90} height={10} />).lastFrame() ??
        '',
    );
    assert.match(loading, /Wallet {2}loading…/);
    const empty = stripAnsi(
      render(
        <Panel overlay={{ kind: 'wallet', wallet: { balance: 0, entries: [] } }} width={90} height={10} />,
      ).lastFrame() ?? '',
    );
    assert.match(empty, /balance 0\.00\n no entries yet/);
  });

  it('names the cluster node in the status line when there is one', () => {
    const withNode = stripAnsi(
      render(
        <StatusBar
          username="alice"
          server="gateway 10.0.0.1:8080 +1"
          node="node-2"
          state={ConnectionState.ONLINE}
          width={100}
        />,
      ).lastFrame() ?? '',
    );
    assert.match(withNode, /parley · alice @ gateway 10\.0\.0\.1:8080 \+1 · node node-2 +● online/);
    const plain = stripAnsi(
      render(
        <StatusBar username="alice" server="127.0.0.1:7070" state={ConnectionState.ONLINE} width={100} />,
      ).lastFrame() ?? '',
    );
    assert.doesNotMatch(plain, /node/);
  });

  it('lists the wallet commands in the help panel', () => {
    const help = stripAnsi(
      render(<Panel overlay={{ kind: 'help' }} width={100} height={30} />).lastFrame() ?? '',
    );
    assert.match(help, /\/redpacket <amt> \[n\] \[text\] +send a red packet/);
    assert.match(help, /\/claim \[#seq \| id\] +claim the newest red packet here/);
    assert.match(help, /\/wallet +your balance/);
  });
});
