import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import {
  Command,
  ConversationType,
  GroupCreateRequestSchema,
  GroupInfoSchema,
  ImtpCommand,
  JimCommand,
  JimDecoder,
  MessageSchema,
  Platform,
  SendResultSchema,
  encodeJimAuth,
  encodeJimBody,
  encodeJimFrame,
  parseJimAuthOk,
  parseJimBody,
  type JimFrame,
} from '@parley/protocol';
import { NativeTestClient, startTestServer, type InProcessServer } from '@parley/testkit';
import { ImtpTestClient } from '../gateway/imtp/imtp-test-client.js';

/** What the matrix needs from a client of any dialect. */
interface ChatClient {
  readonly dialect: string;
  readonly userId: bigint;
  sendDirect(to: ChatClient, text: string): Promise<void>;
  sendGroup(groupId: string, text: string): Promise<void>;
  /** Every text received so far (direct or group). */
  texts(): string[];
  close(): void;
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let counter = 0;
const nextId = () => `interop-${++counter}`;

function nativeClient(dialect: string, c: NativeTestClient, userId: bigint): ChatClient {
  const send = async (type: number, target: string, text: string) => {
    await c.request(
      Command.MS,
      MessageSchema,
      { clientMsgId: nextId(), conversation: { type, target }, messageContent: { contentType: 1, text } },
      SendResultSchema,
    );
  };
  return {
    dialect,
    userId,
    sendDirect: (to, text) => send(ConversationType.SINGLE, String(to.userId), text),
    sendGroup: (groupId, text) => send(ConversationType.GROUP, groupId, text),
    texts: () => c.pushedMessages().map((m) => m.messageContent?.text ?? ''),
    close: () => {
      c.destroy();
    },
  };
}

function imtpClient(c: ImtpTestClient, userId: bigint): ChatClient {
  let ack = 1000n;
  const send = async (receiver: bigint, group: boolean, text: string) => {
    const state = await c.send(ImtpCommand.TEXT, receiver, text, ++ack, { group });
    assert.equal(state, 0, `IMTP send state for "${text}"`);
  };
  return {
    dialect: 'IMTP',
    userId,
    sendDirect: (to, text) => send(to.userId, false, text),
    sendGroup: (groupId, text) => send(BigInt(groupId), true, text),
    texts: () => c.messages().map((m) => m.text),
    close: () => {
      c.destroy();
    },
  };
}

/** A raw Jim client: jim1 frames, JSON bodies. */
async function jimClient(port: number, token: string, userId: bigint): Promise<ChatClient> {
  const socket = connect({ port, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  const decoder = new JimDecoder({ maxBodyLength: 1 << 20 });
  const frames: JimFrame[] = [];
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
    for (;;) {
      const r = decoder.next();
      if (r.kind !== 'frame') break;
      frames.push(r.frame);
    }
  });
  let requestId = 0;
  const write = (command: string, body: Uint8Array) => {
    const id = ++requestId;
    socket.write(encodeJimFrame({ command, requestId: id, body }));
    return id;
  };
  write(JimCommand.AUTH, encodeJimAuth({ clientId: 'jim-interop', token }));
  await waitUntil(() => frames.some((f) => f.command === JimCommand.AUTH_OK), 'Jim B002');
  assert.equal(
    parseJimAuthOk(frames.find((f) => f.command === JimCommand.AUTH_OK)?.body ?? new Uint8Array()).userId,
    String(userId),
  );
  const send = async (command: string, receiverId: string, text: string) => {
    const id = write(
      command,
      encodeJimBody({
        type: 'text',
        data: { senderId: '', senderName: '', senderAvatar: '', receiverId, content: text },
      }),
    );
    await waitUntil(
      () => frames.some((f) => f.requestId === id && f.command === command),
      `Jim ack for "${text}"`,
    );
    const answer = parseJimBody(
      frames.find((f) => f.requestId === id && f.command === command)?.body ?? new Uint8Array(),
    );
    assert.equal(answer.type, 'ack');
  };
  return {
    dialect: 'Jim',
    userId,
    sendDirect: (to, text) => send(JimCommand.C2C, String(to.userId), text),
    sendGroup: (groupId, text) => send(JimCommand.C2G, groupId, text),
    texts: () =>
      frames
        .filter((f) => f.requestId === 0 && (f.command === JimCommand.C2C || f.command === JimCommand.C2G))
        .map((f) => parseJimBody(f.body))
        .flatMap((b) => (b.type === 'text' ? [b.data.content] : [])),
    close: () => {
      socket.destroy();
    },
  };
}

/** A raw IMP client: text lines, as `nc` would. */
async function impClient(
  port: number,
  username: string,
  password: string,
  userId: bigint,
  usernameOf: (userId: bigint) => string,
): Promise<ChatClient> {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  let buffer = Buffer.alloc(0);
  const lines: string[] = [];
  const payloads: string[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const eol = buffer.indexOf('\n');
      if (eol < 0) return;
      const line = buffer.subarray(0, eol).toString('utf8').replace(/\r$/, '');
      const msg = /^MSG (?:CHN \S+|USER) @\S+ (\d+)$/.exec(line);
      if (msg !== null) {
        const length = Number(msg[1]);
        if (buffer.length < eol + 1 + length) return;
        payloads.push(buffer.subarray(eol + 1, eol + 1 + length).toString('utf8'));
        buffer = buffer.subarray(eol + 1 + length);
      } else {
        lines.push(line);
        buffer = buffer.subarray(eol + 1);
      }
    }
  });
  const command = async (text: string, payload?: string) => {
    const before = lines.length;
    const body = payload === undefined ? '' : payload;
    socket.write(payload === undefined ? `${text}\r\n` : `${text} ${Buffer.byteLength(body)}\r\n${body}`);
    await waitUntil(() => lines.length > before, `IMP answer to ${text}`);
    assert.equal(lines[before], 'OK', `IMP ${text}`);
  };
  await command(`REG @${username} ${password}`);
  return {
    dialect: 'IMP',
    userId,
    // IMP addresses users by name.
    sendDirect: (to, text) => command(`MSG USER @${usernameOf(to.userId)}`, text),
    sendGroup: (groupId, text) => command(`MSG CHN #g:${groupId}`, text),
    texts: () => payloads,
    close: () => {
      socket.destroy();
    },
  };
}

