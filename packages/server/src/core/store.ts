import type { LedgerStore } from './ledger-store.js';
import type { UserKeyStore } from './user-key-store.js';
import type { ConversationType } from '@parley/protocol';
import type {
  AppendResult,
  ContactRecord,
  ContactState,
  ConversationId,
  ConversationRecord,
  ConversationPatch,
  ConversationState,
  MemberPatch,
  MemberRecord,
  MembershipSettings,
  MessageId,
  MessagePatch,
  NewConversation,
  NewMember,
  NewMessage,
  NewUser,
  ProfilePatch,
  RestrictionPatch,
  StoreTotals,
  PullDirection,
  StoredMessage,
  TokenRecord,
  UserId,
  UserRecord,
} from './types.js';

/**
 * The persistence port. SqliteStore and PostgresStore implement it and both pass the one contract
 * suite in packages/testkit (store-contract.ts). Every method is atomic on its own.
 */
export interface Store {
  /** Balances, their ledger and red packets, on this store's database and connections. */
  readonly ledger: LedgerStore;
  /** Published end-to-end public keys, on this store's database. */
  readonly userKeys: UserKeyStore;
  /**
   * True when appends commit in the order appendMessage was called (one writer queue, as
   * SqliteStore's group commit): a sender's next message may then be handed over before the
   * previous one committed. Otherwise each waits for the previous commit.
   */
  readonly appendsInCallOrder?: boolean;
  /** Applies pending versioned migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Throws ConflictError when the username is taken (case-insensitive). */
  createUser(user: NewUser): Promise<UserRecord>;
  getUserById(id: UserId): Promise<UserRecord | undefined>;
  /** Case-insensitive. */
  getUserByUsername(username: string): Promise<UserRecord | undefined>;
  /** The ids among `ids` that belong to users (any order). */
  existingUserIds(ids: readonly UserId[]): Promise<UserId[]>;
  /** Throws NotFoundError if missing. */
  updateProfile(id: UserId, patch: ProfilePatch): Promise<UserRecord>;
  /** Sets the given ban and mute times (the others stay); throws NotFoundError if missing. */
  restrictUser(id: UserId, patch: RestrictionPatch): Promise<UserRecord>;
  totals(): Promise<StoreTotals>;
  setLastSeen(id: UserId, at: number): Promise<void>;
  /**
   * Users whose username starts with `query` or whose display name contains it
   * (case-insensitive), ordered by username, at most `limit`.
   */
  searchUsers(query: string, limit: number): Promise<UserRecord[]>;

  /** Both directions of a relation at once: (a → b, aState) and (b → a, bState). */
  putContactPair(
    a: UserId,
    b: UserId,
    aState: ContactState,
    bState: ContactState,
    note: string,
    at: number,
  ): Promise<void>;
  /** Removes both directions; returns whether anything was removed. */
  deleteContactPair(a: UserId, b: UserId): Promise<boolean>;
  getContact(userId: UserId, peerId: UserId): Promise<ContactRecord | undefined>;
  /** The user's contacts in the given states (all when omitted), ordered by peer id. */
  listContacts(userId: UserId, states?: readonly ContactState[]): Promise<ContactRecord[]>;
  /** userId blocks blockedId (idempotent). */
  block(userId: UserId, blockedId: UserId, at: number): Promise<void>;
  unblock(userId: UserId, blockedId: UserId): Promise<void>;
  /** True when `blocker` blocks `userId`. */
  isBlocked(blocker: UserId, userId: UserId): Promise<boolean>;
  listBlocked(userId: UserId): Promise<UserId[]>;

  createToken(token: TokenRecord): Promise<void>;
  getToken(tokenHash: string): Promise<TokenRecord | undefined>;
  /** Sets revokedAt if the token is not already revoked. */
  revokeToken(tokenHash: string, at: number): Promise<void>;

  /**
   * Creates the conversation and its memberships if missing; existing members are kept. Throws
   * ConflictError when the id exists with another type.
   */
  ensureConversation(conversation: NewConversation): Promise<void>;
  /** Throws ConflictError if the id exists. Members are added in the same transaction. */
  createConversation(conversation: NewConversation): Promise<ConversationRecord>;
  /** Throws NotFoundError if missing. */
  updateConversation(id: ConversationId, patch: ConversationPatch): Promise<ConversationRecord>;
  /** Conversations of one type ordered by id, after `afterId` ('' = from the start). */
  listConversations(
    type: ConversationType,
    afterId: ConversationId,
    limit: number,
  ): Promise<ConversationRecord[]>;

