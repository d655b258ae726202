import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, createWebSocketStream } from 'ws';
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import {
  Command,
  ErrorBodySchema,
  Flow,
  FrameDecoder,
  LoginRequestSchema,
  LoginResponseSchema,
  MessageSchema,
  Platform,
  PullRequestSchema,
  PullResponseSchema,
  RegisterRequestSchema,
  RegisterResponseSchema,
  SendResultSchema,
  SyncRequestSchema,
  SyncResponseSchema,
  Status,
  encodeFrame,
  errorFromStatus,
  makeFlags,
  parseFlags,
  type Frame,
  type LoginResponse,
  type Message,
  type ParleyError,
  type SendResult,
} from '@parley/protocol';

/**
 * A native-protocol client for tests: real TCP, request/response correlation by header seq, and
 * a log of every server notification (pushes, kicks, disconnects) with waiters.
 */
export class NativeTestClient {
  readonly notifications: Frame[] = [];
  /** Every frame received, in order. */
  readonly received: Frame[] = [];
  private readonly decoder = new FrameDecoder({ maxBodyLength: 16 * 1024 * 1024 - 1 });
  private readonly pending = new Map<number, { resolve: (f: Frame) => void; reject: (e: Error) => void }>();
  private readonly waiters: (() => void)[] = [];
  private nextSeq = 1;
  private closedFlag = false;
  readonly closed: Promise<void>;

  /** A TCP socket, or a WebSocket seen as a byte stream. */
  private constructor(readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (;;) {
        const r = this.decoder.next();
        if (r.kind !== 'frame') break;
        this.onFrame(r.frame);
      }
    });
    this.closed = new Promise((resolve) => {
      const onClosed = () => {
        if (this.closedFlag) return;
        this.closedFlag = true;
        for (const p of this.pending.values()) p.reject(new Error('connection closed'));
        this.pending.clear();
        this.wake();
        resolve();
      };
      socket.on('close', onClosed);
      // A WebSocket stream may stay half-open after the server's close: its end is the close.
      socket.on('end', () => {
        onClosed();
        socket.destroy();
      });
    });
    socket.on('error', () => undefined);
  }

  /** The native protocol over WebSocket (`/ws` on the HTTP port). */
  static async connectWebSocket(httpPort: number, path = '/ws'): Promise<NativeTestClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${httpPort}${path}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        resolve();
      });
      ws.once('error', reject);
    });
    return new NativeTestClient(createWebSocketStream(ws));
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<NativeTestClient> {
    const socket = connect({ port, host, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new NativeTestClient(socket);
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  private onFrame(frame: Frame): void {
    this.received.push(frame);
    const flow = parseFlags(frame.flag).flow;
    if (flow === Flow.RESPONSE && this.pending.has(frame.seq)) {
      const p = this.pending.get(frame.seq);
      this.pending.delete(frame.seq);
      p?.resolve(frame);
    } else {
      this.notifications.push(frame);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `predicate` holds (re-checked on every frame and on close) or the timeout. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
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

  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends one request frame; resolves with the response frame whatever its status. */
  requestFrame(command: number, body: Uint8Array, flag = makeFlags(Flow.REQUEST)): Promise<Frame> {
    const seq = this.nextSeq++;
    const promise = new Promise<Frame>((resolve, reject) => this.pending.set(seq, { resolve, reject }));
    this.socket.write(encodeFrame({ seq, command, flag, status: 0, body }));
    return promise;
  }

  /** Typed request: throws the ParleyError for a non-OK status. */
  async request<Req extends DescMessage, Res extends DescMessage>(
    command: number,
    reqSchema: Req,
    init: MessageInitShape<Req>,
    resSchema: Res,
  ): Promise<MessageShape<Res>> {
    const frame = await this.requestFrame(command, toBinary(reqSchema, create(reqSchema, init)));
    if (frame.status !== Status.OK) throw statusError(frame);
    return fromBinary(resSchema, frame.body);
  }

  async register(username: string, password: string): Promise<bigint> {
    const res = await this.request(
      Command.REGISTER,
      RegisterRequestSchema,
      { username, password },
      RegisterResponseSchema,
    );
    return res.userId;
  }

  login(
    username: string,
    password: string,
    deviceId: string,
    platform: number = Platform.PC,
  ): Promise<LoginResponse> {
    return this.request(
      Command.LOGIN,
      LoginRequestSchema,
      { username, password, deviceId, platform },
      LoginResponseSchema,
    );
  }

  loginWithToken(token: string, deviceId = '', platform: number = Platform.PC): Promise<LoginResponse> {
    return this.request(
      Command.LOGIN,
      LoginRequestSchema,
      { token, deviceId, platform },
      LoginResponseSchema,
    );
  }

  sendText(to: bigint, text: string, clientMsgId: string): Promise<SendResult> {
    return this.request(
      Command.MS,
      MessageSchema,
      {
        clientMsgId,
        conversation: { type: 0, target: String(to) },
        messageContent: { contentType: 1, text },
      },
      SendResultSchema,
    );
  }

  sync(cursors: { target: string; seq: bigint }[] = []) {
    return this.request(
      Command.SYNC,
      SyncRequestSchema,
      { cursors: cursors.map((c) => ({ conversation: { type: 0, target: c.target }, seq: c.seq })) },
      SyncResponseSchema,
    );
  }

  pull(target: string, fromSeq: bigint, limit = 200, backward = false) {
    return this.request(
      Command.MP,
      PullRequestSchema,
      { conversation: { type: 0, target }, fromSeq, limit, backward },
      PullResponseSchema,
    );
  }

  /** Pushed messages (MPS) received so far. */
  pushedMessages(): Message[] {
    return this.notifications
      .filter((f) => f.command === Command.MPS)
      .map((f) => fromBinary(MessageSchema, f.body));
  }

  close(): Promise<void> {
    this.socket.end();
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function statusError(frame: Frame): ParleyError {
  let message: string;
  try {
    message = fromBinary(ErrorBodySchema, frame.body).message;
  } catch {
    message = '';
  }
  return errorFromStatus(frame.status, message);
}
