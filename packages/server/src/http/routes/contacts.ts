import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { parseUserId } from '../../core/conversation-id.js';
import { sessionOf, type ApiDeps } from '../context.js';
import { CONTACT_STATES, contactJson } from '../json.js';
import { Id, Ok, authed } from '../schemas.js';

const PeerParams = Type.Object({ userId: Id }, { additionalProperties: false });
type PeerParams = Static<typeof PeerParams>;

const RequestBody = Type.Object(
  { userId: Id, note: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union([Type.Literal('requested'), Type.Literal('pending'), Type.Literal('friends')]),
    ),
  },
  { additionalProperties: false },
);

/** Contacts (friend requests, friends) and blocks. */
export function contactRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { contacts } = deps.services;
  const config = { auth: true };
  const tags = ['contacts'];

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/contacts',
    {
      config,
      schema: authed({ tags, summary: 'My contacts, optionally of one state', querystring: ListQuery }),
    },
    async (req) => {
      const states = req.query.state === undefined ? [] : [CONTACT_STATES[req.query.state] ?? 0];
      return { contacts: (await contacts.list(sessionOf(req), states)).map(contactJson) };
    },
  );

  app.post<{ Body: Static<typeof RequestBody> }>(
    '/api/v1/contacts/requests',
    {
      config,
      schema: authed({
        tags,
        summary: 'Send a friend request (accepts theirs if pending)',
        body: RequestBody,
      }),
    },
    async (req) =>
      contactJson(await contacts.request(sessionOf(req), parseUserId(req.body.userId), req.body.note ?? '')),
  );

  app.post<{ Params: PeerParams }>(
    '/api/v1/contacts/:userId/accept',
    { config, schema: authed({ tags, summary: 'Accept a pending request', params: PeerParams }) },
    async (req) => contactJson(await contacts.accept(sessionOf(req), parseUserId(req.params.userId))),
  );

  app.post<{ Params: PeerParams }>(
    '/api/v1/contacts/:userId/decline',
    {
      config,
      schema: authed({
        tags,
        summary: 'Decline a pending request',
        params: PeerParams,
        response: { 200: Ok },
      }),
    },
    async (req) => {
      await contacts.decline(sessionOf(req), parseUserId(req.params.userId));
      return { ok: true };
    },
  );

  app.delete<{ Params: PeerParams }>(
    '/api/v1/contacts/:userId',
    {
      config,
      schema: authed({
        tags,
        summary: 'Remove a contact or cancel a request',
        params: PeerParams,
        response: { 200: Ok },
      }),
    },
    async (req) => {
      await contacts.remove(sessionOf(req), parseUserId(req.params.userId));
      return { ok: true };
    },
  );

  app.get('/api/v1/blocks', { config, schema: authed({ tags, summary: 'Users I block' }) }, async (req) => ({
    userIds: (await contacts.listBlocked(sessionOf(req))).map(String),
  }));

  app.put<{ Params: PeerParams }>(
    '/api/v1/blocks/:userId',
    { config, schema: authed({ tags, summary: 'Block a user', params: PeerParams, response: { 200: Ok } }) },
    async (req) => {
      await contacts.block(sessionOf(req), parseUserId(req.params.userId));
      return { ok: true };
    },
  );

  app.delete<{ Params: PeerParams }>(
    '/api/v1/blocks/:userId',
    {
      config,
      schema: authed({ tags, summary: 'Unblock a user', params: PeerParams, response: { 200: Ok } }),
    },
    async (req) => {
      await contacts.unblock(sessionOf(req), parseUserId(req.params.userId));
      return { ok: true };
    },
  );
}
