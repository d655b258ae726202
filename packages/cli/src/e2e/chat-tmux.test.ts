import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import {
  ContentType,
  ParleyClient,
  direct,
  tcpTransport,
  type Message,
  type RecallEvent,
  type TypingEvent,
} from '@parley/sdk/node';
import { until } from '../test-support/poll.js';
import { PARLEY_MAIN, PNG_1X1, TINY_PDF, assertBuilt } from '../test-support/parley-process.js';
import { TmuxSession, shellQuote } from '../test-support/tmux.js';

/**
 * The real `parley` program (the build) in a real terminal (tmux, 110×32), against a real server,
 * chatting with an SDK client both ways.
 */
describe('parley chat under tmux', () => {
  let server: InProcessServer;
  let dir: string;
  let bob: ParleyClient;
  let aliceId: bigint;
  const tmux = new TmuxSession(110, 32);
  const bobGot: Message[] = [];
  const bobTyping: TypingEvent[] = [];
  const bobRecalls: RecallEvent[] = [];

  // The shell tmux runs writes the program's exit code to a file: tmux's own
  // `#{pane_dead_status}` now and then stays empty after a clean exit (tmux 3.3a), which an
  // earlier version of this test took for a program that did not exit.
  const exitFile = (window: string) => join(dir, `exit-${window}`);
  const exitCode = (window: string) =>
    existsSync(exitFile(window)) ? readFileSync(exitFile(window), 'utf8').trim() : undefined;

  const command = (window: string) =>
    [
      'env -u CI -u CONTINUOUS_INTEGRATION -u PARLEY_SERVER -u PARLEY_HTTP',
      `PARLEY_CONFIG_DIR=${shellQuote(join(dir, 'config'))}`,
      'TERM=xterm-256color',
      shellQuote(process.execPath),
      shellQuote(PARLEY_MAIN),
      '--server',
      `127.0.0.1:${String(server.port)}`,
      '--http',
      `http://127.0.0.1:${String(server.httpPort)}`,
      `; echo "$?" > ${shellQuote(exitFile(window))}`,
    ].join(' ');

  before(async () => {
    assertBuilt();
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-tmux-'));
    const alice = new ParleyClient({ transport: tcpTransport({ port: server.port }) });
    aliceId = await alice.register('alice', 'alice-password-1');
    bob = new ParleyClient({ transport: tcpTransport({ port: server.port }) });
    await bob.register('bob', 'bob-password-1');
    await bob.login({ username: 'bob', password: 'bob-password-1' });
    bob.on('message', (m) => bobGot.push(m));
    bob.on('typing', (e) => bobTyping.push(e));
    bob.on('recall', (e) => bobRecalls.push(e));
    writeFileSync(join(dir, 'dot.png'), PNG_1X1);
    writeFileSync(join(dir, 'notes.pdf'), TINY_PDF);
  });

  after(async () => {
    tmux.kill();
    bob.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in through the login screen', async () => {
    tmux.start('chat', command('chat'));
    await tmux.waitFor('chat', 'sign in');
    tmux.type('chat', 'alice');
    await tmux.waitFor('chat', /Username alice/);
    tmux.press('chat', 'Enter');
    await tmux.waitFor('chat', /› Password/);
    tmux.type('chat', 'alice-password-1');
    tmux.press('chat', 'Enter');
    const screen = await tmux.waitFor('chat', '● online');
    assert.match(screen, /parley · alice @ 127\.0\.0\.1:\d+/);
    assert.match(screen, /none yet: \/dm or \/join/);
    assert.equal(tmux.format('chat', '#{window_bell_flag}'), '0');
  });

  it('shows a message from the SDK client, with a bell, presence and the typing indicator', async () => {
    await bob.messages.sendText(direct(aliceId), 'hi alice, from the SDK');
    // Nothing was open: the new conversation opens by itself.
    await tmux.waitFor('chat', /bob: hi alice, from the SDK/);
    // The peer's name and presence come from a profile lookup, a moment later.
    await tmux.waitFor('chat', /│ bob {2}direct · online\n›● bob /);
    await until(() => tmux.format('chat', '#{window_bell_flag}') === '1', 'the terminal bell');
    await bob.messages.typing(direct(aliceId));
    await tmux.waitFor('chat', 'bob is typing…');
  });

  it('sends to the SDK client with emoji shortcodes and a typing signal, and shows read marks', async () => {
    tmux.type('chat', 'hello bob :wave:');
    await tmux.waitFor('chat', /› hello bob 👋/);
    await until(() => bobTyping.some((e) => e.userId === aliceId), 'bob to see alice typing');
    tmux.press('chat', 'Enter');
    const got = await until(
      () => bobGot.find((m) => m.messageContent?.text === 'hello bob 👋'),
      'bob to receive it',
    );
    assert.equal(got.senderId, aliceId);
    await tmux.waitFor('chat', /alice: hello bob 👋 ✓\s*$/m);
    await bob.messages.markRead(direct(aliceId), got.seq);
    await tmux.waitFor('chat', /alice: hello bob 👋 ✓✓/);
  });

  it('uploads files with /file: the SDK client gets an IMAGE and a FILE', async () => {
    tmux.type('chat', `/file ${join(dir, 'dot.png')}`);
    tmux.press('chat', 'Enter');
    const image = await until(
      () => bobGot.find((m) => m.messageContent?.contentType === ContentType.IMAGE),
      'bob to receive the image',
      15_000,
    );
    const media = image.messageContent?.media;
    assert.equal(media?.mime, 'image/png');
    // (assert.equal narrows: media is known to be there from here on.)
    assert.equal(media.name, 'dot.png');
    assert.match(media.url, /^\/api\/v1\/media\/[A-Za-z0-9_-]+$/);
    const download = await fetch(`http://127.0.0.1:${String(server.httpPort)}${media.url}`, {
      headers: { authorization: `Bearer ${bob.token ?? ''}` },
    });
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), PNG_1X1);
    await tmux.waitFor('chat', /alice: \[image\] dot\.png 1×1/);

    tmux.type('chat', `/file ${join(dir, 'notes.pdf')}`);
    tmux.press('chat', 'Enter');
    const file = await until(
      () => bobGot.find((m) => m.messageContent?.contentType === ContentType.FILE),
      'bob to receive the file',
      15_000,
    );
    assert.equal(file.messageContent?.media?.mime, 'application/pdf');
    await tmux.waitFor('chat', /alice: \[file\] notes\.pdf/);

    tmux.type('chat', `/file ${join(dir, 'missing.png')}`);
    tmux.press('chat', 'Enter');
    await tmux.waitFor('chat', /cannot read .*missing\.png: ENOENT/);
  });

  it('recalls with /recall, joins rooms with /join, and counts unread messages elsewhere', async () => {
    tmux.type('chat', '/recall');
    tmux.press('chat', 'Enter');
    const recall = await until(() => bobRecalls[0], 'bob to see the recall');
    assert.equal(recall.actorId, aliceId);
    await tmux.waitFor('chat', /alice: \(message recalled\)/);

    tmux.type('chat', '/join lobby');
    tmux.press('chat', 'Enter');
    await tmux.waitFor('chat', /lobby {2}chatroom/);
    await bob.messages.sendText(direct(aliceId), 'while you are in the lobby');
    const screen = await tmux.waitFor('chat', /new message from bob in bob/);
    assert.match(screen, /● bob 1/);
    tmux.press('chat', 'Tab');
    await tmux.waitFor('chat', /bob: while you are in the lobby/);
    // Opening the chat read it: the unread count is gone and bob is told.
    await until(
      () => !/● bob 1/.test(tmux.screen('chat')) && tmux.screen('chat').includes('›● bob'),
      'the unread count to clear',
    );
  });

  it('quits with /quit, then resumes the saved session without the login screen', async () => {
    tmux.type('chat', '/quit');
    tmux.press('chat', 'Enter');
    assert.equal(await until(() => exitCode('chat'), 'parley to exit after /quit'), '0');
    await until(() => tmux.format('chat', '#{pane_dead}') === '1', 'the pane to close');
    const session = join(dir, 'config', 'session.json');
    if (process.platform !== 'win32') assert.equal(statSync(session).mode & 0o777, 0o600);

    tmux.start('again', command('again'));
    const screen = await tmux.waitFor('again', '● online');
    assert.ok(!screen.includes('sign in'));
    // The history of the open conversation is loaded from the server.
    await tmux.waitFor('again', /bob: while you are in the lobby/);
  });

  it('keeps working across a dropped connection (the resumed session)', async () => {
    assert.ok(server.dropConnections(aliceId) > 0);
    await bob.messages.sendText(direct(aliceId), 'sent after the drop');
    const screen = await tmux.waitFor('again', /bob: sent after the drop/, 30_000);
    assert.match(screen, /● online/);
    tmux.type('again', 'still here');
    tmux.press('again', 'Enter');
    await until(() => bobGot.find((m) => m.messageContent?.text === 'still here'), 'bob to get the reply');
    await tmux.waitFor('again', /alice: still here ✓/);
  });
});
