use actix_web::{HttpResponse, web};
use fieldclinic_sync::Store;

use crate::startup::AppHub;
use crate::store::Health;
use crate::store::accounts::AccountStore;

/// `GET /healthz`: 200 when the database answers now, 503 otherwise.
pub async fn health_check<S: Store + AccountStore + Health>(
    hub: web::Data<AppHub<S>>,
) -> HttpResponse {
    match hub.store().ping().await {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(e) => {
            tracing::warn!(error.message = %e, "health check: database unavailable");
            HttpResponse::ServiceUnavailable().json(
                serde_json::json!({ "status": "unavailable", "reason": "database unavailable" }),
            )
        }
    }
}
