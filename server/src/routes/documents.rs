use actix_web::{HttpRequest, HttpResponse, web};
use automerge::AutoCommit;
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{Access, DocumentPolicy, Presence, Store, StoreError};

use super::caller;
use crate::error::ApiError;
use crate::startup::AppHub;
use crate::store::accounts::AccountStore;

/// `GET /api/v1/documents/{id}`: a stored intake as JSON, for whoever may read it. Unknown and
/// forbidden documents are both 404, as on the sync socket.
///
/// # Errors
/// 401 without a credential, 404 when not found or not readable.
pub async fn get_document<S: Store + AccountStore>(
    req: HttpRequest,
    hub: web::Data<AppHub<S>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = hub.store();
    let who = caller(store, &req).await?;
    let doc: DocumentId = path.into_inner().parse().map_err(|_| ApiError::NotFound)?;
    let access = hub
        .policy()
        .access(&who, &doc, Presence::Stored)
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to check access"))?;
    if access == Access::None {
        return Err(ApiError::NotFound);
    }
    let chunks = match store.load_chunks(&doc).await {
        Ok(c) if !c.is_empty() => c,
        Ok(_) | Err(StoreError::NotFound) => return Err(ApiError::NotFound),
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context("Failed to load the document")
                .into());
        }
    };
    let intake = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut d = AutoCommit::new();
        for c in &chunks {
            d.load_incremental(&c.data)?;
        }
        let (intake, problems) = fieldclinic_schema::read_intake_with_problems(&d)?;
        Ok((intake, problems))
    })
    .await
    .map_err(|e| ApiError::Unexpected(e.into()))??;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "document_id": doc,
        "url": doc.url(),
        "intake": intake.0,
        "problems": intake.1,
    })))
}
