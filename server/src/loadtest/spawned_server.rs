use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;

use secrecy::ExposeSecret;

use super::MemorySample;
use crate::admin;
use crate::store::SqliteStore;
use crate::store::accounts::{Role, TicketOwner};

/// `fieldclinic serve` started by the load tool on a temporary SQLite database and port 0.
/// Dropping it kills the server and deletes the database.
#[derive(Debug)]
pub struct SpawnedServer {
    child: Child,
    port: u16,
    dir: PathBuf,
    ticket: String,
}

impl SpawnedServer {
    /// Creates the database with a load-test volunteer, then starts this executable as `serve`
    /// and waits for its `listening` log line.
    ///
    /// # Errors
    /// When the database cannot be set up, or the process cannot start or does not listen
    /// within 30 s.
    pub async fn start() -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "fieldclinic-loadtest-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("Failed to create {}", dir.display()))?;
        let url = format!("sqlite://{}/loadtest.db", dir.display());
        let ticket = seed(&url).await?;
        tokio::task::spawn_blocking(move || Self::spawn(dir, &url, ticket))
            .await
            .context("Starting the server failed")?
    }

    fn spawn(dir: PathBuf, url: &str, ticket: String) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("Failed to find the fieldclinic executable")?;
        let mut child = Command::new(exe)
            .args(["serve", "--bind", "127.0.0.1:0", "--database-url", url])
            .env("FIELDCLINIC_LOG__FORMAT", "json")
            // Quiet, except the line that carries the port.
            .env("RUST_LOG", "warn,fieldclinic_server::startup=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("Failed to start fieldclinic serve")?;
        let stderr = child.stderr.take().context("No stderr from the server")?;
        let (tx, rx) = std::sync::mpsc::channel();
        // Keeps draining stderr for the server's lifetime, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                    && v["fields"]["message"] == "listening"
                    && let Some(port) = v["fields"]["port"].as_u64()
                {
                    let _ = tx.send(u16::try_from(port).unwrap_or_default());
                } else if line.contains("\"ERROR\"") || line.contains("\"WARN\"") {
                    eprintln!("server: {line}");
                }
            }
        });
        let mut server = Self {
            child,
            port: 0,
            dir,
            ticket,
        };
        server.port = rx
            .recv_timeout(Duration::from_secs(30))
            .context("The server did not start listening within 30 s")?;
        Ok(server)
    }

    /// The sync socket's URL, with the load-test volunteer's ticket.
    #[must_use]
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/sync?ticket={}", self.port, self.ticket)
    }

    /// The server's memory now.
    #[must_use]
    pub fn memory(&self) -> Option<MemorySample> {
        MemorySample::of_process(self.child.id())
    }
}

impl Drop for SpawnedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A sync ticket of a volunteer in a fresh database: every simulated device syncs as that
/// volunteer, so the server checks access on every document as it would for a clinic.
async fn seed(url: &str) -> anyhow::Result<String> {
    let store = SqliteStore::connect(url).await?;
    let user = admin::ensure_account(
        &store,
        "Load test clinic",
        "loadtest@clinic.test",
        Role::Volunteer,
    )
    .await
    .context("Failed to create the load-test account")?;
    // Two hours outlive every phase; connections opened with it stay open anyway.
    let ticket = admin::issue_ticket(
        &store,
        TicketOwner {
            user_id: user.id,
            device_id: None,
            session: None,
        },
        7_200_000,
    )
    .await
    .context("Failed to issue a ticket")?;
    store.close().await;
    Ok(ticket.expose_secret().to_owned())
}
