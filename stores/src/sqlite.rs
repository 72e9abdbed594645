use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{
    Chunk, ChunkKind, DocumentMeta, DocumentWrite, StorageId, Store, StoreError, SyncStateRecord,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::columns::{heads_to_text, now_millis};
use super::is_same_chunk;
use super::rows::{ChunkRow, DocIdRow, DocumentMetaRow, StorageIdRow, SyncStateRow};
use super::sqlx_error::store_error;

/// How long a connection waits for SQLite's single write lock before failing. Write transactions
/// are a handful of inserts, so a wait this long means something is stuck, not busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite writers queue on one lock; `BEGIN IMMEDIATE` takes it up front, where `busy_timeout`
/// applies, instead of upgrading a read lock mid-transaction, which fails at once with
/// `SQLITE_BUSY` when another writer got there first.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// The embedded default [`Store`]: one SQLite file in WAL mode.
///
/// Every commit is synced to disk (`synchronous = FULL`) before `Ok` returns, because a device is
/// told its changes are stored once they are; WAL's usual `NORMAL` can lose the last commits on
/// power loss.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The storage ID never changes once created, so it is read from the database once.
    storage_id: Arc<OnceLock<StorageId>>,
}

impl SqliteStore {
    /// Opens (creating the file and its folder if missing) and migrates the database at `url`,
    /// such as `sqlite://data/fieldclinic.db`.
    ///
    /// # Errors
    /// When the URL is invalid, the folder cannot be created, or the database cannot be opened
    /// or migrated.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .context("Failed to parse the SQLite database URL")?;
        Self::connect_with(options).await
    }

    /// Like [`SqliteStore::connect`], from options built by the caller. Durability settings are
    /// applied on top of them.
    ///
    /// # Errors
    /// When the folder cannot be created, or the database cannot be opened or migrated.
    pub async fn connect_with(options: SqliteConnectOptions) -> anyhow::Result<Self> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        // SQLite creates the file but not its folder; in-memory databases have no parent.
        if let Some(dir) = options
            .get_filename()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            tokio::fs::create_dir_all(dir).await.with_context(|| {
                format!("Failed to create the database folder {}", dir.display())
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .connect_with(options)
            .await
            .context("Failed to open the SQLite database")?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .context("Failed to run the SQLite migrations")?;
        Ok(Self {
            pool,
            storage_id: Arc::default(),
        })
    }

    /// Waits for queries in flight, then closes every connection (checkpointing the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Store for SqliteStore {
    #[tracing::instrument(skip_all)]
    async fn storage_id(&self) -> Result<StorageId, StoreError> {
        if let Some(id) = self.storage_id.get() {
            return Ok(id.clone());
        }
        // Read first so that only the very first start takes the write lock.
        let select = "SELECT storage_id FROM server_identity WHERE id = 1";
        let row = sqlx::query_as::<_, StorageIdRow>(select)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        let row = match row {
            Some(row) => row,
            None => {
                // Two processes may start at once: the loser's insert is ignored and both read
                // the winner's ID.
                sqlx::query(
                    "INSERT INTO server_identity (id, storage_id) VALUES (1, $1) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(StorageId::random().as_str().to_owned())
                .execute(&self.pool)
                .await
                .map_err(store_error)?;
                sqlx::query_as::<_, StorageIdRow>(select)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?
            }
        };
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
        let mut tx = self
            .pool
            .begin_with(BEGIN_WRITE)
            .await
            .map_err(store_error)?;
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
                // The same chunk arrives again when a write is retried or two peers send the
                // same change; the first copy is as good as the second.
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
        let mut tx = self
            .pool
            .begin_with(BEGIN_WRITE)
            .await
            .map_err(store_error)?;
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
        // Only the listed chunks go: chunks appended since the caller built its list are not
        // in the snapshot. The snapshot itself is kept even if listed (a compaction to the same
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
        let mut tx = self
            .pool
            .begin_with(BEGIN_WRITE)
            .await
            .map_err(store_error)?;
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
        // Every stored ID is 16 bytes, so the empty blob sorts before all of them: one query
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

super::account_sql::account_store!(SqliteStore, sqlx::Sqlite);

/// One process owns a SQLite database: no other instance writes to it.
impl super::Health for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(super::sqlx_error::store_error)?;
        Ok(())
    }
}

impl super::ChangeFeed for SqliteStore {
    fn follow(
        &self,
        _changed: tokio::sync::mpsc::Sender<DocumentId>,
        _stop: tokio_util::sync::CancellationToken,
    ) -> Option<tokio::task::JoinHandle<()>> {
        None
    }
}
super::case_sql::case_store!(SqliteStore, sqlx::Sqlite);

impl SqliteStore {
    /// Starts a write transaction (the account store's batches use it).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>, StoreError> {
        self.pool.begin_with(BEGIN_WRITE).await.map_err(store_error)
    }
}
