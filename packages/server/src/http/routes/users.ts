import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { BadRequestError } from '@parley/protocol';
import { parseUserId } from '../../core/conversation-id.js';
import { sessionOf, type ApiDeps } from '../context.js';
import { profileJson, userJson } from '../json.js';
import { authed } from '../schemas.js';

const ProfilePatch = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 64 })),
    avatarUrl: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);

const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 64 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  },
  { additionalProperties: false },
);

const IdsQuery = Type.Object(
  {
    ids: Type.String({
      pattern: '^[0-9]+(,[0-9]+)*$',
      maxLength: 4200,
      description: 'comma-separated user ids',
    }),
  },
  { additionalProperties: false },
);

/** Me/profile and other users. */
export function userRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { users } = deps.services;
  const config = { auth: true };

  app.get(
    '/api/v1/me',
    { config, schema: authed({ tags: ['users'], summary: 'My profile' }) },
    async (req) => {
      const session = sessionOf(req);
      const me = await users.me(session);
      return { ...userJson(me), deviceId: session.deviceId };
    },
  );

  app.patch<{ Body: Static<typeof ProfilePatch> }>(
    '/api/v1/me',
    {
      config,
      schema: authed({ tags: ['users'], summary: 'Update my display name / avatar', body: ProfilePatch }),
    },
    async (req) => userJson(await users.updateProfile(sessionOf(req), req.body)),
  );

  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/api/v1/users/search',
    {
      config,
      schema: authed({ tags: ['users'], summary: 'Search users by name', querystring: SearchQuery }),
    },
    async (req) => ({ users: (await users.search(req.query.q, req.query.limit ?? 20)).map(userJson) }),
  );

  app.get<{ Querystring: Static<typeof IdsQuery> }>(
    '/api/v1/users',
    {
      config,
      schema: authed({
        tags: ['users'],
        summary: 'Public profiles (with presence) by ids',
        querystring: IdsQuery,
      }),
    },
    async (req) => {
      const ids = req.query.ids.split(',');
      if (ids.length > 200) throw new BadRequestError('at most 200 ids');
      const profiles = await users.profiles(sessionOf(req), ids.map(parseUserId));
      return { users: profiles.map(profileJson) };
    },
  );
}
