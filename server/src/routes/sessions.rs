use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::rfc3339;
use crate::audit::now_millis;
use crate::auth::{LoginLimiter, TokenKind, bearer_token, hash_token, new_token, verify_password};
use crate::error::ApiError;
use crate::store::accounts::{AccountStore, NewAuditEntry};

/// How long a sign-in lasts: one clinic day.
const SESSION_MILLIS: i64 = 12 * 60 * 60 * 1000;

/// A PHC string that never matches, verified when the email is unknown so both failures take
/// the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7i0j7cmsyEtPb8mJ8LB6vE1bj2lMtwQ7T2V4HutpxMQ";

/// `POST /api/v1/sessions` body.
#[derive(Debug, Deserialize)]
pub struct SignIn {
    email: String,
    password: SecretString,
}

/// `POST /api/v1/sessions`: signs a person in; `{"token", "expires_at"}`.
///
/// # Errors
/// 401 on a wrong email or password, 429 after repeated failures.
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
        Err(SignInError::Limited) => Ok(HttpResponse::TooManyRequests()
            .json(serde_json::json!({ "reason": "too many failed sign-ins; try again later" }))),
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
    /// Too many recent failures for this email and address.
    Limited,
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
    let email = email.trim().to_lowercase();
    let key = format!("{email}|{}", ip.as_deref().unwrap_or("-"));
    if !limiter.allows(&key) {
        return Err(SignInError::Limited);
    }
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
    let ok = tokio::task::spawn_blocking(move || verify_password(&stored, &password))
        .await
        .map_err(|e| failed(e.into()))?;
    let user = match found {
        Some((user, _)) if ok && user.disabled_at_millis.is_none() => user,
        _ => {
            limiter.record_failure(&key);
            return Err(SignInError::Refused);
        }
    };
    limiter.record_success(&key);
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

/// `DELETE /api/v1/sessions`: ends the session of the bearer token.
///
/// # Errors
/// 401 without a session token.
pub async fn sign_out<S: AccountStore>(
    req: HttpRequest,
    store: web::Data<S>,
) -> Result<HttpResponse, ApiError> {
    let token = bearer_token(&req)
        .filter(|t| TokenKind::of(t) == Some(TokenKind::Session))
        .ok_or(ApiError::Unauthorized)?;
    store
        .delete_session(&hash_token(token))
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to end the session"))?;
    Ok(HttpResponse::NoContent().finish())
}
