import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Command, ContentType, MessageSchema, SendResultSchema } from '@parley/protocol';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';
import { Dialect } from '../dialect.js';
import { createImpConnection } from './imp-connection.js';

/** A line-based TCP client, as `nc` would be: raw bytes out, raw lines in. */
class LineClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<LineClient> {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new LineClient(socket);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async until<T>(take: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = take();
      if (got !== undefined) return got;
      if (this.closed) throw new Error(`closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; buffered ${JSON.stringify(this.buf.toString())}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** The next line, without its CRLF. */
  line(): Promise<string> {
    return this.until(() => {
      const at = this.buf.indexOf(0x0a);
      if (at === -1) return undefined;
      const text = this.buf.subarray(0, at).toString('utf8').replace(/\r$/, '');
      this.buf = this.buf.subarray(at + 1);
      return text;
    }, 'a line');
  }

  bytes(n: number): Promise<Buffer> {
    return this.until(() => {
      if (this.buf.length < n) return undefined;
      const out = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      return out;
    }, `${n} bytes`);
  }

  /** Sends a command line and answers the reply line. */
  async command(line: string): Promise<string> {
    this.send(`${line}\r\n`);
    return this.line();
  }

  /** MSG with the right byte length. */
  async msg(kind: 'CHN' | 'USER', id: string, text: string): Promise<string> {
    this.send(`MSG ${kind} ${id} ${Buffer.byteLength(text)}\r\n${text}`);
    return this.line();
  }

  /** The next delivered message: its header line and its payload, checking the byte length. */
  async delivery(): Promise<{ head: string; text: string; length: number }> {
    const head = await this.line();
    const m = /^MSG (CHN #\S+ @\S+|USER @\S+) ([0-9]+)$/.exec(head);
    if (m === null) throw new Error(`not a MSG line: ${head}`);
    const length = Number(m[2]);
    const payload = await this.bytes(length);
    return { head: `MSG ${m[1] ?? ''}`, text: payload.toString('utf8'), length };
  }

  /** Resolves when the server closed the connection. */
  async waitClosed(): Promise<void> {
    await this.until(() => (this.closed ? true : undefined), 'close').catch((err: unknown) => {
      if (!this.closed) throw err;
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

describe('IMP dialect over TCP', () => {
  let server: InProcessServer;
  const open: { destroy(): void }[] = [];
  const imp = async (): Promise<LineClient> => {
    const c = await LineClient.connect(server.port);
    open.push(c);
    return c;
  };
  const native = async (): Promise<NativeTestClient> => {
    const c = await NativeTestClient.connect(server.port);
    open.push(c);
    return c;
  };
  const reg = async (name: string): Promise<LineClient> => {
    const c = await imp();
    assert.equal(await c.command(`REG @${name} ${name}-password`), 'OK');
    return c;
  };

  before(async () => {
    server = await startTestServer();
    server.app.gateway.register(Dialect.IMP, createImpConnection);
  });
  after(async () => {
    for (const c of open) c.destroy();
    await server.stop();
  });

  it('lets two users chat with only lines: REG, JOIN, CHNS, USERS, MSG CHN/USER, LEAVE, PING, QUIT', async () => {
    const alice = await reg('alice');
    const bob = await reg('bob');
    assert.equal(await alice.command('JOIN #general'), 'OK');
    assert.equal(await bob.command('JOIN general'), 'OK');
    assert.equal(await alice.command('CHNS'), 'CHNS #general');
    assert.equal(await bob.command('USERS #general'), 'USERS #general @alice @bob');

    assert.equal(await alice.msg('CHN', '#general', 'hello everyone'), 'OK');
    assert.deepEqual(await bob.delivery(), {
      head: 'MSG CHN #general @alice',
      text: 'hello everyone',
      length: 14,
    });

    const multiLine = 'line one\r\nJOIN #trap\r\nline three';
    assert.equal(await bob.msg('USER', '@alice', multiLine), 'OK');
    const got = await alice.delivery();
    assert.equal(got.head, 'MSG USER @bob');
    assert.equal(got.text, multiLine);

    assert.equal(await alice.command('LEAVE #general'), 'OK');
    assert.equal(await bob.command('USERS #general'), 'USERS #general @bob');
    assert.equal(await alice.msg('CHN', 'general', 'still here?'), 'ERR join #general first');
    assert.equal(await alice.command('PING 1'), 'PONG 1');
    assert.equal(await alice.command('QUIT'), 'OK');
    await alice.waitClosed();
    assert.equal(await bob.command('PING'), 'PONG');
  });

  it('answers ERR for each malformed command and keeps the connection open', async () => {
    const c = await imp();
    const cases: [string, RegExp][] = [
      ['JOIN #x', /^ERR register first$/],
      ['CHNS', /^ERR register first$/],
      ['REG @guest', /^ERR guests are not enabled/],
      ['REG', /^ERR usage: REG/],
      ['REG @x short', /^ERR /],
      ['HELLO world', /^ERR unknown command HELLO$/],
      ['MSG CHN', /^ERR usage: MSG/],
      ['MSG CHN x many', /^ERR usage: MSG/],
    ];
    for (const [line, expected] of cases) assert.match(await c.command(line), expected, line);
    // A MSG with a bad target: its payload is consumed, never read as a command.
    c.send('MSG BAD x 9\r\nJOIN #bad');
    assert.equal(await c.line(), 'ERR MSG target must be CHN or USER');

    assert.equal(await c.command('REG @mallory mallory-password'), 'OK');
    const after: [string, RegExp][] = [
      ['REG @other other-password', /^ERR already registered as @mallory$/],
      ['JOIN', /^ERR usage: JOIN/],
      ['JOIN #.bad', /^ERR chatroom names/],
      ['JOIN #g:1', /^ERR groups are joined by invitation/],
      ['LEAVE #nowhere', /^ERR /],
      ['USERS #nowhere', /^ERR you are not in #nowhere$/],
      ['CHNS please', /^ERR usage: CHNS$/],
    ];
    for (const [line, expected] of after) assert.match(await c.command(line), expected, line);
    assert.match(await c.msg('USER', 'nobody-here', 'hi'), /^ERR no such user @nobody-here$/);
    assert.match(await c.msg('CHN', 'nowhere', 'hi'), /^ERR join #nowhere first$/);
    assert.match(await c.msg('CHN', 'nowhere', ''), /^ERR /);
    c.send(Buffer.concat([Buffer.from('MSG USER mallory 2\r\n'), Buffer.from([0xff, 0xfe])]));
    assert.equal(await c.line(), 'ERR the message is not valid UTF-8');

    // A wrong password for a taken handle.
    const d = await imp();
    assert.equal(await d.command('REG @mallory wrong-password'), 'ERR wrong username or password');
    assert.equal(await d.command('PING'), 'PONG');
    assert.equal(await c.command('PING'), 'PONG');
    assert.equal(c.closed || d.closed, false);
  });

  it('accepts lower-case commands', async () => {
    const c = await imp();
    assert.equal(await c.command('reg @carol carol-password'), 'OK');
    assert.equal(await c.command('join #x'), 'OK');
    assert.match(await c.command('chns'), /^CHNS .*#x( |$)/);
    assert.equal(await c.command('users x'), 'USERS #x @carol');
    c.send('msg chn x 2\r\nhi');
    assert.equal(await c.line(), 'OK');
    assert.equal(await c.command('leave #X'), 'OK');
    assert.equal(await c.command('ping'), 'PONG');
  });

  it('carries messages both ways between IMP and native, with non-ASCII and emoji intact', async () => {
    const nina = await native();
    await nina.register('nina', 'nina-password');
    await nina.login('nina', 'nina-password', 'nina-pc');
    const ivan = await reg('ivan');

    const toNative = 'Grüße aus Köln — 你好 🎉👍🏽';
    assert.equal(await ivan.msg('USER', 'NINA', toNative), 'OK');
    await nina.waitFor(() => nina.pushedMessages().length === 1, 5000, 'push to nina');
    const pushed = nina.pushedMessages()[0];
    assert.equal(pushed?.messageContent?.text, toNative);
    assert.equal(pushed.senderName, 'ivan');

    const toImp = 'Привет! ñandú 😀 𝄞';
    await nina.sendText(pushed.senderId, toImp, 'nina-1');
    const got = await ivan.delivery();
    assert.equal(got.head, 'MSG USER @nina');
    assert.equal(got.text, toImp);
    assert.equal(got.length, Buffer.byteLength(toImp));

    // Non-text content becomes a readable line.
    await nina.request(
      Command.MS,
      MessageSchema,
      {
        clientMsgId: 'nina-2',
        conversation: { type: 0, target: String(pushed.senderId) },
        messageContent: { contentType: ContentType.IMAGE, media: { url: 'https://example.com/cat.png' } },
      },
      SendResultSchema,
    );
    assert.deepEqual(await ivan.delivery(), {
      head: 'MSG USER @nina',
      text: '[image] https://example.com/cat.png',
      length: 35,
    });
  });

  it('delivers offline messages on REG, once', async () => {
    const olga = await reg('olga');
    assert.equal(await olga.command('JOIN #lounge'), 'OK');
    assert.equal(await olga.command('QUIT'), 'OK');
    await olga.waitClosed();

    const pete = await reg('pete');
    assert.equal(await pete.command('JOIN #lounge'), 'OK');
    assert.equal(await pete.msg('USER', 'olga', 'first ✓'), 'OK');
    assert.equal(await pete.msg('CHN', 'lounge', 'in the lounge 🛋'), 'OK');
    assert.equal(await pete.msg('USER', 'olga', 'second ✓'), 'OK');

    const again = await imp();
    assert.equal(await again.command('REG @olga olga-password'), 'OK');
    assert.deepEqual(
      [await again.delivery(), await again.delivery(), await again.delivery()].map(
        (d) => `${d.head}: ${d.text}`,
      ),
      ['MSG USER @pete: first ✓', 'MSG CHN #lounge @pete: in the lounge 🛋', 'MSG USER @pete: second ✓'],
    );
    // Live messages still arrive, and count as read too.
    assert.equal(await pete.msg('USER', 'olga', 'live'), 'OK');
    assert.equal((await again.delivery()).text, 'live');
    assert.equal(await again.command('QUIT'), 'OK');
    await again.waitClosed();

    // Nothing is delivered twice.
    const third = await imp();
    assert.equal(await third.command('REG @olga olga-password'), 'OK');
    assert.equal(await third.command('PING'), 'PONG');
  });

  it('tells a replaced session it signed in elsewhere, then closes it', async () => {
    const first = await reg('quinn');
    const second = await reg('quinn');
    assert.equal(await first.line(), 'ERR signed in elsewhere');
    await first.waitClosed();
    assert.equal(await second.command('PING'), 'PONG');
  });

  it('closes only the connection that sends an over-long line', async () => {
    const rita = await reg('rita');
    const sam = await reg('sam');
    rita.send('x'.repeat(5000));
    assert.match(await rita.line(), /^ERR line longer than 4096 bytes$/);
    await rita.waitClosed();
    assert.equal(await sam.command('PING'), 'PONG');
    const tess = await reg('tess');
    assert.equal(await sam.msg('USER', 'tess', 'still works'), 'OK');
    assert.deepEqual(await tess.delivery(), { head: 'MSG USER @sam', text: 'still works', length: 11 });
  });
});
