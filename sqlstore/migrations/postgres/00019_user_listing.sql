-- +goose Up
-- PostgreSQL twin of migrations/sqlite/00019_user_listing.sql: users.listing packs the columns ListUsers shows
-- (sqlstore/listing.go); an update that changes a listed column but leaves listing as it was sets it to NULL.
ALTER TABLE users ADD COLUMN listing BYTEA;
-- +goose StatementBegin
CREATE FUNCTION users_listing_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.listing IS NOT DISTINCT FROM OLD.listing AND (NEW.id, NEW.email, NEW.display_name, NEW.license,
            NEW.user_type, NEW.reg_status, NEW.inv_status, NEW.invited_ms, NEW.registered_ms, NEW.alexa_enabled,
            NEW.alexa_room_arn, NEW.phone) IS DISTINCT FROM (OLD.id, OLD.email, OLD.display_name, OLD.license,
            OLD.user_type, OLD.reg_status, OLD.inv_status, OLD.invited_ms, OLD.registered_ms, OLD.alexa_enabled,
            OLD.alexa_room_arn, OLD.phone) THEN
        NEW.listing := NULL;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER users_listing_stale BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_listing_stale();

-- +goose Down
DROP TRIGGER users_listing_stale ON users;
DROP FUNCTION users_listing_stale();
ALTER TABLE users DROP COLUMN listing;
