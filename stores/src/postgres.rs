use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{
    Chunk, ChunkKind, DocumentMeta, DocumentWrite, StorageId, Store, StoreError, SyncStateRecord,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::columns::{heads_to_text, now_millis};
use super::is_same_chunk;
use super::rows::{ChunkRow, DocIdRow, DocumentMetaRow, StorageIdRow, SyncStateRow};
use super::sqlx_error::store_error;

/// A [`Store`] on PostgreSQL, for clinics that run several server instances.
///
/// Instances may share one database: migrations take sqlx's advisory lock, so all may migrate at
/// boot; the storage ID lives in the database; chunk inserts are idempotent and sync states last
/// write wins. Each [`Store::append_changes`] notifies channel
/// [`PostgresStore::DOC_CHANGES_CHANNEL`] with the ID of every written document, delivered on
/// commit, so that other instances holding the document can reload it.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// The storage ID never changes once created, so it is read from the database once.
    storage_id: Arc<OnceLock<StorageId>>,
    /// This process's random ID, sent with every change notification so that the instance
    /// that wrote a change does not reload the document for its own write.
    instance: Arc<str>,
}

impl PostgresStore {
    /// The `LISTEN` channel announcing document changes; the payload is the document ID in its
    /// bs58check form, a space, and the writing instance's random ID.
    pub const DOC_CHANGES_CHANNEL: &'static str = "fieldclinic_doc_changes";

    /// Connects to and migrates the database at `url` (`postgres://…` or `postgresql://…`).
    ///
    /// # Errors
    /// When the URL is invalid or the database cannot be reached or migrated.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = PgConnectOptions::from_str(url)
            .context("Failed to parse the PostgreSQL database URL")?;
        Self::connect_with(options).await
    }

    /// Like [`PostgresStore::connect`], from options built by the caller.
    ///
    /// # Errors
    /// When the database cannot be reached or migrated.
    pub async fn connect_with(options: PgConnectOptions) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .connect_with(options)
            .await
            .context("Failed to connect to PostgreSQL")?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .context("Failed to run the PostgreSQL migrations")?;
        Ok(Self {
            pool,
            storage_id: Arc::default(),
            instance: uuid::Uuid::new_v4().to_string().into(),
        })
    }

    /// Waits for queries in flight, then closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl super::Health for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(super::sqlx_error::store_error)?;
        Ok(())
    }
}

impl super::ChangeFeed for PostgresStore {
    fn follow(
        &self,
        changed: tokio::sync::mpsc::Sender<DocumentId>,
        stop: tokio_util::sync::CancellationToken,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let store = self.clone();
        Some(tokio::spawn(async move {
            loop {
                if let Err(e) = store.listen_until(&changed, &stop).await {
                    tracing::warn!(error.message = %e, "lost the change feed; reconnecting");
                }
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
            }
        }))
    }
}

impl PostgresStore {
    /// Forwards other instances' change notifications until `stop` or a connection failure.
    async fn listen_until(
        &self,
        changed: &tokio::sync::mpsc::Sender<DocumentId>,
        stop: &tokio_util::sync::CancellationToken,
    ) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(Self::DOC_CHANGES_CHANNEL).await?;
        tracing::info!("following other instances' changes");
        loop {
            let notification = tokio::select! {
                () = stop.cancelled() => return Ok(()),
                n = listener.try_recv() => n?,
            };
            // `None`: the connection dropped and is re-established on the next call; changes
            // notified meanwhile are lost, and documents loaded here may miss them until their
            // next write. Logged so an operator can see it happen.
            let Some(notification) = notification else {
                tracing::warn!("change feed connection lost; notifications may have been missed");
                continue;
            };
            let Some((doc, instance)) = notification.payload().split_once(' ') else {
                continue;
            };
            if instance == &*self.instance {
                continue;
            }
            match doc.parse::<DocumentId>() {
                Ok(doc) => {
                    if changed.send(doc).await.is_err() {
                        return Ok(());
                    }
                }
                Err(_) => tracing::warn!(
                    payload = notification.payload(),
                    "unreadable change notification"
                ),
            }
        }
    }
}

impl Store for PostgresStore {
    #[tracing::instrument(skip_all)]
    async fn storage_id(&self) -> Result<StorageId, StoreError> {
        if let Some(id) = self.storage_id.get() {
            return Ok(id.clone());
        }
        // Instances booting together race here: the losers' inserts are ignored and every
        // instance reads the winner's ID.
        sqlx::query(
            "INSERT INTO server_identity (id, storage_id) VALUES (1, $1::uuid) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(StorageId::random().as_str().to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        let row = sqlx::query_as::<_, StorageIdRow>(
            "SELECT storage_id::text AS storage_id FROM server_identity WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        let id = StorageId::try_from(row)?;
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
        let mut tx = self.pool.begin().await.map_err(store_error)?;
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
                // The same chunk arrives again when a write is retried or two instances store
                // the same change; the first copy is as good as the second.
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
            // Delivered only if the transaction commits (and once per document per transaction),
            // so listeners never reload a document for a write that was rolled back.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(Self::DOC_CHANGES_CHANNEL)
                .bind(format!("{} {}", w.doc, self.instance))
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
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
        let mut tx = self.pool.begin().await.map_err(store_error)?;
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
        // by another instance) are not in the snapshot. The snapshot itself is kept even if
        // listed, so the document stays loadable whatever happens.
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
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        // One statement per record: a single multi-row upsert would fail on a batch that names
        // the same (document, peer) twice, where last write must win.
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
        // Every stored ID is 16 bytes, so the empty bytea sorts before all of them: one query
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

super::account_sql::account_store!(PostgresStore, sqlx::Postgres);
super::case_sql::case_store!(PostgresStore, sqlx::Postgres);

impl PostgresStore {
    /// Starts a write transaction (the account store's batches use it).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, sqlx::Postgres>, StoreError> {
        self.pool.begin().await.map_err(store_error)
    }
}
