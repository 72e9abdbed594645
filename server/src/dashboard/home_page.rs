//! The home page: where `/` sends each role.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::html::{Section, html_status, page, see_other};
use super::session::viewer;
use crate::state::{AppState, AppStore};

/// `GET /`: the caseload for reviewers, the admin pages for others who may see them.
pub async fn home<S: AppStore>(req: HttpRequest, state: web::Data<AppState<S>>) -> HttpResponse {
    match viewer(&state.store, &req).await {
        Ok(v) if v.who.sees_whole_clinic() => see_other("/cases"),
        Ok(v) => html_status(
            StatusCode::FORBIDDEN,
            page(
                "Not available",
                Some(&v),
                Section::None,
                "<h1>Not available to volunteers</h1><p>Record and update intakes in the <a href=\"/app/\">intake app</a> on your device.</p>",
            ),
        ),
        Err(e) => e.response(&req),
    }
}
