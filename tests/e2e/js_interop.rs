//! The real JavaScript client as field devices against our server, on every backend.
//!
//! Each device step is one `node tests/js/<script>.mjs` process (the packages pinned by
//! `tests/js/package-lock.json`) that prints one JSON line. Devices with a storage directory keep
//! their documents between steps, so "offline, then sync later" and "restart the device" are
//! real process boundaries, not simulated ones. The scripts bound every wait themselves; the
//! assertions compare heads and contents, never timings or message counts.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fieldclinic_schema::DocumentId;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::process::Command;

use crate::helpers::{
    Account, Backend, ServerProcess, TestApp, TestDatabase, TestStore, spawn_app,
    spawn_app_configured, spawn_app_on,
};
use crate::review::ApiUser;
use fieldclinic_stores::accounts::Role;

/// How long one device step may take in total. Longer than the scripts' own 20 s deadline, so a
/// stuck script normally reports where it was stuck before this kills it.
const DEVICE_DEADLINE: Duration = Duration::from_secs(60);

fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Runs one device step and returns its result line.
pub(crate) async fn node(script: &str, args: &[&str]) -> Value {
    node_env(script, args, &[]).await
}

/// Runs one script of tests/js with its own deadline (a workload, not a device step).
pub(crate) async fn run_node_in_js_dir(script: &str, args: &[&str], deadline: Duration) -> Value {
    run_node(&js_dir(), script, args, &[], deadline).await
}

/// Runs one device step with extra environment variables (a trusted CA, say).
pub(crate) async fn node_env(script: &str, args: &[&str], env: &[(&str, &str)]) -> Value {
    run_node(&js_dir(), script, args, env, DEVICE_DEADLINE).await
}

/// Runs `node <dir>/<script> <args>` in `dir` and returns its one JSON result line; panics with
/// its output when it fails or runs past `deadline`.
pub(crate) async fn run_node(
    dir: &Path,
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
    deadline: Duration,
) -> Value {
    assert!(
        dir.join("node_modules").is_dir(),
        "{} has no node_modules: run `npm ci --prefix {}` (scripts/test does)",
        dir.display(),
        dir.display()
    );
    let child = Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A timed-out step must not outlive the test (the future owning the child is dropped).
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node (Node 20 must be on PATH): {e}"));
    let output = tokio::time::timeout(deadline, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("node {script} {args:?} ran past {deadline:?}"))
        .expect("wait for node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node {script} {args:?} failed ({}):\n{stderr}{stdout}",
        output.status
    );
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("node {script} printed no JSON result ({e}):\n{stdout}"))
}

/// What a device reports after syncing: its heads are the server's too.
#[derive(Debug, Deserialize)]
pub(crate) struct Synced {
    heads: Vec<String>,
    pub(crate) doc: Value,
}

impl Synced {
    fn sorted_heads(&self) -> Vec<String> {
        let mut heads = self.heads.clone();
        heads.sort();
        heads
    }

    fn outcome(&self) -> &str {
        self.doc["determination"]["outcome"]
            .as_str()
            .unwrap_or_default()
    }

    fn reason_codes(&self) -> Vec<&str> {
        self.doc["determination"]["reasons"]
            .as_array()
            .map(|reasons| reasons.iter().filter_map(|r| r["code"].as_str()).collect())
            .unwrap_or_default()
    }
}

/// What a device without the document reports when it asks for it.
#[derive(Debug)]
enum Found {
    Ready(Synced),
    Unavailable,
}

fn parse_found(result: Value) -> Found {
    match result["state"].as_str() {
        Some("unavailable") => Found::Unavailable,
        Some("ready") => Found::Ready(serde_json::from_value(result).expect("sync result")),
        _ => panic!("unexpected find result: {result}"),
    }
}

/// A device with no storage that asks the server for `url` and waits until in sync.
async fn fresh_device_find(server: &str, url: &str) -> Found {
    parse_found(node("sync.mjs", &["--server", server, "--url", url]).await)
}

async fn fresh_device_finds(server: &str, url: &str) -> Synced {
    match fresh_device_find(server, url).await {
        Found::Ready(synced) => synced,
        Found::Unavailable => panic!("a fresh device could not find {url}"),
    }
}

