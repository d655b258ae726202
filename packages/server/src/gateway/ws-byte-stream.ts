import type { WebSocket } from 'ws';
import type { ByteStream } from './byte-stream.js';

/**
 * A ByteStream over a WebSocket: binary messages carry the dialect's bytes (a message may hold
 * several frames or part of one). What is written in one event-loop turn goes out as one message.
 */
export class WsByteStream implements ByteStream {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    /** Text dialects (IMP) use text messages both ways; the others binary only. */
    private readonly text = false,
  ) {
    ws.on('error', () => undefined);
    ws.on('close', () => {
      this.closed = true;
    });
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount + this.pendingBytes;
  }

  get destroyed(): boolean {
    return this.closed;
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.pending.length === 0)
      process.nextTick(() => {
        this.flush();
      });
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  end(): void {
    this.flush();
    this.ws.close(1000);
  }

  destroy(): void {
    this.closed = true;
    this.ws.terminate();
  }

  onData(listener: (bytes: Uint8Array) => void): void {
    this.ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      if (isBinary === this.text) {
        // A binary dialect getting text (or the reverse) is a client bug, not data.
        this.ws.close(1003, this.text ? 'text messages only' : 'binary messages only');
        return;
      }
      if (Array.isArray(data)) for (const part of data) listener(part);
      else listener(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    });
  }

  onClose(listener: () => void): void {
    this.ws.on('close', listener);
  }

  private flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const parts = this.pending;
    const size = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const bytes = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, size);
    this.ws.send(this.text ? Buffer.from(bytes).toString('utf8') : bytes, { binary: !this.text });
  }
}
