import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  Command,
  ContentType,
  ConversationStateSchema,
  ConversationType,
  Flow,
  MessageContentSchema,
  MessageSchema,
  NotifySchema,
  ReadNoticeSchema,
  encodeFrame,
  makeFlags,
  type ConversationState as WireConversationState,
  type Message,
} from '@parley/protocol';
import { conversationRefFor } from '../../core/conversation-id.js';
import type { PushEvent } from '../../core/session.js';
import type { ConversationState, StoredMessage, UserId } from '../../core/types.js';

/** Core records as native protobuf bodies, from the point of view of `viewer`. */
export function messageToWire(message: StoredMessage, viewer: UserId, senderName = ''): Message {
  const conversation = conversationRefFor(viewer, message.conversationId);
  const fromSender = conversationRefFor(message.senderId, message.conversationId);
  return create(MessageSchema, {
    messageId: message.id,
    messageContent: fromBinary(MessageContentSchema, message.content),
    conversation,
    from: String(message.senderId),
    to: fromSender.target,
    seq: BigInt(message.seq),
    clientMsgId: message.clientMsgId,
    senderId: message.senderId,
    senderDevice: message.senderDevice,
    serverTime: BigInt(message.serverTime),
    flags: message.flags,
    senderName,
  });
}

export function stateToWire(state: ConversationState, viewer: UserId): WireConversationState {
  return create(ConversationStateSchema, {
    conversation: conversationRefFor(viewer, state.conversationId),
    maxSeq: BigInt(state.maxSeq),
    readSeq: BigInt(state.readSeq),
    unread: BigInt(Math.max(0, state.maxSeq - state.readSeq)),
    joinSeq: BigInt(state.joinSeq),
  });
}

function notifyFrame(command: number, body: Uint8Array): Uint8Array {
  return encodeFrame({ seq: 0, command, flag: makeFlags(Flow.NOTIFY), status: 0, body });
}

/**
 * Push frames are encoded once per event and per point of view, then the same bytes are written
 * to every connection that shares that view (DESIGN §12). For a SINGLE conversation there are two
 * views (the two members); for groups one.
 */
const pushCache = new WeakMap<PushEvent, Map<string, Uint8Array>>();

export function pushFrame(event: PushEvent, viewer: UserId): Uint8Array {
  const conversationId = event.kind === 'message' ? event.message.conversationId : event.conversationId;
  const view = conversationRefFor(viewer, conversationId);
  const key = view.type === ConversationType.SINGLE ? view.target : '';
  let views = pushCache.get(event);
  if (views === undefined) {
    views = new Map();
    pushCache.set(event, views);
  }
  const cached = views.get(key);
  if (cached !== undefined) return cached;
  let body: Uint8Array;
  switch (event.kind) {
    case 'message':
      body = toBinary(MessageSchema, messageToWire(event.message, viewer, event.senderName));
      break;
    case 'notify':
      return notifyFrameFor(
        Command.MN,
        toBinary(NotifySchema, create(NotifySchema, { conversation: view, maxSeq: BigInt(event.maxSeq) })),
        views,
        key,
      );
    case 'read':
      return notifyFrameFor(
        Command.READ,
        toBinary(
          ReadNoticeSchema,
          create(ReadNoticeSchema, {
            conversation: view,
            userId: event.userId,
            readSeq: BigInt(event.readSeq),
          }),
        ),
        views,
        key,
      );
    case 'typing':
      body = toBinary(
        MessageSchema,
        create(MessageSchema, {
          conversation: view,
          from: String(event.userId),
          senderId: event.userId,
          senderDevice: event.deviceId,
          messageContent: { contentType: ContentType.TYPING },
        }),
      );
      break;
  }
  return notifyFrameFor(Command.MPS, body, views, key);
}

function notifyFrameFor(
  command: number,
  body: Uint8Array,
  views: Map<string, Uint8Array>,
  key: string,
): Uint8Array {
  const frame = notifyFrame(command, body);
  views.set(key, frame);
  return frame;
}

export { notifyFrame };
