import { BadRequestError } from '../errors.js';
import {
  assertObject,
  countField,
  idField,
  numberField,
  requiredNumber,
  requiredString,
  stringField,
  type JsonObject,
} from './asserts.js';

/**
 * Jim JSON bodies (seed 001): `{"type": ..., "data": {...}}` with the seed's snake_case keys.
 * In code they are camelCase; `parse*` checks untrusted JSON, `encode*` writes the seed's keys.
 * Ids are decimal strings (DESIGN §2; a snowflake does not fit a JSON number), but numbers are
 * accepted on input.
 */

/** Who sent a message to whom; the server fills the sender fields of everything it pushes. */
export interface JimEnvelope {
  readonly senderId: string;
  readonly senderName: string;
  readonly senderAvatar: string;
  /** A user id (B101) or a group id (B102). */
  readonly receiverId: string;
}

export interface JimTextData extends JimEnvelope {
  readonly content: string;
  /** Parley extension, on B103 error notices only: the status code (shared table). */
  readonly code?: number;
}
export interface JimLocationData extends JimEnvelope {
  readonly coverImage: string;
  readonly lat: number;
  readonly lng: number;
  readonly mapLink: string;
  readonly desc: string;
}
export interface JimFaceData extends JimEnvelope {
  readonly symbol: string;
}
export interface JimSoundData extends JimEnvelope {
  readonly url: string;
  readonly size: number;
  readonly seconds: number;
}
export interface JimImageData extends JimEnvelope {
  /** jpg 0, gif 1, png 2, bmp 3 (JimImageFormat). */
  readonly format: number;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly iconUrl: string;
  readonly bigUrl: string;
}
export interface JimFileData extends JimEnvelope {
  readonly size: number;
  readonly name: string;
  /** doc 0, docx 1, ppt 2, xls 3 (JimFileFormat); -1 when none of these. */
  readonly format: number;
  readonly thumbUrl: string;
  readonly url: string;
}
export interface JimVideoData extends JimEnvelope {
  readonly size: number;
  readonly seconds: number;
  readonly url: string;
  /** The video's format: mp4 0, mov 1, wmv 2, flv 3, avi 4, mkv 5 (JimVideoFormat); -1 unknown. */
  readonly format: number;
  readonly thumbUrl: string;
  readonly thumbSize: number;
  readonly thumbWidth: number;
  readonly thumbHeight: number;
  /** The thumbnail's image format (JimImageFormat); -1 unknown. */
  readonly thumbFormat: number;
}
export interface JimAckData {
  readonly receiverId: string;
  /** The request id of the B101/B102 frame this acknowledges. */
  readonly requestId: number;
  /** The stored message's id (decimal string). */
  readonly messageId: string;
}

export type JimMessageBody =
  | { readonly type: 'text'; readonly data: JimTextData }
  | { readonly type: 'location'; readonly data: JimLocationData }
  | { readonly type: 'face'; readonly data: JimFaceData }
  | { readonly type: 'sound'; readonly data: JimSoundData }
  | { readonly type: 'image'; readonly data: JimImageData }
  | { readonly type: 'file'; readonly data: JimFileData }
  | { readonly type: 'video'; readonly data: JimVideoData };

export type JimBody = JimMessageBody | { readonly type: 'ack'; readonly data: JimAckData };
export type JimBodyType = JimBody['type'];

export const JIM_BODY_TYPES: readonly JimBodyType[] = [
  'text',
  'location',
  'face',
  'sound',
  'image',
  'file',
  'video',
  'ack',
];

/** B001. */
export interface JimAuthRequest {
  readonly clientId: string;
  readonly token: string;
}
/** B002. */
export interface JimAuthOk {
  readonly userId: string;
  readonly username: string;
}
/** B003 and A999: a status code from the shared table (0 = OK) and a readable message. */
export interface JimStatusBody {
  readonly code: number;
  readonly message: string;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** The body as a JSON value: UTF-8 and JSON syntax checked, errors as BadRequestError. */
export function parseJimJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    throw new BadRequestError('body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestError('body is not valid JSON');
  }
}

