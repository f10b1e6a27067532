-- +goose Up
-- User settings (business-calling permissions) and the global settings of an AWS account.
-- A user's settings belong to the user and go with it: deleting the user (or its account or AWS account)
-- cascades to them. A user without a row has the defaults (all on).
CREATE TABLE user_settings (
    account_id       TEXT    NOT NULL,
    user_id          TEXT    NOT NULL,
    inbound_calling  INTEGER NOT NULL,
    outbound_calling INTEGER NOT NULL,
    sms              INTEGER NOT NULL,
    PRIMARY KEY (account_id, user_id),
    FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);

-- One row per AWS account that ever set them; '' = no bucket.
CREATE TABLE global_settings (
    aws_account_id       TEXT PRIMARY KEY,
    business_calling_cdr TEXT NOT NULL DEFAULT '',
    voice_connector_cdr  TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE global_settings;
DROP TABLE user_settings;
