/**
 * Fixed-window event counters, the port behind every rate limit of the gateway and core (DESIGN
 * §7: the cluster keeps them in Redis; the embedded mode in memory, `MemoryRateCounter`). A key's
 * window opens at its first hit and lasts `windowMs`; the next hit after it opens a new one.
 *
 * The port is async so a shared store (Redis: INCR, then PEXPIRE when the count is 1) fits it;
 * the in-memory implementation answers at once with resolved promises. Callers compare the count
 * with their limit themselves, so one counter serves limits of any size.
 */
export interface RateCounter {
  /** Counts one event under `key`; resolves with the count in the current window, this one included. */
  hit(key: string, windowMs: number): Promise<number>;
  /** The count in the current window without adding to it (0 when the window has passed or never opened). */
  peek(key: string, windowMs: number): Promise<number>;
  /** Forgets the key's window (a successful login clears its failures). */
  reset(key: string): Promise<void>;
}
