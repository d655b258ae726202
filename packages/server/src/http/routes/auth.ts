import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Platform } from '@parley/protocol';
import { sessionOf, type ApiDeps } from '../context.js';
import { Id, Ok, authed } from '../schemas.js';

const Credentials = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    displayName: Type.Optional(Type.String({ maxLength: 64 })),
    deviceId: Type.Optional(Type.String({ pattern: '^[\\x21-\\x7e]{1,64}$' })),
    platform: Type.Optional(
      Type.Union([Type.Literal('web'), Type.Literal('bot')], {
        description: 'platform class of the issued token (default web)',
      }),
    ),
  },
  { additionalProperties: false },
);
type Credentials = Static<typeof Credentials>;

const TokenJson = Type.Object({ userId: Id, token: Type.String(), expiresAt: Type.Integer() });

/** POST /api/v1/auth/register, /login, /logout. */
export function authRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { auth } = deps.services;
  // Password guessing is limited per client address, separately from the general limit.
  const limit = {
    rateLimit: {
      max: deps.config.authRateLimit,
      timeWindow: 60_000,
      keyGenerator: (req: { ip: string }) => `auth:${req.ip}`,
    },
  };

  const login = async (body: Credentials) => {
    const result = await auth.login({
      credentials: { kind: 'password', username: body.username, password: body.password },
      deviceId: body.deviceId ?? '',
      platform: body.platform === 'bot' ? Platform.BOT : Platform.WEB,
    });
    return { userId: String(result.user.id), token: result.token, expiresAt: result.expiresAt };
  };

  app.post<{ Body: Credentials }>(
    '/api/v1/auth/register',
    {
      config: limit,
      schema: {
        tags: ['auth'],
        summary: 'Create an account and sign in',
        body: Credentials,
        response: { 201: TokenJson },
      },
    },
    async (req, reply) => {
      await auth.register(req.body.username, req.body.password, req.body.displayName ?? '');
      return reply.status(201).send(await login(req.body));
    },
  );

  app.post<{ Body: Credentials }>(
    '/api/v1/auth/login',
    {
      config: limit,
      schema: {
        tags: ['auth'],
        summary: 'Sign in; the token also works on the native protocol',
        body: Credentials,
        response: { 200: TokenJson },
      },
    },
    async (req) => login(req.body),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { auth: true },
      schema: authed({ tags: ['auth'], summary: 'Revoke this token', response: { 200: Ok } }),
    },
    async (req) => {
      await auth.logout(sessionOf(req).tokenHash);
      return { ok: true };
    },
  );
}
