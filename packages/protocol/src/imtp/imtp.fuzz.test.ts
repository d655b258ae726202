import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { codecFuzzContract, mutationsArbitrary, type CodecFuzzAdapter } from '../codec-fuzz-contract.js';
import { BadRequestError, ProtocolError, TooLargeError, UnsupportedVersionError } from '../errors.js';
import { byteAtATime, concat, drive, mutate } from '../fuzz-support.js';
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
 * Fuzzing IMTP: the frame decoder (the codec fuzz contract, with hostile int32 lengths, and the
 * checksum against single bit flips) and every body decoder on mutated valid bodies, which throw
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
const mutationsArb = mutationsArbitrary();
/** Where the header keeps its int32 body length. */
const LENGTH_OFFSET = 20;

/** The decoder's limit is its max body length; the checksum trails the body. */
const imtpAdapter: CodecFuzzAdapter<ImtpDecodeResult, number> = {
  decoder: (maxBodyLength) => new ImtpDecoder({ maxBodyLength }),
  limits: fc.constantFrom(0, 16, 100, 300, 1024),
  roomyLimits: 1024,
  bufferBound: (maxBodyLength) => Math.max(IMTP_HEADER_LENGTH, maxBodyLength + IMTP_CHECKSUM_LENGTH),
  faultError: (r) => (r.kind === 'fault' ? r.error : undefined),
  faultClasses: [ProtocolError, UnsupportedVersionError, TooLargeError],
  random: {
    label: 'random bytes, and random bytes after the magic',
    input: fc
      .tuple(fc.uint8Array({ maxLength: 600 }), fc.boolean())
      .map(([bytes, magic]) => (magic ? concat([Uint8Array.of(0xdf, 0x01), bytes]) : bytes)),
  },
  valid: frameArb.map((frame) => ({ bytes: encodeImtpFrame(frame), decoded: { kind: 'frame', frame } })),
  maxValidFrames: 10,
  mutable: frameArb.map((f) => encodeImtpFrame(f)),
  maxMutatedPieces: 8,
  lengthOffsets: [LENGTH_OFFSET],
  // Most IMTP faults are ProtocolErrors: tell them apart by message, numbers aside.
  outcome: (r) => (r.kind === 'fault' ? r.error.message.replace(/[0-9]+/g, 'n') : r.kind),
  outcomes: [
    'frame',
    'bad IMTP magic',
    'bad IMTP checksum',
    'negative IMTP body length',
    'reserved IMTP flag bits are set',
  ],
};

codecFuzzContract('IMTP frame', imtpAdapter);

describe('IMTP frame fuzz', () => {
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
