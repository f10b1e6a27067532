-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00010_bots.sql: same tables, columns and keys.
-- Chat bots of Chime accounts and their events configurations (docs/behavior.md §3.9, §4.36, §4.37; D36, D37).
-- A bot's SecurityToken is kept only sealed with the service's keyring (additional data "bot/" + bot_id).
-- email_key is the BotEmail in lower case: unique per Chime account (D36). Bots list by (created_ms, bot_id).
CREATE TABLE bots (
    bot_id         TEXT    PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    account_id     TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    email_key      TEXT    NOT NULL,
    disabled       BOOLEAN NOT NULL,
    sealed_token   BYTEA   NOT NULL,
    created_ms     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX bots_by_email ON bots (account_id, email_key);
CREATE INDEX bots_by_account ON bots (account_id, created_ms, bot_id);
CREATE INDEX bots_by_aws ON bots (aws_account_id);

-- At most one configuration per bot: exactly one of endpoint and lambda_arn is not empty.
CREATE TABLE bot_events_configurations (
    bot_id     TEXT NOT NULL PRIMARY KEY REFERENCES bots (bot_id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    endpoint   TEXT NOT NULL,
    lambda_arn TEXT NOT NULL
);

-- +goose Down
DROP TABLE bot_events_configurations;
DROP TABLE bots;
