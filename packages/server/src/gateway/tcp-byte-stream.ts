import type { Socket } from 'node:net';
import type { ByteStream } from './byte-stream.js';

/** A ByteStream over a TCP (or TLS) socket. */
export class TcpByteStream implements ByteStream {
  private corked = false;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    // Errors are followed by 'close', which the connection handles; nothing else to do here.
    socket.on('error', () => undefined);
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  write(bytes: Uint8Array): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(bytes);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  onData(listener: (bytes: Uint8Array) => void): void {
    this.socket.on('data', listener);
  }

  onClose(listener: () => void): void {
    this.socket.on('close', listener);
  }
}
