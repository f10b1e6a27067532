-- +goose Up
-- Sessions of the admin console (http/admin, consolesessions.go): the SHA-256 of the cookie's token, the access
-- key that signed in and its AWS account, the session's anti-forgery token, and a bounded lifetime. Signing out
-- deletes the row; expired rows are pruned at sign-in.
CREATE TABLE console_sessions (
    hash           BLOB    PRIMARY KEY,
    access_key_id  TEXT    NOT NULL,
    aws_account_id TEXT    NOT NULL,
    csrf           TEXT    NOT NULL,
    created_ms     INTEGER NOT NULL,
    expires_ms     INTEGER NOT NULL
);
CREATE INDEX console_sessions_key ON console_sessions (access_key_id);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_ms);

-- +goose Down
DROP TABLE console_sessions;
