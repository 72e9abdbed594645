//! The harness: the real application on port 0 over a fresh database, or the real binary as a
//! child process (for kill -9), plus a fresh PostgreSQL database per test.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::Duration;

use fieldclinic_server::configuration::{Overrides, get_configuration};
use fieldclinic_server::startup::Application;
use fieldclinic_server::telemetry::{get_subscriber, init_subscriber};
use sqlx::Connection;
use tokio::sync::oneshot;

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var("TEST_LOG").is_ok() {
        init_subscriber(get_subscriber(
            "info",
            fieldclinic_server::configuration::LogFormat::Pretty,
            std::io::stdout,
        ));
    }
});

/// Which database a test app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub(crate) const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];
}

/// A database for one test: a uuid-named SQLite file in a temp dir, or a uuid-named PostgreSQL
/// database dropped afterwards.
pub(crate) struct TestDatabase {
    pub(crate) url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

/// The PostgreSQL server the suites use. CI exports `TEST_DATABASE_URL`; locally the machine's
/// server on 127.0.0.1:5432 is the default. Tests fail, never skip, when it is down.
pub(crate) fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl TestDatabase {
    pub(crate) async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!(
                    "sqlite://{}/{}.db",
                    dir.path().display(),
                    uuid::Uuid::new_v4()
                );
                Self {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("fc_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL at {admin} is required for this test: {e}")
                    });
                // A uuid-derived name is a safe quoted identifier.
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let base = admin
                    .rsplit_once('/')
                    .map_or(admin.as_str(), |(b, _)| b)
                    .to_owned();
                Self {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let admin = postgres_admin_url();
            // Drop runs outside any runtime guarantee: use a short-lived one of our own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await
                    .ok()
                })
            })
            .join();
        }
    }
}

/// The application running in this process on a random port.
pub(crate) struct TestApp {
    pub(crate) port: u16,
    pub(crate) address: String,
    pub(crate) client: reqwest::Client,
    pub(crate) db: TestDatabase,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub(crate) fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/sync", self.port)
    }

    /// Stops the app gracefully and waits for it.
    pub(crate) async fn stop(mut self) -> TestDatabase {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("app task").expect("app stopped cleanly");
        }
        std::mem::replace(
            &mut self.db,
            TestDatabase {
                url: String::new(),
                _dir: None,
                pg_name: None,
            },
        )
    }
}

/// Starts the app over a fresh database of `backend`.
pub(crate) async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_on(TestDatabase::new(backend).await).await
}

/// Starts the app over an existing test database (to restart on the same data).
pub(crate) async fn spawn_app_on(db: TestDatabase) -> TestApp {
    LazyLock::force(&TRACING);
    let overrides = Overrides {
        bind: Some("127.0.0.1:0".into()),
        database_url: Some(db.url.clone()),
        ..Overrides::default()
    };
    let mut settings = get_configuration(None, &overrides).expect("configuration");
    settings.sync.checkpoint_millis = 100;
    let app = Application::build(settings).await.expect("app builds");
    let port = app.port();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    TestApp {
        port,
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        db,
        stop: Some(tx),
        task: Some(task),
    }
}

/// The `fieldclinic` binary built beside this test binary (`scripts/test` builds it first).
pub(crate) fn binary_path() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("fieldclinic");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace --bins` first (scripts/test does)",
        bin.display()
    );
    bin
}

/// The real binary as a child process, so a test can SIGKILL it.
pub(crate) struct ServerProcess {
    pub(crate) child: Child,
    pub(crate) port: u16,
}

impl ServerProcess {
    /// Starts `fieldclinic serve` on port 0 over `database_url` and waits until it listens.
    pub(crate) fn start(database_url: &str) -> Self {
        let mut child = Command::new(binary_path())
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--database-url",
                database_url,
            ])
            .env("FIELDCLINIC_LOG__FORMAT", "json")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start fieldclinic");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                    && v["fields"]["message"] == "listening"
                    && let Some(port) = v["fields"]["port"].as_u64()
                {
                    let _ = tx.send(u16::try_from(port).unwrap_or_default());
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server did not start listening");
        Self { child, port }
    }

    pub(crate) fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/sync", self.port)
    }

    /// SIGKILL: no shutdown code runs.
    pub(crate) fn kill9(mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the app over a fresh database of `backend` after `configure` adjusted its settings
/// (a small `sync.max_message_bytes`, say).
pub(crate) async fn spawn_app_configured(
    backend: Backend,
    configure: impl FnOnce(&mut fieldclinic_server::configuration::Settings),
) -> TestApp {
    LazyLock::force(&TRACING);
    let db = TestDatabase::new(backend).await;
    let overrides = Overrides {
        bind: Some("127.0.0.1:0".into()),
        database_url: Some(db.url.clone()),
        ..Overrides::default()
    };
    let mut settings = get_configuration(None, &overrides).expect("configuration");
    settings.sync.checkpoint_millis = 100;
    configure(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    let port = app.port();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    TestApp {
        port,
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        db,
        stop: Some(tx),
        task: Some(task),
    }
}
