//! The supervisor and admin web dashboard, served by the same binary: server-rendered pages with
//! a little JavaScript for live updates, assets embedded in the binary, cookie sessions with CSRF
//! tokens on every form. Everything it shows and changes goes through the review service and the
//! admin operations, so the browser and the API cannot disagree.

pub mod admin_common;
pub mod audit_page;
pub mod case_forms;
pub mod case_page;
pub mod caseload_page;
pub mod devices_page;
pub mod duplicates_page;
pub mod events;
pub mod home_page;
pub mod html;
pub mod notice;
pub mod packet_page;
pub mod session;
mod supervisor;
pub mod users_page;

use actix_web::{HttpResponse, http::header, web};

use crate::state::AppStore;

pub use crate::state::DashboardSettings;

const APP_CSS: &str = include_str!("assets/app.css");
const APP_JS: &str = include_str!("assets/app.js");

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        // Embedded in the binary, so they change only with a new release; a day keeps slow
        // connections from fetching them on every page.
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

async fn app_css() -> HttpResponse {
    asset("text/css; charset=utf-8", APP_CSS)
}

async fn packet_css() -> HttpResponse {
    asset("text/css; charset=utf-8", fieldclinic_review::packet::STYLE)
}

async fn app_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

/// Registers the dashboard's routes (outside `/api/v1`).
pub fn configure<S: AppStore>(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home_page::home::<S>))
        .route("/assets/app.css", web::get().to(app_css))
        .route("/assets/app.js", web::get().to(app_js))
        .route("/assets/packet.css", web::get().to(packet_css))
        .route("/login", web::get().to(session::login_form::<S>))
        .route("/login", web::post().to(session::login::<S>))
        .route("/logout", web::post().to(session::logout::<S>))
        .route("/events", web::get().to(events::events::<S>))
        .route("/cases", web::get().to(caseload_page::caseload_page::<S>))
        .route(
            "/cases/export.csv",
            web::get().to(caseload_page::caseload_csv::<S>),
        )
        .route("/cases/{id}", web::get().to(case_page::case_page::<S>))
        .route(
            "/cases/{id}/packet",
            web::get().to(packet_page::packet_page::<S>),
        )
        .route(
            "/cases/{id}/review",
            web::post().to(case_forms::post_review::<S>),
        )
        .route(
            "/cases/{id}/resolve",
            web::post().to(case_forms::post_resolve::<S>),
        )
        .route(
            "/duplicates",
            web::get().to(duplicates_page::duplicates_page::<S>),
        )
        .route(
            "/duplicates/decision",
            web::post().to(duplicates_page::post_decision::<S>),
        )
        .route("/admin/users", web::get().to(users_page::users_page::<S>))
        .route("/admin/users", web::post().to(users_page::create_user::<S>))
        .route(
            "/admin/devices",
            web::get().to(devices_page::devices_page::<S>),
        )
        .route(
            "/admin/devices",
            web::post().to(devices_page::enroll_device::<S>),
        )
        .route(
            "/admin/devices/{id}/revoke",
            web::post().to(devices_page::revoke_device::<S>),
        )
        .route("/admin/audit", web::get().to(audit_page::audit_page::<S>));
}
