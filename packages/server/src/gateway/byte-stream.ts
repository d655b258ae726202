/**
 * The transport seam under a dialect connection: a duplex byte stream over TCP, TLS or
 * WebSocket. Connections frame, authenticate and route; streams only move bytes. Writes made in
 * one turn of the event loop are coalesced into one syscall / one WebSocket message.
 */
export interface ByteStream {
  /** For logs and per-address limits. */
  readonly remoteAddress: string;
  /** Bytes accepted by `write` but not yet handed to the kernel. */
  readonly bufferedBytes: number;
  readonly destroyed: boolean;
  write(bytes: Uint8Array): void;
  /** Stop / restart delivering inbound bytes (backpressure on a client that sends too fast). */
  pause(): void;
  resume(): void;
  /** Close after what was written is flushed. */
  end(): void;
  /** Close now. */
  destroy(): void;
  onData(listener: (bytes: Uint8Array) => void): void;
  onClose(listener: () => void): void;
}
