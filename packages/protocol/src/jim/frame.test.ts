import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParleyError, ProtocolError, TooLargeError } from '../errors.js';
import { Status } from '../status.js';
import {
  JIM_HEADER_LENGTH,
  JimCommand,
  JimDecoder,
  encodeJimFrame,
  type JimFrame,
  type JimFrameFault,
} from './frame.js';

interface Plain {
  readonly command: string;
  readonly requestId: number;
  readonly body: string;
}

function plain(f: JimFrame): Plain {
  return { command: f.command, requestId: f.requestId, body: Buffer.from(f.body).toString('hex') };
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

function chunk(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = sizes[i++ % sizes.length] ?? 1;
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

function rawHeader(magic: string, command: string, requestId: number, length: number): Uint8Array {
  const out = new Uint8Array(JIM_HEADER_LENGTH);
  for (let i = 0; i < 4; i++) out[i] = magic.charCodeAt(i) & 0xff;
  for (let i = 0; i < 4; i++) out[4 + i] = command.charCodeAt(i) & 0xff;
  const view = new DataView(out.buffer);
  view.setUint32(8, requestId >>> 0);
  view.setUint32(12, length >>> 0);
  return out;
}

/** Feeds the chunks, drains after each, checks the bounds; returns frames and the first fault. */
function decodeChunks(
  decoder: JimDecoder,
  chunks: readonly Uint8Array[],
): { frames: Plain[]; fault: JimFrameFault | undefined } {
  const frames: Plain[] = [];
  let fault: JimFrameFault | undefined;
  for (const c of chunks) {
    decoder.push(c);
    assert.ok(decoder.buffered <= JIM_HEADER_LENGTH + decoder.maxBodyLength + c.length);
    for (;;) {
      const r = decoder.next();
      if (r.kind === 'need-more') break;
      if (r.kind === 'fault') {
        fault ??= r.fault;
        assert.equal(r.fault, fault);
        assert.equal(decoder.buffered, 0);
        break;
      }
      assert.equal(fault, undefined);
      assert.ok(r.frame.body.length <= decoder.maxBodyLength);
      frames.push(plain(r.frame));
    }
    assert.ok(decoder.buffered < JIM_HEADER_LENGTH + decoder.maxBodyLength);
  }
  return { frames, fault };
}

const commandArb = fc.stringMatching(/^[A-Za-z0-9]{4}$/);
const frameArb = (maxBody = 200): fc.Arbitrary<JimFrame> =>
  fc.record({
    command: commandArb,
    requestId: fc.integer({ min: 0, max: 0xffff_ffff }),
    body: fc.uint8Array({ maxLength: maxBody }),
  });
const sizesArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });

void describe('Jim frame', () => {
  void it('encodes the seed layout: jim1, command, request id, length, body', () => {
    const bytes = encodeJimFrame({
      command: JimCommand.PING,
      requestId: 0x01020304,
      body: new Uint8Array([0x7b, 0x7d]),
    });
    assert.equal(Buffer.from(bytes.subarray(0, 8)).toString('latin1'), 'jim1A001');
    assert.deepEqual(Array.from(bytes.subarray(8)), [1, 2, 3, 4, 0, 0, 0, 2, 0x7b, 0x7d]);
  });

  void it('refuses to encode a command that is not 4 ASCII letters or digits', () => {
    for (const command of ['A01', 'A0011', 'A-01', 'Ä001', '']) {
      assert.throws(() => encodeJimFrame({ command, requestId: 1, body: new Uint8Array(0) }), RangeError);
    }
  });

  void it('round-trips random frames under any chunking, byte at a time included', () => {
    fc.assert(
      fc.property(fc.array(frameArb(), { maxLength: 20 }), sizesArb, (frames, sizes) => {
        const bytes = concat(frames.map(encodeJimFrame));
        for (const s of [sizes, [1]]) {
          const out = decodeChunks(new JimDecoder(), chunk(bytes, s));
          assert.equal(out.fault, undefined);
          assert.deepEqual(out.frames, frames.map(plain));
        }
      }),
      { numRuns: 150 },
    );
  });

  void it('reports partial frames', () => {
    const bytes = encodeJimFrame({ command: 'B101', requestId: 9, body: new Uint8Array(10) });
    const d = new JimDecoder();
    d.push(bytes.subarray(0, 3));
    assert.equal(d.next().kind, 'need-more');
    assert.equal(d.partial, true);
    d.push(bytes.subarray(3, 20));
    assert.equal(d.next().kind, 'need-more');
    assert.equal(d.buffered, 4);
    d.push(bytes.subarray(20));
    assert.equal(d.next().kind, 'frame');
    assert.equal(d.partial, false);
  });

  void it('faults on a wrong magic as soon as the first bytes show it', () => {
    const d = new JimDecoder();
    d.push(new TextEncoder().encode('jix'));
    const r = d.next();
    assert.equal(r.kind, 'fault');
    assert.ok(r.fault.error instanceof ProtocolError);
    assert.equal(d.buffered, 0);
    d.push(encodeJimFrame({ command: 'A001', requestId: 1, body: new Uint8Array(0) }));
    assert.equal(d.next().kind, 'fault', 'a faulted decoder stays faulted');
    assert.equal(d.buffered, 0);
  });

  void it('faults on a command that is not 4 ASCII letters or digits', () => {
    for (const command of ['A-01', 'A 01', 'a\u0000\u00011', 'ÿÿÿÿ']) {
      const d = new JimDecoder();
      d.push(rawHeader('jim1', command, 77, 0));
      const r = d.next();
      assert.equal(r.kind, 'fault', command);
      assert.equal(r.fault.error.status, Status.PROTOCOL_ERROR);
      assert.equal(r.fault.requestId, 77);
    }
  });

  void it('faults on a length over the bound from the header alone, and accepts the bound', () => {
    for (const max of [0, 10, 1000]) {
      const d = new JimDecoder({ maxBodyLength: max });
      d.push(concat([rawHeader('jim1', 'B101', 5, max + 1), new Uint8Array(max)]));
      const r = d.next();
      assert.equal(r.kind, 'fault');
      assert.ok(r.fault.error instanceof TooLargeError);
      assert.equal(r.fault.command, 'B101');
      assert.equal(d.buffered, 0);
      const ok = new JimDecoder({ maxBodyLength: max });
      ok.push(encodeJimFrame({ command: 'B101', requestId: 5, body: new Uint8Array(max) }));
      assert.equal(ok.next().kind, 'frame');
    }
    const huge = new JimDecoder();
    huge.push(rawHeader('jim1', 'B101', 1, 0xffff_ffff));
    assert.equal(huge.next().kind, 'fault');
  });

  void it('decodes the frames before a bad one', () => {
    const good = { command: 'A001', requestId: 1, body: new Uint8Array([1]) };
    const bytes = concat([encodeJimFrame(good), rawHeader('jim2', 'A001', 2, 0)]);
    const out = decodeChunks(new JimDecoder(), chunk(bytes, [1]));
    assert.deepEqual(out.frames, [plain(good)]);
    assert.ok(out.fault?.error instanceof ProtocolError);
  });

  void it('rejects a bound outside [0, 16 MiB)', () => {
    for (const max of [-1, 0.5, 16 * 1024 * 1024, Number.NaN]) {
      assert.throws(() => new JimDecoder({ maxBodyLength: max }), RangeError);
    }
  });
});

