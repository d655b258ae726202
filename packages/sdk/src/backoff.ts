export interface BackoffOptions {
  /** First delay (ms). */
  readonly initialDelayMs: number;
  /** Ceiling (ms). */
  readonly maxDelayMs: number;
  readonly factor: number;
  /**
   * Share of each delay that is random, 0-1. With 0.5 a delay lands in [d/2, d]: clients that
   * lost the same server do not all come back in the same millisecond.
   */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0.5,
};

/** The delay before reconnect attempt `attempt` (0-based). */
export function backoffDelay(
  options: BackoffOptions,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** Math.min(attempt, 30));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(base * (1 - jitter) + base * jitter * random());
}

/** A random client message id (the outbox's dedup key): UUID v4 where available. */
export function randomId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c !== undefined && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c !== undefined) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
