//! HTTP routes, one module per resource.

mod admin;
mod documents;
mod health;
mod me;
mod sessions;
mod sync_tickets;

pub use admin::{audit_log, create_clinic, create_user, enroll_device, revoke_device};
pub use documents::get_document;
pub use health::health_check;
pub use me::me;
pub use sessions::{sign_in, sign_out};
pub use sync_tickets::create_ticket;

use actix_web::HttpRequest;

use crate::audit::now_millis;
use crate::auth::{AuthError, Principal, authenticate_request};
use crate::error::ApiError;
use crate::store::accounts::AccountStore;

/// The caller of an API route, by bearer token (device or session).
async fn caller<S: AccountStore>(store: &S, req: &HttpRequest) -> Result<Principal, ApiError> {
    authenticate_request(store, req, false, now_millis())
        .await
        .map_err(|e| match e {
            AuthError::Store(e) => {
                ApiError::Unexpected(anyhow::Error::new(e).context("Failed to authenticate"))
            }
            _ => ApiError::Unauthorized,
        })
}

/// RFC 3339 of a millisecond timestamp.
fn rfc3339(millis: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
