//! The `fieldclinic` binary's command-line contracts other tools rely on.

use std::io::Write;
use std::process::{Command, Stdio};

use fieldclinic_loadtool::simulator::Device;

use crate::helpers::{Backend, TestApp, TestStore, binary_path, spawn_app};

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(binary_path())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fieldclinic");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn eligibility_check_answers_every_public_case_in_order() {
    let cases = include_str!("../../eligibility/tests/cases.json");
    let (code, stdout, stderr) = run(&["eligibility", "check", "-"], cases);
    assert_eq!(code, 0, "{stderr}");
    let results: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("a JSON array");
    let input: Vec<serde_json::Value> = serde_json::from_str(cases).expect("cases");
    assert_eq!(results.len(), input.len());
    for (r, c) in results.iter().zip(&input) {
        assert_eq!(r["id"], c["id"]);
        assert_eq!(r["outcome"], c["expected"]["outcome"], "case {}", c["id"]);
        assert_eq!(
            r["proclamations"], c["expected"]["proclamations"],
            "case {}",
            c["id"]
        );
    }
    let (code, table, _) = run(&["eligibility", "check", "--format", "table"], cases);
    assert_eq!(code, 0);
    assert!(table.contains("PC-001") && table.contains("ELIGIBLE"));
    // Each result explains each reason, and names the proclamation a reason concerns.
    for r in &results {
        let explanations = r["explanations"].as_array().expect("explanations");
        let codes: Vec<&serde_json::Value> = explanations.iter().map(|x| &x["code"]).collect();
        let reasons: Vec<&serde_json::Value> =
            r["reasons"].as_array().expect("reasons").iter().collect();
        assert_eq!(codes, reasons, "case {}", r["id"]);
        for x in explanations {
            assert!(x["text"].is_string() && x["rule"].is_string(), "{x}");
            assert!(x["proclamations"].is_array(), "{x}");
        }
    }
    let attempt = results
        .iter()
        .find(|r| r["id"] == "PC-108")
        .expect("PC-108 is a public case");
    let conflict = attempt["explanations"]
        .as_array()
        .expect("explanations")
        .iter()
        .find(|x| x["code"] == "CONFLICTING_CONDUCT")
        .expect("PC-108 explains CONFLICTING_CONDUCT");
    assert_eq!(conflict["proclamations"], serde_json::json!(["10467"]));
    assert!(conflict["question"].is_string());
    // The table prints the explanations under each case.
    assert!(
        table.contains("\n  COVERED_BY_10467 (COVERED, 10467): "),
        "{table}"
    );
}

#[test]
fn eligibility_check_reads_input_that_starts_with_a_byte_order_mark() {
    let (code, stdout, stderr) = run(&["eligibility", "check"], "\u{feff}[{\"id\": \"B-1\"}]");
    assert_eq!(code, 0, "{stderr}");
    let results: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("a JSON array");
    assert_eq!(results[0]["id"], "B-1");
    assert_eq!(results[0]["outcome"], "NEEDS_MORE_INFO");
}

#[test]
fn eligibility_check_reports_repeated_ids_and_every_malformed_case() {
    let (code, _, stderr) = run(
        &["eligibility", "check"],
        r#"[{"id": "PC-001"}, {"id": "PC-002"}, {"id": "PC-001"}]"#,
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains(r#"case at index 0 and case at index 2 both have id "PC-001""#),
        "{stderr}"
    );
    let bad = r#"[{"id": "X-1", "offenses": [{"offense_date": "2015-13-01"}]},
                  {"id": "X-2", "person": {"status_now": "citizen"}}]"#;
    let (code, _, stderr) = run(&["eligibility", "check"], bad);
    assert_eq!(code, 2);
    assert!(stderr.contains("2 problems"), "{stderr}");
    assert!(
        stderr.contains("X-1") && stderr.contains("offense_date"),
        "{stderr}"
    );
    assert!(
        stderr.contains("X-2") && stderr.contains("status_now"),
        "{stderr}"
    );
}

