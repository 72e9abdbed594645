//! Automerge documents and the automerge-repo sync protocol, without a web framework or SQL.
//!
//! * [`protocol`]: the CBOR wire messages of automerge-repo protocol "1" and their codec.
//! * [`store`]: the [`Store`] trait the server implements over SQLite and PostgreSQL.
//! * the document hub: one task per loaded document applies peers' sync messages, commits new
//!   changes before any reply advertises them, runs the server's after-merge hook, fans changes
//!   out to the other peers of the document, and unloads the document when it is idle.

pub mod store;

pub use store::{
    BadStorageId, Chunk, ChunkKind, DocumentMeta, DocumentWrite, MemoryStore, StorageId, Store,
    StoreError, SyncStateRecord,
};
