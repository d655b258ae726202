/**
 * Shared pieces of the codec fuzz contract (codec-fuzz-contract.ts, which every codec's
 * `*.fuzz.test.ts` runs) and of the live-server fuzzer: mutations of valid frames, chunking, and
 * a driver that feeds an incremental decoder and watches what it buffers. Plain functions over
 * plain data, so their callers build the random input with fast-check and this module needs no
 * test dependency. Not exported from the package index.
 */

/**
 * One mutation, as three random naturals (`[op, where, what]`) so any generator can make them.
 * Ops: flip a bit, set a byte, truncate, insert a byte, delete a byte, overwrite a length field
 * with a hostile value, duplicate a slice, drop a slice.
 */
export type Mutation = readonly [op: number, where: number, what: number];

/** Values a 32-bit length field is set to: huge, negative as int32, just past 16 MiB, ... */
export const HOSTILE_LENGTHS: readonly number[] = [
  0xffff_ffff, 0x8000_0000, 0x7fff_ffff, 0x0100_0000, 0x00ff_ffff, 0x0010_0001, 0xffff_fff0, 1, 0,
];

const OPS = 8;

/**
 * Applies mutations to one frame. `lengthOffsets` are where the codec keeps 32-bit big-endian
 * length fields (relative to the frame's start); op 5 overwrites one of them, or a random
 * 4-byte window when the frame has none.
 */
export function mutate(
  frame: Uint8Array,
  mutations: readonly Mutation[],
  lengthOffsets: readonly number[] = [],
): Uint8Array {
  let out = Array.from(frame);
  for (const [rawOp, where, what] of mutations) {
    const op = rawOp % OPS;
    const len = out.length;
    switch (op) {
      case 0:
        if (len > 0) out[where % len] = (out[where % len] ?? 0) ^ (1 << (what % 8));
        break;
      case 1:
        if (len > 0) out[where % len] = what & 0xff;
        break;
      case 2:
        out = out.slice(0, where % (len + 1));
        break;
      case 3:
        out.splice(where % (len + 1), 0, what & 0xff);
        break;
      case 4:
        if (len > 0) out.splice(where % len, 1);
        break;
      case 5: {
        const value = HOSTILE_LENGTHS[what % HOSTILE_LENGTHS.length] ?? 0;
        const at =
          lengthOffsets.length > 0 ? (lengthOffsets[where % lengthOffsets.length] ?? 0) : where % (len + 1);
        for (let i = 0; i < 4; i++) {
          if (at + i < out.length) out[at + i] = (value >>> (24 - 8 * i)) & 0xff;
        }
        break;
      }
      case 6: {
        if (len === 0) break;
        const from = where % len;
        const slice = out.slice(from, from + 1 + (what % 32));
        out.splice(from, 0, ...slice);
        break;
      }
      default: {
        if (len === 0) break;
        const from = where % len;
        out.splice(from, 1 + (what % 32));
      }
    }
  }
  return Uint8Array.from(out);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits bytes into chunks whose sizes cycle through `sizes` (each at least 1). */
export function chunked(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes.length === 0 ? bytes.length : (sizes[i++ % sizes.length] ?? 1));
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Every byte on its own. */
export function byteAtATime(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
}

/** The shape every incremental decoder here has. */
export interface IncrementalDecoder<R extends { readonly kind: string }> {
  readonly buffered: number;
  push(chunk: Uint8Array): void;
  next(): R;
}

export interface DriveResult<R> {
  /** Every result other than need-more, in order; a fault is the last. */
  readonly results: R[];
  /** The most the decoder held after being drained (after each chunk's need-more). */
  readonly maxBuffered: number;
  /** What it held at the end. */
  readonly buffered: number;
}

/**
 * Feeds the chunks, draining the decoder after each one, and stops at the first fault. Anything
 * the decoder throws propagates: a fuzz suite asserts that nothing does. After a fault it checks
 * that the decoder stays faulted and keeps nothing of further input.
 */
export function drive<R extends { readonly kind: string }>(
  decoder: IncrementalDecoder<R>,
  chunks: readonly Uint8Array[],
): DriveResult<R> {
  const results: R[] = [];
  let maxBuffered = 0;
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (;;) {
      const r = decoder.next();
      if (r.kind === 'need-more') break;
      results.push(r);
      if (r.kind === 'fault') {
        decoder.push(new Uint8Array(64).fill(0x41));
        const again = decoder.next();
        if (again.kind !== 'fault') throw new Error('decoder left the faulted state');
        if (decoder.buffered !== 0) throw new Error('a faulted decoder kept input');
        return { results, maxBuffered, buffered: 0 };
      }
    }
    maxBuffered = Math.max(maxBuffered, decoder.buffered);
  }
  return { results, maxBuffered, buffered: decoder.buffered };
}
