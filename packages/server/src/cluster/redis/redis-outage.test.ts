import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestRedis, type TestRedis } from '@parley/testkit';
import type { NodeInfo } from '../../core/cluster.js';
import { ClusterNode } from '../cluster-node.js';
import { RedisConnection } from './redis-connection.js';
import { RedisNodeRegistry } from './redis-node-registry.js';
import { RedisWorkerLease } from './redis-worker-lease.js';

// A Redis of this test's own, killed and restarted (empty, as after a crash) under a node.

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
}

function info(instanceId: string): NodeInfo {
  return {
    instanceId,
    name: instanceId,
    workerId: 0,
    tcp: { host: '127.0.0.1', port: 1 },
    http: 'http://127.0.0.1:1',
    ws: 'ws://127.0.0.1:1/ws',
    load: 0,
    startedAt: Date.now(),
  };
}

describe('Redis outages', () => {
  let redis: TestRedis;
  const connections: RedisConnection[] = [];
  const connect = async (): Promise<RedisConnection> => {
    const c = new RedisConnection(redis.url, `outage-${process.pid}`);
    c.onError(() => undefined);
    connections.push(c);
    await c.connect();
    return c;
  };
  const restart = async (downMs: number): Promise<void> => {
    await redis.kill();
    await sleep(downMs);
    await redis.start();
  };

  before(async () => {
    redis = await startTestRedis();
  });

  after(async () => {
    await Promise.all(connections.map((c) => c.close()));
    await redis.stop();
  });

  it('onReconnect runs after every restart, the first one included', async () => {
    const c = new RedisConnection(redis.url, 'reconnect');
    c.onError(() => undefined);
    connections.push(c);
    assert.throws(() => {
      c.onReconnect(() => undefined);
    }, /before connect/);
    await c.connect();
    let reconnects = 0;
    c.onReconnect(() => {
      reconnects += 1;
    });
    await restart(300);
    await until(() => reconnects === 1, 'the first reconnect is reported');
    await restart(300);
    await until(() => reconnects === 2, 'the second reconnect is reported');
    await sleep(500);
    assert.equal(reconnects, 2, 'once per reconnect');
  });

  it('a node does not give the others up for dead over an outage longer than the TTL', async () => {
    const ttlMs = 600;
    const c = await connect();
    const registry = new RedisNodeRegistry(c);
    const checks: { at: number; peer: boolean; heard: boolean }[] = [];
    let lapses = 0;
    const node = await ClusterNode.join({
      instanceId: 'watcher',
      registry,
      lease: new RedisWorkerLease(c, 8),
      ttlMs,
      onLiveNodes: (isLive) => checks.push({ at: Date.now(), peer: isLive('peer'), heard: isLive('heard') }),
      touchPresence: () => Promise.resolve(),
      onLeaseLost: () => assert.fail('the lease is re-taken, not lost'),
      onLapsed: () => {
        lapses += 1;
      },
      onError: () => undefined,
    });
    await node.announce(info('watcher'), () => 0);
    await registry.heartbeat(info('peer'), ttlMs);
    await until(() => checks.at(-1)?.peer === true, 'the peer is live');
    assert.equal(lapses, 0);

    // Redis is away for three TTLs, and comes back without the peer's heartbeat.
    await redis.kill();
    await sleep(3 * ttlMs);
    const back = Date.now();
    await redis.start();
    await until(() => checks.some((c) => c.at > back), 'a tick after Redis came back');
    const first = checks.find((c) => c.at > back);
    assert.equal(first?.peer, true, 'the peer gets a TTL to re-announce, not a verdict from a blind spell');
    assert.equal(lapses, 1, 'the node knows its own heartbeat lapsed');

    // A node heard on the bus is live though the registry does not list it.
    node.seen('heard');
    await until(() => checks.at(-1)?.heard === true, 'a node heard from counts as live');

    // The grace is one TTL: a peer that stays silent is gone after it, and so is the one heard once.
    await until(() => checks.at(-1)?.peer === false, 'a silent peer is dropped', 4 * ttlMs);
    await until(() => checks.at(-1)?.heard === false, 'a node not heard from again is dropped', 4 * ttlMs);
    await node.leave();
  });
});
