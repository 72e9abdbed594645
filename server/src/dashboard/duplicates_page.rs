//! The duplicate people page: open candidates with both cases side by side, and the form that
//! links a pair as the same person or dismisses it.

use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::html::{Section, esc, html, page, see_other, url_value};
use super::supervisor::{action_message, error_page, reviewer_form, reviewer_viewer};
use crate::review::{CaseItem, DuplicateDecision, DuplicateFilters, decide_pair, duplicate_list};
use crate::state::{AppState, AppStore};

/// `GET /duplicates`: open duplicate candidates with both cases.
pub async fn duplicates_page<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
) -> HttpResponse {
    let v = match reviewer_viewer(&state, &req).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let data = match duplicate_list(
        &state,
        &v.who,
        &DuplicateFilters {
            status: None,
            limit: Some(200),
        },
    )
    .await
    {
        Ok(d) => d,
        Err(e) => return error_page(&v, &e),
    };
    let items = &data.duplicates;
    let mut main = format!(
        "<div data-live=\"\"><h1>Duplicate people</h1><p>{} pair{} awaiting a decision. Linking never merges or deletes an intake.</p>",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    );
    if !items.is_empty() {
        main.push_str("<div class=\"table-wrap\"><table><caption class=\"visually-hidden\">Possible duplicates</caption><thead><tr>\
            <th scope=\"col\">First intake</th><th scope=\"col\">Second intake</th><th scope=\"col\">Score</th><th scope=\"col\">Why</th><th scope=\"col\">Decision</th></tr></thead><tbody>");
    }
    for item in items {
        let d = &item.duplicate;
        let reasons: Vec<String> = d.reasons.iter().map(|r| r.replace('_', " ")).collect();
        let (a, b) = (d.documents[0].to_string(), d.documents[1].to_string());
        let mut forms = String::new();
        for (decision, label) in [("linked", "Same person"), ("dismissed", "Different people")] {
            let _ = write!(
                forms,
                "<form method=\"post\" action=\"/duplicates/decision\" class=\"inline\">{}<input type=\"hidden\" name=\"a\" value=\"{}\">\
                 <input type=\"hidden\" name=\"b\" value=\"{}\"><input type=\"hidden\" name=\"decision\" value=\"{decision}\">\
                 <input type=\"hidden\" name=\"back\" value=\"/duplicates\"><button type=\"submit\">{label}</button></form> ",
                v.csrf_field(),
                esc(&a),
                esc(&b)
            );
        }
        let _ = write!(
            main,
            "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{forms}</td></tr>",
            case_cell(item.cases[0].as_ref()),
            case_cell(item.cases[1].as_ref()),
            d.score,
            esc(&reasons.join(", ")),
        );
    }
    if !items.is_empty() {
        main.push_str("</tbody></table></div>");
    }
    main.push_str("</div>");
    html(page(
        "Duplicate people",
        Some(&v),
        Section::Duplicates,
        &main,
    ))
}

/// One intake of a pair: its name linked to its case, its date of birth and volunteer. A case
/// the index no longer has still gets a cell, with nothing to link to.
fn case_cell(c: Option<&CaseItem>) -> String {
    format!(
        "<a href=\"/cases/{}\">{}</a><br><span class=\"small\">born {} · {}</span>",
        esc(&c.map(|c| c.document_id.to_string()).unwrap_or_default()),
        esc(c
            .and_then(|c| c.case.legal_name.as_deref())
            .unwrap_or("(no name)")),
        esc(c
            .and_then(|c| c.case.date_of_birth.as_deref())
            .unwrap_or("?")),
        esc(c
            .and_then(|c| c.volunteer_email.as_deref())
            .unwrap_or_default()),
    )
}

/// `POST /duplicates/decision` form.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: String,
    a: String,
    b: String,
    decision: String,
    back: Option<String>,
}

/// `POST /duplicates/decision`.
pub async fn post_decision<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    form: web::Form<DecisionForm>,
) -> HttpResponse {
    let v = match reviewer_form(&state, &req, &form.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let form = form.into_inner();
    let body = DuplicateDecision {
        documents: [form.a.clone(), form.b],
        decision: form.decision.clone(),
    };
    let result = decide_pair(&state, &v.who, &body).await;
    let back = form
        .back
        .filter(|b| super::session::is_local_path(b))
        .unwrap_or_else(|| "/duplicates".to_owned());
    let sep = if back.contains('?') { '&' } else { '?' };
    match result {
        Ok(_) => see_other(&format!("{back}{sep}done={}", url_value(&form.decision))),
        Err(e) => see_other(&format!(
            "{back}{sep}{}",
            super::notice::signed("error", &action_message(&e))
        )),
    }
}
