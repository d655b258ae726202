import type { FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, Platform, UnauthenticatedError } from '@parley/protocol';
import type { CoreServices } from '../gateway/dispatcher.js';
import type { Store } from '../core/store.js';
import type { NodeInfo } from '../core/cluster.js';
import type { MediaLibrary } from './media/media-library.js';
import type { Metrics } from './metrics.js';
import type { ServerKeyring } from '../gateway/native/server-keyring.js';
import { HttpSession } from './session.js';

export interface ApiConfig {
  /** Largest upload, in bytes. */
  readonly mediaMaxBytes: number;
  /** Requests per minute per token (or IP). */
  readonly rateLimit: number;
  /** Register/login requests per minute per IP. */
  readonly authRateLimit: number;
  /** Largest JSON body, in bytes. */
  readonly bodyLimit: number;
  /** Comma-separated usernames allowed to use /api/v1/admin. */
  readonly adminUsers?: string | undefined;
  /** PARLEY_ICE_SERVERS: a JSON RTCIceServer[] for web calls. */
  readonly iceServers?: string | undefined;
}

/** What every route module gets. */
export interface ApiDeps {
  readonly services: CoreServices;
  readonly store: Store;
  readonly media: MediaLibrary;
  readonly metrics: Metrics;
  readonly config: ApiConfig;
  /** The cluster's live nodes (the embedded mode: this one), for GET /api/v1/gateway. */
  readonly nodes: { live(): Promise<NodeInfo[]> };
  /** The server's RSA key (GET /api/v1/keys/server); absent: the encryption flags are off. */
  readonly serverKeys?: ServerKeyring;
}

declare module 'fastify' {
  interface FastifyRequest {
    parleySession: HttpSession | null;
  }
  interface FastifyContextConfig {
    /** The route needs `Authorization: Bearer <token>`. */
    auth?: boolean;
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,128})$/;

export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/** onRequest hook of authenticated routes: resolves the token to an HttpSession (never attached). */
export function authenticator(services: CoreServices) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = bearerToken(req);
    if (token === undefined) throw new UnauthenticatedError('send Authorization: Bearer <token>');
    // deviceId and platform are ignored for a token login: the token keeps its own.
    const login = await services.auth.login({
      credentials: { kind: 'token', token },
      deviceId: '',
      platform: Platform.BOT,
    });
    req.parleySession = new HttpSession(login);
  };
}

/** PARLEY_ADMIN_USERS, lower-cased. */
export function adminNames(config: ApiConfig): ReadonlySet<string> {
  return new Set(
    (config.adminUsers ?? '')
      .split(',')
      .map((u) => u.trim().toLowerCase())
      .filter((u) => u !== ''),
  );
}

/** Throws ForbiddenError unless the session's user is one of PARLEY_ADMIN_USERS (any case). */
export function adminGuard(config: ApiConfig): (session: HttpSession) => void {
  const admins = adminNames(config);
  return (session) => {
    if (!admins.has(session.username.toLowerCase())) throw new ForbiddenError('admins only');
  };
}

export function sessionOf(req: FastifyRequest): HttpSession {
  if (req.parleySession === null) throw new UnauthenticatedError('log in first');
  return req.parleySession;
}
