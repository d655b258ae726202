import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError, ConversationType, InternalError, NotFoundError } from '@parley/protocol';
import { BlockCache } from './block-cache.js';
import { SqliteLedgerStore } from './sqlite-ledger-store.js';
import { SqliteUserKeyStore } from './sqlite-user-key-store.js';
import { settle } from './settle.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';
import type { Store } from '../core/store.js';
import type {
  AppendResult,
  ContactRecord,
  ContactState,
  ConversationId,
  ConversationPatch,
  ConversationRecord,
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
} from '../core/types.js';
import {
  CONTACT_COLUMNS,
  CONVERSATION_COLUMNS,
  MEMBER_COLUMNS,
  MESSAGE_COLUMNS,
  STATE_SELECT,
  TOKEN_COLUMNS,
  USER_COLUMNS,
  toTotals,
  type ConversationTotalsRow,
  checkContactPair,
  checkContactState,
  checkLimit,
  checkMutedUntil,
  checkPage,
  checkRole,
  checkSeq,
  checkSettings,
  checkTime,
  distinctIds,
  distinctMembers,
  ftsQuery,
  fullProfile,
  optional,
  stored,
  toContact,
  toConversation,
  toMember,
  toMessage,
  toState,
  toToken,
  toUser,
  usernameKey,
  type ContactRow,
  type ConversationRow,
  type MemberRow,
  type MessageRow,
  type StateRow,
  type TokenRow,
  type UserRow,
} from './rows.js';
import { sqliteMigrations } from './sqlite-migrations.js';

export interface SqliteStoreOptions {
  /** Database file (its directory is created if missing), or ':memory:'. */
  readonly path: string;
}

// With defaultSafeIntegers every INTEGER column reads as bigint, so 64-bit ids are exact.
interface MessageParams {
  id: bigint;
  conversation_id: string;
  seq: bigint;
  sender_id: bigint;
  sender_device: string;
  client_msg_id: string;
  content_type: bigint;
  content: Uint8Array;
  search_text: string;
  server_time: bigint;
}

interface ConversationParams {
  id: string;
  type: bigint;
  created_at: bigint;
  name: string;
  avatar_url: string;
  notice: string;
  owner_id: bigint | null;
  dismissed: bigint;
  mute_all: bigint;
}

/** A null field keeps the stored value; owner_id is written only when set_owner is 1. */
interface ConversationPatchParams {
  id: string;
  name: string | null;
  avatar_url: string | null;
  notice: string | null;
  set_owner: bigint;
  owner_id: bigint | null;
  dismissed: bigint | null;
  mute_all: bigint | null;
}

/** Appends per group commit: bounds the transaction (and the wait of the first in line). */
const MAX_APPEND_BATCH = 1024;

type AppendOutcome = { readonly result: AppendResult } | { readonly error: Error };

interface PendingAppend {
  readonly message: NewMessage;
  resolve(result: AppendResult): void;
  reject(err: Error): void;
}

/**
 * The embedded store. better-sqlite3 is synchronous, so every method does its work before it
 * returns its promise; several instances on one file (other processes included) are serialized by
 * SQLite's write lock, which every write transaction takes up front (BEGIN IMMEDIATE) so none can
 * fail half-way on a lock upgrade.
 */
