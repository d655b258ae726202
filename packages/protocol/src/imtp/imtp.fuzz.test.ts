import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadRequestError, ProtocolError, TooLargeError, UnsupportedVersionError } from '../errors.js';
import { byteAtATime, chunked, concat, drive, mutate, type Mutation } from '../fuzz-support.js';
import {
  decodeImtpAuth,
  decodeImtpLogin,
  decodeImtpMessage,
  decodeImtpOfflineBody,
  encodeImtpLogin,
  encodeImtpMessage,
  encodeImtpOfflineBody,
  peekImtpAckId,
} from './body.js';
import {
  IMTP_CHECKSUM_LENGTH,
  IMTP_HEADER_LENGTH,
  ImtpDecoder,
  encodeImtpFrame,
  type ImtpDecodeResult,
} from './frame.js';

/**
 * Fuzzing IMTP: the frame decoder (random bytes, mutated valid streams incl. hostile int32
 * lengths, whole and byte-at-a-time) and every body decoder on mutated valid bodies. The frame
 * decoder yields frames or one typed fault and holds at most one frame; body decoders throw
 * BadRequestError and nothing else.
 */

fc.configureGlobal({ baseSize: 'large' });

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const frameArb = fc.record({
  sender: int64,
  receiver: int64,
  group: fc.boolean(),
  cmd: fc.oneof(fc.constantFrom(126, 120, 1, 4, 6, 127, 123, -1), fc.integer({ min: -128, max: 127 })),
  body: fc.uint8Array({ maxLength: 300 }),
});
const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), {
  maxLength: 6,
});
const maxBodyArb = fc.constantFrom(0, 16, 100, 300, 1024);
const sizesArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });
/** Where the header keeps its int32 body length. */
const LENGTH_OFFSET = 20;

function plain(results: readonly ImtpDecodeResult[]): unknown[] {
  return results.map((r) => {
    if (r.kind === 'frame') return { ...r.frame, body: Buffer.from(r.frame.body).toString('hex') };
    if (r.kind === 'fault') return { fault: r.error.name, message: r.error.message };
    return r;
  });
}

function checkStream(bytes: Uint8Array, maxBodyLength: number, sizes: readonly number[]): ImtpDecodeResult[] {
  const whole = drive(new ImtpDecoder({ maxBodyLength }), [bytes]);
  const bytewise = drive(new ImtpDecoder({ maxBodyLength }), byteAtATime(bytes));
  const chunks = drive(new ImtpDecoder({ maxBodyLength }), chunked(bytes, sizes));
  assert.deepEqual(plain(bytewise.results), plain(whole.results));
  assert.deepEqual(plain(chunks.results), plain(whole.results));
  const bound = Math.max(IMTP_HEADER_LENGTH, maxBodyLength + IMTP_CHECKSUM_LENGTH);
  for (const run of [whole, bytewise, chunks]) {
    assert.ok(run.maxBuffered <= bound, `held ${run.maxBuffered} bytes, bound ${bound}`);
  }
  for (const r of whole.results) {
    if (r.kind === 'fault') {
      assert.ok(
        r.error instanceof ProtocolError ||
          r.error instanceof UnsupportedVersionError ||
          r.error instanceof TooLargeError,
        `typed fault, got ${r.error.name}`,
      );
    }
  }
  return whole.results;
}

