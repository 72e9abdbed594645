//! Issue 6: the review API over real devices (the Rust simulator here; the JS client in
//! `js_interop.rs`): the case index and its filters, duplicate people, exports, packets, access,
//! and the OpenAPI document against the routes.

use std::time::Duration;

use fieldclinic_loadtool::simulator::{Device, FindOutcome};
use fieldclinic_schema::{DocumentId, Intake, Offense, Person};
use fieldclinic_stores::accounts::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Account, Backend, TestApp, TestStore, spawn_app};

/// How long the case index may take to reflect a change before a test gives up. The projector
/// writes within a fraction of a second; this only bounds a broken server.
const INDEX_DEADLINE: Duration = Duration::from_secs(20);

/// A signed-in supervisor (or anyone) calling the API with a session token.
pub(crate) struct ApiUser {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl ApiUser {
    /// Signs `who` in with their email and password.
    pub(crate) async fn sign_in(app: &TestApp, who: &Account) -> Self {
        let response = app
            .client
            .post(format!("{}/api/v1/sessions", app.address))
            .json(&json!({ "email": who.email, "password": who.password }))
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("session json");
        Self {
            client: app.client.clone(),
            base: format!("{}/api/v1", app.address),
            token: body["token"].as_str().expect("token").to_owned(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn get_text(&self, path: &str) -> (StatusCode, String, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, content_type, response.text().await.expect("body"))
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("POST");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Polls `GET path` until `ready` holds for the answer; panics past [`INDEX_DEADLINE`].
    pub(crate) async fn wait_for(&self, path: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + INDEX_DEADLINE;
        loop {
            let (status, body) = self.get(path).await;
            assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
            if ready(&body) {
                return body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "GET {path} never satisfied the condition; last answer: {body}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn person(name: &str, dob: Option<&str>) -> Intake {
    Intake {
        person: Person {
            legal_name: Some(name.to_owned()),
            date_of_birth: dob.map(str::to_owned),
            status_now: Some("us_citizen".into()),
            citizen_or_lpr_since: Some("birth".into()),
            status_at_offense: Some("us_citizen".into()),
            ..Person::default()
        },
        ..Intake::new()
    }
}

/// Federal simple possession of marijuana in 2015, convicted: eligible under both proclamations.
fn possession(docket: Option<&str>) -> Offense {
    Offense {
        id: Some(uuid::Uuid::new_v4().to_string()),
        citation: Some("21 U.S.C. 844".into()),
        substance: Some("marijuana".into()),
        conduct: Some("possession".into()),
        offense_date: Some("2015-06-01".into()),
        disposition: Some("convicted".into()),
        disposition_date: Some("2015-09-01".into()),
        jurisdiction: Some("federal".into()),
        docket_number: docket.map(str::to_owned),
        ..Offense::default()
    }
}

/// Distribution: outside both proclamations.
fn distribution() -> Offense {
    Offense {
        citation: Some("21 U.S.C. 841".into()),
        conduct: Some("distribution".into()),
        ..possession(None)
    }
}

/// Pushes `intake` from a new device of `who`; returns the intake's ID.
async fn push(app: &TestApp, who: &Account, intake: &Intake) -> DocumentId {
    let mut d =
        Device::persistent(&format!("device-{}", uuid::Uuid::new_v4().simple())).expect("device");
    let id = d.create_intake(intake).expect("intake");
    d.connect(&app.ws_url_for(&who.device_token).await)
        .await
        .expect("connect");
    d.sync(&[id]).await.expect("stored");
    d.disconnect().await;
    id
}

/// What a fresh device of `who` reads of `doc` from the server.
async fn fetch(app: &TestApp, who: &Account, doc: DocumentId) -> Intake {
    let mut d = Device::ephemeral("reader").expect("device");
    d.connect(&app.ws_url_for(&who.device_token).await)
        .await
        .expect("connect");
    assert!(matches!(
        d.find(doc).await.expect("find"),
        FindOutcome::Found { .. }
    ));
    d.intake(&doc).expect("intake")
}

struct Clinic {
    store: TestStore,
    volunteer: Account,
    colleague: Account,
    supervisor: Account,
}

async fn clinic(app: &TestApp) -> Clinic {
    let store = TestStore::connect(&app.db.url).await;
    let id = store.clinic("Review clinic").await;
    let volunteer = store.account(id, Role::Volunteer).await;
    let colleague = store.account(id, Role::Volunteer).await;
    let supervisor = store.account(id, Role::Supervisor).await;
    Clinic {
        store,
        volunteer,
        colleague,
        supervisor,
    }
}

fn pair_of(duplicates: &Value) -> Vec<(String, String)> {
    duplicates["duplicates"]
        .as_array()
        .expect("duplicates")
        .iter()
        .map(|d| {
            let mut docs = [
                d["documents"][0].as_str().unwrap_or_default().to_owned(),
                d["documents"][1].as_str().unwrap_or_default().to_owned(),
            ];
            docs.sort();
            (docs[0].clone(), docs[1].clone())
        })
        .collect()
}

fn sorted_pair(a: DocumentId, b: DocumentId) -> (String, String) {
    let mut docs = [a.to_string(), b.to_string()];
    docs.sort();
    (docs[0].clone(), docs[1].clone())
}

#[tokio::test]
async fn the_same_person_from_two_devices_is_a_candidate_and_namesakes_are_not() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let c = clinic(&app).await;
        let sup = ApiUser::sign_in(&app, &c.supervisor).await;

        // Two different people who share a name but not a date of birth.
        let smith_1 = push(
            &app,
            &c.volunteer,
            &person("John Smith", Some("1980-01-01")),
        )
        .await;
        let smith_2 = push(
            &app,
            &c.colleague,
            &person("John Smith", Some("1975-05-05")),
        )
        .await;
        sup.wait_for("/cases?q=john%20smith", |b| b["total"] == 2)
            .await;

        // One person, entered on two devices with different spelling and formatting.
        let mut first = person("María José García-López", Some("1985-03-07"));
        first.offenses = vec![possession(Some("1:19-cr-00123"))];
        let mut second = person("GARCIA LOPEZ, Maria Jose", Some("03/07/1985"));
        second.offenses = vec![possession(Some("1 19 CR 00123"))];
        let maria_1 = push(&app, &c.volunteer, &first).await;
        let maria_2 = push(&app, &c.colleague, &second).await;

        let found = sup
            .wait_for("/duplicates", |b| {
                pair_of(b).contains(&sorted_pair(maria_1, maria_2))
            })
            .await;
        let pairs = pair_of(&found);
        assert_eq!(
            pairs,
            vec![sorted_pair(maria_1, maria_2)],
            "{backend:?}: {found}"
        );
        let candidate = &found["duplicates"][0];
        let reasons: Vec<&str> = candidate["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(reasons.contains(&"same_date_of_birth"), "{reasons:?}");
        assert!(reasons.contains(&"shared_docket_number"), "{reasons:?}");
        let score = candidate["score"].as_f64().expect("score");
        assert!((0.0..=1.0).contains(&score));
        assert_eq!(candidate["cases"].as_array().map(Vec::len), Some(2));
        assert!(!pairs.contains(&sorted_pair(smith_1, smith_2)));

        // The case page lists the candidate too.
        let (_, case) = sup.get(&format!("/cases/{maria_1}")).await;
        assert_eq!(
            case["duplicates"][0]["other_document_id"],
            maria_2.to_string()
        );

        // Linking writes the link into both documents; nothing is deleted.
        let (status, decided) = sup
            .post(
                "/duplicates/decision",
                &json!({ "documents": [maria_1, maria_2], "decision": "linked" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{decided}");
        assert_eq!(decided["status"], "linked");
        let seen_by_volunteer = fetch(&app, &c.volunteer, maria_1).await;
        let links = seen_by_volunteer
            .server
            .expect("server section")
            .same_person;
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].document_url, maria_2.url());
        assert_eq!(
            links[0].linked_by.as_deref(),
            Some(c.supervisor.email.as_str())
        );
        let seen_by_colleague = fetch(&app, &c.colleague, maria_2).await;
        assert_eq!(
            seen_by_colleague
                .server
                .expect("server section")
                .same_person[0]
                .document_url,
            maria_1.url()
        );
        assert_eq!(
            seen_by_colleague.person.legal_name.as_deref(),
            Some("GARCIA LOPEZ, Maria Jose")
        );
        let open = sup.get("/duplicates").await.1;
        assert!(pair_of(&open).is_empty(), "{open}");
        let linked = sup.get("/duplicates?status=linked").await.1;
        assert_eq!(pair_of(&linked), vec![sorted_pair(maria_1, maria_2)]);

        // Dismissing a pair that is not a candidate is 404.
        let (status, _) = sup
            .post(
                "/duplicates/decision",
                &json!({ "documents": [smith_1, smith_2], "decision": "dismissed" }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        drop(c.store);
        app.stop().await;
    }
}

#[tokio::test]
async fn the_caseload_filters_sorts_pages_exports_and_builds_packets() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let c = clinic(&app).await;
        let sup = ApiUser::sign_in(&app, &c.supervisor).await;

        let mut eligible = person("=Ana Diaz, Jr", Some("1990-02-03"));
        eligible.offenses = vec![possession(Some("1:15-cr-1"))];
        let mut not_eligible = person("Bo Chen", Some("1970-01-01"));
        not_eligible.offenses = vec![distribution()];
        let unknown = person("Cy <script>alert(1)</script>", None);
        let ana = push(&app, &c.volunteer, &eligible).await;
        let bo = push(&app, &c.colleague, &not_eligible).await;
        let cy = push(&app, &c.colleague, &unknown).await;
        let all = sup
            .wait_for("/cases?sort=name", |b| {
                b["total"] == 3
                    && b["cases"]
                        .as_array()
                        .is_some_and(|c| c.iter().all(|c| !c["outcome"].is_null()))
            })
            .await;
        let names: Vec<&str> = all["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter_map(|c| c["legal_name"].as_str())
            .collect();
        assert_eq!(
            names,
            vec!["=Ana Diaz, Jr", "Bo Chen", "Cy <script>alert(1)</script>"]
        );
        assert_eq!(all["counts"]["total"], 3);
        assert_eq!(all["counts"]["by_outcome"]["ELIGIBLE"], 1);
        assert_eq!(all["counts"]["by_outcome"]["NOT_ELIGIBLE"], 1);
        assert_eq!(all["counts"]["by_review_state"]["none"], 3);
        assert_eq!(
            all["cases"][0]["volunteer_email"],
            c.volunteer.email.as_str()
        );

        let ids = |b: &Value| -> Vec<String> {
            b["cases"]
                .as_array()
                .expect("cases")
                .iter()
                .map(|c| c["document_id"].as_str().unwrap_or_default().to_owned())
                .collect()
        };
        let eligible_only = sup.get("/cases?outcome=ELIGIBLE").await.1;
        assert_eq!(ids(&eligible_only), vec![ana.to_string()]);
        let by_colleague = sup
            .get(&format!(
                "/cases?volunteer={}&sort=name&order=desc",
                c.colleague.user_id
            ))
            .await
            .1;
        assert_eq!(ids(&by_colleague), vec![cy.to_string(), bo.to_string()]);
        let searched = sup.get("/cases?q=CHEN").await.1;
        assert_eq!(ids(&searched), vec![bo.to_string()]);
        let paged = sup.get("/cases?sort=name&limit=1&offset=1").await.1;
        assert_eq!(
            (ids(&paged), paged["total"].clone()),
            (vec![bo.to_string()], json!(3))
        );
        let future = sup.get("/cases?updated_since=2999-01-01T00:00:00Z").await.1;
        assert_eq!(future["total"], 0);
        let none_conflicted = sup.get("/cases?has_conflicts=true").await.1;
        assert_eq!(none_conflicted["total"], 0);
        for bad in [
            "/cases?outcome=MAYBE",
            "/cases?sort=shoe_size",
            "/cases?limit=0",
            "/cases?updated_since=yesterday",
            "/cases?volunteer=not-a-uuid",
            "/cases?colour=red",
        ] {
            let (status, body) = sup.get(bad).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert!(body["reason"].is_string(), "{bad}: {body}");
        }

        // CSV: a header and one row per case; a formula-looking name is neutralised.
        let (status, content_type, csv) = sup.get_text("/cases/export.csv?sort=name").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4, "{csv}");
        assert!(lines[0].starts_with("document_id,legal_name,"));
        assert!(
            lines[1].starts_with(&format!("{ana},\"'=Ana Diaz, Jr\",")),
            "{}",
            lines[1]
        );
        let (_, _, only_eligible) = sup.get_text("/cases/export.csv?outcome=ELIGIBLE").await;
        assert_eq!(only_eligible.lines().count(), 2);

        // Packets: eligible cases only, as JSON and as a printable page.
        let (status, packet) = sup.get(&format!("/cases/{ana}/packet")).await;
        assert_eq!(status, StatusCode::OK, "{packet}");
        assert_eq!(packet["document_id"], ana.to_string());
        assert_eq!(packet["offenses"].as_array().map(Vec::len), Some(1));
        assert!(packet["missing_items"].is_array());
        let (status, body) = sup.get(&format!("/cases/{bo}/packet")).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, content_type, html) = sup.get_text(&format!("/cases/{ana}/packet.html")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/html"));
        assert!(
            html.contains("=Ana Diaz, Jr") && html.contains("<h1"),
            "{html}"
        );
        drop(c.store);
        app.stop().await;
    }
}

#[tokio::test]
async fn only_supervisors_of_the_clinic_reach_the_review_api() {
    let app = spawn_app(Backend::Sqlite).await;
    let c = clinic(&app).await;
    let doc = push(
        &app,
        &c.volunteer,
        &person("Dee Access", Some("1980-01-01")),
    )
    .await;
    let sup = ApiUser::sign_in(&app, &c.supervisor).await;
    sup.wait_for("/cases", |b| b["total"] == 1).await;

    let volunteer = ApiUser::sign_in(&app, &c.volunteer).await;
    for path in [
        "/cases".to_owned(),
        format!("/cases/{doc}"),
        "/duplicates".to_owned(),
    ] {
        assert_eq!(
            volunteer.get(&path).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let (status, _) = volunteer
        .post(
            &format!("/cases/{doc}/review"),
            &json!({ "decision": "approved" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let other = c.store.clinic("Another clinic").await;
    let outsider = c.store.account(other, Role::Supervisor).await;
    let outsider = ApiUser::sign_in(&app, &outsider).await;
    assert_eq!(
        outsider.get(&format!("/cases/{doc}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = outsider.get("/cases").await;
    assert_eq!((status, body["total"].clone()), (StatusCode::OK, json!(0)));
    let (status, _) = outsider
        .post(
            &format!("/cases/{doc}/review"),
            &json!({ "decision": "approved" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let anonymous = app
        .client
        .get(format!("{}/api/v1/cases", app.address))
        .send()
        .await
        .expect("GET");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // Bad review bodies are refused with a reason and change nothing.
    for body in [
        json!({ "decision": "maybe" }),
        json!({ "decision": "needs_info" }),
        json!({ "decision": "approved", "extra": 1 }),
        json!({ "decision": "approved", "message": "x".repeat(5000) }),
    ] {
        let (status, answer) = sup.post(&format!("/cases/{doc}/review"), &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(answer["reason"].is_string());
    }
    let (status, answer) = sup
        .post(
            &format!("/cases/{doc}/conflicts/resolve"),
            &json!({ "path": "person.legal_name", "value": "Dee" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "no open conflict: {answer}");
    assert_eq!(fetch(&app, &c.volunteer, doc).await.review, None);

    // A review is written into the document and recorded with its author.
    let (status, answer) = sup
        .post(
            &format!("/cases/{doc}/review"),
            &json!({ "decision": "approved" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let review = fetch(&app, &c.volunteer, doc).await.review.expect("review");
    assert_eq!(review.decision, "approved");
    assert_eq!(
        review.reviewer.as_deref(),
        Some(c.supervisor.email.as_str())
    );
    let (_, case) = sup.get(&format!("/cases/{doc}")).await;
    let by_supervisor = case["history"]
        .as_array()
        .expect("history")
        .iter()
        .any(|h| h["author"] == json!({ "kind": "user", "user_id": c.supervisor.user_id }));
    assert!(by_supervisor, "{}", case["history"]);
    sup.wait_for("/cases?review_state=approved", |b| b["total"] == 1)
        .await;
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_registered_route() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .expect("GET openapi");
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");

    let mut described = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().expect("path item").keys() {
            described.push((method.clone(), path.clone()));
        }
    }
    let mut registered: Vec<(String, String)> = fieldclinic_server::routes::API_ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), format!("/api/v1{p}")))
        .collect();
    described.sort();
    registered.sort();
    assert_eq!(described, registered);

    // And each described route is really served: without credentials every one answers with
    // the API's JSON (401, or 400 for a missing body), never the router's empty 404.
    let id = DocumentId::random().to_string();
    for (method, path) in &described {
        let url = format!("{}{}", app.address, path.replace("{id}", &id));
        let request = match method.as_str() {
            "get" => app.client.get(&url),
            "post" => app.client.post(&url),
            "delete" => app.client.delete(&url),
            other => panic!("unexpected method {other}"),
        };
        let response = request.send().await.expect("request");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(
            body.is_object() && status != StatusCode::NOT_FOUND,
            "{method} {path} answered {status} {body}"
        );
    }
    app.stop().await;
}
