import { BadRequestError, fromBase64, toBase64, toHex } from '@parley/protocol';

/**
 * A user's end-to-end key pair: ECDH on P-256 (WebCrypto has it in every browser and in Node).
 * One pair per user: every device of the user needs the private key, so an app moves it between
 * them (`exportE2eKeyPair` / `importE2eKeyPair`); the server only ever sees the public half.
 */
export interface E2eKeyPair {
  readonly privateKey: CryptoKey;
  /** Raw, uncompressed (65 bytes): what is published. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  /** The first 8 bytes of SHA-256 of `publicKey`. */
  readonly keyId: Uint8Array<ArrayBuffer>;
}

/** A key pair as an app stores it (the private key as a JWK: keep it secret). */
export interface ExportedE2eKeyPair {
  readonly privateKey: JsonWebKey;
  /** base64 of the raw public key. */
  readonly publicKey: string;
}

export const E2E_CURVE = { name: 'ECDH', namedCurve: 'P-256' } as const;
export const P256_RAW_LENGTH = 65;

export async function generateE2eKeyPair(): Promise<E2eKeyPair> {
  const pair = await crypto.subtle.generateKey(E2E_CURVE, true, ['deriveBits']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey, keyId: await keyIdOf(publicKey) };
}

export async function exportE2eKeyPair(pair: E2eKeyPair): Promise<ExportedE2eKeyPair> {
  return {
    privateKey: await crypto.subtle.exportKey('jwk', pair.privateKey),
    publicKey: toBase64(pair.publicKey),
  };
}

export async function importE2eKeyPair(exported: ExportedE2eKeyPair): Promise<E2eKeyPair> {
  const publicKey = fromBase64(exported.publicKey);
  const privateKey = await crypto.subtle.importKey('jwk', exported.privateKey, E2E_CURVE, true, [
    'deriveBits',
  ]);
  return { privateKey, publicKey, keyId: await keyIdOf(publicKey) };
}

/** A peer's raw public key as a WebCrypto key; BadRequestError when it is not on P-256. */
export async function importE2ePublicKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== P256_RAW_LENGTH || raw[0] !== 0x04)
    throw new BadRequestError('not a raw P-256 public key');
  try {
    return await crypto.subtle.importKey('raw', Uint8Array.from(raw), E2E_CURVE, false, []);
  } catch {
    throw new BadRequestError('not a point on P-256');
  }
}

export async function keyIdOf(publicKey: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', Uint8Array.from(publicKey))).slice(0, 8);
}

/** SHA-256 of the raw public key, hex: what two users compare (out of band) to trust a key. */
export async function fingerprintOf(publicKey: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', Uint8Array.from(publicKey))));
}
