import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ConfigError } from '../../config.js';
import type { ApiDeps } from '../context.js';
import { authed } from '../schemas.js';

const IceServer = Type.Object({
  urls: Type.Union([Type.String(), Type.Array(Type.String())]),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});

/** The ICE servers WebRTC clients use for calls (PARLEY_ICE_SERVERS; none = same network only). */
export function callRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const iceServers = parseIceServers(deps.config.iceServers);
  app.get(
    '/api/v1/calls/ice-servers',
    {
      config: { auth: true },
      schema: authed({
        tags: ['calls'],
        summary: 'ICE (STUN/TURN) servers for WebRTC calls',
        response: { 200: Type.Object({ iceServers: Type.Array(IceServer) }) },
      }),
    },
    () => ({ iceServers }),
  );
}

/** Checked at start: a bad PARLEY_ICE_SERVERS stops the server rather than breaking calls later. */
export function parseIceServers(json: string | undefined): unknown[] {
  if (json === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError('PARLEY_ICE_SERVERS must be a JSON array of {urls, username?, credential?}');
  }
  if (!Array.isArray(value) || !value.every(isIceServer)) {
    throw new ConfigError('PARLEY_ICE_SERVERS must be a JSON array of {urls, username?, credential?}');
  }
  return value;
}

function isIceServer(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || !('urls' in value)) return false;
  const urls: unknown = value.urls;
  return typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string'));
}
