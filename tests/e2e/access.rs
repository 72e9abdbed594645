//! Tenancy and roles, enforced on the sync socket and the API, on both backends: the access
//! matrix of issue 5, plus refused credentials and revocation.

use std::time::Duration;

use fieldclinic_loadtool::simulator::{Device, FindOutcome, SimulatorError};
use fieldclinic_schema::{DocumentId, Intake};
use fieldclinic_stores::accounts::Role;

use crate::helpers::{Account, Backend, TestApp, TestStore, spawn_app};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Own,
    Colleague,
    OtherClinic,
    Unknown,
}

fn expected(role: Role, target: Target) -> bool {
    match (role, target) {
        (_, Target::Own) => true,
        (Role::Volunteer, Target::Colleague) => false,
        (Role::Supervisor | Role::Admin, Target::Colleague) => true,
        (_, Target::OtherClinic | Target::Unknown) => false,
    }
}

fn intake(name: &str) -> Intake {
    let mut i = Intake::new();
    i.person.legal_name = Some(name.to_owned());
    i
}

/// Creates an intake on `who`'s device and pushes it; returns the device (holding the copy).
async fn push_intake(app: &TestApp, who: &Account, name: &str) -> (Device, DocumentId) {
    let mut d =
        Device::persistent(&format!("creator-{}", uuid::Uuid::new_v4().simple())).expect("device");
    let id = d.create_intake(&intake(name)).expect("intake");
    d.connect(&app.ws_url_for(&who.device_token).await)
        .await
        .expect("connect");
    d.sync(&[id]).await.expect("stored");
    (d, id)
}

async fn can_read(app: &TestApp, who: &Account, doc: DocumentId) -> bool {
    let mut d =
        Device::ephemeral(&format!("reader-{}", uuid::Uuid::new_v4().simple())).expect("device");
    d.connect(&app.ws_url_for(&who.device_token).await)
        .await
        .expect("connect");
    matches!(
        d.find(doc).await.expect("find answered"),
        FindOutcome::Found { .. }
    )
}

/// Pushes an edit to a copy of `doc` (taken from `source`) with `who`'s device; returns whether
/// the server stored it.
async fn can_write(
    app: &TestApp,
    store: &TestStore,
    who: &Account,
    source: &Device,
    doc: DocumentId,
) -> bool {
    let mut d =
        Device::ephemeral(&format!("writer-{}", uuid::Uuid::new_v4().simple())).expect("device");
    let copy = source
        .document(&doc)
        .expect("source holds the document")
        .doc()
        .clone();
    d.insert_document(doc, copy);
    d.edit_intake(&doc, |i| i.notes = Some(format!("edited by {}", who.email)))
        .expect("edit");
    let before = store.heads(&doc).await;
    d.connect(&app.ws_url_for(&who.device_token).await)
        .await
        .expect("connect");
    match d.sync(&[doc]).await {
        Ok(_) => true,
        Err(SimulatorError::Unavailable(_)) => {
            assert_eq!(
                store.heads(&doc).await,
                before,
                "a refused write changed the stored document"
            );
            false
        }
        Err(e) => panic!("unexpected sync failure: {e}"),
    }
}

async fn can_api_read(app: &TestApp, who: &Account, doc: DocumentId) -> bool {
    let r = app
        .client
        .get(format!("{}/api/v1/documents/{doc}", app.address))
        .bearer_auth(&who.device_token)
        .send()
        .await
        .expect("api request");
    match r.status().as_u16() {
        200 => true,
        404 => false,
        s => panic!("unexpected status {s}"),
    }
}

