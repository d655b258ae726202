import { createHash, randomBytes } from 'node:crypto';
import {
  AuthFailedError,
  RateLimitedError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  TokenExpiredError,
  TokenRevokedError,
  isPlatform,
} from '@parley/protocol';
import { LoginLimiter } from './login-limiter.js';
import type { RateCounter } from './rate-counter.js';
import { isDisplayText } from './text-rules.js';
import { hashPassword, verifyPassword, type PasswordCost } from './password.js';
import type { IdGenerator } from './snowflake.js';
import type { Store } from './store.js';
import { untilText } from './user-restrictions.js';
import type { TokenRecord, UserId, UserRecord } from './types.js';

export interface AuthConfig {
  readonly tokenTtlMs: number;
  readonly passwordCost: PasswordCost;
  /** Failed password logins per username within `loginWindowMs` before it is locked out. */
  readonly maxLoginFailures: number;
  readonly loginWindowMs: number;
  /** Where failed logins are counted (Redis in cluster mode, so the limit holds across nodes). */
  readonly failureCounter: RateCounter;
}

export type Credentials =
  | { readonly kind: 'password'; readonly username: string; readonly password: string }
  | { readonly kind: 'token'; readonly token: string };

export interface LoginInput {
  readonly credentials: Credentials;
  readonly deviceId: string;
  readonly platform: number;
}

export interface LoginResult {
  readonly user: UserRecord;
  readonly token: string;
  readonly tokenHash: string;
  readonly expiresAt: number;
  readonly deviceId: string;
  readonly platform: number;
}

const USERNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{1,31}$/;
const DEVICE_ID = /^[\x21-\x7e]{1,64}$/;
export const MIN_PASSWORD_LENGTH = 6;
export const MAX_PASSWORD_LENGTH = 256;

export function tokenHashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function validateUsername(username: string): void {
  if (!USERNAME.test(username)) {
    throw new BadRequestError(
      'username must be 2-32 characters: letters, digits, _ . - (not starting with . or -)',
    );
  }
}

/** Registration, login with password or token, logout (token revocation). */
export class AuthService {
  private dummyHash: Promise<string> | undefined;
  private readonly limiter: LoginLimiter;

  constructor(
    private readonly store: Store,
    private readonly ids: IdGenerator,
    private readonly config: AuthConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.limiter = new LoginLimiter(config.failureCounter, config.maxLoginFailures, config.loginWindowMs);
  }

  async register(username: string, password: string, displayName = ''): Promise<UserRecord> {
    validateUsername(username);
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      throw new BadRequestError(`password must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`);
    }
    if (displayName !== '' && !isDisplayText(displayName, 64)) {
      throw new BadRequestError('display name must be at most 64 characters, without control characters');
    }
    if (password.includes('\u0000')) throw new BadRequestError('password must not contain NUL');
    if ((await this.store.getUserByUsername(username)) !== undefined) {
      throw new ConflictError(`username ${username} is taken`);
    }
    const passwordHash = await hashPassword(password, this.config.passwordCost);
    return this.store.createUser({
      id: this.ids.next(),
      username,
      displayName: displayName === '' ? username : displayName,
      passwordHash,
      createdAt: this.now(),
    });
  }

  async login(input: LoginInput): Promise<LoginResult> {
    if (!isPlatform(input.platform)) throw new BadRequestError(`unknown platform ${input.platform}`);
    if (input.deviceId !== '' && !DEVICE_ID.test(input.deviceId)) {
      throw new BadRequestError('device id must be 1-64 printable ASCII characters');
    }
    const creds = input.credentials;
    switch (creds.kind) {
      case 'password':
        return this.loginWithPassword(creds.username, creds.password, input);
      case 'token':
        return this.loginWithToken(creds.token);
    }
  }

  async logout(tokenHash: string): Promise<void> {
    await this.store.revokeToken(tokenHash, this.now());
  }

  private async loginWithPassword(
    username: string,
    password: string,
    input: LoginInput,
  ): Promise<LoginResult> {
    if (username === '' || password.length > MAX_PASSWORD_LENGTH)
      throw new AuthFailedError('wrong username or password');
    if (!(await this.limiter.allows(username))) {
      throw new RateLimitedError('too many failed logins for this account; try again later');
    }
    const user = await this.store.getUserByUsername(username);
    // Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
    this.dummyHash ??= hashPassword('not a password', this.config.passwordCost);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash));
    if (user === undefined || !ok) {
      await this.limiter.failed(username);
      throw new AuthFailedError('wrong username or password');
    }
    await this.limiter.succeeded(username);
    this.#assertNotBanned(user);
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const deviceId = input.deviceId === '' ? `d-${randomBytes(6).toString('hex')}` : input.deviceId;
    const record: TokenRecord = {
      tokenHash: tokenHashOf(token),
      userId: user.id,
      deviceId,
      platform: input.platform,
      createdAt: now,
      expiresAt: now + this.config.tokenTtlMs,
      revokedAt: null,
    };
    await this.store.createToken(record);
    return {
      user,
      token,
      tokenHash: record.tokenHash,
      expiresAt: record.expiresAt,
      deviceId,
      platform: input.platform,
    };
  }

  /** A banned user gets no session: neither a new token nor the use of an old one (HTTP too). */
  #assertNotBanned(user: UserRecord): void {
    const reason = this.#banText(user);
    if (reason !== undefined) throw new ForbiddenError(reason);
  }

  /** Why the user may not have a session now (read afresh), or undefined. */
  async banned(userId: UserId): Promise<string | undefined> {
    const user = await this.store.getUserById(userId);
    return user === undefined ? undefined : this.#banText(user);
  }

  #banText(user: UserRecord): string | undefined {
    return user.bannedUntil > this.now()
      ? `this account is banned until ${untilText(user.bannedUntil)}`
      : undefined;
  }

  private async loginWithToken(token: string): Promise<LoginResult> {
    if (token === '' || token.length > 128) throw new AuthFailedError('unknown token');
    const tokenHash = tokenHashOf(token);
    const record = await this.store.getToken(tokenHash);
    if (record === undefined) throw new AuthFailedError('unknown token');
    if (record.revokedAt !== null) throw new TokenRevokedError('token was revoked; sign in again');
    if (record.expiresAt <= this.now()) throw new TokenExpiredError('token expired; sign in again');
    const user = await this.store.getUserById(record.userId);
    if (user === undefined) throw new AuthFailedError('unknown token');
    this.#assertNotBanned(user);
    // A token belongs to the device it was issued to: the platform class and device id stay.
    return {
      user,
      token,
      tokenHash,
      expiresAt: record.expiresAt,
      deviceId: record.deviceId,
      platform: record.platform,
    };
  }
}
