import { WorkerIdsExhaustedError, type WorkerIdLease } from '../../core/cluster.js';
import type { RedisConnection } from './redis-connection.js';

// Extend if held; re-take if gone (Redis restarted); refuse if someone else holds it.
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Worker-id leases as Redis keys with a TTL (SET NX PX); the holder's instance id is the value. */
export class RedisWorkerLease implements WorkerIdLease {
  constructor(
    private readonly redis: RedisConnection,
    private readonly count: number,
  ) {}

  async acquire(instanceId: string, ttlMs: number): Promise<number> {
    for (let id = 0; id < this.count; id++) {
      const ok = await this.redis.command.set(this.key(id), instanceId, 'PX', ttlMs, 'NX');
      if (ok === 'OK') return id;
    }
    throw new WorkerIdsExhaustedError(this.count);
  }

  async renew(instanceId: string, workerId: number, ttlMs: number): Promise<boolean> {
    const result = await this.redis.command.eval(RENEW, 1, this.key(workerId), instanceId, ttlMs);
    return result === 1;
  }

  async release(instanceId: string, workerId: number): Promise<void> {
    await this.redis.command.eval(RELEASE, 1, this.key(workerId), instanceId);
  }

  private key(id: number): string {
    return this.redis.key('worker', id);
  }
}
