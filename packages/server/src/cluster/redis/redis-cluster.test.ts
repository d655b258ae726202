import { randomBytes } from 'node:crypto';
import { clusterContract } from '../cluster-contract.js';
import { RedisBus } from './redis-bus.js';
import { RedisCallStateStore } from './redis-call-state.js';
import { RedisRateCounter } from './redis-rate-counter.js';
import { RedisConnection } from './redis-connection.js';
import { RedisNodeRegistry } from './redis-node-registry.js';
import { RedisPresenceTable } from './redis-presence-table.js';
import { RedisWorkerLease } from './redis-worker-lease.js';

// Needs the Redis that .ci/run starts (PARLEY_TEST_REDIS_URL to use another); no silent skip.
const url = process.env['PARLEY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

clusterContract('Redis', async () => {
  const prefix = `parley-test-${randomBytes(6).toString('hex')}`;
  const connections: RedisConnection[] = [];
  const connect = (): RedisConnection => {
    const c = new RedisConnection(url, prefix);
    connections.push(c);
    return c;
  };
  const main = connect();
  await main.connect();
  const fail = (err: unknown): void => {
    throw err;
  };
  return {
    bus: () => {
      const c = connect();
      const bus = new RedisBus(c, fail);
      return {
        publish: (target, bytes) => {
          bus.publish(target, bytes);
        },
        subscribe: async (instanceId, handler) => {
          await c.connect();
          await bus.subscribe(instanceId, handler);
        },
        close: () => c.close(),
      };
    },
    registry: new RedisNodeRegistry(main),
    lease: (count) => new RedisWorkerLease(main, count),
    presence: new RedisPresenceTable(main),
    calls: new RedisCallStateStore(main),
    rates: new RedisRateCounter(main),
    async close() {
      const keys = await main.command.keys(`${prefix}:*`);
      if (keys.length > 0) await main.command.del(...keys);
      await Promise.all(connections.map((c) => c.close()));
    },
  };
});
