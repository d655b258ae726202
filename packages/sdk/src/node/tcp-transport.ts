import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { BaseTransport, type TransportFactory } from '../transport.js';

export interface TcpTransportOptions {
  readonly host?: string;
  readonly port: number;
  /** Connect timeout (ms). */
  readonly connectTimeoutMs?: number;
}

export interface TlsTransportOptions extends TcpTransportOptions {
  /** Passed to `tls.connect` (ca, servername, rejectUnauthorized, ...). */
  readonly tls?: Omit<ConnectionOptions, 'host' | 'port'>;
}

/** TCP or TLS in Node: the socket's chunks go straight to the frame decoder. */
export class SocketTransport extends BaseTransport {
  private socket: Socket | undefined;

  constructor(
    private readonly options: TlsTransportOptions,
    private readonly secure: boolean,
  ) {
    super();
  }

  open(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    const { port } = this.options;
    return new Promise<void>((resolve, reject) => {
      const socket = this.secure
        ? tlsConnect({ ...this.options.tls, host, port, servername: this.options.tls?.servername ?? host })
        : netConnect({ host, port, noDelay: true });
      this.socket = socket;
      socket.setNoDelay(true);
      const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        socket.destroy(new Error(`connect to ${host}:${String(port)} timed out`));
      }, timeoutMs);
      let opened = false;
      socket.once(this.secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        opened = true;
        resolve();
      });
      socket.on('data', (chunk: Buffer) => {
        this.emitBytes(chunk);
      });
      socket.on('error', (err: Error) => {
        clearTimeout(timer);
        if (!opened) reject(err);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (!opened) reject(new Error(`connection to ${host}:${String(port)} closed`));
        this.emitClose();
      });
    });
  }

  send(bytes: Uint8Array): void {
    if (this.closed || this.socket === undefined) return;
    this.socket.write(bytes);
  }

  close(): void {
    // destroy, not end: a dead peer would keep a half-closed socket around.
    this.socket?.destroy();
    this.emitClose();
  }
}

export function tcpTransport(options: TcpTransportOptions): TransportFactory {
  return () => new SocketTransport(options, false);
}

export function tlsTransport(options: TlsTransportOptions): TransportFactory {
  return () => new SocketTransport(options, true);
}
