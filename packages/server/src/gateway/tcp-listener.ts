import { createServer, type Server } from 'node:net';
import type { NativeGateway } from './native/native-gateway.js';
import { TcpByteStream } from './tcp-byte-stream.js';

export interface TcpListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxConnections: number;
}

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
        gateway.acceptDetecting(new TcpByteStream(socket));
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
