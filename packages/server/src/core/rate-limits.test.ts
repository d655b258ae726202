import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedError } from '@parley/protocol';
import { MemoryRateCounter } from '../cluster/memory/memory-rate-counter.js';
import { RateLimits, type RateLimitConfig } from './rate-limits.js';

const config: RateLimitConfig = {
  messageWindowMs: 1000,
  maxMessagesPerConnection: 3,
  maxMessagesPerUser: 5,
  loginWindowMs: 5000,
  maxLoginFailuresPerAddress: 2,
};

function limits(overrides: Partial<RateLimitConfig> = {}, now = () => 0) {
  return new RateLimits(new MemoryRateCounter(now), new MemoryRateCounter(now), { ...config, ...overrides });
}

describe('RateLimits', () => {
  it('limits messages per connection and, over every connection, per user; windows reset', async () => {
    let now = 0;
    const l = limits({}, () => now);
    const a = { sessionId: 1, userId: 7n };
    const b = { sessionId: 2, userId: 7n };
    for (let i = 0; i < 3; i++) await l.message(a);
    await assert.rejects(l.message(a), RateLimitedError, 'the 4th on one connection');
    // A message refused per connection does not count for the user: 3 + 2 reach the user's 5.
    await l.message(b);
    await l.message(b);
    await assert.rejects(l.message(b), /too many messages from this user/, 'the 6th of the user');
    // Another user is unaffected; an HTTP session (negative id) has no per-connection count.
    for (let i = 0; i < 5; i++) await l.message({ sessionId: -i - 1, userId: 8n });
    await assert.rejects(l.message({ sessionId: -9, userId: 8n }), /from this user/);
    now = 1000;
    await l.message(a);
  });

  it('refuses logins from an address after its failures, until the window passes; 0 disables', async () => {
    let now = 0;
    const l = limits({}, () => now);
    await l.checkLoginAddress('10.0.0.1');
    await l.loginFailed('10.0.0.1');
    await l.loginFailed('10.0.0.1');
    await assert.rejects(l.checkLoginAddress('10.0.0.1'), /too many failed logins from this address/);
    await l.checkLoginAddress('10.0.0.2');
    now = 5000;
    await l.checkLoginAddress('10.0.0.1');
    const off = limits({ maxLoginFailuresPerAddress: 0, maxMessagesPerConnection: 0, maxMessagesPerUser: 0 });
    for (let i = 0; i < 10; i++) {
      await off.loginFailed('x');
      await off.message({ sessionId: 1, userId: 1n });
    }
    await off.checkLoginAddress('x');
  });
});
