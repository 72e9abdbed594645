use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use fieldclinic_schema::DocumentId;

use super::{
    Chunk, ChunkKind, DocumentMeta, DocumentWrite, StorageId, Store, StoreError, SyncStateRecord,
};

/// A [`Store`] in memory, for tests and the deterministic harness. It can be paused so tests can
/// observe what the engine does while a write is in flight.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
    gate: Arc<tokio::sync::RwLock<()>>,
    paused: Arc<Mutex<Option<tokio::sync::OwnedRwLockWriteGuard<()>>>>,
}

#[derive(Debug, Default)]
struct Inner {
    storage_id: Option<StorageId>,
    docs: BTreeMap<DocumentId, Doc>,
    sync_states: HashMap<(DocumentId, StorageId), Vec<u8>>,
    fail_writes: bool,
    change_transactions: usize,
}

#[derive(Debug, Default)]
struct Doc {
    chunks: HashMap<(ChunkKind, String), Vec<u8>>,
    heads: Vec<String>,
    created_at_millis: i64,
    updated_at_millis: i64,
}

#[derive(Debug, thiserror::Error)]
#[error("the memory store was told to fail writes")]
struct InjectedFailure;

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Holds every write until [`MemoryStore::resume`].
    pub async fn pause(&self) {
        let guard = Arc::clone(&self.gate).write_owned().await;
        *self.paused.lock().unwrap_or_else(PoisonError::into_inner) = Some(guard);
    }

    /// Lets held writes proceed.
    pub fn resume(&self) {
        self.paused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// Makes every later write fail (or succeed again).
    pub fn fail_writes(&self, fail: bool) {
        self.lock().fail_writes = fail;
    }

    /// How many [`Store::append_changes`] transactions have committed: what group commit saves.
    #[must_use]
    pub fn change_transactions(&self) -> usize {
        self.lock().change_transactions
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn write<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> Result<T, StoreError> {
        let _gate = self.gate.read().await;
        let mut inner = self.lock();
        if inner.fail_writes {
            return Err(StoreError::other(InjectedFailure));
        }
        Ok(f(&mut inner))
    }
}

impl Store for MemoryStore {
    async fn storage_id(&self) -> Result<StorageId, StoreError> {
        Ok(self
            .lock()
            .storage_id
            .get_or_insert_with(StorageId::random)
            .clone())
    }

    async fn load_chunks(&self, doc: &DocumentId) -> Result<Vec<Chunk>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .docs
            .get(doc)
            .map(|d| {
                d.chunks
                    .iter()
                    .map(|((kind, hash), data)| Chunk {
                        kind: *kind,
                        hash: hash.clone(),
                        data: data.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn append_changes(&self, writes: &[DocumentWrite]) -> Result<(), StoreError> {
        self.write(|inner| {
            inner.change_transactions += 1;
            for w in writes {
                let doc = inner.docs.entry(w.doc).or_insert_with(|| Doc {
                    created_at_millis: w.at_millis,
                    ..Doc::default()
                });
                for c in &w.chunks {
                    doc.chunks
                        .entry((c.kind, c.hash.clone()))
                        .or_insert_with(|| c.data.clone());
                }
                doc.heads.clone_from(&w.heads);
                doc.updated_at_millis = w.at_millis;
            }
        })
        .await
    }

    async fn replace_with_snapshot(
        &self,
        doc: &DocumentId,
        snapshot: &Chunk,
        superseded: &[Chunk],
    ) -> Result<(), StoreError> {
        self.write(|inner| {
            let d = inner.docs.entry(*doc).or_default();
            for c in superseded {
                if c.kind != snapshot.kind || c.hash != snapshot.hash {
                    d.chunks.remove(&(c.kind, c.hash.clone()));
                }
            }
            d.chunks.insert(
                (snapshot.kind, snapshot.hash.clone()),
                snapshot.data.clone(),
            );
        })
        .await
    }

    async fn load_sync_state(
        &self,
        doc: &DocumentId,
        peer: &StorageId,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.lock().sync_states.get(&(*doc, peer.clone())).cloned())
    }

    async fn save_sync_states(&self, states: &[SyncStateRecord]) -> Result<(), StoreError> {
        self.write(|inner| {
            for s in states {
                inner
                    .sync_states
                    .insert((s.doc, s.peer.clone()), s.state.clone());
            }
        })
        .await
    }

    async fn document_meta(&self, doc: &DocumentId) -> Result<DocumentMeta, StoreError> {
        let inner = self.lock();
        let d = inner.docs.get(doc).ok_or(StoreError::NotFound)?;
        let incremental = d
            .chunks
            .keys()
            .filter(|(k, _)| *k == ChunkKind::Incremental)
            .count();
        Ok(DocumentMeta {
            id: *doc,
            heads: d.heads.clone(),
            created_at_millis: d.created_at_millis,
            updated_at_millis: d.updated_at_millis,
            incremental_chunks: u32::try_from(incremental).unwrap_or(u32::MAX),
        })
    }

    async fn list_documents(
        &self,
        after: Option<DocumentId>,
        limit: u32,
    ) -> Result<Vec<DocumentId>, StoreError> {
        let inner = self.lock();
        let iter: Box<dyn Iterator<Item = &DocumentId>> = match after {
            Some(a) => Box::new(
                inner
                    .docs
                    .range((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded))
                    .map(|(k, _)| k),
            ),
            None => Box::new(inner.docs.keys()),
        };
        Ok(iter.take(limit as usize).copied().collect())
    }
}
