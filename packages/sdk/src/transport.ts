/**
 * The byte pipe under a session. The native protocol is a byte stream of frames, so a transport
 * only moves bytes: TCP and TLS (Node) and WebSocket (Node and browsers) all fit. A transport is
 * single-use: one `open`, then bytes, then exactly one close; reconnecting makes a new one
 * through a `TransportFactory`.
 */
export interface Transport {
  /** Resolves once bytes can be sent; rejects if the connection cannot be made. */
  open(): Promise<void>;
  /** Queues bytes for the peer (framing is the caller's job). */
  send(bytes: Uint8Array): void;
  /** Closes the connection; `onClose` fires once, also when the peer or the network closed it. */
  close(): void;
  /** Bytes as they arrive: any chunking (partial frames, several frames) is allowed. */
  onBytes(handler: (bytes: Uint8Array) => void): void;
  onClose(handler: (error?: Error) => void): void;
}

/** Makes a fresh transport for each connection attempt. */
export type TransportFactory = () => Transport;

/**
 * The handler plumbing every transport shares: the close handler runs at most once, and bytes
 * that arrive after close are dropped.
 */
export abstract class BaseTransport implements Transport {
  private bytesHandler: ((bytes: Uint8Array) => void) | undefined;
  private closeHandler: ((error?: Error) => void) | undefined;
  protected closed = false;

  abstract open(): Promise<void>;
  abstract send(bytes: Uint8Array): void;
  abstract close(): void;

  onBytes(handler: (bytes: Uint8Array) => void): void {
    this.bytesHandler = handler;
  }

  onClose(handler: (error?: Error) => void): void {
    this.closeHandler = handler;
  }

  protected emitBytes(bytes: Uint8Array): void {
    if (!this.closed) this.bytesHandler?.(bytes);
  }

  protected emitClose(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeHandler?.(error);
  }
}
