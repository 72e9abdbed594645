//! Issue 7: the dashboard in headless Chromium (`tests/browser/dashboard.mjs`): sign in, filter
//! the caseload, see a device's change arrive live, open a case, resolve its conflict and record
//! a review, administer devices; every page checked with axe-core, screenshots kept in
//! `target/browser-artifacts`. Then the JS devices must receive what the browser did.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{Backend, spawn_app};
use crate::js_interop::{ConflictCase, conflicting_devices, run_node};

/// The whole browser scenario may take this long (Chromium start, a dozen pages, axe on each).
const BROWSER_DEADLINE: Duration = Duration::from_secs(240);

#[tokio::test]
async fn a_supervisor_works_a_conflicted_case_in_the_browser_and_devices_receive_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let ConflictCase {
        store,
        supervisor,
        admin,
        ana,
        a,
        b,
        a_server,
        b_server,
        url,
        ..
    } = conflicting_devices(&app, Backend::Sqlite).await;

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    let result = run_node(
        &dir,
        "dashboard.mjs",
        &[
            "--base",
            &app.address,
            "--supervisor-email",
            &supervisor.email,
            "--supervisor-password",
            &supervisor.password,
            "--admin-email",
            &admin.email,
            "--admin-password",
            &admin.password,
            "--volunteer-email",
            &ana.email,
            "--doc-url",
            &url,
            "--device-server",
            &a_server,
            "--device-storage",
            a.storage(),
            // Under BROWSER_DEADLINE, so the script reports the step it was stuck at.
            "--timeout-ms",
            "200000",
        ],
        &[],
        BROWSER_DEADLINE,
    )
    .await;
    assert_eq!(result["liveUpdate"], true, "{result}");
    assert_eq!(
        result["pages"].as_array().map(Vec::len),
        Some(13),
        "every page was checked: {result}"
    );
    for shot in result["screenshots"].as_array().expect("screenshots") {
        let path = shot.as_str().expect("path");
        assert!(
            std::fs::metadata(path).is_ok_and(|m| m.len() > 0),
            "{path} was not written"
        );
    }

    // What the supervisor did in the browser reaches both devices.
    for (device, server) in [(&a, &a_server), (&b, &b_server)] {
        let synced = device.sync(server, &url).await;
        let doc = &synced.doc;
        assert_eq!(doc["offenses"][0]["offense_date"], "2019-04-01", "{doc}");
        assert_eq!(doc["determination"]["provisional"], false, "{doc}");
        assert_eq!(doc["determination"]["outcome"], "ELIGIBLE", "{doc}");
        assert_eq!(doc["review"]["decision"], "needs_info", "{doc}");
        assert_eq!(
            doc["review"]["message"],
            json!("Please bring the judgment of conviction.")
        );
        assert_eq!(doc["person"]["legal_name"], "Rae Conflict-Live");
    }
    drop(store);
    app.stop().await;
}

/// A browser without cookie handling of its own: the test reads and sends cookies itself, so
/// it can check their attributes.
struct Browser {
    client: reqwest::Client,
    base: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_owned(),
        }
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        request.send().await.expect("GET")
    }

    async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .expect("POST")
    }
}

fn set_cookie<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[at..].split('"').next().unwrap_or_default().to_owned()
}

/// Signs in through the form; returns the session cookie pair.
async fn sign_in(b: &Browser, email: &str, password: &str) -> reqwest::Response {
    let form = b.get("/login", None).await;
    let login_cookie = pair(set_cookie(&form, "fc_login").expect("login cookie"));
    let csrf = hidden_csrf(&form.text().await.expect("html"));
    b.post(
        "/login",
        &login_cookie,
        &[
            ("email", email),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/cases"),
        ],
    )
    .await
}

