import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  CallSignalSchema,
  Command,
  Compression,
  Encryption,
  ContentType,
  ConversationStateSchema,
  ConversationType,
  Flow,
  MessageContentSchema,
  MessageSchema,
  ContactNoticeSchema,
  NotifySchema,
  PresenceNoticeSchema,
  ReadNoticeSchema,
  HEADER_LENGTH,
  PROTOCOL_VERSION,
  encodeFrame,
  makeFlags,
  writeHeader,
  type ConversationState as WireConversationState,
  type Message,
} from '@parley/protocol';
import { conversationRefFor, type ConversationRef } from '../../core/conversation-id.js';
import type { ConversationListEntry } from '../../core/conversation-service.js';
import type { PushEvent } from '../../core/session.js';
import type { ConversationState, StoredMessage, UserId } from '../../core/types.js';
import { scratch } from './proto-scratch-writer.js';
import { writeStoredMessage } from './stored-message-writer.js';

/** Core records as native protobuf bodies, from the point of view of `viewer`. */
export function messageToWire(message: StoredMessage, viewer: UserId, senderName = ''): Message {
  const wire = envelopeToWire(message, viewer, senderName);
  wire.messageContent = fromBinary(MessageContentSchema, message.content);
  return wire;
}

/** Everything of a stored message's `Message` but its content. */
export function envelopeToWire(message: StoredMessage, viewer: UserId, senderName: string): Message {
  return create(MessageSchema, {
    messageId: message.id,
    conversation: conversationRefFor(viewer, message.conversationId),
    from: String(message.senderId),
    to: conversationRefFor(message.senderId, message.conversationId).target,
    seq: BigInt(message.seq),
    clientMsgId: message.clientMsgId,
    senderId: message.senderId,
    senderDevice: message.senderDevice,
    serverTime: BigInt(message.serverTime),
    flags: message.flags,
    senderName,
  });
}

/**
 * PullResponse bytes from stored messages (see writeStoredMessage), written with the same scratch
 * writer in field order: messages (1), has_more (2), max_seq (3).
 */
export function encodePullResponse(
  messages: readonly StoredMessage[],
  viewer: UserId,
  hasMore: boolean,
  maxSeq: number,
): Uint8Array {
  // Each message is copied out of the scratch buffer before the response is written into it.
  const parts = messages.map((m) => writeStoredMessage(m, viewer, ''));
  scratch.begin(0);
  for (const part of parts) scratch.bytes(1, part);
  scratch.bool(2, hasMore);
  scratch.uint(3, maxSeq);
  return scratch.finish();
}

/** A conversation-list entry: the state plus what the list shows. */
export function entryToWire(entry: ConversationListEntry, viewer: UserId): WireConversationState {
  const wire = stateToWire(entry.state, viewer);
  wire.mentioned = entry.mentioned;
  wire.name = entry.name;
  wire.avatarUrl = entry.avatarUrl;
  if (entry.lastMessage !== undefined) wire.lastMessage = messageToWire(entry.lastMessage, viewer);
  return wire;
}

export function stateToWire(state: ConversationState, viewer: UserId): WireConversationState {
  return create(ConversationStateSchema, {
    conversation: conversationRefFor(viewer, state.conversationId),
    maxSeq: BigInt(state.maxSeq),
    readSeq: BigInt(state.readSeq),
    unread: BigInt(Math.max(0, state.maxSeq - state.readSeq)),
    joinSeq: BigInt(state.joinSeq),
    mentioned: state.mentionSeq > state.readSeq,
    pinned: state.pinned,
    muted: state.muted,
  });
}

export function notifyFrame(command: number, body: Uint8Array): Uint8Array {
  return encodeFrame({ seq: 0, command, flag: makeFlags(Flow.NOTIFY), status: 0, body });
}

