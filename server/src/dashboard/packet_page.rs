//! The printable certificate application packet of an eligible case.

use actix_web::{HttpRequest, HttpResponse, web};
use fieldclinic_review::packet;

use super::html::html;
use super::supervisor::{error_page, reviewer_viewer};
use crate::review::packet_for;
use crate::state::{AppState, AppStore};

/// `GET /cases/{id}/packet`: the printable certificate application packet.
pub async fn packet_page<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> HttpResponse {
    let v = match reviewer_viewer(&state, &req).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match packet_for(&state, &v.who, &path).await {
        Ok(p) => html(packet::render_html_linked(&p, "/assets/packet.css")),
        Err(e) => error_page(&v, &e),
    }
}
