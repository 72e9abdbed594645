//! Issue 14: the volunteers' intake app (`/app/`) in headless Chromium (`tests/browser/app.mjs`):
//! enrollment, PIN, an intake recorded on a 360 px phone, its determination back on the device,
//! offline start from the service worker, a supervisor's request for more information, and the
//! wipe after revocation. Then the server must hold what the browser typed, offline edit included,
//! and the device must be revoked.

use std::path::Path;
use std::time::Duration;

use fieldclinic_schema::DocumentId;
use fieldclinic_stores::accounts::Role;

use serde_json::json;

use crate::helpers::{Backend, TestStore, spawn_app};
use crate::js_interop::{StoredDevice, intake, run_node, undated_possession};

/// The whole scenario may take this long: Chromium, PBKDF2 at 600,000 iterations twice, sync
/// rounds and the eligibility write-back, an offline restart, a revocation.
const BROWSER_DEADLINE: Duration = Duration::from_secs(240);

#[tokio::test]
async fn a_volunteer_records_an_intake_offline_first_and_a_revoked_device_is_wiped() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Eastside legal aid").await;
    let volunteer = store.account(clinic, Role::Volunteer).await;
    let supervisor = store.account(clinic, Role::Supervisor).await;
    let admin = store.account(clinic, Role::Admin).await;

    // A colleague's intake, assigned to this volunteer: it must be listed in the app (from the
    // volunteer's index document, which the server updates at the intake's next change) and open
    // over the network.
    let colleague = store.account(clinic, Role::Volunteer).await;
    let colleague_server = app.ws_url_for(&colleague.device_token).await;
    let device = StoredDevice::new();
    let assigned_url = device
        .create_offline(&intake("Assigned Client", &undated_possession()))
        .await;
    device.sync(&colleague_server, &assigned_url).await;
    let assigned = DocumentId::from_url(&assigned_url).expect("an automerge: URL");
    store.assign(&assigned, &volunteer.user_id).await;
    device
        .edit_offline(
            &assigned_url,
            &[("notes", json!("assigned to a colleague"))],
        )
        .await;
    device.sync(&colleague_server, &assigned_url).await;

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    let device_id = volunteer.device_id.to_string();
    let result = run_node(
        &dir,
        "app.mjs",
        &[
            "--base",
            &app.address,
            "--device-token",
            &volunteer.device_token,
            "--device-id",
            &device_id,
            "--supervisor-email",
            &supervisor.email,
            "--supervisor-password",
            &supervisor.password,
            "--admin-email",
            &admin.email,
            "--admin-password",
            &admin.password,
            "--timeout-ms",
            "220000",
        ],
        &[],
        BROWSER_DEADLINE,
    )
    .await;

    let doc: DocumentId = result["documentId"]
        .as_str()
        .expect("documentId")
        .parse()
        .expect("a document ID");
    let intake = fieldclinic_schema::read_intake(&store.document(&doc).await).expect("an intake");
    assert_eq!(intake.person.legal_name.as_deref(), Some("Maria Example"));
    assert_eq!(intake.person.citizen_or_lpr_since.as_deref(), Some("birth"));
    assert_eq!(
        intake.person.address.as_deref(),
        Some("12 Elm Street, Springfield"),
        "the edit made offline reached the server"
    );
    assert_eq!(intake.offenses.len(), 1);
    assert_eq!(
        intake.offenses[0].offense_date.as_deref(),
        Some("2021-05-01")
    );
    assert!(
        fieldclinic_schema::validate(&intake).is_empty(),
        "the app wrote a valid intake: {:?}",
        fieldclinic_schema::validate(&intake)
    );
    assert_eq!(
        intake.determination.map(|d| d.outcome).as_deref(),
        Some("ELIGIBLE")
    );
    let refused = app
        .client
        .post(format!("{}/api/v1/sync-tickets", app.address))
        .bearer_auth(&volunteer.device_token)
        .send()
        .await
        .expect("ticket request");
    assert_eq!(refused.status().as_u16(), 401);
    let body: serde_json::Value = refused.json().await.expect("JSON");
    assert_eq!(body["revoked"], true, "{body}");
    drop(store);
    app.stop().await;
}

#[tokio::test]
async fn the_app_is_served_with_its_own_policy_and_caching() {
    let app = spawn_app(Backend::Sqlite).await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{}/app", app.address))
        .send()
        .await
        .expect("GET /app");
    assert_eq!(redirect.status().as_u16(), 308);
    assert_eq!(redirect.headers()["location"], "/app/");

    let page = get("/app/").await.expect("GET /app/");
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("CSP")
        .to_owned();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    let etag = page.headers()["etag"].clone();
    let html = page.text().await.expect("body");
    let wasm_free_js = html
        .split('"')
        .find(|s| s.starts_with("/app/assets/app-") && s.ends_with(".js"))
        .expect("the page loads its hashed script")
        .to_owned();
    let again = app
        .client
        .get(format!("{}/app/", app.address))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("conditional GET");
    assert_eq!(again.status().as_u16(), 304);

    let script = get(&wasm_free_js).await.expect("script");
    assert_eq!(
        script.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let worker = get("/app/sw.js").await.expect("service worker");
    assert_eq!(worker.status().as_u16(), 200);
    let worker = worker.text().await.expect("worker body");
    let wasm = worker
        .split('"')
        .find(|s| s.starts_with("/app/assets/automerge-") && s.ends_with(".wasm"))
        .expect("the worker precaches automerge.wasm")
        .to_owned();
    let wasm = get(&wasm).await.expect("wasm");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert!(wasm.bytes().await.expect("bytes").starts_with(b"\0asm"));

    let missing = get("/app/assets/nothing.js").await.expect("missing");
    assert_eq!(missing.status().as_u16(), 404);
    let dashboard = get("/login").await.expect("dashboard");
    let dashboard_csp = dashboard.headers()["content-security-policy"]
        .to_str()
        .expect("CSP");
    assert!(
        !dashboard_csp.contains("wasm-unsafe-eval"),
        "only /app/ may run wasm: {dashboard_csp}"
    );
    app.stop().await;
}

/// The app's encrypted IndexedDB storage on its own (`tests/browser/app_storage.mjs`): key and
/// PIN handling, no plaintext on disk, prefix ranges, every call settling when a transaction
/// aborts or the browser closes the connection, and a real automerge-repo `Repo` over it.
#[tokio::test]
async fn the_apps_encrypted_storage_keeps_nothing_readable_and_always_settles() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    let result = run_node(
        &dir,
        "app_storage.mjs",
        &["--timeout-ms", "150000"],
        &[],
        Duration::from_secs(180),
    )
    .await;
    assert_eq!(result["iterations"], 600_000, "{result}");
    assert!(
        result["steps"].as_array().is_some_and(|s| s.len() >= 15),
        "every step ran: {result}"
    );
}
