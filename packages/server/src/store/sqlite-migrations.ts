/**
 * SQLite schema, one entry per version (index 0 is version 1). Append only: a released entry is
 * never edited, a change is a new entry. STRICT tables so a wrong type is an error, not a silent
 * coercion. Full-text search is an external-content FTS5 table over messages.search_text
 * (version 3), kept in step by triggers.
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
  `, // 3: last seen, mentions and per-member settings, contacts, blocks, full-text search.
  `
  ALTER TABLE users ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;

  ALTER TABLE memberships ADD COLUMN mention_seq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE memberships ADD COLUMN pinned      INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE memberships ADD COLUMN muted       INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE memberships ADD COLUMN hidden_seq  INTEGER NOT NULL DEFAULT 0;

  -- One row per direction of a relation; listContacts reads the primary key in peer order.
  CREATE TABLE contacts (
    user_id    INTEGER NOT NULL,
    peer_id    INTEGER NOT NULL,
    state      INTEGER NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, peer_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE blocks (
    user_id    INTEGER NOT NULL,
    blocked_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
  ) STRICT, WITHOUT ROWID;

  -- External content: the text lives in messages only; the rowid is messages.id. The triggers
  -- keep the index exact through appends, recalls and edits (updateMessage) and deletes.
  CREATE VIRTUAL TABLE messages_fts USING fts5 (
    search_text,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
  );
  INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, search_text) VALUES (new.id, new.search_text);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF id, search_text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO messages_fts (rowid, search_text) VALUES (new.id, new.search_text);
  END;
  `,
  `
  -- Version 4: balances, their ledger, red packets (FastIM). A balance row exists once money moved.
  CREATE TABLE wallets (
    user_id INTEGER PRIMARY KEY,
    balance INTEGER NOT NULL CHECK (balance >= 0)
  ) STRICT;

  CREATE TABLE ledger (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL,
    delta         INTEGER NOT NULL,
    balance_after INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    ref_id        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX ledger_user ON ledger (user_id, id);

  CREATE TABLE red_packets (
    id               INTEGER PRIMARY KEY,
    sender_id        INTEGER NOT NULL,
    client_msg_id    TEXT    NOT NULL,
    conversation_id  TEXT    NOT NULL,
    total            INTEGER NOT NULL,
    count            INTEGER NOT NULL,
    mode             TEXT    NOT NULL,
    greeting         TEXT    NOT NULL,
    remaining_amount INTEGER NOT NULL CHECK (remaining_amount >= 0),
    remaining_count  INTEGER NOT NULL CHECK (remaining_count >= 0),
    state            TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX red_packets_dedup ON red_packets (sender_id, client_msg_id);
  CREATE INDEX red_packets_open ON red_packets (expires_at) WHERE state = 'open';

  CREATE TABLE red_packet_claims (
    packet_id  INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    amount     INTEGER NOT NULL,
    claimed_at INTEGER NOT NULL,
    PRIMARY KEY (packet_id, user_id)
  ) STRICT, WITHOUT ROWID;
  `,
  `
  -- Version 5: end-to-end public keys (docs/security.md), one row per user and key id; the key
  -- published last is the user's current one, older ones keep history readable.
  CREATE TABLE user_keys (
    user_id      INTEGER NOT NULL,
    key_id       TEXT    NOT NULL,
    algorithm    TEXT    NOT NULL,
    public_key   BLOB    NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX user_keys_current ON user_keys (user_id, published_at);
  `,
  `
  -- Version 6: appends index their text themselves, after a whole group commit's inserts. The
  -- trigger indexed each row at once, and every later statement of the transaction then flushed
  -- FTS5's pending terms (its savepoint hook): a segment per message, half of an append's cost.
  DROP TRIGGER messages_fts_insert;
  `,
  `
  -- Version 7: an admin's ban and mute of a user (ms since the epoch; 0 = none).
  ALTER TABLE users ADD COLUMN banned_until INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE users ADD COLUMN muted_until INTEGER NOT NULL DEFAULT 0;
  `,
];
