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

export interface ConversationRecord {
  readonly id: ConversationId;
  readonly type: ConversationType;
  readonly maxSeq: number;
  readonly createdAt: number;
}

export interface NewConversation {
  readonly id: ConversationId;
  readonly type: ConversationType;
  readonly createdAt: number;
  /** Members added with joinSeq = the conversation's current maxSeq + 1 (1 for a new one). */
  readonly members: readonly UserId[];
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

export type NewMessage = Omit<StoredMessage, 'seq' | 'flags'>;

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
}

export const PullDirection = { FORWARD: 'forward', BACKWARD: 'backward' } as const;
export type PullDirection = (typeof PullDirection)[keyof typeof PullDirection];
