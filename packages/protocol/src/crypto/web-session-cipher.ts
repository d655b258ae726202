import { BadRequestError, ProtocolError } from '../errors.js';
import { Encryption, parseFlags } from '../flags.js';
import { HEADER_LENGTH, PROTOCOL_VERSION, type Frame } from '../frame.js';
import {
  AES_OVERHEAD,
  Direction,
  NONCE_LENGTH,
  NonceGuard,
  NonceSequence,
  SALT_LENGTH,
  SESSION_KEY_LENGTH,
  TAG_LENGTH,
  headerBytes,
  makeNonce,
  makeSalt,
  withEncryption,
} from './frame-layout.js';
import { pemToDer, toHex } from './pem.js';

/**
 * The encryption flags with WebCrypto (`globalThis.crypto.subtle`, in browsers and Node alike):
 * what a client needs (the SDK uses it over every transport). Asynchronous, as WebCrypto is: a
 * caller keeps its frames in order itself. The server has a synchronous node:crypto twin over the
 * same layout (packages/server/src/gateway/native/native-crypto.ts).
 */
type Subtle = typeof crypto.subtle;
export type WebCryptoKey = Awaited<ReturnType<Subtle['importKey']>>;

/** The server's RSA public key as a client uses it. */
export interface ServerPublicKey {
  readonly key: WebCryptoKey;
  /** Bytes of the modulus: the length of the RSA block of a LOGIN. */
  readonly modulusBytes: number;
  /** SHA-256 of the SPKI DER, hex: what a client may pin. */
  readonly fingerprint: string;
}

/** The smallest server key accepted (bits). */
export const MIN_RSA_BITS = 2048;

/** A frame to encrypt: the header fields and the plain body (compressed already, if it is). */
export type PlainFrame = Omit<Frame, 'version'>;

/** Imports `GET /api/v1/keys/server`'s `publicKey` (SPKI PEM). */
export async function importServerPublicKey(pem: string): Promise<ServerPublicKey> {
  const der = pemToDer(pem, 'PUBLIC KEY');
  let key: WebCryptoKey;
  try {
    key = await crypto.subtle.importKey('spki', der, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, [
      'encrypt',
    ]);
  } catch {
    throw new BadRequestError('the server public key is not an RSA key');
  }
  const bits = (key.algorithm as { modulusLength?: number }).modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw new BadRequestError(`the server key has ${String(bits)} bits, fewer than 2048`);
  const fingerprint = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', der)));
  return { key, modulusBytes: bits / 8, fingerprint };
}

/**
 * AES-256-GCM frames of one connection, one side's view: it seals what it writes (its own salt,
 * an increasing counter) and opens what the other side wrote (NonceGuard's rules).
 */
export class WebSessionCipher {
  private readonly sending: NonceSequence;
  private readonly receiving: NonceGuard;
  private readonly aesKey: Promise<WebCryptoKey>;

