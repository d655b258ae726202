import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  BadRequestError,
  ConflictError,
  InternalError,
  NotFoundError,
  isConversationType,
  type ConversationType,
} from '@parley/protocol';
import type { Store } from '../core/store.js';
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
} from '../core/types.js';
import { sqliteMigrations } from './sqlite-migrations.js';

export interface SqliteStoreOptions {
  /** Database file (its directory is created if missing), or ':memory:'. */
  readonly path: string;
}

// With defaultSafeIntegers every INTEGER column reads as bigint, so 64-bit ids are exact.
interface UserRow {
  id: bigint;
  username: string;
  display_name: string;
  avatar_url: string;
  password_hash: string;
  created_at: bigint;
}

interface TokenRow {
  token_hash: string;
  user_id: bigint;
  device_id: string;
  platform: bigint;
  created_at: bigint;
  expires_at: bigint;
  revoked_at: bigint | null;
}

interface ConversationRow {
  id: string;
  type: bigint;
  max_seq: bigint;
  created_at: bigint;
}

interface StateRow {
  conversation_id: string;
  type: bigint;
  max_seq: bigint;
  join_seq: bigint;
  read_seq: bigint;
}

interface MessageRow {
  id: bigint;
  conversation_id: string;
  seq: bigint;
  sender_id: bigint;
  sender_device: string;
  client_msg_id: string;
  content_type: bigint;
  content: Buffer;
  search_text: string;
  server_time: bigint;
  flags: bigint;
}

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

const USER_COLUMNS = 'id, username, display_name, avatar_url, password_hash, created_at';
const MESSAGE_COLUMNS =
  'id, conversation_id, seq, sender_id, sender_device, client_msg_id, content_type, content, search_text, server_time, flags';
const STATE_SELECT = `
  SELECT c.id AS conversation_id, c.type, c.max_seq, m.join_seq, m.read_seq
  FROM memberships m JOIN conversations c ON c.id = m.conversation_id`;

/**
 * The embedded store. better-sqlite3 is synchronous, so every method does its work before it
 * returns its promise; several instances on one file (other processes included) are serialized by
 * SQLite's write lock, which every write transaction takes up front (BEGIN IMMEDIATE) so none can
 * fail half-way on a lock upgrade.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  #prepared: Prepared | undefined;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:' && options.path !== '') {
      mkdirSync(dirname(options.path), { recursive: true });
    }
    const db = new Database(options.path, { timeout: 5000 });
    this.#db = db;
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss, and an ack
    // promises the message is durable.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.defaultSafeIntegers(true);
  }

  migrate(): Promise<void> {
    return this.#run(() => {
      migrate(this.#db);
    });
  }

  close(): Promise<void> {
    if (this.#db.open) this.#db.close();
    return Promise.resolve();
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
      };
    });
  }

  getUserById(id: UserId): Promise<UserRecord | undefined> {
    return this.#run(() => optional(this.#s.userById.get(id), toUser));
  }

  getUserByUsername(username: string): Promise<UserRecord | undefined> {
    return this.#run(() => optional(this.#s.userByKey.get(usernameKey(username)), toUser));
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

  appendMessage(message: NewMessage): Promise<AppendResult> {
    return this.#run(() => this.#s.appendMessage.immediate(message));
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
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
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
  const appendMessage = db.transaction((m: NewMessage): AppendResult => {
    const existing = s.messageByClientMsgId.get(m.senderId, m.clientMsgId);
    if (existing !== undefined) return { message: toMessage(existing), duplicate: true };
    const bumped = s.bumpMaxSeq.get(m.conversationId);
    if (bumped === undefined) throw new NotFoundError(`conversation ${m.conversationId} not found`);
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
    s.advanceReadSeq.run(bumped, m.senderId, m.conversationId);
    return { message: stored(m, Number(bumped)), duplicate: false };
  });
  const ensureConversation = db.transaction((c: NewConversation): void => {
    s.insertConversation.run(c.id, BigInt(c.type), BigInt(c.createdAt));
    const current = s.conversationById.get(c.id);
    if (current === undefined) throw new InternalError(`conversation ${c.id} vanished`);
    if (Number(current.type) !== c.type) {
      throw new ConflictError(`conversation ${c.id} exists with type ${current.type}`);
    }
    for (const userId of c.members) {
      s.insertMember.run(userId, c.id, current.max_seq + 1n, current.max_seq);
    }
  });
  return { ...s, appendMessage, ensureConversation };
}

function prepareStatements(db: Database.Database) {
  return {
    insertUser: db.prepare<[bigint, string, string, string, string, bigint]>(
      `INSERT INTO users (id, username, username_key, display_name, password_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    userById: db.prepare<[bigint], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
    userByKey: db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username_key = ?`),

    insertToken: db.prepare<[string, bigint, string, bigint, bigint, bigint, bigint | null]>(
      `INSERT INTO tokens (token_hash, user_id, device_id, platform, created_at, expires_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    tokenByHash: db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE token_hash = ?'),
    revokeToken: db.prepare<[bigint, string]>(
      'UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL',
    ),

    insertConversation: db.prepare<[string, bigint, bigint]>(
      `INSERT INTO conversations (id, type, max_seq, created_at) VALUES (?, ?, 0, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    conversationById: db.prepare<[string], ConversationRow>(
      'SELECT id, type, max_seq, created_at FROM conversations WHERE id = ?',
    ),
    insertMember: db.prepare<[bigint, string, bigint, bigint]>(
      `INSERT INTO memberships (user_id, conversation_id, join_seq, read_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, conversation_id) DO NOTHING`,
    ),
    memberIds: db
      .prepare<[string], bigint>('SELECT user_id FROM memberships WHERE conversation_id = ? ORDER BY user_id')
      .pluck(),
    state: db.prepare<[bigint, string], StateRow>(
      `${STATE_SELECT} WHERE m.user_id = ? AND m.conversation_id = ?`,
    ),
    states: db.prepare<[bigint], StateRow>(`${STATE_SELECT} WHERE m.user_id = ? ORDER BY c.id`),

    messageByClientMsgId: db.prepare<[bigint, string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`,
    ),
    bumpMaxSeq: db
      .prepare<[string], bigint>(
        'UPDATE conversations SET max_seq = max_seq + 1 WHERE id = ? RETURNING max_seq',
      )
      .pluck(),
    insertMessage: db.prepare<MessageParams>(
      `INSERT INTO messages (id, conversation_id, seq, sender_id, sender_device, client_msg_id,
                             content_type, content, search_text, server_time)
       VALUES (@id, @conversation_id, @seq, @sender_id, @sender_device, @client_msg_id,
               @content_type, @content, @search_text, @server_time)`,
    ),
    advanceReadSeq: db.prepare<[bigint, bigint, string]>(
      `UPDATE memberships SET read_seq = max(read_seq, ?) WHERE user_id = ? AND conversation_id = ?`,
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

/** Case-insensitive uniqueness: both stores must derive the same key. */
function usernameKey(username: string): string {
  return username.toLowerCase();
}

