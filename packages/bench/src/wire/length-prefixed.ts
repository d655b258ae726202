/**
 * Frames of the raw net relay: a 4-byte big-endian length, then that many bytes. The relay itself
 * never looks inside them; only the clients do.
 */
export function lengthPrefixed(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

/** Splits a byte stream into frames; bounded by `maxFrame` so a broken stream cannot grow memory. */
export class LengthPrefixedDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrame = 1024 * 1024) {}

  /** Calls `onFrame` for every complete frame in the bytes so far. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    while (this.buffer.length - offset >= 4) {
      const len = this.buffer.readUInt32BE(offset);
      if (len > this.maxFrame) throw new Error(`frame of ${len} bytes is over the limit`);
      if (this.buffer.length - offset - 4 < len) break;
      onFrame(this.buffer.subarray(offset + 4, offset + 4 + len));
      offset += 4 + len;
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
  }
}

/** The first frame on a relay connection: who this is and where its bytes go. */
export interface RelayHello {
  readonly name: string;
  readonly to?: string;
  readonly group?: string;
  readonly join?: string;
}

/** The relay's one-byte answer to the hello: routing is in place. */
export const RELAY_READY = 0x01;
