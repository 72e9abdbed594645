use actix_web::{HttpResponse, web};

use crate::state::{AppState, AppStore};

/// `GET /healthz`: 200 when the database answers now, 503 otherwise.
pub async fn health_check<S: AppStore>(state: web::Data<AppState<S>>) -> HttpResponse {
    match &state.store.ping().await {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(e) => {
            tracing::warn!(error.message = %e, "health check: database unavailable");
            HttpResponse::ServiceUnavailable().json(
                serde_json::json!({ "status": "unavailable", "reason": "database unavailable" }),
            )
        }
    }
}
