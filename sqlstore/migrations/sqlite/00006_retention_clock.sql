-- +goose Up
-- The server clock's offset (docs/behavior.md D19, §9.5): one row, shared by every node and kept over restarts.
-- Retention settings of Chime accounts (§4.20): one row per account that was ever given some; days 0 = off.
CREATE TABLE server_clock (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    offset_ms  INTEGER NOT NULL
);
INSERT INTO server_clock (id, offset_ms) VALUES (1, 0);

CREATE TABLE retention_settings (
    account_id           TEXT    PRIMARY KEY,
    aws_account_id       TEXT    NOT NULL,
    room_days            INTEGER NOT NULL,
    conversation_days    INTEGER NOT NULL,
    initiate_deletion_ms INTEGER
);
CREATE INDEX retention_settings_tenant ON retention_settings (aws_account_id);

-- +goose Down
DROP TABLE retention_settings;
DROP TABLE server_clock;
