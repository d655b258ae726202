import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { parseUserId } from '../../core/conversation-id.js';
import type { RedPacketView } from '../../core/red-packet-service.js';
import { adminGuard, sessionOf, type ApiDeps } from '../context.js';
import { messageJson, refOf } from '../json.js';
import { ConversationParams, Id, authed } from '../schemas.js';

const RedPacketBody = Type.Object(
  {
    clientMsgId: Type.String({ pattern: '^[\\x21-\\x7e]{1,64}$', description: 'idempotency key per sender' }),
    total: Type.Integer({ minimum: 1, description: 'in the smallest unit (cents)' }),
    count: Type.Integer({ minimum: 1, maximum: 1000, description: 'shares (1 in a direct chat)' }),
    mode: Type.Optional(Type.Union([Type.Literal('random'), Type.Literal('even')])),
    greeting: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

const PacketParams = Type.Object({ packetId: Id }, { additionalProperties: false });
const UserParams = Type.Object({ userId: Id }, { additionalProperties: false });
const WalletQuery = Type.Object(
  { beforeId: Type.Optional(Id), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
  { additionalProperties: false },
);
const CreditBody = Type.Object(
  { amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
  { additionalProperties: false },
);

function packetJson(view: RedPacketView) {
  const { packet } = view;
  return {
    packetId: String(packet.id),
    senderId: String(packet.senderId),
    total: packet.total,
    count: packet.count,
    mode: packet.mode,
    greeting: packet.greeting,
    state: packet.state,
    remainingAmount: packet.remainingAmount,
    remainingCount: packet.remainingCount,
    expiresAt: packet.expiresAt,
    claims: view.claims.map((c) => ({ userId: String(c.userId), amount: c.amount, claimedAt: c.claimedAt })),
    amount: view.amount,
    claimed: view.claimed,
    balance: view.balance,
  };
}

/** Red packets, the caller's wallet, and the admin credit (issue 11). */
export function walletRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { redPackets } = deps.services;
  const config = { auth: true };
  const tags = ['wallet'];
  const requireAdmin = adminGuard(deps.config);

  app.post<{ Params: Static<typeof ConversationParams>; Body: Static<typeof RedPacketBody> }>(
    '/api/v1/conversations/:type/:target/red-packets',
    {
      config,
      schema: authed({
        tags,
        summary: 'Send a red packet (debits my balance); clientMsgId makes retries safe',
        params: ConversationParams,
        body: RedPacketBody,
      }),
    },
    async (req) => {
      const session = sessionOf(req);
      const { result } = await redPackets.send(session, {
        conversation: refOf(req.params.type, req.params.target),
        clientMsgId: req.body.clientMsgId,
        total: req.body.total,
        count: req.body.count,
        mode: req.body.mode ?? 'random',
        greeting: req.body.greeting ?? '',
      });
      if (result === undefined) throw new Error('a red packet is always stored');
      return { duplicate: result.duplicate, message: messageJson(session.userId, result.message) };
    },
  );

  app.post<{ Params: Static<typeof PacketParams> }>(
    '/api/v1/red-packets/:packetId/claim',
    { config, schema: authed({ tags, summary: 'Claim my share (once)', params: PacketParams }) },
    async (req) => packetJson(await redPackets.claim(sessionOf(req), BigInt(req.params.packetId))),
  );

  app.get<{ Params: Static<typeof PacketParams> }>(
    '/api/v1/red-packets/:packetId',
    { config, schema: authed({ tags, summary: 'A red packet and its claims', params: PacketParams }) },
    async (req) => packetJson(await redPackets.info(sessionOf(req), BigInt(req.params.packetId))),
  );

  app.get<{ Querystring: Static<typeof WalletQuery> }>(
    '/api/v1/wallet',
    {
      config,
      schema: authed({ tags, summary: 'My balance and ledger, newest first', querystring: WalletQuery }),
    },
    async (req) => {
      const session = sessionOf(req);
      const wallet = await redPackets.wallet(
        session.userId,
        BigInt(req.query.beforeId ?? 0),
        req.query.limit ?? 50,
      );
      return {
        balance: wallet.balance,
        entries: wallet.entries.map((e) => ({
          id: String(e.id),
          delta: e.delta,
          balanceAfter: e.balanceAfter,
          kind: e.kind,
          refId: String(e.refId),
          createdAt: e.createdAt,
        })),
      };
    },
  );

  app.post<{ Params: Static<typeof UserParams>; Body: Static<typeof CreditBody> }>(
    '/api/v1/admin/wallets/:userId/credit',
    {
      config,
      schema: authed({
        tags: ['admin'],
        summary: 'Credit a balance (admins: PARLEY_ADMIN_USERS)',
        params: UserParams,
        body: CreditBody,
      }),
    },
    async (req) => {
      requireAdmin(sessionOf(req));
      const balance = await redPackets.credit(parseUserId(req.params.userId), req.body.amount);
      return { balance };
    },
  );
}
