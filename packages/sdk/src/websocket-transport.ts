import { BaseTransport, type TransportFactory } from './transport.js';

/**
 * What the SDK needs of a WebSocket: the browser's `WebSocket` and the `ws` package's class both
 * fit. Handler parameters are typed `never` so that both implementations' event types are
 * accepted; the handlers read only `data` (and nothing else) from the events.
 */
export interface WebSocketLike {
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** e.g. `ws://127.0.0.1:8080/ws` or `wss://chat.example.com/ws`. */
  readonly url: string;
  /**
   * The WebSocket class. Defaults to `globalThis.WebSocket` (browsers, Node 22+); on Node 20 pass
   * the `ws` package's `WebSocket`.
   */
  readonly WebSocket?: WebSocketConstructor;
}

/**
 * The native protocol over WebSocket: binary messages carry frame bytes, and a message may hold
 * part of a frame or several, so the payloads are treated as one byte stream.
 */
export class WebSocketTransport extends BaseTransport {
  private socket: WebSocketLike | undefined;

  constructor(private readonly options: WebSocketTransportOptions) {
    super();
  }

  open(): Promise<void> {
    const ctor = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (ctor === undefined) {
      return Promise.reject(new Error('no WebSocket class: pass one (e.g. from the "ws" package)'));
    }
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      let socket: WebSocketLike;
      try {
        socket = new ctor(this.options.url);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      this.socket = socket;
      // ArrayBuffer in both implementations (ws would default to Buffer, browsers to Blob).
      socket.binaryType = 'arraybuffer';
      socket.onopen = () => {
        opened = true;
        resolve();
      };
      socket.onmessage = (event: { data: unknown }) => {
        const data = event.data;
        if (data instanceof ArrayBuffer) this.emitBytes(new Uint8Array(data));
        else if (ArrayBuffer.isView(data)) {
          this.emitBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        } else {
          // A text message is not part of the native protocol: the stream is broken.
          this.close();
        }
      };
      socket.onerror = () => {
        // The close event follows with the details; before open, the error is the failure.
        if (!opened) reject(new Error(`WebSocket connection to ${this.options.url} failed`));
      };
      socket.onclose = () => {
        if (!opened) reject(new Error(`WebSocket connection to ${this.options.url} closed`));
        this.emitClose();
      };
    });
  }

  send(bytes: Uint8Array): void {
    if (this.closed || this.socket === undefined) return;
    this.socket.send(bytes);
  }

  close(): void {
    const socket = this.socket;
    if (socket !== undefined) {
      try {
        socket.close();
      } catch {
        // already closing
      }
    }
    // Report the close now: a half-dead socket may take long to fire its own close event.
    this.emitClose();
  }
}

export function webSocketTransport(options: WebSocketTransportOptions): TransportFactory {
  return () => new WebSocketTransport(options);
}
