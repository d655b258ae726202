import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { codecFuzzContract, mutationsArbitrary, type CodecFuzzAdapter } from '../codec-fuzz-contract.js';
import { BadRequestError, ProtocolError, TooLargeError } from '../errors.js';
import { concat, mutate } from '../fuzz-support.js';
import {
  JIM_BODY_TYPES,
  encodeJimBody,
  parseJimAuth,
  parseJimBody,
  parseJimMessage,
  parseJimStatus,
} from './body.js';
import { JIM_HEADER_LENGTH, JimDecoder, encodeJimFrame, type JimDecodeResult } from './frame.js';

/**
 * Fuzzing Jim: the frame decoder (the codec fuzz contract, with hostile lengths) and the JSON
 * body parsers on random and mutated bodies. The parsers throw BadRequestError and nothing else,
 * and what they accept re-encodes to the same body.
 */

fc.configureGlobal({ baseSize: 'large' });

const enc = new TextEncoder();
const commandArb = fc.oneof(
  fc.constantFrom('A001', 'A998', 'B001', 'B004', 'B101', 'B102', 'B103'),
  fc.stringMatching(/^[A-Za-z0-9]{4}$/),
);
const frameArb = fc.record({
  command: commandArb,
  requestId: fc.integer({ min: 0, max: 0xffff_ffff }),
  body: fc.uint8Array({ maxLength: 300 }),
});
const mutationsArb = mutationsArbitrary();
/** Where the header keeps its uint32 body length. */
const LENGTH_OFFSET = 12;

/** The decoder's limit is its max body length. */
const jimAdapter: CodecFuzzAdapter<JimDecodeResult, number> = {
  decoder: (maxBodyLength) => new JimDecoder({ maxBodyLength }),
  limits: fc.constantFrom(0, 16, 100, 300, 1024),
  roomyLimits: 1024,
  bufferBound: (maxBodyLength) => Math.max(JIM_HEADER_LENGTH, maxBodyLength),
  faultError: (r) => (r.kind === 'fault' ? r.fault.error : undefined),
  faultClasses: [ProtocolError, TooLargeError],
  random: {
    label: 'random bytes, and random bytes after the magic',
    input: fc
      .tuple(fc.uint8Array({ maxLength: 600 }), fc.boolean())
      .map(([bytes, magic]) => (magic ? concat([enc.encode('jim1'), bytes]) : bytes)),
  },
  valid: frameArb.map((frame) => ({ bytes: encodeJimFrame(frame), decoded: { kind: 'frame', frame } })),
  maxValidFrames: 10,
  mutable: frameArb.map((f) => encodeJimFrame(f)),
  maxMutatedPieces: 8,
  lengthOffsets: [LENGTH_OFFSET],
  outcomes: ['frame', 'ProtocolError', 'TooLargeError'],
};

codecFuzzContract('Jim frame', jimAdapter);

/** The seed's data keys, with values of any JSON type (so field validation is exercised). */
const DATA_KEYS = [
  'sender_id',
  'sender_name',
  'sender_avatar',
  'receiver_id',
  'content',
  'code',
  'cover_image',
  'lat',
  'lng',
  'map_link',
  'desc',
  'symbol',
  'url',
  'size',
  'size ',
  'seconds',
  'format',
  'width',
  'height',
  'icon_url',
  'big_url ',
  'big_url',
  'name',
  'thumb_url',
  'thumb_size',
  'thumb_width',
  'thumb_height',
  'thumb_format',
  'request_id',
  'message_id',
];

const jsonValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^[0-9]{1,20}$/),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, -1, 0, 1e308, -0, 2 ** 53, 0xffff_ffff + 1),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);
const bodyObjectArb = fc.record({
  type: fc.oneof(fc.constantFrom(...JIM_BODY_TYPES), jsonValue),
  data: fc.oneof(fc.dictionary(fc.constantFrom(...DATA_KEYS), jsonValue, { maxKeys: 12 }), jsonValue),
});

/** A parser either answers or throws BadRequestError. */
function parses<T>(parse: (b: Uint8Array) => T, bytes: Uint8Array): T | undefined {
  try {
    return parse(bytes);
  } catch (err) {
    assert.ok(err instanceof BadRequestError, `BadRequestError, got ${String(err)}`);
    return undefined;
  }
}

describe('Jim body fuzz', () => {
  it('random JSON bodies: parsed or BAD_REQUEST, and what parses re-encodes to itself', () => {
    let accepted = 0;
    fc.assert(
      fc.property(bodyObjectArb, (obj) => {
        const bytes = enc.encode(JSON.stringify(obj));
        const body = parses(parseJimBody, bytes);
        parses(parseJimMessage, bytes);
        parses(parseJimAuth, bytes);
        parses(parseJimStatus, bytes);
        if (body === undefined) return;
        accepted += 1;
        assert.deepEqual(parseJimBody(encodeJimBody(body)), body);
      }),
      { numRuns: 2000 },
    );
    assert.ok(accepted > 0, 'some random bodies are valid');
  });

  it('mutated bytes of valid bodies: parsed or BAD_REQUEST', () => {
    fc.assert(
      fc.property(bodyObjectArb, mutationsArb, (obj, mutations) => {
        const bytes = mutate(enc.encode(JSON.stringify(obj)), mutations);
        const parsers: ((b: Uint8Array) => unknown)[] = [
          parseJimBody,
          parseJimMessage,
          parseJimAuth,
          parseJimStatus,
        ];
        for (const parse of parsers) parses(parse, bytes);
      }),
      { numRuns: 1500 },
    );
  });
});
