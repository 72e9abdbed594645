use actix_web::{HttpRequest, HttpResponse, web};

use super::caller;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};

/// `GET /api/v1/me`: the caller's account and the URL of their index document.
///
/// # Errors
/// 401 without a valid bearer token.
pub async fn me<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
) -> Result<HttpResponse, ApiError> {
    let who = caller(&state.store, &req).await?;
    let user = state
        .store
        .user(&who.user_id)
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to read the user"))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "user_id": user.id,
        "clinic_id": user.clinic_id,
        "email": user.email,
        "role": user.role,
        "device_id": who.device_id,
        "index_url": user.index_doc.url(),
    })))
}