/** Users whose block lists stay in memory (most are empty: a Set each). */
const BLOCK_CACHE_USERS = 100_000;

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  #prepared: Prepared | undefined;
  readonly ledger: SqliteLedgerStore;
  readonly userKeys: SqliteUserKeyStore;
  readonly appendsInCallOrder = true;
  readonly #appends: PendingAppend[] = [];
  /** For a database file: the group commit's durability and the checkpoints, off the event loop. */
  readonly #wal: { readonly sync: WalSync; readonly checkpointer: WalCheckpointer } | undefined;
  readonly #blocks = new BlockCache(BLOCK_CACHE_USERS);

  constructor(options: SqliteStoreOptions) {
    const inFile = options.path !== ':memory:' && options.path !== '';
    if (inFile) mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path, { timeout: 5000 });
    this.#db = db;
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss, and an ack
    // promises the write is durable. (Group commits of appends run NORMAL and sync the WAL
    // themselves before their acks: see #flushAppends.)
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    if (inFile && db.pragma('journal_mode', { simple: true }) === 'wal') {
      db.pragma('wal_autocheckpoint = 0');
      // A WAL past this size is cut back to it once a checkpoint has copied it all.
      db.pragma(`journal_size_limit = ${String(64 * 1024 * 1024)}`);
      const checkpointer = new WalCheckpointer(options.path, () => {
        if (db.open) db.pragma('wal_autocheckpoint = 1000');
      });
      this.#wal = { sync: new WalSync(`${options.path}-wal`), checkpointer };
    }
    db.defaultSafeIntegers(true);
    this.ledger = new SqliteLedgerStore(db);
    this.userKeys = new SqliteUserKeyStore(db);
    // Unicode case folding for searchUsers (SQLite's own lower() and LIKE fold ASCII only).
    db.function('parley_fold', { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? value.toLowerCase() : value,
    );
  }

  migrate(): Promise<void> {
    return this.#run(() => {
      migrate(this.#db);
    });
  }

  async close(): Promise<void> {
    // Appends already queued are committed (or refused) and synced before the file closes.
    while (this.#appends.length > 0) this.#flushAppends();
    if (this.#wal !== undefined && this.#db.open) {
      await this.#wal.sync.sync().catch(() => undefined);
      await this.#wal.sync.close();
      await this.#wal.checkpointer.stop();
    }
    if (this.#db.open) this.#db.close();
  }

  createUser(user: NewUser): Promise<UserRecord> {
    return this.#run(() => {
      try {
        this.#s.insertUser.run(
          user.id,
          user.username,
          usernameKey(user.username),
          user.displayName,
          user.passwordHash,
          BigInt(user.createdAt),
        );
      } catch (err) {
        if (isUniqueViolation(err, 'users.username_key')) {
          throw new ConflictError(`username ${user.username} is taken`);
        }
        throw err;
      }
      return {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        avatarUrl: '',
        passwordHash: user.passwordHash,
        createdAt: user.createdAt,
        lastSeenAt: 0,
        bannedUntil: 0,
        mutedUntil: 0,
      };
    });
  }

  getUserById(id: UserId): Promise<UserRecord | undefined> {
    return this.#run(() => optional(this.#s.userById.get(id), toUser));
  }

  getUserByUsername(username: string): Promise<UserRecord | undefined> {
    return this.#run(() => optional(this.#s.userByKey.get(usernameKey(username)), toUser));
  }

  existingUserIds(ids: readonly UserId[]): Promise<UserId[]> {
    return this.#run(() => this.#s.existingUserIds(distinctIds(ids)));
  }

  updateProfile(id: UserId, patch: ProfilePatch): Promise<UserRecord> {
    return this.#run(() => {
      const row = this.#s.updateProfile.get(patch.displayName ?? null, patch.avatarUrl ?? null, id);
      if (row === undefined) throw new NotFoundError(`user ${id} not found`);
      return toUser(row);
    });
  }

  restrictUser(id: UserId, patch: RestrictionPatch): Promise<UserRecord> {
    return this.#run(() => {
      if (patch.bannedUntil !== undefined) checkTime(patch.bannedUntil, 'bannedUntil');
      if (patch.mutedUntil !== undefined) checkTime(patch.mutedUntil, 'mutedUntil');
      const row = this.#s.restrictUser.get(
        patch.bannedUntil === undefined ? null : BigInt(patch.bannedUntil),
        patch.mutedUntil === undefined ? null : BigInt(patch.mutedUntil),
        id,
      );
      if (row === undefined) throw new NotFoundError(`user ${id} not found`);
      return toUser(row);
    });
  }

  totals(): Promise<StoreTotals> {
    return this.#run(() => toTotals(this.#s.countUsers.get() ?? 0, this.#s.conversationTotals.all()));
  }

  setLastSeen(id: UserId, at: number): Promise<void> {
    return this.#run(() => {
      checkTime(at, 'lastSeenAt');
      this.#s.setLastSeen.run(BigInt(at), id);
    });
  }

  searchUsers(query: string, limit: number): Promise<UserRecord[]> {
    return this.#run(() => {
      checkLimit(limit);
      if (limit === 0) return [];
      const key = usernameKey(query);
      // The username range is [key, key + U+10FFFF): every key that starts with `key`.
      return this.#s.searchUsers
        .all({ key, upper: `${key}\u{10FFFF}`, folded: query.toLowerCase(), limit: BigInt(limit) })
        .map(toUser);
    });
  }

  putContactPair(
    a: UserId,
    b: UserId,
    aState: ContactState,
    bState: ContactState,
    note: string,
    at: number,
  ): Promise<void> {
    return this.#run(() => {
      checkContactPair(a, b, aState, bState, at);
      this.#s.putContactPair.immediate(a, b, aState, bState, note, at);
    });
  }

  deleteContactPair(a: UserId, b: UserId): Promise<boolean> {
    return this.#run(() => this.#s.deleteContactPair.run(a, b, b, a).changes > 0);
  }

  getContact(userId: UserId, peerId: UserId): Promise<ContactRecord | undefined> {
    return this.#run(() => optional(this.#s.contact.get(userId, peerId), toContact));
  }

  listContacts(userId: UserId, states?: readonly ContactState[]): Promise<ContactRecord[]> {
    return this.#run(() => {
      const rows = this.#s.contacts.all(userId).map(toContact);
      if (states === undefined) return rows;
      for (const state of states) checkContactState(state);
      const wanted = new Set<number>(states);
      return rows.filter((r) => wanted.has(r.state));
    });
  }

  block(userId: UserId, blockedId: UserId, at: number): Promise<void> {
    return this.#run(() => {
      checkTime(at, 'time');
      this.#s.block.run(userId, blockedId, BigInt(at));
      this.#blocks.blocked(userId, blockedId);
    });
  }

  unblock(userId: UserId, blockedId: UserId): Promise<void> {
    return this.#run(() => {
      this.#s.unblock.run(userId, blockedId);
      this.#blocks.unblocked(userId, blockedId);
    });
  }

  isBlocked(blocker: UserId, userId: UserId): Promise<boolean> {
    return this.#run(() => this.#blocks.has(blocker, userId, (id) => this.#s.blocked.all(id)));
  }

  listBlocked(userId: UserId): Promise<UserId[]> {
    return this.#run(() => this.#s.blocked.all(userId));
  }

  createToken(token: TokenRecord): Promise<void> {
    return this.#run(() => {
      try {
        this.#s.insertToken.run(
          token.tokenHash,
          token.userId,
          token.deviceId,
          BigInt(token.platform),
          BigInt(token.createdAt),
          BigInt(token.expiresAt),
          token.revokedAt === null ? null : BigInt(token.revokedAt),
        );
      } catch (err) {
        if (isUniqueViolation(err, 'tokens.token_hash')) throw new ConflictError('token exists');
        throw err;
      }
    });
  }

  getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    return this.#run(() => optional(this.#s.tokenByHash.get(tokenHash), toToken));
  }

  revokeToken(tokenHash: string, at: number): Promise<void> {
    return this.#run(() => {
      this.#s.revokeToken.run(BigInt(at), tokenHash);
    });
  }

  ensureConversation(conversation: NewConversation): Promise<void> {
    return this.#run(() => {
      this.#s.ensureConversation.immediate(conversation);
    });
  }

  createConversation(conversation: NewConversation): Promise<ConversationRecord> {
    return this.#run(() => this.#s.createConversation.immediate(conversation));
  }

  updateConversation(id: ConversationId, patch: ConversationPatch): Promise<ConversationRecord> {
    return this.#run(() => {
      const row = this.#s.updateConversation.get({
        id,
        name: patch.name ?? null,
        avatar_url: patch.avatarUrl ?? null,
        notice: patch.notice ?? null,
        set_owner: patch.ownerId === undefined ? 0n : 1n,
        owner_id: patch.ownerId ?? null,
        dismissed: patch.dismissed === undefined ? null : bit(patch.dismissed),
        mute_all: patch.muteAll === undefined ? null : bit(patch.muteAll),
      });
      if (row === undefined) throw new NotFoundError(`conversation ${id} not found`);
      return toConversation(row);
    });
  }

  listConversations(
    type: ConversationType,
    afterId: ConversationId,
    limit: number,
  ): Promise<ConversationRecord[]> {
    return this.#run(() => {
      checkLimit(limit);
      if (limit === 0) return [];
      return this.#s.conversationsByType.all(BigInt(type), afterId, BigInt(limit)).map(toConversation);
    });
  }

  addMembers(id: ConversationId, members: readonly NewMember[]): Promise<UserId[]> {
    return this.#run(() => this.#s.addMembers.immediate(id, distinctMembers(members)));
  }

  removeMembers(id: ConversationId, userIds: readonly UserId[]): Promise<UserId[]> {
    return this.#run(() => this.#s.removeMembers.immediate(id, distinctIds(userIds)));
  }

  updateMember(id: ConversationId, userId: UserId, patch: MemberPatch): Promise<void> {
    return this.#run(() => {
      if (patch.role !== undefined) checkRole(patch.role);
      if (patch.mutedUntil !== undefined) checkMutedUntil(patch.mutedUntil);
      const { changes } = this.#s.updateMember.run(
        patch.role === undefined ? null : BigInt(patch.role),
        patch.mutedUntil === undefined ? null : BigInt(patch.mutedUntil),
        userId,
        id,
      );
      if (changes === 0) throw new NotFoundError(`user ${userId} is not a member of ${id}`);
    });
  }

  listMembers(id: ConversationId, afterUserId: UserId, limit: number): Promise<MemberRecord[]> {
    return this.#run(() => {
      checkLimit(limit);
      if (limit === 0) return [];
      return this.#s.members.all(id, afterUserId, BigInt(limit)).map(toMember);
    });
  }

  getConversation(id: ConversationId): Promise<ConversationRecord | undefined> {
    return this.#run(() => optional(this.#s.conversationById.get(id), toConversation));
  }

  getMemberIds(id: ConversationId): Promise<UserId[]> {
    return this.#run(() => this.#s.memberIds.all(id));
  }

  getConversationState(userId: UserId, id: ConversationId): Promise<ConversationState | undefined> {
    return this.#run(() => optional(this.#s.state.get(userId, id), toState));
  }

  listConversationStates(userId: UserId): Promise<ConversationState[]> {
    return this.#run(() => this.#s.states.all(userId).map(toState));
  }

  updateMembershipSettings(userId: UserId, id: ConversationId, settings: MembershipSettings): Promise<void> {
    return this.#run(() => {
      checkSettings(settings);
      const { changes } = this.#s.updateSettings.run(
        settings.pinned === undefined ? null : bit(settings.pinned),
        settings.muted === undefined ? null : bit(settings.muted),
        settings.hiddenSeq === undefined ? null : BigInt(settings.hiddenSeq),
        userId,
        id,
      );
      if (changes === 0) throw new NotFoundError(`user ${userId} is not a member of ${id}`);
    });
  }

  lastMessages(ids: readonly ConversationId[]): Promise<StoredMessage[]> {
    return this.#run(() => {
      const distinct = [...new Set(ids)];
      if (distinct.length === 0) return [];
      return this.#s.lastMessages.all(JSON.stringify(distinct)).map(toMessage);
    });
  }

  conversationPeers(userId: UserId, maxMembers: number): Promise<UserId[]> {
    return this.#run(() => this.#s.conversationPeers.all(userId, maxMembers, userId));
  }

  searchMessages(
    userId: UserId,
    query: string,
    limit: number,
    beforeId: MessageId,
  ): Promise<StoredMessage[]> {
    return this.#run(() => {
      checkLimit(limit);
      const match = ftsQuery(query);
      if (limit === 0 || match === '') return [];
      const rows =
        beforeId === 0n
          ? this.#s.searchMessages.all({ match, user_id: userId, limit: BigInt(limit) })
          : this.#s.searchMessagesBefore.all({
              match,
              user_id: userId,
              limit: BigInt(limit),
              before: beforeId,
            });
      return rows.map(toMessage);
    });
  }

  appendMessage(message: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.#appends.push({ message, resolve, reject });
      if (this.#appends.length === 1) setImmediate(this.#flushAppends);
    });
  }

  /** Commits the queued appends (see appendBatch); the acks follow the commit. */
  readonly #flushAppends = (): void => {
    const batch = this.#appends.splice(0, MAX_APPEND_BATCH);
    if (this.#appends.length > 0) setImmediate(this.#flushAppends);
    if (batch.length === 0) return;
    let outcomes: AppendOutcome[];
    try {
      if (!this.#db.open) throw new Error('store is closed');
      const messages = batch.map((b) => b.message);
      outcomes =
        this.#wal === undefined ? this.#s.appendBatch.immediate(messages) : this.#appendUnsynced(messages);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const b of batch) b.reject(error);
      return;
    }
    const settleAll = () => {
      batch.forEach((b, i) => {
        const outcome = outcomes[i];
        if (outcome === undefined) b.reject(new InternalError('append lost its outcome'));
        else if ('result' in outcome) b.resolve(outcome.result);
        else b.reject(outcome.error);
      });
    };
    if (this.#wal === undefined) {
      settleAll();
      return;
    }
    // Acked once on disk. A failed sync fails the batch: the sender retries, and a retry of a
    // message that did reach the disk is answered as a duplicate.
    this.#wal.sync.sync().then(settleAll, (err: unknown) => {
      const error = new InternalError(
        `cannot sync the database: ${err instanceof Error ? err.message : String(err)}`,
      );
      for (const b of batch) b.reject(error);
    });
  };

  /** The group commit with synchronous = NORMAL: WalSync makes it durable before the acks. */
  #appendUnsynced(messages: readonly NewMessage[]): AppendOutcome[] {
    const s = this.#s;
    s.synchronousNormal.run();
    try {
      return s.appendBatch.immediate(messages);
    } finally {
      s.synchronousFull.run();
    }
  }

  getMessage(id: ConversationId, seq: number): Promise<StoredMessage | undefined> {
    return this.#run(() => {
      checkSeq(seq);
      return optional(this.#s.message.get(id, BigInt(seq)), toMessage);
    });
  }

  updateMessage(id: ConversationId, seq: number, patch: MessagePatch): Promise<StoredMessage> {
    return this.#run(() => {
      checkSeq(seq);
      const row = this.#s.updateMessage.get(
        BigInt(patch.flags),
        BigInt(patch.contentType),
        patch.content,
        patch.searchText,
        id,
        BigInt(seq),
      );
      if (row === undefined) throw new NotFoundError(`message ${id}#${seq} not found`);
      return toMessage(row);
    });
  }

  markRead(userId: UserId, id: ConversationId, seq: number): Promise<number> {
    return this.#run(() => {
      checkSeq(seq);
      const readSeq = this.#s.markRead.get(BigInt(seq), userId, id);
      if (readSeq === undefined) throw new NotFoundError(`user ${userId} is not a member of ${id}`);
      return Number(readSeq);
    });
  }

  countReaders(id: ConversationId, seq: number, exceptUserId: UserId): Promise<number> {
    return this.#run(() => {
      checkSeq(seq);
      const at = BigInt(seq);
      return Number(this.#s.countReaders.get(id, at, at, exceptUserId) ?? 0n);
    });
  }

  sendersBetween(id: ConversationId, fromSeq: number, toSeq: number): Promise<UserId[]> {
    return this.#run(() => {
      checkSeq(fromSeq, 'fromSeq');
      checkSeq(toSeq, 'toSeq');
      if (fromSeq > toSeq) return [];
      return this.#s.sendersBetween.all(id, BigInt(fromSeq), BigInt(toSeq));
    });
  }

  getMessages(
    id: ConversationId,
    fromSeq: number,
    limit: number,
    direction: PullDirection,
  ): Promise<StoredMessage[]> {
    return this.#run(() => {
      checkPage(fromSeq, limit);
      if (limit === 0) return [];
      const s = this.#s;
      switch (direction) {
        case 'forward':
          return s.forward.all(id, BigInt(fromSeq), BigInt(limit)).map(toMessage);
        case 'backward': {
          const rows =
            fromSeq === 0
              ? s.backwardFromHead.all(id, BigInt(limit))
              : s.backward.all(id, BigInt(fromSeq), BigInt(limit));
          return rows.reverse().map(toMessage);
        }
      }
    });
  }

  /** Prepared on first use, because preparing needs the tables that migrate() creates. */
  get #s(): Prepared {
    this.#prepared ??= prepare(this.#db);
    return this.#prepared;
  }

  /** better-sqlite3 throws synchronously; callers of an async port expect a rejected promise. */
  #run<T>(work: () => T): Promise<T> {
    return settle(work);
  }
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT',
  );
  const applied = db.prepare<[bigint], bigint>('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare<[bigint, bigint]>(
    'INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)',
  );
  // Checked inside the write transaction: another process may have applied it meanwhile.
  const apply = db.transaction((version: bigint, sql: string) => {
    if (applied.get(version) !== undefined) return;
    db.exec(sql);
    record.run(version, BigInt(Date.now()));
  });
  sqliteMigrations.forEach((sql, index) => {
    apply.immediate(BigInt(index + 1), sql);
  });
}

