import { connect, type Socket } from 'node:net';
import {
  ImtpCommand,
  ImtpDecoder,
  decodeImtpLoginResult,
  decodeImtpMessage,
  decodeImtpMsgRes,
  decodeImtpOfflineBody,
  encodeImtpAuth,
  encodeImtpFrame,
  encodeImtpLogin,
  encodeImtpMessage,
  isImtpMessageCommand,
  type ImtpFrame,
  type ImtpLoginResult,
  type ImtpMessageBody,
  type ImtpMetadata,
} from '@parley/protocol';

/** A message as an IMTP client sees it (a frame or an OFFLINE_RES entry). */
export interface ImtpReceived extends ImtpMessageBody {
  readonly cmd: number;
  readonly sender: bigint;
  readonly receiver: bigint;
  readonly group: boolean;
}

export interface ImtpSendOptions {
  readonly group?: boolean;
  readonly metadata?: ImtpMetadata;
  /** The sender field (defaults to the logged-in user). */
  readonly sender?: bigint;
  readonly timestamp?: bigint;
}

/** A small IMTP client for tests: real TCP, every frame logged, waiters re-checked per frame. */
export class ImtpTestClient {
  readonly frames: ImtpFrame[] = [];
  readonly closed: Promise<void>;
  userId = 0n;
  private readonly decoder = new ImtpDecoder({ maxBodyLength: 16 * 1024 * 1024 });
  private readonly waiters: (() => void)[] = [];
  private closedFlag = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (;;) {
        const r = this.decoder.next();
        if (r.kind !== 'frame') break;
        this.frames.push(r.frame);
      }
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.closedFlag = true;
        this.wake();
        resolve();
      });
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<ImtpTestClient> {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new ImtpTestClient(socket);
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async waitFor(predicate: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The first frame from index `from` on that matches. */
  async next(from: number, match: (f: ImtpFrame) => boolean, what: string): Promise<ImtpFrame> {
    let found: ImtpFrame | undefined;
    await this.waitFor(() => (found = this.frames.slice(from).find(match)) !== undefined, what);
    if (found === undefined) throw new Error(`no ${what}`);
    return found;
  }

  write(frame: ImtpFrame): void {
    this.socket.write(encodeImtpFrame(frame));
  }

  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  async login(username: string, password: string): Promise<ImtpLoginResult> {
    return this.authenticate(ImtpCommand.LOGIN, encodeImtpLogin({ username, password }));
  }

  async auth(token: string): Promise<ImtpLoginResult> {
    return this.authenticate(ImtpCommand.AUTH, encodeImtpAuth(token));
  }

  private async authenticate(cmd: number, body: Uint8Array): Promise<ImtpLoginResult> {
    const from = this.frames.length;
    this.write({ sender: 0n, receiver: 0n, group: false, cmd, body });
    const res = await this.next(from, (f) => f.cmd === -cmd, `response to ${cmd}`);
    const result = decodeImtpLoginResult(res.body);
    if (result.state === 0 && typeof result.info['id'] === 'string') this.userId = BigInt(result.info['id']);
    return result;
  }

  async heartbeat(): Promise<ImtpFrame> {
    const from = this.frames.length;
    this.write({
      sender: this.userId,
      receiver: 0n,
      group: false,
      cmd: ImtpCommand.HEARTBEAT,
      body: new Uint8Array(0),
    });
    return this.next(from, (f) => f.cmd === ImtpCommand.HEARTBEAT_RES, 'heartbeat response');
  }

  /** Sends a message command; resolves with the MSG_RES state for its ackId. */
  async send(
    cmd: number,
    receiver: bigint,
    text: string,
    ackId: bigint,
    options: ImtpSendOptions = {},
  ): Promise<number> {
    const from = this.frames.length;
    const body = encodeImtpMessage({
      text,
      ackId,
      timestamp: options.timestamp ?? BigInt(Date.now()),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    });
    this.write({ sender: options.sender ?? this.userId, receiver, group: options.group ?? false, cmd, body });
    const res = await this.next(
      from,
      (f) => f.cmd === ImtpCommand.MSG_RES && decodeImtpMsgRes(f.body).ackId === ackId,
      `MSG_RES for ${ackId}`,
    );
    return decodeImtpMsgRes(res.body).state;
  }

  /** Requests the unread messages (123); resolves with the entries of the answer. */
  async offline(): Promise<ImtpReceived[]> {
    const from = this.frames.length;
    this.write({
      sender: this.userId,
      receiver: 0n,
      group: false,
      cmd: ImtpCommand.OFFLINE,
      body: new Uint8Array(0),
    });
    const res = await this.next(from, (f) => f.cmd === ImtpCommand.OFFLINE_RES, 'OFFLINE_RES');
    return entriesOf(res);
  }

  /** Messages received as frames (pushes and server notices). */
  messages(): ImtpReceived[] {
    return this.frames.filter((f) => isImtpMessageCommand(f.cmd)).map(received);
  }

  /** Messages received in OFFLINE_RES frames. */
  offlineMessages(): ImtpReceived[] {
    return this.frames.filter((f) => f.cmd === ImtpCommand.OFFLINE_RES).flatMap(entriesOf);
  }

  async waitForMessage(match: (m: ImtpReceived) => boolean, what = 'message'): Promise<ImtpReceived> {
    let found: ImtpReceived | undefined;
    await this.waitFor(() => (found = this.messages().find(match)) !== undefined, what);
    if (found === undefined) throw new Error(`no ${what}`);
    return found;
  }

  close(): Promise<void> {
    this.socket.end();
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function received(f: {
  cmd: number;
  sender: bigint;
  receiver: bigint;
  group: boolean;
  body: Uint8Array;
}): ImtpReceived {
  return { cmd: f.cmd, sender: f.sender, receiver: f.receiver, group: f.group, ...decodeImtpMessage(f.body) };
}

function entriesOf(frame: ImtpFrame): ImtpReceived[] {
  return decodeImtpOfflineBody(frame.body).map(received);
}
