-- +goose Up
-- Every phone number ever acquired, by any AWS account (D21): a number once acquired is never offered or
-- acquired again on this server, even after its permanent deletion, so rows are never deleted (not even by a
-- reset or a tenant deletion). Orders insert here when they accept a number; search skips these numbers.
CREATE TABLE acquired_numbers (
    e164           TEXT    PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    acquired_ms    INTEGER NOT NULL
);

-- +goose Down
DROP TABLE acquired_numbers;
