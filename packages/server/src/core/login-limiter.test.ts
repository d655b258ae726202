import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginLimiter } from './login-limiter.js';

describe('LoginLimiter', () => {
  it('locks a name after the failures, case-insensitively, until the window has passed', () => {
    let now = 1_000;
    const limiter = new LoginLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.allows('Alice'), true);
      limiter.failed('alice');
    }
    assert.equal(limiter.allows('ALICE'), false);
    assert.equal(limiter.allows('bob'), true, 'other names are not affected');
    now += 59_999;
    assert.equal(limiter.allows('alice'), false);
    now += 1;
    assert.equal(limiter.allows('alice'), true, 'the lock ends with the window');
  });

  it('forgets failures after a success, and stays bounded', () => {
    const limiter = new LoginLimiter(2, 60_000, () => 0, 3);
    limiter.failed('a');
    limiter.succeeded('a');
    limiter.failed('a');
    assert.equal(limiter.allows('a'), true);
    for (const name of ['b', 'c', 'd', 'e']) {
      limiter.failed(name);
      limiter.failed(name);
    }
    // Only the 3 newest names are tracked: the oldest entries were dropped.
    assert.equal(limiter.allows('a'), true);
    assert.equal(limiter.allows('e'), false);
  });
});
