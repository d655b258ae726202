import { Redis } from 'ioredis';

/**
 * The two Redis connections of a node: one for commands and publishing, one in subscriber mode.
 * Commands issued while Redis is away wait in ioredis's queue for a few reconnect attempts, then
 * fail (callers treat that as background failure; clients re-sync what they missed).
 */
export class RedisConnection {
  readonly command: Redis;
  readonly subscriber: Redis;

  constructor(
    url: string,
    /** Key and channel prefix, so clusters (and test runs) can share one Redis. */
    readonly prefix: string,
  ) {
    const options = {
      maxRetriesPerRequest: 3,
      retryStrategy: (times: number) => Math.min(50 * times, 1000),
      lazyConnect: true,
    };
    this.command = new Redis(url, options);
    this.subscriber = new Redis(url, options);
  }

  key(...parts: readonly (string | number)[]): string {
    return `${this.prefix}:${parts.join(':')}`;
  }

  async connect(): Promise<void> {
    await Promise.all([this.command.connect(), this.subscriber.connect()]);
  }

  /** Runs after every reconnect (not the first connect): the node rewrites what Redis lost. */
  onReconnect(listener: () => void): void {
    let first = true;
    this.command.on('ready', () => {
      if (first) first = false;
      else listener();
    });
  }

  onError(listener: (err: Error) => void): void {
    this.command.on('error', listener);
    this.subscriber.on('error', listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.command.quit(), this.subscriber.quit()]);
    this.command.disconnect();
    this.subscriber.disconnect();
  }
}
