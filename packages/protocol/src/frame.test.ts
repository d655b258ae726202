import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ABSOLUTE_MAX_BODY_LENGTH,
  DEFAULT_MAX_BODY_LENGTH,
  FrameDecoder,
  HEADER_LENGTH,
  PROTOCOL_VERSION,
  encodeFrame,
  readHeader,
  writeHeader,
  type Frame,
  type FrameFault,
} from './frame.js';
import { ParleyError, ProtocolError, TooLargeError, UnsupportedVersionError } from './errors.js';
import { Status } from './status.js';
import { Command } from './commands.js';

// ---------------------------------------------------------------------------------------------
// Helpers

interface FrameInput {
  readonly seq: number;
  readonly command: number;
  readonly flag: number;
  readonly status: number;
  readonly body: Uint8Array;
}

/** A frame as comparable plain data (bodies may be Buffers or subarrays; compare their bytes). */
interface PlainFrame {
  readonly version: number;
  readonly seq: number;
  readonly command: number;
  readonly flag: number;
  readonly status: number;
  readonly body: string;
}

function plain(frame: Frame): PlainFrame {
  return {
    version: frame.version,
    seq: frame.seq,
    command: frame.command,
    flag: frame.flag,
    status: frame.status,
    body: Buffer.from(frame.body.buffer, frame.body.byteOffset, frame.body.byteLength).toString('hex'),
  };
}

function plainInput(input: FrameInput): PlainFrame {
  return plain({ ...input, version: PROTOCOL_VERSION });
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

function encodeAll(frames: readonly FrameInput[]): Uint8Array {
  return concat(frames.map((f) => encodeFrame(f)));
}

/** A raw 12-byte header; lets tests write any version or length, unlike encodeFrame. */
function rawHeader(h: {
  length: number;
  version?: number;
  seq?: number;
  command?: number;
  flag?: number;
  status?: number;
}): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH);
  writeHeader(out, 0, {
    length: h.length,
    version: h.version ?? PROTOCOL_VERSION,
    seq: h.seq ?? 0,
    command: h.command ?? 0,
    flag: h.flag ?? 0,
    status: h.status ?? 0,
  });
  return out;
}

