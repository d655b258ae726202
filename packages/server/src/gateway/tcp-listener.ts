import { createServer, type Server, type Socket } from 'node:net';
import { Status } from '@parley/protocol';
import type { Logger } from 'pino';
import type { Dispatcher } from './dispatcher.js';
import { NativeConnection, type ConnectionLimits } from './native/native-connection.js';

export interface TcpListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly limits: ConnectionLimits;
  readonly maxConnections: number;
}

/**
 * The TCP listener: accepts sockets, hands each to a connection, and sweeps all connections for
 * timeouts from one interval timer (no timer per connection).
 */
export class TcpListener {
  private readonly server: Server;
  private readonly connections = new Set<NativeConnection>();
  private sweeper: NodeJS.Timeout | undefined;
  private nextId = 1;

  constructor(
    private readonly options: TcpListenerOptions,
    private readonly dispatcher: Dispatcher,
    private readonly log: Logger,
  ) {
    this.server = createServer(
      { noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 },
      (socket) => {
        this.accept(socket);
      },
    );
    this.server.maxConnections = options.maxConnections;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { limits } = this.options;
    const every = Math.max(
      50,
      Math.min(1000, Math.floor(Math.min(limits.authTimeoutMs, limits.idleTimeoutMs) / 4)),
    );
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const conn of this.connections) conn.sweep(now);
    }, every);
    this.sweeper.unref();
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  /**
   * Graceful: stop accepting, tell every client to reconnect, give them `graceMs` to go, then
   * destroy what is left.
   */
  async close(graceMs: number): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
    for (const conn of this.connections) conn.close(Status.SHUTTING_DOWN, 'server is shutting down', 1000);
    const deadline = Date.now() + graceMs;
    while (this.connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const conn of this.connections) conn.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    const conn = new NativeConnection(
      this.nextId++,
      socket,
      this.dispatcher,
      this.options.limits,
      this.log,
      (c) => this.connections.delete(c),
      Date.now(),
    );
    this.connections.add(conn);
  }
}
