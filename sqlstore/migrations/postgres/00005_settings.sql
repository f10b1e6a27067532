-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00005_settings.sql: same tables, columns and keys.
CREATE TABLE user_settings (
    account_id       TEXT    NOT NULL,
    user_id          TEXT    NOT NULL,
    inbound_calling  BOOLEAN NOT NULL,
    outbound_calling BOOLEAN NOT NULL,
    sms              BOOLEAN NOT NULL,
    PRIMARY KEY (account_id, user_id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);

CREATE TABLE global_settings (
    aws_account_id       TEXT PRIMARY KEY,
    business_calling_cdr TEXT NOT NULL DEFAULT '',
    voice_connector_cdr  TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE global_settings;
DROP TABLE user_settings;
