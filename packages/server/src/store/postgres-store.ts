import { ConflictError, ConversationType, InternalError, NotFoundError } from '@parley/protocol';
import { DatabaseError, Pool, escapeIdentifier, type PoolClient } from 'pg';
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
import { postgresMigrations } from './postgres-migrations.js';
import { RequestCheckedClient } from './pg-client.js';
import { pgTransaction } from './pg-transaction.js';
import { PostgresLedgerStore } from './postgres-ledger-store.js';
import { PostgresUserKeyStore } from './postgres-user-key-store.js';
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

export interface PostgresStoreOptions {
  readonly connectionString: string;
  /** Schema holding every table (created by migrate() if missing); default: the server's search_path. */
  readonly schema?: string;
  /** Connections in this store's pool; default 10. */
  readonly poolSize?: number;
}

// pg returns bigint columns as decimal strings (exact), integer columns as numbers, bytea as Buffer;
// rows.ts maps both drivers' rows.

/**
 * Hot statements are named, so each pooled connection parses and plans them once. Names must be
 * unique per connection, hence the prefix.
 */
const Q = {
  userById: { name: 'parley_user_by_id', text: `SELECT ${USER_COLUMNS} FROM users WHERE id = $1` },
  userByKey: {
    name: 'parley_user_by_key',
    text: `SELECT ${USER_COLUMNS} FROM users WHERE username_key = $1`,
  },
  tokenByHash: {
    name: 'parley_token_by_hash',
    text: `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE token_hash = $1`,
  },
  conversationById: {
    name: 'parley_conversation_by_id',
    text: `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1`,
  },
  conversationsByType: {
    name: 'parley_conversations_by_type',
    text: `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE type = $1 AND id COLLATE "C" > $2
           ORDER BY id COLLATE "C" LIMIT $3`,
  },
  members: {
    name: 'parley_members',
    text: `SELECT ${MEMBER_COLUMNS} FROM memberships WHERE conversation_id = $1 AND user_id > $2
           ORDER BY user_id LIMIT $3`,
  },
  markRead: {
    name: 'parley_mark_read',
    text: `UPDATE memberships m SET read_seq = GREATEST(m.read_seq, LEAST($3::bigint, c.max_seq))
           FROM conversations c
           WHERE c.id = m.conversation_id AND m.user_id = $1 AND m.conversation_id = $2
           RETURNING m.read_seq`,
  },
  /** join_seq: a member who joined after $2 never saw it, even though joining set readSeq. */
  countReaders: {
    name: 'parley_count_readers',
    text: `SELECT count(*) AS n FROM memberships
           WHERE conversation_id = $1 AND read_seq >= $2 AND join_seq <= $2 AND user_id <> $3`,
  },
  message: {
    name: 'parley_message',
    text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq = $2`,
  },
  memberIds: {
    name: 'parley_member_ids',
    text: 'SELECT user_id FROM memberships WHERE conversation_id = $1 ORDER BY user_id',
  },
  state: {
    name: 'parley_state',
    text: `${STATE_SELECT} WHERE m.user_id = $1 AND m.conversation_id = $2`,
  },
  messageByClientMsgId: {
    name: 'parley_message_by_client_msg_id',
    text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = $1 AND client_msg_id = $2`,
  },
  /**
   * One statement, so one implicit transaction and one round trip: the UPDATE's row lock on the
   * conversation serializes writers and is held only while the server executes this statement,
   * not across client round trips. Any failure (a concurrent duplicate's unique violation
   * included) rolls the whole statement back, max_seq with it, so seqs stay gapless. No row
   * comes back when the conversation does not exist. Three variants, so a message without
   * mentions never touches other memberships.
   */
  append: { name: 'parley_append', text: appendSql('') },
  /** $10: the mentioned user ids (the primary key finds each membership). */
  appendMentions: {
    name: 'parley_append_mentions',
    text: appendSql('user_id = ANY($10::bigint[]) AND conversation_id = $2::text'),
  },
  appendMentionAll: { name: 'parley_append_mention_all', text: appendSql('conversation_id = $2::text') },
  appendPlain: {
    name: 'parley_append_plain',
    text: `SELECT append_messages($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                                  $6::integer[], $7::bytea[], $8::text[], $9::bigint[]) AS seqs`,
  },
  forward: {
    name: 'parley_forward',
    text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq >= $2
           ORDER BY seq LIMIT $3`,
  },
  backward: {
    name: 'parley_backward',
    text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq <= $2
           ORDER BY seq DESC LIMIT $3`,
  },
  backwardFromHead: {
    name: 'parley_backward_from_head',
    text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2`,
  },
} as const;

/**
 * The append statement; `mentioned` (when not '') selects the memberships whose mention_seq moves
 * to the new seq. The sender is never among them: its readSeq is already there, and one statement
 * must not update the same row twice (the read CTE updates the sender's).
 */
/** Appends per group commit. */
const MAX_APPEND_BATCH = 512;
/** Batches in flight at once (each on its own pooled connection), by conversation. */
const APPEND_LANES = 4;

interface AppendLane {
  readonly queue: PendingAppend[];
  flushing: boolean;
}

function laneOf(conversationId: string): number {
  let h = 0;
  for (let i = 0; i < conversationId.length; i++) h = (h * 31 + conversationId.charCodeAt(i)) | 0;
  return Math.abs(h) % APPEND_LANES;
}

interface PendingAppend {
  readonly message: NewMessage;
  resolve(result: AppendResult): void;
  reject(err: Error): void;
}

/** The prepared append statement for one message, with its mention variant. */
function appendStatement(m: NewMessage): { name: string; text: string; values: unknown[] } {
  const values: unknown[] = [
    m.id,
    m.conversationId,
    m.senderId,
    m.senderDevice,
    m.clientMsgId,
    m.contentType,
    m.content,
    m.searchText,
    m.serverTime,
  ];
  const mentions = distinctIds(m.mentions ?? []).filter((id) => id !== m.senderId);
  if (m.mentionAll === true) return { ...Q.appendMentionAll, values };
  if (mentions.length > 0) return { ...Q.appendMentions, values: [...values, mentions] };
  return { ...Q.append, values };
}

/** An append that flags nobody: append_messages (migration 6) takes it. */
function isPlainAppend(m: NewMessage): boolean {
  return m.mentionAll !== true && (m.mentions === undefined || m.mentions.every((id) => id === m.senderId));
}

function appendSql(mentioned: string): string {
  const mention =
    mentioned === ''
      ? ''
      : `, mentioned AS (
        UPDATE memberships SET mention_seq = GREATEST(mention_seq, inserted.seq)
        FROM inserted WHERE ${mentioned} AND user_id <> $3::bigint
      )`;
  return `
      WITH bumped AS (
        UPDATE conversations SET max_seq = max_seq + 1 WHERE id = $2 RETURNING max_seq
      ), inserted AS (
        INSERT INTO messages (id, conversation_id, seq, sender_id, sender_device, client_msg_id,
                              content_type, content, search_text, server_time)
        SELECT $1::bigint, $2::text, max_seq, $3::bigint, $4::text, $5::text,
               $6::integer, $7::bytea, $8::text, $9::bigint
        FROM bumped
        RETURNING seq
      ), read AS (
        UPDATE memberships SET read_seq = GREATEST(read_seq, inserted.seq)
        FROM inserted WHERE user_id = $3::bigint AND conversation_id = $2::text
      )${mention}
      SELECT seq FROM inserted`;
}

/** Message columns qualified with `m.`. */
const M_COLUMNS = MESSAGE_COLUMNS.split(',')
  .map((c) => `m.${c.trim()}`)
  .join(', ');

const UNIQUE_VIOLATION = '23505';
// Lower-case only: search_path in the startup options folds case, CREATE SCHEMA quotes.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresStore implements Store {
  readonly #pool: Pool;
  readonly ledger: PostgresLedgerStore;
  readonly appendsInCallOrder = true;
  /** Appends committed in a batch, and batches that failed and ran each append alone. */
  readonly appendCounts = { batched: 0, fallbacks: 0 };
  readonly #lanes: AppendLane[] = Array.from({ length: APPEND_LANES }, () => ({
    queue: [],
    flushing: false,
  }));
  readonly userKeys: PostgresUserKeyStore;
  readonly #schema: string | undefined;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new RangeError(`schema name ${JSON.stringify(schema)} must match ${SCHEMA_NAME.source}`);
    }
    this.#schema = schema;
    this.#pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      Client: RequestCheckedClient,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle client that dies (server restart, network) is dropped by the pool and the next
    // query reconnects; without a listener the 'error' event would crash the process.
    this.#pool.on('error', () => undefined);
    this.ledger = new PostgresLedgerStore(this.#pool);
    this.userKeys = new PostgresUserKeyStore(this.#pool);
  }

  async migrate(): Promise<void> {
    const applied = await this.#transaction(async (c) => {
      await this.#lockMigrations(c);
      if (this.#schema !== undefined) {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(this.#schema)}`);
      }
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)',
      );
      const { rows } = await c.query<{ version: number }>('SELECT version FROM schema_migrations');
      return new Set(rows.map((r) => r.version));
    });
    for (const [index, sql] of postgresMigrations.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      await this.#transaction(async (c) => {
        await this.#lockMigrations(c);
        // Re-checked under the lock: another process may have applied it meanwhile.
        const done = await c.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version]);
        if (done.rowCount !== 0) return;
        await c.query(sql);
        await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          version,
          Date.now(),
        ]);
      });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Appends already handed over are committed (or refused) before the pool ends.
    while (this.#lanes.some((l) => l.flushing || l.queue.length > 0)) {
      for (const lane of this.#lanes) this.#flush(lane);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await this.#pool.end();
  }

  async createUser(user: NewUser): Promise<UserRecord> {
    try {
      await this.#pool.query(
        `INSERT INTO users (id, username, username_key, display_name, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          user.id,
          user.username,
          usernameKey(user.username),
          user.displayName,
          user.passwordHash,
          user.createdAt,
        ],
      );
    } catch (err) {
      if (isUniqueViolation(err, 'users_username_key')) {
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
  }

  async getUserById(id: UserId): Promise<UserRecord | undefined> {
    const { rows } = await this.#pool.query<UserRow>({ ...Q.userById, values: [id] });
    return optional(rows[0], toUser);
  }

  async getUserByUsername(username: string): Promise<UserRecord | undefined> {
    const { rows } = await this.#pool.query<UserRow>({ ...Q.userByKey, values: [usernameKey(username)] });
    return optional(rows[0], toUser);
  }

  async existingUserIds(ids: readonly UserId[]): Promise<UserId[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.#pool.query<{ id: string }>(
      'SELECT id FROM users WHERE id = ANY($1::bigint[])',
      [distinctIds(ids)],
    );
    return rows.map((r) => BigInt(r.id));
  }

  async updateProfile(id: UserId, patch: ProfilePatch): Promise<UserRecord> {
    const { rows } = await this.#pool.query<UserRow>(
      `UPDATE users SET display_name = COALESCE($2::text, display_name), avatar_url = COALESCE($3::text, avatar_url)
       WHERE id = $1
       RETURNING ${USER_COLUMNS}`,
      [id, patch.displayName ?? null, patch.avatarUrl ?? null],
    );
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`user ${id} not found`);
    return toUser(row);
  }

  async restrictUser(id: UserId, patch: RestrictionPatch): Promise<UserRecord> {
    if (patch.bannedUntil !== undefined) checkTime(patch.bannedUntil, 'bannedUntil');
    if (patch.mutedUntil !== undefined) checkTime(patch.mutedUntil, 'mutedUntil');
    const { rows } = await this.#pool.query<UserRow>(
      `UPDATE users SET banned_until = COALESCE($2::bigint, banned_until),
                        muted_until = COALESCE($3::bigint, muted_until)
       WHERE id = $1
       RETURNING ${USER_COLUMNS}`,
      [id, patch.bannedUntil ?? null, patch.mutedUntil ?? null],
    );
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`user ${id} not found`);
    return toUser(row);
  }

  async totals(): Promise<StoreTotals> {
    const [users, conversations] = await Promise.all([
      this.#pool.query<{ n: string }>('SELECT count(*) AS n FROM users'),
      this.#pool.query<ConversationTotalsRow>(
        'SELECT type, count(*) AS n, sum(max_seq) AS messages FROM conversations GROUP BY type',
      ),
    ]);
    return toTotals(users.rows[0]?.n ?? 0, conversations.rows);
  }

  async setLastSeen(id: UserId, at: number): Promise<void> {
    checkTime(at, 'lastSeenAt');
    await this.#pool.query('UPDATE users SET last_seen_at = $2 WHERE id = $1', [id, at]);
  }

  async searchUsers(query: string, limit: number): Promise<UserRecord[]> {
    checkLimit(limit);
    if (limit === 0) return [];
    // starts_with needs no LIKE escaping. The display-name half scans every user either way
    // (a pg_trgm index would serve it); lower() folds by the database's LC_CTYPE. Byte order,
    // as SQLite's.
    const { rows } = await this.#pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE starts_with(username_key, $1) OR strpos(lower(display_name), $2) > 0
       ORDER BY username_key COLLATE "C" LIMIT $3`,
      [usernameKey(query), query.toLowerCase(), limit],
    );
    return rows.map(toUser);
  }

  async putContactPair(
    a: UserId,
    b: UserId,
    aState: ContactState,
    bState: ContactState,
    note: string,
    at: number,
  ): Promise<void> {
    checkContactPair(a, b, aState, bState, at);
    // One statement: both rows or neither.
    await this.#pool.query(
      `INSERT INTO contacts (user_id, peer_id, state, note, updated_at)
       VALUES ($1, $2, $3, $5, $6), ($2, $1, $4, $5, $6)
       ON CONFLICT (user_id, peer_id) DO UPDATE
       SET state = excluded.state, note = excluded.note, updated_at = excluded.updated_at`,
      [a, b, aState, bState, note, at],
    );
  }

  async deleteContactPair(a: UserId, b: UserId): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      'DELETE FROM contacts WHERE (user_id = $1 AND peer_id = $2) OR (user_id = $2 AND peer_id = $1)',
      [a, b],
    );
    return (rowCount ?? 0) > 0;
  }

  async getContact(userId: UserId, peerId: UserId): Promise<ContactRecord | undefined> {
    const { rows } = await this.#pool.query<ContactRow>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE user_id = $1 AND peer_id = $2`,
      [userId, peerId],
    );
    return optional(rows[0], toContact);
  }

  async listContacts(userId: UserId, states?: readonly ContactState[]): Promise<ContactRecord[]> {
    if (states !== undefined) {
      for (const state of states) checkContactState(state);
      if (states.length === 0) return [];
    }
    const { rows } = await this.#pool.query<ContactRow>(
      `SELECT ${CONTACT_COLUMNS} FROM contacts
       WHERE user_id = $1 AND ($2::integer[] IS NULL OR state = ANY($2::integer[]))
       ORDER BY peer_id`,
      [userId, states ?? null],
    );
    return rows.map(toContact);
  }

  async block(userId: UserId, blockedId: UserId, at: number): Promise<void> {
    checkTime(at, 'time');
    await this.#pool.query(
      `INSERT INTO blocks (user_id, blocked_id, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, blocked_id) DO NOTHING`,
      [userId, blockedId, at],
    );
  }

  async unblock(userId: UserId, blockedId: UserId): Promise<void> {
    await this.#pool.query('DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2', [userId, blockedId]);
  }

  async isBlocked(blocker: UserId, userId: UserId): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      'SELECT 1 FROM blocks WHERE user_id = $1 AND blocked_id = $2',
      [blocker, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  async listBlocked(userId: UserId): Promise<UserId[]> {
    const { rows } = await this.#pool.query<{ blocked_id: string }>(
      'SELECT blocked_id FROM blocks WHERE user_id = $1 ORDER BY blocked_id',
      [userId],
    );
    return rows.map((r) => BigInt(r.blocked_id));
  }

  async createToken(token: TokenRecord): Promise<void> {
    try {
      await this.#pool.query(
        `INSERT INTO tokens (token_hash, user_id, device_id, platform, created_at, expires_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          token.tokenHash,
          token.userId,
          token.deviceId,
          token.platform,
          token.createdAt,
          token.expiresAt,
          token.revokedAt,
        ],
      );
    } catch (err) {
      if (isUniqueViolation(err, 'tokens_pkey')) throw new ConflictError('token exists');
      throw err;
    }
  }

  async getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.#pool.query<TokenRow>({ ...Q.tokenByHash, values: [tokenHash] });
    return optional(rows[0], toToken);
  }

  async revokeToken(tokenHash: string, at: number): Promise<void> {
    await this.#pool.query('UPDATE tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL', [
      tokenHash,
      at,
    ]);
  }

  async ensureConversation(conversation: NewConversation): Promise<void> {
    const { id, type } = conversation;
    const members = distinctMembers(conversation.members);
    await this.#transaction(async (c) => {
      await insertConversation(c, conversation);
      // FOR UPDATE holds appends back, so joinSeq is exactly the first seq the new member sees.
      const { rows } = await c.query<{ type: number; max_seq: string }>(
        'SELECT type, max_seq FROM conversations WHERE id = $1 FOR UPDATE',
        [id],
      );
      const current = rows[0];
      if (current === undefined) throw new InternalError(`conversation ${id} vanished`);
      if (current.type !== type)
        throw new ConflictError(`conversation ${id} exists with type ${current.type}`);
      await insertMembers(c, id, BigInt(current.max_seq), members);
    });
  }

  async createConversation(conversation: NewConversation): Promise<ConversationRecord> {
    const { id } = conversation;
    const members = distinctMembers(conversation.members);
    return this.#transaction(async (c) => {
      // The new row stays locked by this transaction, so maxSeq is 0 until it commits.
      if (!(await insertConversation(c, conversation))) throw new ConflictError(`conversation ${id} exists`);
      await insertMembers(c, id, 0n, members);
      const { rows } = await c.query<ConversationRow>(
        `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1`,
        [id],
      );
      const row = rows[0];
      if (row === undefined) throw new InternalError(`conversation ${id} vanished`);
      return toConversation(row);
    });
  }

  async updateConversation(id: ConversationId, patch: ConversationPatch): Promise<ConversationRecord> {
    // A null parameter keeps the stored value; owner_id (nullable) is written only when $5 is true.
    const { rows } = await this.#pool.query<ConversationRow>(
      `UPDATE conversations SET
         name = COALESCE($2::text, name),
         avatar_url = COALESCE($3::text, avatar_url),
         notice = COALESCE($4::text, notice),
         owner_id = CASE WHEN $5::boolean THEN $6::bigint ELSE owner_id END,
         dismissed = COALESCE($7::boolean, dismissed),
         mute_all = COALESCE($8::boolean, mute_all)
       WHERE id = $1
       RETURNING ${CONVERSATION_COLUMNS}`,
      [
        id,
        patch.name ?? null,
        patch.avatarUrl ?? null,
        patch.notice ?? null,
        patch.ownerId !== undefined,
        patch.ownerId ?? null,
        patch.dismissed ?? null,
        patch.muteAll ?? null,
      ],
    );
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`conversation ${id} not found`);
    return toConversation(row);
  }

  async listConversations(
    type: ConversationType,
    afterId: ConversationId,
    limit: number,
  ): Promise<ConversationRecord[]> {
    checkLimit(limit);
    if (limit === 0) return [];
    // Byte order (COLLATE "C", as SQLite's BINARY), served by conversations_type_id.
    const { rows } = await this.#pool.query<ConversationRow>({
      ...Q.conversationsByType,
      values: [type, afterId, limit],
    });
    return rows.map(toConversation);
  }

  async addMembers(id: ConversationId, members: readonly NewMember[]): Promise<UserId[]> {
    const distinct = distinctMembers(members);
    return this.#transaction(async (c) => {
      // Locks the conversation: appends wait, so joinSeq = maxSeq + 1 is exact, and concurrent
      // membership changes of this conversation take turns.
      const { rows } = await c.query<{ max_seq: string }>(
        'SELECT max_seq FROM conversations WHERE id = $1 FOR UPDATE',
        [id],
      );
      const current = rows[0];
      if (current === undefined) throw new NotFoundError(`conversation ${id} not found`);
      return insertMembers(c, id, BigInt(current.max_seq), distinct);
    });
  }

  async removeMembers(id: ConversationId, userIds: readonly UserId[]): Promise<UserId[]> {
    const ids = distinctIds(userIds);
    if (ids.length === 0) return [];
    return this.#transaction(async (c) => {
      // Conversation first, then memberships: the lock order appendMessage uses, so no deadlock.
      const locked = await c.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [id]);
      if (locked.rowCount === 0) return [];
      const { rows } = await c.query<{ user_id: string }>(
        `WITH removed AS (
           DELETE FROM memberships WHERE conversation_id = $1 AND user_id = ANY($2::bigint[])
           RETURNING user_id
         ), counted AS (
           UPDATE conversations SET member_count = member_count - (SELECT count(*) FROM removed)
           WHERE id = $1
         )
         SELECT user_id FROM removed`,
        [id, ids],
      );
      return rows.map((r) => BigInt(r.user_id));
    });
  }

  async updateMember(id: ConversationId, userId: UserId, patch: MemberPatch): Promise<void> {
    if (patch.role !== undefined) checkRole(patch.role);
    if (patch.mutedUntil !== undefined) checkMutedUntil(patch.mutedUntil);
    const { rowCount } = await this.#pool.query(
      `UPDATE memberships SET role = COALESCE($3::integer, role),
                              muted_until = COALESCE($4::bigint, muted_until)
       WHERE user_id = $1 AND conversation_id = $2`,
      [userId, id, patch.role ?? null, patch.mutedUntil ?? null],
    );
    if (rowCount === 0) throw new NotFoundError(`user ${userId} is not a member of ${id}`);
  }

  async listMembers(id: ConversationId, afterUserId: UserId, limit: number): Promise<MemberRecord[]> {
    checkLimit(limit);
    if (limit === 0) return [];
    const { rows } = await this.#pool.query<MemberRow>({ ...Q.members, values: [id, afterUserId, limit] });
    return rows.map(toMember);
  }

  async getConversation(id: ConversationId): Promise<ConversationRecord | undefined> {
    const { rows } = await this.#pool.query<ConversationRow>({ ...Q.conversationById, values: [id] });
    return optional(rows[0], toConversation);
  }

  async getMemberIds(id: ConversationId): Promise<UserId[]> {
    const { rows } = await this.#pool.query<{ user_id: string }>({ ...Q.memberIds, values: [id] });
    return rows.map((r) => BigInt(r.user_id));
  }

  async getConversationState(userId: UserId, id: ConversationId): Promise<ConversationState | undefined> {
    const { rows } = await this.#pool.query<StateRow>({ ...Q.state, values: [userId, id] });
    return optional(rows[0], toState);
  }

  async listConversationStates(userId: UserId): Promise<ConversationState[]> {
    const { rows } = await this.#pool.query<StateRow>(`${STATE_SELECT} WHERE m.user_id = $1 ORDER BY c.id`, [
      userId,
    ]);
    return rows.map(toState);
  }

  async updateMembershipSettings(
    userId: UserId,
    id: ConversationId,
    settings: MembershipSettings,
  ): Promise<void> {
    checkSettings(settings);
    const { rowCount } = await this.#pool.query(
      `UPDATE memberships SET pinned = COALESCE($3::boolean, pinned),
                              muted = COALESCE($4::boolean, muted),
                              hidden_seq = COALESCE($5::bigint, hidden_seq)
       WHERE user_id = $1 AND conversation_id = $2`,
      [userId, id, settings.pinned ?? null, settings.muted ?? null, settings.hiddenSeq ?? null],
    );
    if (rowCount === 0) throw new NotFoundError(`user ${userId} is not a member of ${id}`);
  }

  async lastMessages(ids: readonly ConversationId[]): Promise<StoredMessage[]> {
    const distinct = [...new Set(ids)];
    if (distinct.length === 0) return [];
    // One statement: per listed id, its highest seq through messages_conversation_seq.
    const { rows } = await this.#pool.query<MessageRow>(
      `SELECT ${M_COLUMNS} FROM unnest($1::text[]) AS t(id)
       CROSS JOIN LATERAL (
         SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = t.id ORDER BY seq DESC LIMIT 1
       ) m
       ORDER BY m.conversation_id COLLATE "C"`,
      [distinct],
    );
    return rows.map(toMessage);
  }

  async conversationPeers(userId: UserId, maxMembers: number): Promise<UserId[]> {
    const { rows } = await this.#pool.query<{ user_id: string }>(
      `SELECT DISTINCT o.user_id FROM memberships m
       JOIN conversations c ON c.id = m.conversation_id
       JOIN memberships o ON o.conversation_id = m.conversation_id
       WHERE m.user_id = $1 AND c.member_count <= $2 AND o.user_id <> $1
       ORDER BY o.user_id`,
      [userId, maxMembers],
    );
    return rows.map((r) => BigInt(r.user_id));
  }

  async searchMessages(
    userId: UserId,
    query: string,
    limit: number,
    beforeId: MessageId,
  ): Promise<StoredMessage[]> {
    checkLimit(limit);
    if (limit === 0 || query.trim() === '') return [];
    // plainto_tsquery reads any input as plain words (it has no syntax to get wrong). The
    // to_tsvector expression must stay exactly the one messages_search_text indexes.
    const { rows } = await this.#pool.query<MessageRow>(
      `SELECT ${M_COLUMNS} FROM messages m
       JOIN memberships ms ON ms.conversation_id = m.conversation_id AND ms.user_id = $1
       WHERE to_tsvector('simple', m.search_text) @@ plainto_tsquery('simple', $2)
         AND m.seq >= ms.join_seq AND (m.flags & 1) = 0 AND ($4::bigint = 0 OR m.id < $4::bigint)
       ORDER BY m.id DESC LIMIT $3`,
      [userId, query, limit, beforeId],
    );
    return rows.map(toMessage);
  }

  /**
   * Group commit (DESIGN §12): the appends of one event-loop turn go to the database in one
   * transaction per lane. A conversation always uses the same lane and a lane has one batch in
   * flight at a time, so a conversation's appends commit in the order they were called
   * (`appendsInCallOrder`), while lanes run side by side. A batch that fails (a retried message
   * hitting the dedup index, a missing conversation, a deadlock with another node) is rolled back
   * and its appends run one by one.
   */
  appendMessage(m: NewMessage): Promise<AppendResult> {
    const lane = this.#lanes[laneOf(m.conversationId)];
    if (lane === undefined) return Promise.reject(new InternalError('no append lane'));
    return new Promise((resolve, reject) => {
      lane.queue.push({ message: m, resolve, reject });
      if (!lane.flushing && lane.queue.length === 1) {
        setImmediate(() => {
          this.#flush(lane);
        });
      }
    });
  }

  #flush(lane: AppendLane): void {
    if (lane.flushing || lane.queue.length === 0) return;
    lane.flushing = true;
    const batch = lane.queue.splice(0, MAX_APPEND_BATCH);
    void this.#commitBatch(batch).finally(() => {
      lane.flushing = false;
      if (lane.queue.length > 0) {
        setImmediate(() => {
          this.#flush(lane);
        });
      }
    });
  }

  async #commitBatch(batch: readonly PendingAppend[]): Promise<void> {
    if (batch.length > 1) {
      try {
        // Conversation order, stable: every node locks conversations in the same order.
        const ordered = [...batch.keys()].sort((a, b) => {
          const x = batch[a]?.message.conversationId ?? '';
          const y = batch[b]?.message.conversationId ?? '';
          return x < y ? -1 : x > y ? 1 : a - b;
        });
        const results = await this.#transaction(async (c) => {
          const out = new Map<number, AppendResult>();
          // Plain appends go in runs through append_messages (one round trip each run); one with
          // mentions takes its own statement, in its place, so each conversation keeps its order.
          let run: number[] = [];
          const flushRun = async () => {
            if (run.length === 0) return;
            const indexes = run;
            run = [];
            const messages = indexes.map((i) => (batch[i] as PendingAppend).message);
            const seqs = await this.#appendPlainOn(c, messages);
            indexes.forEach((i, k) => {
              const seq = seqs[k];
              const m = messages[k];
              if (seq === undefined || m === undefined) throw new InternalError('append lost its seq');
              out.set(i, { message: stored(m, seq), duplicate: false });
            });
          };
          for (const i of ordered) {
            const entry = batch[i];
            if (entry === undefined) continue;
            if (isPlainAppend(entry.message)) {
              run.push(i);
              continue;
            }
            await flushRun();
            out.set(i, await this.#appendOn(c, entry.message));
          }
          await flushRun();
          return out;
        });
        this.appendCounts.batched += batch.length;
        batch.forEach((entry, i) => {
          const result = results.get(i);
          if (result === undefined) entry.reject(new InternalError('append lost its result'));
          else entry.resolve(result);
        });
        return;
      } catch {
        this.appendCounts.fallbacks += 1;
        // One of them failed: each on its own below, so only that one fails.
      }
    }
    for (const entry of batch) {
      try {
        entry.resolve(await this.#appendAlone(entry.message));
      } catch (err) {
        entry.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  /** Plain appends (see isPlainAppend) in one statement; their seqs, in order. */
  async #appendPlainOn(c: PoolClient, messages: readonly NewMessage[]): Promise<number[]> {
    const { rows } = await c.query<{ seqs: string[] }>({
      ...Q.appendPlain,
      values: [
        messages.map((m) => m.id),
        messages.map((m) => m.conversationId),
        messages.map((m) => m.senderId),
        messages.map((m) => m.senderDevice),
        messages.map((m) => m.clientMsgId),
        messages.map((m) => m.contentType),
        messages.map((m) => m.content),
        messages.map((m) => m.searchText),
        messages.map((m) => m.serverTime),
      ],
    });
    const seqs = rows[0]?.seqs ?? [];
    if (seqs.length !== messages.length) throw new InternalError('append_messages lost seqs');
    return seqs.map(Number);
  }

  /** Inside a batch transaction: any error aborts it (the caller then runs each alone). */
  async #appendOn(c: PoolClient, m: NewMessage): Promise<AppendResult> {
    const { rows } = await c.query<{ seq: string }>(appendStatement(m));
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`conversation ${m.conversationId} not found`);
    return { message: stored(m, Number(row.seq)), duplicate: false };
  }

  async #appendAlone(m: NewMessage): Promise<AppendResult> {
    // No look-up first: a retry is rare, and its insert fails on the dedup index (with the seq bump
    // of the same statement rolled back), which the catch below answers with the original.
    let rows: { seq: string }[];
    try {
      ({ rows } = await this.#pool.query<{ seq: string }>(appendStatement(m)));
    } catch (err) {
      // A retry, or a concurrent copy that committed first: answer with the original.
      if (!isUniqueViolation(err, 'messages_sender_client_msg_id')) throw err;
      const original = await this.#messageByClientMsgId(m.senderId, m.clientMsgId);
      if (original === undefined) throw err;
      return { message: original, duplicate: true };
    }
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`conversation ${m.conversationId} not found`);
    return { message: stored(m, Number(row.seq)), duplicate: false };
  }

  async getMessage(id: ConversationId, seq: number): Promise<StoredMessage | undefined> {
    checkSeq(seq);
    const { rows } = await this.#pool.query<MessageRow>({ ...Q.message, values: [id, seq] });
    return optional(rows[0], toMessage);
  }

  async updateMessage(id: ConversationId, seq: number, patch: MessagePatch): Promise<StoredMessage> {
    checkSeq(seq);
    const { rows } = await this.#pool.query<MessageRow>(
      `UPDATE messages SET flags = $3, content_type = $4, content = $5, search_text = $6
       WHERE conversation_id = $1 AND seq = $2
       RETURNING ${MESSAGE_COLUMNS}`,
      [id, seq, patch.flags, patch.contentType, patch.content, patch.searchText],
    );
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`message ${id}#${seq} not found`);
    return toMessage(row);
  }

  async markRead(userId: UserId, id: ConversationId, seq: number): Promise<number> {
    checkSeq(seq);
    const { rows } = await this.#pool.query<{ read_seq: string }>({
      ...Q.markRead,
      values: [userId, id, seq],
    });
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`user ${userId} is not a member of ${id}`);
    return Number(row.read_seq);
  }

  async countReaders(id: ConversationId, seq: number, exceptUserId: UserId): Promise<number> {
    checkSeq(seq);
    const { rows } = await this.#pool.query<{ n: string }>({
      ...Q.countReaders,
      values: [id, seq, exceptUserId],
    });
    return Number(rows[0]?.n ?? 0);
  }

  async sendersBetween(id: ConversationId, fromSeq: number, toSeq: number): Promise<UserId[]> {
    checkSeq(fromSeq, 'fromSeq');
    checkSeq(toSeq, 'toSeq');
    if (fromSeq > toSeq) return [];
    const { rows } = await this.#pool.query<{ sender_id: string }>(
      `SELECT DISTINCT sender_id FROM messages WHERE conversation_id = $1 AND seq BETWEEN $2 AND $3
       ORDER BY sender_id`,
      [id, fromSeq, toSeq],
    );
    return rows.map((r) => BigInt(r.sender_id));
  }

  async getMessages(
    id: ConversationId,
    fromSeq: number,
    limit: number,
    direction: PullDirection,
  ): Promise<StoredMessage[]> {
    checkPage(fromSeq, limit);
    if (limit === 0) return [];
    switch (direction) {
      case 'forward': {
        const { rows } = await this.#pool.query<MessageRow>({ ...Q.forward, values: [id, fromSeq, limit] });
        return rows.map(toMessage);
      }
      case 'backward': {
        const { rows } =
          fromSeq === 0
            ? await this.#pool.query<MessageRow>({ ...Q.backwardFromHead, values: [id, limit] })
            : await this.#pool.query<MessageRow>({ ...Q.backward, values: [id, fromSeq, limit] });
        return rows.reverse().map(toMessage);
      }
    }
  }

  async #messageByClientMsgId(senderId: UserId, clientMsgId: string): Promise<StoredMessage | undefined> {
    const { rows } = await this.#pool.query<MessageRow>({
      ...Q.messageByClientMsgId,
      values: [senderId, clientMsgId],
    });
    return optional(rows[0], toMessage);
  }

  /** Serializes migrate() across processes; keyed by schema so separate schemas do not wait. */
  async #lockMigrations(c: PoolClient): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`parley.migrate:${this.#schema ?? ''}`]);
  }

  /** Runs `work` in a transaction on one pooled client; rolls back on any error, always releases. */
  #transaction<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
    return pgTransaction(this.#pool, work);
  }
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  return err instanceof DatabaseError && err.code === UNIQUE_VIOLATION && err.constraint === constraint;
}

