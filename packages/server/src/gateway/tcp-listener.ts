import { createServer, type Server } from 'node:net';
import { Status } from '@parley/protocol';
import type { ConnectionsPerAddress } from './address-limits.js';
import type { NativeGateway } from './native/native-gateway.js';
import { acceptSocket } from './refusal.js';

export interface TcpListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxConnections: number;
  /** Open connections per client address, shared with the other listeners. */
  readonly perAddress?: ConnectionsPerAddress;
}

/** What a connection over the per-address limit is told. */
export const TOO_MANY_CONNECTIONS = {
  status: Status.RATE_LIMITED,
  reason: 'too many connections from this address',
} as const;

/** The TCP listener: every accepted socket speaks the dialect its first bytes tell. */
export class TcpListener {
  private readonly server: Server;

  constructor(
    private readonly options: TcpListenerOptions,
    gateway: NativeGateway,
  ) {
    this.server = createServer(
      { noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 },
      (socket) => {
        acceptSocket(socket, gateway, options.perAddress, TOO_MANY_CONNECTIONS);
      },
    );
    this.server.maxConnections = options.maxConnections;
  }

  listen(): Promise<number> {
    return listenOn(this.server, this.options.host, this.options.port);
  }

  /** Stops accepting; open connections are the gateway's to close. */
  close(): Promise<void> {
    return new Promise((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}

/** Listens and answers the bound port (which differs from `port` when that was 0). */
export async function listenOn(
  server: import('node:net').Server,
  host: string,
  port: number,
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}