describe('interop: every dialect talks to every other', () => {
  let server: InProcessServer;
  const clients: ChatClient[] = [];
  let groupId = '';

  before(async () => {
    server = await startTestServer();
    const setup = await NativeTestClient.connect(server.port);
    const ids: Record<string, bigint> = {};
    for (const name of ['tcpuser', 'wsuser', 'imtpuser', 'jimuser', 'impuser']) {
      ids[name] = await setup.register(name, `${name}-password`);
    }
    const id = (name: string) => ids[name] ?? 0n;

    const tcp = await NativeTestClient.connect(server.port);
    await tcp.login('tcpuser', 'tcpuser-password', 'tcp-pc', Platform.PC);
    const ws = await NativeTestClient.connectWebSocket(server.httpPort);
    await ws.login('wsuser', 'wsuser-password', 'ws-browser', Platform.WEB);
    const imtp = await ImtpTestClient.connect(server.port);
    await imtp.login('imtpuser', 'imtpuser-password');
    // Jim authenticates with a token: get one from a native login of a bot device.
    const tokenSource = await NativeTestClient.connect(server.port);
    const jimLogin = await tokenSource.login('jimuser', 'jimuser-password', 'jim-bot', Platform.BOT);
    tokenSource.destroy();
    const jim = await jimClient(server.port, jimLogin.token, id('jimuser'));
    const nameOf = (userId: bigint) => Object.entries(ids).find(([, v]) => v === userId)?.[0] ?? '';
    const imp = await impClient(server.port, 'impuser', 'impuser-password', id('impuser'), nameOf);

    clients.push(
      nativeClient('native TCP', tcp, id('tcpuser')),
      nativeClient('native WS', ws, id('wsuser')),
      imtpClient(imtp, id('imtpuser')),
      jim,
      imp,
    );
    const group = await tcp.request(
      Command.GROUP_CREATE,
      GroupCreateRequestSchema,
      { name: 'everyone', memberIds: Object.values(ids).filter((v) => v !== id('tcpuser')) },
      GroupInfoSchema,
    );
    groupId = group.groupId;
    setup.destroy();
  });

  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  it('a direct message from each dialect reaches each other dialect with its text intact', async () => {
    for (const from of clients) {
      for (const to of clients) {
        if (from === to) continue;
        const text = `${from.dialect} → ${to.dialect}: grüße 你好 🎉 #${++counter}`;
        await from.sendDirect(to, text);
        await waitUntil(() => to.texts().includes(text), `${to.dialect} received "${text}"`);
      }
    }
  });

  it('a group message from each dialect reaches all the others', async () => {
    for (const from of clients) {
      const text = `group from ${from.dialect}: ¡hola! 👋 #${++counter}`;
      await from.sendGroup(groupId, text);
      for (const to of clients) {
        if (to === from) continue;
        await waitUntil(
          () => to.texts().includes(text),
          `${to.dialect} received the group text from ${from.dialect}`,
        );
      }
    }
  });
});
