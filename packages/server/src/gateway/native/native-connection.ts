import { create, toBinary } from '@bufbuild/protobuf';
import {
  Compression,
  Command,
  DisconnectSchema,
  Encryption,
  ErrorBodySchema,
  Flow,
  FrameDecoder,
  KickNoticeSchema,
  ParleyError,
  Status,
  encodeFrame,
  makeFlags,
  parseFlags,
  toParleyError,
  type Frame,
} from '@parley/protocol';
import { gunzipBounded, gzip } from '@parley/protocol/gzip';
import type { Logger } from 'pino';
import type { LoginResult } from '../../core/auth-service.js';
import type { DeviceSession, KickInfo, PushEvent } from '../../core/session.js';
import type { ByteStream } from '../byte-stream.js';
import type { Dispatcher, GatewayConnection } from '../dispatcher.js';
import { handleNativeRequest } from './native-handlers.js';
import { notifyFrame, pushFrame } from './native-wire.js';

export interface ConnectionLimits {
  readonly maxBodyLength: number;
  readonly authTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxWriteBufferBytes: number;
  /** Requests read but not yet answered; past it the socket stops being read. */
  readonly maxInflightRequests: number;
}

/** Responses at least this large are gzipped when the request was. */
const COMPRESS_RESPONSE_FROM = 1024;
const CLOSE_GRACE_MS = 2000;

const ConnState = { OPEN: 0, CLOSING: 1, CLOSED: 2 } as const;
type ConnState = (typeof ConnState)[keyof typeof ConnState];

/**
 * One native-protocol connection: framing, the lifecycle (authentication and idle timeouts swept
 * by the listener, write backpressure with a bound), and the DeviceSession core pushes to.
 * Requests are handled one at a time, in order, so responses keep the request order.
 */
export class NativeConnection implements GatewayConnection {
  session: DeviceSession | undefined;
  readonly connectedAt: number;
  private lastFrameAt: number;
  private readonly decoder: FrameDecoder;
  private state: ConnState = ConnState.OPEN;
  private queue: Frame[] = [];
  private processing = false;
  private paused = false;

  constructor(
    readonly connectionId: number,
    private readonly stream: ByteStream,
    private readonly dispatcher: Dispatcher,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly onClosed: (conn: NativeConnection) => void,
    now: number,
  ) {
    this.connectedAt = now;
    this.lastFrameAt = now;
    this.decoder = new FrameDecoder({ maxBodyLength: limits.maxBodyLength });
    stream.onData((chunk) => {
      this.onData(chunk);
    });
    stream.onClose(() => {
      this.closed();
    });
  }

  get isOpen(): boolean {
    return this.state === ConnState.OPEN;
  }