#[test]
fn malformed_eligibility_input_exits_2_naming_the_case_and_field() {
    let bad = r#"[{"id": "X-1", "person": {"status_now": "us_citizen"}, "offenses": [{"offense_date": "2015-13-01"}]}]"#;
    let (code, _, stderr) = run(&["eligibility", "check"], bad);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("X-1") && stderr.contains("offense_date"),
        "{stderr}"
    );
    let (code, _, _) = run(&["eligibility", "check"], "not json");
    assert_eq!(code, 2);
}

#[test]
fn schema_export_prints_the_intake_json_schema() {
    let (code, stdout, _) = run(&["schema", "export"], "");
    assert_eq!(code, 0);
    let schema: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert!(schema["properties"]["offenses"].is_object(), "{schema}");
    assert_eq!(schema["properties"]["schema_version"]["const"], 1);
}

#[tokio::test]
async fn reevaluate_walks_every_stored_intake_and_resumes_from_its_progress_file() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let ids = push_intakes(&app, "reevaluate", 3).await;
        let dir = tempfile::tempdir().expect("dir");
        let progress = dir.path().join("progress");
        // The server keeps running: re-evaluation is an ordinary merge.
        let reevaluate = || run_reevaluate(&app.db.url, &progress);
        // Every stored document is walked: the intakes and the test user's index document.
        let store = TestStore::connect(&app.db.url).await;
        let all = store.documents().await;
        assert!(ids.iter().all(|i| all.contains(i)));
        // An interrupted run left off after the first document (in the walk's byte order).
        std::fs::write(&progress, all[0].to_string()).expect("progress file");
        let (code, _, stderr) = reevaluate().await;
        assert_eq!(code, 0, "{backend:?}: {stderr}");
        let resumed = format!("{} intakes re-evaluated", all.len() - 1);
        assert!(stderr.contains(&resumed), "{backend:?} resumed: {stderr}");
        assert!(
            !progress.exists(),
            "a finished run leaves nothing to resume"
        );
        let (code, _, stderr) = reevaluate().await;
        assert_eq!(code, 0, "{backend:?}: {stderr}");
        let everything = format!("{} intakes re-evaluated", all.len());
        assert!(
            stderr.contains(&everything),
            "{backend:?} from the start: {stderr}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn admin_commands_set_up_a_clinic_and_a_cli_revocation_cuts_the_device_off() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let url = app.db.url.clone();
        let admin = |args: Vec<String>, stdin: &'static str| {
            let url = url.clone();
            tokio::task::spawn_blocking(move || {
                let mut all: Vec<&str> = vec!["admin"];
                all.extend(args.iter().map(String::as_str));
                all.extend(["--database-url", &url, "--json"]);
                run(&all, stdin)
            })
        };
        let (code, out, err) = admin(vec!["create-clinic".into(), "Eastside Clinic".into()], "")
            .await
            .expect("join");
        assert_eq!(code, 0, "{backend:?}: {err}");
        let clinic: serde_json::Value = serde_json::from_str(&out).expect("json");
        let clinic_id = clinic["clinic_id"].as_str().expect("clinic_id").to_owned();
        let create_user = vec![
            "create-user".into(),
            "--clinic".into(),
            clinic_id.clone(),
            "--email".into(),
            "vol@eastside.test".into(),
            "--role".into(),
            "volunteer".into(),
        ];
        let (code, out, err) = admin(create_user.clone(), "a long enough passphrase\n")
            .await
            .expect("join");
        assert_eq!(code, 0, "{backend:?}: {err}");
        assert!(
            serde_json::from_str::<serde_json::Value>(&out).expect("json")["user_id"].is_string()
        );
        let (code, _, err) = admin(create_user, "a long enough passphrase\n")
            .await
            .expect("join");
        assert_ne!(code, 0, "{backend:?}: a duplicate email is refused");
        assert!(err.contains("already exists"), "{err}");
        let (code, out, err) = admin(
            vec![
                "enroll-device".into(),
                "--clinic".into(),
                clinic_id,
                "--user".into(),
                "vol@eastside.test".into(),
                "--name".into(),
                "Tablet 3".into(),
            ],
            "",
        )
        .await
        .expect("join");
        assert_eq!(code, 0, "{backend:?}: {err}");
        let enrolled: serde_json::Value = serde_json::from_str(&out).expect("json");
        let token = enrolled["token"].as_str().expect("token").to_owned();
        let device_id = enrolled["device_id"]
            .as_str()
            .expect("device_id")
            .to_owned();
        assert!(
            enrolled["index_url"]
                .as_str()
                .expect("index_url")
                .starts_with("automerge:")
        );

        let mut d = Device::ephemeral("to-be-revoked").expect("device");
        d.connect(&app.ws_url_for(&token).await)
            .await
            .expect("connect");
        let (code, _, err) = admin(vec!["revoke-device".into(), device_id], "")
            .await
            .expect("join");
        assert_eq!(code, 0, "{backend:?}: {err}");
        // The running server learns of it from the database, within its poll interval.
        let closed = tokio::time::timeout(std::time::Duration::from_secs(15), async {
            while d.pump(std::time::Duration::from_millis(200)).await.is_ok() && d.is_connected() {}
        })
        .await;
        assert!(
            closed.is_ok(),
            "{backend:?}: the revoked device stayed connected"
        );
        let (code, out, _) = admin(vec!["audit".into()], "").await.expect("join");
        assert_eq!(code, 0);
        assert!(out.contains("device.revoked"), "{backend:?}: {out}");
        app.stop().await;
    }
}

