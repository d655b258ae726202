import { BadRequestError } from '../errors.js';
import { Status } from '../status.js';

/**
 * IMTP bodies. Every decoder here takes untrusted bytes and throws BadRequestError (never
 * anything else) when they do not fit; encoders take trusted values.
 */

const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BadRequestError(`${what} is not valid UTF-8`);
  }
}

function json(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(text(bytes, what)) as unknown;
  } catch (err) {
    if (err instanceof BadRequestError) throw err;
    throw new BadRequestError(`${what} is not valid JSON`);
  }
}

function jsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  const value = json(bytes, what);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function stringField(obj: Record<string, unknown>, key: string, what: string): string {
  const value = obj[key];
  if (typeof value !== 'string') throw new BadRequestError(`${what} needs a string "${key}"`);
  return value;
}

/**
 * The state byte of MSG_RES, LOGIN_RES and AUTH_RES: 0 = OK, otherwise the code of the shared
 * Status table (1 BAD_REQUEST, 2 UNAUTHENTICATED, 3 AUTH_FAILED, 4 FORBIDDEN, ... 255 INTERNAL),
 * so one table explains every dialect.
 */
export type ImtpState = Status;
export const ImtpState = Status;

// ---------------------------------------------------------------------------------------------
// Login and auth

export interface ImtpLoginRequest {
  readonly username: string;
  readonly password: string;
}

export function decodeImtpLogin(body: Uint8Array): ImtpLoginRequest {
  const obj = jsonObject(body, 'login body');
  return { username: stringField(obj, 'username', 'login'), password: stringField(obj, 'password', 'login') };
}

export function encodeImtpLogin(req: ImtpLoginRequest): Uint8Array {
  return encoder.encode(JSON.stringify({ username: req.username, password: req.password }));
}

/** AUTH (120): JSON `{token}`, or the token itself as UTF-8. */
export function decodeImtpAuth(body: Uint8Array): string {
  const raw = text(body, 'auth body').trim();
  if (raw.startsWith('{')) return stringField(jsonObject(body, 'auth body'), 'token', 'auth');
  if (raw === '') throw new BadRequestError('auth needs a token');
  return raw;
}

export function encodeImtpAuth(token: string): Uint8Array {
  return encoder.encode(JSON.stringify({ token }));
}

/** What LOGIN_RES / AUTH_RES carry (ids are decimal strings). On failure: `{message}` only. */
export interface ImtpUserInfo {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly avatarUrl: string;
  readonly token: string;
}

export interface ImtpLoginResult {
  readonly state: number;
  /** The user on success; otherwise an object with `message`. */
  readonly info: Record<string, unknown>;
}

/** JSON user info followed by one state byte. */
export function encodeImtpLoginResult(state: number, info: ImtpUserInfo | { message: string }): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(info));
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = state & 0xff;
  return out;
}

export function decodeImtpLoginResult(body: Uint8Array): ImtpLoginResult {
  if (body.length < 1) throw new BadRequestError('login result needs a state byte');
  const state = body[body.length - 1] ?? 0;
  const info = body.length === 1 ? {} : jsonObject(body.subarray(0, body.length - 1), 'login result');
  return { state, info };
}

// ---------------------------------------------------------------------------------------------
// MSG_RES

export interface ImtpMsgRes {
  readonly state: number;
  readonly ackId: bigint;
}

export function encodeImtpMsgRes(res: ImtpMsgRes): Uint8Array {
  const out = new Uint8Array(9);
  const view = new DataView(out.buffer);
  view.setUint8(0, res.state & 0xff);
  view.setBigInt64(1, BigInt.asIntN(64, res.ackId));
  return out;
}

export function decodeImtpMsgRes(body: Uint8Array): ImtpMsgRes {
  if (body.length !== 9) throw new BadRequestError('MSG_RES is 9 bytes');
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  return { state: view.getUint8(0), ackId: view.getBigInt64(1) };
}

// ---------------------------------------------------------------------------------------------
// Message bodies (commands 1-8)

/** IMTP's media metadata (JSON); every field optional. */
export interface ImtpMetadata {
  readonly width?: number;
  readonly height?: number;
  /** A MIME type such as `image/png` (a number is accepted as a format code). */
  readonly mediaType?: string | number;
  readonly previewUrl?: string;
  /** Milliseconds. */
  readonly duration?: number;
  readonly size?: number;
  readonly name?: string;
  readonly thumbnailUrl?: string;
}

export interface ImtpMessageBody {
  /** The text, or the media URL. */
  readonly text: string;
  /** The client's id for the message (echoed in MSG_RES); in pushes, the message's seq. */
  readonly ackId: bigint;
  /** Milliseconds since the epoch (client time on send, server time on push). */
  readonly timestamp: bigint;
  readonly metadata?: ImtpMetadata;
}

const NUMERIC_KEYS = ['width', 'height', 'duration', 'size'] as const;
const STRING_KEYS = ['previewUrl', 'name', 'thumbnailUrl'] as const;

