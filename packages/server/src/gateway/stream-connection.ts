import { KickReason, Status } from '@parley/protocol';
import type { Logger } from 'pino';
import type { LoginResult } from '../core/auth-service.js';
import type { DeviceSession, KickInfo, PushEvent } from '../core/session.js';
import type { ByteStream } from './byte-stream.js';
import type { Dispatcher, GatewayConnection } from './dispatcher.js';

export interface ConnectionLimits {
  /** The largest frame body (and decompressed body) a dialect accepts. */
  readonly maxBodyLength: number;
  readonly authTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxWriteBufferBytes: number;
  /** Frames read but not yet handled; past it the stream stops being read. */
  readonly maxInflightRequests: number;
}

/** What a dialect's incremental decoder made of the bytes so far. */
export type Decoded<F> =
  | { readonly kind: 'frames'; readonly frames: F[] }
  /** The framing is lost: answer (the dialect's way) and close. */
  | { readonly kind: 'fault'; readonly frames: F[]; readonly status: Status; readonly reason: string };

const CLOSE_GRACE_MS = 2000;

const ConnState = { OPEN: 0, CLOSING: 1, CLOSED: 2 } as const;
type ConnState = (typeof ConnState)[keyof typeof ConnState];

/** Pipelined requests one connection may have running at once. */
const MAX_PIPELINED = 64;

/** What a connection reports for metrics. */
export interface ConnectionObserver {
  /** A request was handled, taking `ms` from dequeue to answer. */
  handled(ms: number): void;
  /** A push was written to the client. */
  pushed(): void;
}

const NO_OBSERVER: ConnectionObserver = { handled: () => undefined, pushed: () => undefined };

/**
 * The lifecycle every dialect connection shares (the bookkeeping half of the adapter seam, as in
 * socket.io's cluster adapter): authentication and idle timeouts swept by the gateway, frames
 * handled one at a time in order, inbound backpressure, a bounded write buffer (slow readers are
 * dropped), graceful close, and the DeviceSession core pushes to. A dialect implements decoding,
 * handling and the encoding of pushes, kicks and closes.
 */
export abstract class StreamConnection<F> implements GatewayConnection {
  session: DeviceSession | undefined;
  readonly connectedAt: number;
  private lastFrameAt: number;
  private state: ConnState = ConnState.OPEN;
  private queue: F[] = [];
  private processing = false;
  private paused = false;
  /** Pipelined frames still being handled. */
  private readonly running = new Set<Promise<void>>();
  /** Wakes drainQueue when one of MAX_PIPELINED running frames is done. */
  private slotFreed: (() => void) | undefined;
  private observer: ConnectionObserver = NO_OBSERVER;

  constructor(
    readonly connectionId: number,
    protected readonly stream: ByteStream,
    protected readonly dispatcher: Dispatcher,
    protected readonly limits: ConnectionLimits,
    protected readonly log: Logger,
    private readonly onClosed: (conn: StreamConnection<unknown>) => void,
    now: number,
  ) {
    this.connectedAt = now;
    this.lastFrameAt = now;
    stream.onData((chunk) => {
      this.onData(chunk);
    });
    stream.onClose(() => {
      this.closed();
    });
  }

  /** Decodes what arrived; keeps partial input internally, bounded by the dialect's limits. */
  protected abstract decode(chunk: Uint8Array): Decoded<F>;
  /** Handles one frame: calls the dispatcher and writes the dialect's answer. Never throws. */
  protected abstract handle(frame: F): Promise<void>;
  /** The bytes of a push for this connection's user, or undefined if the dialect cannot show it. */
  protected abstract encodePush(event: PushEvent, viewer: bigint): Uint8Array | undefined;
  /** Bytes telling the client it was replaced by another login. */
  protected abstract encodeKick(info: KickInfo): Uint8Array | undefined;
  /** Bytes telling the client why the server closes (status from the shared table). */
  protected abstract encodeClose(
    status: Status,
    reason: string,
    reconnectAfterMs: number,
  ): Uint8Array | undefined;
  /** Bytes answering a fault reported by `decode`, before the close. */
  protected abstract encodeFault(status: Status, reason: string): Uint8Array | undefined;

  /** Told of each handled request and each push written (metrics). */
  observe(observer: ConnectionObserver): void {
    this.observer = observer;
  }

  get isOpen(): boolean {
    return this.state === ConnState.OPEN;
  }

  get remoteAddress(): string {
    return this.stream.remoteAddress;
  }