/// A device with its own storage directory: it works offline and survives its own restarts.
pub(crate) struct StoredDevice {
    storage: tempfile::TempDir,
}

impl StoredDevice {
    pub(crate) fn new() -> Self {
        Self {
            storage: tempfile::tempdir().expect("device storage dir"),
        }
    }

    pub(crate) fn storage(&self) -> &str {
        self.storage.path().to_str().expect("utf-8 temp path")
    }

    /// Creates `doc` with no network at all; returns its `automerge:` URL.
    pub(crate) async fn create_offline(&self, doc: &Value) -> String {
        let result = node(
            "create.mjs",
            &["--storage", self.storage(), "--doc", &doc.to_string()],
        )
        .await;
        result["url"].as_str().expect("url").to_owned()
    }

    /// Sets each `path` to its JSON value in one change, offline.
    pub(crate) async fn edit_offline(&self, url: &str, sets: &[(&str, Value)]) {
        let sets: Vec<String> = sets.iter().map(|(p, v)| format!("{p}={v}")).collect();
        let mut args = vec!["--storage", self.storage(), "--url", url];
        for set in &sets {
            args.extend(["--set", set.as_str()]);
        }
        node("edit.mjs", &args).await;
    }

    /// Connects, syncs `url` until the server holds exactly this device's heads, disconnects.
    pub(crate) async fn sync(&self, server: &str, url: &str) -> Synced {
        self.sync_with(server, url, &[]).await
    }

    /// Like `sync`, and also waits for the server's determination of the device's latest facts.
    pub(crate) async fn sync_for_determination(&self, server: &str, url: &str) -> Synced {
        self.sync_with(server, url, &["--await-determination"])
            .await
    }

    async fn sync_with(&self, server: &str, url: &str, extra: &[&str]) -> Synced {
        let mut args = vec![
            "--server",
            server,
            "--storage",
            self.storage(),
            "--url",
            url,
        ];
        args.extend(extra);
        match parse_found(node("sync.mjs", &args).await) {
            Found::Ready(synced) => synced,
            Found::Unavailable => panic!("device storage lost {url}"),
        }
    }
}

/// A client intake as a volunteer's device starts it.
pub(crate) fn intake(legal_name: &str, offense: &Value) -> Value {
    json!({
        "kind": "intake",
        "schema_version": 1,
        "person": {
            "legal_name": legal_name,
            "status_now": "us_citizen",
            "citizen_or_lpr_since": "birth",
            "status_at_offense": "us_citizen",
        },
        "offenses": [offense],
        "notes": "entered offline at the clinic",
    })
}

/// Federal simple possession of marijuana, convicted, with neither date known yet.
pub(crate) fn undated_possession() -> Value {
    json!({
        "id": "offense-1",
        "citation": "21 USC 844",
        "substance": "marijuana",
        "conduct": "possession",
        "jurisdiction": "federal",
        "disposition": "convicted",
    })
}

/// Federal distribution of marijuana: outside both proclamations.
fn distribution() -> Value {
    json!({
        "id": "offense-1",
        "citation": "21 USC 841",
        "substance": "marijuana",
        "conduct": "distribution",
        "jurisdiction": "federal",
        "disposition": "convicted",
        "offense_date": "2015-06-01",
    })
}

/// Issue 3: an intake created with no connection reaches the server when the device comes online,
/// and a device that has never seen it finds it by URL.
async fn offline_created_intake_reaches_a_fresh_device(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = StoredDevice::new();
    let url = a
        .create_offline(&intake("Ana Offline", &undated_possession()))
        .await;

    let pushed = a.sync(&app.ws_url(), &url).await;
    let found = fresh_device_finds(&app.ws_url(), &url).await;

    assert_eq!(found.sorted_heads(), pushed.sorted_heads(), "{backend:?}");
    assert_eq!(found.doc, pushed.doc, "{backend:?}");
    assert_eq!(found.doc["person"]["legal_name"], "Ana Offline");
    assert_eq!(found.doc["notes"], "entered offline at the clinic");
    app.stop().await;
}

