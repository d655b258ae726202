import { Type } from '@sinclair/typebox';

/** TypeBox schemas shared by the route modules (fastify validates every body, query and param). */

/** 64-bit ids travel as decimal strings in JSON. */
export const Id = Type.String({ pattern: '^[1-9][0-9]{0,19}$', description: '64-bit id, decimal string' });

export const ConversationKind = Type.Union(
  [Type.Literal('single'), Type.Literal('group'), Type.Literal('chatroom')],
  { description: 'single: target is the peer user id; group: the group id; chatroom: the room name' },
);

/** `/conversations/:type/:target` — a conversation as the caller names it. */
export const ConversationParams = Type.Object(
  { type: ConversationKind, target: Type.String({ minLength: 1, maxLength: 65 }) },
  { additionalProperties: false },
);

export const ConversationRefJson = Type.Object({ type: ConversationKind, target: Type.String() });

export const ErrorJson = Type.Object(
  {
    error: Type.Object({
      status: Type.Integer({ description: 'code from the shared Status table' }),
      name: Type.String(),
      message: Type.String(),
    }),
  },
  { $id: 'Error' },
);

export const Ok = Type.Object({ ok: Type.Literal(true) });

/**
 * Message content in the protobuf JSON form of parley.v1.MessageContent (camelCase fields,
 * 64-bit numbers as strings). The listed fields are the common ones; every other MessageContent
 * field is accepted too and checked strictly when the content is decoded.
 */
export const ContentJson = Type.Object(
  {
    contentType: Type.Integer({ minimum: 0, maximum: 255, description: 'TEXT 1, SOUND 2, IMAGE 3, ...' }),
    text: Type.Optional(Type.String()),
    media: Type.Optional(Type.Object({}, { additionalProperties: true })),
    location: Type.Optional(Type.Object({}, { additionalProperties: true })),
    mentionedType: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
    mentionedTargets: Type.Optional(Type.Array(Id, { maxItems: 100 })),
    customType: Type.Optional(Type.String()),
    data: Type.Optional(Type.String({ description: 'base64' })),
  },
  { additionalProperties: true },
);

export function authed(schema: Record<string, unknown> & { tags: string[] }): Record<string, unknown> {
  return { security: [{ bearer: [] }], ...schema };
}
