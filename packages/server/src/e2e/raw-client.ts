import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';

/**
 * A byte-level client for fault tests: it writes exactly what it is told and keeps everything the
 * server sends, over TCP or a WebSocket path. No framing of its own, so it can be as broken or as
 * slow as a test needs.
 */
export class RawClient {
  readonly received: Buffer[] = [];
  readonly closed: Promise<void>;
  closedAt: number | undefined;
  private constructor(
    private readonly writeBytes: (bytes: Uint8Array) => void,
    private readonly end: () => void,
    onClose: (listener: () => void) => void,
  ) {
    this.closed = new Promise((resolve) => {
      onClose(() => {
        this.closedAt ??= Date.now();
        resolve();
      });
    });
  }

  static async tcp(port: number, options: { receiveBuffer?: boolean } = {}): Promise<RawClient> {
    const socket: Socket = connect({ port, host: '127.0.0.1', noDelay: true });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(
      (bytes) => socket.write(bytes),
      () => {
        socket.destroy();
      },
      (listener) => {
        socket.once('close', listener);
      },
    );
    if (options.receiveBuffer !== false) socket.on('data', (b: Buffer) => client.received.push(b));
    return client;
  }

  static async ws(httpPort: number, path: string, text = false): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${httpPort}${path}`);
    ws.on('error', () => undefined);
    // Kept from the start: the server may speak in the same packet as the upgrade's answer.
    const early: Buffer[] = [];
    ws.on('message', (data: Buffer) => early.push(data));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const client = new RawClient(
      (bytes) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (text) ws.send(Buffer.from(bytes).toString('utf8'));
        else ws.send(bytes, { binary: true });
      },
      () => {
        ws.terminate();
      },
      (listener) => {
        ws.once('close', listener);
      },
    );
    // The same array from now on: what came early is already in it.
    client.received.push(...early.splice(0));
    ws.removeAllListeners('message');
    ws.on('message', (data: Buffer) => client.received.push(data));
    return client;
  }

  get isClosed(): boolean {
    return this.closedAt !== undefined;
  }

  get bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  write(bytes: Uint8Array | string): void {
    this.writeBytes(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  }

  destroy(): void {
    this.end();
  }

  /** Resolves true when the server closed the connection within `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => {
        resolve(false);
      }, ms);
    });
    const result = await Promise.race([this.closed.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }
}