/// Issue 3: two devices edit the same intake offline (different fields and the same field), then
/// sync; both end with the same heads and the same merged content.
async fn concurrent_offline_edits_converge(backend: Backend) {
    let app = spawn_app(backend).await;
    let server = app.ws_url();
    let a = StoredDevice::new();
    let b = StoredDevice::new();
    let url = a
        .create_offline(&intake("Ana", &undated_possession()))
        .await;
    a.sync(&server, &url).await;
    b.sync(&server, &url).await;

    a.edit_offline(
        &url,
        &[
            ("person.address", json!("12 Harbour Road")),
            ("person.legal_name", json!("Ana Alvarez")),
        ],
    )
    .await;
    b.edit_offline(
        &url,
        &[
            ("person.email", json!("ana@example.org")),
            ("person.legal_name", json!("Ana Alvares")),
        ],
    )
    .await;
    // A pushes, B pushes and receives A's edit, A receives B's; the last round checks B is
    // still level with the server after A's final sync.
    a.sync(&server, &url).await;
    b.sync(&server, &url).await;
    let a_final = a.sync(&server, &url).await;
    let b_final = b.sync(&server, &url).await;

    assert_eq!(
        a_final.sorted_heads(),
        b_final.sorted_heads(),
        "{backend:?}"
    );
    assert_eq!(a_final.doc, b_final.doc, "{backend:?}");
    let person = &a_final.doc["person"];
    assert_eq!(
        person["address"], "12 Harbour Road",
        "A's field: {backend:?}"
    );
    assert_eq!(person["email"], "ana@example.org", "B's field: {backend:?}");
    assert!(
        person["legal_name"] == "Ana Alvarez" || person["legal_name"] == "Ana Alvares",
        "the concurrent edit resolves to one side's value, got {}: {backend:?}",
        person["legal_name"]
    );
    app.stop().await;
}

/// Issue 3: once a device has seen the server hold its heads, SIGKILL of the server loses none
/// of it: a fresh device finds every change after a restart on the same database.
async fn acknowledged_changes_survive_kill_9(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let url_for_server = db.url.clone();
    let server = tokio::task::spawn_blocking(move || ServerProcess::start(&url_for_server))
        .await
        .expect("start server");
    let a = StoredDevice::new();
    let url = a
        .create_offline(&intake("Kim Durable", &undated_possession()))
        .await;
    a.edit_offline(&url, &[("person.phone", json!("+1 202 555 0100"))])
        .await;
    let acknowledged = a.sync(&server.ws_url(), &url).await;

    server.kill9();
    let url_for_server = db.url.clone();
    let restarted = tokio::task::spawn_blocking(move || ServerProcess::start(&url_for_server))
        .await
        .expect("restart server");
    let found = fresh_device_finds(&restarted.ws_url(), &url).await;

    assert_eq!(
        found.sorted_heads(),
        acknowledged.sorted_heads(),
        "every acknowledged change survives kill -9: {backend:?}"
    );
    assert_eq!(found.doc, acknowledged.doc, "{backend:?}");
    assert_eq!(found.doc["person"]["phone"], "+1 202 555 0100");
    drop(restarted);
}

/// Issue 4: the device receives the server's determination, a new fact changes it, and a device
/// cannot write the determination itself.
async fn determination_follows_the_facts_and_only_the_server_writes_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let server = app.ws_url();
    let volunteer = StoredDevice::new();

    let url = volunteer
        .create_offline(&intake("Lee Undated", &undated_possession()))
        .await;
    let first = volunteer.sync_for_determination(&server, &url).await;
    assert_eq!(
        first.outcome(),
        "NEEDS_MORE_INFO",
        "{backend:?}: {}",
        first.doc
    );
    assert!(
        first.reason_codes().contains(&"MISSING_OFFENSE_DATE"),
        "{backend:?}: {:?}",
        first.reason_codes()
    );

    volunteer
        .edit_offline(&url, &[("offenses.0.offense_date", json!("2015-06-01"))])
        .await;
    let second = volunteer.sync_for_determination(&server, &url).await;
    assert_eq!(second.outcome(), "ELIGIBLE", "{backend:?}: {}", second.doc);
    assert_eq!(
        second.doc["determination"]["proclamations"],
        json!(["10467", "10688"]),
        "{backend:?}"
    );

    let url = volunteer
        .create_offline(&intake("Sam Distribution", &distribution()))
        .await;
    let served = volunteer.sync_for_determination(&server, &url).await;
    assert_eq!(
        served.outcome(),
        "NOT_ELIGIBLE",
        "{backend:?}: {}",
        served.doc
    );
    let tamper = node(
        "tamper.mjs",
        &[
            "--server",
            &server,
            "--url",
            &url,
            "--set",
            r#"determination.outcome="ELIGIBLE""#,
        ],
    )
    .await;
    let reader = fresh_device_finds(&server, &url).await;
    assert_eq!(
        reader.outcome(),
        "NOT_ELIGIBLE",
        "a device's own determination must not stick ({backend:?}); tamper result: {tamper}"
    );
    assert_eq!(
        reader.sorted_heads(),
        served.sorted_heads(),
        "the server holds nothing of the refused change ({backend:?}); tamper result: {tamper}"
    );
    app.stop().await;
}

