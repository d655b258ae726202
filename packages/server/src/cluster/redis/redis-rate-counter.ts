import type { RateCounter } from '../../core/rate-counter.js';
import type { RedisConnection } from './redis-connection.js';

// The window opens with the first hit: INCR, and the TTL is set only then.
const HIT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return c`;

/**
 * Fixed-window counters shared by every node (per user, per address). While Redis is away the
 * counters fail open (count 0): a Redis outage must not stop every message, and the per-connection
 * limits, kept in each node's memory, still hold.
 */
export class RedisRateCounter implements RateCounter {
  constructor(
    private readonly redis: RedisConnection,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async hit(key: string, windowMs: number): Promise<number> {
    try {
      return Number(await this.redis.command.eval(HIT, 1, this.redis.key('rate', key), windowMs));
    } catch (err) {
      this.onError(err);
      return 0;
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.redis.command.del(this.redis.key('rate', key));
    } catch (err) {
      this.onError(err);
    }
  }

  async peek(key: string): Promise<number> {
    try {
      const value = await this.redis.command.get(this.redis.key('rate', key));
      return value === null ? 0 : Number(value);
    } catch (err) {
      this.onError(err);
      return 0;
    }
  }
}
