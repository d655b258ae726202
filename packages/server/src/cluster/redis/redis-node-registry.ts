import type { NodeInfo, NodeRegistry } from '../../core/cluster.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * Live nodes in Redis: a sorted set scored by lease expiry (ms) and a hash of node infos.
 * Expired entries are swept by whoever heartbeats next. Nodes' clocks are assumed to agree
 * within a fraction of the TTL (NTP).
 */
export class RedisNodeRegistry implements NodeRegistry {
  constructor(
    private readonly redis: RedisConnection,
    private readonly now: () => number = Date.now,
  ) {}

  async heartbeat(info: NodeInfo, ttlMs: number): Promise<void> {
    const now = this.now();
    const expired = await this.redis.command.zrangebyscore(this.redis.key('nodes'), '-inf', now);
    const tx = this.redis.command.multi();
    // Sweep first: this node may be among the expired (it missed heartbeats while Redis was away).
    if (expired.length > 0) {
      tx.zrem(this.redis.key('nodes'), ...expired).hdel(this.redis.key('node-info'), ...expired);
    }
    tx.zadd(this.redis.key('nodes'), now + ttlMs, info.instanceId).hset(
      this.redis.key('node-info'),
      info.instanceId,
      JSON.stringify(info),
    );
    await tx.exec();
  }

  async live(): Promise<NodeInfo[]> {
    const ids = await this.redis.command.zrangebyscore(this.redis.key('nodes'), `(${this.now()}`, '+inf');
    if (ids.length === 0) return [];
    const infos = await this.redis.command.hmget(this.redis.key('node-info'), ...ids);
    const live: NodeInfo[] = [];
    for (const json of infos) if (json !== null) live.push(JSON.parse(json) as NodeInfo);
    return live;
  }

  async leave(instanceId: string): Promise<void> {
    await this.redis.command
      .multi()
      .zrem(this.redis.key('nodes'), instanceId)
      .hdel(this.redis.key('node-info'), instanceId)
      .exec();
  }
}
