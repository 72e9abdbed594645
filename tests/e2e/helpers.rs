//! The harness: the real application on port 0 over a fresh database, or the real binary as a
//! child process (for kill -9), plus a fresh PostgreSQL database per test.

use std::path::PathBuf;
use std::sync::LazyLock;

use fieldclinic_schema::DocumentId;
use fieldclinic_server::admin;
use fieldclinic_server::audit::AuditActor;
use fieldclinic_server::configuration::{Overrides, get_configuration};
use fieldclinic_server::startup::Application;
use fieldclinic_server::telemetry::{get_subscriber, init_subscriber};
use fieldclinic_stores::accounts::{
    AccountStore, AuditEntry, AuditQuery, ClinicId, DeviceId, Role, TicketOwner, UserId,
};
use fieldclinic_stores::test_support::TestPgDatabase;
use fieldclinic_stores::{PostgresStore, SqliteStore};
use fieldclinic_sync::Store;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::oneshot;

/// A clinic member with an enrolled device, for tests that need credentials.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) user_id: UserId,
    pub(crate) email: String,
    pub(crate) password: String,
    pub(crate) device_id: DeviceId,
    pub(crate) device_token: String,
    pub(crate) index_url: String,
}

/// The test database's store, whichever backend, for set-up through the admin operations.
pub(crate) enum TestStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

macro_rules! with_store {
    ($self:expr, $s:ident => $body:expr) => {
        match $self {
            TestStore::Sqlite($s) => $body,
            TestStore::Postgres($s) => $body,
        }
    };
}

impl TestStore {
    pub(crate) async fn connect(url: &str) -> Self {
        if url.starts_with("sqlite:") {
            Self::Sqlite(SqliteStore::connect(url).await.expect("sqlite store"))
        } else {
            Self::Postgres(PostgresStore::connect(url).await.expect("postgres store"))
        }
    }

    pub(crate) async fn clinic(&self, name: &str) -> ClinicId {
        with_store!(self, s => admin::create_clinic(s, name, &AuditActor::cli()).await.expect("clinic").id)
    }

    pub(crate) async fn account(&self, clinic: ClinicId, role: Role) -> Account {
        let email = format!(
            "{}-{}@clinic.test",
            role.as_str(),
            uuid::Uuid::new_v4().simple()
        );
        let password = "correct horse battery staple".to_owned();
        let user = with_store!(self, s => admin::create_user(s, clinic, &email, role, SecretString::from(password.clone()), &AuditActor::cli()).await.expect("user"));
        let e = with_store!(self, s => admin::enroll_device(s, clinic, &email, "test tablet", &AuditActor::cli()).await.expect("device"));
        Account {
            user_id: user.id,
            email,
            password,
            device_id: e.device_id,
            device_token: e.token.expose_secret().to_owned(),
            index_url: e.index_url,
        }
    }

    /// A ticket of `who`'s device that expired a minute ago.
    pub(crate) async fn expired_ticket(&self, who: &Account) -> String {
        let owner = TicketOwner {
            user_id: who.user_id,
            device_id: Some(who.device_id),
            session: None,
        };
        with_store!(self, s => admin::issue_ticket(s, owner, -60_000).await.expect("ticket").expose_secret().to_owned())
    }

    /// Revokes a device straight in the database, as the command line or another instance
    /// would: this server learns of it only through the database.
    pub(crate) async fn revoke(&self, device: DeviceId) {
        with_store!(self, s => admin::revoke_device(s, device, None, &AuditActor::cli()).await.expect("revoke"));
    }

    /// The intake's document as stored (every chunk loaded).
    pub(crate) async fn document(&self, doc: &DocumentId) -> automerge::AutoCommit {
        let chunks = with_store!(self, s => fieldclinic_sync::Store::load_chunks(s, doc).await.expect("chunks"));
        let mut d = automerge::AutoCommit::new();
        for c in chunks {
            d.load_incremental(&c.data).expect("chunk loads");
        }
        d
    }

