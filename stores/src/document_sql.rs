//! [`Store`](fieldclinic_sync::Store) for both backends, with the same portable SQL, like the
//! account and case stores. What differs lives in each backend's inherent methods:
//! `begin_write` (SQLite takes its write lock up front), `read_or_create_storage_id` (the column
//! types differ) and `announce_written` (PostgreSQL notifies the other instances).

/// Implements `Store` and `Health` for a store with `pool`, `storage_id` (a `OnceLock` cache),
/// `begin_write`, `read_or_create_storage_id` and `announce_written`.
macro_rules! document_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use fieldclinic_schema::DocumentId;
            use fieldclinic_sync::{
                Chunk, ChunkKind, DocumentMeta, DocumentWrite, StorageId, Store, StoreError,
                SyncStateRecord,
            };

            use crate::columns::{heads_to_text, now_millis};
            use crate::is_same_chunk;
            use crate::rows::{ChunkRow, DocIdRow, DocumentMetaRow, SyncStateRow};
            use crate::sqlx_error::store_error;

        impl Store for $store {
            #[tracing::instrument(skip_all)]
            async fn storage_id(&self) -> Result<StorageId, StoreError> {
                if let Some(id) = self.storage_id.get() {
                    return Ok(id.clone());
                }
                let id = StorageId::try_from(self.read_or_create_storage_id().await?)?;
                Ok(self.storage_id.get_or_init(|| id).clone())
            }

            #[tracing::instrument(skip_all, fields(doc.id = %doc))]
            async fn load_chunks(&self, doc: &DocumentId) -> Result<Vec<Chunk>, StoreError> {
                // Snapshots first ('snapshot' > 'incremental'): loading them before the incremental
                // chunks spares automerge from queueing changes whose dependencies are not loaded yet.
                sqlx::query_as::<_, ChunkRow>(
                    "SELECT kind, hash, data FROM doc_chunks WHERE doc_id = $1 ORDER BY kind DESC, hash",
                )
                .bind(doc.as_bytes().as_slice())
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?
                .into_iter()
                .map(|row| Chunk::try_from(row).map_err(StoreError::from))
                .collect()
            }

            #[tracing::instrument(skip_all, fields(doc.count = writes.len()))]
            async fn append_changes(&self, writes: &[DocumentWrite]) -> Result<(), StoreError> {
                if writes.is_empty() {
                    return Ok(());
                }
                let mut tx = self.begin_write().await?;
                for w in writes {
                    let doc_id = w.doc.as_bytes().as_slice();
                    sqlx::query(
                        "INSERT INTO documents (doc_id, heads, created_at, updated_at) \
                         VALUES ($1, $2, $3, $3) \
                         ON CONFLICT (doc_id) DO UPDATE \
                         SET heads = excluded.heads, updated_at = excluded.updated_at",
                    )
                    .bind(doc_id)
                    .bind(heads_to_text(&w.heads))
                    .bind(w.at_millis)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_error)?;
                    for c in &w.chunks {
                        // The same chunk arrives again when a write is retried, two peers send the same
                        // change or two instances store it; the first copy is as good as the second.
                        sqlx::query(
                            "INSERT INTO doc_chunks (doc_id, kind, hash, data, created_at) \
                             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        )
                        .bind(doc_id)
                        .bind(c.kind.as_str())
                        .bind(c.hash.as_str())
                        .bind(c.data.as_slice())
                        .bind(w.at_millis)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    }
                    Self::announce_written(&mut tx, self, &w.doc).await?;
                }
                tx.commit().await.map_err(store_error)
            }

            #[tracing::instrument(skip_all, fields(doc.id = %doc, chunk.count = superseded.len()))]
            async fn replace_with_snapshot(
                &self,
                doc: &DocumentId,
                snapshot: &Chunk,
                superseded: &[Chunk],
            ) -> Result<(), StoreError> {
                let doc_id = doc.as_bytes().as_slice();
                let now = now_millis();
                let mut tx = self.begin_write().await?;
                // A snapshot normally follows earlier writes; should it not, the document row it
                // belongs to is created with no known heads rather than failing the foreign key.
                sqlx::query(
                    "INSERT INTO documents (doc_id, heads, created_at, updated_at) \
                     VALUES ($1, '[]', $2, $2) ON CONFLICT (doc_id) DO NOTHING",
                )
                .bind(doc_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
                sqlx::query(
                    "INSERT INTO doc_chunks (doc_id, kind, hash, data, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(doc_id)
                .bind(snapshot.kind.as_str())
                .bind(snapshot.hash.as_str())
                .bind(snapshot.data.as_slice())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
                // Only the listed chunks go: chunks appended since the caller built its list (perhaps
                // by another instance) are not in the snapshot. The snapshot itself is kept even if listed (a compaction to the same
                // heads), so the document stays loadable whatever happens.
                for c in superseded.iter().filter(|c| !is_same_chunk(c, snapshot)) {
                    sqlx::query("DELETE FROM doc_chunks WHERE doc_id = $1 AND kind = $2 AND hash = $3")
                        .bind(doc_id)
                        .bind(c.kind.as_str())
                        .bind(c.hash.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                }
                tx.commit().await.map_err(store_error)
            }

            #[tracing::instrument(skip_all, fields(doc.id = %doc, storage.id = %peer))]
            async fn load_sync_state(
                &self,
                doc: &DocumentId,
                peer: &StorageId,
            ) -> Result<Option<Vec<u8>>, StoreError> {
                let row = sqlx::query_as::<_, SyncStateRow>(
                    "SELECT state FROM sync_states WHERE doc_id = $1 AND storage_id = $2",
                )
                .bind(doc.as_bytes().as_slice())
                .bind(peer.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(store_error)?;
                Ok(row.map(|r| r.state))
            }

            #[tracing::instrument(skip_all, fields(state.count = states.len()))]
            async fn save_sync_states(&self, states: &[SyncStateRecord]) -> Result<(), StoreError> {
                if states.is_empty() {
                    return Ok(());
                }
                let now = now_millis();
                let mut tx = self.begin_write().await?;
                for s in states {
                    sqlx::query(
                        "INSERT INTO sync_states (doc_id, storage_id, state, updated_at) \
                         VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (doc_id, storage_id) DO UPDATE \
                         SET state = excluded.state, updated_at = excluded.updated_at",
                    )
                    .bind(s.doc.as_bytes().as_slice())
                    .bind(s.peer.as_str())
                    .bind(s.state.as_slice())
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(store_error)?;
                }
                tx.commit().await.map_err(store_error)
            }

            #[tracing::instrument(skip_all, fields(doc.id = %doc))]
            async fn document_meta(&self, doc: &DocumentId) -> Result<DocumentMeta, StoreError> {
                let row = sqlx::query_as::<_, DocumentMetaRow>(
                    "SELECT d.doc_id, d.heads, d.created_at, d.updated_at, \
                       (SELECT COUNT(*) FROM doc_chunks c \
                        WHERE c.doc_id = d.doc_id AND c.kind = $2) AS incremental_chunks \
                     FROM documents d WHERE d.doc_id = $1",
                )
                .bind(doc.as_bytes().as_slice())
                .bind(ChunkKind::Incremental.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(store_error)?;
                Ok(DocumentMeta::try_from(row)?)
            }

            #[tracing::instrument(skip_all, fields(page.limit = limit))]
            async fn list_documents(
                &self,
                after: Option<DocumentId>,
                limit: u32,
            ) -> Result<Vec<DocumentId>, StoreError> {
                // Every stored ID is 16 bytes, so the empty byte string sorts before all of them: one query
                // serves the first page and the later ones.
                let after = after.map(|a| a.as_bytes().to_vec()).unwrap_or_default();
                sqlx::query_as::<_, DocIdRow>(
                    "SELECT doc_id FROM documents WHERE doc_id > $1 ORDER BY doc_id LIMIT $2",
                )
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(store_error)?
                .into_iter()
                .map(|row| DocumentId::try_from(row).map_err(StoreError::from))
                .collect()
            }
        }

            impl crate::Health for $store {
                async fn ping(&self) -> Result<(), StoreError> {
                    sqlx::query("SELECT 1")
                        .execute(&self.pool)
                        .await
                        .map_err(store_error)?;
                    Ok(())
                }
            }
        };
    };
}

pub(super) use document_store;
