use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{StorageId, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::rows::StorageIdRow;
use super::sqlx_error::store_error;

/// A [`Store`] on PostgreSQL, for clinics that run several server instances.
///
/// Instances may share one database: migrations take sqlx's advisory lock, so all may migrate at
/// boot; the storage ID lives in the database; chunk inserts are idempotent and sync states last
/// write wins. Each [`fieldclinic_sync::Store::append_changes`] notifies channel
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

super::document_sql::document_store!(PostgresStore, sqlx::Postgres);
super::account_sql::account_store!(PostgresStore, sqlx::Postgres);
super::case_sql::case_store!(PostgresStore, sqlx::Postgres);

impl PostgresStore {
    /// Starts a write transaction (the shared SQL of every store uses it).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, sqlx::Postgres>, StoreError> {
        self.pool.begin().await.map_err(store_error)
    }

    async fn read_or_create_storage_id(&self) -> Result<StorageIdRow, StoreError> {
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
        sqlx::query_as::<_, StorageIdRow>(
            "SELECT storage_id::text AS storage_id FROM server_identity WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)
    }

    /// Tells the other instances that `doc` changed. Delivered only if the transaction commits
    /// (and once per document per transaction), so listeners never reload a document for a
    /// write that was rolled back.
    async fn announce_written(
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        store: &Self,
        doc: &DocumentId,
    ) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(Self::DOC_CHANGES_CHANNEL)
            .bind(format!("{} {}", doc, store.instance))
            .execute(&mut **tx)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