/**
 * Push frames are encoded once per event and per point of view, then the same bytes are written
 * to every connection that shares that view (DESIGN §12). For a SINGLE conversation there are two
 * views (the two members); for groups, and for events about a user, one.
 */
const pushCache = new WeakMap<PushEvent, Map<string, Uint8Array>>();

export function pushFrame(event: PushEvent, viewer: UserId): Uint8Array {
  const view = conversationView(event, viewer);
  const key = view?.type === ConversationType.SINGLE ? view.target : '';
  let views = pushCache.get(event);
  if (views === undefined) {
    views = new Map();
    pushCache.set(event, views);
  }
  let frame = views.get(key);
  if (frame === undefined) {
    frame = encodePush(event, viewer, view);
    views.set(key, frame);
  }
  return frame;
}

function conversationView(event: PushEvent, viewer: UserId): ConversationRef | undefined {
  switch (event.kind) {
    case 'message':
      return conversationRefFor(viewer, event.message.conversationId);
    case 'notify':
    case 'read':
    case 'typing':
      return conversationRefFor(viewer, event.conversationId);
    case 'presence':
    case 'contact':
    case 'call':
    case 'resync':
      return undefined;
  }
}

function encodePush(event: PushEvent, viewer: UserId, view: ConversationRef | undefined): Uint8Array {
  switch (event.kind) {
    case 'message': {
      // End-to-end content is pushed with encryption bits 3 (an AES session re-flags it to 1).
      const endToEnd = event.message.contentType === ContentType.ENCRYPTED;
      // The body is written after room for the header: the frame is one buffer, copied once.
      const frame = writeStoredMessage(event.message, viewer, event.senderName, HEADER_LENGTH);
      writeHeader(frame, 0, {
        length: frame.length - HEADER_LENGTH,
        version: PROTOCOL_VERSION,
        seq: 0,
        command: Command.MPS,
        flag: makeFlags(Flow.NOTIFY, Compression.NONE, endToEnd ? Encryption.END_TO_END : Encryption.NONE),
        status: 0,
      });
      return frame;
    }
    case 'notify':
      return notifyFrame(
        Command.MN,
        toBinary(NotifySchema, create(NotifySchema, { conversation: view, maxSeq: BigInt(event.maxSeq) })),
      );
    case 'read':
      return notifyFrame(
        Command.READ,
        toBinary(
          ReadNoticeSchema,
          create(ReadNoticeSchema, {
            conversation: view,
            userId: event.userId,
            readSeq: BigInt(event.readSeq),
          }),
        ),
      );
    case 'typing':
      return notifyFrame(
        Command.MPS,
        toBinary(
          MessageSchema,
          create(MessageSchema, {
            conversation: view,
            from: String(event.userId),
            senderId: event.userId,
            senderDevice: event.deviceId,
            messageContent: { contentType: ContentType.TYPING },
          }),
        ),
      );
    case 'resync':
      return notifyFrame(Command.SYNC, new Uint8Array(0));
    case 'call':
      return notifyFrame(
        Command.CALL,
        toBinary(
          CallSignalSchema,
          create(CallSignalSchema, {
            callId: event.callId,
            peerId: event.fromUserId,
            kind: event.signal,
            media: event.media,
            payload: event.payload,
            fromDevice: event.fromDevice,
          }),
        ),
      );
    case 'presence':
      return notifyFrame(
        Command.PRESENCE,
        toBinary(
          PresenceNoticeSchema,
          create(PresenceNoticeSchema, {
            userId: event.userId,
            online: event.online,
            lastSeenAt: BigInt(event.lastSeenAt),
          }),
        ),
      );
    case 'contact':
      return notifyFrame(
        Command.CONTACT_NOTICE,
        toBinary(
          ContactNoticeSchema,
          create(ContactNoticeSchema, {
            contact: {
              userId: event.peerId,
              state: event.state,
              note: event.note,
              updatedAt: BigInt(event.updatedAt),
            },
          }),
        ),
      );
  }
}
