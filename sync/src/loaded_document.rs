use automerge::{ActorId, AutoCommit};
use fieldclinic_schema::DocumentId;

use crate::{Chunk, ChunkKind};

/// A document rebuilt from its stored chunks: the one loader the hub and every reader use, so a
/// document that syncs also reads.
#[derive(Debug)]
pub struct LoadedDocument {
    /// The document, with every chunk that loads.
    pub doc: AutoCommit,
    /// The chunks, snapshots first (the order they were loaded in).
    pub chunks: Vec<Chunk>,
    /// Whether a chunk did not load: the document holds less than the store does, so it must
    /// not be compacted over the chunk that failed.
    pub degraded: bool,
}

impl LoadedDocument {
    /// Loads `chunks` (snapshots first: incremental chunks usually build on them) into a
    /// document writing as `actor` (a random actor when `None`). A chunk that does not load is
    /// logged and skipped. CPU work: call it on a blocking thread.
    #[must_use]
    pub fn from_chunks(id: &DocumentId, chunks: Vec<Chunk>, actor: Option<ActorId>) -> Self {
        let mut doc = match actor {
            Some(actor) => AutoCommit::new().with_actor(actor),
            None => AutoCommit::new(),
        };
        let mut degraded = false;
        let mut ordered = chunks;
        ordered.sort_by_key(|c| c.kind != ChunkKind::Snapshot);
        for chunk in &ordered {
            if let Err(e) = doc.load_incremental(&chunk.data) {
                tracing::error!(doc.id = %id, chunk.hash = %chunk.hash, error.message = %e, "stored chunk does not load");
                degraded = true;
            }
        }
        Self {
            doc,
            chunks: ordered,
            degraded,
        }
    }
}
