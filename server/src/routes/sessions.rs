use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::rfc3339;
use crate::auth::{
    MAX_EMAIL_CHARS, MAX_PASSWORD_CHARS, SignInError, TokenKind, bearer_token, hash_token,
    start_session,
};
use crate::error::ApiError;
use crate::state::{AppState, AppStore};

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
pub async fn sign_in<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    body: web::Json<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let SignIn { email, password } = body.into_inner();
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    match start_session(&state.store, &state.limiter, &email, password, ip).await {
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
        Err(SignInError::Failed(e)) => Err(ApiError::Unexpected(e)),
    }
}

/// `DELETE /api/v1/sessions`: ends the session of the bearer token.
///
/// # Errors
/// 401 without a session token.
pub async fn sign_out<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
) -> Result<HttpResponse, ApiError> {
    let token = bearer_token(&req)
        .filter(|t| TokenKind::of(t) == Some(TokenKind::Session))
        .ok_or(ApiError::Unauthorized)?;
    let hash = hash_token(token);
    state
        .store
        .delete_session(&hash)
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to end the session"))?;
    // Its tickets went with it; the sync connections they opened go now.
    state.hub.close_connections(|p| p.session == Some(hash));
    Ok(HttpResponse::NoContent().finish())
}