#[tokio::test]
async fn reevaluate_brings_the_case_index_up_to_date_without_a_running_server() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let ids = push_intakes(&app, "reindex", 2).await;
        let db = app.stop().await;
        let store = TestStore::connect(&db.url).await;
        // The case index is derived data: lose it, as a crash before the projector ran would.
        store.forget_case_index().await;
        assert!(
            store.case(&ids[0]).await.is_none(),
            "{backend:?}: index emptied"
        );

        let dir = tempfile::tempdir().expect("dir");
        let (code, _, stderr) = run_reevaluate(&db.url, &dir.path().join("progress")).await;

        assert_eq!(code, 0, "{backend:?}: {stderr}");
        for id in &ids {
            let case = store.case(id).await;
            assert!(
                case.is_some(),
                "{backend:?}: {id} is back in the case index"
            );
        }
    }
}

/// Pushes `n` new intakes from a device named `name` until the server stores them.
async fn push_intakes(app: &TestApp, name: &str, n: usize) -> Vec<fieldclinic_schema::DocumentId> {
    let mut d = Device::ephemeral(name).expect("device");
    let ids: Vec<_> = (0..n)
        .map(|i| {
            let mut intake = fieldclinic_schema::Intake::new();
            intake.person.legal_name = Some(format!("Client {i}"));
            d.create_intake(&intake).expect("intake")
        })
        .collect();
    d.connect(&app.ws_url()).await.expect("connect");
    d.sync(&ids).await.expect("stored");
    d.disconnect().await;
    ids
}

/// `fieldclinic eligibility reevaluate --quiet` on `database_url`: exit code, stdout, stderr.
async fn run_reevaluate(database_url: &str, progress: &std::path::Path) -> (i32, String, String) {
    let url = database_url.to_owned();
    let progress = progress.display().to_string();
    tokio::task::spawn_blocking(move || {
        run(
            &[
                "eligibility",
                "reevaluate",
                "--database-url",
                &url,
                "--progress-file",
                &progress,
                "--quiet",
            ],
            "",
        )
    })
    .await
    .expect("join")
}
