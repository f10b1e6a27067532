-- +goose Up
-- The phone number inventory of AWS accounts and their orders (docs/behavior.md §3.5–§3.7, D20–D29).
-- Scheduled transitions are data (see phonenumbers.go in the root package): a number's pending state change is
-- (next_status, status_at_ms), its pending calling-name change (cn_next_status, cn_at_ms), and a number in the
-- deletion queue disappears at purge_at_ms; every read compares those times with the server clock.
-- A number is in at most one inventory (acquired_numbers never lets it be acquired twice), hence the key.
CREATE TABLE phone_numbers (
    e164           TEXT    PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    country        TEXT    NOT NULL,
    number_type    TEXT    NOT NULL,
    product_type   TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    next_status    TEXT    NOT NULL DEFAULT '',
    status_at_ms   INTEGER,
    account_id     TEXT,
    user_id        TEXT,
    associated_ms  INTEGER,
    calling_name   TEXT,
    cn_status      TEXT    NOT NULL,
    cn_next_status TEXT    NOT NULL DEFAULT '',
    cn_at_ms       INTEGER,
    created_ms     INTEGER NOT NULL,
    updated_ms     INTEGER NOT NULL,
    deleted_ms     INTEGER,
    purge_at_ms    INTEGER
);
CREATE INDEX phone_numbers_by_aws ON phone_numbers (aws_account_id, e164);
-- One number per user (D29): two transactions giving a user a number cannot both commit.
CREATE UNIQUE INDEX phone_numbers_by_user ON phone_numbers (account_id, user_id) WHERE user_id IS NOT NULL;

CREATE TABLE phone_number_orders (
    order_id       TEXT    PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    product_type   TEXT    NOT NULL,
    outcome        TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL,
    ready_ms       INTEGER NOT NULL
);
CREATE INDEX phone_number_orders_by_aws ON phone_number_orders (aws_account_id, created_ms, order_id);

-- The numbers of an order, in request order (pos from 0).
CREATE TABLE phone_number_order_lines (
    order_id TEXT    NOT NULL REFERENCES phone_number_orders (order_id) ON DELETE CASCADE,
    pos      INTEGER NOT NULL,
    e164     TEXT    NOT NULL,
    acquired INTEGER NOT NULL,
    PRIMARY KEY (order_id, pos)
);

-- +goose Down
DROP TABLE phone_number_order_lines;
DROP TABLE phone_number_orders;
DROP TABLE phone_numbers;
