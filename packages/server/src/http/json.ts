import { fromBinary, fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import {
  BadRequestError,
  ConversationType,
  MessageContentSchema,
  MessageFlag,
  type MessageContent,
} from '@parley/protocol';
import { conversationRefFor, type ConversationRef } from '../core/conversation-id.js';
import type { ConversationListEntry } from '../core/conversation-service.js';
import type { PublicProfile } from '../core/user-service.js';
import {
  ContactState,
  type ContactRecord,
  type ConversationRecord,
  type ConversationState,
  type MemberRecord,
  type StoredMessage,
  type UserId,
  type UserRecord,
} from '../core/types.js';

/** Converters from core records to the API's JSON (64-bit ids as decimal strings). */

export type Kind = 'single' | 'group' | 'chatroom';

const KIND_TYPE: Record<Kind, number> = {
  single: ConversationType.SINGLE,
  group: ConversationType.GROUP,
  chatroom: ConversationType.CHATROOM,
};

export function refOf(type: Kind, target: string): ConversationRef {
  return { type: KIND_TYPE[type], target };
}

function kindOf(type: number): Kind {
  if (type === ConversationType.GROUP) return 'group';
  if (type === ConversationType.CHATROOM) return 'chatroom';
  return 'single';
}

export function refJson(viewer: UserId, conversationId: string): { type: Kind; target: string } {
  const ref = conversationRefFor(viewer, conversationId);
  return { type: kindOf(ref.type), target: ref.target };
}

export function userJson(user: UserRecord) {
  return {
    userId: String(user.id),
    username: user.username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
    createdAt: user.createdAt,
  };
}

export function profileJson(profile: PublicProfile) {
  return { ...userJson(profile.user), online: profile.online, lastSeenAt: profile.lastSeenAt };
}

/** Message content from the API's JSON (the protobuf JSON form); unknown fields are refused. */
export function contentFromJson(json: unknown): MessageContent {
  try {
    return fromJson(MessageContentSchema, json as JsonValue);
  } catch (err) {
    throw new BadRequestError(`bad content: ${(err as Error).message}`);
  }
}

export function contentJson(bytes: Uint8Array): JsonValue {
  return toJson(MessageContentSchema, fromBinary(MessageContentSchema, bytes));
}

export function messageJson(viewer: UserId, m: StoredMessage) {
  return {
    messageId: String(m.id),
    conversation: refJson(viewer, m.conversationId),
    seq: m.seq,
    senderId: String(m.senderId),
    senderDevice: m.senderDevice,
    clientMsgId: m.clientMsgId,
    contentType: m.contentType,
    content: contentJson(m.content),
    serverTime: m.serverTime,
    recalled: (m.flags & MessageFlag.RECALLED) !== 0,
    edited: (m.flags & MessageFlag.EDITED) !== 0,
  };
}

const ROLE_NAMES = ['member', 'admin', 'owner'] as const;

export function roleName(role: number): string {
  return ROLE_NAMES[role] ?? 'member';
}

export function stateJson(viewer: UserId, s: ConversationState) {
  return {
    conversation: refJson(viewer, s.conversationId),
    maxSeq: s.maxSeq,
    readSeq: s.readSeq,
    joinSeq: s.joinSeq,
    role: roleName(s.role),
    mutedUntil: s.mutedUntil,
    pinned: s.pinned,
    muted: s.muted,
  };
}

export function conversationEntryJson(viewer: UserId, e: ConversationListEntry) {
  return {
    ...stateJson(viewer, e.state),
    name: e.name,
    avatarUrl: e.avatarUrl,
    unread: e.unread,
    mentioned: e.mentioned,
    lastMessage: e.lastMessage === undefined ? null : messageJson(viewer, e.lastMessage),
  };
}

export function groupJson(g: ConversationRecord) {
  return {
    groupId: g.id.slice(2),
    name: g.name,
    avatarUrl: g.avatarUrl,
    notice: g.notice,
    ownerId: g.ownerId === null ? null : String(g.ownerId),
    dismissed: g.dismissed,
    muteAll: g.muteAll,
    maxSeq: g.maxSeq,
    memberCount: g.memberCount,
    createdAt: g.createdAt,
  };
}

export function roomJson(r: ConversationRecord) {
  return { name: r.id.slice(2), maxSeq: r.maxSeq, memberCount: r.memberCount, createdAt: r.createdAt };
}

export function memberJson(m: MemberRecord) {
  return {
    userId: String(m.userId),
    role: roleName(m.role),
    joinSeq: m.joinSeq,
    readSeq: m.readSeq,
    mutedUntil: m.mutedUntil,
  };
}

const CONTACT_NAMES: Record<number, string> = {
  [ContactState.REQUESTED]: 'requested',
  [ContactState.PENDING]: 'pending',
  [ContactState.FRIENDS]: 'friends',
};

export const CONTACT_STATES: Record<string, ContactState> = {
  requested: ContactState.REQUESTED,
  pending: ContactState.PENDING,
  friends: ContactState.FRIENDS,
};

export function contactJson(c: ContactRecord) {
  return {
    peerId: String(c.peerId),
    state: CONTACT_NAMES[c.state] ?? 'unknown',
    note: c.note,
    updatedAt: c.updatedAt,
  };
}
