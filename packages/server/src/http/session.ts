import type { LoginResult } from '../core/auth-service.js';
import type { DeviceSession, KickInfo, PushEvent } from '../core/session.js';
import type { UserId } from '../core/types.js';

/** Negative, so an HTTP session id never equals a connection's (positive) session id. */
let nextSessionId = -1;

/**
 * The DeviceSession of one HTTP request. It is built from the bearer token (the same login token
 * the native protocol uses, resolved by the auth service's token login) and lives only for that
 * request: it is never attached to the SessionRegistry, so it is not "online", receives no pushes
 * (`deliver` drops them: an HTTP client polls history, or opens /ws for pushes), and can neither
 * replace nor be replaced by a device (`kick` is a no-op). Core services authorize it like any
 * session: the sender of a message is always the token's user, with the token's device id and
 * platform class (WEB or BOT for tokens issued by POST /api/v1/auth/login).
 */
export class HttpSession implements DeviceSession {
  readonly sessionId = nextSessionId--;
  readonly userId: UserId;
  readonly username: string;
  readonly deviceId: string;
  readonly platform: number;
  readonly tokenHash: string;

  constructor(login: LoginResult) {
    this.userId = login.user.id;
    this.username = login.user.username;
    this.deviceId = login.deviceId;
    this.platform = login.platform;
    this.tokenHash = login.tokenHash;
  }

  deliver(_event: PushEvent): void {
    // Nothing to push to: the request/response is all an HTTP session has.
  }

  kick(_info: KickInfo): void {
    // Never attached, so never replaced; a revoked token fails the next request instead.
  }
}
