import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { groupConversationId, parseUserId } from '../../core/conversation-id.js';
import { MemberRole } from '../../core/types.js';
import { sessionOf, type ApiDeps } from '../context.js';
import { groupJson, memberJson } from '../json.js';
import { Id, Ok, authed } from '../schemas.js';

const GroupParams = Type.Object({ groupId: Id }, { additionalProperties: false });
type GroupParams = Static<typeof GroupParams>;
const MemberParams = Type.Object({ groupId: Id, userId: Id }, { additionalProperties: false });
type MemberParams = Static<typeof MemberParams>;

const Profile = {
  name: Type.Optional(Type.String({ maxLength: 64 })),
  avatarUrl: Type.Optional(Type.String({ maxLength: 2048 })),
  notice: Type.Optional(Type.String({ maxLength: 2000 })),
  muteAll: Type.Optional(Type.Boolean({ description: 'only the owner and admins may send' })),
};
const CreateBody = Type.Object(
  { ...Profile, memberIds: Type.Optional(Type.Array(Id, { maxItems: 10000 })) },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(Profile, { additionalProperties: false });
const UserIdsBody = Type.Object(
  { userIds: Type.Array(Id, { minItems: 1, maxItems: 10000 }) },
  { additionalProperties: false },
);
const TransferBody = Type.Object({ userId: Id }, { additionalProperties: false });
const RoleBody = Type.Object(
  { role: Type.Union([Type.Literal('member'), Type.Literal('admin')]) },
  { additionalProperties: false },
);
const MuteBody = Type.Object(
  { mutedUntil: Type.Integer({ minimum: 0, description: 'epoch ms; 0 unmutes' }) },
  { additionalProperties: false },
);
const MembersQuery = Type.Object(
  { after: Type.Optional(Id), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })) },
  { additionalProperties: false },
);

/** Groups: create, info, update, members, leave, transfer, dismiss, roles, mutes. */
export function groupRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { groups } = deps.services;
  const config = { auth: true };
  const tags = ['groups'];
  const ok = { 200: Ok };

  app.post<{ Body: Static<typeof CreateBody> }>(
    '/api/v1/groups',
    { config, schema: authed({ tags, summary: 'Create a group (I become its owner)', body: CreateBody }) },
    async (req, reply) => {
      const { memberIds, ...profile } = req.body;
      const group = await groups.create(sessionOf(req), profile, (memberIds ?? []).map(parseUserId));
      return reply.status(201).send(groupJson(group));
    },
  );

  app.get<{ Params: GroupParams }>(
    '/api/v1/groups/:groupId',
    { config, schema: authed({ tags, summary: 'Group info (members only)', params: GroupParams }) },
    async (req) => groupJson(await groups.info(sessionOf(req), parseUserId(req.params.groupId))),
  );

  app.patch<{ Params: GroupParams; Body: Static<typeof UpdateBody> }>(
    '/api/v1/groups/:groupId',
    {
      config,
      schema: authed({
        tags,
        summary: 'Update the profile (owner/admin)',
        params: GroupParams,
        body: UpdateBody,
      }),
    },
    async (req) => groupJson(await groups.update(sessionOf(req), parseUserId(req.params.groupId), req.body)),
  );

  app.delete<{ Params: GroupParams }>(
    '/api/v1/groups/:groupId',
    {
      config,
      schema: authed({ tags, summary: 'Dismiss the group (owner)', params: GroupParams, response: ok }),
    },
    async (req) => {
      await groups.dismiss(sessionOf(req), parseUserId(req.params.groupId));
      return { ok: true };
    },
  );

  app.get<{ Params: GroupParams; Querystring: Static<typeof MembersQuery> }>(
    '/api/v1/groups/:groupId/members',
    {
      config,
      schema: authed({
        tags,
        summary: 'Members, by user id, paged',
        params: GroupParams,
        querystring: MembersQuery,
      }),
    },
    async (req) => {
      const page = await groups.listMembers(
        sessionOf(req),
        groupConversationId(parseUserId(req.params.groupId)),
        req.query.after === undefined ? 0n : parseUserId(req.query.after),
        req.query.limit ?? 0,
      );
      return { members: page.members.map(memberJson), hasMore: page.hasMore };
    },
  );

  app.post<{ Params: GroupParams; Body: Static<typeof UserIdsBody> }>(
    '/api/v1/groups/:groupId/members',
    {
      config,
      schema: authed({ tags, summary: 'Add members (owner/admin)', params: GroupParams, body: UserIdsBody }),
    },
    async (req) => {
      const added = await groups.addMembers(
        sessionOf(req),
        parseUserId(req.params.groupId),
        req.body.userIds.map(parseUserId),
      );
      return { added: added.map(String) };
    },
  );

  app.delete<{ Params: MemberParams }>(
    '/api/v1/groups/:groupId/members/:userId',
    { config, schema: authed({ tags, summary: 'Remove a member (owner/admin)', params: MemberParams }) },
    async (req) => {
      const removed = await groups.removeMembers(sessionOf(req), parseUserId(req.params.groupId), [
        parseUserId(req.params.userId),
      ]);
      return { removed: removed.map(String) };
    },
  );

  app.post<{ Params: GroupParams }>(
    '/api/v1/groups/:groupId/leave',
    {
      config,
      schema: authed({ tags, summary: 'Leave the group (not the owner)', params: GroupParams, response: ok }),
    },
    async (req) => {
      await groups.leave(sessionOf(req), parseUserId(req.params.groupId));
      return { ok: true };
    },
  );

  app.post<{ Params: GroupParams; Body: Static<typeof TransferBody> }>(
    '/api/v1/groups/:groupId/transfer',
    {
      config,
      schema: authed({
        tags,
        summary: 'Transfer ownership (owner)',
        params: GroupParams,
        body: TransferBody,
      }),
    },
    async (req) =>
      groupJson(
        await groups.transfer(sessionOf(req), parseUserId(req.params.groupId), parseUserId(req.body.userId)),
      ),
  );

  app.put<{ Params: MemberParams; Body: Static<typeof RoleBody> }>(
    '/api/v1/groups/:groupId/members/:userId/role',
    {
      config,
      schema: authed({
        tags,
        summary: "Set a member's role (owner)",
        params: MemberParams,
        body: RoleBody,
        response: ok,
      }),
    },
    async (req) => {
      await groups.setRole(
        sessionOf(req),
        parseUserId(req.params.groupId),
        parseUserId(req.params.userId),
        req.body.role === 'admin' ? MemberRole.ADMIN : MemberRole.MEMBER,
      );
      return { ok: true };
    },
  );

  app.put<{ Params: MemberParams; Body: Static<typeof MuteBody> }>(
    '/api/v1/groups/:groupId/members/:userId/mute',
    {
      config,
      schema: authed({
        tags,
        summary: 'Mute a member until a time (owner/admin)',
        params: MemberParams,
        body: MuteBody,
        response: ok,
      }),
    },
    async (req) => {
      await groups.mute(
        sessionOf(req),
        parseUserId(req.params.groupId),
        parseUserId(req.params.userId),
        req.body.mutedUntil,
      );
      return { ok: true };
    },
  );
}
