import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { parseUserId, roomConversationId } from '../../core/conversation-id.js';
import { sessionOf, type ApiDeps } from '../context.js';
import { memberJson, roomJson, stateJson } from '../json.js';
import { Id, Ok, authed } from '../schemas.js';

const RoomParams = Type.Object(
  { name: Type.String({ pattern: '^#?[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$' }) },
  { additionalProperties: false },
);
type RoomParams = Static<typeof RoomParams>;
const ListQuery = Type.Object(
  {
    after: Type.Optional(Type.String({ maxLength: 65 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  { additionalProperties: false },
);
const MembersQuery = Type.Object(
  { after: Type.Optional(Id), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })) },
  { additionalProperties: false },
);

/** Chatrooms: open rooms anyone may list, join and leave. */
export function chatroomRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { chatrooms, groups } = deps.services;
  const config = { auth: true };
  const tags = ['chatrooms'];

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/chatrooms',
    { config, schema: authed({ tags, summary: 'Rooms by name, paged', querystring: ListQuery }) },
    async (req) => {
      const page = await chatrooms.list(req.query.after ?? '', req.query.limit ?? 0);
      return { chatrooms: page.rooms.map(roomJson), hasMore: page.hasMore };
    },
  );

  app.post<{ Params: RoomParams }>(
    '/api/v1/chatrooms/:name/join',
    { config, schema: authed({ tags, summary: 'Join (creating a missing room)', params: RoomParams }) },
    async (req) => {
      const session = sessionOf(req);
      const { room, state } = await chatrooms.join(session, req.params.name);
      return { chatroom: roomJson(room), state: stateJson(session.userId, state) };
    },
  );

  app.post<{ Params: RoomParams }>(
    '/api/v1/chatrooms/:name/leave',
    { config, schema: authed({ tags, summary: 'Leave a room', params: RoomParams, response: { 200: Ok } }) },
    async (req) => {
      await chatrooms.leave(sessionOf(req), req.params.name);
      return { ok: true };
    },
  );

  app.get<{ Params: RoomParams; Querystring: Static<typeof MembersQuery> }>(
    '/api/v1/chatrooms/:name/members',
    {
      config,
      schema: authed({
        tags,
        summary: 'Members (members only), paged',
        params: RoomParams,
        querystring: MembersQuery,
      }),
    },
    async (req) => {
      const page = await groups.listMembers(
        sessionOf(req),
        roomConversationId(req.params.name),
        req.query.after === undefined ? 0n : parseUserId(req.query.after),
        req.query.limit ?? 0,
      );
      return { members: page.members.map(memberJson), hasMore: page.hasMore };
    },
  );
}
