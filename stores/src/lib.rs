//! The SQL stores: SQLite and PostgreSQL implementations of [`fieldclinic_sync::Store`] (documents
//! and sync states), [`accounts::AccountStore`] (clinics, users, devices, sessions, ownership,
//! audit) and [`cases::CaseStore`] (the case index the review pages read), with their migrations.
//!
//! Startup picks one backend from the database URL ([`DatabaseKind::from_url`]) and stays generic
//! over it; each backend owns its pool and runs its embedded migration set at connect.

mod account_rows;
mod account_sql;
pub mod accounts;
mod case_rows;
mod case_sql;
pub mod cases;
mod columns;
mod database_kind;
mod document_sql;
mod postgres;
mod rows;
mod sqlite;
mod sqlx_error;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use database_kind::{DatabaseKind, UnsupportedDatabaseUrl};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use fieldclinic_schema::DocumentId;
use fieldclinic_sync::Chunk;

/// Documents other server instances wrote to the shared database, so this instance can send
/// their changes to its own connected devices.
pub trait ChangeFeed: Clone + Send + Sync + 'static {
    /// Starts a task sending the ID of each document another instance wrote, until `stop`;
    /// `None` when no other instance can write (SQLite).
    fn follow(
        &self,
        changed: tokio::sync::mpsc::Sender<DocumentId>,
        stop: tokio_util::sync::CancellationToken,
    ) -> Option<tokio::task::JoinHandle<()>>;
}

/// Whether the database answers now: what `GET /healthz` asks, so a dead database is not
/// reported healthy from values cached at start-up.
pub trait Health: Clone + Send + Sync + 'static {
    /// One round trip to the database.
    fn ping(
        &self,
    ) -> impl std::future::Future<Output = Result<(), fieldclinic_sync::StoreError>> + Send;
}

/// Whether two chunks have the same key; compaction never deletes the snapshot it writes.
fn is_same_chunk(a: &Chunk, b: &Chunk) -> bool {
    a.kind == b.kind && a.hash == b.hash
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_migration_sets_list_the_same_versions() {
        let sqlite = sqlx::migrate!("./migrations/sqlite");
        let postgres = sqlx::migrate!("./migrations/postgres");
        let versions = |m: &sqlx::migrate::Migrator| {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };

        assert!(
            !versions(&sqlite).is_empty(),
            "no SQLite migrations embedded"
        );
        assert_eq!(
            versions(&sqlite),
            versions(&postgres),
            "stores/migrations/sqlite and stores/migrations/postgres drifted apart"
        );
    }
}
