import { Status } from '@parley/protocol';
import type { Logger } from 'pino';
import type { ByteStream } from '../byte-stream.js';
import type { Dispatcher } from '../dispatcher.js';
import { NativeConnection, type ConnectionLimits } from './native-connection.js';

/**
 * Every native-protocol connection of this node, whatever carries it (TCP, WebSocket). Sweeps
 * them all for timeouts from one interval timer (no timer per connection) and closes them on
 * shutdown.
 */
export class NativeGateway {
  private readonly connections = new Set<NativeConnection>();
  private readonly sweeper: NodeJS.Timeout;
  private nextId = 1;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {
    const every = Math.max(
      50,
      Math.min(1000, Math.floor(Math.min(limits.authTimeoutMs, limits.idleTimeoutMs) / 4)),
    );
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const conn of this.connections) conn.sweep(now);
    }, every);
    this.sweeper.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  accept(stream: ByteStream): NativeConnection {
    const conn = new NativeConnection(
      this.nextId++,
      stream,
      this.dispatcher,
      this.limits,
      this.log,
      (c) => this.connections.delete(c),
      Date.now(),
    );
    this.connections.add(conn);
    return conn;
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
    for (const conn of this.connections) conn.close(Status.SHUTTING_DOWN, 'server is shutting down', 1000);
    const deadline = Date.now() + graceMs;
    while (this.connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const conn of this.connections) conn.destroy();
  }
}
