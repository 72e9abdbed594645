//! HTTP routes, one module per resource.

mod admin;
mod cases;
mod documents;
mod health;
mod me;
mod openapi;
pub(crate) mod sessions;
mod sync_tickets;

pub use admin::{audit_log, create_clinic, create_user, enroll_device, revoke_device};
pub use cases::{
    case_packet, case_packet_html, decide_duplicate, export_cases, get_case, list_cases,
    list_duplicates, resolve_case_conflict, review_case,
};
pub use documents::get_document;
pub use health::health_check;
pub use me::me;
pub use openapi::{openapi, openapi_document};
pub use sessions::{sign_in, sign_out};
pub use sync_tickets::create_ticket;

use actix_web::{HttpRequest, web};

use crate::auth::{Principal, authenticate_request};
use crate::error::ApiError;
use crate::state::AppStore;
use fieldclinic_domain::clock::now_millis;

/// Declares the `/api/v1` routes once: [`API_ROUTES`] lists them (the OpenAPI document is
/// checked against it) and [`configure_api`] registers the same list.
macro_rules! api_routes {
    ($($method:ident $path:literal => $handler:ident;)*) => {
        /// Every route under `/api/v1` as (method, path), in registration order.
        pub const API_ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// Registers every route of [`API_ROUTES`] (inside the `/api/v1` scope).
        pub fn configure_api<S: AppStore>(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::$method().to($handler::<S>));)*
        }
    };
}

api_routes! {
    get "/openapi.json" => openapi;
    post "/sessions" => sign_in;
    delete "/sessions" => sign_out;
    post "/sync-tickets" => create_ticket;
    get "/me" => me;
    get "/documents/{id}" => get_document;
    get "/cases" => list_cases;
    // Before `/cases/{id}`, which would otherwise take `export.csv` as an ID.
    get "/cases/export.csv" => export_cases;
    get "/cases/{id}" => get_case;
    post "/cases/{id}/review" => review_case;
    post "/cases/{id}/conflicts/resolve" => resolve_case_conflict;
    get "/cases/{id}/packet" => case_packet;
    get "/cases/{id}/packet.html" => case_packet_html;
    get "/duplicates" => list_duplicates;
    post "/duplicates/decision" => decide_duplicate;
    post "/admin/clinics" => create_clinic;
    post "/admin/users" => create_user;
    post "/admin/devices" => enroll_device;
    delete "/admin/devices/{id}" => revoke_device;
    get "/admin/audit" => audit_log;
}

/// The caller of an API route, by bearer token (device or session).
async fn caller<S: AppStore>(store: &S, req: &HttpRequest) -> Result<Principal, ApiError> {
    Ok(authenticate_request(store, req, false, now_millis()).await?)
}

/// Refuses text holding a NUL character, which no email, name or ID contains and PostgreSQL
/// cannot store in a `text` column (the statement would fail and the caller get a 500).
fn reject_nul(field: &str, value: &str) -> Result<(), ApiError> {
    if value.contains('\0') {
        Err(ApiError::Validation(format!(
            "{field} must not contain NUL characters"
        )))
    } else {
        Ok(())
    }
}

/// RFC 3339 of a millisecond timestamp (empty when out of range).
fn rfc3339(millis: i64) -> String {
    fieldclinic_domain::clock::rfc3339_millis(millis).unwrap_or_default()
}