/** Cuts `bytes` into consecutive chunks whose sizes cycle through `sizes` (a 0 pushes an empty chunk). */
function chunk(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  if (!sizes.some((s) => s > 0)) throw new Error('chunk sizes must include a positive size');
  const out: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = sizes[i % sizes.length] ?? 1;
    i++;
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

interface DecodeOutcome {
  readonly frames: PlainFrame[];
  readonly fault: FrameFault | undefined;
}

/**
 * Pushes each chunk and drains the decoder after it, checking the decoder's invariants on the
 * way: the buffered byte count stays within HEADER_LENGTH + maxBodyLength + the last chunk, no
 * body is longer than the bound, and after a fault nothing stays buffered and input is dropped.
 */
function decodeChunks(decoder: FrameDecoder, chunks: readonly Uint8Array[]): DecodeOutcome {
  const frames: PlainFrame[] = [];
  let fault: FrameFault | undefined;
  for (const c of chunks) {
    decoder.push(c);
    if (fault !== undefined) {
      assert.equal(decoder.buffered, 0, 'a faulted decoder buffers nothing');
      assert.equal(decoder.partial, false);
    }
    assert.ok(
      decoder.buffered <= HEADER_LENGTH + decoder.maxBodyLength + c.length,
      `buffered ${String(decoder.buffered)} exceeds the bound`,
    );
    for (;;) {
      const r = decoder.next();
      if (r.kind === 'need-more') break;
      if (r.kind === 'fault') {
        if (fault === undefined) fault = r.fault;
        else assert.equal(r.fault, fault, 'the decoder stays on its first fault');
        assert.equal(decoder.buffered, 0);
        break;
      }
      assert.equal(fault, undefined, 'no frame after a fault');
      assert.ok(r.frame.body.length <= decoder.maxBodyLength, 'body longer than the bound');
      frames.push(plain(r.frame));
    }
    // Drained: whatever is left is less than one complete frame.
    assert.ok(decoder.buffered < HEADER_LENGTH + decoder.maxBodyLength);
  }
  return { frames, fault };
}

/** Reference decoder over a whole byte string: the frames before the first fault, and the fault. */
function referenceDecode(
  bytes: Uint8Array,
  maxBodyLength: number,
): { frames: PlainFrame[]; fault: { status: number; seq: number; command: number } | undefined } {
  const frames: PlainFrame[] = [];
  let at = 0;
  while (bytes.length - at >= HEADER_LENGTH) {
    const h = readHeader(bytes, at);
    const faultOf = (status: number) => ({ status, seq: h.seq, command: h.command });
    if ((h.flag & 0xc0) !== 0) return { frames, fault: faultOf(Status.PROTOCOL_ERROR) };
    if (h.version !== 1) return { frames, fault: faultOf(Status.UNSUPPORTED_VERSION) };
    if (h.length > maxBodyLength) return { frames, fault: faultOf(Status.TOO_LARGE) };
    if (bytes.length - at - HEADER_LENGTH < h.length) break;
    const body = bytes.subarray(at + HEADER_LENGTH, at + HEADER_LENGTH + h.length);
    frames.push(plain({ ...h, body }));
    at += HEADER_LENGTH + h.length;
  }
  return { frames, fault: undefined };
}

function faultSummary(fault: FrameFault | undefined) {
  return fault === undefined
    ? undefined
    : { status: fault.error.status, seq: fault.seq, command: fault.command };
}

const frameArb = (maxBody = 200): fc.Arbitrary<FrameInput> =>
  fc.record({
    seq: fc.integer({ min: 0, max: 0xffff_ffff }),
    command: fc.integer({ min: 0, max: 255 }),
    flag: fc.integer({ min: 0, max: 0x3f }),
    status: fc.integer({ min: 0, max: 255 }),
    body: fc.oneof(
      { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
      { weight: 4, arbitrary: fc.uint8Array({ maxLength: maxBody }) },
    ),
  });

const chunkSizesArb = fc
  .array(fc.nat({ max: 64 }), { minLength: 1, maxLength: 12 })
  .filter((sizes) => sizes.some((s) => s > 0));

/** A fixed stream of many random frames (deterministic: seeded), plus some edge cases. */
const manyFrames: FrameInput[] = [
  { seq: 0, command: 0, flag: 0, status: 0, body: new Uint8Array(0) },
  { seq: 0xffff_ffff, command: 255, flag: 0x3f, status: 255, body: new Uint8Array([0]) },
  ...(fc.sample(fc.array(frameArb(300), { minLength: 60, maxLength: 60 }), {
    seed: 20240607,
    numRuns: 1,
  })[0] ?? []),
  { seq: 7, command: Command.PING, flag: 0, status: 0, body: new Uint8Array(0) },
];
const manyStream = encodeAll(manyFrames);
const manyExpected = manyFrames.map(plainInput);

// ---------------------------------------------------------------------------------------------

void describe('frame header', () => {
  void it('encodes big-endian in the documented layout', () => {
    const bytes = encodeFrame({
      seq: 0x0102_0304,
      command: Command.MS,
      flag: 0x21,
      status: Status.OK,
      body: new Uint8Array([0xaa, 0xbb]),
    });
    assert.deepEqual(Array.from(bytes), [
      0,
      0,
      0,
      2,
      1,
      0x01,
      0x02,
      0x03,
      0x04,
      Command.MS,
      0x21,
      0,
      0xaa,
      0xbb,
    ]);
  });

  void it('defaults the version to 1 and keeps an explicit one', () => {
    const body = new Uint8Array(0);
    assert.equal(readHeader(encodeFrame({ seq: 1, command: 1, flag: 0, status: 0, body })).version, 1);
    assert.equal(
      readHeader(encodeFrame({ seq: 1, command: 1, flag: 0, status: 0, body, version: 7 })).version,
      7,
    );
  });

  void it('writes seq as unsigned 32-bit', () => {
    const h = readHeader(rawHeader({ length: 0, seq: -1 }));
    assert.equal(h.seq, 0xffff_ffff);
  });

  void it('reads and writes at an offset inside a larger buffer', () => {
    const backing = new Uint8Array(40).fill(0xee);
    const view = backing.subarray(3, 35);
    const header = { length: 513, version: 1, seq: 99, command: 4, flag: 0x11, status: 8 };
    writeHeader(view, 5, header);
    assert.deepEqual(readHeader(view, 5), header);
    assert.deepEqual(readHeader(backing, 8), header);
    assert.equal(backing[7], 0xee);
    assert.equal(backing[20], 0xee);
  });
});

void describe('FrameDecoder: round trip', () => {
  void it('decodes an encoded frame', () => {
    fc.assert(
      fc.property(frameArb(1000), (input) => {
        const decoder = new FrameDecoder();
        decoder.push(encodeFrame(input));
        const r = decoder.next();
        assert.equal(r.kind, 'frame');
        assert.deepEqual(plain(r.frame), plainInput(input));
        assert.equal(decoder.next().kind, 'need-more');
        assert.equal(decoder.buffered, 0);
        assert.equal(decoder.partial, false);
      }),
      { numRuns: 200 },
    );
  });

  void it('decodes zero-length bodies', () => {
    const decoder = new FrameDecoder();
    const frames = [1, 2, 3].map((seq) => ({
      seq,
      command: Command.PING,
      flag: 0,
      status: 0,
      body: new Uint8Array(0),
    }));
    const out = decodeChunks(decoder, [encodeAll(frames)]);
    assert.deepEqual(out.frames, frames.map(plainInput));
    assert.equal(out.fault, undefined);
    // A header alone is a whole frame when len = 0.
    decoder.push(rawHeader({ length: 0, seq: 4 }));
    const r = decoder.next();
    assert.equal(r.kind, 'frame');
    assert.equal(r.frame.body.length, 0);
    assert.equal(decoder.partial, false);
  });

  void it('decodes a stream of many frames fed in one chunk', () => {
    const out = decodeChunks(new FrameDecoder(), [manyStream]);
    assert.equal(out.fault, undefined);
    assert.deepEqual(out.frames, manyExpected);
  });

  void it('decodes a stream of many frames fed byte at a time', () => {
    const out = decodeChunks(new FrameDecoder(), chunk(manyStream, [1]));
    assert.equal(out.fault, undefined);
    assert.deepEqual(out.frames, manyExpected);
  });

  void it('decodes a stream of many frames fed in 2-byte chunks', () => {
    const out = decodeChunks(new FrameDecoder(), chunk(manyStream, [2]));
    assert.equal(out.fault, undefined);
    assert.deepEqual(out.frames, manyExpected);
  });

  void it('decodes a stream fed in chunks that are Buffers at odd offsets of a shared buffer', () => {
    const backing = Buffer.alloc(manyStream.length + 7);
    backing.set(manyStream, 3);
    const shifted = backing.subarray(3, 3 + manyStream.length);
    const out = decodeChunks(new FrameDecoder(), chunk(shifted, [5, 13, 1, 29]));
    assert.equal(out.fault, undefined);
    assert.deepEqual(out.frames, manyExpected);
  });

  void it('yields the same frames in order under any chunking', () => {
    fc.assert(
      fc.property(fc.array(frameArb(), { maxLength: 25 }), chunkSizesArb, (frames, sizes) => {
        const out = decodeChunks(new FrameDecoder(), chunk(encodeAll(frames), sizes));
        assert.equal(out.fault, undefined);
        assert.deepEqual(out.frames, frames.map(plainInput));
      }),
      { numRuns: 150 },
    );
  });

  void it('does not change a returned body when more input arrives', () => {
    const a = { seq: 1, command: 4, flag: 0, status: 0, body: new Uint8Array([1, 2, 3, 4, 5]) };
    const b = { seq: 2, command: 4, flag: 0, status: 0, body: new Uint8Array([9, 9, 9]) };
    const bytes = encodeAll([a, b]);
    const decoder = new FrameDecoder();
    decoder.push(bytes.subarray(0, 14));
    decoder.push(bytes.subarray(14, 20));
    const r = decoder.next();
    assert.equal(r.kind, 'frame');
    const before = Array.from(r.frame.body);
    decoder.push(bytes.subarray(20));
    const r2 = decoder.next();
    assert.equal(r2.kind, 'frame');
    assert.deepEqual(Array.from(r.frame.body), before);
    assert.deepEqual(before, [1, 2, 3, 4, 5]);
  });
});

void describe('FrameDecoder: partial', () => {
  void it('reports a half-received frame', () => {
    const input = { seq: 42, command: Command.MS, flag: 0, status: 0, body: new Uint8Array(100).fill(7) };
    const bytes = encodeFrame(input);
    const decoder = new FrameDecoder();
    assert.equal(decoder.partial, false);
    assert.equal(decoder.buffered, 0);

    decoder.push(bytes.subarray(0, 5));
    assert.equal(decoder.partial, true);
    assert.equal(decoder.buffered, 5);
    assert.equal(decoder.next().kind, 'need-more');
    assert.equal(decoder.partial, true);

    decoder.push(bytes.subarray(5, HEADER_LENGTH + 50));
    assert.equal(decoder.next().kind, 'need-more');
    assert.equal(decoder.partial, true, 'header consumed, half the body buffered');
    assert.equal(decoder.buffered, 50);

    decoder.push(bytes.subarray(HEADER_LENGTH + 50));
    const r = decoder.next();
    assert.equal(r.kind, 'frame');
    assert.deepEqual(plain(r.frame), plainInput(input));
    assert.equal(decoder.partial, false);
    assert.equal(decoder.buffered, 0);
  });

  void it('is true while a header with an empty remainder of body is awaited', () => {
    // The header is consumed; the body has not started yet: still partial, nothing buffered.
    const decoder = new FrameDecoder();
    decoder.push(rawHeader({ length: 10 }));
    assert.equal(decoder.next().kind, 'need-more');
    assert.equal(decoder.buffered, 0);
    assert.equal(decoder.partial, true);
  });

  void it('is true after a whole frame followed by the start of the next', () => {
    const f = { seq: 1, command: 3, flag: 0, status: 0, body: new Uint8Array([1]) };
    const bytes = encodeAll([f, f]);
    const decoder = new FrameDecoder();
    decoder.push(bytes.subarray(0, bytes.length - 1));
    assert.equal(decoder.next().kind, 'frame');
    assert.equal(decoder.next().kind, 'need-more');
    assert.equal(decoder.partial, true);
  });
});

void describe('FrameDecoder: bounds', () => {
  void it('accepts a body of exactly maxBodyLength', () => {
    for (const max of [0, 1, 1000]) {
      const decoder = new FrameDecoder({ maxBodyLength: max });
      const input = { seq: 5, command: 4, flag: 0, status: 0, body: new Uint8Array(max).fill(0x5a) };
      const out = decodeChunks(decoder, [encodeFrame(input)]);
      assert.equal(out.fault, undefined);
      assert.deepEqual(out.frames, [plainInput(input)]);
    }
  });

  void it('accepts a body of exactly the default bound', () => {
    const decoder = new FrameDecoder();
    assert.equal(decoder.maxBodyLength, DEFAULT_MAX_BODY_LENGTH);
    const body = new Uint8Array(DEFAULT_MAX_BODY_LENGTH).fill(1);
    decoder.push(encodeFrame({ seq: 1, command: 4, flag: 0, status: 0, body }));
    const r = decoder.next();
    assert.equal(r.kind, 'frame');
    assert.equal(r.frame.body.length, DEFAULT_MAX_BODY_LENGTH);
  });

  void it('faults with TooLargeError on maxBodyLength + 1, from the header alone', () => {
    for (const max of [0, 1000, DEFAULT_MAX_BODY_LENGTH]) {
      const decoder = new FrameDecoder({ maxBodyLength: max });
      decoder.push(rawHeader({ length: max + 1, seq: 0xdead_beef, command: Command.MS }));
      const r = decoder.next();
      assert.equal(r.kind, 'fault');
      assert.ok(r.fault.error instanceof TooLargeError);
      assert.ok(r.fault.error instanceof ParleyError);
      assert.equal(r.fault.error.status, Status.TOO_LARGE);
      assert.equal(r.fault.seq, 0xdead_beef);
      assert.equal(r.fault.command, Command.MS);
      assert.equal(decoder.buffered, 0);
      assert.equal(decoder.partial, false);
    }
  });

  void it('drops the body bytes that came with an oversized header, and all later input', () => {
    const decoder = new FrameDecoder({ maxBodyLength: 1000 });
    decoder.push(concat([rawHeader({ length: 1001, seq: 3, command: 5 }), new Uint8Array(600)]));
    const r = decoder.next();
    assert.equal(r.kind, 'fault');
    assert.equal(decoder.buffered, 0);
    for (let i = 0; i < 5; i++) {
      decoder.push(new Uint8Array(500));
      assert.equal(decoder.buffered, 0);
      const again = decoder.next();
      assert.equal(again.kind, 'fault');
      assert.equal(again.fault, r.fault);
    }
    // A valid frame pushed after the fault is not decoded: the framing is lost.
    decoder.push(encodeFrame({ seq: 1, command: 3, flag: 0, status: 0, body: new Uint8Array(0) }));
    assert.equal(decoder.next().kind, 'fault');
  });

  void it('rejects the largest lengths a header can carry', () => {
    for (const length of [ABSOLUTE_MAX_BODY_LENGTH + 1, 0x8000_0000, 0xffff_ffff]) {
      const decoder = new FrameDecoder({ maxBodyLength: ABSOLUTE_MAX_BODY_LENGTH });
      decoder.push(rawHeader({ length, seq: 9, command: 1 }));
      const r = decoder.next();
      assert.equal(r.kind, 'fault');
      assert.ok(r.fault.error instanceof TooLargeError);
      assert.equal(decoder.buffered, 0);
    }
    // ABSOLUTE_MAX_BODY_LENGTH itself passes the header check and waits for the body.
    const decoder = new FrameDecoder({ maxBodyLength: ABSOLUTE_MAX_BODY_LENGTH });
    decoder.push(rawHeader({ length: ABSOLUTE_MAX_BODY_LENGTH }));
    assert.equal(decoder.next().kind, 'need-more');
    assert.equal(decoder.partial, true);
  });

  void it('keeps the first byte of any accepted header at 0x00 (dialect detection)', () => {
    const header = rawHeader({ length: ABSOLUTE_MAX_BODY_LENGTH });
    assert.equal(header[0], 0);
  });

  void it('decodes the frames before an oversized one', () => {
    const ok = { seq: 1, command: 4, flag: 0, status: 0, body: new Uint8Array([1, 2]) };
    const stream = concat([
      encodeFrame(ok),
      rawHeader({ length: 11, seq: 2, command: 4 }),
      new Uint8Array(11),
    ]);
    const out = decodeChunks(new FrameDecoder({ maxBodyLength: 10 }), chunk(stream, [3]));
    assert.deepEqual(out.frames, [plainInput(ok)]);
    assert.deepEqual(faultSummary(out.fault), { status: Status.TOO_LARGE, seq: 2, command: 4 });
  });
});

void describe('FrameDecoder: header checks', () => {
  void it('faults with ProtocolError when reserved flag bits are set', () => {
    for (const reserved of [0x40, 0x80, 0xc0]) {
      for (const low of [0x00, 0x15, 0x3f]) {
        const decoder = new FrameDecoder();
        decoder.push(
          encodeFrame({ seq: 77, command: 2, flag: reserved | low, status: 0, body: new Uint8Array(3) }),
        );
        const r = decoder.next();
        assert.equal(r.kind, 'fault');
        assert.ok(r.fault.error instanceof ProtocolError);
        assert.equal(r.fault.error.status, Status.PROTOCOL_ERROR);
        assert.equal(r.fault.seq, 77);
        assert.equal(r.fault.command, 2);
        assert.equal(decoder.buffered, 0);
      }
    }
  });

  void it('faults with UnsupportedVersionError when the version is not 1', () => {
    for (const version of [0, 2, 3, 0x7f, 0xff]) {
      const decoder = new FrameDecoder();
      decoder.push(
        encodeFrame({ seq: 12, command: 1, flag: 0, status: 0, body: new Uint8Array(0), version }),
      );
      const r = decoder.next();
      assert.equal(r.kind, 'fault');
      assert.ok(r.fault.error instanceof UnsupportedVersionError);
      assert.equal(r.fault.error.status, Status.UNSUPPORTED_VERSION);
      assert.equal(r.fault.seq, 12);
      assert.equal(r.fault.command, 1);
      assert.equal(decoder.buffered, 0);
    }
  });

  void it('waits for all 12 header bytes before checking', () => {
    const bytes = rawHeader({ length: 0, version: 9 });
    const decoder = new FrameDecoder();
    for (let i = 0; i < HEADER_LENGTH - 1; i++) {
      decoder.push(bytes.subarray(i, i + 1));
      assert.equal(decoder.next().kind, 'need-more');
    }
    decoder.push(bytes.subarray(HEADER_LENGTH - 1));
    assert.equal(decoder.next().kind, 'fault');
  });
});

void describe('FrameDecoder: constructor', () => {
  void it('accepts maxBodyLength in [0, ABSOLUTE_MAX_BODY_LENGTH]', () => {
    for (const max of [0, 1, DEFAULT_MAX_BODY_LENGTH, ABSOLUTE_MAX_BODY_LENGTH]) {
      assert.equal(new FrameDecoder({ maxBodyLength: max }).maxBodyLength, max);
    }
    assert.equal(new FrameDecoder().maxBodyLength, DEFAULT_MAX_BODY_LENGTH);
    assert.equal(new FrameDecoder({}).maxBodyLength, DEFAULT_MAX_BODY_LENGTH);
  });

  void it('rejects maxBodyLength outside [0, ABSOLUTE_MAX_BODY_LENGTH]', () => {
    for (const max of [
      -1,
      ABSOLUTE_MAX_BODY_LENGTH + 1,
      2 ** 32,
      0.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]) {
      assert.throws(() => new FrameDecoder({ maxBodyLength: max }), RangeError, String(max));
    }
  });
});

void describe('FrameDecoder: fuzz', () => {
  const maxArb = fc.oneof(fc.constantFrom(0, 1, 64, 300), fc.integer({ min: 0, max: 2048 }));

  /** Checks decoding under a chunking against the reference decoder over the whole input. */
  function checkAgainstReference(bytes: Uint8Array, max: number, sizes: readonly number[]): void {
    const decoder = new FrameDecoder({ maxBodyLength: max });
    const out = decodeChunks(decoder, chunk(bytes, sizes));
    const expected = referenceDecode(bytes, max);
    assert.deepEqual(out.frames, expected.frames);
    assert.deepEqual(faultSummary(out.fault), expected.fault);
    if (out.fault !== undefined) assert.ok(out.fault.error instanceof ParleyError);
  }

  void it('survives random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), maxArb, chunkSizesArb, (bytes, max, sizes) => {
        checkAgainstReference(bytes, max, sizes);
      }),
      { numRuns: 200 },
    );
  });

  void it('survives random bytes that look like headers', () => {
    // Version 1, flags without reserved bits, small lengths: gets past the header checks often.
    const headerish = fc
      .record({
        length: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 0xffff_ffff })),
        seq: fc.integer({ min: 0, max: 0xffff_ffff }),
        command: fc.integer({ min: 0, max: 255 }),
        flag: fc.integer({ min: 0, max: 255 }),
        version: fc.constantFrom(1, 1, 1, 0, 2),
      })
      .map((h) => rawHeader(h));
    const piece = fc.oneof(headerish, fc.uint8Array({ maxLength: 200 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), maxArb, chunkSizesArb, (pieces, max, sizes) => {
        checkAgainstReference(concat(pieces), max, sizes);
      }),
      { numRuns: 200 },
    );
  });

  type Mutation =
    | { readonly op: 'flip'; readonly at: number; readonly mask: number }
    | { readonly op: 'insert'; readonly at: number; readonly byte: number }
    | { readonly op: 'delete'; readonly at: number };

  const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({
      op: fc.constant('flip' as const),
      at: fc.nat(),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  );

  function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
    const out = Array.from(bytes);
    for (const m of mutations) {
      switch (m.op) {
        case 'flip': {
          if (out.length === 0) break;
          const i = m.at % out.length;
          out[i] = (out[i] ?? 0) ^ m.mask;
          break;
        }
        case 'insert':
          out.splice(m.at % (out.length + 1), 0, m.byte);
          break;
        case 'delete':
          if (out.length > 0) out.splice(m.at % out.length, 1);
          break;
      }
    }
    return Uint8Array.from(out);
  }

  void it('survives mutated valid streams (flipped, inserted, deleted bytes)', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb(120), { minLength: 1, maxLength: 15 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
        maxArb,
        chunkSizesArb,
        (frames, mutations, max, sizes) => {
          checkAgainstReference(mutate(encodeAll(frames), mutations), max, sizes);
        },
      ),
      { numRuns: 300 },
    );
  });

  void it('counts every pushed byte as buffered until it is returned in a frame', () => {
    fc.assert(
      fc.property(fc.array(frameArb(50), { maxLength: 10 }), (frames) => {
        const bytes = encodeAll(frames);
        const decoder = new FrameDecoder({ maxBodyLength: 50 });
        decoder.push(bytes);
        assert.equal(decoder.buffered, bytes.length);
        let n = 0;
        for (let r = decoder.next(); r.kind === 'frame'; r = decoder.next()) n++;
        assert.equal(n, frames.length);
        assert.equal(decoder.buffered, 0);
      }),
      { numRuns: 50 },
    );
  });
});
