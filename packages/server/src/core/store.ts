import type {
  AppendResult,
  ConversationId,
  ConversationRecord,
  ConversationState,
  NewConversation,
  NewMessage,
  NewUser,
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
  /** Applies pending versioned migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Throws ConflictError when the username is taken (case-insensitive). */
  createUser(user: NewUser): Promise<UserRecord>;
  getUserById(id: UserId): Promise<UserRecord | undefined>;
  /** Case-insensitive. */
  getUserByUsername(username: string): Promise<UserRecord | undefined>;

  createToken(token: TokenRecord): Promise<void>;
  getToken(tokenHash: string): Promise<TokenRecord | undefined>;
  /** Sets revokedAt if the token is not already revoked. */
  revokeToken(tokenHash: string, at: number): Promise<void>;

  /** Creates the conversation and its memberships if missing; existing members are kept. */
  ensureConversation(conversation: NewConversation): Promise<void>;
  getConversation(id: ConversationId): Promise<ConversationRecord | undefined>;
  getMemberIds(id: ConversationId): Promise<UserId[]>;
  /** The user's membership, or undefined if the user is not a member. */
  getConversationState(userId: UserId, id: ConversationId): Promise<ConversationState | undefined>;
  /** Every conversation the user is a member of. */
  listConversationStates(userId: UserId): Promise<ConversationState[]>;

  /**
   * Atomically: if (senderId, clientMsgId) exists, return it with duplicate = true. Otherwise
   * increment the conversation's maxSeq, store the message with that seq, move the sender's
   * readSeq to it, and commit. Seqs are gapless and unique under any concurrency. The conversation
   * must exist (ensureConversation).
   */
  appendMessage(message: NewMessage): Promise<AppendResult>;

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
