-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00002_credentials.sql.
CREATE TABLE credentials (
    access_key_id  TEXT    PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    read_only      BOOLEAN NOT NULL DEFAULT false,
    sealed_secret  BYTEA   NOT NULL,
    created_ms     BIGINT  NOT NULL,
    revoked_ms     BIGINT
);

-- +goose Down
DROP TABLE credentials;
