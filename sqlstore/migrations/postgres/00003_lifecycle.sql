-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00003_lifecycle.sql: same tables, columns and indexes.
CREATE TABLE user_links (
    hash           BYTEA   PRIMARY KEY,
    kind           TEXT    NOT NULL,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    invite_id      TEXT    NOT NULL DEFAULT '',
    created_ms     BIGINT  NOT NULL,
    expires_ms     BIGINT  NOT NULL,
    used_ms        BIGINT,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX user_links_user ON user_links (account_id, user_id, kind);

CREATE TABLE user_sessions (
    hash           BYTEA   PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    created_ms     BIGINT  NOT NULL,
    expires_ms     BIGINT  NOT NULL,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX user_sessions_user ON user_sessions (account_id, user_id);

CREATE TABLE outbox (
    seq            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    recipient      TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    sealed_link    BYTEA   NOT NULL,
    email_status   TEXT    NOT NULL,
    created_ms     BIGINT  NOT NULL
);
CREATE INDEX outbox_aws_seq ON outbox (aws_account_id, seq);

-- Sign-in requests look an address up across AWS accounts.
CREATE INDEX users_email_key ON users (email_key);

-- +goose Down
DROP INDEX users_email_key;
DROP TABLE outbox;
DROP TABLE user_sessions;
DROP TABLE user_links;
