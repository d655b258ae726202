import { ProtocolError } from '../errors.js';
import { HEADER_LENGTH, writeHeader, type FrameHeader } from '../frame.js';
import { Encryption } from '../flags.js';

/**
 * The byte layout of the native protocol's encryption flags (docs/native-protocol.md,
 * "Encryption flags"), with no cryptography in it: the server (node:crypto, synchronous) and the
 * SDK (WebCrypto, asynchronous) implement the ciphers over this one layout, so both agree byte
 * for byte.
 *
 * AES frame body:  nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16)
 * nonce:           salt (4) ‖ counter (8, big-endian)
 * RSA LOGIN body:  RSA-OAEP-SHA256(session key (32) ‖ nonce (12)) ‖ ciphertext ‖ tag (16)
 * additional data: the frame's 12-byte header as sent (final length and flag included)
 */
export const SESSION_KEY_LENGTH = 32;
export const NONCE_LENGTH = 12;
export const SALT_LENGTH = 4;
export const TAG_LENGTH = 16;
/** What AES adds to a body: its nonce and tag. */
export const AES_OVERHEAD = NONCE_LENGTH + TAG_LENGTH;
/** The counter is 8 bytes; a sender stops before it would wrap. */
export const MAX_COUNTER = (1n << 64n) - 1n;

/**
 * Bit 7 of a salt's first byte says who wrote the frame. Both directions share the session key,
 * so the bit keeps their nonces apart and stops a frame reflected back to its writer.
 */
export const Direction = { CLIENT_TO_SERVER: 0, SERVER_TO_CLIENT: 1 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

const DIRECTION_BIT = 0x80;

/** A salt for `direction` from 4 random bytes (bit 7 of the first one is overwritten). */
export function makeSalt(random: Uint8Array, direction: Direction): Uint8Array<ArrayBuffer> {
  if (random.length !== SALT_LENGTH) throw new RangeError(`a salt is ${String(SALT_LENGTH)} bytes`);
  const salt = Uint8Array.from(random);
  salt[0] = direction === Direction.SERVER_TO_CLIENT ? (salt[0] ?? 0) | DIRECTION_BIT : (salt[0] ?? 0) & 0x7f;
  return salt;
}

export function directionOf(salt: Uint8Array): Direction {
  return ((salt[0] ?? 0) & DIRECTION_BIT) !== 0 ? Direction.SERVER_TO_CLIENT : Direction.CLIENT_TO_SERVER;
}

export function makeNonce(salt: Uint8Array, counter: bigint): Uint8Array<ArrayBuffer> {
  if (salt.length !== SALT_LENGTH) throw new RangeError(`a salt is ${String(SALT_LENGTH)} bytes`);
  if (counter < 0n || counter > MAX_COUNTER) throw new RangeError('nonce counter out of range');
  const nonce = new Uint8Array(NONCE_LENGTH);
  nonce.set(salt);
  new DataView(nonce.buffer).setBigUint64(SALT_LENGTH, counter);
  return nonce;
}

export interface NonceParts {
  readonly salt: Uint8Array;
  readonly counter: bigint;
}

export function splitNonce(nonce: Uint8Array): NonceParts {
  if (nonce.length !== NONCE_LENGTH) throw new RangeError(`a nonce is ${String(NONCE_LENGTH)} bytes`);
  return {
    salt: nonce.subarray(0, SALT_LENGTH),
    counter: new DataView(nonce.buffer, nonce.byteOffset, NONCE_LENGTH).getBigUint64(SALT_LENGTH),
  };
}

/** The flag byte with its encryption bits (3-2) replaced. */
export function withEncryption(flag: number, encryption: Encryption): number {
  return (flag & ~0b1100) | ((encryption & 0b11) << 2);
}

/** The 12 header bytes that are a frame's additional authenticated data. */
export function headerBytes(header: FrameHeader): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(HEADER_LENGTH);
  writeHeader(out, 0, header);
  return out;
}

/**
 * The receiving side's rules for the nonces of one direction: the writer's direction bit, one
 * salt for the whole connection (pinned by the first frame), and a counter that increases on
 * every frame, so a replayed or reordered frame is refused. `check` runs before decryption,
 * `accept` only once the tag verified (a forged frame must not move the counter).
 */
export class NonceGuard {
  private salt: Uint8Array | undefined;
  private last: bigint | undefined;

  constructor(private readonly from: Direction) {}

  /** Pins the salt and the counter of a nonce that arrived some other way (the RSA block's). */
  static pinned(from: Direction, nonce: Uint8Array): NonceGuard {
    const guard = new NonceGuard(from);
    guard.accept(guard.check(nonce));
    return guard;
  }

  check(nonce: Uint8Array): NonceParts {
    const parts = splitNonce(nonce);
    if (directionOf(parts.salt) !== this.from) {
      throw new ProtocolError('encrypted frame: the nonce belongs to the other direction');
    }
    if (this.salt !== undefined && !sameBytes(this.salt, parts.salt)) {
      throw new ProtocolError('encrypted frame: the nonce salt changed within the connection');
    }
    if (this.last !== undefined && parts.counter <= this.last) {
      throw new ProtocolError(
        `encrypted frame: nonce counter ${String(parts.counter)} does not increase (last ${String(this.last)}): replayed or reordered`,
      );
    }
    return parts;
  }

  accept(parts: NonceParts): void {
    this.salt ??= Uint8Array.from(parts.salt);
    this.last = parts.counter;
  }
}

/** The sending side: one salt, a counter that never repeats. */
export class NonceSequence {
  private next: bigint;

  constructor(
    readonly salt: Uint8Array,
    first = 0n,
  ) {
    this.next = first;
  }

  take(): Uint8Array<ArrayBuffer> {
    if (this.next > MAX_COUNTER) throw new ProtocolError('encrypted frame: nonce counter exhausted');
    const nonce = makeNonce(this.salt, this.next);
    this.next += 1n;
    return nonce;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
