import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRateCounter } from '../cluster/memory/memory-rate-counter.js';
import { LoginLimiter } from './login-limiter.js';

describe('LoginLimiter', () => {
  it('locks a name after the failures, case-insensitively, until the window has passed', async () => {
    let now = 1_000;
    const limiter = new LoginLimiter(new MemoryRateCounter(() => now), 3, 60_000);
    for (let i = 0; i < 3; i++) {
      assert.equal(await limiter.allows('Alice'), true);
      await limiter.failed('alice');
    }
    assert.equal(await limiter.allows('ALICE'), false);
    assert.equal(await limiter.allows('bob'), true, 'other names are not affected');
    now += 59_999;
    assert.equal(await limiter.allows('alice'), false);
    now += 1;
    assert.equal(await limiter.allows('alice'), true, 'the lock ends with the window');
  });

  it('forgets failures after a success, and stays bounded', async () => {
    const limiter = new LoginLimiter(new MemoryRateCounter(() => 0, 3), 2, 60_000);
    await limiter.failed('a');
    await limiter.succeeded('a');
    await limiter.failed('a');
    assert.equal(await limiter.allows('a'), true);
    for (const name of ['b', 'c', 'd', 'e']) {
      await limiter.failed(name);
      await limiter.failed(name);
    }
    // Only the 3 newest names are tracked: the oldest entries were dropped.
    assert.equal(await limiter.allows('a'), true);
    assert.equal(await limiter.allows('e'), false);
  });
});