type Prepared = ReturnType<typeof prepare>;

function prepare(db: Database.Database) {
  const s = prepareStatements(db);
  /**
   * Stores a message that is not stored yet (a retried one breaks the unique index and throws),
   * except its full-text entry: see indexText.
   */
  const headOf = (id: ConversationId): bigint => {
    const head = s.maxSeqOf.get(id);
    if (head === undefined) throw new NotFoundError(`conversation ${id} not found`);
    return head;
  };
  const insertNew = (m: NewMessage): AppendResult => {
    const bumped = headOf(m.conversationId) + 1n;
    s.setMaxSeq.run(bumped, m.conversationId);
    writeMessage(m, bumped);
    s.advanceReadSeq.run(bumped, m.senderId, m.conversationId);
    return { message: stored(m, Number(bumped)), duplicate: false };
  };
  /** The message row and its mention flags, at `bumped`. */
  const writeMessage = (m: NewMessage, bumped: bigint): void => {
    s.insertMessage.run({
      id: m.id,
      conversation_id: m.conversationId,
      seq: bumped,
      sender_id: m.senderId,
      sender_device: m.senderDevice,
      client_msg_id: m.clientMsgId,
      content_type: BigInt(m.contentType),
      content: m.content,
      search_text: m.searchText,
      server_time: BigInt(m.serverTime),
    });
    // The sender is never flagged: its readSeq is (or, in a batch, will be) at this seq.
    if (m.mentionAll === true) {
      s.mentionAll.run(bumped, m.conversationId, m.senderId);
    } else {
      for (const userId of distinctIds(m.mentions ?? [])) {
        if (userId !== m.senderId) s.mentionOne.run(bumped, userId, m.conversationId);
      }
    }
  };
  /**
   * The full-text entries of stored messages (migration 6), in the transaction that stored them.
   * Indexed one after another, after the inserts: FTS5 keeps them pending and writes one segment.
   */
  const indexText = (messages: readonly NewMessage[]): void => {
    for (const m of messages) s.indexMessageText.run(m.id, m.searchText);
  };
  const appendBody = (m: NewMessage): AppendResult => {
    const existing = s.messageByClientMsgId.get(m.senderId, m.clientMsgId);
    if (existing !== undefined) return { message: toMessage(existing), duplicate: true };
    const result = insertNew(m);
    indexText([m]);
    return result;
  };
  const appendMessage = db.transaction(appendBody);
  /** Inserts the missing members at the current head; keeps member_count exact. */
  const insertMembers = (id: ConversationId, maxSeq: bigint, members: readonly NewMember[]): UserId[] => {
    const added: UserId[] = [];
    for (const m of members) {
      const { changes } = s.insertMember.run(m.userId, id, BigInt(m.role), maxSeq + 1n, maxSeq);
      if (changes > 0) added.push(m.userId);
    }
    if (added.length > 0) s.addMemberCount.run(BigInt(added.length), id);
    return added;
  };
  /** Inserts the conversation if missing; true when this call created it. */
  const insertConversation = (c: NewConversation): boolean => {
    const p = fullProfile(c.profile);
    const { changes } = s.insertConversation.run({
      id: c.id,
      type: BigInt(c.type),
      created_at: BigInt(c.createdAt),
      name: p.name,
      avatar_url: p.avatarUrl,
      notice: p.notice,
      owner_id: p.ownerId,
      dismissed: bit(p.dismissed),
      mute_all: bit(p.muteAll),
    });
    return changes > 0;
  };
  const current = (id: ConversationId): ConversationRow => {
    const row = s.conversationById.get(id);
    if (row === undefined) throw new InternalError(`conversation ${id} vanished`);
    return row;
  };
  const ensureConversation = db.transaction((c: NewConversation): void => {
    const members = distinctMembers(c.members);
    insertConversation(c);
    const row = current(c.id);
    if (Number(row.type) !== c.type) {
      throw new ConflictError(`conversation ${c.id} exists with type ${row.type}`);
    }
    insertMembers(c.id, BigInt(row.max_seq), members);
  });
  const createConversation = db.transaction((c: NewConversation): ConversationRecord => {
    const members = distinctMembers(c.members);
    if (!insertConversation(c)) throw new ConflictError(`conversation ${c.id} exists`);
    insertMembers(c.id, 0n, members);
    return toConversation(current(c.id));
  });
  const addMembers = db.transaction((id: ConversationId, members: readonly NewMember[]): UserId[] => {
    const row = s.conversationById.get(id);
    if (row === undefined) throw new NotFoundError(`conversation ${id} not found`);
    return insertMembers(id, BigInt(row.max_seq), members);
  });
  const removeMembers = db.transaction((id: ConversationId, userIds: readonly UserId[]): UserId[] => {
    const removed = userIds.filter((userId) => s.deleteMember.run(userId, id).changes > 0);
    if (removed.length > 0) s.addMemberCount.run(-BigInt(removed.length), id);
    return removed;
  });
  const putContactPair = db.transaction(
    (a: UserId, b: UserId, aState: ContactState, bState: ContactState, note: string, at: number): void => {
      s.putContact.run(a, b, BigInt(aState), note, BigInt(at));
      s.putContact.run(b, a, BigInt(bState), note, BigInt(at));
    },
  );
  // One read transaction: a consistent answer, and no per-lookup lock churn.
  // Group commit (DESIGN §12): the appends of one event-loop turn in one transaction, one fsync.
  // Fast path: the appends run bare in one transaction, without the retry look-up (a retry breaks
  // the unique index). Should one throw, the whole batch rolls back and runs again with each
  // append in a SAVEPOINT of its own, retries answered from the look-up, so a failure is alone.
  // Each conversation's head is read and written once per batch, and each sender's readSeq moved
  // once, however many of its messages the batch holds (a busy pair has several in flight).
  const appendAll = db.transaction((batch: readonly NewMessage[]): AppendOutcome[] => {
    const heads = new Map<ConversationId, bigint>();
    const reads = new Map<string, { readonly sender: UserId; readonly id: ConversationId; seq: bigint }>();
    const outcomes = batch.map((m) => {
      const bumped = (heads.get(m.conversationId) ?? headOf(m.conversationId)) + 1n;
      heads.set(m.conversationId, bumped);
      writeMessage(m, bumped);
      const key = `${m.senderId}/${m.conversationId}`;
      const read = reads.get(key);
      if (read === undefined) reads.set(key, { sender: m.senderId, id: m.conversationId, seq: bumped });
      else read.seq = bumped;
      return { result: { message: stored(m, Number(bumped)), duplicate: false } };
    });
    for (const [id, head] of heads) s.setMaxSeq.run(head, id);
    for (const read of reads.values()) s.advanceReadSeq.run(read.seq, read.sender, read.id);
    indexText(batch);
    return outcomes;
  });
  const appendEach = db.transaction((batch: readonly NewMessage[]): AppendOutcome[] =>
    batch.map((m) => {
      try {
        return { result: appendMessage(m) };
      } catch (err) {
        return { error: err instanceof Error ? err : new Error(String(err)) };
      }
    }),
  );
  const appendBatch = {
    immediate(batch: readonly NewMessage[]): AppendOutcome[] {
      try {
        return appendAll.immediate(batch);
      } catch {
        return appendEach.immediate(batch);
      }
    },
  };
  const existingUserIds = db.transaction((ids: readonly UserId[]): UserId[] =>
    ids.filter((id) => s.userExists.get(id) !== undefined),
  );
  return {
    ...s,
    existingUserIds,
    putContactPair,
    appendMessage,
    appendBatch,
    ensureConversation,
    createConversation,
    addMembers,
    removeMembers,
  };
}

