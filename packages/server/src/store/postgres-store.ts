import {
  BadRequestError,
  ConflictError,
  InternalError,
  NotFoundError,
  isConversationType,
  type ConversationType,
} from '@parley/protocol';
import { DatabaseError, Pool, escapeIdentifier, type PoolClient } from 'pg';
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
import { postgresMigrations } from './postgres-migrations.js';

export interface PostgresStoreOptions {
  readonly connectionString: string;
  /** Schema holding every table (created by migrate() if missing); default: the server's search_path. */
  readonly schema?: string;
  /** Connections in this store's pool; default 10. */
  readonly poolSize?: number;
}

// pg returns bigint columns as decimal strings (exact), integer columns as numbers, bytea as Buffer.
interface UserRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string;
  password_hash: string;
  created_at: string;
}

interface TokenRow {
  token_hash: string;
  user_id: string;
  device_id: string;
  platform: number;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

interface ConversationRow {
  id: string;
  type: number;
  max_seq: string;
  created_at: string;
}

interface StateRow {
  conversation_id: string;
  type: number;
  max_seq: string;
  join_seq: string;
  read_seq: string;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  seq: string;
  sender_id: string;
  sender_device: string;
  client_msg_id: string;
  content_type: number;
  content: Buffer;
  search_text: string;
  server_time: string;
  flags: number;
}

const USER_COLUMNS = 'id, username, display_name, avatar_url, password_hash, created_at';
const MESSAGE_COLUMNS =
  'id, conversation_id, seq, sender_id, sender_device, client_msg_id, content_type, content, search_text, server_time, flags';
const STATE_SELECT = `
  SELECT c.id AS conversation_id, c.type, c.max_seq, m.join_seq, m.read_seq
  FROM memberships m JOIN conversations c ON c.id = m.conversation_id`;

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
    text: `SELECT token_hash, user_id, device_id, platform, created_at, expires_at, revoked_at
           FROM tokens WHERE token_hash = $1`,
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
   * comes back when the conversation does not exist.
   */
  append: {
    name: 'parley_append',
    text: `
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
      )
      SELECT seq FROM inserted`,
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

const UNIQUE_VIOLATION = '23505';
// Lower-case only: search_path in the startup options folds case, CREATE SCHEMA quotes.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresStore implements Store {
  readonly #pool: Pool;
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
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle client that dies (server restart, network) is dropped by the pool and the next
    // query reconnects; without a listener the 'error' event would crash the process.
    this.#pool.on('error', () => undefined);
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
    const { id, type, createdAt, members } = conversation;
    await this.#transaction(async (c) => {
      await c.query(
        `INSERT INTO conversations (id, type, max_seq, created_at) VALUES ($1, $2, 0, $3)
         ON CONFLICT (id) DO NOTHING`,
        [id, type, createdAt],
      );
      // FOR UPDATE holds appends back, so joinSeq is exactly the first seq the new member sees.
      const { rows } = await c.query<{ type: number; max_seq: string }>(
        'SELECT type, max_seq FROM conversations WHERE id = $1 FOR UPDATE',
        [id],
      );
      const current = rows[0];
      if (current === undefined) throw new InternalError(`conversation ${id} vanished`);
      if (current.type !== type)
        throw new ConflictError(`conversation ${id} exists with type ${current.type}`);
      if (members.length === 0) return;
      const maxSeq = BigInt(current.max_seq);
      await c.query(
        `INSERT INTO memberships (user_id, conversation_id, join_seq, read_seq)
         SELECT u, $1, $2, $3 FROM unnest($4::bigint[]) AS u
         ON CONFLICT (user_id, conversation_id) DO NOTHING`,
        [id, maxSeq + 1n, maxSeq, members],
      );
    });
  }

  async getConversation(id: ConversationId): Promise<ConversationRecord | undefined> {
    const { rows } = await this.#pool.query<ConversationRow>(
      'SELECT id, type, max_seq, created_at FROM conversations WHERE id = $1',
      [id],
    );
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

  async appendMessage(m: NewMessage): Promise<AppendResult> {
    const existing = await this.#messageByClientMsgId(m.senderId, m.clientMsgId);
    if (existing !== undefined) return { message: existing, duplicate: true };
    let rows: { seq: string }[];
    try {
      ({ rows } = await this.#pool.query<{ seq: string }>({
        ...Q.append,
        values: [
          m.id,
          m.conversationId,
          m.senderId,
          m.senderDevice,
          m.clientMsgId,
          m.contentType,
          m.content,
          m.searchText,
          m.serverTime,
        ],
      }));
    } catch (err) {
      // A concurrent copy of the same message committed first: answer with the original.
      if (!isUniqueViolation(err, 'messages_sender_client_msg_id')) throw err;
      const original = await this.#messageByClientMsgId(m.senderId, m.clientMsgId);
      if (original === undefined) throw err;
      return { message: original, duplicate: true };
    }
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`conversation ${m.conversationId} not found`);
    return { message: stored(m, Number(row.seq)), duplicate: false };
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
  async #transaction<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    // A client whose ROLLBACK failed is in an unknown state: destroy it instead of reusing it.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

/** Case-insensitive uniqueness: both stores must derive the same key. */
function usernameKey(username: string): string {
  return username.toLowerCase();
}

/** Negative or fractional values are caller bugs, never silently clamped. */
function checkPage(fromSeq: number, limit: number): void {
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) throw new BadRequestError(`bad fromSeq ${fromSeq}`);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new BadRequestError(`bad limit ${limit}`);
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  return err instanceof DatabaseError && err.code === UNIQUE_VIOLATION && err.constraint === constraint;
}

function optional<R, T>(row: R | undefined, map: (row: R) => T): T | undefined {
  return row === undefined ? undefined : map(row);
}

function conversationType(value: number): ConversationType {
  if (!isConversationType(value)) throw new InternalError(`stored conversation type ${value} is unknown`);
  return value;
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

function toUser(r: UserRow): UserRecord {
  return {
    id: BigInt(r.id),
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
    userId: BigInt(r.user_id),
    deviceId: r.device_id,
    platform: r.platform,
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
    id: BigInt(r.id),
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    senderId: BigInt(r.sender_id),
    senderDevice: r.sender_device,
    clientMsgId: r.client_msg_id,
    contentType: r.content_type,
    // A plain Uint8Array view (no copy), so callers comparing bytes never meet Buffer semantics.
    content: new Uint8Array(r.content.buffer, r.content.byteOffset, r.content.byteLength),
    searchText: r.search_text,
    serverTime: Number(r.server_time),
    flags: r.flags,
  };
}
