//! A PostgreSQL database of its own for each test, for this crate's conformance suites and the
//! end-to-end suites.

use std::str::FromStr;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

/// Where the PostgreSQL tests create their databases when `TEST_DATABASE_URL` is unset.
const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A fresh, migrated-on-connect PostgreSQL database named by a v4 UUID, created on the server at
/// `TEST_DATABASE_URL` (default [`DEFAULT_TEST_DATABASE_URL`]) and dropped when this value is,
/// even if the test panicked.
///
/// Creating it fails when PostgreSQL is unreachable: a PostgreSQL test never passes by skipping.
#[derive(Debug)]
pub struct TestPgDatabase {
    name: String,
    url: String,
    server: PgConnectOptions,
}

impl TestPgDatabase {
    /// Creates the database.
    ///
    /// # Errors
    /// When PostgreSQL is unreachable or refuses.
    pub async fn create() -> anyhow::Result<Self> {
        let server_url = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned());
        let server = PgConnectOptions::from_str(&server_url)
            .context("Failed to parse TEST_DATABASE_URL as a PostgreSQL URL")?;
        let mut conn = PgConnection::connect_with(&server).await.context(
            "Failed to connect to the test PostgreSQL server (TEST_DATABASE_URL, default \
             postgres://postgres@127.0.0.1:5432/postgres): start it or point the variable at one",
        )?;
        let name = uuid::Uuid::new_v4().to_string();
        // A UUID is a safe quoted identifier: hex digits and dashes only.
        sqlx::query(sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
            .execute(&mut conn)
            .await
            .context("Failed to create a test database")?;
        conn.close()
            .await
            .context("Failed to close the admin connection")?;
        let url = server.clone().database(&name).to_url_lossy().to_string();
        Ok(Self { name, url, server })
    }

    /// A URL for [`crate::PostgresStore::connect`] (or the server under test) naming this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Options naming this database, for code that connects with options.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.server.clone().database(&self.name)
    }

    /// Takes the database away under whatever uses it (`WITH (FORCE)` ends its connections),
    /// as a failed database server would.
    ///
    /// # Errors
    /// When PostgreSQL refuses.
    pub async fn drop_now(&self) -> anyhow::Result<()> {
        Self::drop_database(&self.server, &self.name).await
    }

    async fn drop_database(server: &PgConnectOptions, name: &str) -> anyhow::Result<()> {
        let mut conn = PgConnection::connect_with(server).await?;
        // FORCE ends the pools of stores still open on it (PostgreSQL 13 and later).
        sqlx::query(sqlx::AssertSqlSafe(format!(
            r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#
        )))
        .execute(&mut conn)
        .await?;
        conn.close().await?;
        Ok(())
    }
}

impl Drop for TestPgDatabase {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may be the one running this drop, so the
        // cleanup gets a thread and a runtime of its own.
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|rt| rt.block_on(Self::drop_database(&server, &name)))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}: {dropped:?}", self.name);
        }
    }
}
