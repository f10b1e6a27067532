-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00006_retention_clock.sql: same tables, columns and indexes.
CREATE TABLE server_clock (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    offset_ms  BIGINT  NOT NULL
);
INSERT INTO server_clock (id, offset_ms) VALUES (1, 0);

CREATE TABLE retention_settings (
    account_id           TEXT    PRIMARY KEY,
    aws_account_id       TEXT    NOT NULL,
    room_days            INTEGER NOT NULL,
    conversation_days    INTEGER NOT NULL,
    initiate_deletion_ms BIGINT
);
CREATE INDEX retention_settings_tenant ON retention_settings (aws_account_id);

-- +goose Down
DROP TABLE retention_settings;
DROP TABLE server_clock;
