import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_WORKER_ID, SNOWFLAKE_EPOCH_MS, SnowflakeGenerator, snowflakeTime } from './snowflake.js';

const workerOf = (id: bigint): number => Number((id >> 12n) & 1023n);
const sequenceOf = (id: bigint): number => Number(id & 4095n);

function assertStrictlyIncreasing(ids: readonly bigint[]): void {
  for (let i = 1; i < ids.length; i++) {
    const prev = ids[i - 1];
    const cur = ids[i];
    assert.ok(
      prev !== undefined && cur !== undefined && cur > prev,
      `id ${i} (${cur}) is not above id ${i - 1} (${prev})`,
    );
  }
}

describe('SnowflakeGenerator', () => {
  it('gives strictly increasing, positive ids over 100k calls on the real clock', () => {
    const gen = new SnowflakeGenerator(7);
    const ids: bigint[] = [];
    for (let i = 0; i < 100_000; i++) ids.push(gen.next());
    assertStrictlyIncreasing(ids);
    assert.ok((ids[0] ?? 0n) > 0n);
    assert.ok((ids.at(-1) ?? 0n) < 2n ** 63n, 'ids fit a signed 64-bit column');
  });

  it('puts the worker id in bits 12-21 and a sequence in bits 0-11', () => {
    for (const worker of [0, 1, 513, MAX_WORKER_ID]) {
      let t = SNOWFLAKE_EPOCH_MS + 1_000_000;
      const gen = new SnowflakeGenerator(worker, () => t);
      const a = gen.next();
      const b = gen.next();
      t += 1;
      const c = gen.next();
      assert.equal(workerOf(a), worker);
      assert.equal(workerOf(b), worker);
      assert.equal(workerOf(c), worker);
      assert.equal(sequenceOf(a), 0);
      assert.equal(sequenceOf(b), 1, 'a second id in the same millisecond takes the next sequence');
      assert.equal(sequenceOf(c), 0, 'a new millisecond restarts the sequence');
      assert.equal(gen.workerId, worker);
    }
  });

  it('stays unique and increasing past 4096 ids in one (frozen) millisecond', () => {
    const frozen = SNOWFLAKE_EPOCH_MS + 123_456_789;
    const gen = new SnowflakeGenerator(3, () => frozen);
    const ids: bigint[] = [];
    for (let i = 0; i < 4096 * 3 + 10; i++) ids.push(gen.next());
    assertStrictlyIncreasing(ids);
    assert.equal(new Set(ids).size, ids.length);
    // The first 4096 ids use the frozen millisecond; the next ones borrow the following ones.
    assert.equal(snowflakeTime(ids[0] ?? 0n), frozen);
    assert.equal(snowflakeTime(ids[4095] ?? 0n), frozen);
    assert.equal(sequenceOf(ids[4095] ?? 0n), 4095);
    assert.equal(snowflakeTime(ids[4096] ?? 0n), frozen + 1);
    assert.equal(sequenceOf(ids[4096] ?? 0n), 0);
    assert.equal(snowflakeTime(ids[4096 * 3] ?? 0n), frozen + 3);
    for (const id of ids) assert.equal(workerOf(id), 3);
  });

  it('never issues a negative id when the clock is before the epoch', () => {
    const g = new SnowflakeGenerator(3, () => SNOWFLAKE_EPOCH_MS - 86_400_000);
    const first = g.next();
    assert.ok(first >= 0n && g.next() > first);
  });

  it('does not repeat or go backwards when the clock steps back', () => {
    let t = SNOWFLAKE_EPOCH_MS + 10_000_000;
    const gen = new SnowflakeGenerator(9, () => t);
    const ids: bigint[] = [];
    for (let i = 0; i < 5; i++) ids.push(gen.next());
    t -= 5_000; // NTP step back by five seconds
    for (let i = 0; i < 5000; i++) ids.push(gen.next());
    t += 10_000;
    ids.push(gen.next());
    assertStrictlyIncreasing(ids);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(snowflakeTime(ids.at(-1) ?? 0n), t, 'once the clock is ahead again it is used');
  });

  it('is strictly increasing for any sequence of clock readings (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_WORKER_ID }),
        fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 300 }),
        (worker, readings, counts) => {
          let i = 0;
          const gen = new SnowflakeGenerator(
            worker,
            () => SNOWFLAKE_EPOCH_MS + (readings[i % readings.length] ?? 0),
          );
          const ids: bigint[] = [];
          for (const count of counts) {
            for (let k = 0; k < count; k++) ids.push(gen.next());
            i++;
          }
          assertStrictlyIncreasing(ids);
          for (const id of ids) assert.equal(workerOf(id), worker);
        },
      ),
    );
  });

  it('round-trips the time through snowflakeTime', () => {
    const before = Date.now();
    const id = new SnowflakeGenerator(1).next();
    const after = Date.now();
    const time = snowflakeTime(id);
    assert.ok(time >= before && time <= after, `${time} not in [${before}, ${after}]`);
    fc.assert(
      fc.property(
        fc.integer({ min: SNOWFLAKE_EPOCH_MS, max: SNOWFLAKE_EPOCH_MS + 2 ** 41 - 1 }),
        fc.integer({ min: 0, max: MAX_WORKER_ID }),
        (ms, worker) => {
          const snow = new SnowflakeGenerator(worker, () => ms).next();
          assert.equal(snowflakeTime(snow), ms);
          assert.ok(snow < 2n ** 63n);
        },
      ),
    );
  });

  it('never collides between two workers, even on the same frozen clock', () => {
    const frozen = SNOWFLAKE_EPOCH_MS + 42;
    const a = new SnowflakeGenerator(1, () => frozen);
    const b = new SnowflakeGenerator(2, () => frozen);
    const seen = new Set<bigint>();
    for (let i = 0; i < 10_000; i++) {
      seen.add(a.next());
      seen.add(b.next());
    }
    assert.equal(seen.size, 20_000);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: MAX_WORKER_ID }), { minLength: 2, maxLength: 2 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 200 }),
        ([w1, w2], readings) => {
          let i = 0;
          const clock = () => SNOWFLAKE_EPOCH_MS + (readings[i++ % readings.length] ?? 0);
          const g1 = new SnowflakeGenerator(w1 ?? 0, clock);
          const g2 = new SnowflakeGenerator(w2 ?? 0, clock);
          const ids = new Set<bigint>();
          for (let k = 0; k < readings.length; k++) {
            ids.add(g1.next());
            ids.add(g2.next());
          }
          assert.equal(ids.size, readings.length * 2);
        },
      ),
    );
  });

  it('rejects worker ids outside [0, 1023] or not integers', () => {
    for (const bad of [-1, 1024, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32]) {
      assert.throws(() => new SnowflakeGenerator(bad), RangeError, `worker id ${bad}`);
    }
    assert.doesNotThrow(() => new SnowflakeGenerator(0));
    assert.doesNotThrow(() => new SnowflakeGenerator(MAX_WORKER_ID));
  });
});
