import { Status } from '@parley/protocol';
import type { Logger } from 'pino';
import type { ByteStream } from '../byte-stream.js';
import { Dialect, detectDialect } from '../dialect.js';
import type { Dispatcher } from '../dispatcher.js';
import type { StreamConnection, ConnectionLimits, ConnectionObserver } from '../stream-connection.js';
import { NativeConnection } from './native-connection.js';
import type { ServerKeyring } from './server-keyring.js';

/** Builds a dialect's connection over a stream. */
export type ConnectionFactory = (
  connectionId: number,
  stream: ByteStream,
  dispatcher: Dispatcher,
  limits: ConnectionLimits,
  log: Logger,
  onClosed: (conn: StreamConnection<unknown>) => void,
  now: number,
) => StreamConnection<unknown>;

interface Sniffing {
  readonly stream: ByteStream;
  readonly since: number;
}

/** Bytes a connection may send before its dialect is known. */
const MAX_SNIFF_BYTES = 64;

/**
 * Every dialect connection of this node, whatever carries it (TCP, WebSocket). Detects the
 * dialect of TCP connections from their first bytes, sweeps every connection for timeouts from
 * one interval timer (no timer per connection), and closes them all on shutdown.
 */
export class NativeGateway {
  private readonly connections = new Set<StreamConnection<unknown>>();
  private readonly sniffing = new Set<Sniffing>();
  private readonly factories = new Map<Dialect, ConnectionFactory>([
    [Dialect.NATIVE, (...args) => new NativeConnection(...args, this.keyring)],
  ]);
  private readonly sweeper: NodeJS.Timeout;
  private nextId = 1;
  private readonly perDialect = new Map<Dialect, number>();
  private observerFor: ((dialect: Dialect) => ConnectionObserver) | undefined;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    /** The server key of the native encryption flags (none: they are UNSUPPORTED). */
    private readonly keyring?: ServerKeyring,
  ) {
    const every = Math.max(
      50,
      Math.min(1000, Math.floor(Math.min(limits.authTimeoutMs, limits.idleTimeoutMs) / 4)),
    );
    this.sweeper = setInterval(() => {
      this.sweep(Date.now());
    }, every);
    this.sweeper.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Open connections per dialect (TCP and WebSocket together). */
  connectionsByDialect(): ReadonlyMap<Dialect, number> {
    return this.perDialect;
  }

  /** Metrics: each new connection reports to the observer of its dialect. */
  observeConnections(observerFor: (dialect: Dialect) => ConnectionObserver): void {
    this.observerFor = observerFor;
  }

  /** Adds a dialect (its adapter module registers itself in the composition root). */
  register(dialect: Dialect, factory: ConnectionFactory): void {
    this.factories.set(dialect, factory);
  }

  serves(dialect: Dialect): boolean {
    return this.factories.has(dialect);
  }

  /** A stream whose dialect is known (each WebSocket path serves one). */
  accept(stream: ByteStream, dialect: Dialect = Dialect.NATIVE): StreamConnection<unknown> {
    const factory = this.factories.get(dialect);
    if (factory === undefined) throw new Error(`dialect ${dialect} is not served`);
    const conn = factory(
      this.nextId++,
      stream,
      this.dispatcher,
      this.limits,
      this.log,
      (c) => {
        if (this.connections.delete(c)) this.perDialect.set(dialect, (this.perDialect.get(dialect) ?? 1) - 1);
      },
      Date.now(),
    );
    this.connections.add(conn);
    this.perDialect.set(dialect, (this.perDialect.get(dialect) ?? 0) + 1);
    if (this.observerFor !== undefined) conn.observe(this.observerFor(dialect));
    return conn;
  }

  /** A TCP stream: read until the first bytes tell the dialect, then hand them to its connection. */
  acceptDetecting(stream: ByteStream): void {
    const entry: Sniffing = { stream, since: Date.now() };
    this.sniffing.add(entry);
    let prefix = new Uint8Array(0);
    let decided = false;
    stream.onClose(() => this.sniffing.delete(entry));
    stream.onData((chunk) => {
      if (decided) return;
      const joined = new Uint8Array(prefix.length + chunk.length);
      joined.set(prefix);
      joined.set(chunk, prefix.length);
      prefix = joined;
      const detected = detectDialect(prefix);
      if (detected === 'need-more' && prefix.length < MAX_SNIFF_BYTES) return;
      decided = true;
      this.sniffing.delete(entry);
      if (detected === 'need-more' || detected === 'unknown' || !this.factories.has(detected)) {
        this.log.info({ remote: stream.remoteAddress }, 'unknown dialect');
        stream.destroy();
        return;
      }
      this.accept(stream, detected).onData(prefix);
    });
  }

  /** Closes the connections of one user (tests and admin tools: "drop this user's devices"). */
  dropUser(userId: bigint): number {
    let dropped = 0;
    for (const conn of this.connections) {
      if (conn.session?.userId === userId) {
        conn.destroy();
        dropped += 1;
      }
    }
    return dropped;
  }

  /** Tells every client to reconnect, waits up to `graceMs` for them to go, drops the rest. */
  async close(graceMs: number): Promise<void> {
    clearInterval(this.sweeper);
    for (const entry of this.sniffing) entry.stream.destroy();
    for (const conn of this.connections) conn.close(Status.SHUTTING_DOWN, 'server is shutting down', 1000);
    const deadline = Date.now() + graceMs;
    while (this.connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const conn of this.connections) conn.destroy();
  }

  private sweep(now: number): void {
    for (const conn of this.connections) conn.sweep(now);
    for (const entry of this.sniffing) {
      // Nothing recognisable in time: the same deadline as a login.
      if (now - entry.since > this.limits.authTimeoutMs) entry.stream.destroy();
    }
  }
}
