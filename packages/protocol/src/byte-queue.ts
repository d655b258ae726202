/**
 * Received chunks not yet consumed, shared by every frame decoder: bytes are taken without a
 * copy when they sit in one chunk, and the decoders bound what they let it hold.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Read offset into chunks[0]. */
  private offset = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The byte at position i of the unread input, or undefined past the end. */
  peek(i: number): number | undefined {
    let at = this.offset + i;
    for (const chunk of this.chunks) {
      if (at < chunk.length) return chunk[at];
      at -= chunk.length;
    }
    return undefined;
  }

  /** Removes n bytes (n <= length); zero-copy when they sit in one chunk. */
  take(n: number): Uint8Array {
    if (n > this.size) throw new RangeError('ByteQueue: taking more than is buffered');
    this.size -= n;
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.advance(first, n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      if (chunk === undefined) throw new Error('ByteQueue: buffer underrun');
      const count = Math.min(n - filled, chunk.length - this.offset);
      out.set(chunk.subarray(this.offset, this.offset + count), filled);
      filled += count;
      this.advance(chunk, count);
    }
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.size = 0;
  }

  private advance(chunk: Uint8Array, count: number): void {
    this.offset += count;
    if (this.offset === chunk.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}

/** A decoder's body bound: the option, else the default; an integer in [0, absoluteMax]. */
export function checkedMaxBodyLength(
  value: number | undefined,
  fallback: number,
  absoluteMax: number,
): number {
  const max = value ?? fallback;
  if (!Number.isInteger(max) || max < 0 || max > absoluteMax) {
    throw new RangeError(`maxBodyLength must be an integer in [0, ${String(absoluteMax)}]`);
  }
  return max;
}
