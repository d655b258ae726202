import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ParleyError } from './errors.js';
import {
  byteAtATime,
  chunked,
  concat,
  drive,
  mutate,
  type IncrementalDecoder,
  type Mutation,
} from './fuzz-support.js';

/** A result of an incremental decoder: a frame (or request), need-more, or a fault. */
export interface DecodeOutcome {
  readonly kind: string;
}

/** One valid frame on the wire and what the decoder must make of it. */
export interface ValidFrame<R extends DecodeOutcome> {
  readonly bytes: Uint8Array;
  readonly decoded: R;
}

/** An error class a fault may carry (`instanceof` target). */
export type FaultClass = abstract new (...args: never[]) => Error;

/**
 * What the contract needs to know of one codec. `L` is whatever the decoder is built with (its
 * size limits). Arbitraries must be built after `fc.configureGlobal({ baseSize: 'large' })`.
 */
export interface CodecFuzzAdapter<R extends DecodeOutcome, L> {
  /** A fresh decoder: every stream is decoded by three of them (whole, byte at a time, chunked). */
  decoder(limits: L): IncrementalDecoder<R>;
  /** Limits the random and mutated streams are decoded under (small ones, so faults happen). */
  readonly limits: fc.Arbitrary<L>;
  /** Limits every valid frame fits in, for the round trip. */
  readonly roomyLimits: L;
  /** The most a drained decoder may hold under these limits (one header, frame or line). */
  bufferBound(limits: L): number;
  /** The fault's error when the result is a fault. */
  faultError(result: R): ParleyError | undefined;
  /** Every class a fault's error may be an instance of. */
  readonly faultClasses: readonly FaultClass[];
  /** Random input: bytes, perhaps after the codec's magic or made of its text. */
  readonly random: { readonly label: string; readonly input: fc.Arbitrary<Uint8Array> };
  /** Valid frames, in the decoder's own result shape. */
  readonly valid: fc.Arbitrary<ValidFrame<R>>;
  /** The most valid frames one round-trip stream holds. */
  readonly maxValidFrames: number;
  /** What mutated streams are made of (valid frames, and any hostile pieces of the codec's). */
  readonly mutable: fc.Arbitrary<Uint8Array>;
  /** The most pieces one mutated stream holds. */
  readonly maxMutatedPieces: number;
  /** Where a frame keeps its 32-bit big-endian length fields (empty: random 4-byte windows). */
  readonly lengthOffsets: readonly number[];
  /**
   * How a result of a mutated stream is counted; default: the fault's error name, or the kind.
   * Every one of `outcomes` must be seen, so the mutations are known to reach every path.
   */
  outcome?(result: R): string;
  readonly outcomes: readonly string[];
}

/** Mutations of a valid frame, as `mutate` takes them. Build after `fc.configureGlobal`. */
export function mutationsArbitrary(): fc.Arbitrary<Mutation[]> {
  return fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 6 });
}

/** Chunk sizes for `chunked`. */
function chunkSizesArbitrary(): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });
}

/**
 * Results reduced to data `deepEqual` compares across decoders: bytes as hex (a strict deepEqual
 * tells a Buffer slice from a Uint8Array), a fault as its error's name, status and message.
 */
function plain<R extends DecodeOutcome>(
  results: readonly R[],
  faultError: (result: R) => ParleyError | undefined,
): unknown[] {
  return results.map((r) => {
    const error = faultError(r);
    if (error !== undefined) return { fault: error.name, status: error.status, message: error.message };
    return plainData(r);
  });
}

function plainData(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(plainData);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainData(v)]));
  }
  return value;
}

/**
 * The codec fuzz contract, registered as a node:test suite: every incremental decoder (native,
 * IMTP, Jim, IMP) runs it with an adapter: `codecFuzzContract('IMTP', imtpAdapter)`. On random
 * bytes, mutated valid streams (bit flips, truncation, hostile lengths, ...) and valid streams,
 * the decoder never throws; it yields results or one typed fault and stays faulted; a drained
 * decoder holds at most one frame's worth of input; and it decodes identically whole, byte at a
 * time and in random chunks. Runs use fast-check's random seed (it prints the seed to replay a
 * failure).
 */
