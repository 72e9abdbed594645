//! Browser sessions: the session token in an HttpOnly cookie, a CSRF token derived from it in
//! every form, sign-in and sign-out.
//!
//! The cookie holds the same kind of session token as the API's bearer sessions (stored only as
//! its SHA-256). Forms carry a token derived from the session token: a page of another site can
//! neither read it nor compute it, and `SameSite=Strict` keeps the cookie off cross-site requests
//! anyway. The sign-in form, which has no session yet, uses a double-submit cookie instead.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::DashboardSettings;
use super::html::{Section, Viewer, esc, html, html_status, notice, page, see_other};
use crate::auth::{SignInError, start_session};
use crate::auth::{TokenKind, authenticate_bearer, hash_token, new_token};
use crate::state::{AppState, AppStore};
use fieldclinic_domain::clock::now_millis;

/// The session cookie.
pub const SESSION_COOKIE: &str = "fc_session";
/// The sign-in form's double-submit cookie.
const LOGIN_COOKIE: &str = "fc_login";

/// The CSRF token of a session: derived, so nothing needs storing.
#[must_use]
pub fn csrf_for(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"fieldclinic dashboard csrf v1\0");
    h.update(session_token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Why a dashboard request has no viewer.
#[derive(Debug)]
pub enum NoViewer {
    /// Not signed in (or the session ended): go to the sign-in page.
    SignIn,
    /// The store failed.
    Failed(anyhow::Error),
}

impl NoViewer {
    /// The response: a redirect to sign in, or an error page.
    #[must_use]
    pub fn response(self, req: &HttpRequest) -> HttpResponse {
        match self {
            Self::SignIn => {
                let next = req
                    .uri()
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_owned();
                see_other(&format!("/login?next={}", super::html::url_value(&next)))
            }
            Self::Failed(e) => {
                tracing::error!(error.cause_chain = ?e, error.message = %e, "dashboard request failed");
                html_status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    page(
                        "Error",
                        None,
                        Section::None,
                        "<h1>Something went wrong</h1><p>The error was logged. Try again in a moment.</p>",
                    ),
                )
            }
        }
    }
}

/// The signed-in person of a request, from the session cookie.
///
/// # Errors
/// [`NoViewer::SignIn`] without a valid session.
pub async fn viewer<S: AppStore>(store: &S, req: &HttpRequest) -> Result<Viewer, NoViewer> {
    let cookie = req.cookie(SESSION_COOKIE).ok_or(NoViewer::SignIn)?;
    let token = cookie.value();
    if TokenKind::of(token) != Some(TokenKind::Session) {
        return Err(NoViewer::SignIn);
    }
    let remote = req.peer_addr().map(|a| a.ip().to_string());
    let who = authenticate_bearer(store, token, now_millis(), remote)
        .await
        .map_err(|e| match e {
            crate::auth::AuthError::Store(e) => NoViewer::Failed(anyhow::Error::new(e)),
            _ => NoViewer::SignIn,
        })?;
    let email = store
        .user(&who.user_id)
        .await
        .map_err(|e| NoViewer::Failed(anyhow::Error::new(e)))?
        .email;
    Ok(Viewer {
        who,
        email,
        csrf: csrf_for(token),
    })
}

/// Whether a posted form carries the viewer's CSRF token.
#[must_use]
pub fn csrf_ok(viewer: &Viewer, posted: &str) -> bool {
    same(&viewer.csrf, posted)
}

/// The response to a form whose CSRF token is wrong (an old tab after signing in again, or a
/// forged request).
#[must_use]
pub fn csrf_failed(viewer: &Viewer) -> HttpResponse {
    html_status(
        StatusCode::FORBIDDEN,
        page(
            "Form expired",
            Some(viewer),
            Section::None,
            "<h1>This form has expired</h1><p>Nothing was changed. Go back, reload the page and \
             submit it again.</p>",
        ),
    )
}

fn cookie<'a>(name: &'a str, value: String, settings: &DashboardSettings) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .secure(settings.secure_cookies)
        .same_site(SameSite::Strict)
        .finish()
}

/// The `next` parameter, only if it is a local path (no open redirect to another site).
/// Only a plain local path: one leading `/`, then path and query characters. Browsers strip
/// tabs and newlines from URLs, so `/<TAB>/host` would be `//host`; any control character,
/// space or backslash is refused rather than cleaned.
fn local_next(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n))
        .unwrap_or("/cases")
        .to_owned()
}

/// Whether `target` is a plain path on this server, safe to redirect to.
pub(crate) fn is_local_path(target: &str) -> bool {
    let mut chars = target.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/'))
        && target.chars().all(|c| c.is_ascii_graphic() && c != '\\')
}

/// `GET /login` query.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