  /** Feeds bytes already read by whoever owned the socket first (dialect detection). */
  onData(chunk: Uint8Array): void {
    if (this.state !== ConnState.OPEN) return;
    this.decoder.push(chunk);
    for (;;) {
      const result = this.decoder.next();
      if (result.kind === 'need-more') break;
      if (result.kind === 'fault') {
        const { error, seq, command } = result.fault;
        this.log.info(
          { conn: this.connectionId, status: error.status, reason: error.message },
          'framing error',
        );
        this.respondError(seq, command, error);
        this.close(error.status, error.message);
        return;
      }
      this.lastFrameAt = Date.now();
      this.queue.push(result.frame);
    }
    if (this.queue.length >= this.limits.maxInflightRequests && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    if (!this.processing) void this.drainQueue();
  }

  /** Called periodically by the listener: enforces the authentication and idle timeouts. */
  sweep(now: number): void {
    if (this.state !== ConnState.OPEN) return;
    if (this.session === undefined && now - this.connectedAt > this.limits.authTimeoutMs) {
      this.close(Status.TIMEOUT, 'no login in time');
    } else if (now - this.lastFrameAt > this.limits.idleTimeoutMs) {
      this.close(Status.TIMEOUT, 'no frame (or heartbeat) in time');
    }
  }

  createSession(login: LoginResult): DeviceSession {
    const deliver = (event: PushEvent): void => {
      this.write(pushFrame(event, login.user.id));
    };
    const kick = (info: KickInfo): void => {
      this.kick(info);
    };
    return {
      sessionId: this.connectionId,
      userId: login.user.id,
      username: login.user.username,
      deviceId: login.deviceId,
      platform: login.platform,
      tokenHash: login.tokenHash,
      deliver,
      kick,
    };
  }

  /** Tells the client why, then closes: DISCONNECT notify with the reason as status. */
  close(status: Status, reason: string, reconnectAfterMs = 0): void {
    if (this.state !== ConnState.OPEN) return;
    const body = toBinary(DisconnectSchema, create(DisconnectSchema, { reason, reconnectAfterMs }));
    this.write(
      encodeFrame({ seq: 0, command: Command.DISCONNECT, flag: makeFlags(Flow.NOTIFY), status, body }),
    );
    this.shutdown();
  }

  private kick(info: KickInfo): void {
    if (this.state !== ConnState.OPEN) return;
    const body = toBinary(KickNoticeSchema, create(KickNoticeSchema, info));
    this.write(notifyFrame(Command.KICK, body));
    // The registry already dropped this session; detach nothing else on close.
    this.session = undefined;
    this.shutdown();
  }

  private shutdown(): void {
    this.state = ConnState.CLOSING;
    this.queue = [];
    this.dispatcher.disconnected(this);
    this.stream.end();
    setTimeout(() => {
      this.stream.destroy();
    }, CLOSE_GRACE_MS).unref();
  }

  /** Drops the connection without a word (end of a graceful shutdown). */
  destroy(): void {
    this.stream.destroy();
  }

  private closed(): void {
    if (this.state === ConnState.CLOSED) return;
    this.state = ConnState.CLOSED;
    this.queue = [];
    this.dispatcher.disconnected(this);
    this.onClosed(this);
  }

  write(bytes: Uint8Array): void {
    if (this.state === ConnState.CLOSED || this.stream.destroyed) return;
    this.stream.write(bytes);
    if (this.stream.bufferedBytes > this.limits.maxWriteBufferBytes) {
      this.log.warn(
        { conn: this.connectionId, buffered: this.stream.bufferedBytes },
        'slow consumer disconnected',
      );
      this.state = ConnState.CLOSING;
      this.dispatcher.disconnected(this);
      this.stream.destroy();
    }
  }

  private async drainQueue(): Promise<void> {
    this.processing = true;
    try {
      let frame: Frame | undefined;
      while (this.state === ConnState.OPEN && (frame = this.queue.shift()) !== undefined) {
        await this.handle(frame);
        if (this.paused && this.queue.length < this.limits.maxInflightRequests / 2) {
          this.paused = false;
          this.stream.resume();
        }
      }
    } finally {
      this.processing = false;
    }
  }

  private async handle(frame: Frame): Promise<void> {
    const flags = parseFlags(frame.flag);
    try {
      if (flags.flow !== Flow.REQUEST) {
        throw new ParleyError(Status.PROTOCOL_ERROR, 'clients may only send requests (flow 0)');
      }
      if (flags.encryption !== Encryption.NONE) {
        throw new ParleyError(Status.UNSUPPORTED, 'encrypted frames are not enabled on this server');
      }
      let body = frame.body;
      if (flags.compression === Compression.GZIP) body = gunzipBounded(body, this.limits.maxBodyLength);
      else if (flags.compression !== Compression.NONE) {
        throw new ParleyError(Status.UNSUPPORTED, `compression ${flags.compression} is not supported`);
      }
      const reply = await handleNativeRequest(this.dispatcher, this, frame.command, body);
      if (reply.closeAfter === true) {
        this.respond(frame.seq, frame.command, Status.OK, reply.body, false);
        this.shutdown();
        return;
      }
      this.respond(frame.seq, frame.command, Status.OK, reply.body, flags.compression === Compression.GZIP);
    } catch (err) {
      const error = toParleyError(err);
      if (error.status === Status.INTERNAL) {
        this.log.error({ err, conn: this.connectionId, command: frame.command }, 'request failed');
      }
      this.respondError(frame.seq, frame.command, error);
    }
  }

  private respond(seq: number, command: number, status: number, body: Uint8Array, compress: boolean): void {
    if (this.state !== ConnState.OPEN) return;
    let out = body;
    let compression: Compression = Compression.NONE;
    if (compress && body.length >= COMPRESS_RESPONSE_FROM) {
      out = gzip(body);
      compression = Compression.GZIP;
    }
    this.write(encodeFrame({ seq, command, flag: makeFlags(Flow.RESPONSE, compression), status, body: out }));
  }

  private respondError(seq: number, command: number, error: ParleyError): void {
    const body = toBinary(ErrorBodySchema, create(ErrorBodySchema, { message: error.message }));
    this.respond(seq, command, error.status, body, false);
  }
}
