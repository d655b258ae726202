/**
 * Failed password logins per username: after `maxFailures` within `windowMs`, the name is locked
 * until the window has passed, whatever the password — every dialect logs in through AuthService,
 * so none of them is a way around it. Bounded: past `maxEntries` tracked names the oldest go.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 100_000,
  ) {}

  /** True when the name may try a password now. */
  allows(username: string): boolean {
    const entry = this.current(username.toLowerCase());
    return entry === undefined || entry.count < this.maxFailures;
  }

  failed(username: string): void {
    const key = username.toLowerCase();
    const entry = this.current(key);
    if (entry !== undefined) {
      entry.count += 1;
      return;
    }
    if (this.failures.size >= this.maxEntries) {
      const oldest = this.failures.keys().next();
      if (oldest.done !== true) this.failures.delete(oldest.value);
    }
    this.failures.set(key, { count: 1, since: this.now() });
  }

  succeeded(username: string): void {
    this.failures.delete(username.toLowerCase());
  }

  private current(key: string): { count: number; since: number } | undefined {
    const entry = this.failures.get(key);
    if (entry !== undefined && this.now() - entry.since >= this.windowMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }
}
