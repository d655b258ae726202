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