/// Issue 3: asking for a document nobody has answers "unavailable" instead of waiting forever.
async fn unknown_document_is_unavailable(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = DocumentId::random().url();

    let found = fresh_device_find(&app.ws_url(), &url).await;

    assert!(
        matches!(found, Found::Unavailable),
        "{backend:?}: {found:?}"
    );
    app.stop().await;
}

/// Two volunteers' devices that wrote different dates for the same offense offline and synced:
/// the set-up of the conflict scenarios (API and dashboard).
pub(crate) struct ConflictCase {
    pub(crate) store: TestStore,
    pub(crate) supervisor: Account,
    pub(crate) admin: Account,
    pub(crate) ana: Account,
    pub(crate) ben: Account,
    pub(crate) a: StoredDevice,
    pub(crate) b: StoredDevice,
    pub(crate) a_server: String,
    pub(crate) b_server: String,
    pub(crate) url: String,
    pub(crate) doc: DocumentId,
}

/// Builds a [`ConflictCase`]: Ana creates the intake and syncs, Ben is assigned and syncs, both
/// set the offense date offline (2019-03-01 and 2019-04-01), both sync; checks that both
/// devices hold the provisional determination naming the conflicted field.
pub(crate) async fn conflicting_devices(app: &TestApp, backend: Backend) -> ConflictCase {
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Conflict clinic").await;
    let ana = store.account(clinic, Role::Volunteer).await;
    let ben = store.account(clinic, Role::Volunteer).await;
    let supervisor = store.account(clinic, Role::Supervisor).await;
    let admin = store.account(clinic, Role::Admin).await;
    let a_server = app.ws_url_for(&ana.device_token).await;
    let b_server = app.ws_url_for(&ben.device_token).await;
    let (a, b) = (StoredDevice::new(), StoredDevice::new());
    let url = a
        .create_offline(&intake("Rae Conflict", &undated_possession()))
        .await;
    let first = a.sync_for_determination(&a_server, &url).await;
    assert_eq!(first.outcome(), "NEEDS_MORE_INFO");
    let doc = DocumentId::from_url(&url).expect("an automerge: URL");
    store.assign(&doc, &ben.user_id).await;
    b.sync(&b_server, &url).await;

    a.edit_offline(&url, &[("offenses.0.offense_date", json!("2019-03-01"))])
        .await;
    b.edit_offline(&url, &[("offenses.0.offense_date", json!("2019-04-01"))])
        .await;
    a.sync(&a_server, &url).await;
    let b_merged = b.sync_for_determination(&b_server, &url).await;
    let a_merged = a.sync(&a_server, &url).await;
    assert_eq!(
        a_merged.sorted_heads(),
        b_merged.sorted_heads(),
        "{backend:?}"
    );
    for merged in [&a_merged, &b_merged] {
        let determination = &merged.doc["determination"];
        assert_eq!(
            determination["provisional"], true,
            "{backend:?}: {determination}"
        );
        assert_eq!(
            determination["open_conflicts"],
            json!(["offenses[0].offense_date"]),
            "{backend:?}"
        );
    }
    ConflictCase {
        store,
        supervisor,
        admin,
        ana,
        ben,
        a,
        b,
        a_server,
        b_server,
        url,
        doc,
    }
}

