/**
 * PostgreSQL schema, one entry per version (index 0 is version 1). Append only: a released entry
 * is never edited, a change is a new entry. Names are unqualified: they land in the store's schema
 * (search_path). Full-text search is a GIN expression index on
 * to_tsvector('simple', search_text) (version 3); queries must repeat that exact expression.
 *
 * Unique indexes have explicit names because the store recognises its conflicts by them.
 * Foreign keys are deliberately absent: the store enforces the invariants it relies on, and
 * members need not be registered users (guests).
 */
export const postgresMigrations: readonly string[] = [
  `
  CREATE TABLE users (
    id            bigint PRIMARY KEY,
    username      text   NOT NULL,
    username_key  text   NOT NULL,
    display_name  text   NOT NULL,
    avatar_url    text   NOT NULL DEFAULT '',
    password_hash text   NOT NULL,
    created_at    bigint NOT NULL
  );
  CREATE UNIQUE INDEX users_username_key ON users (username_key);

  CREATE TABLE tokens (
    token_hash text    PRIMARY KEY,
    user_id    bigint  NOT NULL,
    device_id  text    NOT NULL,
    platform   integer NOT NULL,
    created_at bigint  NOT NULL,
    expires_at bigint  NOT NULL,
    revoked_at bigint
  );
  CREATE INDEX tokens_user_id ON tokens (user_id);

  CREATE TABLE conversations (
    id         text    PRIMARY KEY,
    type       integer NOT NULL,
    max_seq    bigint  NOT NULL DEFAULT 0,
    created_at bigint  NOT NULL
  );

  CREATE TABLE memberships (
    user_id         bigint  NOT NULL,
    conversation_id text    NOT NULL,
    role            integer NOT NULL DEFAULT 0,
    join_seq        bigint  NOT NULL,
    read_seq        bigint  NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
  );
  CREATE INDEX memberships_conversation_id ON memberships (conversation_id);

  CREATE TABLE messages (
    id              bigint  PRIMARY KEY,
    conversation_id text    NOT NULL,
    seq             bigint  NOT NULL,
    sender_id       bigint  NOT NULL,
    sender_device   text    NOT NULL,
    client_msg_id   text    NOT NULL,
    content_type    integer NOT NULL,
    content         bytea   NOT NULL,
    search_text     text    NOT NULL DEFAULT '',
    server_time     bigint  NOT NULL,
    flags           integer NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX messages_conversation_seq ON messages (conversation_id, seq);
  CREATE UNIQUE INDEX messages_sender_client_msg_id ON messages (sender_id, client_msg_id);
  `, // 2: group and chatroom profiles, member counts, member mutes.
  `
  ALTER TABLE conversations
    ADD COLUMN name         text    NOT NULL DEFAULT '',
    ADD COLUMN avatar_url   text    NOT NULL DEFAULT '',
    ADD COLUMN notice       text    NOT NULL DEFAULT '',
    ADD COLUMN owner_id     bigint,
    ADD COLUMN dismissed    boolean NOT NULL DEFAULT false,
    ADD COLUMN mute_all     boolean NOT NULL DEFAULT false,
    ADD COLUMN member_count integer NOT NULL DEFAULT 0;
  UPDATE conversations c SET member_count = m.n
    FROM (SELECT conversation_id, count(*) AS n FROM memberships GROUP BY conversation_id) m
    WHERE m.conversation_id = c.id;
  -- listConversations pages in byte order (COLLATE "C"), the same order as SQLite's.
  CREATE INDEX conversations_type_id ON conversations (type, id COLLATE "C");

  ALTER TABLE memberships ADD COLUMN muted_until bigint NOT NULL DEFAULT 0;
  -- countReaders (index-only) and listMembers (ordered by user_id); together they cover every
  -- lookup the old (conversation_id) index served.
  CREATE INDEX memberships_conversation_read_seq ON memberships (conversation_id, read_seq)
    INCLUDE (user_id, join_seq);
  CREATE INDEX memberships_conversation_user ON memberships (conversation_id, user_id);
  DROP INDEX memberships_conversation_id;
  `, // 3: last seen, mentions and per-member settings, contacts, blocks, full-text search.
  `
  ALTER TABLE users ADD COLUMN last_seen_at bigint NOT NULL DEFAULT 0;

  ALTER TABLE memberships
    ADD COLUMN mention_seq bigint  NOT NULL DEFAULT 0,
    ADD COLUMN pinned      boolean NOT NULL DEFAULT false,
    ADD COLUMN muted       boolean NOT NULL DEFAULT false,
    ADD COLUMN hidden_seq  bigint  NOT NULL DEFAULT 0;

  -- One row per direction of a relation; listContacts reads the primary key in peer order.
  CREATE TABLE contacts (
    user_id    bigint  NOT NULL,
    peer_id    bigint  NOT NULL,
    state      integer NOT NULL,
    note       text    NOT NULL DEFAULT '',
    updated_at bigint  NOT NULL,
    PRIMARY KEY (user_id, peer_id)
  );

  CREATE TABLE blocks (
    user_id    bigint NOT NULL,
    blocked_id bigint NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
  );

  -- Built inside the migration's transaction (CONCURRENTLY cannot be): writes to messages wait
  -- while it builds over existing rows.
  CREATE INDEX messages_search_text ON messages USING gin (to_tsvector('simple', search_text));
  `,
  `
  -- Version 4: balances, their ledger, red packets (FastIM). A balance row exists once money moved.
  CREATE TABLE wallets (
    user_id bigint PRIMARY KEY,
    balance bigint NOT NULL CHECK (balance >= 0)
  );

  CREATE TABLE ledger (
    id            bigint PRIMARY KEY,
    user_id       bigint NOT NULL,
    delta         bigint NOT NULL,
    balance_after bigint NOT NULL,
    kind          text   NOT NULL,
    ref_id        bigint NOT NULL,
    created_at    bigint NOT NULL
  );
  CREATE INDEX ledger_user ON ledger (user_id, id);

  CREATE TABLE red_packets (
    id               bigint  PRIMARY KEY,
    sender_id        bigint  NOT NULL,
    client_msg_id    text    NOT NULL,
    conversation_id  text    NOT NULL,
    total            bigint  NOT NULL,
    count            integer NOT NULL,
    mode             text    NOT NULL,
    greeting         text    NOT NULL,
    remaining_amount bigint  NOT NULL CHECK (remaining_amount >= 0),
    remaining_count  integer NOT NULL CHECK (remaining_count >= 0),
    state            text    NOT NULL,
    created_at       bigint  NOT NULL,
    expires_at       bigint  NOT NULL
  );
  CREATE UNIQUE INDEX red_packets_dedup ON red_packets (sender_id, client_msg_id);
  CREATE INDEX red_packets_open ON red_packets (expires_at) WHERE state = 'open';

  CREATE TABLE red_packet_claims (
    packet_id  bigint NOT NULL,
    user_id    bigint NOT NULL,
    amount     bigint NOT NULL,
    claimed_at bigint NOT NULL,
    PRIMARY KEY (packet_id, user_id)
  );
  `,
  `
  -- Version 5: end-to-end public keys (docs/security.md), one row per user and key id; the key
  -- published last is the user's current one, older ones keep history readable.
  CREATE TABLE user_keys (
    user_id      bigint NOT NULL,
    key_id       text   NOT NULL,
    algorithm    text   NOT NULL,
    public_key   bytea  NOT NULL,
    published_at bigint NOT NULL,
    PRIMARY KEY (user_id, key_id)
  );
  CREATE INDEX user_keys_current ON user_keys (user_id, published_at);
  `,
  `
  -- Version 6: a group commit's plain appends (no mentions) in one round trip. The same three
  -- statements as the store's single append, per message in array order; any error (a retry on
  -- the dedup index, a missing conversation) aborts the caller's transaction, which then appends
  -- each message alone.
  CREATE FUNCTION append_messages(
    p_ids bigint[], p_conversations text[], p_senders bigint[], p_devices text[],
    p_client_msg_ids text[], p_content_types integer[], p_contents bytea[], p_search_texts text[],
    p_server_times bigint[]
  ) RETURNS bigint[] LANGUAGE plpgsql AS $$
  DECLARE
    seqs bigint[] := '{}';
    next_seq bigint;
  BEGIN
    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
      UPDATE conversations SET max_seq = max_seq + 1 WHERE id = p_conversations[i]
        RETURNING max_seq INTO next_seq;
      IF next_seq IS NULL THEN
        RAISE EXCEPTION 'conversation % not found', p_conversations[i] USING ERRCODE = 'no_data_found';
      END IF;
      INSERT INTO messages (id, conversation_id, seq, sender_id, sender_device, client_msg_id,
                            content_type, content, search_text, server_time)
      VALUES (p_ids[i], p_conversations[i], next_seq, p_senders[i], p_devices[i], p_client_msg_ids[i],
              p_content_types[i], p_contents[i], p_search_texts[i], p_server_times[i]);
      UPDATE memberships SET read_seq = GREATEST(read_seq, next_seq)
        WHERE user_id = p_senders[i] AND conversation_id = p_conversations[i];
      seqs := seqs || next_seq;
    END LOOP;
    RETURN seqs;
  END
  $$;
  `,
  `
  -- Version 7: an admin's ban and mute of a user (ms since the epoch; 0 = none).
  ALTER TABLE users ADD COLUMN banned_until bigint NOT NULL DEFAULT 0;
  ALTER TABLE users ADD COLUMN muted_until bigint NOT NULL DEFAULT 0;
  `,
];
