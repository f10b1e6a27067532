-- +goose Up
-- users.listing holds the columns ListUsers shows, packed in one value (sqlstore/listing.go): a page of 100
-- users then reads two columns a row instead of thirteen, which halves the cost of a page. The store writes it
-- with every insert and update of a user; the Go migration that follows fills it for the users already here.
-- The trigger keeps it exact against any other writer (an older chimed, a hand-written UPDATE): an update
-- that changes a listed column but leaves listing as it was sets listing to NULL, and ListUsers reads the
-- columns of such a row instead.
ALTER TABLE users ADD COLUMN listing BLOB;
-- +goose StatementBegin
CREATE TRIGGER users_listing_stale AFTER UPDATE ON users
WHEN NEW.listing IS OLD.listing AND NEW.listing IS NOT NULL AND (
    NEW.id IS NOT OLD.id OR NEW.email IS NOT OLD.email OR NEW.display_name IS NOT OLD.display_name OR
    NEW.license IS NOT OLD.license OR NEW.user_type IS NOT OLD.user_type OR NEW.reg_status IS NOT OLD.reg_status OR
    NEW.inv_status IS NOT OLD.inv_status OR NEW.invited_ms IS NOT OLD.invited_ms OR
    NEW.registered_ms IS NOT OLD.registered_ms OR NEW.alexa_enabled IS NOT OLD.alexa_enabled OR
    NEW.alexa_room_arn IS NOT OLD.alexa_room_arn OR NEW.phone IS NOT OLD.phone)
BEGIN
    UPDATE users SET listing = NULL WHERE seq = NEW.seq;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_listing_stale;
ALTER TABLE users DROP COLUMN listing;
