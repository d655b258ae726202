import { createServer, type Server } from 'node:tls';
import type { ConnectionsPerAddress } from './address-limits.js';
import type { NativeGateway } from './native/native-gateway.js';
import { acceptSocket } from './refusal.js';
import { TOO_MANY_CONNECTIONS, listenOn } from './tcp-listener.js';
import type { TlsCredentials } from './tls-credentials.js';

export interface TlsListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxConnections: number;
  readonly credentials: TlsCredentials;
  /** A handshake must finish within this (the login timeout), or the socket is dropped. */
  readonly handshakeTimeoutMs: number;
  readonly perAddress?: ConnectionsPerAddress;
}

/**
 * The TLS listener (DESIGN §5): the TCP listener inside TLS. Once the handshake is done, the
 * decrypted stream goes through the same per-address limit and dialect detection as plain TCP, so
 * every dialect works over it unchanged. A failed or slow handshake only drops that socket.
 */
export class TlsListener {
  private readonly server: Server;

  constructor(
    private readonly options: TlsListenerOptions,
    gateway: NativeGateway,
  ) {
    this.server = createServer(
      {
        cert: options.credentials.cert,
        key: options.credentials.key,
        handshakeTimeout: options.handshakeTimeoutMs,
        minVersion: 'TLSv1.2',
      },
      (socket) => {
        acceptSocket(socket, gateway, options.perAddress, TOO_MANY_CONNECTIONS);
      },
    );
    // A client that does not trust the certificate, speaks plain TCP here, or stalls the handshake.
    this.server.on('tlsClientError', (_err, socket) => {
      socket.destroy();
    });
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
