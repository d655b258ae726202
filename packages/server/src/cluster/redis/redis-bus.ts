import { BROADCAST, type ClusterBus } from '../../core/cluster.js';
import type { RedisConnection } from './redis-connection.js';

/** The bus on Redis pub/sub: a channel per node and one for broadcasts. */
export class RedisBus implements ClusterBus {
  constructor(
    private readonly redis: RedisConnection,
    private readonly onError: (err: unknown) => void,
  ) {}

  publish(target: string, bytes: Uint8Array): void {
    const channel = this.channel(target);
    this.redis.command
      .publish(channel, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      .catch(this.onError);
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