function prepareStatements(db: Database.Database) {
  return {
    insertUser: db.prepare<[bigint, string, string, string, string, bigint]>(
      `INSERT INTO users (id, username, username_key, display_name, password_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    userById: db.prepare<[bigint], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
    userExists: db.prepare<[bigint], bigint>('SELECT 1 FROM users WHERE id = ?').pluck(),
    userByKey: db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username_key = ?`),
    updateProfile: db.prepare<[string | null, string | null, bigint], UserRow>(
      `UPDATE users SET display_name = coalesce(?, display_name), avatar_url = coalesce(?, avatar_url)
       WHERE id = ?
       RETURNING ${USER_COLUMNS}`,
    ),
    setLastSeen: db.prepare<[bigint, bigint]>('UPDATE users SET last_seen_at = ? WHERE id = ?'),
    restrictUser: db.prepare<[bigint | null, bigint | null, bigint], UserRow>(
      `UPDATE users SET banned_until = coalesce(?, banned_until), muted_until = coalesce(?, muted_until)
       WHERE id = ?
       RETURNING ${USER_COLUMNS}`,
    ),
    countUsers: db.prepare<[], bigint>('SELECT count(*) FROM users').pluck(),
    conversationTotals: db.prepare<[], ConversationTotalsRow>(
      'SELECT type, count(*) AS n, sum(max_seq) AS messages FROM conversations GROUP BY type',
    ),
    // The display-name half scans every user either way; byte order, as PostgreSQL's COLLATE "C".
    searchUsers: db.prepare<{ key: string; upper: string; folded: string; limit: bigint }, UserRow>(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE (username_key >= @key AND username_key < @upper) OR instr(parley_fold(display_name), @folded) > 0
       ORDER BY username_key LIMIT @limit`,
    ),

    putContact: db.prepare<[bigint, bigint, bigint, string, bigint]>(
      `INSERT INTO contacts (user_id, peer_id, state, note, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, peer_id) DO UPDATE
       SET state = excluded.state, note = excluded.note, updated_at = excluded.updated_at`,
    ),
    deleteContactPair: db.prepare<[bigint, bigint, bigint, bigint]>(
      'DELETE FROM contacts WHERE (user_id = ? AND peer_id = ?) OR (user_id = ? AND peer_id = ?)',
    ),
    contact: db.prepare<[bigint, bigint], ContactRow>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE user_id = ? AND peer_id = ?`,
    ),
    contacts: db.prepare<[bigint], ContactRow>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE user_id = ? ORDER BY peer_id`,
    ),
    block: db.prepare<[bigint, bigint, bigint]>(
      `INSERT INTO blocks (user_id, blocked_id, created_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id, blocked_id) DO NOTHING`,
    ),
    unblock: db.prepare<[bigint, bigint]>('DELETE FROM blocks WHERE user_id = ? AND blocked_id = ?'),
    blocked: db
      .prepare<[bigint], bigint>('SELECT blocked_id FROM blocks WHERE user_id = ? ORDER BY blocked_id')
      .pluck(),

    insertToken: db.prepare<[string, bigint, string, bigint, bigint, bigint, bigint | null]>(
      `INSERT INTO tokens (token_hash, user_id, device_id, platform, created_at, expires_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    tokenByHash: db.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE token_hash = ?`),
    revokeToken: db.prepare<[bigint, string]>(
      'UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL',
    ),

    insertConversation: db.prepare<ConversationParams>(
      `INSERT INTO conversations (id, type, max_seq, created_at, name, avatar_url, notice, owner_id,
                                  dismissed, mute_all, member_count)
       VALUES (@id, @type, 0, @created_at, @name, @avatar_url, @notice, @owner_id,
               @dismissed, @mute_all, 0)
       ON CONFLICT (id) DO NOTHING`,
    ),
    conversationById: db.prepare<[string], ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`,
    ),
    updateConversation: db.prepare<ConversationPatchParams, ConversationRow>(
      `UPDATE conversations SET
         name = coalesce(@name, name),
         avatar_url = coalesce(@avatar_url, avatar_url),
         notice = coalesce(@notice, notice),
         owner_id = CASE WHEN @set_owner = 1 THEN @owner_id ELSE owner_id END,
         dismissed = coalesce(@dismissed, dismissed),
         mute_all = coalesce(@mute_all, mute_all)
       WHERE id = @id
       RETURNING ${CONVERSATION_COLUMNS}`,
    ),
    conversationsByType: db.prepare<[bigint, string, bigint], ConversationRow>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE type = ? AND id > ? ORDER BY id LIMIT ?`,
    ),
    addMemberCount: db.prepare<[bigint, string]>(
      'UPDATE conversations SET member_count = member_count + ? WHERE id = ?',
    ),
    insertMember: db.prepare<[bigint, string, bigint, bigint, bigint]>(
      `INSERT INTO memberships (user_id, conversation_id, role, join_seq, read_seq) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, conversation_id) DO NOTHING`,
    ),
    deleteMember: db.prepare<[bigint, string]>(
      'DELETE FROM memberships WHERE user_id = ? AND conversation_id = ?',
    ),
    updateMember: db.prepare<[bigint | null, bigint | null, bigint, string]>(
      `UPDATE memberships SET role = coalesce(?, role), muted_until = coalesce(?, muted_until)
       WHERE user_id = ? AND conversation_id = ?`,
    ),
    members: db.prepare<[string, bigint, bigint], MemberRow>(
      `SELECT ${MEMBER_COLUMNS} FROM memberships WHERE conversation_id = ? AND user_id > ?
       ORDER BY user_id LIMIT ?`,
    ),
    memberIds: db
      .prepare<[string], bigint>('SELECT user_id FROM memberships WHERE conversation_id = ? ORDER BY user_id')
      .pluck(),
    state: db.prepare<[bigint, string], StateRow>(
      `${STATE_SELECT} WHERE m.user_id = ? AND m.conversation_id = ?`,
    ),
    states: db.prepare<[bigint], StateRow>(`${STATE_SELECT} WHERE m.user_id = ? ORDER BY c.id`),
    updateSettings: db.prepare<[bigint | null, bigint | null, bigint | null, bigint, string]>(
      `UPDATE memberships
       SET pinned = coalesce(?, pinned), muted = coalesce(?, muted), hidden_seq = coalesce(?, hidden_seq)
       WHERE user_id = ? AND conversation_id = ?`,
    ),
    // One statement: per listed id (a JSON array), its highest seq through messages_conversation_seq.
    lastMessages: db.prepare<[string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id IN (
         SELECT (SELECT m.id FROM messages m WHERE m.conversation_id = j.value ORDER BY m.seq DESC LIMIT 1)
         FROM json_each(?) j)
       ORDER BY conversation_id`,
    ),
    conversationPeers: db
      .prepare<[bigint, number, bigint], bigint>(
        `SELECT DISTINCT o.user_id FROM memberships m
         JOIN conversations c ON c.id = m.conversation_id
         JOIN memberships o ON o.conversation_id = m.conversation_id
         WHERE m.user_id = ? AND c.member_count <= ? AND o.user_id <> ?
         ORDER BY o.user_id`,
      )
      .pluck(),
    // Newest first straight off the FTS index (rowid = messages.id), so LIMIT stops early.
    searchMessages: db.prepare<SearchParams, MessageRow>(searchSql('')),
    searchMessagesBefore: db.prepare<SearchParams & { before: bigint }, MessageRow>(
      searchSql('AND f.rowid < @before'),
    ),
    markRead: db
      .prepare<[bigint, bigint, string], bigint>(
        `UPDATE memberships
         SET read_seq = max(read_seq, min(?, (SELECT max_seq FROM conversations c
                                               WHERE c.id = memberships.conversation_id)))
         WHERE user_id = ? AND conversation_id = ?
         RETURNING read_seq`,
      )
      .pluck(),
    countReaders: db
      // join_seq: a member who joined after `seq` never saw it, even though joining set readSeq.
      .prepare<[string, bigint, bigint, bigint], bigint>(
        `SELECT count(*) FROM memberships
         WHERE conversation_id = ? AND read_seq >= ? AND join_seq <= ? AND user_id <> ?`,
      )
      .pluck(),

    message: db.prepare<[string, bigint], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq = ?`,
    ),
    updateMessage: db.prepare<[bigint, bigint, Uint8Array, string, string, bigint], MessageRow>(
      `UPDATE messages SET flags = ?, content_type = ?, content = ?, search_text = ?
       WHERE conversation_id = ? AND seq = ?
       RETURNING ${MESSAGE_COLUMNS}`,
    ),
    sendersBetween: db
      .prepare<[string, bigint, bigint], bigint>(
        `SELECT DISTINCT sender_id FROM messages WHERE conversation_id = ? AND seq BETWEEN ? AND ?
         ORDER BY sender_id`,
      )
      .pluck(),
    messageByClientMsgId: db.prepare<[bigint, string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`,
    ),
    // Two statements, not one UPDATE ... RETURNING: inside the batch's transaction RETURNING
    // makes SQLite open a statement journal per message, and allocating and freeing it had glibc
    // grow and trim the heap every time: 42 against 16.5 us per append (bench-sqlite-append.mjs).
    maxSeqOf: db.prepare<[string], bigint>('SELECT max_seq FROM conversations WHERE id = ?').pluck(),
    setMaxSeq: db.prepare<[bigint, string]>('UPDATE conversations SET max_seq = ? WHERE id = ?'),
    insertMessage: db.prepare<MessageParams>(
      `INSERT INTO messages (id, conversation_id, seq, sender_id, sender_device, client_msg_id,
                             content_type, content, search_text, server_time)
       VALUES (@id, @conversation_id, @seq, @sender_id, @sender_device, @client_msg_id,
               @content_type, @content, @search_text, @server_time)`,
    ),
    synchronousNormal: db.prepare('PRAGMA synchronous = NORMAL'),
    synchronousFull: db.prepare('PRAGMA synchronous = FULL'),
    indexMessageText: db.prepare<[bigint, string]>(
      'INSERT INTO messages_fts (rowid, search_text) VALUES (?, ?)',
    ),
    advanceReadSeq: db.prepare<[bigint, bigint, string]>(
      `UPDATE memberships SET read_seq = max(read_seq, ?) WHERE user_id = ? AND conversation_id = ?`,
    ),
    mentionOne: db.prepare<[bigint, bigint, string]>(
      `UPDATE memberships SET mention_seq = max(mention_seq, ?) WHERE user_id = ? AND conversation_id = ?`,
    ),
    mentionAll: db.prepare<[bigint, string, bigint]>(
      `UPDATE memberships SET mention_seq = max(mention_seq, ?) WHERE conversation_id = ? AND user_id <> ?`,
    ),
    forward: db.prepare<[string, bigint, bigint], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq >= ? ORDER BY seq LIMIT ?`,
    ),
    backward: db.prepare<[string, bigint, bigint], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq <= ?
       ORDER BY seq DESC LIMIT ?`,
    ),
    backwardFromHead: db.prepare<[string, bigint], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?`,
    ),
  };
}

function isUniqueViolation(err: unknown, column: string): boolean {
  return (
    err instanceof Database.SqliteError &&
    (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
    err.message.includes(column)
  );
}

interface SearchParams {
  match: string;
  user_id: bigint;
  limit: bigint;
}

function searchSql(extra: string): string {
  return `SELECT ${qualified('m', MESSAGE_COLUMNS)} FROM messages_fts f
    JOIN messages m ON m.id = f.rowid
    JOIN memberships ms ON ms.conversation_id = m.conversation_id AND ms.user_id = @user_id
    WHERE messages_fts MATCH @match ${extra} AND m.seq >= ms.join_seq AND (m.flags & 1) = 0
    ORDER BY f.rowid DESC LIMIT @limit`;
}

/** `a, b` → `t.a, t.b`. */
function qualified(table: string, columns: string): string {
  return columns
    .split(',')
    .map((c) => `${table}.${c.trim()}`)
    .join(', ');
}

function bit(value: boolean): bigint {
  return value ? 1n : 0n;
}
