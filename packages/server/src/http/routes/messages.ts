import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { BadRequestError, ContentType } from '@parley/protocol';
import { PullDirection } from '../../core/types.js';
import { sessionOf, type ApiDeps } from '../context.js';
import { contentFromJson, messageJson, refOf } from '../json.js';
import { ContentJson, ConversationParams, Id, authed } from '../schemas.js';

type ConvParams = Static<typeof ConversationParams>;

const HistoryQuery = Type.Object(
  {
    fromSeq: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'forward: from this seq up; backward: from this seq down (0 = newest)',
      }),
    ),
    direction: Type.Optional(Type.Union([Type.Literal('forward'), Type.Literal('backward')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  { additionalProperties: false },
);

const SendBody = Type.Object(
  {
    clientMsgId: Type.String({ pattern: '^[\\x21-\\x7e]{1,64}$', description: 'idempotency key per sender' }),
    content: ContentJson,
  },
  { additionalProperties: false },
);

const SeqParams = Type.Object(
  { ...ConversationParams.properties, seq: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
type SeqParams = Static<typeof SeqParams>;

const RecallBody = Type.Object({ messageId: Type.Optional(Id) }, { additionalProperties: false });

const EditBody = Type.Object({ content: ContentJson }, { additionalProperties: false });

const ReadBody = Type.Object({ seq: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

const ReadCountsQuery = Type.Object(
  {
    seqs: Type.String({
      pattern: '^[0-9]+(,[0-9]+)*$',
      maxLength: 2400,
      description: 'comma-separated seqs',
    }),
  },
  { additionalProperties: false },
);

const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    beforeId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

/** History, send, read, read counts, recall, edit and search. */
export function messageRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { messages, changes, conversations } = deps.services;
  const config = { auth: true };
  const tags = ['messages'];

  app.get<{ Params: ConvParams; Querystring: Static<typeof HistoryQuery> }>(
    '/api/v1/conversations/:type/:target/messages',
    {
      config,
      schema: authed({
        tags,
        summary: 'History, paged by seq in either direction',
        params: ConversationParams,
        querystring: HistoryQuery,
      }),
    },
    async (req) => {
      const session = sessionOf(req);
      const out = await messages.pull(session, {
        conversation: refOf(req.params.type, req.params.target),
        fromSeq: req.query.fromSeq ?? (req.query.direction === 'forward' ? 1 : 0),
        limit: req.query.limit ?? 50,
        direction: req.query.direction === 'forward' ? PullDirection.FORWARD : PullDirection.BACKWARD,
      });
      return {
        messages: out.messages.map((m) => messageJson(session.userId, m)),
        hasMore: out.hasMore,
        maxSeq: out.maxSeq,
      };
    },
  );

  app.post<{ Params: ConvParams; Body: Static<typeof SendBody> }>(
    '/api/v1/conversations/:type/:target/messages',
    {
      config,
      schema: authed({
        tags,
        summary: 'Send a message (any content type); clientMsgId makes retries safe',
        params: ConversationParams,
        body: SendBody,
      }),
    },
    async (req) => {
      const session = sessionOf(req);
      const content = contentFromJson(req.body.content);
      const { result } = await messages.send(session, {
        conversation: refOf(req.params.type, req.params.target),
        clientMsgId: req.body.clientMsgId,
        content,
      });
      if (result === undefined) return { stored: false };
      return {
        stored: true,
        duplicate: result.duplicate,
        message: messageJson(session.userId, result.message),
      };
    },
  );

  app.post<{ Params: ConvParams; Body: Static<typeof ReadBody> }>(
    '/api/v1/conversations/:type/:target/read',
    {
      config,
      schema: authed({
        tags,
        summary: 'Move my read cursor forward',
        params: ConversationParams,
        body: ReadBody,
      }),
    },
    async (req) => messages.markRead(sessionOf(req), refOf(req.params.type, req.params.target), req.body.seq),
  );

  app.get<{ Params: ConvParams; Querystring: Static<typeof ReadCountsQuery> }>(
    '/api/v1/conversations/:type/:target/read-counts',
    {
      config,
      schema: authed({
        tags,
        summary: 'How many other members read each seq',
        params: ConversationParams,
        querystring: ReadCountsQuery,
      }),
    },
    async (req) => {
      const seqs = req.query.seqs.split(',').map(Number);
      if (seqs.some((s) => !Number.isSafeInteger(s))) throw new BadRequestError('bad seq');
      const counts = await messages.readCounts(
        sessionOf(req),
        refOf(req.params.type, req.params.target),
        seqs,
      );
      return { counts: seqs.map((seq, i) => ({ seq, readers: counts[i] ?? 0 })) };
    },
  );

  app.post<{ Params: SeqParams; Body: Static<typeof RecallBody> }>(
    '/api/v1/conversations/:type/:target/messages/:seq/recall',
    {
      config,
      schema: authed({
        tags,
        summary: 'Recall a message (sender in the window; group owner/admin)',
        params: SeqParams,
        body: RecallBody,
      }),
    },
    async (req) =>
      changes.recall(
        sessionOf(req),
        refOf(req.params.type, req.params.target),
        req.params.seq,
        req.body.messageId === undefined ? 0n : BigInt(req.body.messageId),
      ),
  );

  app.patch<{ Params: SeqParams; Body: Static<typeof EditBody> }>(
    '/api/v1/conversations/:type/:target/messages/:seq',
    {
      config,
      schema: authed({
        tags,
        summary: 'Edit a text message (sender, within the window)',
        params: SeqParams,
        body: EditBody,
      }),
    },
    async (req) => {
      const content = contentFromJson(req.body.content);
      if (content.contentType !== ContentType.TEXT) throw new BadRequestError('only text can be edited');
      return changes.edit(sessionOf(req), refOf(req.params.type, req.params.target), req.params.seq, content);
    },
  );

  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/api/v1/messages/search',
    {
      config,
      schema: authed({
        tags,
        summary: 'Full-text search in my conversations, newest first',
        querystring: SearchQuery,
      }),
    },
    async (req) => {
      const session = sessionOf(req);
      const found = await conversations.search(
        session,
        req.query.q,
        req.query.limit ?? 20,
        req.query.beforeId === undefined ? 0n : BigInt(req.query.beforeId),
      );
      return { messages: found.map((m) => messageJson(session.userId, m)) };
    },
  );
}
