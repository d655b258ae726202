import { Redis } from 'ioredis';

/** After Redis came back: how long to let queued publishes land before devices re-sync. */
const RESYNC_DELAY_MS = 250;

/**
 * The three Redis connections of a node: commands, publishing, and one in subscriber mode.
 * Commands issued while Redis is away wait in ioredis's queue for a few reconnect attempts, then
 * fail (callers treat that as background failure). Publishes wait for Redis to come back (the bus
 * bounds how many may wait), so pushes sent during an outage still arrive, in order.
 */
export class RedisConnection {
  readonly command: Redis;
  readonly publisher: Redis;
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
    this.publisher = new Redis(url, { ...options, maxRetriesPerRequest: null });
    this.subscriber = new Redis(url, options);
  }

  key(...parts: readonly (string | number)[]): string {
    return `${this.prefix}:${parts.join(':')}`;
  }

  async connect(): Promise<void> {
    await Promise.all([this.command.connect(), this.publisher.connect(), this.subscriber.connect()]);
  }

  /**
   * Runs after every reconnect of the subscriber (not the first connect), once it has subscribed
   * again: the node rewrites what Redis lost and tells its devices to sync. Register it after
   * `connect()`; a 'ready' seen later is always a reconnect (counting the first 'ready' here once
   * swallowed the first reconnect, so a node never re-synced after Redis's first restart).
   */
  onReconnect(listener: () => void): void {
    if (this.subscriber.status !== 'ready') throw new Error('onReconnect before connect()');
    this.subscriber.on('ready', () => {
      // ioredis re-subscribes right after 'ready'; publishes queued elsewhere drain meanwhile.
      setTimeout(listener, RESYNC_DELAY_MS).unref();
    });
  }

  onError(listener: (err: Error) => void): void {
    this.command.on('error', listener);
    this.publisher.on('error', listener);
    this.subscriber.on('error', listener);
  }

  async close(): Promise<void> {
    const all = [this.command, this.publisher, this.subscriber];
    await Promise.allSettled(all.map((c) => c.quit()));
    for (const c of all) c.disconnect();
  }
}
