//! The storage use cases the sync engine needs, and an in-memory implementation.
//!
//! The SQL layout mirrors automerge-repo's storage keys so the data stays portable: incremental
//! chunks and snapshots of a document, each keyed by a hash, plus per-peer sync states keyed by the
//! peer's storage ID.

mod chunk;
mod memory;
mod storage_id;
mod store_error;

use std::future::Future;

pub use chunk::{Chunk, ChunkKind, DocumentMeta, DocumentWrite, SyncStateRecord};
pub use memory::MemoryStore;
pub use storage_id::{BadStorageId, StorageId};
pub use store_error::StoreError;

use fieldclinic_schema::DocumentId;

/// Durable storage for documents and sync states.
///
/// Every method reports failure; a write that returns `Ok` is committed and survives a crash.
/// Implementations own their connection pool and are cheap to clone.
pub trait Store: Clone + Send + Sync + 'static {
    /// The storage ID this database presents to peers, created on first use and stable for the
    /// life of the database (every server instance on one database presents the same one).
    fn storage_id(&self) -> impl Future<Output = Result<StorageId, StoreError>> + Send;

    /// Every chunk of a document (snapshots and incremental chunks), in any order. Empty when the
    /// document is unknown.
    fn load_chunks(
        &self,
        doc: &DocumentId,
    ) -> impl Future<Output = Result<Vec<Chunk>, StoreError>> + Send;

    /// Commits new chunks, document metadata and sync states of one or more documents in a single
    /// transaction. Inserting a chunk whose `(document, kind, hash)` already exists is a no-op.
    fn append_changes(
        &self,
        writes: &[DocumentWrite],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Writes `snapshot` and deletes the chunks named in `superseded`, in one transaction. The
    /// snapshot itself is never deleted even if its hash is listed, so a crash at any point leaves
    /// a loadable document.
    fn replace_with_snapshot(
        &self,
        doc: &DocumentId,
        snapshot: &Chunk,
        superseded: &[Chunk],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The encoded sync state of a peer (by its storage ID) for a document, if one was saved.
    fn load_sync_state(
        &self,
        doc: &DocumentId,
        peer: &StorageId,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;

    /// Saves encoded sync states (last write wins per document and peer).
    fn save_sync_states(
        &self,
        states: &[SyncStateRecord],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A document's metadata; `NotFound` when the document is unknown.
    fn document_meta(
        &self,
        doc: &DocumentId,
    ) -> impl Future<Output = Result<DocumentMeta, StoreError>> + Send;

    /// Up to `limit` document IDs in ascending byte order, starting after `after`: a resumable
    /// walk over every stored document.
    fn list_documents(
        &self,
        after: Option<DocumentId>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DocumentId>, StoreError>> + Send;
}
