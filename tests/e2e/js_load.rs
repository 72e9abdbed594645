//! Issue 17: a clinic day's device comes back online with a thousand intakes, on the real JS
//! client. Every intake must be acknowledged (the server's heads equal the device's) and then
//! found whole by a fresh device: none stalled by a message the client rejects, none given up as
//! unavailable because the server was busy. The counts are the assertion, never the timings
//! (those are `fieldclinic-side-by-side`'s business).

use std::time::Duration;

use serde::Deserialize;

use crate::helpers::{Backend, TestStore, spawn_app};
use crate::js_interop::run_node_in_js_dir;

const INTAKES: u32 = 1000;
const OFFENSES: u32 = 5;
/// Generous: a debug build on a busy two-core CI machine, two phases.
const DEADLINE: Duration = Duration::from_secs(900);

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bulk {
    intakes: u32,
    acknowledged: u32,
    found: u32,
    unavailable: u32,
    client_error_count: u32,
    client_errors: Vec<String>,
    server_errors: Vec<String>,
}

async fn a_thousand_intakes_are_all_acknowledged_and_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let phase_ms = (DEADLINE.as_millis() / 2 - 30_000).to_string();
    let result = run_node_in_js_dir(
        "bulk.mjs",
        &[
            "--server",
            &app.ws_url(),
            "--intakes",
            &INTAKES.to_string(),
            "--offenses",
            &OFFENSES.to_string(),
            "--phase-ms",
            &phase_ms,
            "--timeout-ms",
            &(DEADLINE.as_millis() - 10_000).to_string(),
        ],
        DEADLINE,
    )
    .await;
    let bulk: Bulk = serde_json::from_value(result.clone()).expect("bulk.mjs result");
    assert_eq!(bulk.intakes, INTAKES);
    assert!(
        bulk.client_error_count == 0 && bulk.server_errors.is_empty(),
        "{backend:?}: the client reported errors: {:?}, the server sent: {:?}",
        bulk.client_errors,
        bulk.server_errors
    );
    assert_eq!(
        bulk.acknowledged, INTAKES,
        "{backend:?}: intakes never acknowledged: {result}"
    );
    assert_eq!(
        (bulk.found, bulk.unavailable),
        (INTAKES, 0),
        "{backend:?}: intakes a fresh device did not find: {result}"
    );
    let stored = TestStore::connect(&app.db.url).await.documents().await;
    // Every intake, plus the volunteer's index document.
    assert!(
        stored.len() > INTAKES as usize,
        "{backend:?}: the store holds {} documents",
        stored.len()
    );
    app.stop().await;
}

mod a_thousand_intakes {
    use crate::helpers::Backend;

    #[tokio::test]
    async fn sqlite() {
        super::a_thousand_intakes_are_all_acknowledged_and_found(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::a_thousand_intakes_are_all_acknowledged_and_found(Backend::Postgres).await;
    }
}
