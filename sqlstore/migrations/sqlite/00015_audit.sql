-- +goose Up
-- The audit trail (docs/behavior.md §9.9): one row per recorded mutating request, in insertion order (seq). A
-- successful change writes its row in the change's own transaction; a refused request (or one that changed
-- nothing) gets a row of its own afterwards. time_ms is the server clock; params and response are JSON objects
-- with secrets already removed; status is the HTTP status answered, error_code the exception name ("" on
-- success). Rows older than --audit-retention are deleted. audit_resources holds the ids an event touched (the
-- ResourceName lookup attribute). Reset keeps both tables (the trail outlives what it describes).
CREATE TABLE audit_events (
    seq            INTEGER PRIMARY KEY,
    event_id       TEXT    NOT NULL UNIQUE,
    aws_account_id TEXT    NOT NULL,
    time_ms        INTEGER NOT NULL,
    access_key_id  TEXT    NOT NULL,
    request_id     TEXT    NOT NULL,
    event_name     TEXT    NOT NULL,
    region         TEXT    NOT NULL,
    source_ip      TEXT    NOT NULL,
    user_agent     TEXT    NOT NULL,
    params         TEXT    NOT NULL,
    response       TEXT    NOT NULL,
    resources      TEXT    NOT NULL,
    status         INTEGER NOT NULL,
    error_code     TEXT    NOT NULL,
    error_message  TEXT    NOT NULL
);
CREATE INDEX audit_events_by_time ON audit_events (aws_account_id, time_ms, seq);
CREATE INDEX audit_events_by_name ON audit_events (aws_account_id, event_name, time_ms, seq);
CREATE INDEX audit_events_by_key ON audit_events (aws_account_id, access_key_id, time_ms, seq);
CREATE INDEX audit_events_by_age ON audit_events (time_ms);
CREATE TABLE audit_resources (
    event_seq      INTEGER NOT NULL REFERENCES audit_events (seq) ON DELETE CASCADE,
    aws_account_id TEXT    NOT NULL,
    resource_name  TEXT    NOT NULL,
    time_ms        INTEGER NOT NULL,
    PRIMARY KEY (event_seq, resource_name)
);
CREATE INDEX audit_resources_by_name ON audit_resources (aws_account_id, resource_name, time_ms, event_seq);

-- +goose Down
DROP TABLE audit_resources;
DROP TABLE audit_events;
