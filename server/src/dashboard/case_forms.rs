//! The case page's forms: recording a review and resolving a conflict. Each writes through the
//! review service and sends the browser back to the case with what happened.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;

use super::supervisor::{action_message, back_to, case_form};
use crate::review::{ResolveRequest, ReviewRequest, resolve, submit_review};
use crate::state::{AppState, AppStore};

/// `POST /cases/{id}/review` form.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fields: String,
}

/// `POST /cases/{id}/review`.
pub async fn post_review<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    form: web::Form<ReviewForm>,
) -> HttpResponse {
    let (v, doc) = match case_form(&state, &req, &path, &form.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = form.into_inner();
    let request = ReviewRequest {
        decision: form.decision,
        message: Some(form.message),
        fields: form
            .fields
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let result = submit_review(&state, &v.who, doc, request).await;
    back_to(
        &path,
        result.map(|_| "review").map_err(|e| action_message(&e)),
    )
}

/// `POST /cases/{id}/resolve` form.
#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    csrf: String,
    path: String,
    #[serde(default)]
    choice: String,
    #[serde(default)]
    entered: String,
    #[serde(default)]
    seen: String,
}

/// `POST /cases/{id}/resolve`.
pub async fn post_resolve<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    form: web::Form<ResolveForm>,
) -> HttpResponse {
    let (v, doc) = match case_form(&state, &req, &path, &form.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = form.into_inner();
    let (value_id, value) = if let Some(id) = form.choice.strip_prefix("value:") {
        (Some(id.to_owned()), None)
    } else if form.choice == "entered" && !form.entered.trim().is_empty() {
        let text = form.entered.trim().to_owned();
        // `other_names` is a list: the form takes it separated by semicolons.
        let value = if form.path == "person.other_names" {
            Value::from(
                text.split(';')
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty())
                    .collect::<Vec<_>>(),
            )
        } else {
            Value::from(text)
        };
        (None, Some(value))
    } else {
        return back_to(
            &path,
            Err("Choose one of the values, or choose “Another value” and type it.".to_owned()),
        );
    };
    let request = ResolveRequest {
        path: form.path,
        value_id,
        value,
        seen_value_ids: Some(
            form.seen
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
    };
    let result = resolve(&state, &v.who, doc, request).await;
    back_to(
        &path,
        result.map(|_| "resolved").map_err(|e| action_message(&e)),
    )
}
