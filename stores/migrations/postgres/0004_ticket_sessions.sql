-- A ticket asked for by a signed-in person ends with their session: signing out must cut every
-- sync connection the session opened or could still open. NULL for device tickets and for
-- tickets issued before this migration (those expire within minutes).
ALTER TABLE sync_tickets ADD COLUMN session_hash BYTEA CHECK (session_hash IS NULL OR octet_length(session_hash) = 32);
CREATE INDEX sync_tickets_session_hash ON sync_tickets (session_hash);
