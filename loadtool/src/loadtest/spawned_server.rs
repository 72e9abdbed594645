use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;

use super::MemorySample;
use crate::server_process::ServerProcess;

/// `fieldclinic serve` started by the load tool on a temporary SQLite database and port 0, with
/// a volunteer and an enrolled device set up through `fieldclinic admin`, as an admin would.
/// Dropping it kills the server and deletes the database.
#[derive(Debug)]
pub struct SpawnedServer {
    server: ServerProcess,
    dir: PathBuf,
    device_token: String,
    http: reqwest::Client,
}

impl SpawnedServer {
    /// Sets up the database with `binary`'s admin commands, then starts it as `serve` and waits
    /// for its `listening` log line.
    ///
    /// # Errors
    /// When the database cannot be set up, or the process cannot start or does not listen
    /// within 30 s.
    pub async fn start(binary: PathBuf) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "fieldclinic-loadtest-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("Failed to create {}", dir.display()))?;
        let url = format!("sqlite://{}/loadtest.db", dir.display());
        tokio::task::spawn_blocking(move || {
            let device_token = seed(&binary, &url)?;
            Self::spawn(&binary, dir, &url, device_token)
        })
        .await
        .context("Starting the server failed")?
    }

    fn spawn(binary: &Path, dir: PathBuf, url: &str, device_token: String) -> anyhow::Result<Self> {
        Ok(Self {
            server: ServerProcess::start(binary, url)?,
            dir,
            device_token,
            http: reqwest::Client::new(),
        })
    }

    /// The sync socket's URL with a fresh ticket for the load-test device, obtained as a device
    /// does before it connects (tickets last minutes; a long run outlives one).
    ///
    /// # Errors
    /// When the server refuses or cannot be reached.
    pub async fn ws_url(&self) -> anyhow::Result<String> {
        let answer: serde_json::Value = self
            .http
            .post(format!(
                "http://127.0.0.1:{}/api/v1/sync-tickets",
                self.server.port()
            ))
            .bearer_auth(&self.device_token)
            .send()
            .await
            .context("Failed to ask for a sync ticket")?
            .error_for_status()
            .context("The server refused a sync ticket")?
            .json()
            .await
            .context("The sync ticket answer is not JSON")?;
        let ticket = answer["ticket"]
            .as_str()
            .context("The sync ticket answer has no ticket")?;
        Ok(format!(
            "ws://127.0.0.1:{}/sync?ticket={ticket}",
            self.server.port()
        ))
    }

    /// The server's process ID.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.server.id()
    }

    /// The server's memory now.
    #[must_use]
    pub fn memory(&self) -> Option<MemorySample> {
        MemorySample::of_process(self.server.id())
    }
}

impl Drop for SpawnedServer {
    fn drop(&mut self) {
        self.server.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Creates a clinic, a volunteer and one enrolled device in a fresh database and returns the
/// device's token: every simulated device syncs as that volunteer's device, so the server checks
/// access on every document as it would for a clinic.
fn seed(binary: &Path, url: &str) -> anyhow::Result<String> {
    let clinic = admin(binary, url, &["create-clinic", "Load test clinic"], None)?;
    let clinic = clinic["clinic_id"]
        .as_str()
        .context("create-clinic printed no clinic_id")?
        .to_owned();
    let password = uuid::Uuid::new_v4().simple().to_string();
    admin(
        binary,
        url,
        &[
            "create-user",
            "--clinic",
            &clinic,
            "--email",
            "loadtest@clinic.test",
            "--role",
            "volunteer",
        ],
        Some(&password),
    )?;
    let device = admin(
        binary,
        url,
        &[
            "enroll-device",
            "--clinic",
            &clinic,
            "--user",
            "loadtest@clinic.test",
            "--name",
            "Load test device",
        ],
        None,
    )?;
    Ok(device["token"]
        .as_str()
        .context("enroll-device printed no token")?
        .to_owned())
}

/// Runs `fieldclinic admin ARGS --json --database-url URL` and parses what it prints.
fn admin(
    binary: &Path,
    url: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let mut child = Command::new(binary)
        .arg("admin")
        .args(args)
        .args(["--json", "--database-url", url])
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("Failed to run {} admin", binary.display()))?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(format!("{}\n", stdin.unwrap_or_default()).as_bytes())?;
    }
    let out = child.wait_with_output()?;
    anyhow::ensure!(
        out.status.success(),
        "fieldclinic admin {} failed: {}",
        args.first().copied().unwrap_or_default(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).context("fieldclinic admin printed no JSON")
}

/// The `fieldclinic` executable beside this one (cargo builds both into one folder).
///
/// # Errors
/// When this executable's path is unknown or no `fieldclinic` sits beside it.
pub fn sibling_server_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("Failed to find this executable's path")?;
    let path = me.with_file_name(format!("fieldclinic{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        path.is_file(),
        "No fieldclinic executable at {} (build it, or give --server-binary)",
        path.display()
    );
    Ok(path)
}
