import { RateLimitedError } from '@parley/protocol';
import type { RateCounter } from './rate-counter.js';

export interface RateLimitConfig {
  /** The window the message limits count in. */
  readonly messageWindowMs: number;
  /** Messages one connection may send per window; 0 = no limit. */
  readonly maxMessagesPerConnection: number;
  /** Messages one user may send per window, over all devices, dialects and the HTTP API; 0 = no limit. */
  readonly maxMessagesPerUser: number;
  /** The window failed logins are counted in (and how long an address stays refused). */
  readonly loginWindowMs: number;
  /** Failed logins from one address per window before its logins are refused; 0 = no limit. */
  readonly maxLoginFailuresPerAddress: number;
}

/** Who sends: a session's ids (a connection's session id is positive; HTTP requests' negative). */
export interface RateSubject {
  readonly sessionId: number;
  readonly userId: bigint;
}

/**
 * The message and login-address limits (docs/security.md). Per-user and per-address counts go
 * to the shared counter (Redis in a cluster, so they hold across nodes); per-connection counts
 * to this node's own, since a connection lives on one node. Exceeding any of them is
 * RATE_LIMITED, which every dialect reports its way (status byte, MSG_RES state, B103, ERR, 429).
 */
export class RateLimits {
  constructor(
    private readonly shared: RateCounter,
    private readonly local: RateCounter,
    private readonly config: RateLimitConfig,
  ) {}

  /** Counts one message (typing included) of `who`; throws RateLimitedError past a limit. */
  async message(who: RateSubject): Promise<void> {
    const { messageWindowMs: windowMs, maxMessagesPerConnection, maxMessagesPerUser } = this.config;
    const seconds = Math.round(windowMs / 1000);
    // An HTTP request is a session of its own (negative id): its limit is per token, in fastify.
    if (maxMessagesPerConnection > 0 && who.sessionId > 0) {
      const count = await this.local.hit(`msg:conn:${who.sessionId}`, windowMs);
      if (count > maxMessagesPerConnection) {
        throw new RateLimitedError(
          `too many messages on this connection: at most ${maxMessagesPerConnection} per ${seconds} s`,
        );
      }
    }
    if (maxMessagesPerUser > 0) {
      const count = await this.shared.hit(`msg:user:${who.userId}`, windowMs);
      if (count > maxMessagesPerUser) {
        throw new RateLimitedError(
          `too many messages from this user: at most ${maxMessagesPerUser} per ${seconds} s`,
        );
      }
    }
  }

  /** Throws RateLimitedError when `address` has failed too many logins lately. */
  async checkLoginAddress(address: string): Promise<void> {
    const max = this.config.maxLoginFailuresPerAddress;
    if (max === 0 || address === '') return;
    if ((await this.shared.peek(loginKey(address), this.config.loginWindowMs)) >= max) {
      throw new RateLimitedError('too many failed logins from this address; try again later');
    }
  }

  /** Counts a failed login (wrong password or unknown token) from `address`. */
  async loginFailed(address: string): Promise<void> {
    if (this.config.maxLoginFailuresPerAddress === 0 || address === '') return;
    await this.shared.hit(loginKey(address), this.config.loginWindowMs);
  }
}

function loginKey(address: string): string {
  return `login-fail:${address}`;
}
