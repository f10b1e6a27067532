-- +goose Up
CREATE TABLE credentials (
    access_key_id  TEXT    PRIMARY KEY,
    aws_account_id TEXT    NOT NULL,
    read_only      INTEGER NOT NULL DEFAULT 0,
    sealed_secret  BLOB    NOT NULL,
    created_ms     INTEGER NOT NULL,
    revoked_ms     INTEGER
);

-- +goose Down
DROP TABLE credentials;
