-- +goose Up
-- The phone number settings of an AWS account (§4.31, D28): its default outbound calling name ('' = cleared)
-- and the server time (ms) of its last successful update. One row per AWS account that ever set it; reset
-- deletes it (D48).
CREATE TABLE phone_number_settings (
    aws_account_id TEXT    PRIMARY KEY,
    calling_name   TEXT    NOT NULL,
    updated_ms     INTEGER NOT NULL
);

-- +goose Down
DROP TABLE phone_number_settings;
