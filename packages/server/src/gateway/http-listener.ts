import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { HEADER_LENGTH } from '@parley/protocol';
import { Dialect } from './dialect.js';
import type { NativeGateway } from './native/native-gateway.js';
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
}

/**
 * The HTTP port: the HTTP API (a fastify instance: /api/v1, /api/docs, /healthz, /readyz,
 * /metrics) and every dialect over WebSocket (/ws native, /ws/imtp, /ws/jim, /ws/imp — IMP in
 * text messages, the others binary), upgraded on fastify's underlying node:http server.
 */
export class HttpListener {
  private readonly wss: WebSocketServer;

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
    api.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const dialect = WS_PATHS.get((req.url ?? '').split('?')[0] ?? '');
      if (dialect === undefined || !gateway.serves(dialect)) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = new WsByteStream(ws, req.socket.remoteAddress ?? '', dialect === Dialect.IMP);
        gateway.accept(stream, dialect);
      });
    });
  }

  async listen(): Promise<number> {
    await this.api.listen({ host: this.options.host, port: this.options.port });
    return (this.api.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    // Upgraded sockets belong to the gateway now; fastify closes only idle HTTP keep-alives.
    this.wss.close();
    await this.api.close();
  }
}
