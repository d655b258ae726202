import { BROADCAST, type ClusterBus } from '../../core/cluster.js';
import type { RedisConnection } from './redis-connection.js';

/** Publishes that may wait for Redis at once; past it, pushes are dropped (clients re-sync). */
const MAX_PENDING_PUBLISHES = 20_000;

/** The bus on Redis pub/sub: a channel per node and one for broadcasts. */
export class RedisBus implements ClusterBus {
  private pending = 0;
  private dropping = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly onError: (err: unknown) => void,
  ) {}

  publish(target: string, bytes: Uint8Array): void {
    if (this.pending >= MAX_PENDING_PUBLISHES) {
      if (!this.dropping) this.onError(new Error('redis bus backlog full: dropping pushes until it drains'));
      this.dropping = true;
      return;
    }
    this.pending += 1;
    this.redis.publisher
      .publish(this.channel(target), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      .then(
        () => {
          this.pending -= 1;
          if (this.pending === 0) this.dropping = false;
        },
        (err: unknown) => {
          this.pending -= 1;
          this.onError(err);
        },
      );
  }

  async subscribe(instanceId: string, handler: (bytes: Uint8Array) => void): Promise<void> {
    const own = this.channel(instanceId);
    const all = this.channel(BROADCAST);
    this.redis.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const name = channel.toString();
      if (name === own || name === all) handler(message);
    });
    await this.redis.subscriber.subscribe(own, all);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private channel(target: string): string {
    return this.redis.key('bus', target === BROADCAST ? 'all' : target);
  }
}
