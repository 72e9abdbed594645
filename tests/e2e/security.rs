//! The findings of the security review (issue 12), each tried again as the attacker did it:
//! revocation through a socket that waits before joining, sign-in floods, server sections
//! forged as a losing conflict, credentials outliving a sign-out.

use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{ActorId, ROOT, ReadDoc};
use fieldclinic_loadtool::simulator::{Device, Frame, Link};
use fieldclinic_schema::{DocumentId, Intake};
use fieldclinic_stores::accounts::Role;
use fieldclinic_sync::protocol::{PeerId, PeerMetadata};

use crate::helpers::{Backend, TestApp, TestStore, spawn_app};

const WAIT: Duration = Duration::from_secs(10);

/// Waits until the server closes `link` (a close frame, an end of stream or a transport error),
/// reading and discarding what arrives. Returns how long it took, or `None` after `within`.
async fn closed_within(link: &mut Link, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < within {
        match link.next_frame(within - start.elapsed()).await {
            Ok(Some(Frame::Closed)) | Err(_) => return Some(start.elapsed()),
            Ok(Some(_)) => {}
            Ok(None) => return None,
        }
        if link.is_closed() {
            return Some(start.elapsed());
        }
    }
    None
}

/// Whether the server closes `d`'s connection within `within` (messages arriving meanwhile are
/// processed).
async fn disconnected_within(d: &mut Device, within: Duration) -> bool {
    tokio::time::timeout(within, async {
        while d.is_connected() {
            if d.pump(Duration::from_millis(100)).await.is_err() {
                break;
            }
        }
    })
    .await
    .is_ok()
}

fn peer(name: &str) -> PeerId {
    PeerId::parse(&format!("{name}-{}", uuid::Uuid::new_v4().simple())).expect("peer id")
}