function metadataOf(obj: Record<string, unknown>): ImtpMetadata {
  const out: Record<string, string | number> = {};
  for (const key of NUMERIC_KEYS) {
    const value = obj[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new BadRequestError(`metadata "${key}" must be a non-negative integer`);
    }
    out[key] = value;
  }
  for (const key of STRING_KEYS) {
    const value = obj[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new BadRequestError(`metadata "${key}" must be a string`);
    out[key] = value;
  }
  const mediaType = obj['mediaType'];
  if (typeof mediaType === 'string' || (typeof mediaType === 'number' && Number.isSafeInteger(mediaType))) {
    out['mediaType'] = mediaType;
  } else if (mediaType !== undefined && mediaType !== null) {
    throw new BadRequestError('metadata "mediaType" must be a string or an integer');
  }
  return out;
}

class Reader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  need(n: number, what: string): void {
    if (n < 0 || this.bytes.length - this.at < n)
      throw new BadRequestError(`message body is cut short in ${what}`);
  }
  int32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.at);
    this.at += 4;
    return v;
  }
  int64(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.at);
    this.at += 8;
    return v;
  }
  bytesOf(n: number, what: string): Uint8Array {
    if (n < 0) throw new BadRequestError(`negative ${what} length`);
    this.need(n, what);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  get rest(): number {
    return this.bytes.length - this.at;
  }
}

export function decodeImtpMessage(body: Uint8Array): ImtpMessageBody {
  const r = new Reader(body);
  const content = text(r.bytesOf(r.int32('text'), 'text'), 'text');
  const ackId = r.int64('ackId');
  const timestamp = r.int64('timestamp');
  // The metadata block may be missing altogether (older clients); a length of 0 means none.
  if (r.rest === 0) return { text: content, ackId, timestamp };
  const metaBytes = r.bytesOf(r.int32('metadata'), 'metadata');
  if (r.rest !== 0) throw new BadRequestError('bytes after the message metadata');
  if (metaBytes.length === 0) return { text: content, ackId, timestamp };
  return { text: content, ackId, timestamp, metadata: metadataOf(jsonObject(metaBytes, 'metadata')) };
}

/**
 * The ackId of a message body whose later parts may be broken (bad UTF-8 or metadata), so the
 * error answer can still name the message; undefined when the body does not reach it.
 */
export function peekImtpAckId(body: Uint8Array): bigint | undefined {
  if (body.length < 4) return undefined;
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  const textLength = view.getInt32(0);
  if (textLength < 0 || body.length - 4 - textLength < 8) return undefined;
  return view.getBigInt64(4 + textLength);
}

export function encodeImtpMessage(msg: ImtpMessageBody): Uint8Array {
  const textBytes = encoder.encode(msg.text);
  const meta =
    msg.metadata === undefined || Object.keys(msg.metadata).length === 0
      ? new Uint8Array(0)
      : encoder.encode(JSON.stringify(msg.metadata));
  const out = new Uint8Array(4 + textBytes.length + 16 + 4 + meta.length);
  const view = new DataView(out.buffer);
  view.setInt32(0, textBytes.length);
  out.set(textBytes, 4);
  let at = 4 + textBytes.length;
  view.setBigInt64(at, BigInt.asIntN(64, msg.ackId));
  view.setBigInt64(at + 8, BigInt.asIntN(64, msg.timestamp));
  at += 16;
  view.setInt32(at, meta.length);
  out.set(meta, at + 4);
  return out;
}

// ---------------------------------------------------------------------------------------------
// OFFLINE_RES (-123)

/** One message inside OFFLINE_RES: what its own frame would carry, minus magic and checksum. */
export interface ImtpOfflineEntry {
  readonly cmd: number;
  readonly group: boolean;
  readonly sender: bigint;
  readonly receiver: bigint;
  readonly body: Uint8Array;
}

/** The fixed part of an entry: cmd (1) flags (1) sender (8) receiver (8) body length (4). */
export const IMTP_OFFLINE_ENTRY_OVERHEAD = 22;

/** int32 count, then per entry: cmd int8, flags (bit 0 group), sender, receiver, int32 length, body. */
export function encodeImtpOfflineBody(entries: readonly ImtpOfflineEntry[]): Uint8Array {
  const size = entries.reduce((n, e) => n + IMTP_OFFLINE_ENTRY_OVERHEAD + e.body.length, 4);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, entries.length);
  let at = 4;
  for (const e of entries) {
    view.setInt8(at, e.cmd);
    view.setUint8(at + 1, e.group ? 1 : 0);
    view.setBigInt64(at + 2, e.sender);
    view.setBigInt64(at + 10, e.receiver);
    view.setInt32(at + 18, e.body.length);
    out.set(e.body, at + 22);
    at += IMTP_OFFLINE_ENTRY_OVERHEAD + e.body.length;
  }
  return out;
}

export function decodeImtpOfflineBody(body: Uint8Array): ImtpOfflineEntry[] {
  const r = new Reader(body);
  const count = r.int32('count');
  if (count < 0 || count * IMTP_OFFLINE_ENTRY_OVERHEAD > r.rest)
    throw new BadRequestError('bad offline count');
  const out: ImtpOfflineEntry[] = [];
  for (let i = 0; i < count; i++) {
    const head = r.bytesOf(18, 'entry');
    const view = new DataView(head.buffer, head.byteOffset, head.length);
    const entryBody = r.bytesOf(r.int32('entry body'), 'entry body');
    out.push({
      cmd: view.getInt8(0),
      group: (view.getUint8(1) & 1) !== 0,
      sender: view.getBigInt64(2),
      receiver: view.getBigInt64(10),
      body: entryBody,
    });
  }
  if (r.rest !== 0) throw new BadRequestError('bytes after the offline entries');
  return out;
}
