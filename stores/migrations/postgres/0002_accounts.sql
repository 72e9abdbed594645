-- Clinics, users, devices, credentials, document ownership and the audit log (PostgreSQL).
-- Kept in lockstep with ../sqlite/0002_accounts.sql: same file name and version, only the column
-- types differ (BYTEA vs BLOB, BIGINT vs INTEGER, BIGSERIAL vs AUTOINCREMENT). IDs are v4 UUIDs
-- as text in both, times milliseconds since the Unix epoch. Tokens, session tokens and tickets
-- are stored only as their SHA-256: a copy of this file grants nobody access.

-- A tenant: every user, device and intake belongs to exactly one clinic.
CREATE TABLE clinics (
    id TEXT PRIMARY KEY,
    -- Display name, as the admin typed it.
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- People who sign in, each in one clinic with one role.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    clinic_id TEXT NOT NULL REFERENCES clinics (id),
    -- Sign-in name, lower-cased by the store before it gets here, so UNIQUE is case-insensitive.
    email TEXT NOT NULL UNIQUE,
    -- What the user may reach: a volunteer their own and assigned intakes, a supervisor or admin
    -- every intake of the clinic.
    role TEXT NOT NULL CHECK (role IN ('volunteer', 'supervisor', 'admin')),
    -- argon2id PHC string (algorithm, parameters and salt included).
    password_hash TEXT NOT NULL,
    -- The user's index document (16-byte automerge-repo ID): the server-written list of the
    -- intakes they may open, whose URL their devices get at enrollment.
    index_doc BYTEA NOT NULL UNIQUE CHECK (octet_length(index_doc) = 16),
    created_at BIGINT NOT NULL,
    -- When the account was disabled; NULL while it is active. Rows are never deleted, so the
    -- audit log's actor IDs keep resolving.
    disabled_at BIGINT,
    -- Lets devices require that their clinic is their user's (composite foreign key below).
    UNIQUE (id, clinic_id)
);

-- Enrolled phones and tablets. A device acts for its user; revoking it cuts it off at once
-- without touching the user's other devices.
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    clinic_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    -- A label such as "Tablet 3", for the admin.
    name TEXT NOT NULL,
    -- SHA-256 of the bearer token (shown once at enrollment, never stored).
    token_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at BIGINT NOT NULL,
    -- When it was revoked (the first time: revoking again keeps it); NULL while active.
    revoked_at BIGINT,
    -- When it last connected, to spot lost devices.
    last_seen_at BIGINT,
    -- A device is always in its user's clinic.
    FOREIGN KEY (user_id, clinic_id) REFERENCES users (id, clinic_id)
);

-- Signed-in people (the API's bearer tokens for humans). Expired rows are harmless, since lookups
-- compare `expires_at`, and are purged periodically.
CREATE TABLE sessions (
    -- SHA-256 of the session token.
    token_hash BYTEA PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    -- Valid while now < expires_at.
    expires_at BIGINT NOT NULL
);
-- For the purge.
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Short-lived credentials for the sync socket, for clients that cannot set an Authorization
-- header. Reusable until they expire, so a dropped connection can reconnect with the same URL.
CREATE TABLE sync_tickets (
    -- SHA-256 of the ticket.
    ticket_hash BYTEA PRIMARY KEY CHECK (octet_length(ticket_hash) = 32),
    user_id TEXT NOT NULL REFERENCES users (id),
    -- The device that asked for it, or NULL when a session (a person) did.
    device_id TEXT REFERENCES devices (id),
    -- Valid while now < expires_at.
    expires_at BIGINT NOT NULL
);
-- For the purge.
CREATE INDEX sync_tickets_expires_at ON sync_tickets (expires_at);

-- Which clinic each document belongs to, fixed by the first authenticated write. No foreign key
-- to `documents`: ownership is claimed before the first write commits, and the claim is what
-- lets that write through.
CREATE TABLE document_owners (
    -- The automerge-repo document ID. The primary key makes concurrent claims first-writer-wins.
    doc_id BYTEA PRIMARY KEY CHECK (octet_length(doc_id) = 16),
    clinic_id TEXT NOT NULL REFERENCES clinics (id),
    -- 'intake' (written by devices) or 'index' (a user's list, written only by the server).
    kind TEXT NOT NULL CHECK (kind IN ('intake', 'index')),
    -- The user whose device or session created it: a volunteer reaches what they created.
    created_by_user TEXT NOT NULL REFERENCES users (id),
    -- The device that created it; NULL for documents the server creates.
    created_by_device TEXT REFERENCES devices (id),
    created_at BIGINT NOT NULL
);
-- A clinic's documents, for supervisors' listings.
CREATE INDEX document_owners_clinic_id ON document_owners (clinic_id);

-- Intakes handed to a volunteer other than their creator.
CREATE TABLE document_assignments (
    -- Only an owned document can be assigned: its clinic decides who may be assigned.
    doc_id BYTEA NOT NULL REFERENCES document_owners (doc_id),
    user_id TEXT NOT NULL REFERENCES users (id),
    -- When it was first assigned; assigning again changes nothing.
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (doc_id, user_id)
);
-- A user's assignments, for building their index document.
CREATE INDEX document_assignments_user_id ON document_assignments (user_id);

-- Who did what, when and from where. Append-only: the trigger below refuses UPDATE, DELETE and
-- TRUNCATE.
-- No foreign keys: an entry records what happened, and must be writable whatever it names.
CREATE TABLE audit_log (
    -- Increasing, never reused, so it orders entries and pages backwards. With several instances
    -- a later id may commit first; readers page by id, and an entry never moves.
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    -- The clinic concerned; NULL for server-wide events.
    clinic_id TEXT,
    -- 'user', 'device', 'server' or 'cli'.
    actor_kind TEXT NOT NULL,
    -- The user or device ID; empty for the server and the command line.
    actor_id TEXT NOT NULL,
    -- The document concerned, if any (16 bytes).
    doc_id BYTEA CHECK (doc_id IS NULL OR octet_length(doc_id) = 16),
    -- What happened, e.g. 'document.changed', 'device.revoked', 'changes.refused'.
    action TEXT NOT NULL,
    -- Details as a JSON text (change hashes, reasons); never secrets.
    detail TEXT NOT NULL,
    -- The peer's address, when known.
    remote_addr TEXT
);
-- An admin reads their clinic's log, newest first.
CREATE INDEX audit_log_clinic_id ON audit_log (clinic_id, id);
-- A document's history, newest first.
CREATE INDEX audit_log_doc_id ON audit_log (doc_id, id);

-- Statement-level, so it fires even when no row matches, and for TRUNCATE too. The table owner can
-- still drop the trigger: this guards against mistakes, not against the database superuser.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Which device and user sent each Automerge change, so every actor writing into a document is tied
-- to a device. No foreign keys, like the audit log it complements.
CREATE TABLE change_authors (
    doc_id BYTEA NOT NULL CHECK (octet_length(doc_id) = 16),
    -- Hex change hash. With the primary key, recording the same change again is a no-op.
    change_hash TEXT NOT NULL,
    -- Hex Automerge actor ID of the change.
    actor_id TEXT NOT NULL,
    -- The device that sent it; NULL for changes the server wrote.
    device_id TEXT,
    -- The user of that device or session; NULL for changes the server wrote.
    user_id TEXT,
    -- When the server accepted it.
    at BIGINT NOT NULL,
    PRIMARY KEY (doc_id, change_hash)
);
