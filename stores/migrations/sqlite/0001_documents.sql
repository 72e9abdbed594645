-- Documents, their chunks and per-peer sync states (SQLite).
-- Kept in lockstep with ../postgres/0001_documents.sql: same file name and version, only the
-- column types differ (BLOB vs BYTEA, TEXT vs UUID).

-- Who this database is to sync peers. One row, written once, shared by every server process that
-- opens the database, so peers see one stable storage ID however often the server restarts.
CREATE TABLE server_identity (
    -- Always 1: the CHECK and the primary key make a second row impossible, so concurrent
    -- first starts race on `INSERT ... ON CONFLICT DO NOTHING` and all read the winner.
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- The storage ID advertised in automerge-repo's peerMetadata (a v4 UUID as text).
    storage_id TEXT NOT NULL
);

-- One row per Automerge document: what is known without loading its chunks.
CREATE TABLE documents (
    -- The automerge-repo document ID: 16 raw bytes. BLOBs compare bytewise (memcmp), which is the
    -- order `list_documents` pages in.
    doc_id BLOB PRIMARY KEY NOT NULL CHECK (length(doc_id) = 16),
    -- JSON array of the hex change hashes of the heads after the last write, so the server can
    -- answer "what do you have" without loading the document.
    heads TEXT NOT NULL,
    -- Milliseconds since the Unix epoch of the first write.
    created_at INTEGER NOT NULL,
    -- Milliseconds since the Unix epoch of the last write.
    updated_at INTEGER NOT NULL
);

-- The stored pieces of each document, keyed like automerge-repo's storage keys so the data stays
-- portable: incremental chunks by a hash of the heads they bring, snapshots by a hash of theirs.
CREATE TABLE doc_chunks (
    doc_id BLOB NOT NULL REFERENCES documents (doc_id),
    -- 'snapshot' (a whole `save()`) or 'incremental' (a `save_after`); compaction replaces the
    -- incremental chunks it folded into a snapshot.
    kind TEXT NOT NULL CHECK (kind IN ('snapshot', 'incremental')),
    -- Hex SHA-256 of the heads the chunk brings the document to. With the primary key this makes
    -- re-inserting the same chunk (a retried write, two peers sending the same change) a no-op.
    hash TEXT NOT NULL,
    -- Bytes `load_incremental` accepts.
    data BLOB NOT NULL,
    -- Milliseconds since the Unix epoch when the chunk was first stored.
    created_at INTEGER NOT NULL,
    PRIMARY KEY (doc_id, kind, hash)
);

-- `automerge::sync::State::encode()` per document and peer, so a returning peer resumes instead of
-- starting over. No foreign key: a peer may sync a document the server does not hold yet.
CREATE TABLE sync_states (
    doc_id BLOB NOT NULL,
    -- The peer's storage ID as it advertised it (any string up to 128 characters, not always a UUID).
    storage_id TEXT NOT NULL,
    -- The encoded state; last write wins.
    state BLOB NOT NULL,
    -- Milliseconds since the Unix epoch of the last save, to expire states of peers that never
    -- come back.
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (doc_id, storage_id)
);
