-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00001_init.sql: same tables, columns and indexes.
CREATE TABLE accounts (
    seq                    BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                     TEXT    NOT NULL UNIQUE,
    aws_account_id         TEXT    NOT NULL,
    -- Byte order, like SQLite's BINARY: the prefix filter (name >= $p AND substr(name, 1, n) = $p) is exact.
    name                   TEXT    COLLATE "C" NOT NULL,
    type                   TEXT    NOT NULL,
    created_ms             BIGINT  NOT NULL,
    default_license        TEXT    NOT NULL,
    supported_licenses     TEXT    NOT NULL,
    status                 TEXT    NOT NULL,
    delegate_groups        TEXT    NOT NULL DEFAULT '',
    disable_remote_control BOOLEAN NOT NULL DEFAULT false,
    enable_dial_out        BOOLEAN NOT NULL DEFAULT false,
    deleted_ms             BIGINT
);
-- Listing in creation order and the name prefix filter, live accounts only.
CREATE INDEX accounts_aws_seq ON accounts (aws_account_id, seq) WHERE deleted_ms IS NULL;
CREATE INDEX accounts_aws_name ON accounts (aws_account_id, name) WHERE deleted_ms IS NULL;

CREATE TABLE users (
    seq                BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                 TEXT    NOT NULL,
    account_id         TEXT    NOT NULL REFERENCES accounts (id),
    aws_account_id     TEXT    NOT NULL,
    email              TEXT    NOT NULL,
    email_key          TEXT    NOT NULL,
    display_name       TEXT    NOT NULL DEFAULT '',
    license            TEXT    NOT NULL,
    user_type          TEXT    NOT NULL,
    reg_status         TEXT    NOT NULL,
    inv_status         TEXT    NOT NULL DEFAULT '',
    invite_id          TEXT    NOT NULL DEFAULT '',
    invited_ms         BIGINT,
    registered_ms      BIGINT,
    created_ms         BIGINT  NOT NULL,
    pin                TEXT,
    alexa_enabled      BOOLEAN NOT NULL DEFAULT false,
    alexa_room_arn     TEXT    NOT NULL DEFAULT '',
    phone              TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX users_account_id ON users (account_id, id);
CREATE UNIQUE INDEX users_aws_email ON users (aws_account_id, email_key);
CREATE INDEX users_account_seq ON users (account_id, seq);
CREATE UNIQUE INDEX users_pin ON users (pin);

CREATE TABLE server_secrets (
    name  TEXT  PRIMARY KEY,
    value BYTEA NOT NULL
);

-- +goose Down
DROP TABLE server_secrets;
DROP TABLE users;
DROP TABLE accounts;
