// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import '../test-support/no-ci.js';
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, render } from 'ink-testing-library';
import { ConnectionState, ConversationType } from '@parley/sdk';
import { stripAnsi, until } from '../test-support/poll.js';
import { ChatPane } from './ChatPane.js';
import { ConversationList } from './ConversationList.js';
import { InputLine } from './InputLine.js';
import { LoginScreen, type LoginValues } from './LoginScreen.js';
import { paneRows } from './pane-rows.js';
import { Panel } from './Panel.js';
import { StatusBar } from './StatusBar.js';
import type { ActiveConversation, ChatLine, ConversationItem } from './view-types.js';

afterEach(() => {
  cleanup();
});

type Rendered = ReturnType<typeof render>;

function frame(r: Rendered): string {
  return stripAnsi(r.lastFrame() ?? '');
}

async function shows(r: Rendered, text: string | RegExp): Promise<void> {
  await until(
    () => (typeof text === 'string' ? frame(r).includes(text) : text.test(frame(r))),
    `the screen to show ${String(text)}`,
    5000,
    () => frame(r),
  );
}

/** Input handlers attach in an effect after the first render; keys sent before would be lost. */
async function ready(r: Rendered): Promise<void> {
  await until(() => r.stdin.listenerCount('readable') > 0, 'the input handler', 5000);
}

describe('login screen', () => {
  it('takes username and password, masks the password, and submits with Enter', async () => {
    const submitted: LoginValues[] = [];
    const r = render(
      <LoginScreen
        initialServer="127.0.0.1:7070"
        busy={false}
        width={80}
        onSubmit={(v) => submitted.push(v)}
      />,
    );
    await ready(r);
    await shows(r, 'sign in');
    assert.match(frame(r), /Server\s+127\.0\.0\.1:7070/);
    assert.match(frame(r), /› Username/);
    r.stdin.write('alice');
    await shows(r, /Username\s+alice/);
    r.stdin.write('\r');
    await shows(r, /› Password/);
    r.stdin.write('s3cret pw');
    await shows(r, /Password\s+•••••••••/);
    assert.ok(!frame(r).includes('s3cret'), 'the password is never drawn');
    r.stdin.write('\r');
    await until(() => submitted.length === 1, 'the submit');
    assert.deepEqual(submitted[0], {
      server: '127.0.0.1:7070',
      username: 'alice',
      password: 's3cret pw',
      register: false,
    });
  });

  it('switches to registering with Ctrl+R and edits the server field', async () => {
    const submitted: LoginValues[] = [];
    const r = render(
      <LoginScreen
        initialServer="127.0.0.1:7070"
        initialUsername="bob"
        busy={false}
        width={80}
        onSubmit={(v) => submitted.push(v)}
      />,
    );
    await ready(r);
    await shows(r, /› Password/);
    r.stdin.write('\x12'); // Ctrl+R
    await shows(r, 'create an account');
    r.stdin.write('\t'); // Tab wraps from the password to the server field
    await shows(r, /› Server/);
    r.stdin.write('\x7f\x7f\x7f\x7f'); // Backspace × 4 (terminals send DEL)
    await shows(r, /Server\s+127\.0\.0\.1:\s/);
    r.stdin.write('9999');
    await shows(r, /Server\s+127\.0\.0\.1:9999/);
    // Text and Enter arriving in one chunk (a fast typist, or tmux) are separate keys.
    r.stdin.write('\t\tpw\r');
    await until(() => submitted.length === 1, 'the submit');
    assert.deepEqual(submitted[0], {
      server: '127.0.0.1:9999',
      username: 'bob',
      password: 'pw',
      register: true,
    });
  });

  it('says what is missing instead of submitting, ignores keys while busy, and shows errors', async () => {
    const submitted: LoginValues[] = [];
    const screen = (busy: boolean, error?: string) => (
      <LoginScreen
        initialServer="h:1"
        busy={busy}
        error={error}
        width={80}
        onSubmit={(v) => submitted.push(v)}
      />
    );
    const r = render(screen(false));
    await ready(r);
    r.stdin.write('\t'); // to the password field with an empty username
    await shows(r, /› Password/);
    r.stdin.write('pw\r');
    await shows(r, 'server, username and password are all needed');
    assert.match(frame(r), /› Username/);
    assert.equal(submitted.length, 0);
    // Enter on the username field submits once the password is there.
    r.stdin.write('carol\r');
    await until(() => submitted.length === 1, 'the submit');
    assert.equal(submitted[0]?.username, 'carol');

    r.rerender(screen(true));
    await shows(r, 'signing in…');
    assert.ok(!frame(r).includes('all needed'), 'the old problem is gone');
    r.stdin.write('x');
    r.rerender(screen(false, 'wrong username or password'));
    await shows(r, 'wrong username or password');
    assert.match(frame(r), /Username\s+carol\s*\n/, 'keys pressed while busy were ignored');
  });
});

