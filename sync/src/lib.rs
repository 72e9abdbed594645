//! Automerge documents and the automerge-repo sync protocol, without a web framework or SQL.
//!
//! * [`protocol`]: the CBOR wire messages of automerge-repo protocol "1" and their codec.
//! * [`store`]: the [`Store`] trait the server implements over SQLite and PostgreSQL.
//! * [`Hub`]: one task per loaded document applies peers' sync messages in batches, commits new
//!   changes before any reply advertises them, runs the server's after-merge hook
//!   ([`DocumentPolicy`]), fans changes out to the document's other peers, and unloads the
//!   document when it is idle.
//! * [`PeerSession`]: one connection's protocol state machine; a transport (the server's
//!   WebSocket) feeds it frames and sends what it queues.

mod hub;
mod loaded_document;
mod policy;
pub mod protocol;
mod session;
pub mod store;

pub use hub::{ConnId, Connection, Hub, HubError, HubSettings, heads_hash};
pub use loaded_document::LoadedDocument;
pub use policy::{Accepted, Access, DocumentPolicy, OpenPolicy, Presence, Refusal};
pub use session::{Flow, Outbound, PeerSession};
pub use store::{
    BadStorageId, Chunk, ChunkKind, DocumentMeta, DocumentWrite, MemoryStore, StorageId, Store,
    StoreError, SyncStateRecord,
};
