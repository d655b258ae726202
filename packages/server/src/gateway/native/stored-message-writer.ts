import { conversationRefFor } from '../../core/conversation-id.js';
import type { StoredMessage, UserId } from '../../core/types.js';
import { scratch } from './proto-scratch-writer.js';

/**
 * `Message` bytes of a stored message, written by hand (see ProtoScratchWriter): the body of every
 * push and pulled message. Fields 1, 3-12 in order, then the stored content as field 2, unparsed;
 * protobuf readers take fields in any order. proto-scratch-writer.test.ts holds it to toBinary.
 *
 * `room` bytes are left free at the start for the caller (a frame header).
 */
export function writeStoredMessage(
  message: StoredMessage,
  viewer: UserId,
  senderName: string,
  room = 0,
): Uint8Array {
  const w = scratch;
  w.begin(room);
  w.uint64(1, message.id);
  w.conversation(3, conversationRefFor(viewer, message.conversationId));
  w.string(4, String(message.senderId));
  w.string(5, conversationRefFor(message.senderId, message.conversationId).target);
  w.uint(6, message.seq);
  w.string(7, message.clientMsgId);
  w.uint64(8, message.senderId);
  w.string(9, message.senderDevice);
  w.int64(10, message.serverTime);
  w.uint(11, message.flags);
  w.string(12, senderName);
  w.bytes(2, message.content);
  return w.finish();
}