    /// Makes the stored determination say it was made under `rules_version`, as a server of an
    /// older release would have left it, and forgets that the current rules were applied to
    /// every intake: the state of a database the moment a new release starts on it.
    pub(crate) async fn age_determination(&self, doc: &DocumentId, rules_version: &str) {
        use automerge::transaction::Transactable;
        use automerge::{ObjType, ROOT, ReadDoc};
        let mut d = self
            .document(doc)
            .await
            .with_actor(automerge::ActorId::random());
        let before = d.get_heads();
        let Some((automerge::Value::Object(ObjType::Map), det)) =
            d.get(ROOT, "determination").expect("read")
        else {
            panic!("no determination to age");
        };
        d.put(&det, "rules_version", rules_version).expect("put");
        d.commit();
        let heads = d.get_heads();
        let write = fieldclinic_sync::DocumentWrite {
            doc: *doc,
            chunks: vec![fieldclinic_sync::Chunk {
                kind: fieldclinic_sync::ChunkKind::Incremental,
                hash: fieldclinic_sync::heads_hash(&heads),
                data: d.save_after(&before),
            }],
            heads: heads.iter().map(ToString::to_string).collect(),
            at_millis: 0,
        };
        with_store!(self, s => fieldclinic_sync::Store::append_changes(s, std::slice::from_ref(&write)).await.expect("write"));
        let restart = fieldclinic_stores::cases::ReevaluationProgress::default();
        with_store!(self, s => fieldclinic_stores::cases::CaseStore::save_reevaluation_progress(s, fieldclinic_eligibility::RULES_VERSION, &restart, 0).await.expect("progress"));
    }

    /// The `rules_version` of the stored determination.
    pub(crate) async fn rules_version(&self, doc: &DocumentId) -> Option<String> {
        use automerge::{ROOT, ReadDoc};
        let d = self.document(doc).await;
        let (_, det) = d.get(ROOT, "determination").ok()??;
        match d.get(&det, "rules_version").ok()?? {
            (automerge::Value::Scalar(s), _) => s.as_str().map(str::to_owned),
            _ => None,
        }
    }

    pub(crate) async fn assign(&self, doc: &DocumentId, user: &UserId) {
        with_store!(self, s => s.assign_document(doc, user, 0).await.expect("assign"));
    }

    pub(crate) async fn audit(&self, doc: &DocumentId) -> Vec<AuditEntry> {
        with_store!(self, s => s.query_audit(&AuditQuery { doc: Some(*doc), limit: 1000, ..AuditQuery::default() }).await.expect("audit"))
    }

    /// Every stored document, in the store's walk order.
    pub(crate) async fn documents(&self) -> Vec<DocumentId> {
        with_store!(self, s => s.list_documents(None, 10_000).await.expect("documents"))
    }

    /// The intake's row of the case index.
    pub(crate) async fn case(
        &self,
        doc: &DocumentId,
    ) -> Option<fieldclinic_stores::cases::CaseRecord> {
        with_store!(self, s => fieldclinic_stores::cases::CaseStore::case(s, doc).await.expect("case"))
    }

    /// Deletes every row of the case index (derived data; the documents stay).
    pub(crate) async fn forget_case_index(&self) {
        for sql in [
            "DELETE FROM duplicate_candidates",
            "DELETE FROM case_identifiers",
            "DELETE FROM cases",
        ] {
            with_store!(self, s => s.execute_unchecked(sql).await.expect("delete"));
        }
    }

    pub(crate) async fn heads(&self, doc: &DocumentId) -> Option<Vec<String>> {
        match with_store!(self, s => s.document_meta(doc).await) {
            Ok(m) => Some(m.heads),
            Err(_) => None,
        }
    }
}

