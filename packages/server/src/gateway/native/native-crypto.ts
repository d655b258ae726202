import { constants, createCipheriv, createDecipheriv, privateDecrypt, randomBytes } from 'node:crypto';
import {
  AES_OVERHEAD,
  Direction,
  Encryption,
  HEADER_LENGTH,
  NONCE_LENGTH,
  NonceGuard,
  NonceSequence,
  ProtocolError,
  SALT_LENGTH,
  SESSION_KEY_LENGTH,
  TAG_LENGTH,
  headerBytes,
  makeSalt,
  parseFlags,
  readHeader,
  withEncryption,
  type Frame,
} from '@parley/protocol';
import type { ServerKey } from './server-keyring.js';

/**
 * The server side of the native encryption flags with node:crypto (docs/native-protocol.md,
 * "Encryption flags"). Synchronous on purpose: pushes, kicks and closes are encoded where they
 * happen, so sealing them in the same call keeps the counter order equal to the write order.
 * The byte layout is packages/protocol's (frame-layout.ts), the same the SDK's WebCrypto side uses.
 */
export class NativeSessionCipher {
  private readonly sending: NonceSequence;

  /**
   * `receiving`: the client's nonce rules, already pinned to the RSA block's nonce. `salt`: 4
   * random bytes for this side (the server direction bit is set on them).
   */
  constructor(
    private readonly key: Uint8Array,
    private readonly receiving: NonceGuard,
    salt: Uint8Array = randomBytes(SALT_LENGTH),
    firstCounter = 0n,
  ) {
    if (key.length !== SESSION_KEY_LENGTH) throw new RangeError('a session key is 32 bytes');
    this.sending = new NonceSequence(makeSalt(salt, Direction.SERVER_TO_CLIENT), firstCounter);
  }

  /** One encoded frame (header ‖ body, any encryption bits) as its AES frame. */
  seal(bytes: Uint8Array): Uint8Array {
    const h = readHeader(bytes);
    const body = bytes.subarray(HEADER_LENGTH, HEADER_LENGTH + h.length);
    const nonce = this.sending.take();
    const header = headerBytes({
      ...h,
      length: body.length + AES_OVERHEAD,
      flag: withEncryption(h.flag, Encryption.AES),
    });
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(header);
    return Buffer.concat([header, nonce, cipher.update(body), cipher.final(), cipher.getAuthTag()]);
  }

  /** A client's AES frame as its plain frame; ProtocolError when it fails the tag or the nonce rules. */
  open(frame: Frame): Frame {
    if (frame.body.length < AES_OVERHEAD) throw new ProtocolError('encrypted frame: body too short');
    const nonce = frame.body.subarray(0, NONCE_LENGTH);
    const parts = this.receiving.check(nonce);
    const body = decryptGcm(
      this.key,
      nonce,
      headerBytes({ ...frame, length: frame.body.length }),
      frame.body.subarray(NONCE_LENGTH),
    );
    this.receiving.accept(parts);
    return { ...frame, flag: withEncryption(frame.flag, Encryption.NONE), body };
  }
}

/**
 * An RSA LOGIN (encryption bits 2): unwraps the session key and nonce with the server's private
 * key, decrypts the LoginRequest under them, and returns it with the connection's cipher.
 */
export function openRsaLogin(key: ServerKey, frame: Frame): { frame: Frame; cipher: NativeSessionCipher } {
  if (parseFlags(frame.flag).encryption !== Encryption.RSA) throw new ProtocolError('not an RSA frame');
  if (frame.body.length < key.modulusBytes + TAG_LENGTH) {
    throw new ProtocolError('RSA LOGIN: body shorter than the RSA block and a tag');
  }
  let secret: Buffer;
  try {
    secret = privateDecrypt(
      { key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      frame.body.subarray(0, key.modulusBytes),
    );
  } catch {
    throw new ProtocolError(
      'RSA LOGIN: the RSA block does not decrypt with this server key (see GET /api/v1/keys/server)',
    );
  }
  if (secret.length !== SESSION_KEY_LENGTH + NONCE_LENGTH) {
    throw new ProtocolError('RSA LOGIN: the RSA block must hold a 32-byte key and a 12-byte nonce');
  }
  const sessionKey = Uint8Array.from(secret.subarray(0, SESSION_KEY_LENGTH));
  const nonce = secret.subarray(SESSION_KEY_LENGTH);
  const receiving = NonceGuard.pinned(Direction.CLIENT_TO_SERVER, nonce);
  const body = decryptGcm(
    sessionKey,
    nonce,
    headerBytes({ ...frame, length: frame.body.length }),
    frame.body.subarray(key.modulusBytes),
  );
  return {
    frame: { ...frame, flag: withEncryption(frame.flag, Encryption.NONE), body },
    cipher: new NativeSessionCipher(sessionKey, receiving),
  };
}

function decryptGcm(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH)), decipher.final()]);
  } catch {
    throw new ProtocolError('encrypted frame failed authentication (tampered, or another key)');
  }
}
