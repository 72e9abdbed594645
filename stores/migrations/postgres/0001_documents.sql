-- Documents, their chunks and per-peer sync states (PostgreSQL).
-- Kept in lockstep with ../sqlite/0001_documents.sql: same file name and version, only the column
-- types differ (BYTEA vs BLOB, UUID vs TEXT). Several server instances may share this database:
-- every write is idempotent or last-write-wins, and the storage ID lives here, not in a process.

-- Who this database is to sync peers. One row, written once, shared by every server instance, so
-- peers see one stable storage ID whichever instance they reach.
CREATE TABLE server_identity (
    -- Always 1: the CHECK and the primary key make a second row impossible, so instances booting
    -- together race on `INSERT ... ON CONFLICT DO NOTHING` and all read the winner.
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    -- The storage ID advertised in automerge-repo's peerMetadata.
    storage_id UUID NOT NULL
);

-- One row per Automerge document: what is known without loading its chunks.
CREATE TABLE documents (
    -- The automerge-repo document ID: 16 raw bytes. BYTEA compares bytewise, which is the order
    -- `list_documents` pages in (the same order as SQLite's BLOB).
    doc_id BYTEA PRIMARY KEY CHECK (octet_length(doc_id) = 16),
    -- JSON array of the hex change hashes of the heads after the last write, so the server can
    -- answer "what do you have" without loading the document.
    heads TEXT NOT NULL,
    -- Milliseconds since the Unix epoch of the first write.
    created_at BIGINT NOT NULL,
    -- Milliseconds since the Unix epoch of the last write.
    updated_at BIGINT NOT NULL
);

-- The stored pieces of each document, keyed like automerge-repo's storage keys so the data stays
-- portable: incremental chunks by a hash of the heads they bring, snapshots by a hash of theirs.
CREATE TABLE doc_chunks (
    doc_id BYTEA NOT NULL REFERENCES documents (doc_id),
    -- 'snapshot' (a whole `save()`) or 'incremental' (a `save_after`); compaction replaces the
    -- incremental chunks it folded into a snapshot.
    kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'incremental')),
    -- Hex SHA-256 of the heads the chunk brings the document to. With the primary key this makes
    -- re-inserting the same chunk (a retried write, two instances storing the same change) a no-op.
    hash TEXT NOT NULL,
    -- Bytes `load_incremental` accepts.
    data BYTEA NOT NULL,
    -- Milliseconds since the Unix epoch when the chunk was first stored.
    created_at BIGINT NOT NULL,
    PRIMARY KEY (doc_id, kind, hash)
);

-- `automerge::sync::State::encode()` per document and peer, so a returning peer resumes instead of
-- starting over. No foreign key: a peer may sync a document the server does not hold yet.
CREATE TABLE sync_states (
    doc_id BYTEA NOT NULL,
    -- The peer's storage ID as it advertised it (any string up to 128 characters, not always a UUID).
    storage_id TEXT NOT NULL,
    -- The encoded state; last write wins.
    state BYTEA NOT NULL,
    -- Milliseconds since the Unix epoch of the last save, to expire states of peers that never
    -- come back.
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (doc_id, storage_id)
);
