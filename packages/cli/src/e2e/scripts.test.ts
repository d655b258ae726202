import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import {
  ContentType,
  ParleyClient,
  TokenRevokedError,
  chatroom,
  direct,
  group,
  tcpTransport,
  type Message,
} from '@parley/sdk/node';
import { until } from '../test-support/poll.js';
import {
  PNG_1X1,
  TINY_PDF,
  assertBuilt,
  parleyEnv,
  runParley,
  startParley,
  type RunningParley,
} from '../test-support/parley-process.js';

/**
 * The scriptable subcommands as real processes (the built `parley`) against a real server, with
 * an SDK client on the other side.
 */
describe('parley login / send / tail --json / history / logout', () => {
  let server: InProcessServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let flags: string[];
  let bob: ParleyClient;
  const bobGot: Message[] = [];
  let tail: RunningParley | undefined;

  before(async () => {
    assertBuilt();
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-scripts-'));
    env = parleyEnv(join(dir, 'config'));
    flags = [
      '--server',
      `127.0.0.1:${String(server.port)}`,
      '--http',
      `http://127.0.0.1:${String(server.httpPort)}`,
    ];
    bob = new ParleyClient({ transport: tcpTransport({ port: server.port }) });
    await bob.register('bob', 'bob-password-1');
    await bob.login({ username: 'bob', password: 'bob-password-1' });
    bob.on('message', (m) => bobGot.push(m));
  });

  after(async () => {
    if (tail !== undefined && tail.child.exitCode === null) {
      tail.child.kill('SIGKILL');
      await tail.exited;
    }
    bob.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to work without a session, and explains usage mistakes', async () => {
    const none = await runParley(['send', 'bob', 'hi', ...flags], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /not signed in: run `parley login` first/);
    const usage = await runParley(['send'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /missing <to>[\s\S]*parley send --help/);
    const unknown = await runParley(['tail', '--jsn'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--jsn'/);
    const badCommand = await runParley(['sned'], env);
    assert.equal(badCommand.code, 2);
    assert.match(badCommand.stderr, /unknown command "sned"/);
    const noTty = await runParley(['login', ...flags], env);
    assert.equal(noTty.code, 2);
    assert.match(noTty.stderr, /--username is required when stdin is not a terminal/);
    for (const command of ['login', 'register', 'send', 'tail', 'history', 'logout', 'chat']) {
      const help = await runParley([command, '--help'], env);
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, /^Usage: parley/, command);
    }
  });

  it('registers, saving the session only its owner can read', async () => {
    const wrong = await runParley(['login', '--username', 'alice', '--password-stdin', ...flags], env, {
      input: 'nope-nope\n',
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /wrong username or password/);

    const res = await runParley(['register', '--username', 'alice', '--password-stdin', ...flags], env, {
      input: 'alice-password-1\n',
    });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /registered and signed in as alice \(user id \d+\)/);
    const file = join(dir, 'config', 'session.json');
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);

    // A fresh password login works too and replaces the saved tokens.
    const again = await runParley(['login', '--username', 'alice', ...flags], {
      ...env,
      PARLEY_PASSWORD: 'alice-password-1',
    });
    assert.equal(again.code, 0, again.stderr);
  });

  it('tail --json prints what arrives after it started, once, with reply addresses', async () => {
    const aliceId = (await bob.users.search('alice')).find((u) => u.username === 'alice')?.userId;
    assert.ok(aliceId !== undefined);
    // Sent before tail starts: history, not news.
    await bob.messages.sendText(direct(aliceId), 'an old message');

    // No --server: the saved session says where.
    tail = startParley(['tail', '--json'], env);
    const t = tail;
    await until(
      () => t.stderrLines.some((l) => l.includes('listening as alice')),
      'tail to listen',
      20_000,
      () => t.stderrLines.join('\n'),
    );
    await bob.messages.sendText(direct(aliceId), 'hello from bob');
    const team = await bob.groups.create({ name: 'Team', memberIds: [aliceId] });
    await bob.messages.sendText(group(team.groupId), 'hello team');

    const parsed = () => t.stdoutLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    await until(
      () => parsed().some((j) => j['text'] === 'hello team'),
      'the group message',
      10_000,
      () => t.stdoutLines.join('\n'),
    );
    const lines = parsed();
    assert.ok(!lines.some((j) => j['text'] === 'an old message'), 'history is not replayed');
    const dm = lines.find((j) => j['text'] === 'hello from bob');
    assert.deepEqual(
      {
        to: dm?.['to'],
        sender: dm?.['sender'],
        own: dm?.['own'],
        contentType: dm?.['contentType'],
        conversation: dm?.['conversation'],
      },
      {
        to: '@bob',
        sender: 'bob',
        own: false,
        contentType: 'text',
        conversation: { type: 'single', target: String(bob.userId) },
      },
    );
    const inGroup = lines.find((j) => j['text'] === 'hello team');
    assert.equal(inGroup?.['to'], `#${team.groupId}`);
    assert.equal(lines.filter((j) => j['text'] === 'hello from bob').length, 1);
  });

  it('send reaches the SDK client: text to a user, a file, and a chatroom message', async () => {
    const t = tail;
    assert.ok(t !== undefined);
    const text = await runParley(['send', 'bob', 'reply', 'from', 'the', 'shell'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /sent to bob \(seq \d+\)/);
    const got = await until(
      () => bobGot.find((m) => m.messageContent?.text === 'reply from the shell'),
      'bob to get the reply',
    );
    assert.equal(got.conversation?.type, 0);
    assert.equal(got.senderId > 0n && got.senderId !== bob.userId, true);

    const png = join(dir, 'dot.png');
    writeFileSync(png, PNG_1X1);
    const file = await runParley(['send', '@bob', '--file', png, '--json'], env);
    assert.equal(file.code, 0, file.stderr);
    const printed = JSON.parse(file.stdout) as { contentType: string; media: { url: string; mime: string } };
    assert.equal(printed.contentType, 'image');
    assert.equal(printed.media.mime, 'image/png');
    const image = await until(
      () => bobGot.find((m) => m.messageContent?.contentType === ContentType.IMAGE),
      'bob to get the image',
    );
    assert.equal(image.messageContent?.media?.url, printed.media.url);
    assert.equal(image.messageContent.media.name, 'dot.png');
    assert.equal(image.messageContent.media.width, 1);
    // Bob, a member of the conversation, may download it: the upload really happened.
    const download = await fetch(`http://127.0.0.1:${String(server.httpPort)}${printed.media.url}`, {
      headers: { authorization: `Bearer ${bob.token ?? ''}` },
    });
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), PNG_1X1);

    const pdf = join(dir, 'notes.pdf');
    writeFileSync(pdf, TINY_PDF);
    assert.equal((await runParley(['send', 'bob', '--file', pdf], env)).code, 0);
    const doc = await until(
      () => bobGot.find((m) => m.messageContent?.contentType === ContentType.FILE),
      'bob to get the file',
    );
    assert.equal(doc.messageContent?.media?.mime, 'application/pdf');

    // Text from stdin; a chatroom is joined on the way.
    await bob.chatrooms.join('lobby');
    const room = await runParley(['send', '#lobby', '-'], env, { input: 'piped into the lobby\n' });
    assert.equal(room.code, 0, room.stderr);
    const inRoom = await until(
      () => bobGot.find((m) => m.messageContent?.text === 'piped into the lobby'),
      'the room message',
    );
    assert.deepEqual(
      { type: inRoom.conversation?.type, target: inRoom.conversation?.target },
      chatroom('lobby'),
    );

    // Own messages are not echoed by tail: the next line it prints is bob's answer.
    const before = t.stdoutLines.length;
    const aliceId = got.senderId;
    await bob.messages.sendText(direct(aliceId), 'answer after your sends');
    await until(() => t.stdoutLines.length > before, 'tail to print the answer');
    const next = JSON.parse(t.stdoutLines[before] ?? '{}') as { text?: string };
    assert.equal(next.text, 'answer after your sends');
  });

  it('reports a bad target or file clearly', async () => {
    const nobody = await runParley(['send', 'nosuchuser', 'hi'], env);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no user named "nosuchuser"/);
    const missing = await runParley(['send', 'bob', '--file', join(dir, 'absent.png')], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*absent\.png: ENOENT/);
    const html = join(dir, 'page.png');
    writeFileSync(html, '<html><script>alert(1)</script></html>');
    const refused = await runParley(['send', 'bob', '--file', html], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /UNSUPPORTED/);
    const notMember = await runParley(['history', '#123456789'], env);
    assert.equal(notMember.code, 1);
    assert.match(notMember.stderr, /NOT_FOUND/);
  });

  it('history prints the conversation oldest first, as text or JSON', async () => {
    const json = await runParley(['history', '@bob', '--json', '--limit', '50'], env);
    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; text: string; sender: string; contentType: string });
    const seqs = lines.map((l) => l.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    const texts = lines.map((l) => l.text);
    for (const t of ['an old message', 'hello from bob', 'reply from the shell', 'answer after your sends']) {
      assert.ok(texts.includes(t), t);
    }
    assert.deepEqual(
      lines.filter((l) => l.contentType !== 'text').map((l) => l.contentType),
      ['image', 'file'],
    );
    const text = await runParley(['history', 'bob', '--limit', '2'], env);
    assert.equal(text.code, 0);
    const shown = text.stdout.trim().split('\n');
    assert.equal(shown.length, 2);
    assert.match(
      shown[1] ?? '',
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] @bob #\d+ bob: answer after your sends$/,
    );
  });

  it('tail stops on SIGTERM, and logout revokes the tokens', async () => {
    const t = tail;
    assert.ok(t !== undefined);
    t.child.kill('SIGTERM');
    assert.equal(await t.exited, 0);

    const session = JSON.parse(readFileSync(join(dir, 'config', 'session.json'), 'utf8')) as {
      token: string;
    };
    const out = await runParley(['logout'], env);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /signed out alice/);
    const after = await runParley(['send', 'bob', 'hi'], env);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /not signed in/);
    const stale = new ParleyClient({ transport: tcpTransport({ port: server.port }) });
    await assert.rejects(stale.login({ token: session.token }), TokenRevokedError);
    stale.close();
  });
});