  /**
   * `sendDirection`: who this side is. `salt` (4 bytes) gets that direction's bit; `firstCounter`
   * is the counter of the first frame sealed.
   */
  constructor(key: Uint8Array, sendDirection: Direction, salt: Uint8Array, firstCounter = 0n) {
    if (key.length !== SESSION_KEY_LENGTH) throw new RangeError('a session key is 32 bytes');
    this.sending = new NonceSequence(makeSalt(salt, sendDirection), firstCounter);
    this.receiving = new NonceGuard(
      sendDirection === Direction.CLIENT_TO_SERVER ? Direction.SERVER_TO_CLIENT : Direction.CLIENT_TO_SERVER,
    );
    this.aesKey = crypto.subtle.importKey('raw', Uint8Array.from(key), 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
  }

  /** The frame's bytes with encryption bits 1: nonce ‖ ciphertext ‖ tag, the header authenticated. */
  async seal(frame: PlainFrame): Promise<Uint8Array<ArrayBuffer>> {
    const nonce = this.sending.take();
    const length = frame.body.length + AES_OVERHEAD;
    const header = headerBytes({
      length,
      version: PROTOCOL_VERSION,
      seq: frame.seq,
      command: frame.command,
      flag: withEncryption(frame.flag, Encryption.AES),
      status: frame.status,
    });
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv: nonce, additionalData: header, tagLength: TAG_LENGTH * 8 },
        await this.aesKey,
        Uint8Array.from(frame.body),
      ),
    );
    const out = new Uint8Array(HEADER_LENGTH + length);
    out.set(header);
    out.set(nonce, HEADER_LENGTH);
    out.set(sealed, HEADER_LENGTH + NONCE_LENGTH);
    return out;
  }

  /**
   * A received AES frame (encryption bits 1) as its plain frame (encryption bits 0, the rest of
   * the header as received). ProtocolError when it does not authenticate or replays a counter.
   */
  async open(frame: Frame): Promise<Frame> {
    if (parseFlags(frame.flag).encryption !== Encryption.AES) {
      throw new ProtocolError('not an AES frame');
    }
    if (frame.body.length < AES_OVERHEAD) throw new ProtocolError('encrypted frame: body too short');
    const nonce = frame.body.subarray(0, NONCE_LENGTH);
    const parts = this.receiving.check(nonce);
    const header = headerBytes({ ...frame, length: frame.body.length });
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: Uint8Array.from(nonce), additionalData: header, tagLength: TAG_LENGTH * 8 },
        await this.aesKey,
        Uint8Array.from(frame.body.subarray(NONCE_LENGTH)),
      );
    } catch {
      throw new ProtocolError('encrypted frame failed authentication (tampered, or another key)');
    }
    this.receiving.accept(parts);
    return { ...frame, flag: withEncryption(frame.flag, Encryption.NONE), body: new Uint8Array(plain) };
  }
}

/** Randomness for sealRsaLogin; tests pass their own to get fixed bytes. */
export type RandomBytes = (length: number) => Uint8Array;

const secureRandom: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));

/**
 * An RSA LOGIN (encryption bits 2): a fresh session key and nonce wrapped with RSA-OAEP-SHA256 for
 * the server, then the LoginRequest body under AES-256-GCM with them. Returns the frame's bytes
 * and the client's cipher for the rest of the connection (the session key; its next counter).
 */
export async function sealRsaLogin(
  server: ServerPublicKey,
  frame: PlainFrame,
  random: RandomBytes = secureRandom,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; cipher: WebSessionCipher }> {
  const sessionKey = Uint8Array.from(random(SESSION_KEY_LENGTH));
  const salt = makeSalt(random(SALT_LENGTH), Direction.CLIENT_TO_SERVER);
  const nonce = makeNonce(salt, 0n);
  const secret = new Uint8Array(SESSION_KEY_LENGTH + NONCE_LENGTH);
  secret.set(sessionKey);
  secret.set(nonce, SESSION_KEY_LENGTH);
  const rsaBlock = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, server.key, secret));
  const length = rsaBlock.length + frame.body.length + TAG_LENGTH;
  const header = headerBytes({
    length,
    version: PROTOCOL_VERSION,
    seq: frame.seq,
    command: frame.command,
    flag: withEncryption(frame.flag, Encryption.RSA),
    status: frame.status,
  });
  const aesKey = await crypto.subtle.importKey('raw', sessionKey, 'AES-GCM', false, ['encrypt']);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: header, tagLength: TAG_LENGTH * 8 },
      aesKey,
      Uint8Array.from(frame.body),
    ),
  );
  const out = new Uint8Array(HEADER_LENGTH + length);
  out.set(header);
  out.set(rsaBlock, HEADER_LENGTH);
  out.set(sealed, HEADER_LENGTH + rsaBlock.length);
  return { bytes: out, cipher: new WebSessionCipher(sessionKey, Direction.CLIENT_TO_SERVER, salt, 1n) };
}
