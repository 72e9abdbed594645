use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{StorageId, StoreError};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::rows::StorageIdRow;
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

super::document_sql::document_store!(SqliteStore, sqlx::Sqlite);
super::account_sql::account_store!(SqliteStore, sqlx::Sqlite);

/// One process owns a SQLite database: no other instance writes to it.
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
    /// Starts a write transaction (the shared SQL of every store uses it).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>, StoreError> {
        self.pool.begin_with(BEGIN_WRITE).await.map_err(store_error)
    }

    async fn read_or_create_storage_id(&self) -> Result<StorageIdRow, StoreError> {
        // Read first so that only the very first start takes the write lock.
        let select = "SELECT storage_id FROM server_identity WHERE id = 1";
        let row = sqlx::query_as::<_, StorageIdRow>(select)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        if let Some(row) = row {
            return Ok(row);
        }
        // Two processes may start at once: the loser's insert is ignored and both read the
        // winner's ID.
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
            .map_err(store_error)
    }

    /// Nobody else reads this database: a write needs no announcement.
    #[expect(
        clippy::unused_async,
        reason = "the shared SQL awaits it on every backend"
    )]
    async fn announce_written(
        _tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        _store: &Self,
        _doc: &DocumentId,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}
