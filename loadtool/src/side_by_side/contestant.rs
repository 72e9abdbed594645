use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;

use super::ProcessUsage;
use crate::loadtest::SpawnedServer;

/// How long the reference server may take to listen.
const START_WITHIN: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Contestant {
    /// automerge-repo 2.5.6's sync server on NodeFS storage (`tests/js/reference-server.mjs`).
    Reference,
    /// `fieldclinic serve` on a fresh SQLite database, with a volunteer's enrolled device.
    Fieldclinic,
}

impl Contestant {
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::Fieldclinic => "fieldclinic",
        }
    }
}

/// A contestant's server, started on a fresh store; dropping it stops the server and deletes
/// the store.
pub(super) enum Running {
    Reference {
        child: Child,
        port: u16,
        dir: PathBuf,
    },
    Fieldclinic(SpawnedServer),
}

impl Running {
    pub(super) async fn start(
        contestant: Contestant,
        binary: &Path,
        js: &Path,
    ) -> anyhow::Result<Self> {
        match contestant {
            Contestant::Fieldclinic => Ok(Self::Fieldclinic(
                SpawnedServer::start(binary.to_path_buf()).await?,
            )),
            Contestant::Reference => {
                let js = js.to_path_buf();
                tokio::task::spawn_blocking(move || start_reference(&js))
                    .await
                    .context("Starting the reference server failed")?
            }
        }
    }

    pub(super) async fn ws_url(&self) -> anyhow::Result<String> {
        match self {
            Self::Reference { port, .. } => Ok(format!("ws://127.0.0.1:{port}")),
            Self::Fieldclinic(server) => server.ws_url().await,
        }
    }

    pub(super) fn usage(&self) -> ProcessUsage {
        let pid = match self {
            Self::Reference { child, .. } => child.id(),
            Self::Fieldclinic(server) => server.pid(),
        };
        ProcessUsage::of_process(pid).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Self::Reference { child, dir, .. } = self {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn start_reference(js: &Path) -> anyhow::Result<Running> {
    let dir = std::env::temp_dir().join(format!(
        "fieldclinic-reference-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    let mut child = Command::new("node")
        .arg(js.join("reference-server.mjs"))
        .arg("--storage")
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("Failed to run node (is Node.js installed?)")?;
    let stdout = child
        .stdout
        .take()
        .context("No stdout from the reference server")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && let Some(port) = v["port"].as_u64()
            {
                let _ = tx.send(u16::try_from(port).unwrap_or_default());
            }
        }
    });
    let Ok(port) = rx.recv_timeout(START_WITHIN) else {
        let _ = child.kill();
        anyhow::bail!("The reference server did not start listening within 30 s");
    };
    Ok(Running::Reference { child, port, dir })
}