function toBytes(value: unknown): Uint8Array {
  return utf8Encoder.encode(JSON.stringify(value));
}

function parseEnvelope(data: JsonObject): JimEnvelope {
  return {
    senderId: idField(data, 'sender_id'),
    senderName: stringField(data, 'sender_name'),
    senderAvatar: stringField(data, 'sender_avatar'),
    receiverId: idField(data, 'receiver_id'),
  };
}

/** A format number: an integer, -1 (unknown) allowed. */
function formatField(data: JsonObject, key: string): number {
  const value = numberField(data, key, -1);
  if (!Number.isInteger(value) || value < -1 || value > 0xffff) {
    throw new BadRequestError(`${key} must be a small integer`);
  }
  return value;
}

/** Seconds of sound or video: a non-negative number (fractions allowed). */
function secondsField(data: JsonObject, key: string): number {
  const value = numberField(data, key);
  if (value < 0) throw new BadRequestError(`${key} must not be negative`);
  return value;
}

/** Any Jim body: a message of one of the seed's types, or an ack. */
export function parseJimBody(bytes: Uint8Array): JimBody {
  const json = parseJimJson(bytes);
  assertObject(json, 'body');
  const type = json['type'];
  const data = json['data'];
  assertObject(data, 'data');
  switch (type) {
    case 'text': {
      const code = data['code'];
      const base = { ...parseEnvelope(data), content: requiredString(data, 'content') };
      if (code === undefined || code === null) return { type, data: base };
      return { type, data: { ...base, code: countField(data, 'code', 255) } };
    }
    case 'location':
      return {
        type,
        data: {
          ...parseEnvelope(data),
          coverImage: stringField(data, 'cover_image'),
          lat: requiredNumber(data, 'lat'),
          lng: requiredNumber(data, 'lng'),
          mapLink: stringField(data, 'map_link'),
          desc: stringField(data, 'desc'),
        },
      };
    case 'face':
      return { type, data: { ...parseEnvelope(data), symbol: requiredString(data, 'symbol') } };
    case 'sound':
      return {
        type,
        data: {
          ...parseEnvelope(data),
          url: requiredString(data, 'url'),
          size: countField(data, 'size'),
          seconds: secondsField(data, 'seconds'),
        },
      };
    case 'image':
      return {
        type,
        data: {
          ...parseEnvelope(data),
          format: formatField(data, 'format'),
          size: countField(data, 'size'),
          width: countField(data, 'width', 0xffff_ffff),
          height: countField(data, 'height', 0xffff_ffff),
          iconUrl: stringField(data, 'icon_url'),
          bigUrl: requiredString(data, 'big_url'),
        },
      };
    case 'file':
      return {
        type,
        data: {
          ...parseEnvelope(data),
          size: countField(data, 'size'),
          name: stringField(data, 'name'),
          format: formatField(data, 'format'),
          thumbUrl: stringField(data, 'thumb_url'),
          url: requiredString(data, 'url'),
        },
      };
    case 'video':
      return {
        type,
        data: {
          ...parseEnvelope(data),
          size: countField(data, 'size'),
          seconds: secondsField(data, 'seconds'),
          url: requiredString(data, 'url'),
          format: formatField(data, 'format'),
          thumbUrl: stringField(data, 'thumb_url'),
          thumbSize: countField(data, 'thumb_size'),
          thumbWidth: countField(data, 'thumb_width', 0xffff_ffff),
          thumbHeight: countField(data, 'thumb_height', 0xffff_ffff),
          thumbFormat: formatField(data, 'thumb_format'),
        },
      };
    case 'ack':
      return {
        type,
        data: {
          receiverId: idField(data, 'receiver_id'),
          requestId: countField(data, 'request_id', 0xffff_ffff),
          messageId: idField(data, 'message_id'),
        },
      };
    default:
      throw new BadRequestError(
        `body type must be one of ${JIM_BODY_TYPES.join(', ')}, not ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type}`,
      );
  }
}

/** A message body (B101/B102/B103 from a client): any type but `ack`. */
export function parseJimMessage(bytes: Uint8Array): JimMessageBody {
  const body = parseJimBody(bytes);
  if (body.type === 'ack') throw new BadRequestError('an ack is sent by the server only');
  return body;
}

