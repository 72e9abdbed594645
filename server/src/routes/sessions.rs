use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::rfc3339;
use crate::audit::now_millis;
use crate::auth::{LoginLimiter, Refused, TokenKind, bearer_token, hash_token, new_token};
use crate::error::ApiError;
use crate::store::accounts::{AccountStore, NewAuditEntry};

/// How long a sign-in lasts: one clinic day.
const SESSION_MILLIS: i64 = 12 * 60 * 60 * 1000;

/// A PHC string that never matches, verified when the email is unknown so both failures take
/// the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7i0j7cmsyEtPb8mJ8LB6vE1bj2lMtwQ7T2V4HutpxMQ";

/// The longest email address (RFC 5321's path limit) and password accepted: anything longer is
/// refused before any work, so a request cannot make the server hash megabytes.
pub(crate) const MAX_EMAIL_CHARS: usize = 254;
pub(crate) const MAX_PASSWORD_CHARS: usize = 1024;

/// `POST /api/v1/sessions` body.
#[derive(Debug, Deserialize)]
pub struct SignIn {
    email: String,
    password: SecretString,
}

/// `POST /api/v1/sessions`: signs a person in; `{"token", "expires_at"}`.
///
/// # Errors
/// 400 for an over-long email or password, 401 on a wrong email or password, 429 after
/// repeated attempts, 503 when every password verifier is busy (both with `Retry-After`).
pub async fn sign_in<S: AccountStore>(
    req: HttpRequest,
    store: web::Data<S>,
    limiter: web::Data<LoginLimiter>,
    body: web::Json<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let SignIn { email, password } = body.into_inner();
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    match start_session(store.get_ref(), &limiter, &email, password, ip).await {
        Ok(session) => Ok(HttpResponse::Created().json(serde_json::json!({
            "token": session.token.expose_secret(),
            "expires_at": rfc3339(session.expires_at_millis),
        }))),
        Err(SignInError::TooLong) => Err(ApiError::Validation(format!(
            "email must be at most {MAX_EMAIL_CHARS} characters and password at most {MAX_PASSWORD_CHARS}"
        ))),
        Err(SignInError::Limited(wait)) => Ok(HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", wait.as_secs().max(1).to_string()))
            .json(serde_json::json!({ "reason": "too many sign-in attempts; try again later" }))),
        Err(SignInError::Busy) => Ok(HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .json(serde_json::json!({ "reason": "the server is busy signing other people in; try again in a moment" }))),
        Err(SignInError::Refused) => Err(ApiError::Unauthorized),
        Err(SignInError::Failed(e)) => Err(e),
    }
}

/// A session just started.
pub(crate) struct StartedSession {
    /// The session token (shown once; stored only as its hash).
    pub(crate) token: SecretString,
    /// When it expires (ms).
    pub(crate) expires_at_millis: i64,
}

/// Why a sign-in did not start a session.
pub(crate) enum SignInError {
    /// Too many recent attempts for this account or address; try again after this long.
    Limited(std::time::Duration),
    /// Every password verifier is busy.
    Busy,
    /// The email or password is longer than anyone's.
    TooLong,
    /// Wrong email or password, or a disabled account (indistinguishable on purpose).
    Refused,
    /// The store failed.
    Failed(ApiError),
}

/// Checks a password and starts a session: the API's and the dashboard's sign-in.
pub(crate) async fn start_session<S: AccountStore>(
    store: &S,
    limiter: &LoginLimiter,
    email: &str,
    password: SecretString,
    ip: Option<String>,
) -> Result<StartedSession, SignInError> {
    if email.chars().count() > MAX_EMAIL_CHARS
        || password.expose_secret().chars().count() > MAX_PASSWORD_CHARS
    {
        return Err(SignInError::TooLong);
    }
    let email = email.trim().to_lowercase();
    // No account's email holds a NUL (PostgreSQL cannot even store one): a wrong login, answered
    // without asking the database.
    if email.contains('\0') {
        return Err(SignInError::Refused);
    }
    // Counted before the password is checked: concurrent guesses cannot all pass the limit.
    let attempt = limiter
        .begin(&email, ip.as_deref().unwrap_or("-"))
        .map_err(refused)?;
    let failed = |e: anyhow::Error| SignInError::Failed(ApiError::Unexpected(e));
    let found = match store.user_by_email(&email).await {
        Ok(found) => Some(found),
        Err(fieldclinic_sync::StoreError::NotFound) => None,
        Err(e) => {
            return Err(failed(
                anyhow::Error::new(e).context("Failed to look up the user"),
            ));
        }
    };
    let stored = found
        .as_ref()
        .map_or(DUMMY_HASH, |(_, h)| h.as_str())
        .to_owned();
    let ok = limiter.verify(stored, password).await.map_err(refused)?;
    let user = match found {
        Some((user, _)) if ok && user.disabled_at_millis.is_none() => user,
        _ => return Err(SignInError::Refused),
    };
    limiter.succeeded(&attempt);
    let (token, hash) = new_token(TokenKind::Session);
    let now = now_millis();
    let expires = now + SESSION_MILLIS;
    store
        .create_session(&hash, &user.id, now, expires)
        .await
        .map_err(|e| failed(anyhow::Error::new(e).context("Failed to store the session")))?;
    store
        .append_audit(&[NewAuditEntry {
            at_millis: now,
            clinic_id: Some(user.clinic_id),
            actor_kind: "user".into(),
            actor_id: user.id.to_string(),
            doc: None,
            action: "session.created".into(),
            detail: serde_json::json!({}),
            remote_addr: ip,
        }])
        .await
        .map_err(|e| failed(anyhow::Error::new(e).context("Failed to audit the sign-in")))?;
    Ok(StartedSession {
        token,
        expires_at_millis: expires,
    })
}

fn refused(r: Refused) -> SignInError {
    match r {
        Refused::Limited(wait) => SignInError::Limited(wait),
        Refused::Busy => SignInError::Busy,
    }
}

/// `DELETE /api/v1/sessions`: ends the session of the bearer token.
///
/// # Errors
/// 401 without a session token.
pub async fn sign_out<S: fieldclinic_sync::Store + AccountStore>(
    req: HttpRequest,
    store: web::Data<S>,
    hub: web::Data<crate::startup::AppHub<S>>,
) -> Result<HttpResponse, ApiError> {
    let token = bearer_token(&req)
        .filter(|t| TokenKind::of(t) == Some(TokenKind::Session))
        .ok_or(ApiError::Unauthorized)?;
    let hash = hash_token(token);
    store
        .delete_session(&hash)
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to end the session"))?;
    // Its tickets went with it; the sync connections they opened go now.
    hub.close_connections(|p| p.session == Some(hash));
    Ok(HttpResponse::NoContent().finish())
}
