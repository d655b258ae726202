import type { RateCounter } from '../../core/rate-counter.js';

interface Window {
  count: number;
  readonly endsAt: number;
}

/**
 * RateCounter in this process's memory: the embedded mode's counters, and every node's
 * per-connection counters (a connection lives on one node). Bounded: windows are kept in the
 * order they opened, expired ones are dropped from the front as new ones open, and past
 * `maxKeys` the oldest goes even if it has not expired (that key starts counting afresh, which
 * errs on the lenient side).
 */
export class MemoryRateCounter implements RateCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 1_000_000,
  ) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
  }

  /** How many keys have a window open (or expired and not yet dropped). */
  get size(): number {
    return this.windows.size;
  }

  hit(key: string, windowMs: number): Promise<number> {
    return Promise.resolve(this.hitNow(key, windowMs));
  }

  peek(key: string, windowMs: number): Promise<number> {
    return Promise.resolve(this.peekNow(key, windowMs));
  }

  reset(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  /** The synchronous form of `hit`. */
  hitNow(key: string, windowMs: number): number {
    const now = this.now();
    const current = this.windows.get(key);
    if (current !== undefined && now < current.endsAt) {
      current.count += 1;
      return current.count;
    }
    // A new window goes to the back, so the map stays ordered by when windows opened.
    this.windows.delete(key);
    this.dropExpired(now);
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done !== true) this.windows.delete(oldest.value);
    }
    this.windows.set(key, { count: 1, endsAt: now + windowMs });
    return 1;
  }

  /** The synchronous form of `peek`. */
  peekNow(key: string, _windowMs: number): number {
    const current = this.windows.get(key);
    return current !== undefined && this.now() < current.endsAt ? current.count : 0;
  }

  /** Drops a few expired windows from the front: amortised, no timer. */
  private dropExpired(now: number): void {
    let budget = 8;
    for (const [key, window] of this.windows) {
      if (budget-- === 0 || window.endsAt > now) return;
      this.windows.delete(key);
    }
  }
}
