-- +goose Up
-- Chat rooms of Enterprise accounts and their memberships (docs/behavior.md §3.8, §4.32–§4.34; D31–D33).
-- A room's ClientRequestToken is unique in its account while the room lives (D32); listings are keysets of
-- (created_ms, room_id) and, per room, (created_ms, member_id) (D41). member_name is the name a Webhook member
-- shows (§9.7); users and bots show their own.
CREATE TABLE rooms (
    room_id        TEXT    PRIMARY KEY,
    account_id     TEXT    NOT NULL,
    aws_account_id TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    client_token   TEXT,
    created_ms     INTEGER NOT NULL,
    updated_ms     INTEGER NOT NULL
);
CREATE INDEX rooms_by_account ON rooms (account_id, created_ms, room_id);
CREATE INDEX rooms_by_aws ON rooms (aws_account_id, account_id);
CREATE UNIQUE INDEX rooms_by_token ON rooms (account_id, client_token) WHERE client_token IS NOT NULL;

CREATE TABLE room_memberships (
    room_id     TEXT    NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
    account_id  TEXT    NOT NULL,
    member_id   TEXT    NOT NULL,
    member_type TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    invited_by  TEXT    NOT NULL,
    member_name TEXT    NOT NULL DEFAULT '',
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    PRIMARY KEY (room_id, member_id)
);
CREATE INDEX room_memberships_by_room ON room_memberships (room_id, created_ms, member_id);
CREATE INDEX room_memberships_by_member ON room_memberships (account_id, member_id, room_id);

-- +goose Down
DROP TABLE room_memberships;
DROP TABLE rooms;
