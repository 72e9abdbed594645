//! Who may review, which intakes they reach, and reading one of them.

use std::collections::HashMap;

use actix_web::HttpRequest;
use anyhow::Context as _;
use automerge::AutoCommit;
use fieldclinic_domain::Principal;
use fieldclinic_domain::clock::now_millis;
use fieldclinic_schema::DocumentId;
use fieldclinic_stores::accounts::{ClinicId, OwnedKind, UserId};
use fieldclinic_sync::Store;

use crate::auth::authenticate_request;
use crate::error::ApiError;
use crate::state::AppStore;

/// The caller, if they may review their clinic's cases.
///
/// # Errors
/// 401 without a valid credential, 403 for a caller who sees only their own intakes.
pub async fn reviewer<S: AppStore>(store: &S, req: &HttpRequest) -> Result<Principal, ApiError> {
    let who = authenticate_request(store, req, false, now_millis()).await?;
    if who.sees_whole_clinic() {
        Ok(who)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// An intake of the caller's clinic, or 404 (another clinic's looks unknown).
///
/// # Errors
/// 404 for a malformed ID, an unknown document, another clinic's, or one that is no intake.
pub async fn clinic_intake<S: AppStore>(
    store: &S,
    who: &Principal,
    raw: &str,
) -> Result<DocumentId, ApiError> {
    let doc: DocumentId = raw.parse().map_err(|_| ApiError::NotFound)?;
    match store.document_owner(&doc).await? {
        Some(owner) if owner.clinic_id == who.clinic_id && owner.kind == OwnedKind::Intake => {
            Ok(doc)
        }
        _ => Err(ApiError::NotFound),
    }
}

/// Loads a stored document on a blocking thread and runs `read` on it.
pub(super) async fn with_document<S: Store, R: Send + 'static>(
    store: &S,
    doc: DocumentId,
    read: impl FnOnce(&mut AutoCommit) -> R + Send + 'static,
) -> Result<R, ApiError> {
    let mut d = crate::documents::load(store, doc)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(tokio::task::spawn_blocking(move || read(&mut d))
        .await
        .context("Failed to read the document")?)
}

/// The emails of the clinic's users, to show who recorded each case.
pub(super) async fn emails<S: AppStore>(
    store: &S,
    clinic: &ClinicId,
) -> Result<HashMap<UserId, String>, ApiError> {
    Ok(store
        .clinic_users(clinic)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect())
}
