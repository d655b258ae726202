import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Status } from '../status.js';
import {
  IMTP_CHECKSUM_LENGTH,
  IMTP_HEADER_LENGTH,
  ImtpDecoder,
  encodeImtpFrame,
  type ImtpDecodeResult,
  type ImtpFrame,
} from './frame.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function plain(f: ImtpFrame): object {
  return { sender: f.sender, receiver: f.receiver, group: f.group, cmd: f.cmd, body: hex(f.body) };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feeds bytes in the given chunk sizes; returns the frames and the fault, if any. */
function feed(
  bytes: Uint8Array,
  sizes: readonly number[] = [bytes.length],
  decoder = new ImtpDecoder(),
): { frames: ImtpFrame[]; fault: Extract<ImtpDecodeResult, { kind: 'fault' }> | undefined } {
  const frames: ImtpFrame[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[i++ % sizes.length] ?? 1);
    decoder.push(bytes.subarray(at, at + size));
    at += size;
    for (;;) {
      const r = decoder.next();
      if (r.kind === 'need-more') break;
      if (r.kind === 'fault') return { frames, fault: r };
      frames.push(r.frame);
    }
  }
  return { frames, fault: undefined };
}

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const frameArb: fc.Arbitrary<ImtpFrame> = fc.record({
  sender: int64,
  receiver: int64,
  group: fc.boolean(),
  cmd: fc.integer({ min: -128, max: 127 }),
  body: fc.oneof(
    { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  ),
});

describe('IMTP frame', () => {
  it('encodes the documented layout', () => {
    const bytes = encodeImtpFrame({
      sender: 1n,
      receiver: 0x0102030405060708n,
      group: true,
      cmd: -126,
      body: new TextEncoder().encode('123456789'),
    });
    assert.equal(bytes.length, IMTP_HEADER_LENGTH + 9 + IMTP_CHECKSUM_LENGTH);
    assert.equal(
      hex(bytes),
      'df01' +
        '0000000000000001' +
        '0102030405060708' +
        '01' +
        '82' +
        '00000009' +
        hex(new TextEncoder().encode('123456789')) +
        '29b1',
    );
  });

  it('writes checksum 0 for an empty body', () => {
    const bytes = encodeImtpFrame({
      sender: 0n,
      receiver: 0n,
      group: false,
      cmd: 127,
      body: new Uint8Array(0),
    });
    assert.equal(hex(bytes.subarray(-2)), '0000');
    assert.deepEqual(feed(bytes).frames.map(plain), [
      { sender: 0n, receiver: 0n, group: false, cmd: 127, body: '' },
    ]);
  });

  it('refuses values the header cannot hold', () => {
    const base = { sender: 0n, receiver: 0n, group: false, body: new Uint8Array(0) };
    assert.throws(() => encodeImtpFrame({ ...base, cmd: 128 }), RangeError);
    assert.throws(() => encodeImtpFrame({ ...base, cmd: 1, sender: 2n ** 63n }), RangeError);
  });

  it('round-trips random frames, whole and byte at a time', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 8 }),
        (frames, sizes) => {
          const bytes = concat(frames.map(encodeImtpFrame));
          const whole = feed(bytes);
          assert.equal(whole.fault, undefined);
          assert.deepEqual(whole.frames.map(plain), frames.map(plain));
          const chunked = feed(bytes, sizes);
          assert.deepEqual(chunked.frames.map(plain), frames.map(plain));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decodes a frame fed one byte at a time', () => {
    const frame: ImtpFrame = {
      sender: 42n,
      receiver: -7n,
      group: false,
      cmd: 1,
      body: new Uint8Array([1, 2, 3]),
    };
    const decoder = new ImtpDecoder();
    const bytes = encodeImtpFrame(frame);
    for (let i = 0; i < bytes.length - 1; i++) {
      decoder.push(bytes.subarray(i, i + 1));
      assert.equal(decoder.next().kind, 'need-more');
    }
    decoder.push(bytes.subarray(-1));
    const r = decoder.next();
    assert.ok(r.kind === 'frame');
    assert.deepEqual(plain(r.frame), plain(frame));
    assert.equal(decoder.buffered, 0);
  });

  const good = encodeImtpFrame({
    sender: 1n,
    receiver: 2n,
    group: false,
    cmd: 1,
    body: new Uint8Array([9, 8, 7]),
  });
  const mutate = (at: number, value: number): Uint8Array => {
    const copy = good.slice();
    copy[at] = value;
    return copy;
  };

  it('faults on a bad magic at once', () => {
    const decoder = new ImtpDecoder();
    decoder.push(new Uint8Array([0x00]));
    const r = decoder.next();
    assert.ok(r.kind === 'fault');
    assert.equal(r.error.status, Status.PROTOCOL_ERROR);
  });

  it('faults on a bad version, reserved flags, a negative or oversized length, a bad checksum', () => {
    const cases: [Uint8Array, number][] = [
      [mutate(1, 2), Status.UNSUPPORTED_VERSION],
      [mutate(18, 0x02), Status.PROTOCOL_ERROR],
      [mutate(20, 0x80), Status.PROTOCOL_ERROR],
      [mutate(good.length - 1, (good.at(-1) ?? 0) ^ 1), Status.PROTOCOL_ERROR],
      [mutate(IMTP_HEADER_LENGTH, 0), Status.PROTOCOL_ERROR],
    ];
    for (const [bytes, status] of cases) {
      const { fault } = feed(bytes);
      assert.equal(fault?.error.status, status, hex(bytes));
    }
    const small = new ImtpDecoder({ maxBodyLength: 2 });
    assert.equal(feed(good, [good.length], small).fault?.error.status, Status.TOO_LARGE);
  });

  it('stays faulted and drops further input', () => {
    const decoder = new ImtpDecoder();
    decoder.push(mutate(1, 9));
    assert.equal(decoder.next().kind, 'fault');
    decoder.push(good);
    assert.equal(decoder.next().kind, 'fault');
    assert.equal(decoder.buffered, 0);
  });

  it('checks the header before buffering the body', () => {
    const decoder = new ImtpDecoder({ maxBodyLength: 16 });
    const header = good.slice(0, IMTP_HEADER_LENGTH);
    new DataView(header.buffer).setInt32(20, 1_000_000);
    decoder.push(header);
    const r = decoder.next();
    assert.equal(r.kind, 'fault');
    assert.equal(decoder.buffered, 0);
  });

  it('never throws and stays bounded on random input', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat({ max: 64 }), { minLength: 1, maxLength: 5 }),
        (bytes, sizes) => {
          const max = 64;
          const decoder = new ImtpDecoder({ maxBodyLength: max });
          let at = 0;
          let i = 0;
          while (at < bytes.length) {
            const size = Math.max(1, sizes[i++ % sizes.length] ?? 1);
            decoder.push(bytes.subarray(at, at + size));
            at += size;
            for (;;) {
              const r = decoder.next();
              if (r.kind !== 'frame') break;
              assert.ok(r.frame.body.length <= max);
            }
            assert.ok(decoder.buffered <= IMTP_HEADER_LENGTH + max + IMTP_CHECKSUM_LENGTH + size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated valid streams', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (frames, mutations) => {
          const bytes = concat(frames.map(encodeImtpFrame));
          for (const [pos, value] of mutations) bytes[pos % bytes.length] = value;
          const { frames: out } = feed(bytes, [7]);
          for (const f of out) assert.ok(f.body.length <= 1024 * 1024);
        },
      ),
      { numRuns: 300 },
    );
  });
});