export function codecFuzzContract<R extends DecodeOutcome, L>(
  name: string,
  adapter: CodecFuzzAdapter<R, L>,
): void {
  // Without it, fast-check keeps arrays tiny whatever their maxLength; and arbitraries take their
  // size when built, so the caller must set it before building the adapter's.
  assert.equal(fc.readConfigureGlobal().baseSize, 'large', 'fc.configureGlobal({ baseSize: "large" }) first');
  const sizes = chunkSizesArbitrary();
  const mutations = mutationsArbitrary();
  const faultError = (r: R): ParleyError | undefined => adapter.faultError(r);
  const outcome = (r: R): string => {
    if (adapter.outcome !== undefined) return adapter.outcome(r);
    return faultError(r)?.name ?? r.kind;
  };

  /** Decodes whole, byte at a time and in chunks: same results, bounded, typed faults. */
  const checkStream = (bytes: Uint8Array, limits: L, chunkSizes: readonly number[]): R[] => {
    const whole = drive(adapter.decoder(limits), [bytes]);
    const bytewise = drive(adapter.decoder(limits), byteAtATime(bytes));
    const chunks = drive(adapter.decoder(limits), chunked(bytes, chunkSizes));
    const expected = plain(whole.results, faultError);
    assert.deepEqual(plain(bytewise.results, faultError), expected);
    assert.deepEqual(plain(chunks.results, faultError), expected);
    const bound = adapter.bufferBound(limits);
    for (const run of [whole, bytewise, chunks]) {
      assert.ok(run.maxBuffered <= bound, `held ${run.maxBuffered} bytes, bound ${bound}`);
      assert.ok(run.buffered <= bound, `kept ${run.buffered} bytes at the end, bound ${bound}`);
    }
    for (const r of whole.results) {
      const error = faultError(r);
      if (error !== undefined) {
        assert.ok(
          adapter.faultClasses.some((cls) => error instanceof cls),
          `typed fault, got ${error.name}`,
        );
      }
    }
    return whole.results;
  };

  void describe(`codec fuzz contract: ${name}`, () => {
    it(`${adapter.random.label}: typed faults only, bounded, chunking-independent`, () => {
      fc.assert(
        fc.property(adapter.random.input, adapter.limits, sizes, (bytes, limits, chunkSizes) => {
          checkStream(bytes, limits, chunkSizes);
        }),
        { numRuns: 1000 },
      );
    });

    it('mutated valid streams (bit flips, truncation, hostile lengths): typed faults only, bounded, every outcome reached', () => {
      const seen = new Map<string, number>();
      fc.assert(
        fc.property(
          fc.array(fc.tuple(adapter.mutable, mutations), {
            minLength: 1,
            maxLength: adapter.maxMutatedPieces,
          }),
          adapter.limits,
          sizes,
          (pieces, limits, chunkSizes) => {
            const bytes = concat(pieces.map(([piece, m]) => mutate(piece, m, adapter.lengthOffsets)));
            for (const r of checkStream(bytes, limits, chunkSizes)) {
              const key = outcome(r);
              seen.set(key, (seen.get(key) ?? 0) + 1);
            }
          },
        ),
        { numRuns: 1500 },
      );
      for (const key of adapter.outcomes) {
        assert.ok((seen.get(key) ?? 0) > 0, `saw ${key}: ${JSON.stringify([...seen])}`);
      }
    });

    it('valid streams decode to exactly their frames under any chunking, byte at a time included', () => {
      fc.assert(
        fc.property(
          fc.array(adapter.valid, { maxLength: adapter.maxValidFrames }),
          sizes,
          (frames, chunkSizes) => {
            const results = checkStream(concat(frames.map((f) => f.bytes)), adapter.roomyLimits, chunkSizes);
            assert.deepEqual(
              plain(results, faultError),
              plain(
                frames.map((f) => f.decoded),
                faultError,
              ),
            );
          },
        ),
        { numRuns: 500 },
      );
    });
  });
}
