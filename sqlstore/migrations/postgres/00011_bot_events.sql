-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00011_bot_events.sql: same table, columns and keys.
-- The durable outbox of bot events (docs/behavior.md §10, §9.8; D38). An event is written in the transaction of its
-- trigger, Pending for an HTTPS target (Recorded for a Lambda one, endpoint challenges already settled), and
-- delivered afterwards by the delivery worker of any node: a node claims the oldest Pending event of a bot
-- whose earlier events are settled by setting claimed_until_ms (wall clock, a lease) and claim_id, skipping
-- rows another node is claiming (FOR UPDATE SKIP LOCKED); only the holder of the claim records the outcome.
-- attempts is a JSON array of the attempts made. body holds the exact bytes that were (or will be) signed.
CREATE TABLE bot_events (
    seq              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         TEXT    NOT NULL UNIQUE,
    aws_account_id   TEXT    NOT NULL,
    account_id       TEXT    NOT NULL,
    bot_id           TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    target_type      TEXT    NOT NULL,
    target           TEXT    NOT NULL,
    body             BYTEA   NOT NULL,
    status           TEXT    NOT NULL,
    attempts         TEXT    NOT NULL,
    created_ms       BIGINT  NOT NULL,
    claimed_until_ms BIGINT  NOT NULL DEFAULT 0,
    claim_id         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX bot_events_by_aws ON bot_events (aws_account_id, seq);
CREATE INDEX bot_events_pending ON bot_events (bot_id, seq) WHERE status = 'Pending';

-- +goose Down
DROP TABLE bot_events;