#[tokio::test]
async fn dashboard_sessions_are_http_only_same_site_cookies_and_forms_need_their_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = crate::helpers::TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Cookie clinic").await;
    let sup = store
        .account(clinic, fieldclinic_stores::accounts::Role::Supervisor)
        .await;
    let vol = store
        .account(clinic, fieldclinic_stores::accounts::Role::Volunteer)
        .await;
    let b = Browser::new(&app.address);

    let anonymous = b.get("/cases", None).await;
    assert_eq!(anonymous.status().as_u16(), 303);
    assert_eq!(
        anonymous.headers()["location"].to_str().unwrap(),
        "/login?next=%2Fcases"
    );

    // The sign-in form's token must match its cookie.
    let form = b.get("/login", None).await;
    let login_cookie = set_cookie(&form, "fc_login")
        .expect("login cookie")
        .to_owned();
    assert!(login_cookie.contains("HttpOnly") && login_cookie.contains("SameSite=Strict"));
    let forged = b
        .post(
            "/login",
            &pair(&login_cookie),
            &[
                ("email", sup.email.as_str()),
                ("password", sup.password.as_str()),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(forged.status().as_u16(), 403);
    assert!(set_cookie(&forged, "fc_session").is_none());

    let wrong = sign_in(&b, &sup.email, "not the password at all").await;
    assert_eq!(wrong.status().as_u16(), 401);
    assert!(set_cookie(&wrong, "fc_session").is_none());

    let signed_in = sign_in(&b, &sup.email, &sup.password).await;
    assert_eq!(signed_in.status().as_u16(), 303);
    let session = set_cookie(&signed_in, "fc_session")
        .expect("session cookie")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(
            session.contains(attribute),
            "{attribute} missing: {session}"
        );
    }
    assert!(
        !session.contains("Secure"),
        "plain HTTP on loopback: {session}"
    );
    let cookie = pair(&session);

    let caseload = b.get("/cases", Some(&cookie)).await;
    assert_eq!(caseload.status().as_u16(), 200);
    let csp = caseload.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(caseload.headers()["cache-control"], "no-store");
    let html = caseload.text().await.expect("html");
    let csrf = hidden_csrf(&html);

    // A form without the session's token changes nothing.
    let doc = fieldclinic_schema::DocumentId::random();
    let refused = b
        .post(
            &format!("/cases/{doc}/review"),
            &cookie,
            &[("csrf", "forged"), ("decision", "approved")],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    let signed_out_forged = b.post("/logout", &cookie, &[("csrf", "forged")]).await;
    assert_eq!(signed_out_forged.status().as_u16(), 403);
    assert_eq!(b.get("/cases", Some(&cookie)).await.status().as_u16(), 200);

    // Signing out ends the session on the server, not just in the browser.
    let out = b.post("/logout", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(out.status().as_u16(), 303);
    assert_eq!(b.get("/cases", Some(&cookie)).await.status().as_u16(), 303);

    // Volunteers have no dashboard.
    let vol_session = sign_in(&b, &vol.email, &vol.password).await;
    let vol_cookie = pair(set_cookie(&vol_session, "fc_session").expect("session"));
    assert_eq!(
        b.get("/cases", Some(&vol_cookie)).await.status().as_u16(),
        403
    );
    assert_eq!(
        b.get("/admin/users", Some(&vol_cookie))
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        b.get("/events", Some(&vol_cookie)).await.status().as_u16(),
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn behind_a_tls_proxy_the_session_cookie_is_secure() {
    let app = crate::helpers::spawn_app_configured(Backend::Sqlite, |s| {
        s.server.behind_tls_proxy = true;
    })
    .await;
    let store = crate::helpers::TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Proxy clinic").await;
    let sup = store
        .account(clinic, fieldclinic_stores::accounts::Role::Supervisor)
        .await;
    let b = Browser::new(&app.address);
    let form = b.get("/login", None).await;
    assert!(
        set_cookie(&form, "fc_login")
            .expect("login cookie")
            .contains("Secure")
    );
    let signed_in = sign_in(&b, &sup.email, &sup.password).await;
    let session = set_cookie(&signed_in, "fc_session").expect("session cookie");
    assert!(session.contains("Secure"), "{session}");
    app.stop().await;
}

#[tokio::test]
async fn stopping_the_server_ends_open_live_update_streams_cleanly() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = crate::helpers::TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Stream clinic").await;
    let sup = store
        .account(clinic, fieldclinic_stores::accounts::Role::Supervisor)
        .await;
    let b = Browser::new(&app.address);
    let signed_in = sign_in(&b, &sup.email, &sup.password).await;
    let cookie = pair(set_cookie(&signed_in, "fc_session").expect("session"));
    let mut stream = b.get("/events", Some(&cookie)).await;
    assert_eq!(stream.status().as_u16(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );

    let stopping = tokio::spawn(app.stop());
    // A stream the server ends itself finishes cleanly; one cut off when the shutdown timeout
    // runs out ends with a body error instead.
    loop {
        match stream.chunk().await {
            Ok(Some(_keepalive_or_event)) => {}
            Ok(None) => break,
            Err(e) => panic!("the stream was cut off instead of ended: {e}"),
        }
    }
    stopping.await.expect("stopped");
}