#[tokio::test]
async fn the_access_matrix_holds_on_sync_and_api() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let store = TestStore::connect(&app.db.url).await;
        let clinic_a = store.clinic("Clinic A").await;
        let clinic_b = store.clinic("Clinic B").await;
        let colleague = store.account(clinic_a, Role::Volunteer).await;
        let outsider = store.account(clinic_b, Role::Supervisor).await;
        let (colleague_dev, colleague_doc) =
            push_intake(&app, &colleague, "Colleague's client").await;
        let (outsider_dev, other_doc) = push_intake(&app, &outsider, "Other clinic's client").await;

        for role in [Role::Volunteer, Role::Supervisor, Role::Admin] {
            let me = store.account(clinic_a, role).await;
            let (own_dev, own_doc) = push_intake(&app, &me, "Own client").await;
            for target in [
                Target::Own,
                Target::Colleague,
                Target::OtherClinic,
                Target::Unknown,
            ] {
                let (source, doc) = match target {
                    Target::Own => (&own_dev, own_doc),
                    Target::Colleague => (&colleague_dev, colleague_doc),
                    Target::OtherClinic => (&outsider_dev, other_doc),
                    Target::Unknown => (&own_dev, DocumentId::random()),
                };
                let want = expected(role, target);
                let case = format!("{backend:?} {role:?} {target:?}");
                assert_eq!(can_read(&app, &me, doc).await, want, "sync read: {case}");
                assert_eq!(can_api_read(&app, &me, doc).await, want, "API read: {case}");
                if target != Target::Unknown {
                    assert_eq!(
                        can_write(&app, &store, &me, source, doc).await,
                        want,
                        "sync write: {case}"
                    );
                }
            }
        }
        // An assignment opens a colleague's intake to a volunteer.
        let assigned = store.account(clinic_a, Role::Volunteer).await;
        assert!(!can_read(&app, &assigned, colleague_doc).await);
        store.assign(&colleague_doc, &assigned.user_id).await;
        assert!(
            can_read(&app, &assigned, colleague_doc).await,
            "{backend:?}: assignment"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn missing_expired_revoked_and_forged_credentials_are_refused_before_the_upgrade() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let store = TestStore::connect(&app.db.url).await;
        let clinic = store.clinic("Clinic").await;
        let vol = store.account(clinic, Role::Volunteer).await;
        let ws = app.bare_ws_url();
        let refused = |url: String| async move {
            let mut d = Device::ephemeral("refused").expect("device");
            d.connect(&url).await.is_err()
        };
        assert!(refused(ws.clone()).await, "{backend:?}: no credential");
        let expired = store.expired_ticket(&vol).await;
        assert!(
            refused(format!("{ws}?ticket={expired}")).await,
            "{backend:?}: expired ticket"
        );
        assert!(
            refused(format!("{ws}?ticket=fct_{}", "0".repeat(64))).await,
            "{backend:?}: forged ticket"
        );
        assert!(
            refused(format!("{ws}?ticket={}", vol.device_token)).await,
            "{backend:?}: a device token is not a ticket"
        );
        let status = app
            .client
            .get(format!("{}/api/v1/me", app.address))
            .bearer_auth("fcd_nope")
            .send()
            .await
            .expect("me")
            .status();
        assert_eq!(status.as_u16(), 401);

        // A revoked device: its open connection closes at once and its credentials stop working.
        let ticket_url = app.ws_url_for(&vol.device_token).await;
        let mut d = Device::ephemeral("soon-revoked").expect("device");
        d.connect(&ticket_url).await.expect("connect");
        let admin = store.account(clinic, Role::Admin).await;
        let r = app
            .client
            .delete(format!(
                "{}/api/v1/admin/devices/{}",
                app.address, vol.device_id
            ))
            .bearer_auth(&admin.device_token)
            .send()
            .await
            .expect("revoke");
        assert_eq!(r.status().as_u16(), 200, "{backend:?}: revoke");
        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if d.pump(Duration::from_millis(100)).await.is_err() || !d.is_connected() {
                    break;
                }
            }
        })
        .await;
        assert!(
            closed.is_ok(),
            "{backend:?}: the revoked device's connection stayed open"
        );
        assert!(
            refused(ticket_url).await,
            "{backend:?}: ticket of a revoked device"
        );
        let status = app
            .client
            .post(format!("{}/api/v1/sync-tickets", app.address))
            .bearer_auth(&vol.device_token)
            .send()
            .await
            .expect("ticket")
            .status();
        assert_eq!(
            status.as_u16(),
            401,
            "{backend:?}: token of a revoked device"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn people_sign_in_and_repeated_failures_are_rate_limited() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Clinic").await;
    let sup = store.account(clinic, Role::Supervisor).await;
    let sign_in = |password: String| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/sessions", app.address);
        let email = sup.email.to_uppercase();
        async move {
            client
                .post(url)
                .json(&serde_json::json!({"email": email, "password": password}))
                .send()
                .await
                .expect("sign in")
        }
    };
    let ok = sign_in(sup.password.clone()).await;
    assert_eq!(ok.status().as_u16(), 201);
    let body: serde_json::Value = ok.json().await.expect("json");
    let token = body["token"].as_str().expect("token").to_owned();
    let me: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "supervisor");
    assert_eq!(me["index_url"], sup.index_url);

    for _ in 0..5 {
        assert_eq!(
            sign_in("wrong password!!".into()).await.status().as_u16(),
            401
        );
    }
    assert_eq!(
        sign_in(sup.password.clone()).await.status().as_u16(),
        429,
        "the limit applies to the right password too"
    );

    let out = app
        .client
        .delete(format!("{}/api/v1/sessions", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sign out");
    assert_eq!(out.status().as_u16(), 204);
    let status = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me")
        .status();
    assert_eq!(status.as_u16(), 401, "a signed-out session is refused");
    app.stop().await;
}

#[tokio::test]
async fn device_changes_to_server_sections_are_refused_and_audited() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Clinic").await;
    let vol = store.account(clinic, Role::Volunteer).await;
    let (mut d, id) = push_intake(&app, &vol, "Client").await;
    let before = store.heads(&id).await;
    d.edit_document(&id, |doc| {
        use automerge::transaction::Transactable;
        let det = doc.put_object(automerge::ROOT, "review", automerge::ObjType::Map)?;
        doc.put(&det, "decision", "approved")?;
        Ok(())
    })
    .expect("local edit");
    let err = d.sync(&[id]).await.expect_err("the server refuses");
    assert!(
        matches!(err, SimulatorError::ServerError(_) | SimulatorError::Closed),
        "{err}"
    );
    assert_eq!(store.heads(&id).await, before);
    let refused = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if store
                .audit(&id)
                .await
                .iter()
                .any(|e| e.action == "changes.refused")
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(refused.is_ok(), "no audit entry for the refused change");
    let audit = store.audit(&id).await;
    assert!(
        audit
            .iter()
            .any(|e| e.action == "document.changed" && e.actor_id == vol.device_id.to_string()),
        "accepted changes are attributed to the device"
    );
    app.stop().await;
}