async fn revoke_via_api(app: &TestApp, admin_token: &str, device: impl std::fmt::Display) -> u64 {
    let r = app
        .client
        .delete(format!("{}/api/v1/admin/devices/{device}", app.address))
        .bearer_auth(admin_token)
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status().as_u16(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    body["connections_closed"]
        .as_u64()
        .expect("connections_closed")
}

#[tokio::test]
async fn a_socket_that_has_not_joined_is_closed_by_revocation_and_cannot_join_after_it() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let store = TestStore::connect(&app.db.url).await;
        let clinic = store.clinic("Clinic").await;
        let admin = store.account(clinic, Role::Admin).await;

        // Through this instance's API: the waiting socket counts and closes at once.
        let vol = store.account(clinic, Role::Volunteer).await;
        let mut link = Link::connect(&app.ws_url_for(&vol.device_token).await)
            .await
            .expect("upgrade");
        let closed = revoke_via_api(&app, &admin.device_token, vol.device_id).await;
        assert_eq!(closed, 1, "{backend:?}: the waiting socket was not counted");
        assert!(
            closed_within(&mut link, Duration::from_secs(2))
                .await
                .is_some(),
            "{backend:?}: the waiting socket stayed open after revocation"
        );

        // Behind the server's back (the command line, another instance), then a join at once,
        // before any poll could run: the join itself re-checks the credential.
        let vol = store.account(clinic, Role::Volunteer).await;
        let mut link = Link::connect(&app.ws_url_for(&vol.device_token).await)
            .await
            .expect("upgrade");
        store.revoke(vol.device_id).await;
        let joined = link
            .join(&peer("late"), PeerMetadata::default(), WAIT)
            .await;
        assert!(
            joined.is_err(),
            "{backend:?}: a revoked device joined: {joined:?}"
        );

        // Behind the server's back, without joining: the watcher closes the socket in time.
        let vol = store.account(clinic, Role::Volunteer).await;
        let mut link = Link::connect(&app.ws_url_for(&vol.device_token).await)
            .await
            .expect("upgrade");
        store.revoke(vol.device_id).await;
        let took = closed_within(&mut link, Duration::from_secs(3)).await;
        assert!(
            took.is_some(),
            "{backend:?}: a socket of a device revoked elsewhere stayed open"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_socket_that_never_joins_is_closed() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut link = Link::connect(&app.ws_url()).await.expect("upgrade");
    assert!(
        closed_within(&mut link, Duration::from_secs(15))
            .await
            .is_some(),
        "a socket that never joined stayed open"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_joined_device_revoked_elsewhere_is_cut_off_and_stores_nothing_after() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let store = TestStore::connect(&app.db.url).await;
        let clinic = store.clinic("Clinic").await;
        let vol = store.account(clinic, Role::Volunteer).await;
        let mut d = Device::persistent("revoked-elsewhere").expect("device");
        let mut intake = Intake::new();
        intake.person.legal_name = Some("Ada Example".into());
        let id = d.create_intake(&intake).expect("intake");
        let url = app.ws_url_for(&vol.device_token).await;
        d.connect(&url).await.expect("connect");
        d.sync(&[id]).await.expect("stored");
        store.revoke(vol.device_id).await;
        assert!(
            disconnected_within(&mut d, Duration::from_secs(3)).await,
            "{backend:?}: the revoked device stayed connected"
        );
        let heads = store.heads(&id).await;
        d.edit_intake(&id, |i| i.notes = Some("after revocation".into()))
            .expect("edit");
        assert!(
            d.connect(&url).await.is_err(),
            "{backend:?}: the ticket of a revoked device reconnected"
        );
        assert_eq!(store.heads(&id).await, heads, "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_s_tickets_and_its_open_connections() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Clinic").await;
    let sup = store.account(clinic, Role::Supervisor).await;
    let session = session_of(&app, &sup.email, &sup.password).await;
    let url = app.ws_url_for(&session).await;
    let mut d = Device::ephemeral("signed-in").expect("device");
    d.connect(&url)
        .await
        .expect("connect with the session's ticket");
    let r = app
        .client
        .delete(format!("{}/api/v1/sessions", app.address))
        .bearer_auth(&session)
        .send()
        .await
        .expect("sign out");
    assert_eq!(r.status().as_u16(), 204);
    assert!(
        disconnected_within(&mut d, Duration::from_secs(2)).await,
        "the signed-out session's connection stayed open"
    );
    let mut again = Device::ephemeral("signed-out").expect("device");
    assert!(
        again.connect(&url).await.is_err(),
        "a ticket outlived its session"
    );
    app.stop().await;
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> (u16, Option<String>) {
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("sign in");
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (r.status().as_u16(), retry)
}

#[tokio::test]
async fn parallel_guesses_never_get_more_password_checks_than_the_limit() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Clinic").await;
    let sup = store.account(clinic, Role::Supervisor).await;
    let attempts = (0..40).map(|i| {
        let password = if i == 20 {
            sup.password.clone()
        } else {
            format!("wrong guess {i}")
        };
        let (app, email) = (&app, sup.email.clone());
        async move { sign_in(app, &email, &password).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let checked = results
        .iter()
        .filter(|(s, _)| *s == 201 || *s == 401)
        .count();
    assert!(checked <= 5, "{checked} passwords checked: {results:?}");
    for (status, retry) in &results {
        assert!(
            [201, 401, 429, 503].contains(status),
            "unexpected status {status}"
        );
        if *status == 429 || *status == 503 {
            assert!(retry.is_some(), "{status} without Retry-After");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_flood_of_sign_ins_is_answered_without_unbounded_work() {
    let app = spawn_app(Backend::Sqlite).await;
    let attempts = (0..120).map(|_| {
        let email = format!("{}@nowhere.test", uuid::Uuid::new_v4().simple());
        let app = &app;
        async move { sign_in(app, &email, "guess").await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let checked = results.iter().filter(|(s, _)| *s == 401).count();
    // One address may try 50 accounts per window; the rest wait or are told to come back.
    assert!(checked <= 50, "{checked} passwords checked");
    for (status, _) in &results {
        assert!(
            [401, 429, 503].contains(status),
            "unexpected status {status}"
        );
    }
    let long = "x".repeat(300) + "@example.test";
    assert_eq!(sign_in(&app, &long, "guess").await.0, 400);
    let (status, _) = sign_in(&app, "a@example.test", &"p".repeat(2000)).await;
    assert_eq!(status, 400);
    app.stop().await;
}

#[tokio::test]
async fn device_changes_to_server_sections_are_refused_even_when_they_lose_the_conflict() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Clinic").await;
    let vol = store.account(clinic, Role::Volunteer).await;
    let mut d = Device::persistent("forger").expect("device");
    let mut intake = Intake::new();
    intake.person.legal_name = Some("Ada Example".into());
    let id: DocumentId = d.create_intake(&intake).expect("intake");
    let before_server = d.heads(&id).expect("heads");
    d.connect(&app.ws_url_for(&vol.device_token).await)
        .await
        .expect("connect");
    d.sync(&[id]).await.expect("stored");
    d.wait_until(&id, |doc| {
        doc.get(ROOT, "determination").ok().flatten().is_some()
    })
    .await
    .expect("determination arrives");
    let stored = store.heads(&id).await;

    // A put concurrent with the server's, from the lowest actor ID: Automerge keeps the server's
    // value visible, so a check of the visible diff sees nothing.
    let mut forged = d
        .document(&id)
        .expect("held")
        .doc()
        .clone()
        .fork_at(&before_server)
        .expect("fork")
        .with_actor(ActorId::from(vec![0u8; 16]));
    forged
        .put(ROOT, "determination", "ELIGIBLE")
        .expect("forge");
    forged.commit();
    d.edit_document(&id, |doc| doc.merge(&mut forged).map(|_| ()))
        .expect("merge");
    assert!(
        d.sync(&[id]).await.is_err(),
        "the forged losing put was acknowledged"
    );
    assert_eq!(store.heads(&id).await, stored, "the forged put was stored");
    app.stop().await;
}

async fn session_of(app: &TestApp, email: &str, password: &str) -> String {
    let r = app
        .client
        .post(format!("{}/api/v1/sessions", app.address))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.status().as_u16(), 201);
    r.json::<serde_json::Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

#[tokio::test]
async fn crafted_banners_are_not_shown_and_clinic_admins_cannot_create_clinics() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Clinic").await;
    let admin = store.account(clinic, Role::Admin).await;
    let session = session_of(&app, &admin.email, &admin.password).await;
    for path in [
        "/admin/users?error=Your+account+is+locked.+Call+555-0100",
        "/admin/devices?done=Your+account+is+locked.+Call+555-0100&sig=00",
    ] {
        let body = app
            .client
            .get(format!("{}{path}", app.address))
            .header("Cookie", format!("fc_session={session}"))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        assert!(body.contains("<h1>"), "{path}: not the page: {body}");
        assert!(
            !body.contains("555-0100"),
            "{path}: a crafted banner was shown"
        );
    }
    let r = app
        .client
        .post(format!("{}/api/v1/admin/clinics", app.address))
        .bearer_auth(&admin.device_token)
        .json(&serde_json::json!({ "name": "Rogue clinic" }))
        .send()
        .await
        .expect("create clinic");
    assert_eq!(r.status().as_u16(), 403);
    app.stop().await;
}

#[tokio::test]
async fn a_live_update_stream_ends_with_its_session() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Clinic").await;
    let sup = store.account(clinic, Role::Supervisor).await;
    let session = session_of(&app, &sup.email, &sup.password).await;
    let mut stream = app
        .client
        .get(format!("{}/events", app.address))
        .header("Cookie", format!("fc_session={session}"))
        .send()
        .await
        .expect("events");
    assert_eq!(stream.status().as_u16(), 200);
    let r = app
        .client
        .delete(format!("{}/api/v1/sessions", app.address))
        .bearer_auth(&session)
        .send()
        .await
        .expect("sign out");
    assert_eq!(r.status().as_u16(), 204);
    let ended = tokio::time::timeout(Duration::from_secs(12), async {
        // Keepalive comments may arrive first; the stream must then end.
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its session");
    app.stop().await;
}
