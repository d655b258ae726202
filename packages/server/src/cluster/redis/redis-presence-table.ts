import type { PresenceEntry, PresenceTable } from '../../core/cluster.js';
import type { RedisConnection } from './redis-connection.js';

/** One hash per node (`<user>:<platform>` → device and attach time) that expires with the node. */
export class RedisPresenceTable implements PresenceTable {
  constructor(private readonly redis: RedisConnection) {}

  async put(instanceId: string, entry: PresenceEntry, ttlMs: number): Promise<void> {
    const key = this.key(instanceId);
    await this.redis.command
      .multi()
      .hset(key, field(entry.userId, entry.platform), value(entry))
      .pexpire(key, ttlMs)
      .exec();
  }

  async remove(instanceId: string, userId: bigint, platform: number): Promise<void> {
    await this.redis.command.hdel(this.key(instanceId), field(userId, platform));
  }

  async replace(instanceId: string, entries: readonly PresenceEntry[], ttlMs: number): Promise<void> {
    const key = this.key(instanceId);
    const tx = this.redis.command.multi().del(key);
    if (entries.length > 0) {
      tx.hset(key, Object.fromEntries(entries.map((e) => [field(e.userId, e.platform), value(e)])));
      tx.pexpire(key, ttlMs);
    }
    await tx.exec();
  }

  async touch(instanceId: string, ttlMs: number): Promise<void> {
    await this.redis.command.pexpire(this.key(instanceId), ttlMs);
  }

  async read(instanceId: string): Promise<PresenceEntry[]> {
    const hash = await this.redis.command.hgetall(this.key(instanceId));
    const entries: PresenceEntry[] = [];
    for (const [f, v] of Object.entries(hash)) {
      const [user, platform] = f.split(':');
      const parsed = JSON.parse(v) as { d: string; a: number };
      if (user === undefined || platform === undefined) continue;
      entries.push({
        userId: BigInt(user),
        platform: Number(platform),
        deviceId: parsed.d,
        attachedAt: parsed.a,
      });
    }
    return entries;
  }

  async clear(instanceId: string): Promise<void> {
    await this.redis.command.del(this.key(instanceId));
  }

  private key(instanceId: string): string {
    return this.redis.key('presence', instanceId);
  }
}

function field(userId: bigint, platform: number): string {
  return `${userId}:${platform}`;
}

function value(entry: PresenceEntry): string {
  return JSON.stringify({ d: entry.deviceId, a: entry.attachedAt });
}
