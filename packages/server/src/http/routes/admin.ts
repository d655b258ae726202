import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { RestrictionTerm } from '../../core/admin-service.js';
import { parseUserId } from '../../core/conversation-id.js';
import { PERMANENT } from '../../core/user-restrictions.js';
import type { UserRecord } from '../../core/types.js';
import { ForbiddenError } from '@parley/protocol';
import { adminGuard, adminNames, sessionOf, type ApiDeps } from '../context.js';
import { Id, authed } from '../schemas.js';

const UserParams = Type.Object({ userId: Id }, { additionalProperties: false });
const TermBody = Type.Object(
  {
    until: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: PERMANENT,
        description: 'milliseconds since the epoch; omitted: until lifted',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A time as the API shows it: null when there is none, "permanent" when it has no end. */
function termJson(at: number): number | 'permanent' | null {
  return at === 0 ? null : at >= PERMANENT ? 'permanent' : at;
}

function restrictionJson(user: UserRecord, now: number) {
  return {
    userId: String(user.id),
    username: user.username,
    bannedUntil: termJson(user.bannedUntil > now ? user.bannedUntil : 0),
    mutedUntil: termJson(user.mutedUntil > now ? user.mutedUntil : 0),
  };
}

function termOf(body: Static<typeof TermBody> | undefined): RestrictionTerm {
  return body?.until === undefined ? { permanent: true } : { until: body.until };
}

/** The server's admins (PARLEY_ADMIN_USERS): ban, mute, totals (DESIGN §8). */
export function adminRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { admin, sessions } = deps.services;
  const requireAdmin = adminGuard(deps.config);
  const admins = adminNames(deps.config);
  // An admin locking out admins (or itself) would leave nobody to undo it.
  const notAnAdmin = async (id: bigint) => {
    const user = await deps.store.getUserById(id);
    if (user !== undefined && admins.has(user.username.toLowerCase())) {
      throw new ForbiddenError('admins cannot be banned or muted; remove them from PARLEY_ADMIN_USERS first');
    }
  };
  const config = { auth: true };
  const tags = ['admin'];
  const started = Date.now();

  const restriction = (
    action: string,
    summary: string,
    run: (id: bigint, term: RestrictionTerm) => Promise<UserRecord>,
  ) => {
    app.post<{ Params: Static<typeof UserParams>; Body: Static<typeof TermBody> | undefined }>(
      `/api/v1/admin/users/:userId/${action}`,
      { config, schema: authed({ tags, summary, params: UserParams, body: TermBody }) },
      async (req) => {
        requireAdmin(sessionOf(req));
        const id = parseUserId(req.params.userId);
        await notAnAdmin(id);
        return restrictionJson(await run(id, termOf(req.body)), Date.now());
      },
    );
  };
  const lift = (action: string, summary: string, run: (id: bigint) => Promise<UserRecord>) => {
    app.delete<{ Params: Static<typeof UserParams> }>(
      `/api/v1/admin/users/:userId/${action}`,
      { config, schema: authed({ tags, summary, params: UserParams }) },
      async (req) => {
        requireAdmin(sessionOf(req));
        return restrictionJson(await run(parseUserId(req.params.userId)), Date.now());
      },
    );
  };

  restriction(
    'ban',
    'Ban a user until a time (or until lifted): no login, every session kicked on every node',
    (id, term) => admin.ban(id, term),
  );
  lift('ban', 'Lift a ban', (id) => admin.unban(id));
  restriction('mute', 'Mute a user until a time (or until lifted): no sends anywhere', (id, term) =>
    admin.mute(id, term),
  );
  lift('mute', 'Lift a mute', (id) => admin.unmute(id));

  app.get(
    '/api/v1/admin/stats',
    { config, schema: authed({ tags, summary: 'Store totals and this node’s connections' }) },
    async (req) => {
      requireAdmin(sessionOf(req));
      const totals = await admin.totals();
      const nodes = await deps.nodes.live();
      return {
        users: totals.users,
        conversations: totals.conversations,
        messages: totals.messages,
        node: {
          connections: Object.fromEntries(deps.metrics.connections()),
          sessions: sessions.size,
          uptimeSeconds: Math.floor((Date.now() - started) / 1000),
        },
        nodes: nodes.map((n) => ({ name: n.name, connections: n.load, startedAt: n.startedAt })),
      };
    },
  );
}
