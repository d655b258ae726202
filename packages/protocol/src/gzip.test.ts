import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { gunzipBounded, gzip } from './gzip.js';
import { BadCompressionError, ParleyError, TooLargeError } from './errors.js';
import { Status } from './status.js';
import { DEFAULT_MAX_BODY_LENGTH } from './frame.js';

const MiB = 1024 * 1024;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** Pseudo-random, poorly compressible bytes (deterministic). */
function noise(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

void describe('gzip', () => {
  void it('round trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat({ max: 100 }), (body, slack) => {
        const packed = gzip(body);
        assert.ok(bytesEqual(gunzipBounded(packed, body.length + slack), body));
        assert.ok(bytesEqual(gunzipBounded(packed, DEFAULT_MAX_BODY_LENGTH), body));
      }),
      { numRuns: 100 },
    );
  });

  void it('round trips text', () => {
    const text = 'héllo wörld, 你好, 👋🏽 '.repeat(500);
    const body = new TextEncoder().encode(text);
    const packed = gzip(body);
    assert.ok(packed.length < body.length);
    assert.equal(new TextDecoder().decode(gunzipBounded(packed, body.length)), text);
  });

  void it('inflates a body of exactly the bound, and not one byte more', () => {
    for (const length of [1, 100, 65_536, 65_537, MiB]) {
      const body = noise(length, length);
      const packed = gzip(body);
      assert.ok(bytesEqual(gunzipBounded(packed, length), body), `length ${String(length)}`);
      assert.throws(() => gunzipBounded(packed, length - 1), TooLargeError, `length ${String(length)} - 1`);
    }
  });

  void it('honours a bound of 0', () => {
    assert.equal(gunzipBounded(gzip(new Uint8Array(0)), 0).length, 0);
    assert.throws(() => gunzipBounded(gzip(new Uint8Array([1])), 0), TooLargeError);
    assert.throws(() => gunzipBounded(gzip(new Uint8Array(100)), 0), TooLargeError);
  });

  void it('stops a gzip bomb (10 MiB of zeros) at a 1 MiB bound, quickly', () => {
    const bomb = gzip(new Uint8Array(10 * MiB));
    assert.ok(bomb.length < 64 * 1024, 'the bomb is small');
    const start = performance.now();
    let caught: unknown;
    try {
      gunzipBounded(bomb, MiB);
    } catch (err) {
      caught = err;
    }
    const elapsed = performance.now() - start;
    assert.ok(caught instanceof TooLargeError, 'TooLargeError');
    assert.ok(caught instanceof ParleyError);
    assert.equal(caught.status, Status.TOO_LARGE);
    assert.ok(elapsed < 250, `took ${elapsed.toFixed(1)} ms`);
  });

  void it('stops a multi-member bomb (2 GiB declared) without allocating its output', () => {
    // 200 concatenated members of 10 MiB of zeros each; gunzip reads members back to back, so a
    // decoder that did not stop at the bound would allocate 2 GiB here.
    const member = gzipSync(new Uint8Array(10 * MiB), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 200 }, () => member));
    const before = process.memoryUsage().arrayBuffers;
    const start = performance.now();
    assert.throws(() => gunzipBounded(bomb, MiB), TooLargeError);
    const elapsed = performance.now() - start;
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(elapsed < 500, `took ${elapsed.toFixed(1)} ms`);
    assert.ok(grown < 64 * MiB, `array buffers grew by ${String(grown)} bytes`);
  });

  void it('rejects invalid gzip with BadCompressionError', () => {
    const valid = gzip(new TextEncoder().encode('hello, parley'));
    const corruptCrc = Uint8Array.from(valid);
    const crcAt = corruptCrc.length - 8;
    corruptCrc[crcAt] = (corruptCrc[crcAt] ?? 0) ^ 0xff;
    const badMagic = Uint8Array.from(valid);
    badMagic[0] = 0x00;
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['plain text', new TextEncoder().encode('not gzip at all')],
      ['bad magic', badMagic],
      ['header only', valid.subarray(0, 10)],
      ['truncated', valid.subarray(0, valid.length - 4)],
      ['bad crc', corruptCrc],
      ['trailing garbage', Uint8Array.from([...valid, 1, 2, 3])],
    ];
    for (const [name, body] of cases) {
      let caught: unknown;
      try {
        gunzipBounded(body, MiB);
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof BadCompressionError, name);
      assert.equal(caught.status, Status.BAD_COMPRESSION, name);
    }
  });

  void it('only ever throws BadCompressionError or TooLargeError on random input', () => {
    const gz = fc.uint8Array({ maxLength: 300 }).map((b) => gzip(b));
    const mutated = fc
      .tuple(
        gz,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      )
      .map(([bytes, flips]) => {
        const out = Uint8Array.from(bytes);
        for (const [at, mask] of flips) {
          const i = at % out.length;
          out[i] = (out[i] ?? 0) ^ mask;
        }
        return out;
      });
    const input = fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated);
    fc.assert(
      fc.property(input, fc.nat({ max: 400 }), (body, bound) => {
        try {
          const out = gunzipBounded(body, bound);
          assert.ok(out.length <= bound);
        } catch (err) {
          assert.ok(err instanceof BadCompressionError || err instanceof TooLargeError, String(err));
        }
      }),
      { numRuns: 300 },
    );
  });
});
