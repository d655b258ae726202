import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { HEADER_LENGTH } from '@parley/protocol';
import { Dialect } from './dialect.js';
import type { NativeGateway } from './native/native-gateway.js';
import { listenOn } from './tcp-listener.js';
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
 * The HTTP port: every dialect over WebSocket (/ws native, /ws/imtp, /ws/jim, /ws/imp — IMP in
 * text messages, the others binary) and /healthz. (The HTTP API joins here later.)
 */
export class HttpListener {
  private readonly server: Server;
  private readonly wss: WebSocketServer;

  constructor(
    private readonly options: HttpListenerOptions,
    gateway: NativeGateway,
  ) {
    // A WebSocket message never needs to be bigger than one frame: the client splits the rest.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: HEADER_LENGTH + options.maxBodyLength,
      perMessageDeflate: false,
    });
    this.server = createServer((req, res) => {
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
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
    this.server.on('clientError', (_err, socket) => {
      socket.destroy();
    });
  }

  listen(): Promise<number> {
    return listenOn(this.server, this.options.host, this.options.port);
  }

  close(): Promise<void> {
    // Upgraded sockets belong to the gateway now; only idle HTTP keep-alives are closed here.
    this.wss.close();
    const closed = new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
    this.server.closeIdleConnections();
    return closed;
  }
}
