import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { BadRequestError, type Conversation } from '@parley/protocol';
import type { ConversationRef } from '../../core/conversation-id.js';

/** Helpers shared by the native handlers: body decoding with a clear error, replies, refs. */
export interface NativeReply {
  readonly body: Uint8Array;
  /** LOGOUT: answer, then close. */
  readonly closeAfter?: boolean;
}

export function decode<Desc extends DescMessage>(schema: Desc, body: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, body);
  } catch {
    throw new BadRequestError(`body is not a valid ${schema.typeName}`);
  }
}

export function reply<Desc extends DescMessage>(schema: Desc, value: MessageShape<Desc>): NativeReply {
  return { body: toBinary(schema, value) };
}

export function ref(conversation: Conversation | undefined): ConversationRef {
  if (conversation === undefined) throw new BadRequestError('conversation is missing');
  return { type: conversation.type, target: conversation.target };
}

export function seqNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadRequestError('seq out of range');
  return Number(value);
}

/**
 * The bytes of the one occurrence of length-delimited field `field` at the top level of a message
 * `body` that decoded, copied out; undefined when it is absent, occurs twice (protobuf merges the
 * occurrences of a message field, so no single one is the value) or anything unusual is in the way.
 */
export function soleEmbeddedField(body: Uint8Array, field: number): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  let at = 0;
  while (at < body.length) {
    const tag = readVarint(body, at);
    if (tag === undefined) return undefined;
    at = tag.end;
    const wireType = tag.value % 8;
    const number = Math.floor(tag.value / 8);
    let end: number;
    if (wireType === 0) {
      // A value (up to 10 bytes): only its end matters.
      end = at;
      while (end < body.length && end - at < 10 && (body[end] ?? 0) >= 0x80) end += 1;
      end += 1;
    } else if (wireType === 1) {
      end = at + 8;
    } else if (wireType === 5) {
      end = at + 4;
    } else if (wireType === 2) {
      const length = readVarint(body, at);
      if (length === undefined) return undefined;
      at = length.end;
      end = at + length.value;
      if (number === field) {
        if (found !== undefined || end > body.length) return undefined;
        found = body.slice(at, end);
      }
    } else {
      return undefined; // groups: never written by Parley's clients
    }
    if (end > body.length) return undefined;
    at = end;
  }
  return found;
}

/** A varint of at most 7 bytes (below 2^49: lengths and tags), or undefined. */
function readVarint(bytes: Uint8Array, at: number): { value: number; end: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7 && at + i < bytes.length; i++) {
    const byte = bytes[at + i] ?? 0;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, end: at + i + 1 };
    scale *= 0x80;
  }
  return undefined;
}
