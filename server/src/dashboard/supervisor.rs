//! What the supervisor pages share: who may see them, the error page and form messages, the
//! outcome and review words in plain language, and the redirect back to a case after a form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use fieldclinic_schema::DocumentId;

use super::html::{Section, Viewer, esc, html_status, page, see_other, url_value};
use super::session::{csrf_failed, csrf_ok, viewer};
use crate::error::ApiError;
use crate::review::clinic_intake;
use crate::state::{AppState, AppStore};

/// A page body or the response that replaces it (sign-in redirect, error page).
pub(super) type Rendered = Result<HttpResponse, HttpResponse>;

/// The viewer, if they may review cases.
pub(super) async fn reviewer_viewer<S: AppStore>(
    state: &AppState<S>,
    req: &HttpRequest,
) -> Result<Viewer, HttpResponse> {
    let v = viewer(&state.store, req)
        .await
        .map_err(|e| e.response(req))?;
    if v.who.sees_whole_clinic() {
        Ok(v)
    } else {
        Err(html_status(
            StatusCode::FORBIDDEN,
            page(
                "Not available",
                Some(&v),
                Section::None,
                "<h1>Not available to volunteers</h1><p>The dashboard is for supervisors and \
                 admins. Record and update intakes in the <a href=\"/app/\">intake app</a> on your device.</p>",
            ),
        ))
    }
}

/// The page shown instead of the one asked for when the review service refused or failed.
pub(super) fn error_page(v: &Viewer, e: &ApiError) -> HttpResponse {
    let (status, title, text) = match e {
        ApiError::NotFound => (
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such case in your clinic.".to_owned(),
        ),
        ApiError::Validation(m) | ApiError::Conflict(m) => {
            (StatusCode::BAD_REQUEST, "Check the request", m.clone())
        }
        ApiError::Forbidden | ApiError::Unauthorized | ApiError::Revoked => (
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Your role may not do this.".to_owned(),
        ),
        ApiError::Unexpected(err) => {
            tracing::error!(error.cause_chain = ?err, error.message = %err, "dashboard request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error",
                "Something went wrong; the error was logged.".to_owned(),
            )
        }
    };
    html_status(
        status,
        page(
            title,
            Some(v),
            Section::None,
            &format!("<h1>{title}</h1><p>{}</p>", esc(&text)),
        ),
    )
}

/// What a failed form action tells the person, without server internals.
pub(super) fn action_message(e: &ApiError) -> String {
    match e {
        ApiError::Validation(m) | ApiError::Conflict(m) => m.clone(),
        ApiError::NotFound => "That case is not in your clinic.".to_owned(),
        ApiError::Forbidden | ApiError::Unauthorized | ApiError::Revoked => {
            "Your role may not do this.".to_owned()
        }
        ApiError::Unexpected(err) => {
            tracing::error!(error.cause_chain = ?err, error.message = %err, "dashboard action failed");
            "Saving failed on the server; nothing was changed. Try again.".to_owned()
        }
    }
}

/// The determination outcomes (and `none`, not evaluated) in plain language.
pub(super) const OUTCOMES: &[(&str, &str)] = &[
    ("ELIGIBLE", "Eligible"),
    ("NOT_ELIGIBLE", "Not eligible"),
    ("NEEDS_MORE_INFO", "Needs more information"),
    ("none", "Not evaluated yet"),
];

/// The review states in plain language.
pub(super) const REVIEWS: &[(&str, &str)] = &[
    ("none", "Not reviewed"),
    ("approved", "Approved"),
    ("needs_info", "Needs info"),
    ("rejected", "Rejected"),
];

/// The label of `word` in `table`, or the word itself when the table lacks it.
pub(super) fn label_of(table: &[(&str, &'static str)], word: &str) -> String {
    table
        .iter()
        .find(|(w, _)| *w == word)
        .map_or_else(|| word.to_owned(), |(_, l)| (*l).to_owned())
}

/// An outcome as a coloured badge (`None` reads "not evaluated yet").
pub(super) fn outcome_badge(outcome: Option<&str>, provisional: bool) -> String {
    let word = outcome.unwrap_or("none");
    let extra = if provisional { " (provisional)" } else { "" };
    format!(
        "<span class=\"badge badge-{}\">{}{extra}</span>",
        esc(&word.to_lowercase()),
        esc(&label_of(OUTCOMES, word))
    )
}

/// The viewer of a posted form, if they may review and the form carries their CSRF token.
pub(super) async fn reviewer_form<S: AppStore>(
    state: &AppState<S>,
    req: &HttpRequest,
    csrf: &str,
) -> Result<Viewer, HttpResponse> {
    let v = reviewer_viewer(state, req).await?;
    if csrf_ok(&v, csrf) {
        Ok(v)
    } else {
        Err(csrf_failed(&v))
    }
}

/// Like [`reviewer_form`], for a form about the case at `raw` (an intake of their clinic).
pub(super) async fn case_form<S: AppStore>(
    state: &AppState<S>,
    req: &HttpRequest,
    raw: &str,
    csrf: &str,
) -> Result<(Viewer, DocumentId), HttpResponse> {
    let v = reviewer_form(state, req, csrf).await?;
    match clinic_intake(&state.store, &v.who, raw).await {
        Ok(doc) => Ok((v, doc)),
        Err(e) => Err(error_page(&v, &e)),
    }
}

/// The redirect back to the case page after a form, saying what was done or what failed.
pub(super) fn back_to(id: &str, outcome: Result<&str, String>) -> HttpResponse {
    match outcome {
        Ok(done) => see_other(&format!("/cases/{}?done={done}", url_value(id))),
        Err(e) => see_other(&format!(
            "/cases/{}?{}",
            url_value(id),
            super::notice::signed("error", &e)
        )),
    }
}
