import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { sessionOf, type ApiDeps } from '../context.js';
import { conversationEntryJson, refOf } from '../json.js';
import { ConversationParams, Ok, authed } from '../schemas.js';

const ListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  { additionalProperties: false },
);

const SettingsBody = Type.Object(
  {
    pinned: Type.Optional(Type.Boolean()),
    muted: Type.Optional(Type.Boolean()),
    hide: Type.Optional(Type.Boolean({ description: 'hide until the next message ("delete for me")' })),
  },
  { additionalProperties: false },
);

/** The conversation list and one's own per-conversation settings. */
export function conversationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { conversations } = deps.services;
  const config = { auth: true };
  const tags = ['conversations'];

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/conversations',
    {
      config,
      schema: authed({
        tags,
        summary: 'My conversations, pinned first, newest first',
        querystring: ListQuery,
      }),
    },
    async (req) => {
      const session = sessionOf(req);
      const { entries, totalUnread } = await conversations.list(session, req.query.limit ?? 100);
      return { conversations: entries.map((e) => conversationEntryJson(session.userId, e)), totalUnread };
    },
  );

  app.patch<{ Params: Static<typeof ConversationParams>; Body: Static<typeof SettingsBody> }>(
    '/api/v1/conversations/:type/:target/settings',
    {
      config,
      schema: authed({
        tags,
        summary: 'Pin, mute or hide a conversation for me',
        params: ConversationParams,
        body: SettingsBody,
        response: { 200: Ok },
      }),
    },
    async (req) => {
      await conversations.settings(sessionOf(req), refOf(req.params.type, req.params.target), {
        pinned: req.body.pinned,
        muted: req.body.muted,
        hide: req.body.hide ?? false,
      });
      return { ok: true };
    },
  );
}
