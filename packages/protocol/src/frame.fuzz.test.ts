import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { create, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { codecFuzzContract, mutationsArbitrary, type CodecFuzzAdapter } from './codec-fuzz-contract.js';
import {
  BadCompressionError,
  ParleyError,
  ProtocolError,
  TooLargeError,
  UnsupportedVersionError,
} from './errors.js';
import { FrameDecoder, HEADER_LENGTH, encodeFrame, type DecodeResult } from './frame.js';
import { byteAtATime, drive, mutate } from './fuzz-support.js';
import * as schemas from './gen/parley/v1/parley_pb.js';
import { gunzipBounded } from './gzip.js';

/**
 * Fuzzing the native codec: the 12-byte-header frame decoder (the codec fuzz contract, and a
 * hostile length seen from the header alone), every protobuf body schema, and bounded gunzip.
 */

// Without this, fast-check keeps arrays tiny whatever their maxLength.
fc.configureGlobal({ baseSize: 'large' });

const frameArb = fc.record({
  seq: fc.integer({ min: 0, max: 0xffff_ffff }),
  command: fc.integer({ min: 0, max: 255 }),
  flag: fc.integer({ min: 0, max: 0x3f }),
  status: fc.integer({ min: 0, max: 255 }),
  body: fc.uint8Array({ maxLength: 300 }),
});
const mutationsArb = mutationsArbitrary();

/** The decoder's limit is its max body length; the header is read whole before any check. */
const nativeAdapter: CodecFuzzAdapter<DecodeResult, number> = {
  decoder: (maxBodyLength) => new FrameDecoder({ maxBodyLength }),
  limits: fc.constantFrom(0, 16, 100, 300, 1024),
  roomyLimits: 1024,
  bufferBound: (maxBodyLength) => Math.max(HEADER_LENGTH, maxBodyLength),
  faultError: (r) => (r.kind === 'fault' ? r.fault.error : undefined),
  faultClasses: [ProtocolError, UnsupportedVersionError, TooLargeError],
  random: { label: 'random bytes', input: fc.uint8Array({ maxLength: 600 }) },
  valid: frameArb.map((f) => ({
    bytes: encodeFrame(f),
    decoded: { kind: 'frame', frame: { ...f, version: 1 } },
  })),
  maxValidFrames: 10,
  mutable: frameArb.map((f) => encodeFrame(f)),
  maxMutatedPieces: 8,
  lengthOffsets: [0],
  outcomes: ['frame', 'ProtocolError', 'UnsupportedVersionError', 'TooLargeError'],
};

codecFuzzContract('native frame', nativeAdapter);

describe('native frame fuzz', () => {
  it('a length field set huge faults from the header alone, without waiting for the body', () => {
    fc.assert(
      fc.property(frameArb, fc.integer({ min: 1025, max: 0xffff_ffff }), (f, length) => {
        const bytes = encodeFrame(f);
        new DataView(bytes.buffer).setUint32(0, length);
        const run = drive(new FrameDecoder({ maxBodyLength: 1024 }), byteAtATime(bytes.subarray(0, 12)));
        assert.equal(run.results.length, 1);
        assert.equal(run.results[0]?.kind, 'fault');
      }),
      { numRuns: 200 },
    );
  });
});

/** Every message schema of the native protocol's bodies. */
const messageSchemas: DescMessage[] = (Object.values(schemas) as unknown[]).filter(
  (v): v is DescMessage => typeof v === 'object' && (v as { kind?: unknown }).kind === 'message',
);

/** Decoding a body either works or throws an Error (the server answers BAD_REQUEST for it). */
function decodeBody(schema: DescMessage, bytes: Uint8Array): Uint8Array | undefined {
  let decoded;
  try {
    decoded = fromBinary(schema, bytes);
  } catch (err) {
    assert.ok(err instanceof Error, `${schema.typeName}: threw a non-Error ${String(err)}`);
    return undefined;
  }
  return toBinary(schema, decoded);
}

describe('protobuf body fuzz', () => {
  it('covers the whole schema', () => {
    assert.ok(messageSchemas.length > 60, `${messageSchemas.length} schemas`);
  });

  it('random bodies decode or fail with an Error, and re-encoding reaches a fixed point', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const schema of messageSchemas) {
          const once = decodeBody(schema, bytes);
          if (once === undefined) continue;
          assert.deepEqual(decodeBody(schema, once), once, `${schema.typeName} re-encodes stably`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('mutated valid bodies (login, message, sync, group create) decode or fail cleanly', () => {
    const bodies = fc.oneof(
      fc
        .record({
          username: fc.string({ maxLength: 20 }),
          password: fc.string({ maxLength: 20 }),
          deviceId: fc.string({ maxLength: 10 }),
          platform: fc.integer({ min: 0, max: 6 }),
        })
        .map(
          (v) =>
            [
              schemas.LoginRequestSchema,
              toBinary(schemas.LoginRequestSchema, create(schemas.LoginRequestSchema, v)),
            ] as const,
        ),
      fc
        .record({
          clientMsgId: fc.string({ maxLength: 20 }),
          target: fc.bigInt({ min: 0n, max: 2n ** 63n }),
          text: fc.string({ maxLength: 80 }),
          contentType: fc.integer({ min: 0, max: 12 }),
        })
        .map(
          (v) =>
            [
              schemas.MessageSchema,
              toBinary(
                schemas.MessageSchema,
                create(schemas.MessageSchema, {
                  clientMsgId: v.clientMsgId,
                  conversation: { type: 0, target: String(v.target) },
                  messageContent: { contentType: v.contentType, text: v.text },
                }),
              ),
            ] as const,
        ),
      fc
        .array(fc.tuple(fc.string({ maxLength: 12 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), {
          maxLength: 5,
        })
        .map(
          (cursors) =>
            [
              schemas.SyncRequestSchema,
              toBinary(
                schemas.SyncRequestSchema,
                create(schemas.SyncRequestSchema, {
                  cursors: cursors.map(([target, seq]) => ({ conversation: { type: 1, target }, seq })),
                }),
              ),
            ] as const,
        ),
      fc
        .record({
          name: fc.string({ maxLength: 20 }),
          memberIds: fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 5 }),
        })
        .map(
          (v) =>
            [
              schemas.GroupCreateRequestSchema,
              toBinary(schemas.GroupCreateRequestSchema, create(schemas.GroupCreateRequestSchema, v)),
            ] as const,
        ),
    );
    fc.assert(
      fc.property(bodies, mutationsArb, ([schema, body], mutations) => {
        const once = decodeBody(schema, mutate(body, mutations));
        if (once !== undefined) assert.deepEqual(decodeBody(schema, once), once);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('gzip body fuzz', () => {
  const isTyped = (err: unknown): boolean =>
    err instanceof BadCompressionError || err instanceof TooLargeError;

  it('random and mutated gzip bodies: a body within the bound, or BAD_COMPRESSION / TOO_LARGE', () => {
    const gz = fc.uint8Array({ maxLength: 400 }).map((b) => new Uint8Array(gzipSync(b)));
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), gz),
        mutationsArb,
        fc.integer({ min: 0, max: 500 }),
        (bytes, mutations, max) => {
          try {
            const out = gunzipBounded(mutate(bytes, mutations), max);
            assert.ok(out.length <= max);
          } catch (err) {
            assert.ok(isTyped(err), `typed error, got ${String(err)}`);
            assert.ok(err instanceof ParleyError);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('round-trips within the bound and refuses a bomb past it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        assert.deepEqual(Buffer.from(gunzipBounded(gzipSync(bytes), 2000)), Buffer.from(bytes));
      }),
      { numRuns: 100 },
    );
    const bomb = gzipSync(new Uint8Array(8 * 1024 * 1024));
    assert.ok(bomb.length < 10_000);
    assert.throws(() => gunzipBounded(bomb, 1024 * 1024), TooLargeError);
  });
});
