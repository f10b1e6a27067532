-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00014_dial_outs.sql: same table, columns and keys.
-- Recorded meeting dial-outs (docs/behavior.md §4.38, §9.8; D40), the dial-out outbox: one row per successful
-- CreateMeetingDialOut of an AWS account, in creation order (seq). The join token is sealed by the service
-- (AES-GCM, bound to the transaction id); numbers are E.164 with '+'; created_ms is the server clock. At most 250
-- rows per (aws_account_id, meeting_id), counted under an advisory lock of that pair; reset deletes an AWS
-- account's rows (D48).
CREATE TABLE dial_outs (
    seq               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id    TEXT    NOT NULL UNIQUE,
    aws_account_id    TEXT    NOT NULL,
    meeting_id        TEXT    NOT NULL,
    from_number       TEXT    NOT NULL,
    to_number         TEXT    NOT NULL,
    sealed_join_token BYTEA   NOT NULL,
    created_ms        BIGINT  NOT NULL
);
CREATE INDEX dial_outs_by_meeting ON dial_outs (aws_account_id, meeting_id);
CREATE INDEX dial_outs_by_aws ON dial_outs (aws_account_id, seq);

-- +goose Down
DROP TABLE dial_outs;