#[tokio::test]
async fn admins_manage_their_clinic_over_http_and_nobody_else_can() {
    let app = spawn_app(Backend::Postgres).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Clinic").await;
    let admin = store.account(clinic, Role::Admin).await;
    let supervisor = store.account(clinic, Role::Supervisor).await;
    let post = |path: &str, token: &str, body: serde_json::Value| {
        app.client
            .post(format!("{}/api/v1/admin/{path}", app.address))
            .bearer_auth(token.to_owned())
            .json(&body)
            .send()
    };
    let user = serde_json::json!({"email": "new@clinic.test", "role": "volunteer", "password": "a long enough passphrase"});
    assert_eq!(
        post("users", &supervisor.device_token, user.clone())
            .await
            .expect("post")
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        post("users", "fcs_nothing", user.clone())
            .await
            .expect("post")
            .status()
            .as_u16(),
        401
    );
    let created = post("users", &admin.device_token, user.clone())
        .await
        .expect("post");
    assert_eq!(created.status().as_u16(), 201);
    let again = post("users", &admin.device_token, user)
        .await
        .expect("post");
    assert_eq!(again.status().as_u16(), 400, "duplicate email");
    let body: serde_json::Value = again.json().await.expect("json");
    assert!(
        body["reason"]
            .as_str()
            .expect("reason")
            .contains("already exists")
    );
    let short =
        serde_json::json!({"email": "b@clinic.test", "role": "volunteer", "password": "short"});
    assert_eq!(
        post("users", &admin.device_token, short)
            .await
            .expect("post")
            .status()
            .as_u16(),
        400
    );
    let enrolled = post(
        "devices",
        &admin.device_token,
        serde_json::json!({"user_email": "new@clinic.test", "name": "Tablet 9"}),
    )
    .await
    .expect("post");
    assert_eq!(enrolled.status().as_u16(), 201);
    let e: serde_json::Value = enrolled.json().await.expect("json");
    let token = e["token"].as_str().expect("token");
    let me: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "volunteer");
    assert_eq!(me["index_url"], e["index_url"]);
    // A user of another clinic cannot be enrolled from here.
    let other = store.clinic("Other").await;
    let outsider = store.account(other, Role::Volunteer).await;
    let refused = post(
        "devices",
        &admin.device_token,
        serde_json::json!({"user_email": outsider.email}),
    )
    .await
    .expect("post");
    assert_eq!(refused.status().as_u16(), 404);
    let audit: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/admin/audit?limit=50", app.address))
        .bearer_auth(&admin.device_token)
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"user.created") && actions.contains(&"device.enrolled"),
        "{actions:?}"
    );
    app.stop().await;
}