fn login_page(form_token: &str, next: &str, problem: Option<&str>) -> String {
    let problem = problem.map(|p| notice("error", p)).unwrap_or_default();
    page(
        "Sign in",
        None,
        Section::None,
        &format!(
            "<h1>Sign in</h1>{problem}\
             <form method=\"post\" action=\"/login\" class=\"stack narrow\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{token}\">\
             <input type=\"hidden\" name=\"next\" value=\"{next}\">\
             <label for=\"email\">Email</label>\
             <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required>\
             <label for=\"password\">Password</label>\
             <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
             <button type=\"submit\">Sign in</button></form>",
            token = esc(form_token),
            next = esc(next),
        ),
    )
}

/// `GET /login`: the sign-in form.
pub async fn login_form<S: AppStore>(
    state: web::Data<AppState<S>>,
    query: web::Query<LoginQuery>,
) -> HttpResponse {
    let (form_token, _) = new_token(TokenKind::Session);
    let form_token = form_token.expose_secret().to_owned();
    let next = local_next(query.next.as_deref());
    let mut response = html(login_page(&form_token, &next, None));
    let _ = response.add_cookie(&cookie(LOGIN_COOKIE, form_token, &state.dashboard));
    response
}

/// `POST /login` form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: SecretString,
    csrf: String,
    next: Option<String>,
}

/// `POST /login`: starts a session and sets the cookie.
pub async fn login<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    form: web::Form<LoginForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let next = local_next(form.next.as_deref());
    let expected = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned());
    if !expected.as_deref().is_some_and(|e| same(e, &form.csrf)) {
        return html_status(
            StatusCode::FORBIDDEN,
            login_page(
                &form.csrf,
                &next,
                Some("The sign-in form expired. Reload the page and sign in again."),
            ),
        );
    }
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    match start_session(&state.store, &state.limiter, &form.email, form.password, ip).await {
        Ok(session) => {
            let mut response = see_other(&next);
            let mut c = cookie(
                SESSION_COOKIE,
                session.token.expose_secret().to_owned(),
                &state.dashboard,
            );
            let seconds = (session.expires_at_millis - now_millis()) / 1000;
            c.set_max_age(CookieDuration::seconds(seconds.max(0)));
            let _ = response.add_cookie(&c);
            let _ =
                response.add_removal_cookie(&cookie(LOGIN_COOKIE, String::new(), &state.dashboard));
            response
        }
        Err(SignInError::Limited(_)) => html_status(
            StatusCode::TOO_MANY_REQUESTS,
            login_page(
                &form.csrf,
                &next,
                Some("Too many sign-in attempts. Wait a few minutes and try again."),
            ),
        ),
        Err(SignInError::Busy) => html_status(
            StatusCode::SERVICE_UNAVAILABLE,
            login_page(
                &form.csrf,
                &next,
                Some("The server is busy signing other people in. Try again in a moment."),
            ),
        ),
        Err(SignInError::TooLong) => html_status(
            StatusCode::BAD_REQUEST,
            login_page(
                &form.csrf,
                &next,
                Some("That email or password is longer than any account's."),
            ),
        ),
        Err(SignInError::Refused) => html_status(
            StatusCode::UNAUTHORIZED,
            login_page(&form.csrf, &next, Some("Wrong email or password.")),
        ),
        Err(SignInError::Failed(e)) => {
            tracing::error!(error.message = %e, "dashboard sign-in failed");
            html_status(
                StatusCode::INTERNAL_SERVER_ERROR,
                login_page(
                    &form.csrf,
                    &next,
                    Some("Signing in failed on the server. Try again in a moment."),
                ),
            )
        }
    }
}

/// A form carrying only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

impl CsrfForm {
    /// The posted token.
    #[must_use]
    pub fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /logout`: ends the session and clears the cookie.
pub async fn logout<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
        return see_other("/login");
    };
    if !same(&csrf_for(&token), &form.csrf) {
        return html_status(
            StatusCode::FORBIDDEN,
            page(
                "Form expired",
                None,
                Section::None,
                "<h1>This form has expired</h1><p>Reload the page and sign out again.</p>",
            ),
        );
    }
    let hash = hash_token(&token);
    if let Err(e) = state.store.delete_session(&hash).await {
        tracing::error!(error.message = %e, "failed to end a dashboard session");
    }
    state.hub.close_connections(|p| p.session == Some(hash));
    let mut response = see_other("/login");
    let _ = response.add_removal_cookie(&cookie(SESSION_COOKIE, String::new(), &state.dashboard));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_differ_per_session_and_compare_exactly() {
        let a = csrf_for("fcs_a");
        assert_eq!(a, csrf_for("fcs_a"));
        assert_ne!(a, csrf_for("fcs_b"));
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &a[..10]));
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(local_next(Some("/cases?q=x")), "/cases?q=x");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/\u{2028}/evil.example",
        ] {
            assert_eq!(local_next(Some(bad)), "/cases", "{bad}");
        }
        assert_eq!(local_next(None), "/cases");
    }
}