  /** Bytes from the stream, or handed over by dialect detection. */
  onData(chunk: Uint8Array): void {
    if (this.state !== ConnState.OPEN) return;
    const decoded = this.decode(chunk);
    if (decoded.frames.length > 0) {
      this.lastFrameAt = Date.now();
      for (const frame of decoded.frames) this.queue.push(frame);
    }
    if (decoded.kind === 'fault') {
      // The stream has lost its framing: whatever is queued behind the fault is dropped with it.
      this.log.info(
        { conn: this.connectionId, status: decoded.status, reason: decoded.reason },
        'framing error',
      );
      this.writeIf(this.encodeFault(decoded.status, decoded.reason));
      this.close(decoded.status, decoded.reason);
      return;
    }
    if (this.queue.length >= this.limits.maxInflightRequests && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    if (!this.processing) void this.drainQueue();
  }

  /** Called periodically by the gateway: enforces the authentication and idle timeouts. */
  sweep(now: number): void {
    if (this.state !== ConnState.OPEN) return;
    if (this.session === undefined && now - this.connectedAt > this.limits.authTimeoutMs) {
      this.close(Status.TIMEOUT, 'no login in time');
    } else if (now - this.lastFrameAt > this.limits.idleTimeoutMs) {
      this.close(Status.TIMEOUT, 'no frame (or heartbeat) in time');
    }
  }

  createSession(login: LoginResult): DeviceSession {
    const viewer = login.user.id;
    return {
      sessionId: this.connectionId,
      userId: viewer,
      username: login.user.username,
      deviceId: login.deviceId,
      platform: login.platform,
      tokenHash: login.tokenHash,
      deliver: (event: PushEvent): void => {
        const bytes = this.encodePush(event, viewer);
        if (bytes === undefined) return;
        this.write(bytes);
        this.observer.pushed();
      },
      kick: (info: KickInfo): void => {
        this.kick(info);
      },
    };
  }

  /** Tells the client why (the dialect's way), then closes. */
  close(status: Status, reason: string, reconnectAfterMs = 0): void {
    if (this.state !== ConnState.OPEN) return;
    this.writeIf(this.encodeClose(status, reason, reconnectAfterMs));
    this.shutdown();
  }

  /** Drops the connection without a word (end of a graceful shutdown, tests, admin). */
  destroy(): void {
    this.stream.destroy();
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

  /** Writes while the connection may still answer (not after a close began). */
  protected writeIfOpen(bytes: Uint8Array): void {
    if (this.state === ConnState.OPEN) this.write(bytes);
  }

  /** Answer, then close (LOGOUT and the like). */
  protected shutdown(): void {
    if (this.state !== ConnState.OPEN) return;
    this.state = ConnState.CLOSING;
    this.queue = [];
    this.dispatcher.disconnected(this);
    this.stream.end();
    setTimeout(() => {
      this.stream.destroy();
    }, CLOSE_GRACE_MS).unref();
  }

  private writeIf(bytes: Uint8Array | undefined): void {
    if (bytes !== undefined) this.write(bytes);
  }

  private kick(info: KickInfo): void {
    if (this.state !== ConnState.OPEN) return;
    this.writeIf(this.encodeKick(info));
    // A replaced session is no longer registered: nothing to detach on close. A banned one still
    // is: shutdown() detaches it (on every node, in cluster mode) and the user may go offline.
    if (info.reason !== KickReason.BANNED) this.session = undefined;
    this.shutdown();
  }

  private closed(): void {
    if (this.state === ConnState.CLOSED) return;
    this.state = ConnState.CLOSED;
    this.queue = [];
    this.dispatcher.disconnected(this);
    this.onClosed(this);
  }

  /**
   * Handles queued frames in order. A frame the dialect marks `pipelined` (a native send) starts
   * while the ones before it are still running, up to MAX_PIPELINED at once, so one connection's
   * messages share a group commit; any other frame waits until everything before it is done.
   */
  private async drainQueue(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      let frame: F | undefined;
      while (this.state === ConnState.OPEN && (frame = this.queue.shift()) !== undefined) {
        if (this.pipelined(frame)) {
          const running = this.timed(frame).finally(() => {
            this.running.delete(running);
            const wake = this.slotFreed;
            this.slotFreed = undefined;
            wake?.();
          });
          this.running.add(running);
          // Not Promise.race(this.running): under a flood every frame would add a reaction to
          // each of the MAX_PIPELINED running promises (work and garbage growing with the limit).
          if (this.running.size >= MAX_PIPELINED) {
            await new Promise<void>((resolve) => {
              this.slotFreed = resolve;
            });
          }
        } else {
          await Promise.all(this.running);
          await this.timed(frame);
        }
        if (this.paused && this.queue.length < this.limits.maxInflightRequests / 2) {
          this.paused = false;
          this.stream.resume();
        }
      }
    } finally {
      this.processing = false;
    }
  }

  private async timed(frame: F): Promise<void> {
    const started = performance.now();
    await this.handle(frame);
    this.observer.handled(performance.now() - started);
  }

  /** May this frame run alongside the ones before it? (Its answer may then come before theirs.) */
  protected pipelined(_frame: F): boolean {
    return false;
  }
}
