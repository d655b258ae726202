import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteQueue } from './byte-queue.js';

describe('ByteQueue', () => {
  it('takes and peeks across chunk boundaries, zero-copy within one chunk', () => {
    const q = new ByteQueue();
    const first = Uint8Array.from([1, 2, 3]);
    q.push(first);
    q.push(new Uint8Array(0));
    q.push(Uint8Array.from([4, 5]));
    assert.equal(q.length, 5);
    assert.equal(q.peek(3), 4);
    assert.equal(q.peek(5), undefined);
    const a = q.take(2);
    assert.deepEqual([...a], [1, 2]);
    assert.equal(a.buffer, first.buffer, 'no copy inside one chunk');
    assert.deepEqual([...q.take(3)], [3, 4, 5]);
    assert.equal(q.length, 0);
    assert.throws(() => q.take(1), RangeError);
    q.push(Uint8Array.from([9]));
    q.clear();
    assert.equal(q.length, 0);
  });

  it('gives back exactly the bytes pushed, for any chunking and any takes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 20 }),
        fc.array(fc.nat(30)),
        (chunks, takes) => {
          const q = new ByteQueue();
          const all = chunks.flatMap((c) => [...c]);
          for (const c of chunks) q.push(c);
          const out: number[] = [];
          for (const n of takes) {
            const k = Math.min(n, q.length);
            out.push(...q.take(k));
          }
          out.push(...q.take(q.length));
          assert.deepEqual(out, all);
        },
      ),
      { numRuns: 200 },
    );
  });
});
