-- +goose Up
CREATE TABLE accounts (
    seq                    INTEGER PRIMARY KEY,
    id                     TEXT    NOT NULL UNIQUE,
    aws_account_id         TEXT    NOT NULL,
    name                   TEXT    NOT NULL,
    type                   TEXT    NOT NULL,
    created_ms             INTEGER NOT NULL,
    default_license        TEXT    NOT NULL,
    supported_licenses     TEXT    NOT NULL,
    status                 TEXT    NOT NULL,
    delegate_groups        TEXT    NOT NULL DEFAULT '',
    disable_remote_control INTEGER NOT NULL DEFAULT 0,
    enable_dial_out        INTEGER NOT NULL DEFAULT 0,
    deleted_ms             INTEGER
);
-- Listing in creation order and the name prefix filter, live accounts only.
CREATE INDEX accounts_aws_seq ON accounts (aws_account_id, seq) WHERE deleted_ms IS NULL;
CREATE INDEX accounts_aws_name ON accounts (aws_account_id, name) WHERE deleted_ms IS NULL;

CREATE TABLE users (
    seq                INTEGER PRIMARY KEY,
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
    invited_ms         INTEGER,
    registered_ms      INTEGER,
    created_ms         INTEGER NOT NULL,
    pin                TEXT,
    alexa_enabled      INTEGER NOT NULL DEFAULT 0,
    alexa_room_arn     TEXT    NOT NULL DEFAULT '',
    phone              TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX users_account_id ON users (account_id, id);
CREATE UNIQUE INDEX users_aws_email ON users (aws_account_id, email_key);
CREATE INDEX users_account_seq ON users (account_id, seq);
CREATE UNIQUE INDEX users_pin ON users (pin);

CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- +goose Down
DROP TABLE server_secrets;
DROP TABLE users;
DROP TABLE accounts;
