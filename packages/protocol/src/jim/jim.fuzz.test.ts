import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadRequestError, ProtocolError, TooLargeError } from '../errors.js';
import { byteAtATime, chunked, concat, drive, mutate, type Mutation } from '../fuzz-support.js';
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
 * Fuzzing Jim: the frame decoder (random bytes, mutated valid streams incl. hostile lengths,
 * whole and byte-at-a-time) and the JSON body parsers on random and mutated bodies. The decoder
 * yields frames or one typed fault and holds at most one frame; the parsers throw BadRequestError
 * and nothing else, and what they accept re-encodes to the same body.
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
const mutationsArb: fc.Arbitrary<Mutation[]> = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), {
  maxLength: 6,
});
const maxBodyArb = fc.constantFrom(0, 16, 100, 300, 1024);
const sizesArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });
/** Where the header keeps its uint32 body length. */
const LENGTH_OFFSET = 12;

function plain(results: readonly JimDecodeResult[]): unknown[] {
  return results.map((r) => {
    if (r.kind === 'frame') return { ...r.frame, body: Buffer.from(r.frame.body).toString('hex') };
    if (r.kind === 'fault') return { fault: r.fault.error.name, message: r.fault.error.message };
    return r;
  });
}

function checkStream(bytes: Uint8Array, maxBodyLength: number, sizes: readonly number[]): JimDecodeResult[] {
  const whole = drive(new JimDecoder({ maxBodyLength }), [bytes]);
  const bytewise = drive(new JimDecoder({ maxBodyLength }), byteAtATime(bytes));
  const chunks = drive(new JimDecoder({ maxBodyLength }), chunked(bytes, sizes));
  assert.deepEqual(plain(bytewise.results), plain(whole.results));
  assert.deepEqual(plain(chunks.results), plain(whole.results));
  const bound = Math.max(JIM_HEADER_LENGTH, maxBodyLength);
  for (const run of [whole, bytewise, chunks]) {
    assert.ok(run.maxBuffered <= bound, `held ${run.maxBuffered} bytes, bound ${bound}`);
  }
  for (const r of whole.results) {
    if (r.kind === 'fault') {
      assert.ok(
        r.fault.error instanceof ProtocolError || r.fault.error instanceof TooLargeError,
        `typed fault, got ${r.fault.error.name}`,
      );
    }
  }
  return whole.results;
}

describe('Jim frame fuzz', () => {
  it('random bytes (and random bytes after the magic): typed faults only, bounded', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.boolean(),
        maxBodyArb,
        sizesArb,
        (bytes, magic, max, sizes) => {
          checkStream(magic ? concat([enc.encode('jim1'), bytes]) : bytes, max, sizes);
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
          const bytes = concat(frames.map(([f, m]) => mutate(encodeJimFrame(f), m, [LENGTH_OFFSET])));
          for (const r of checkStream(bytes, max, sizes)) {
            const key = r.kind === 'fault' ? r.fault.error.name : r.kind;
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        },
      ),
      { numRuns: 1500 },
    );
    for (const key of ['frame', 'ProtocolError', 'TooLargeError']) {
      assert.ok((seen.get(key) ?? 0) > 0, `saw ${key}: ${JSON.stringify([...seen])}`);
    }
  });

  it('valid streams round-trip under any chunking', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 10 }), sizesArb, (frames, sizes) => {
        const results = checkStream(concat(frames.map((f) => encodeJimFrame(f))), 1024, sizes);
        assert.deepEqual(plain(results), plain(frames.map((frame) => ({ kind: 'frame', frame }))));
      }),
      { numRuns: 300 },
    );
  });
});

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