function item(title: string, extra: Partial<ConversationItem> = {}): ConversationItem {
  return {
    key: `0:${title}`,
    ref: { type: ConversationType.SINGLE, target: title },
    title,
    unread: 0,
    online: undefined,
    typing: false,
    muted: false,
    ...extra,
  };
}

describe('conversation list', () => {
  it('shows unread counts, presence, typing and the open conversation', () => {
    const items = [
      item('bob', { unread: 3, online: true }),
      item('carol', { online: false, typing: true }),
      { ...item('#general'), ref: { type: ConversationType.CHATROOM, target: 'general' }, unread: 1200 },
    ];
    const r = render(<ConversationList items={items} activeKey="0:carol" width={24} height={6} />);
    const lines = frame(r).split('\n');
    assert.equal(lines[0]?.trim(), 'Conversations');
    assert.match(lines[1] ?? '', /^ ● bob 3\s*$/);
    assert.match(lines[2] ?? '', /^›○ carol ✎\s*$/);
    assert.match(lines[3] ?? '', /^ {3}#general 999\+\s*$/);
  });

  it('keeps the open conversation in view when the list is long', () => {
    const items = Array.from({ length: 30 }, (_, i) => item(`user${String(i)}`));
    const r = render(<ConversationList items={items} activeKey="0:user25" width={20} height={6} />);
    const text = frame(r);
    assert.match(text, /›\s+user25/);
    assert.ok(!text.includes('user0 '), 'the top of the list scrolled away');
    assert.equal(text.split('\n').length, 6);
  });

  it('tells how to start when there is nothing', () => {
    const r = render(<ConversationList items={[]} activeKey={undefined} width={24} height={4} />);
    assert.match(frame(r), /none yet: \/dm or \/join/);
  });
});

function line(seq: number, sender: string, text: string, extra: Partial<ChatLine> = {}): ChatLine {
  return {
    id: `s${String(seq)}`,
    kind: 'message',
    seq: BigInt(seq),
    time: new Date(2025, 0, 31, 9, 5).getTime(),
    sender,
    mine: false,
    text,
    edited: false,
    recalled: false,
    read: false,
    ...extra,
  };
}

function conversation(lines: ChatLine[], extra: Partial<ActiveConversation> = {}): ActiveConversation {
  return {
    key: '0:2',
    title: 'bob',
    subtitle: 'direct · online',
    lines,
    hasMore: false,
    loading: false,
    typing: undefined,
    ...extra,
  };
}

function pane(c: ActiveConversation | undefined, height: number, scroll = 0, width = 60) {
  return (
    <ChatPane
      conversation={c}
      rows={paneRows(c?.lines ?? [], width - 1)}
      width={width}
      height={height}
      scroll={scroll}
    />
  );
}

describe('chat pane', () => {
  it('draws messages with sender, time, seq, read marks and states', () => {
    const c = conversation(
      [
        line(1, 'bob', 'hi alice'),
        line(2, 'alice', 'hello bob', { mine: true, read: true }),
        line(3, 'alice', 'are you there?', { mine: true }),
        line(4, 'bob', 'oops', { recalled: true, text: '(message recalled)' }),
        line(5, 'bob', 'bob recalled a message', { kind: 'system' }),
        line(6, 'bob', 'better now', { edited: true }),
        { ...line(0, 'alice', 'on its way'), id: 'p1', kind: 'pending', seq: undefined, mine: true },
        {
          ...line(0, 'alice', 'refused  (not sent: FORBIDDEN)'),
          id: 'p2',
          kind: 'failed',
          seq: undefined,
          mine: true,
        },
      ],
      { typing: 'bob is typing…' },
    );
    const text = frame(render(pane(c, 14)));
    assert.match(text, /bob\s+direct · online/);
    assert.match(text, /— beginning of the conversation —/);
    assert.match(text, /#1 09:05 bob: hi alice\n/);
    assert.match(text, /#2 09:05 alice: hello bob ✓✓/);
    assert.match(text, /#3 09:05 alice: are you there\? ✓\n/);
    assert.match(text, /#4 09:05 bob: \(message recalled\)\n/);
    assert.match(text, /#5 09:05 \* bob recalled a message/);
    assert.match(text, /#6 09:05 bob: better now \(edited\)/);
    assert.match(text, /09:05 alice: on its way …/);
    assert.match(text, /09:05 alice: refused {2}\(not sent: FORBIDDEN\)/);
    assert.match(text, /bob is typing…/);
  });

  it('shows the newest rows, scrolls back, and says when older ones can be loaded', () => {
    const lines = Array.from({ length: 40 }, (_, i) =>
      line(i + 11, 'bob', `message number ${String(i + 11)}`),
    );
    const c = conversation(lines, { hasMore: true });
    const bottom = frame(render(pane(c, 8)));
    assert.match(bottom, /message number 50/);
    assert.ok(!bottom.includes('message number 44'), 'only what fits is drawn');
    assert.ok(!bottom.includes('PageUp'), 'not at the top yet');

    const scrolled = frame(render(pane(c, 8, 10)));
    assert.match(scrolled, /message number 40/);
    assert.ok(!scrolled.includes('message number 50'));
    assert.match(scrolled, /scrolled \(10 rows/);

    const top = frame(render(pane(c, 8, 1000)));
    assert.match(top, /— PageUp loads older messages —\n.*message number 11\n/);
    const loading = frame(render(pane({ ...c, loading: true }, 8, 1000)));
    assert.match(loading, /loading older messages/);
  });

  it('wraps long messages under their first line', () => {
    const long = 'word '.repeat(30).trim();
    const text = frame(render(pane(conversation([line(1, 'bob', long)]), 10, 0, 40)));
    const rows = text.split('\n').filter((l) => l.includes('word'));
    assert.ok(rows.length >= 4, text);
    for (const row of rows.slice(1)) assert.match(row, /^ {3}word/);
  });

  it('explains what to do when no conversation is open', () => {
    assert.match(frame(render(pane(undefined, 6))), /No conversation open/);
  });
});

describe('status bar, input line and panels', () => {
  it('shows the connection state', () => {
    const cases = [
      [ConnectionState.ONLINE, '● online'],
      [ConnectionState.RECONNECTING, '◌ reconnecting…'],
      [ConnectionState.CONNECTING, '◌ connecting…'],
      [ConnectionState.KICKED, '✕ signed in elsewhere'],
      [ConnectionState.UNAUTHENTICATED, '✕ session ended'],
    ] as const;
    for (const [state, label] of cases) {
      const text = frame(
        render(<StatusBar username="alice" server="127.0.0.1:7070" state={state} width={80} />),
      );
      assert.match(text, /parley · alice @ 127\.0\.0\.1:7070/);
      assert.ok(text.includes(label), `${state}: ${text}`);
    }
  });

  it('keeps the cursor in view and masks secrets', () => {
    const long = `${'x'.repeat(100)}END`;
    const text = frame(render(<InputLine state={{ value: long, cursor: long.length }} width={30} />));
    assert.match(text, /xEND/);
    assert.ok(text.length <= 31, text);
    const masked = frame(render(<InputLine state={{ value: 'pässwörd', cursor: 8 }} width={30} mask />));
    assert.match(masked, /•{8}/);
    const empty = frame(
      render(<InputLine state={{ value: '', cursor: 0 }} width={30} placeholder="message bob" />),
    );
    assert.match(empty, /message bob/);
  });

  it('lists the slash commands in the help panel and search hits in the search panel', () => {
    const help = frame(render(<Panel overlay={{ kind: 'help' }} width={90} height={26} />));
    for (const cmd of [
      '/dm',
      '/join',
      '/leave',
      '/group create',
      '/file',
      '/recall',
      '/edit',
      '/search',
      '/quit',
    ]) {
      assert.ok(help.includes(cmd), cmd);
    }
    const hits = [{ id: '1', where: '#general', sender: 'bob', time: Date.now(), text: 'the launch plan' }];
    const search = frame(
      render(<Panel overlay={{ kind: 'search', query: 'launch', hits }} width={90} height={8} />),
    );
    assert.match(search, /Search: launch {2}1 found/);
    assert.match(search, /#general · bob: the launch plan/);
    const pending = frame(
      render(<Panel overlay={{ kind: 'search', query: 'x', hits: undefined }} width={90} height={8} />),
    );
    assert.match(pending, /searching…/);
  });
});
