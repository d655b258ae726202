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
  Compression,
  ContentType,
  Encryption,
  ErrorBodySchema,
  Flow,
  FrameDecoder,
  MessageSchema,
  ParleyError,
  ProtocolError,
  Status,
  TimeoutError,
  commandName,
  encodeFrame,
  errorFromStatus,
  makeFlags,
  parseFlags,
  sealRsaLogin,
  type Frame,
  type PlainFrame,
  type WebSessionCipher,
} from '@parley/protocol';
import type { ServerKeySource } from './encryption.js';
import { ConnectionClosedError } from './errors.js';
import type { Transport } from './transport.js';

export interface ConnectionOptions {
  /** How long a request may wait for its response. */
  readonly requestTimeoutMs: number;
  /** Largest frame body accepted from the server. */
  readonly maxBodyLength?: number;
  /**
   * The encryption flags (./encryption.ts): LOGIN goes RSA with a fresh session key, then every
   * frame both ways is AES. Frames before the LOGIN (REGISTER, PING) stay plain.
   */
  readonly encryption?: ServerKeySource;
}

interface Pending {
  readonly command: number;
  readonly resolve: (frame: Frame) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * One transport's worth of native protocol: framing, request/response correlation by the
 * header's seq, per-request timeouts, and the heartbeat. Server notifications (flow NOTIFY) go
 * to `onNotify`. It knows nothing about login state, reconnects or sync: that is the client's.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 1;
  private closedError: Error | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private notifyHandler: (frame: Frame) => void = () => undefined;
  private closeHandlers: ((error: Error) => void)[] = [];
  /** Encrypted connections only: the session's cipher, once the RSA LOGIN is sealed. */
  private cipher: WebSessionCipher | undefined;
  /** The server wrote its first AES frame: from then on a plain frame is an attack. */
  private serverEncrypted = false;
  /** WebCrypto is asynchronous: frames are sealed and opened one after another, in order. */
  private outgoing: Promise<void> = Promise.resolve();
  private incoming: Promise<void> = Promise.resolve();

  constructor(
    private readonly transport: Transport,
    private readonly options: ConnectionOptions,
  ) {
    this.decoder = new FrameDecoder({ maxBodyLength: options.maxBodyLength ?? 16 * 1024 * 1024 - 1 });
    transport.onBytes((bytes) => {
      this.onBytes(bytes);
    });
    transport.onClose((error) => {
      this.shutdown(error ?? new ConnectionClosedError());
    });
  }

  get isClosed(): boolean {
    return this.closedError !== undefined;
  }

  open(): Promise<void> {
    return this.transport.open();
  }

  onNotify(handler: (frame: Frame) => void): void {
    this.notifyHandler = handler;
  }

  /** Runs once when the connection closes, whoever closed it. */
  onClose(handler: (error: Error) => void): void {
    if (this.closedError !== undefined) handler(this.closedError);
    else this.closeHandlers.push(handler);
  }

