-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00013_messages.sql: same tables, columns and keys; ids compare in byte
-- order ("C" collation).
-- Messages of rooms and conversations, conversations, incoming webhooks and inbound URLs (docs/behavior.md
-- §9.6, §9.7; D34, D35, D39). A message's seq orders it in its chat (assigned under the account's write lock); a
-- redacted message keeps its row with content NULL and redacted_ms set. A conversation is unique per account by
-- member_key (the hash of its sorted member ids); member_ids is a JSON array. An inbound URL keeps only the
-- SHA-256 of its token; expires_ms 0 means no expiry; member_since_ms ties a bot URL to one membership.
CREATE TABLE chat_messages (
    message_id     TEXT COLLATE "C" PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    chat_kind      TEXT    NOT NULL,
    chat_id        TEXT    NOT NULL,
    seq            BIGINT NOT NULL,
    sender_type    TEXT    NOT NULL,
    sender_id      TEXT    NOT NULL,
    sender_name    TEXT    NOT NULL,
    content        TEXT,
    redacted_ms    BIGINT,
    created_ms     BIGINT NOT NULL
);
CREATE UNIQUE INDEX chat_messages_by_chat ON chat_messages (account_id, chat_kind, chat_id, seq);
CREATE INDEX chat_messages_by_age ON chat_messages (account_id, chat_kind, created_ms);
CREATE INDEX chat_messages_by_aws ON chat_messages (aws_account_id, account_id);

CREATE TABLE conversations (
    conversation_id TEXT COLLATE "C" PRIMARY KEY,
    aws_account_id  TEXT    NOT NULL,
    account_id      TEXT    NOT NULL,
    member_key      TEXT    NOT NULL,
    member_ids      TEXT    NOT NULL,
    seq             BIGINT NOT NULL,
    created_ms      BIGINT NOT NULL
);
CREATE UNIQUE INDEX conversations_by_members ON conversations (account_id, member_key);
CREATE UNIQUE INDEX conversations_by_seq ON conversations (account_id, seq);
CREATE INDEX conversations_by_aws ON conversations (aws_account_id, account_id);

CREATE TABLE webhooks (
    webhook_id     TEXT COLLATE "C" PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    room_id        TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    created_ms     BIGINT NOT NULL
);
CREATE INDEX webhooks_by_room ON webhooks (account_id, room_id);
CREATE INDEX webhooks_by_aws ON webhooks (aws_account_id, account_id);

CREATE TABLE inbound_urls (
    url_id          TEXT COLLATE "C" PRIMARY KEY,
    token_hash      BYTEA   NOT NULL,
    aws_account_id  TEXT    NOT NULL,
    account_id      TEXT    NOT NULL,
    room_id         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    owner_id        TEXT    NOT NULL,
    member_since_ms BIGINT NOT NULL,
    expires_ms      BIGINT NOT NULL,
    created_ms      BIGINT NOT NULL
);
CREATE INDEX inbound_urls_by_owner ON inbound_urls (account_id, room_id, owner_id);
CREATE INDEX inbound_urls_by_aws ON inbound_urls (aws_account_id, account_id);

-- +goose Down
DROP TABLE inbound_urls;
DROP TABLE webhooks;
DROP TABLE conversations;
DROP TABLE chat_messages;
