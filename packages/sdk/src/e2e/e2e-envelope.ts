import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  BadRequestError,
  E2eEnvelopeSchema,
  MessageContentSchema,
  type E2eEnvelope,
  type MessageContent,
} from '@parley/protocol';
import { importE2ePublicKey, type E2eKeyPair } from './e2e-keys.js';

/**
 * The end-to-end envelope (proto `E2eEnvelope`, docs/security.md): the content under a fresh
 * content key (AES-256-GCM), that key wrapped for each recipient under a key-encryption key
 * derived by HKDF-SHA256 from two ECDH secrets: the message's ephemeral key with the
 * recipient's key (a fresh secret per message) and the sender's published key with the
 * recipient's key (only the holder of the sender's private key could have made it).
 */
export const E2E_VERSION = 1;
const LABEL = new TextEncoder().encode('parley-e2e-v1');
const NONCE = 12;

export interface E2eRecipientKey {
  readonly userId: bigint;
  /** Raw P-256 public key. */
  readonly publicKey: Uint8Array;
  readonly keyId: Uint8Array;
}

export type E2eContentInit = MessageInitShape<typeof MessageContentSchema>;

/** `content` sealed for `recipients` (include the sender to read it on its other devices). */
export async function sealContent(
  content: E2eContentInit,
  sender: E2eKeyPair,
  recipients: readonly E2eRecipientKey[],
): Promise<Uint8Array> {
  if (recipients.length === 0) throw new BadRequestError('an end-to-end message needs a recipient');
  const ephemeral = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ]);
  const ephemeralKey = new Uint8Array(await crypto.subtle.exportKey('raw', ephemeral.publicKey));
  const contentKey = crypto.getRandomValues(new Uint8Array(32));
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE));
  const aes = await crypto.subtle.importKey('raw', contentKey, 'AES-GCM', false, ['encrypt']);
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: contentAad(sender.keyId, ephemeralKey) },
      aes,
      toBinary(MessageContentSchema, create(MessageContentSchema, content)),
    ),
  );
  const wrapped = await Promise.all(
    recipients.map(async (r) => {
      const peer = await importE2ePublicKey(r.publicKey);
      const kek = await keyEncryptionKey(
        [await ecdh(ephemeral.privateKey, peer), await ecdh(sender.privateKey, peer)],
        ephemeralKey,
        sender.keyId,
        r,
      );
      const wrapNonce = crypto.getRandomValues(new Uint8Array(NONCE));
      const wrappedKey = new Uint8Array(
        await crypto.subtle.encrypt({ name: 'AES-GCM', iv: wrapNonce }, kek, contentKey),
      );
      return { userId: r.userId, keyId: r.keyId, nonce: wrapNonce, wrappedKey };
    }),
  );
  return toBinary(
    E2eEnvelopeSchema,
    create(E2eEnvelopeSchema, {
      version: E2E_VERSION,
      senderKeyId: sender.keyId,
      ephemeralKey,
      recipients: wrapped,
      nonce,
      ciphertext,
    }),
  );
}

/** What opening needs besides the envelope. */
export interface OpenContext {
  readonly userId: bigint;
  readonly keys: E2eKeyPair;
  /** The sender's published key with this id (raw). */
  senderKey(keyId: Uint8Array): Promise<Uint8Array>;
}

/** The inner content; an E2eError when it is not for this key, or does not authenticate. */
export async function openContent(ciphertext: Uint8Array, me: OpenContext): Promise<MessageContent> {
  let envelope: E2eEnvelope;
  try {
    envelope = fromBinary(E2eEnvelopeSchema, ciphertext);
  } catch {
    throw new E2eError('not an end-to-end envelope');
  }
  if (envelope.version !== E2E_VERSION)
    throw new E2eError(`envelope version ${String(envelope.version)} is not known`);
  const mine = envelope.recipients.find((r) => r.userId === me.userId && sameBytes(r.keyId, me.keys.keyId));
  if (mine === undefined) {
    throw new E2eError(
      envelope.recipients.some((r) => r.userId === me.userId)
        ? 'the message was encrypted to another key of this user'
        : 'the message was not encrypted for this user',
    );
  }
  const senderRaw = await me.senderKey(envelope.senderKeyId);
  let ephemeral: CryptoKey;
  let sender: CryptoKey;
  try {
    [ephemeral, sender] = [
      await importE2ePublicKey(envelope.ephemeralKey),
      await importE2ePublicKey(senderRaw),
    ];
  } catch (err) {
    throw new E2eError(
      `a key in the envelope is not usable: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const kek = await keyEncryptionKey(
    [await ecdh(me.keys.privateKey, ephemeral), await ecdh(me.keys.privateKey, sender)],
    envelope.ephemeralKey,
    envelope.senderKeyId,
    { userId: me.userId, keyId: me.keys.keyId },
  );
  try {
    const contentKey = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: Uint8Array.from(mine.nonce) },
      kek,
      Uint8Array.from(mine.wrappedKey),
    );
    const aes = await crypto.subtle.importKey('raw', contentKey, 'AES-GCM', false, ['decrypt']);
    const plain = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: Uint8Array.from(envelope.nonce),
        additionalData: contentAad(envelope.senderKeyId, envelope.ephemeralKey),
      },
      aes,
      Uint8Array.from(envelope.ciphertext),
    );
    return fromBinary(MessageContentSchema, new Uint8Array(plain));
  } catch {
    throw new E2eError('the message does not authenticate (altered, or not from the sender it names)');
  }
}

/** An end-to-end message this client cannot read. */
export class E2eError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'E2eError';
  }
}

async function ecdh(privateKey: CryptoKey, publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256));
}

async function keyEncryptionKey(
  secrets: readonly Uint8Array[],
  ephemeralKey: Uint8Array,
  senderKeyId: Uint8Array,
  recipient: { readonly userId: bigint; readonly keyId: Uint8Array },
): Promise<CryptoKey> {
  const userId = new Uint8Array(8);
  new DataView(userId.buffer).setBigUint64(0, recipient.userId);
  const base = await crypto.subtle.importKey('raw', concat(secrets), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: Uint8Array.from(ephemeralKey),
      info: concat([LABEL, senderKeyId, recipient.keyId, userId]),
    },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function contentAad(senderKeyId: Uint8Array, ephemeralKey: Uint8Array): Uint8Array<ArrayBuffer> {
  return concat([LABEL, senderKeyId, ephemeralKey]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