void describe('Jim frame: fuzz', () => {
  /** Reference decoder over the whole input. */
  function reference(bytes: Uint8Array, max: number): { frames: Plain[]; faulted: boolean } {
    const frames: Plain[] = [];
    let at = 0;
    for (;;) {
      const left = bytes.length - at;
      const magicSeen = Math.min(left, 4);
      for (let i = 0; i < magicSeen; i++) {
        if (bytes[at + i] !== 'jim1'.charCodeAt(i)) return { frames, faulted: true };
      }
      if (left < JIM_HEADER_LENGTH) return { frames, faulted: false };
      const command = Buffer.from(bytes.subarray(at + 4, at + 8)).toString('latin1');
      if (!/^[A-Za-z0-9]{4}$/.test(command)) return { frames, faulted: true };
      const view = new DataView(bytes.buffer, bytes.byteOffset + at);
      const requestId = view.getUint32(8);
      const length = view.getUint32(12);
      if (length > max) return { frames, faulted: true };
      if (left - JIM_HEADER_LENGTH < length) return { frames, faulted: false };
      const body = bytes.subarray(at + JIM_HEADER_LENGTH, at + JIM_HEADER_LENGTH + length);
      frames.push(plain({ command, requestId, body }));
      at += JIM_HEADER_LENGTH + length;
    }
  }

  function check(bytes: Uint8Array, max: number, sizes: readonly number[]): void {
    const out = decodeChunks(new JimDecoder({ maxBodyLength: max }), chunk(bytes, sizes));
    const expected = reference(bytes, max);
    assert.deepEqual(out.frames, expected.frames);
    assert.equal(out.fault !== undefined, expected.faulted);
    if (out.fault !== undefined) assert.ok(out.fault.error instanceof ParleyError);
  }

  const maxArb = fc.integer({ min: 0, max: 500 });

  void it('never throws on random bytes and stays bounded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), maxArb, sizesArb, (bytes, max, sizes) => {
        check(bytes, max, sizes);
      }),
      { numRuns: 200 },
    );
  });

  void it('never throws on mutated valid streams', () => {
    const mutation = fc.record({
      at: fc.nat(),
      op: fc.constantFrom('flip', 'insert', 'delete'),
      byte: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(
        fc.array(frameArb(100), { minLength: 1, maxLength: 10 }),
        fc.array(mutation, { minLength: 1, maxLength: 5 }),
        maxArb,
        sizesArb,
        (frames, mutations, max, sizes) => {
          const out = Array.from(concat(frames.map(encodeJimFrame)));
          for (const m of mutations) {
            const i = m.at % Math.max(out.length, 1);
            if (m.op === 'flip' && out.length > 0) out[i] = (out[i] ?? 0) ^ (m.byte | 1);
            else if (m.op === 'insert') out.splice(i, 0, m.byte);
            else if (out.length > 0) out.splice(i, 1);
          }
          check(Uint8Array.from(out), max, sizes);
        },
      ),
      { numRuns: 300 },
    );
  });
});
