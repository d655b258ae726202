import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { BadRequestError, NotFoundError, UnsupportedError, fromBase64, toBase64 } from '@parley/protocol';
import { parseUserId } from '../../core/conversation-id.js';
import { E2E_KEY_ALGORITHM, type UserKeyRecord } from '../../core/user-key-store.js';
import { sessionOf, type ApiDeps } from '../context.js';
import { Id, authed } from '../schemas.js';

const ServerKeyJson = Type.Object({
  algorithm: Type.Literal('RSA-OAEP-SHA256'),
  bits: Type.Integer(),
  publicKey: Type.String({ description: 'SPKI PEM' }),
  fingerprint: Type.String({ description: 'SHA-256 of the SPKI DER, hex' }),
});

const KeyId = Type.String({
  pattern: '^[0-9a-f]{16}$',
  description: 'first 8 bytes of SHA-256 of the raw key, hex',
});

const UserKeyJson = Type.Object({
  userId: Id,
  keyId: KeyId,
  algorithm: Type.Literal(E2E_KEY_ALGORITHM),
  publicKey: Type.String({ description: 'raw P-256 public key (65 bytes, uncompressed), base64' }),
  fingerprint: Type.String({ description: 'SHA-256 of the raw key, hex: what two users compare' }),
  publishedAt: Type.Integer(),
});

const PublishBody = Type.Object(
  {
    algorithm: Type.Literal(E2E_KEY_ALGORITHM),
    publicKey: Type.String({ minLength: 1, maxLength: 200, description: 'raw P-256 public key, base64' }),
  },
  { additionalProperties: false },
);

const UserParams = Type.Object({ userId: Id }, { additionalProperties: false });
const KeyQuery = Type.Object({ keyId: Type.Optional(KeyId) }, { additionalProperties: false });

/**
 * Keys (docs/security.md): the server's RSA key for the native encryption flags (public, no
 * token), and the users' end-to-end public keys, published by their owner and read by any user.
 */
export function keyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const keys = deps.store.userKeys;

  app.get(
    '/api/v1/keys/server',
    {
      schema: {
        tags: ['keys'],
        summary: "The server's RSA public key for the native protocol's RSA LOGIN (no token needed)",
        response: { 200: ServerKeyJson },
      },
    },
    async () => {
      if (deps.serverKeys === undefined)
        throw new UnsupportedError('the encryption flags are off on this server');
      const key = await deps.serverKeys.get();
      return {
        algorithm: 'RSA-OAEP-SHA256' as const,
        bits: key.modulusBytes * 8,
        publicKey: key.publicKeyPem,
        fingerprint: key.fingerprint,
      };
    },
  );

  app.put<{ Body: Static<typeof PublishBody> }>(
    '/api/v1/keys/me',
    {
      config: { auth: true },
      schema: authed({
        tags: ['keys'],
        summary: 'Publish my end-to-end public key (it becomes my current key)',
        body: PublishBody,
        response: { 200: UserKeyJson },
      }),
    },
    async (req) => {
      const publicKey = await checkedP256(req.body.publicKey);
      const record: UserKeyRecord = {
        userId: sessionOf(req).userId,
        keyId: keyIdOf(publicKey),
        algorithm: E2E_KEY_ALGORITHM,
        publicKey,
        publishedAt: Date.now(),
      };
      await keys.putUserKey(record);
      return userKeyJson(record);
    },
  );

  app.get<{ Params: Static<typeof UserParams>; Querystring: Static<typeof KeyQuery> }>(
    '/api/v1/keys/users/:userId',
    {
      config: { auth: true },
      schema: authed({
        tags: ['keys'],
        summary: "A user's end-to-end public key: the current one, or the one named by keyId",
        params: UserParams,
        querystring: KeyQuery,
        response: { 200: UserKeyJson },
      }),
    },
    async (req) => {
      const userId = parseUserId(req.params.userId);
      const { keyId } = req.query;
      const record =
        keyId === undefined ? await keys.currentUserKey(userId) : await keys.getUserKey(userId, keyId);
      if (record === undefined) {
        throw new NotFoundError(keyId === undefined ? 'this user has published no key' : 'no such key');
      }
      return userKeyJson(record);
    },
  );
}

function userKeyJson(record: UserKeyRecord): Static<typeof UserKeyJson> {
  return {
    userId: String(record.userId),
    keyId: record.keyId,
    algorithm: E2E_KEY_ALGORITHM,
    publicKey: toBase64(record.publicKey),
    fingerprint: createHash('sha256').update(record.publicKey).digest('hex'),
    publishedAt: record.publishedAt,
  };
}

export function keyIdOf(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

/** The raw key, once it is known to be a point on P-256 (65 bytes, uncompressed). */
async function checkedP256(base64: string): Promise<Uint8Array> {
  const raw = fromBase64(base64);
  if (raw.length !== 65 || raw[0] !== 0x04) {
    throw new BadRequestError('publicKey must be a raw uncompressed P-256 key (65 bytes, base64)');
  }
  try {
    await crypto.subtle.importKey('raw', raw, { name: 'ECDH', namedCurve: 'P-256' }, true, []);
  } catch {
    throw new BadRequestError('publicKey is not a point on P-256');
  }
  return raw;
}
