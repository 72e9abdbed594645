//! The review API's HTTP handlers: supervisors' caseload, case detail with conflicts and history,
//! reviews and conflict resolutions, duplicate people and certificate packets. Each
//! authenticates, calls the review service and serialises its view.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use fieldclinic_review::packet;

use crate::error::ApiError;
use crate::review::{
    self, CaseFilters, DuplicateDecision, DuplicateFilters, ResolveRequest, ReviewRequest,
    clinic_intake, reviewer,
};
use crate::state::{AppState, AppStore};

/// `GET /api/v1/cases`: a page of the clinic's caseload with the total and the clinic's counts.
///
/// # Errors
/// 400 for a bad filter, 401/403 for a caller who may not review.
pub async fn list_cases<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    filters: web::Query<CaseFilters>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let page = review::caseload(&state, &who, &filters).await?;
    Ok(HttpResponse::Ok().json(&page))
}

/// `GET /api/v1/cases/export.csv`: the filtered caseload as CSV (every page, up to 50,000 rows).
///
/// # Errors
/// As [`list_cases`].
pub async fn export_cases<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    filters: web::Query<CaseFilters>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let csv = review::export_csv(&state, &who, filters.into_inner()).await?;
    Ok(csv.into_response())
}

/// `GET /api/v1/cases/{id}`: the intake, its determination with explanations, open conflicts
/// (each value with its author and time), history, duplicate candidates.
///
/// # Errors
/// 404 for an unknown intake or one of another clinic.
pub async fn get_case<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let doc = clinic_intake(&state.store, &who, &path).await?;
    let view = review::case_view(&state, &who, doc).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(&view))
}

/// `POST /api/v1/cases/{id}/review`: records the supervisor's decision in the document's
/// `review` section, which syncs to every device holding the intake.
///
/// # Errors
/// 400 for a bad decision or message, 404 for an unknown intake.
pub async fn review_case<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    body: web::Json<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let doc = clinic_intake(&state.store, &who, &path).await?;
    let recorded = review::submit_review(&state, &who, doc, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(&recorded))
}

/// `POST /api/v1/cases/{id}/conflicts/resolve`: writes the chosen (or entered) value of a
/// conflicted field as the server's change; the determination is re-evaluated in the same write.
///
/// # Errors
/// 400 for a malformed choice, 404 for an unknown intake, 409 when the field has no open
/// conflict or its values changed since `seen_value_ids` were read.
pub async fn resolve_case_conflict<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    body: web::Json<ResolveRequest>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let doc = clinic_intake(&state.store, &who, &path).await?;
    let resolution = review::resolve(&state, &who, doc, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(&resolution))
}

/// `GET /api/v1/cases/{id}/packet`: the certificate application packet of an eligible case.
///
/// # Errors
/// 404 for an unknown intake, 409 when the case is not (yet) eligible.
pub async fn case_packet<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let built = review::packet_for(&state, &who, &path).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(&built))
}

/// `GET /api/v1/cases/{id}/packet.html`: the same packet as a printable page.
///
/// # Errors
/// As [`case_packet`].
pub async fn case_packet_html<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let built = review::packet_for(&state, &who, &path).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(packet::render_html(&built)))
}

/// `GET /api/v1/duplicates`: the clinic's duplicate-person candidates, best first, each with both
/// cases' summaries.
///
/// # Errors
/// 400 for a bad status.
pub async fn list_duplicates<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    filters: web::Query<DuplicateFilters>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let list = review::duplicate_list(&state, &who, &filters).await?;
    Ok(HttpResponse::Ok().json(&list))
}

/// `POST /api/v1/duplicates/decision`: links two intakes as the same person (the link is written
/// into both documents' `server.same_person`, so it syncs to devices; nothing is merged or
/// deleted), or dismisses the pair as different people.
///
/// # Errors
/// 400 for a bad decision, 404 when the pair is not a candidate of the caller's clinic.
pub async fn decide_duplicate<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    body: web::Json<DuplicateDecision>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let decided = review::decide_pair(&state, &who, &body).await?;
    Ok(HttpResponse::Ok().json(&decided))
}
