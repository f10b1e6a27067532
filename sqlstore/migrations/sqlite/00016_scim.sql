-- +goose Up
-- SCIM 2.0 provisioning (docs/behavior.md §9.11). scim_tokens: the bearer tokens of one Chime account's SCIM
-- service, stored only as the SHA-256 of the token (token_hash) with the first characters of the token (prefix,
-- shown by `chimed scim-token list`); revoked_ms is set once revoked. scim_users: the SCIM side of a
-- provisioned user: scim_id is the SCIM resource id (the Chime UserId the user was created or first seen with),
-- user_id the Chime user it stands for now ('' when a Team deactivation removed it; email then keeps its
-- address for a reactivation), external_id the identity provider's id, user_name the SCIM userName (an identity
-- provider's login, not always the Chime address), email the Chime address, deleted a tombstone (an EnterpriseLWA
-- user deleted over SCIM stays in Chime, suspended, but no longer exists for SCIM). Rows go with their account's
-- rows (ON DELETE CASCADE when a tenant is deleted).
CREATE TABLE scim_tokens (
    id             TEXT    PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash     BLOB    NOT NULL,
    prefix         TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL,
    revoked_ms     INTEGER
);
CREATE INDEX scim_tokens_account ON scim_tokens (account_id, created_ms);
CREATE TABLE scim_users (
    account_id     TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scim_id        TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    external_id    TEXT    NOT NULL,
    user_name      TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    created_ms     INTEGER NOT NULL,
    updated_ms     INTEGER NOT NULL,
    PRIMARY KEY (account_id, scim_id)
);
CREATE UNIQUE INDEX scim_users_user ON scim_users (account_id, user_id) WHERE user_id <> '';
-- userName is unique among the account's SCIM users (the service compares case-insensitively first).
CREATE UNIQUE INDEX scim_users_name ON scim_users (account_id, lower(user_name)) WHERE deleted = 0;

-- +goose Down
DROP TABLE scim_users;
DROP TABLE scim_tokens;
