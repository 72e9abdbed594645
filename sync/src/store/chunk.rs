use fieldclinic_schema::DocumentId;

use super::StorageId;

/// What a stored chunk holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChunkKind {
    /// A whole document (`save()`), keyed by a hash of its heads.
    Snapshot,
    /// Changes since an earlier save (`save_after`), keyed by a hash of the heads it brings.
    Incremental,
}

impl ChunkKind {
    /// The name stored in the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Snapshot => "snapshot",
            Self::Incremental => "incremental",
        }
    }

    /// Reads a stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "snapshot" => Some(Self::Snapshot),
            "incremental" => Some(Self::Incremental),
            _ => None,
        }
    }
}

/// One stored piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Snapshot or incremental.
    pub kind: ChunkKind,
    /// Hex SHA-256 of the heads the chunk brings the document to.
    pub hash: String,
    /// Bytes `Automerge::load_incremental` accepts.
    pub data: Vec<u8>,
}

/// What is known about a stored document without loading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMeta {
    /// The document.
    pub id: DocumentId,
    /// Hex change hashes of the document's heads at the last write.
    pub heads: Vec<String>,
    /// Milliseconds since the Unix epoch of the first write.
    pub created_at_millis: i64,
    /// Milliseconds since the Unix epoch of the last write.
    pub updated_at_millis: i64,
    /// How many incremental chunks await compaction.
    pub incremental_chunks: u32,
}

/// A peer's encoded sync state for a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStateRecord {
    /// The document.
    pub doc: DocumentId,
    /// The peer's storage ID.
    pub peer: StorageId,
    /// `automerge::sync::State::encode()`.
    pub state: Vec<u8>,
}

/// New chunks of one document with its new heads, written in one transaction with others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentWrite {
    /// The document.
    pub doc: DocumentId,
    /// The chunks to insert.
    pub chunks: Vec<Chunk>,
    /// Hex change hashes of the heads after these chunks.
    pub heads: Vec<String>,
    /// Milliseconds since the Unix epoch, recorded as the update time.
    pub at_millis: i64,
}