/// Issue 6: two volunteers' devices write different dates for the same offense offline and
/// sync; the supervisor API shows the conflict with both values and their devices, the
/// determination is provisional meanwhile; the supervisor's choice and the re-evaluated
/// determination reach both devices; a `needs_info` review reaches the volunteer's device.
async fn supervisor_resolves_a_conflict_and_the_devices_receive_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let ConflictCase {
        supervisor,
        ana,
        ben,
        a,
        b,
        a_server,
        b_server,
        url,
        doc,
        ..
    } = conflicting_devices(&app, backend).await;

    let sup = ApiUser::sign_in(&app, &supervisor).await;
    sup.wait_for("/cases?has_conflicts=true", |b| b["total"] == 1)
        .await;
    let (status, case) = sup.get(&format!("/cases/{doc}")).await;
    assert_eq!(status.as_u16(), 200, "{case}");
    assert_eq!(case["determination"]["provisional"], true);
    let conflict = &case["conflicts"][0];
    assert_eq!(conflict["path"], "offenses[0].offense_date", "{case}");
    assert_eq!(conflict["offense_id"], "offense-1");
    let values = conflict["values"].as_array().expect("values");
    let mut written: Vec<(String, String)> = values
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap_or_default().to_owned(),
                v["author"]["device_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    written.sort();
    assert_eq!(
        written,
        vec![
            ("2019-03-01".to_owned(), ana.device_id.to_string()),
            ("2019-04-01".to_owned(), ben.device_id.to_string()),
        ],
        "each value with the device that wrote it: {conflict}"
    );
    assert!(
        values.iter().all(|v| v["accepted_at"].is_string()),
        "{conflict}"
    );
    let chosen = values
        .iter()
        .find(|v| v["value"] == "2019-04-01")
        .expect("B's value");
    let seen: Vec<&Value> = values.iter().map(|v| &v["id"]).collect();
    let (status, resolved) = sup
        .post(
            &format!("/cases/{doc}/conflicts/resolve"),
            &json!({
                "path": "offenses[0].offense_date",
                "value_id": chosen["id"],
                "seen_value_ids": seen,
            }),
        )
        .await;
    assert_eq!(status.as_u16(), 200, "{resolved}");

    let a_resolved = a.sync_for_determination(&a_server, &url).await;
    let b_resolved = b.sync_for_determination(&b_server, &url).await;
    for resolved in [&a_resolved, &b_resolved] {
        assert_eq!(
            resolved.doc["offenses"][0]["offense_date"], "2019-04-01",
            "{backend:?}"
        );
        let determination = &resolved.doc["determination"];
        assert_eq!(
            determination["provisional"], false,
            "{backend:?}: {determination}"
        );
        assert_eq!(determination["open_conflicts"], json!([]), "{backend:?}");
        assert_eq!(resolved.outcome(), "ELIGIBLE", "{backend:?}");
    }
    assert_eq!(a_resolved.doc, b_resolved.doc, "{backend:?}");
    let (_, after) = sup.get(&format!("/cases/{doc}")).await;
    assert_eq!(after["conflicts"], json!([]), "{after}");
    sup.wait_for("/cases?has_conflicts=false&outcome=ELIGIBLE", |b| {
        b["total"] == 1
    })
    .await;

    let (status, reviewed) = sup
        .post(
            &format!("/cases/{doc}/review"),
            &json!({
                "decision": "needs_info",
                "message": "Please bring the judgment of conviction.",
                "fields": ["documents"],
            }),
        )
        .await;
    assert_eq!(status.as_u16(), 200, "{reviewed}");
    let on_device = a.sync(&a_server, &url).await;
    let review = &on_device.doc["review"];
    assert_eq!(review["decision"], "needs_info", "{backend:?}: {review}");
    assert_eq!(
        review["message"],
        "Please bring the judgment of conviction."
    );
    assert_eq!(review["fields"], json!(["documents"]));
    assert_eq!(review["reviewer"], supervisor.email.as_str());
    app.stop().await;
}

