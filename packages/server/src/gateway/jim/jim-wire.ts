import { fromBinary } from '@bufbuild/protobuf';
import {
  ConversationType,
  JimCommand,
  MessageContentSchema,
  MessageFlag,
  encodeJimBody,
  encodeJimFrame,
  encodeJimStatus,
  type JimEnvelope,
} from '@parley/protocol';
import { conversationRefFor, type ConversationRef } from '../../core/conversation-id.js';
import type { StoredMessage } from '../../core/types.js';
import { contentToJim, readableLine } from './jim-content.js';
import type { JimSenderProfile } from './jim-profiles.js';

/** Frames the server writes, as bytes. Pushes carry request id 0. */

export function jimFrame(command: string, requestId: number, body: Uint8Array): Uint8Array {
  return encodeJimFrame({ command, requestId, body });
}

/** A close (A999) with a status code from the shared table (0 = OK) and the reason. */
export function closeFrame(code: number, message: string): Uint8Array {
  return jimFrame(JimCommand.SERVER_CLOSE, 0, encodeJimStatus({ code, message }));
}

/** A system notice (B103): a text body from `envelope`, with a status code when it is an error. */
export function noticeFrame(
  requestId: number,
  envelope: JimEnvelope,
  content: string,
  code?: number,
): Uint8Array {
  const data = code === undefined ? { ...envelope, content } : { ...envelope, content, code };
  return jimFrame(JimCommand.PUSH, requestId, encodeJimBody({ type: 'text', data }));
}

/** The notice envelope of the server itself. */
export function serverEnvelope(receiverId: string): JimEnvelope {
  return { senderId: '0', senderName: 'system', senderAvatar: '', receiverId };
}

/** A receiver_id for a conversation reference: chatrooms are `#name`. */
export function receiverIdOf(ref: ConversationRef): string {
  return ref.type === ConversationType.CHATROOM ? `#${ref.target}` : ref.target;
}

/**
 * A stored message as Jim sees it: B101 (direct) or B102 (group, chatroom) with the seed's body
 * and the sender filled in by the server; content Jim has no type for, and recalled messages, as a
 * B103 notice. The same bytes serve every viewer: receiver_id is the target as the sender named
 * it (the peer, or the group).
 */
export function messageFrame(
  message: StoredMessage,
  profile: JimSenderProfile,
  fallbackName: string,
): Uint8Array {
  const ref = conversationRefFor(message.senderId, message.conversationId);
  const senderName = profile.name !== '' ? profile.name : fallbackName;
  const envelope: JimEnvelope = {
    senderId: String(message.senderId),
    senderName,
    senderAvatar: profile.avatar,
    receiverId: receiverIdOf(ref),
  };
  if ((message.flags & MessageFlag.RECALLED) !== 0) {
    return noticeFrame(0, envelope, `${senderName} recalled a message`);
  }
  const content = fromBinary(MessageContentSchema, message.content);
  const body = contentToJim(content, envelope);
  if (body === undefined) return noticeFrame(0, envelope, readableLine(content));
  const command = ref.type === ConversationType.SINGLE ? JimCommand.C2C : JimCommand.C2G;
  return jimFrame(command, 0, encodeJimBody(body));
}