  /** Sends one request; resolves with the OK response frame, rejects with the status's error. */
  request(command: number, body: Uint8Array, timeoutMs = this.options.requestTimeoutMs): Promise<Frame> {
    if (this.closedError !== undefined) return Promise.reject(new ConnectionClosedError());
    const seq = this.nextSeq;
    // seq 0 is what notifications carry, so requests skip it when the counter wraps.
    this.nextSeq = this.nextSeq >= 0xffff_ffff ? 1 : this.nextSeq + 1;
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new TimeoutError(`${commandName(command)} got no response in ${String(timeoutMs)} ms`));
      }, timeoutMs);
      this.pending.set(seq, { command, resolve, reject, timer });
      const frame = {
        seq,
        command,
        flag: makeFlags(Flow.REQUEST, Compression.NONE, e2eBits(command, body)),
        status: 0,
        body,
      };
      if (this.options.encryption === undefined) this.transport.send(encodeFrame(frame));
      else this.sendEncrypted(frame);
    });
  }

  /** In order behind the frames before it: sealed (AES, or RSA for a first LOGIN), else plain. */
  private sendEncrypted(frame: PlainFrame): void {
    this.outgoing = this.outgoing
      .then(async () => {
        if (this.closedError !== undefined) return;
        const bytes = await this.seal(frame);
        // Not `closedError`: TypeScript keeps its narrowing across the await.
        if (!this.isClosed) this.transport.send(bytes);
      })
      .catch((err: unknown) => {
        // The frame could not be sealed (no server key, a bad key): its request fails alone.
        const p = this.pending.get(frame.seq);
        if (p === undefined) return;
        this.pending.delete(frame.seq);
        clearTimeout(p.timer);
        p.reject(err instanceof Error ? err : new Error(String(err)));
      });
  }

  private async seal(frame: PlainFrame): Promise<Uint8Array> {
    if (this.cipher !== undefined) return this.cipher.seal(frame);
    const source = this.options.encryption;
    if (frame.command !== Command.LOGIN || source === undefined) return encodeFrame(frame);
    const sealed = await sealRsaLogin(await source(), frame);
    this.cipher = sealed.cipher;
    return sealed.bytes;
  }

  /** A typed request: protobuf in, protobuf out. */
  async call<Req extends DescMessage, Res extends DescMessage>(
    command: number,
    reqSchema: Req,
    init: MessageInitShape<Req>,
    resSchema: Res,
    timeoutMs?: number,
  ): Promise<MessageShape<Res>> {
    const frame = await this.request(command, toBinary(reqSchema, create(reqSchema, init)), timeoutMs);
    return fromBinary(resSchema, frame.body);
  }

  /**
   * PING every `intervalMs`. The server answers requests in order, so a pong that does not come
   * within `timeoutMs` means the path is dead (a silent network drop never closes a TCP socket by
   * itself): the connection is closed, and the client's reconnect logic takes over.
   */
  startHeartbeat(intervalMs: number, timeoutMs: number): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      this.request(Command.PING, new Uint8Array(0), timeoutMs).catch((err: unknown) => {
        if (err instanceof TimeoutError) this.close(new ConnectionClosedError('heartbeat: no pong'));
      });
    }, intervalMs);
  }

  close(error: Error = new ConnectionClosedError()): void {
    if (this.closedError !== undefined) return;
    this.shutdown(error);
    this.transport.close();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private shutdown(error: Error): void {
    if (this.closedError !== undefined) return;
    this.closedError = error;
    this.stopHeartbeat();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(new ConnectionClosedError(`connection closed before the ${commandName(p.command)} response`));
    }
    for (const handler of this.closeHandlers.splice(0)) handler(error);
  }

  private onBytes(bytes: Uint8Array): void {
    this.decoder.push(bytes);
    for (;;) {
      if (this.closedError !== undefined) return;
      const result = this.decoder.next();
      switch (result.kind) {
        case 'need-more':
          return;
        case 'fault':
          // The server's framing is broken: nothing after this point can be trusted.
          this.close(result.fault.error);
          return;
        case 'frame':
          if (this.options.encryption === undefined) this.onFrame(result.frame);
          else this.openInOrder(result.frame);
          break;
      }
    }
  }

  private openInOrder(frame: Frame): void {
    this.incoming = this.incoming.then(async () => {
      if (this.closedError !== undefined) return;
      try {
        const opened = await this.openFrame(frame);
        if (opened !== undefined && !this.isClosed) this.onFrame(opened);
      } catch (err) {
        this.close(err instanceof Error ? err : new ProtocolError(String(err)));
      }
    });
  }

  /**
   * A server frame on an encrypted connection, opened; undefined to drop it. Until the session
   * key exists everything is plain. After it, and until the server's first AES frame, only plain
   * responses pass (the server answers what it read before the LOGIN in plain, and refuses a LOGIN
   * it cannot decrypt in plain); after that first AES frame a plain frame closes the connection.
   */
  private async openFrame(frame: Frame): Promise<Frame | undefined> {
    const encryption = parseFlags(frame.flag).encryption;
    if (encryption === Encryption.AES) {
      if (this.cipher === undefined) throw new ProtocolError('the server sent an AES frame before the LOGIN');
      const opened = await this.cipher.open(frame);
      this.serverEncrypted = true;
      return opened;
    }
    if (this.cipher === undefined) return frame;
    if (this.serverEncrypted)
      throw new ProtocolError('plain frame from the server on an encrypted connection');
    return parseFlags(frame.flag).flow === Flow.RESPONSE ? frame : undefined;
  }

  private onFrame(frame: Frame): void {
    const flow = parseFlags(frame.flag).flow;
    if (flow === Flow.RESPONSE) {
      const p = this.pending.get(frame.seq);
      // A response to a request that already timed out: nobody waits for it any more.
      if (p === undefined) return;
      this.pending.delete(frame.seq);
      clearTimeout(p.timer);
      if (frame.status === Status.OK) p.resolve(frame);
      else p.reject(statusError(frame));
      return;
    }
    if (flow === Flow.NOTIFY) this.notifyHandler(frame);
    // Flow REQUEST from a server is not part of the protocol: ignored.
  }
}

/** Encryption bits 3 for an MS whose content is end-to-end (sealed frames get 1 instead). */
function e2eBits(command: number, body: Uint8Array): Encryption {
  if (command !== Command.MS) return Encryption.NONE;
  try {
    return fromBinary(MessageSchema, body).messageContent?.contentType === ContentType.ENCRYPTED
      ? Encryption.END_TO_END
      : Encryption.NONE;
  } catch {
    return Encryption.NONE;
  }
}

/** The typed error of a non-OK response, with the server's message when it sent one. */
export function statusError(frame: Frame): ParleyError {
  let message: string | undefined;
  try {
    const text = fromBinary(ErrorBodySchema, frame.body).message;
    message = text === '' ? undefined : text;
  } catch {
    message = undefined;
  }
  return errorFromStatus(frame.status, message);
}