/// Issue 13: a release with new eligibility rules re-evaluates every stored intake by itself
/// (no operator command), and the new determination reaches the device that holds the intake.
async fn new_rules_reevaluate_stored_intakes_and_devices_receive_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let volunteer = StoredDevice::new();
    let url = volunteer
        .create_offline(&intake("Uma Upgrade", &undated_possession()))
        .await;
    let first = volunteer.sync_for_determination(&app.ws_url(), &url).await;
    assert_eq!(
        first.doc["determination"]["rules_version"],
        fieldclinic_eligibility::RULES_VERSION
    );
    let doc: DocumentId = url
        .strip_prefix("automerge:")
        .expect("automerge URL")
        .parse()
        .expect("document ID");
    let db = app.stop().await;

    // The database as the previous release left it.
    let store = TestStore::connect(&db.url).await;
    let old = "pardon-rules-2023-12-22.previous-release";
    store.age_determination(&doc, old).await;
    assert_eq!(store.rules_version(&doc).await.as_deref(), Some(old));

    let app = spawn_app_on(db).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while store.rules_version(&doc).await.as_deref() == Some(old) {
        assert!(
            std::time::Instant::now() < deadline,
            "{backend:?}: the stored intake was not re-evaluated after the upgrade"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let synced = volunteer.sync(&app.ws_url(), &url).await;
    assert_eq!(
        synced.doc["determination"]["rules_version"],
        fieldclinic_eligibility::RULES_VERSION,
        "{backend:?}: the device did not receive the re-evaluated determination"
    );
    assert_eq!(
        synced.doc["person"]["legal_name"], "Uma Upgrade",
        "{backend:?}"
    );
    app.stop().await;
}

/// One `#[tokio::test]` per scenario and backend, named `<scenario>::<backend>`, so a failure
/// names both and the backends run in parallel.
macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            use crate::helpers::Backend;

            #[tokio::test]
            async fn sqlite() {
                super::$scenario(Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$scenario(Backend::Postgres).await;
            }
        }
    )*};
}

on_every_backend!(
    offline_created_intake_reaches_a_fresh_device,
    concurrent_offline_edits_converge,
    acknowledged_changes_survive_kill_9,
    determination_follows_the_facts_and_only_the_server_writes_it,
    unknown_document_is_unavailable,
    supervisor_resolves_a_conflict_and_the_devices_receive_it,
    new_rules_reevaluate_stored_intakes_and_devices_receive_it,
);

/// A self-signed certificate for `localhost` and 127.0.0.1, made with the system's openssl.
fn self_signed_certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        // A leaf, not a CA: rustls refuses a CA certificate as the server's own.
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl must be installed");
    assert!(status.success(), "openssl could not make a certificate");
    (cert, key)
}

#[tokio::test]
async fn the_js_client_syncs_over_wss_with_a_ticket_and_a_self_signed_certificate() {
    let certs = tempfile::tempdir().expect("dir");
    let (cert, key) = self_signed_certificate(certs.path());
    let (c, k) = (cert.clone(), key.clone());
    let app = spawn_app_configured(Backend::Sqlite, move |s| {
        s.server.tls_cert = Some(c);
        s.server.tls_key = Some(k);
    })
    .await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("TLS clinic").await;
    let volunteer = store.account(clinic, Role::Volunteer).await;

    // The ticket comes from the API over HTTPS, trusting only this certificate.
    let pem = std::fs::read(&cert).expect("cert");
    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"))
        .build()
        .expect("client");
    let response = https
        .post(format!(
            "https://localhost:{}/api/v1/sync-tickets",
            app.port
        ))
        .bearer_auth(&volunteer.device_token)
        .send()
        .await
        .expect("ticket over https");
    assert_eq!(response.status().as_u16(), 201);
    let ticket: Value = response.json().await.expect("json");
    let server = format!(
        "wss://localhost:{}/sync?ticket={}",
        app.port,
        ticket["ticket"].as_str().expect("ticket")
    );
    let ca = cert.to_str().expect("utf-8 path");
    let env = [("NODE_EXTRA_CA_CERTS", ca)];

    let a = StoredDevice::new();
    let url = a
        .create_offline(&intake("Wss Client", &undated_possession()))
        .await;
    let pushed = node_env(
        "sync.mjs",
        &["--server", &server, "--storage", a.storage(), "--url", &url],
        &env,
    )
    .await;
    let found = node_env("sync.mjs", &["--server", &server, "--url", &url], &env).await;
    assert_eq!(found["state"], "ready", "{found}");
    assert_eq!(found["heads"], pushed["heads"]);
    assert_eq!(found["doc"]["person"]["legal_name"], "Wss Client");
    app.stop().await;
}
