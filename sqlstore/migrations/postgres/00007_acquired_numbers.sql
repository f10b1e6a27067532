-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00007_acquired_numbers.sql: same table and columns. The numbers compare
-- in byte order ("C" collation), as search walks them.
CREATE TABLE acquired_numbers (
    e164           TEXT COLLATE "C" PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    acquired_ms    BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE acquired_numbers;
