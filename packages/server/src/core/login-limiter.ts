import type { RateCounter } from './rate-counter.js';

/**
 * Failed password logins per username: after `maxFailures` within `windowMs`, the name is locked
 * until the window has passed, whatever the password — every dialect logs in through AuthService,
 * so none of them is a way around it. The counts live in a RateCounter: this node's memory, or
 * Redis in cluster mode, so the limit holds across nodes.
 */
export class LoginLimiter {
  constructor(
    private readonly counter: RateCounter,
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  /** True when the name may try a password now. */
  async allows(username: string): Promise<boolean> {
    return (await this.counter.peek(keyOf(username), this.windowMs)) < this.maxFailures;
  }

  async failed(username: string): Promise<void> {
    await this.counter.hit(keyOf(username), this.windowMs);
  }

  async succeeded(username: string): Promise<void> {
    await this.counter.reset(keyOf(username));
  }
}

function keyOf(username: string): string {
  return `login:user:${username.toLowerCase()}`;
}