impl TestApp {
    /// A sync ticket for a bearer token, from the API.
    pub(crate) async fn ticket(&self, token: &str) -> String {
        let r = self
            .client
            .post(format!("{}/api/v1/sync-tickets", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("ticket request");
        assert_eq!(r.status().as_u16(), 201, "ticket refused");
        let body: serde_json::Value = r.json().await.expect("ticket json");
        body["ticket"].as_str().expect("ticket").to_owned()
    }

    /// The sync URL carrying a fresh ticket for `token`.
    pub(crate) async fn ws_url_for(&self, token: &str) -> String {
        format!("{}?ticket={}", self.bare_ws_url(), self.ticket(token).await)
    }
}

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
/// database dropped afterwards (the stores crate's test database).
pub(crate) struct TestDatabase {
    pub(crate) url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<TestPgDatabase>,
}

impl TestDatabase {
    /// The same database for a second server instance; only the original cleans it up.
    pub(crate) fn alias(&self) -> Self {
        Self {
            url: self.url.clone(),
            _dir: None,
            pg: None,
        }
    }

    /// Takes a PostgreSQL database away under a running server, as a failed database server
    /// would.
    pub(crate) async fn drop_postgres_now(&self) {
        self.pg
            .as_ref()
            .expect("a PostgreSQL test database")
            .drop_now()
            .await
            .expect("drop database");
    }

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
                    pg: None,
                }
            }
            Backend::Postgres => {
                let pg = TestPgDatabase::create()
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL is required for this test: {e:#}"));
                Self {
                    url: pg.url().to_owned(),
                    _dir: None,
                    pg: Some(pg),
                }
            }
        }
    }
}

/// The application running in this process on a random port.
pub(crate) struct TestApp {
    pub(crate) port: u16,
    pub(crate) address: String,
    pub(crate) client: reqwest::Client,
    pub(crate) db: TestDatabase,
    /// A ticket of the default test user, carried by [`TestApp::ws_url`].
    pub(crate) ticket: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// The sync URL with the default test user's ticket.
    pub(crate) fn ws_url(&self) -> String {
        format!("{}?ticket={}", self.bare_ws_url(), self.ticket)
    }

    /// The sync URL without any credential.
    pub(crate) fn bare_ws_url(&self) -> String {
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
                pg: None,
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
    start_app(db, |_| {}).await
}

/// Starts the app over a fresh database of `backend` after `configure` adjusted its settings
/// (a small `sync.max_message_bytes`, say).
pub(crate) async fn spawn_app_configured(
    backend: Backend,
    configure: impl FnOnce(&mut fieldclinic_server::configuration::Settings),
) -> TestApp {
    start_app(TestDatabase::new(backend).await, configure).await
}

async fn start_app(
    db: TestDatabase,
    configure: impl FnOnce(&mut fieldclinic_server::configuration::Settings),
) -> TestApp {
    LazyLock::force(&TRACING);
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
    let ticket = default_ticket(&db.url).await;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    TestApp {
        port,
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        db,
        ticket,
        stop: Some(tx),
        task: Some(task),
    }
}

/// A sync ticket, valid for an hour, of the database's default test user (a volunteer of
/// "Test clinic", created on first use): the credential of suites that are not about access.
pub(crate) async fn default_ticket(database_url: &str) -> String {
    let store = TestStore::connect(database_url).await;
    with_store!(&store, s => {
        let user = admin::ensure_account(s, "Test clinic", "tester@clinic.test", Role::Volunteer)
            .await
            .expect("default account");
        admin::issue_ticket(s, TicketOwner { user_id: user.id, device_id: None, session: None }, 3_600_000)
            .await
            .expect("default ticket")
            .expose_secret()
            .to_owned()
    })
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
    process: fieldclinic_loadtool::server_process::ServerProcess,
    pub(crate) port: u16,
    ticket: String,
}

impl ServerProcess {
    /// Starts `fieldclinic serve` on port 0 over `database_url` and waits until it listens.
    pub(crate) fn start(database_url: &str) -> Self {
        let url = database_url.to_owned();
        // Seeding needs async; this constructor is called from blocking code.
        let ticket = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(default_ticket(&url))
        })
        .join()
        .expect("seed the default account");
        let process = fieldclinic_loadtool::server_process::ServerProcess::start(
            &binary_path(),
            database_url,
        )
        .expect("start fieldclinic");
        Self {
            port: process.port(),
            process,
            ticket,
        }
    }

    /// The sync URL with the default test user's ticket.
    pub(crate) fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/sync?ticket={}", self.port, self.ticket)
    }

    /// SIGKILL: no shutdown code runs.
    pub(crate) fn kill9(mut self) {
        self.process.kill();
    }
}
