import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRateCounter } from './memory-rate-counter.js';

describe('MemoryRateCounter', () => {
  it('counts hits per key in a fixed window that opens at the first hit', async () => {
    let now = 1000;
    const counter = new MemoryRateCounter(() => now);
    assert.equal(await counter.peek('a', 100), 0);
    assert.equal(await counter.hit('a', 100), 1);
    assert.equal(await counter.hit('a', 100), 2);
    assert.equal(await counter.hit('b', 100), 1);
    assert.equal(await counter.peek('a', 100), 2);
    now = 1099;
    assert.equal(await counter.hit('a', 100), 3, 'still the first window');
    now = 1100;
    assert.equal(await counter.peek('a', 100), 0, 'the window has passed');
    assert.equal(await counter.hit('a', 100), 1, 'a new window');
  });

  it('stays bounded: expired windows are dropped, and past maxKeys the oldest goes', async () => {
    let now = 0;
    const counter = new MemoryRateCounter(() => now, 100);
    for (let i = 0; i < 1000; i++) await counter.hit(`k${i}`, 1_000_000);
    assert.equal(counter.size, 100);
    assert.equal(await counter.peek('k999', 1_000_000), 1, 'the newest are kept');
    assert.equal(await counter.peek('k0', 1_000_000), 0, 'the oldest went');
    const small = new MemoryRateCounter(() => now);
    for (let i = 0; i < 50; i++) await small.hit(`s${i}`, 10);
    now = 20;
    for (let i = 0; i < 20; i++) await small.hit(`t${i}`, 10);
    assert.ok(small.size < 50, `expired windows were dropped (${small.size} left)`);
  });
});
