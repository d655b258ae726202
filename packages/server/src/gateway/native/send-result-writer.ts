import type { ConversationRef } from '../../core/conversation-id.js';
import { scratch } from './proto-scratch-writer.js';

/** What an MS answer says (SendResult). */
export interface SendResultFields {
  readonly messageId: bigint;
  readonly seq: number;
  readonly serverTime: number;
  readonly clientMsgId: string;
  readonly conversation: ConversationRef;
  readonly duplicate: boolean;
}

/** `SendResult` bytes, written by hand (see ProtoScratchWriter): the answer to every MS. */
export function writeSendResult(result: SendResultFields): Uint8Array {
  const w = scratch;
  w.begin(0);
  w.uint64(1, result.messageId);
  w.uint(2, result.seq);
  w.int64(3, result.serverTime);
  w.string(4, result.clientMsgId);
  w.conversation(5, result.conversation);
  w.bool(6, result.duplicate);
  return w.finish();
}