describe('IMTP frame fuzz', () => {
  it('random bytes (and random bytes after the magic): typed faults only, bounded', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.boolean(),
        maxBodyArb,
        sizesArb,
        (bytes, magic, max, sizes) => {
          checkStream(magic ? concat([Uint8Array.of(0xdf, 0x01), bytes]) : bytes, max, sizes);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('mutated valid streams (bit flips, truncation, hostile lengths): typed faults only, bounded', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(frameArb, mutationsArb), { minLength: 1, maxLength: 8 }),
        maxBodyArb,
        sizesArb,
        (frames, max, sizes) => {
          const bytes = concat(frames.map(([f, m]) => mutate(encodeImtpFrame(f), m, [LENGTH_OFFSET])));
          for (const r of checkStream(bytes, max, sizes)) {
            const key = r.kind === 'fault' ? r.error.message.replace(/[0-9]+/g, 'n') : r.kind;
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        },
      ),
      { numRuns: 1500 },
    );
    for (const key of [
      'frame',
      'bad IMTP magic',
      'bad IMTP checksum',
      'negative IMTP body length',
      'reserved IMTP flag bits are set',
    ]) {
      assert.ok((seen.get(key) ?? 0) > 0, `saw ${key}: ${JSON.stringify([...seen])}`);
    }
  });

  it('valid streams round-trip under any chunking', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 10 }), sizesArb, (frames, sizes) => {
        const results = checkStream(concat(frames.map((f) => encodeImtpFrame(f))), 1024, sizes);
        assert.deepEqual(plain(results), plain(frames.map((frame) => ({ kind: 'frame', frame }))));
      }),
      { numRuns: 300 },
    );
  });

  it('a single flipped body bit never passes the checksum', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.nat({ max: 7 }), (f, at, bit) => {
        fc.pre(f.body.length > 0);
        const bytes = encodeImtpFrame(f);
        const i = IMTP_HEADER_LENGTH + (at % f.body.length);
        bytes[i] = (bytes[i] ?? 0) ^ (1 << bit);
        const run = drive(new ImtpDecoder(), byteAtATime(bytes));
        assert.equal(run.results.length, 1);
        const [r] = run.results;
        assert.ok(r?.kind === 'fault' && r.error.message === 'bad IMTP checksum');
      }),
      { numRuns: 300 },
    );
  });
});

/** A body decoder either answers or throws BadRequestError. */
function bodyDecodes(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): boolean {
  try {
    decode(bytes);
    return true;
  } catch (err) {
    assert.ok(err instanceof BadRequestError, `BadRequestError, got ${String(err)}`);
    return false;
  }
}

describe('IMTP body fuzz', () => {
  const metadataArb = fc.option(
    fc.record(
      {
        width: fc.nat(),
        height: fc.nat(),
        mediaType: fc.oneof(fc.string({ maxLength: 20 }), fc.nat()),
        duration: fc.nat(),
        size: fc.nat(),
        name: fc.string({ maxLength: 20 }),
        thumbnailUrl: fc.string({ maxLength: 20 }),
        previewUrl: fc.string({ maxLength: 20 }),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  );
  const messageArb = fc
    .record({ text: fc.string({ maxLength: 100 }), ackId: int64, timestamp: int64, metadata: metadataArb })
    // Empty metadata is written as none (length 0), so it reads back as absent.
    .map((m) =>
      m.metadata === undefined || Object.keys(m.metadata).length === 0
        ? { text: m.text, ackId: m.ackId, timestamp: m.timestamp }
        : { text: m.text, ackId: m.ackId, timestamp: m.timestamp, metadata: { ...m.metadata } },
    );

  it('mutated message, login, auth and offline bodies: decoded or BAD_REQUEST', () => {
    const bodies = fc.oneof(
      messageArb.map((m) => encodeImtpMessage(m)),
      fc
        .record({ username: fc.string({ maxLength: 20 }), password: fc.string({ maxLength: 20 }) })
        .map((l) => encodeImtpLogin(l)),
      fc
        .array(
          fc.record({
            cmd: fc.integer({ min: -128, max: 127 }),
            group: fc.boolean(),
            sender: int64,
            receiver: int64,
            body: fc.uint8Array({ maxLength: 40 }),
          }),
          { maxLength: 4 },
        )
        .map((entries) => encodeImtpOfflineBody(entries)),
    );
    let decoded = 0;
    fc.assert(
      fc.property(bodies, mutationsArb, (body, mutations) => {
        const bytes = mutate(body, mutations, [0]);
        for (const decode of [
          decodeImtpMessage,
          decodeImtpLogin,
          decodeImtpAuth,
          decodeImtpOfflineBody,
          peekImtpAckId,
        ]) {
          if (bodyDecodes(decode, bytes)) decoded += 1;
        }
      }),
      { numRuns: 1500 },
    );
    assert.ok(decoded > 0);
  });

  it('message bodies with metadata round-trip', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        assert.deepEqual(decodeImtpMessage(encodeImtpMessage(m)), m);
      }),
      { numRuns: 300 },
    );
  });
});
