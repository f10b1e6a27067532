-- +goose Up
-- Two indexes for the bot event path, found in a profile of chimebench's botevents workload:
-- the delivery worker's claim looks for the oldest Pending event; without an index of Pending events by seq it
-- scanned the whole outbox (up to 1,000 settled events per AWS account) on every claim. A mention removes its
-- bot's expired short-lived URLs in the room; without expires_ms in the index it read every URL of that bot
-- in that room, live ones included, on every mention.
CREATE INDEX bot_events_pending_seq ON bot_events (seq) WHERE status = 'Pending';
CREATE INDEX inbound_urls_expiring ON inbound_urls (account_id, room_id, owner_id, expires_ms) WHERE expires_ms <> 0;

-- +goose Down
DROP INDEX inbound_urls_expiring;
DROP INDEX bot_events_pending_seq;
