-- +goose Up
-- The user lifecycle: one-time links (invitations, sign-in), sessions, and the outbox of sent mail.
-- Tokens are stored only as SHA-256 hashes; outbox links only sealed (AES-GCM, key outside the database).
-- Links and sessions belong to their user and go with it: deleting the user (or its account or AWS account)
-- cascades to them, without the users table knowing about them.
CREATE TABLE user_links (
    hash           BLOB    PRIMARY KEY,
    kind           TEXT    NOT NULL,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    invite_id      TEXT    NOT NULL DEFAULT '',
    created_ms     INTEGER NOT NULL,
    expires_ms     INTEGER NOT NULL,
    used_ms        INTEGER,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX user_links_user ON user_links (account_id, user_id, kind);

CREATE TABLE user_sessions (
    hash           BLOB    PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL,
    expires_ms     INTEGER NOT NULL,
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX user_sessions_user ON user_sessions (account_id, user_id);

CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    recipient      TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    sealed_link    BLOB    NOT NULL,
    email_status   TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL
);
CREATE INDEX outbox_aws_seq ON outbox (aws_account_id, seq);

-- Sign-in requests look an address up across AWS accounts.
CREATE INDEX users_email_key ON users (email_key);

-- +goose Down
DROP INDEX users_email_key;
DROP TABLE outbox;
DROP TABLE user_sessions;
DROP TABLE user_links;
