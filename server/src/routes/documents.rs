use actix_web::{HttpRequest, HttpResponse, web};
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{Access, DocumentPolicy, Presence};

use super::caller;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};

/// `GET /api/v1/documents/{id}`: a stored intake as JSON, for whoever may read it. Unknown and
/// forbidden documents are both 404, as on the sync socket.
///
/// # Errors
/// 401 without a credential, 404 when not found or not readable.
pub async fn get_document<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = &state.store;
    let who = caller(store, &req).await?;
    let doc: DocumentId = path.into_inner().parse().map_err(|_| ApiError::NotFound)?;
    let access = state
        .hub
        .policy()
        .access(&who, &doc, Presence::Stored)
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to check access"))?;
    if access == Access::None {
        return Err(ApiError::NotFound);
    }
    let d = crate::documents::load(store, doc)
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to load the document"))?
        .ok_or(ApiError::NotFound)?;
    let intake = tokio::task::spawn_blocking(move || {
        fieldclinic_schema::read_intake_with_problems(&d).map_err(anyhow::Error::new)
    })
    .await
    .map_err(|e| ApiError::Unexpected(e.into()))?
    .map_err(|e| ApiError::Unexpected(e.context("Failed to read the document")))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "document_id": doc,
        "url": doc.url(),
        "intake": intake.0,
        "problems": intake.1,
    })))
}
