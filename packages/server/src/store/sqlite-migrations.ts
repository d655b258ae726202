/**
 * SQLite schema, one entry per version (index 0 is version 1). Append only: a released entry is
 * never edited, a change is a new entry. STRICT tables so a wrong type is an error, not a silent
 * coercion. Full-text search (FTS5 over messages.search_text) will arrive as a later entry.
 *
 * Foreign keys are deliberately absent: the store enforces the invariants it relies on (a message
 * needs its conversation row for its seq), and members need not be registered users (guests).
 */
export const sqliteMigrations: readonly string[] = [
  `
  CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    avatar_url    TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX users_username_key ON users (username_key);

  CREATE TABLE tokens (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    device_id  TEXT    NOT NULL,
    platform   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX tokens_user_id ON tokens (user_id);

  CREATE TABLE conversations (
    id         TEXT    PRIMARY KEY,
    type       INTEGER NOT NULL,
    max_seq    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE memberships (
    user_id         INTEGER NOT NULL,
    conversation_id TEXT    NOT NULL,
    role            INTEGER NOT NULL DEFAULT 0,
    join_seq        INTEGER NOT NULL,
    read_seq        INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX memberships_conversation_id ON memberships (conversation_id);

  CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    sender_id       INTEGER NOT NULL,
    sender_device   TEXT    NOT NULL,
    client_msg_id   TEXT    NOT NULL,
    content_type    INTEGER NOT NULL,
    content         BLOB    NOT NULL,
    search_text     TEXT    NOT NULL DEFAULT '',
    server_time     INTEGER NOT NULL,
    flags           INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE UNIQUE INDEX messages_conversation_seq ON messages (conversation_id, seq);
  CREATE UNIQUE INDEX messages_sender_client_msg_id ON messages (sender_id, client_msg_id);
  `, // 2: group and chatroom profiles, member counts, member mutes.
  `
  ALTER TABLE conversations ADD COLUMN name         TEXT    NOT NULL DEFAULT '';
  ALTER TABLE conversations ADD COLUMN avatar_url   TEXT    NOT NULL DEFAULT '';
  ALTER TABLE conversations ADD COLUMN notice       TEXT    NOT NULL DEFAULT '';
  ALTER TABLE conversations ADD COLUMN owner_id     INTEGER;
  ALTER TABLE conversations ADD COLUMN dismissed    INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN mute_all     INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE conversations ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
  UPDATE conversations SET member_count =
    (SELECT count(*) FROM memberships m WHERE m.conversation_id = conversations.id);
  CREATE INDEX conversations_type_id ON conversations (type, id);

  ALTER TABLE memberships ADD COLUMN muted_until INTEGER NOT NULL DEFAULT 0;
  -- countReaders; the primary key (user_id) rides along in a WITHOUT ROWID index, so it covers.
  CREATE INDEX memberships_conversation_read_seq ON memberships (conversation_id, read_seq, join_seq);
  `,
];
