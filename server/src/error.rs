//! API errors and their HTTP mapping: a JSON `{"reason": …}` body, opaque for server faults.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// What an API handler can fail with.
#[derive(thiserror::Error)]
pub enum ApiError {
    /// The request is malformed; the text says what to fix.
    #[error("{0}")]
    Validation(String),
    /// No valid credential.
    #[error("authentication required")]
    Unauthorized,
    /// The credential was valid once and has been revoked (a removed device, a deactivated
    /// user). The body says so, so the intake app can erase what it keeps.
    #[error("this device or account was removed from the clinic")]
    Revoked,
    /// Authenticated but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// Nothing there (or nothing this caller may see).
    #[error("not found")]
    NotFound,
    /// The request contradicts the current state; the text says how.
    #[error("{0}")]
    Conflict(String),
    /// Anything else; details go to the log only.
    #[error("internal error")]
    Unexpected(#[from] anyhow::Error),
}

/// A store failure: a missing row is a 404, anything else a 500 with the cause in the log.
impl From<fieldclinic_sync::StoreError> for ApiError {
    fn from(e: fieldclinic_sync::StoreError) -> Self {
        match e {
            fieldclinic_sync::StoreError::NotFound => Self::NotFound,
            e => Self::Unexpected(anyhow::Error::new(e).context("The store failed")),
        }
    }
}

/// A server-side change that could not be made: an unknown document is a 404.
impl From<fieldclinic_sync::HubError> for ApiError {
    fn from(e: fieldclinic_sync::HubError) -> Self {
        match e {
            fieldclinic_sync::HubError::NotFound => Self::NotFound,
            e => Self::Unexpected(anyhow::Error::new(e).context("Failed to change the document")),
        }
    }
}

/// A failed authentication: a bad or missing credential is a 401, a store failure a 500.
impl From<crate::auth::AuthError> for ApiError {
    fn from(e: crate::auth::AuthError) -> Self {
        match e {
            crate::auth::AuthError::Store(e) => {
                Self::Unexpected(anyhow::Error::new(e).context("Failed to authenticate"))
            }
            crate::auth::AuthError::Revoked => Self::Revoked,
            _ => Self::Unauthorized,
        }
    }
}

impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        error_chain_fmt(self, f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized | Self::Revoked => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Unexpected(e) = self {
            tracing::error!(error.cause_chain = ?e, error.message = %e, "request failed");
        }
        let body = match self {
            Self::Revoked => serde_json::json!({ "reason": self.to_string(), "revoked": true }),
            _ => serde_json::json!({ "reason": self.to_string() }),
        };
        HttpResponse::build(self.status_code()).json(body)
    }
}

/// Writes an error and its whole `source()` chain, for logs.
///
/// # Errors
/// When the formatter fails.
pub fn error_chain_fmt(
    e: &impl std::error::Error,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    writeln!(f, "{e}")?;
    let mut current = e.source();
    while let Some(cause) = current {
        writeln!(f, "Caused by:\n\t{cause}")?;
        current = cause.source();
    }
    Ok(())
}
