use actix_web::HttpRequest;
use fieldclinic_sync::StoreError;

use super::{Principal, TokenKind, hash_token};
use fieldclinic_stores::accounts::{AccountStore, TokenHash, User};

/// Why a credential was not accepted. Callers answer all of them with the same 401.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No credential, an unknown one, or the wrong kind.
    #[error("invalid credential")]
    Invalid,
    /// A session or ticket past its expiry.
    #[error("expired credential")]
    Expired,
    /// A revoked device or a disabled user.
    #[error("revoked credential")]
    Revoked,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The bearer token of an `Authorization: Bearer …` header.
#[must_use]
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn principal(
    user: &User,
    device: Option<fieldclinic_stores::accounts::DeviceId>,
    session: Option<TokenHash>,
    remote: Option<String>,
) -> Result<Principal, AuthError> {
    if user.disabled_at_millis.is_some() {
        return Err(AuthError::Revoked);
    }
    Ok(Principal {
        user_id: user.id,
        clinic_id: user.clinic_id,
        role: user.role,
        device_id: device,
        session,
        remote_addr: remote,
    })
}

/// Authenticates a device token or a session token.
///
/// # Errors
/// When the token is unknown, expired or revoked, or the store fails.
pub async fn authenticate_bearer<S: AccountStore>(
    store: &S,
    token: &str,
    now_millis: i64,
    remote: Option<String>,
) -> Result<Principal, AuthError> {
    let hash = hash_token(token);
    match TokenKind::of(token) {
        Some(TokenKind::Device) => {
            let (device, user) = store
                .device_by_token(&hash)
                .await
                .map_err(not_found_is_invalid)?;
            if device.revoked_at_millis.is_some() {
                return Err(AuthError::Revoked);
            }
            principal(&user, Some(device.id), None, remote)
        }
        Some(TokenKind::Session) => {
            let user = store
                .session_user(&hash, now_millis)
                .await
                .map_err(not_found_is_invalid)?;
            principal(&user, None, Some(hash), remote)
        }
        Some(TokenKind::Ticket) | None => Err(AuthError::Invalid),
    }
}

/// Authenticates a sync ticket (valid for any number of connections until it expires).
///
/// # Errors
/// When the ticket is unknown or expired, its device revoked, or the store fails.
pub async fn authenticate_ticket<S: AccountStore>(
    store: &S,
    ticket: &str,
    now_millis: i64,
    remote: Option<String>,
) -> Result<Principal, AuthError> {
    if TokenKind::of(ticket) != Some(TokenKind::Ticket) {
        return Err(AuthError::Invalid);
    }
    let owner = store
        .ticket_owner(&hash_token(ticket), now_millis)
        .await
        .map_err(not_found_is_invalid)?;
    let user = store
        .user(&owner.user_id)
        .await
        .map_err(not_found_is_invalid)?;
    if let Some(device_id) = owner.device_id {
        let device = store
            .device(&device_id)
            .await
            .map_err(not_found_is_invalid)?;
        if device.revoked_at_millis.is_some() {
            return Err(AuthError::Revoked);
        }
    }
    principal(&user, owner.device_id, owner.session, remote)
}

/// Authenticates an HTTP request by its bearer header, or for the sync socket also by a
/// `ticket` query parameter (browsers' WebSocket cannot set headers).
///
/// # Errors
/// As [`authenticate_bearer`] and [`authenticate_ticket`]; `Invalid` with no credential.
pub async fn authenticate_request<S: AccountStore>(
    store: &S,
    req: &HttpRequest,
    allow_ticket: bool,
    now_millis: i64,
) -> Result<Principal, AuthError> {
    let remote = req.peer_addr().map(|a| a.ip().to_string());
    if let Some(token) = bearer_token(req) {
        return authenticate_bearer(store, token, now_millis, remote).await;
    }
    if allow_ticket && let Some(ticket) = query_param(req.query_string(), "ticket") {
        return authenticate_ticket(store, &ticket, now_millis, remote).await;
    }
    Err(AuthError::Invalid)
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

fn not_found_is_invalid(e: StoreError) -> AuthError {
    match e {
        StoreError::NotFound => AuthError::Invalid,
        e => AuthError::Store(e),
    }
}