  /**
   * Adds the members that are not members yet, with joinSeq = maxSeq + 1 and readSeq = maxSeq;
   * returns the ids actually added. Must handle thousands of members in one call.
   */
  addMembers(id: ConversationId, members: readonly NewMember[]): Promise<UserId[]>;
  /** Removes memberships; returns the ids that were members. */
  removeMembers(id: ConversationId, userIds: readonly UserId[]): Promise<UserId[]>;
  /** Throws NotFoundError when the user is not a member. */
  updateMember(id: ConversationId, userId: UserId, patch: MemberPatch): Promise<void>;
  /** Members ordered by user id, after `afterUserId` (0n = from the start). */
  listMembers(id: ConversationId, afterUserId: UserId, limit: number): Promise<MemberRecord[]>;
  getConversation(id: ConversationId): Promise<ConversationRecord | undefined>;
  getMemberIds(id: ConversationId): Promise<UserId[]>;
  /** The user's membership, or undefined if the user is not a member. */
  getConversationState(userId: UserId, id: ConversationId): Promise<ConversationState | undefined>;
  /** Every conversation the user is a member of. */
  listConversationStates(userId: UserId): Promise<ConversationState[]>;
  /** Throws NotFoundError when the user is not a member. */
  updateMembershipSettings(userId: UserId, id: ConversationId, settings: MembershipSettings): Promise<void>;
  /** The newest message of each listed conversation that has one. */
  lastMessages(ids: readonly ConversationId[]): Promise<StoredMessage[]>;
  /**
   * The users who share at least one conversation of at most `maxMembers` members with `userId`
   * (not including itself). The bound keeps presence away from big groups and chatrooms.
   */
  conversationPeers(userId: UserId, maxMembers: number): Promise<UserId[]>;

  /**
   * Full-text search (SQLite FTS5 / PostgreSQL tsvector) over the search text of messages in the
   * conversations `userId` is a member of, from each membership's joinSeq on, excluding recalled
   * messages; newest first, at most `limit`, only messages with id < `beforeId` when it is not 0n.
   */
  searchMessages(userId: UserId, query: string, limit: number, beforeId: MessageId): Promise<StoredMessage[]>;

  /**
   * Atomically: if (senderId, clientMsgId) exists, return it with duplicate = true. Otherwise
   * increment the conversation's maxSeq, store the message with that seq, move the sender's
   * readSeq to it, set mentionSeq for the mentioned members (see NewMessage), and commit. Seqs are gapless and unique under any concurrency. The conversation
   * must exist (ensureConversation).
   */
  appendMessage(message: NewMessage): Promise<AppendResult>;

  getMessage(id: ConversationId, seq: number): Promise<StoredMessage | undefined>;
  /** Rewrites one stored message (recall, edit). Throws NotFoundError if missing. */
  updateMessage(id: ConversationId, seq: number, patch: MessagePatch): Promise<StoredMessage>;

  /**
   * Moves the user's readSeq forward to min(seq, maxSeq) (never back); returns the readSeq after
   * the call. Throws NotFoundError when the user is not a member.
   */
  markRead(userId: UserId, id: ConversationId, seq: number): Promise<number>;
  /** How many members other than `exceptUserId` have joinSeq <= seq <= readSeq. */
  countReaders(id: ConversationId, seq: number, exceptUserId: UserId): Promise<number>;
  /** The distinct senders of the messages with fromSeq <= seq <= toSeq. */
  sendersBetween(id: ConversationId, fromSeq: number, toSeq: number): Promise<UserId[]>;

  /**
   * Up to `limit` messages of one conversation, ascending by seq. FORWARD: seq >= fromSeq.
   * BACKWARD: seq <= fromSeq (fromSeq 0 = from the head), the newest `limit` of them.
   */
  getMessages(
    id: ConversationId,
    fromSeq: number,
    limit: number,
    direction: PullDirection,
  ): Promise<StoredMessage[]>;
}
