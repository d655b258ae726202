import type { ConversationType } from '@parley/protocol';

/** User ids and message ids are 64-bit snowflakes: bigint in code, uint64 on the wire. */
export type UserId = bigint;
export type MessageId = bigint;

/**
 * Conversation keys are strings, unique across types: `s:<lo>:<hi>` for a SINGLE conversation
 * between two user ids (lo < hi), `g:<id>` for a group, `r:<name>` for a chatroom.
 */
export type ConversationId = string;

export interface UserRecord {
  readonly id: UserId;
  readonly username: string;
  readonly displayName: string;
  readonly avatarUrl: string;
  readonly passwordHash: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** When the user's last device went offline (0 = never seen). */
  readonly lastSeenAt: number;
  /** Banned by an admin until then (ms since the epoch; 0 = not banned): no login, no session. */
  readonly bannedUntil: number;
  /** Muted by an admin until then (0 = not muted): sends nothing, in any conversation. */
  readonly mutedUntil: number;
}

/** An admin's ban and mute of a user (times in ms since the epoch; 0 lifts it). */
export interface RestrictionPatch {
  readonly bannedUntil?: number;
  readonly mutedUntil?: number;
}

/** Totals over the whole store, for the admin's stats. */
export interface StoreTotals {
  readonly users: number;
  /** By conversation type. */
  readonly conversations: { readonly single: number; readonly group: number; readonly chatroom: number };
  /** Messages ever stored (every conversation's head seq, added up). */
  readonly messages: number;
}

export interface NewUser {
  readonly id: UserId;
  readonly username: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly createdAt: number;
}

/** A login token; only its SHA-256 is stored. */
export interface TokenRecord {
  readonly tokenHash: string;
  readonly userId: UserId;
  readonly deviceId: string;
  readonly platform: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

/** A member's role in a group (chatrooms and SINGLE conversations only have MEMBER). */
export const MemberRole = { MEMBER: 0, ADMIN: 1, OWNER: 2 } as const;
export type MemberRole = (typeof MemberRole)[keyof typeof MemberRole];

/** Group (and chatroom) profile and switches; SINGLE conversations keep the defaults. */
export interface ConversationProfile {
  readonly name: string;
  readonly avatarUrl: string;
  readonly notice: string;
  /** The group owner; null for SINGLE and chatrooms. */
  readonly ownerId: UserId | null;
  /** A dismissed group accepts no messages and no changes. */
  readonly dismissed: boolean;
  /** Only the owner and admins may send. */
  readonly muteAll: boolean;
}

export interface ConversationRecord extends ConversationProfile {
  readonly id: ConversationId;
  readonly type: ConversationType;
  readonly maxSeq: number;
  readonly createdAt: number;
  readonly memberCount: number;
}

export type ConversationPatch = Partial<ConversationProfile>;

export interface NewMember {
  readonly userId: UserId;
  readonly role: MemberRole;
}

export interface NewConversation {
  readonly id: ConversationId;
  readonly type: ConversationType;
  readonly createdAt: number;
  /** Members added with joinSeq = the conversation's current maxSeq + 1 (1 for a new one). */
  readonly members: readonly NewMember[];
  /** Defaults: empty strings, no owner, not dismissed, not muted. */
  readonly profile?: Partial<ConversationProfile>;
}

export interface MemberRecord {
  readonly userId: UserId;
  readonly role: MemberRole;
  readonly joinSeq: number;
  readonly readSeq: number;
  /** Milliseconds since the epoch until which the member may not send; 0 = not muted. */
  readonly mutedUntil: number;
}

export interface MemberPatch {
  readonly role?: MemberRole;
  readonly mutedUntil?: number;
}

/** Recall and edit rewrite a stored message in place (the events are stored separately). */
export interface MessagePatch {
  readonly flags: number;
  readonly contentType: number;
  readonly content: Uint8Array;
  readonly searchText: string;
}

export interface StoredMessage {
  readonly id: MessageId;
  readonly conversationId: ConversationId;
  readonly seq: number;
  readonly senderId: UserId;
  readonly senderDevice: string;
  readonly clientMsgId: string;
  readonly contentType: number;
  /** The MessageContent protobuf, stored as received (after validation). */
  readonly content: Uint8Array;
  /** Plain text used by search; empty for content without text. */
  readonly searchText: string;
  readonly serverTime: number;
  readonly flags: number;
}

export interface NewMessage extends Omit<StoredMessage, 'seq' | 'flags'> {
  /**
   * Members whose conversation state gets a mention flag at this message's seq (stored in the same
   * transaction). `mentionAll` flags every member but the sender.
   */
  readonly mentions?: readonly UserId[];
  readonly mentionAll?: boolean;
}

/** One direction of a contact relation; a pair of rows describes a relation. */
export const ContactState = {
  /** I asked them to be friends. */
  REQUESTED: 1,
  /** They asked me. */
  PENDING: 2,
  FRIENDS: 3,
} as const;
export type ContactState = (typeof ContactState)[keyof typeof ContactState];

export interface ContactRecord {
  readonly userId: UserId;
  readonly peerId: UserId;
  readonly state: ContactState;
  /** The request's note, if any. */
  readonly note: string;
  readonly updatedAt: number;
}

export interface ProfilePatch {
  readonly displayName?: string;
  readonly avatarUrl?: string;
}

/** A member's own switches for one conversation (they affect nobody else). */
export interface MembershipSettings {
  readonly pinned?: boolean;
  /** Notifications off; messages still arrive. */
  readonly muted?: boolean;
  /**
   * "Delete for me": the conversation is hidden from the list while its maxSeq <= hiddenSeq, so a
   * new message brings it back without a write per message.
   */
  readonly hiddenSeq?: number;
}

export interface SearchHit {
  readonly message: StoredMessage;
}

export interface AppendResult {
  readonly message: StoredMessage;
  /** True when (senderId, clientMsgId) was already stored: `message` is the original. */
  readonly duplicate: boolean;
}

/** A member's view of one conversation. */
export interface ConversationState {
  readonly conversationId: ConversationId;
  readonly type: ConversationType;
  readonly maxSeq: number;
  readonly readSeq: number;
  readonly joinSeq: number;
  readonly role: MemberRole;
  readonly mutedUntil: number;
  /** The latest seq that mentioned this member (0 = none); flagged while > readSeq. */
  readonly mentionSeq: number;
  readonly pinned: boolean;
  readonly muted: boolean;
  readonly hiddenSeq: number;
}

export const PullDirection = { FORWARD: 'forward', BACKWARD: 'backward' } as const;
export type PullDirection = (typeof PullDirection)[keyof typeof PullDirection];
