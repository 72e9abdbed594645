//! `fieldclinic serve` as a child process on port 0: what the load tool measures and what the
//! kill -9 suites kill. The port is read from the server's `listening` log line.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;

/// How long a starting server may take to listen (migrations included).
const START_WITHIN: Duration = Duration::from_secs(30);

/// A running `fieldclinic serve`; dropping it kills the process.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    port: u16,
}

impl ServerProcess {
    /// Starts `binary serve` on 127.0.0.1 port 0 over `database_url` and waits until it listens.
    /// The server logs only warnings, errors and its start-up; warnings and errors are copied to
    /// this process's stderr.
    ///
    /// # Errors
    /// When the process cannot start or does not listen within 30 s.
    pub fn start(binary: &Path, database_url: &str) -> anyhow::Result<Self> {
        let mut child = Command::new(binary)
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--database-url",
                database_url,
            ])
            .env("FIELDCLINIC_LOG__FORMAT", "json")
            // Quiet, except the line that carries the port.
            .env("RUST_LOG", "warn,fieldclinic_server::startup=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("Failed to start {} serve", binary.display()))?;
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
        let mut process = Self { child, port: 0 };
        process.port = rx
            .recv_timeout(START_WITHIN)
            .context("The server did not start listening within 30 s")?;
        Ok(process)
    }

    /// The port it listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its process ID.
    #[must_use]
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, then waits for the process to end: no shutdown code runs.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