/** Inserts the conversation row if missing; true when this call created it. */
async function insertConversation(c: PoolClient, conversation: NewConversation): Promise<boolean> {
  const p = fullProfile(conversation.profile);
  const { rowCount } = await c.query(
    `INSERT INTO conversations (id, type, max_seq, created_at, name, avatar_url, notice, owner_id,
                                dismissed, mute_all, member_count)
     VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, 0)
     ON CONFLICT (id) DO NOTHING`,
    [
      conversation.id,
      conversation.type,
      conversation.createdAt,
      p.name,
      p.avatarUrl,
      p.notice,
      p.ownerId,
      p.dismissed,
      p.muteAll,
    ],
  );
  return rowCount === 1;
}

/**
 * Inserts the missing members at the head `maxSeq` and moves member_count by the number
 * inserted, in one statement; the caller holds the conversation's row lock. Any number of
 * members is two array parameters.
 */
async function insertMembers(
  c: PoolClient,
  id: ConversationId,
  maxSeq: bigint,
  members: readonly NewMember[],
): Promise<UserId[]> {
  if (members.length === 0) return [];
  const { rows } = await c.query<{ user_id: string }>(
    `WITH added AS (
       INSERT INTO memberships (user_id, conversation_id, role, join_seq, read_seq)
       SELECT u, $1, r, $2, $3 FROM unnest($4::bigint[], $5::integer[]) AS t(u, r)
       ON CONFLICT (user_id, conversation_id) DO NOTHING
       RETURNING user_id
     ), counted AS (
       UPDATE conversations SET member_count = member_count + (SELECT count(*) FROM added)
       WHERE id = $1
     )
     SELECT user_id FROM added`,
    [id, maxSeq + 1n, maxSeq, members.map((m) => m.userId), members.map((m) => m.role)],
  );
  return rows.map((r) => BigInt(r.user_id));
}