/** Negative or fractional values are caller bugs; SQLite would read a negative LIMIT as "all". */
function checkPage(fromSeq: number, limit: number): void {
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) throw new BadRequestError(`bad fromSeq ${fromSeq}`);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new BadRequestError(`bad limit ${limit}`);
}

function isUniqueViolation(err: unknown, column: string): boolean {
  return (
    err instanceof Database.SqliteError &&
    (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
    err.message.includes(column)
  );
}

function stored(m: NewMessage, seq: number): StoredMessage {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq,
    senderId: m.senderId,
    senderDevice: m.senderDevice,
    clientMsgId: m.clientMsgId,
    contentType: m.contentType,
    content: m.content,
    searchText: m.searchText,
    serverTime: m.serverTime,
    flags: 0,
  };
}

function optional<R, T>(row: R | undefined, map: (row: R) => T): T | undefined {
  return row === undefined ? undefined : map(row);
}

function conversationType(value: bigint): ConversationType {
  const n = Number(value);
  if (!isConversationType(n)) throw new InternalError(`stored conversation type ${n} is unknown`);
  return n;
}

function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    avatarUrl: r.avatar_url,
    passwordHash: r.password_hash,
    createdAt: Number(r.created_at),
  };
}

function toToken(r: TokenRow): TokenRecord {
  return {
    tokenHash: r.token_hash,
    userId: r.user_id,
    deviceId: r.device_id,
    platform: Number(r.platform),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

function toConversation(r: ConversationRow): ConversationRecord {
  return {
    id: r.id,
    type: conversationType(r.type),
    maxSeq: Number(r.max_seq),
    createdAt: Number(r.created_at),
  };
}

function toState(r: StateRow): ConversationState {
  return {
    conversationId: r.conversation_id,
    type: conversationType(r.type),
    maxSeq: Number(r.max_seq),
    readSeq: Number(r.read_seq),
    joinSeq: Number(r.join_seq),
  };
}

function toMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    senderId: r.sender_id,
    senderDevice: r.sender_device,
    clientMsgId: r.client_msg_id,
    contentType: Number(r.content_type),
    // A plain Uint8Array view (no copy), so callers comparing bytes never meet Buffer semantics.
    content: new Uint8Array(r.content.buffer, r.content.byteOffset, r.content.byteLength),
    searchText: r.search_text,
    serverTime: Number(r.server_time),
    flags: Number(r.flags),
  };
}
