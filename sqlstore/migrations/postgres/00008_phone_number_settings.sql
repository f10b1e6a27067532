-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00008_phone_number_settings.sql: same table and columns.
CREATE TABLE phone_number_settings (
    aws_account_id TEXT   PRIMARY KEY,
    calling_name   TEXT   NOT NULL,
    updated_ms     BIGINT NOT NULL
);

-- +goose Down
DROP TABLE phone_number_settings;