function envelopeJson(d: JimEnvelope): Record<string, unknown> {
  return {
    sender_id: d.senderId,
    sender_name: d.senderName,
    sender_avatar: d.senderAvatar,
    receiver_id: d.receiverId,
  };
}

/**
 * The seed's JSON for a body. Image sizes and urls are written under both spellings (`"size"` and
 * the seed's `"size "`), so clients built on either read them.
 */
export function encodeJimBody(body: JimBody): Uint8Array {
  return toBytes({ type: body.type, data: bodyDataJson(body) });
}

function bodyDataJson(body: JimBody): Record<string, unknown> {
  switch (body.type) {
    case 'text': {
      const out = { ...envelopeJson(body.data), content: body.data.content };
      return body.data.code === undefined ? out : { ...out, code: body.data.code };
    }
    case 'location': {
      const d = body.data;
      return {
        ...envelopeJson(d),
        cover_image: d.coverImage,
        lat: d.lat,
        lng: d.lng,
        map_link: d.mapLink,
        desc: d.desc,
      };
    }
    case 'face':
      return { ...envelopeJson(body.data), symbol: body.data.symbol };
    case 'sound': {
      const d = body.data;
      return { ...envelopeJson(d), url: d.url, size: d.size, seconds: d.seconds };
    }
    case 'image': {
      const d = body.data;
      return {
        ...envelopeJson(d),
        format: d.format,
        size: d.size,
        width: d.width,
        height: d.height,
        icon_url: d.iconUrl,
        big_url: d.bigUrl,
        'size ': d.size,
        'width ': d.width,
        'height ': d.height,
        'icon_url ': d.iconUrl,
        'big_url ': d.bigUrl,
      };
    }
    case 'file': {
      const d = body.data;
      return {
        ...envelopeJson(d),
        size: d.size,
        name: d.name,
        format: d.format,
        thumb_url: d.thumbUrl,
        url: d.url,
      };
    }
    case 'video': {
      const d = body.data;
      return {
        ...envelopeJson(d),
        size: d.size,
        seconds: d.seconds,
        url: d.url,
        format: d.format,
        thumb_url: d.thumbUrl,
        thumb_size: d.thumbSize,
        thumb_width: d.thumbWidth,
        thumb_height: d.thumbHeight,
        thumb_format: d.thumbFormat,
      };
    }
    case 'ack':
      return {
        receiver_id: body.data.receiverId,
        request_id: body.data.requestId,
        message_id: body.data.messageId,
      };
  }
}

/** Client ids become part of a dedup key and a device id: printable ASCII, at most 48. */
const CLIENT_ID = /^[\x21-\x7e]{0,48}$/;

export function parseJimAuth(bytes: Uint8Array): JimAuthRequest {
  const json = parseJimJson(bytes);
  assertObject(json, 'body');
  const clientId = idField(json, 'client_id');
  if (!CLIENT_ID.test(clientId)) {
    throw new BadRequestError('client_id must be at most 48 printable ASCII characters');
  }
  const token = requiredString(json, 'token');
  return { clientId, token };
}

export function encodeJimAuth(auth: JimAuthRequest): Uint8Array {
  return toBytes({ client_id: auth.clientId, token: auth.token });
}

export function parseJimAuthOk(bytes: Uint8Array): JimAuthOk {
  const json = parseJimJson(bytes);
  assertObject(json, 'body');
  return { userId: idField(json, 'user_id'), username: stringField(json, 'username') };
}

export function encodeJimAuthOk(ok: JimAuthOk): Uint8Array {
  return toBytes({ user_id: ok.userId, username: ok.username });
}

export function parseJimStatus(bytes: Uint8Array): JimStatusBody {
  const json = parseJimJson(bytes);
  assertObject(json, 'body');
  return { code: countField(json, 'code', 255), message: stringField(json, 'message') };
}

export function encodeJimStatus(status: JimStatusBody): Uint8Array {
  return toBytes({ code: status.code, message: status.message });
}
