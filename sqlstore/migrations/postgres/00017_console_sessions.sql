-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00017_console_sessions.sql: same table, columns and indexes.
CREATE TABLE console_sessions (
    hash           BYTEA   PRIMARY KEY,
    access_key_id  TEXT    NOT NULL,
    aws_account_id TEXT    NOT NULL,
    csrf           TEXT    NOT NULL,
    created_ms     BIGINT  NOT NULL,
    expires_ms     BIGINT  NOT NULL
);
CREATE INDEX console_sessions_key ON console_sessions (access_key_id);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_ms);

-- +goose Down
DROP TABLE console_sessions;
