import type { IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { HEADER_LENGTH } from '@parley/protocol';
import type { ConnectionsPerAddress } from './address-limits.js';
import { Dialect } from './dialect.js';
import type { NativeGateway } from './native/native-gateway.js';
import { TOO_MANY_CONNECTIONS, listenOn } from './tcp-listener.js';
import type { TlsCredentials } from './tls-credentials.js';
import { WsByteStream } from './ws-byte-stream.js';

/** Each dialect over WebSocket has its own path (DESIGN §5). */
const WS_PATHS = new Map<string, Dialect>([
  ['/ws', Dialect.NATIVE],
  ['/ws/imtp', Dialect.IMTP],
  ['/ws/jim', Dialect.JIM],
  ['/ws/imp', Dialect.IMP],
]);

export interface HttpListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxBodyLength: number;
  /** Open connections per client address, shared with the other listeners (WebSockets count). */
  readonly perAddress?: ConnectionsPerAddress;
  /** The same content over TLS (HTTPS and WSS) on a port of its own. */
  readonly https?: {
    readonly port: number;
    readonly credentials: TlsCredentials;
    readonly handshakeTimeoutMs: number;
  };
}

/**
 * The HTTP port: the HTTP API (a fastify instance: /api/v1, /api/docs, /healthz, /readyz,
 * /metrics) and every dialect over WebSocket (/ws native, /ws/imtp, /ws/jim, /ws/imp — IMP in
 * text messages, the others binary), upgraded on fastify's underlying node:http server. With
 * credentials, an HTTPS server on its own port routes into the same fastify instance and the
 * same WebSocket paths (WSS), so both ports serve exactly the same.
 */
export class HttpListener {
  private readonly wss: WebSocketServer;
  private readonly onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  private https: HttpsServer | undefined;
  /** The bound HTTPS port, once listening with credentials. */
  httpsPort: number | undefined;

  constructor(
    private readonly options: HttpListenerOptions,
    gateway: NativeGateway,
    private readonly api: FastifyInstance,
  ) {
    // A WebSocket message never needs to be bigger than one frame: the client splits the rest.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: HEADER_LENGTH + options.maxBodyLength,
      perMessageDeflate: false,
    });
    const perAddress = options.perAddress;
    this.onUpgrade = (req, socket, head) => {
      const dialect = WS_PATHS.get((req.url ?? '').split('?')[0] ?? '');
      if (dialect === undefined || !gateway.serves(dialect)) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      const address = req.socket.remoteAddress ?? '';
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        // Counted once upgraded: a handshake that fails never reaches here, so never leaks a count.
        const admitted = perAddress === undefined || perAddress.tryOpen(address);
        const stream = new WsByteStream(ws, address, dialect === Dialect.IMP);
        const conn = gateway.accept(stream, dialect);
        if (!admitted) {
          conn.close(TOO_MANY_CONNECTIONS.status, TOO_MANY_CONNECTIONS.reason);
          return;
        }
        if (perAddress !== undefined) {
          ws.once('close', () => {
            perAddress.closed(address);
          });
        }
      });
    };
    api.server.on('upgrade', this.onUpgrade);
  }

  async listen(): Promise<number> {
    await this.api.listen({ host: this.options.host, port: this.options.port });
    const port = (this.api.server.address() as AddressInfo).port;
    const https = this.options.https;
    if (https !== undefined) {
      const server = createHttpsServer(
        {
          cert: https.credentials.cert,
          key: https.credentials.key,
          handshakeTimeout: https.handshakeTimeoutMs,
          minVersion: 'TLSv1.2',
        },
        (req, res) => {
          this.api.routing(req, res);
        },
      );
      server.on('upgrade', this.onUpgrade);
      server.on('tlsClientError', (_err, socket) => {
        socket.destroy();
      });
      this.https = server;
      this.httpsPort = await listenOn(server, this.options.host, https.port);
    }
    return port;
  }

  async close(): Promise<void> {
    // Upgraded sockets belong to the gateway now; the servers close only idle HTTP keep-alives.
    this.wss.close();
    const https = this.https;
    if (https !== undefined) {
      await new Promise<void>((resolve) => {
        https.close(() => {
          resolve();
        });
        https.closeIdleConnections();
      });
    }
    await this.api.close();
  }
}
