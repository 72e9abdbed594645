//! A supervisor's writes into an intake: the review, and the resolution of a conflicted field.
//! Both are the server's changes to the document, so they reach the volunteer's device.

use anyhow::Context as _;
use fieldclinic_domain::Principal;
use fieldclinic_domain::clock::{now_millis, rfc3339_millis};
use fieldclinic_schema::{
    ConflictChoice, DocumentId, ResolveError, Review, resolve_conflict, write_review,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::commit;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};

/// The longest review message, in characters.
const MESSAGE_MAX: usize = 4_000;

/// The body of `POST /api/v1/cases/{id}/review`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub(crate) decision: String,
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) fields: Vec<String>,
}

/// What `POST /api/v1/cases/{id}/review` answers.
#[derive(Debug, Serialize)]
pub struct ReviewRecorded {
    /// The intake.
    pub document_id: DocumentId,
    /// The review as written.
    pub review: Review,
}

/// Validates and writes a review into the intake's `review` section.
///
/// # Errors
/// 400 for a bad decision or message, 404 when the document is gone.
pub async fn submit_review<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    doc: DocumentId,
    body: ReviewRequest,
) -> Result<ReviewRecorded, ApiError> {
    if !Review::DECISIONS.contains(&body.decision.as_str()) {
        return Err(ApiError::Validation(format!(
            "decision must be one of {}",
            Review::DECISIONS.join(", ")
        )));
    }
    let message = body
        .message
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    if body.decision == "needs_info" && message.is_none() {
        return Err(ApiError::Validation(
            "a needs_info review needs a message telling the volunteer what to collect".into(),
        ));
    }
    if message
        .as_ref()
        .is_some_and(|m| m.chars().count() > MESSAGE_MAX)
        || body.fields.len() > 100
        || body.fields.iter().any(|f| f.len() > 200)
    {
        return Err(ApiError::Validation(format!(
            "message is limited to {MESSAGE_MAX} characters and fields to 100 paths"
        )));
    }
    let reviewer_email = state.store.user(&who.user_id).await?.email;
    let review = Review {
        decision: body.decision,
        message,
        fields: body.fields,
        reviewer: Some(reviewer_email),
        reviewed_at: rfc3339_millis(now_millis()).unwrap_or_default(),
    };
    let written = review.clone();
    let (heads, actor) = state
        .hub
        .change_document(doc, move |d| -> anyhow::Result<_> {
            if let Err(e) = write_review(d, &written) {
                d.rollback();
                return Err(e.into());
            }
            let heads = commit(d, format!("fieldclinic: review {}", written.decision));
            Ok((heads, d.get_actor().clone()))
        })
        .await?
        .context("Failed to write the review")?;
    state.hub.policy().record_api_change(
        who,
        &doc,
        &heads,
        &actor,
        "case.reviewed",
        json!({ "decision": review.decision }),
    );
    Ok(ReviewRecorded {
        document_id: doc,
        review,
    })
}

/// The body of `POST /api/v1/cases/{id}/conflicts/resolve`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub(crate) path: String,
    pub(crate) value_id: Option<String>,
    pub(crate) value: Option<serde_json::Value>,
    pub(crate) seen_value_ids: Option<Vec<String>>,
}

/// What `POST /api/v1/cases/{id}/conflicts/resolve` answers.
#[derive(Debug, Serialize)]
pub struct Resolution {
    /// The intake.
    pub document_id: DocumentId,
    /// The field resolved.
    pub path: String,
    /// The value written; any JSON the field takes.
    pub value: serde_json::Value,
}

/// Writes the chosen (or entered) value of a conflicted field as the server's change; the
/// determination is re-evaluated in the same write.
///
/// # Errors
/// 400 for a malformed choice, 404 when the document is gone, 409 when the field has no open
/// conflict or its values changed since `seen_value_ids` were read.
pub async fn resolve<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    doc: DocumentId,
    body: ResolveRequest,
) -> Result<Resolution, ApiError> {
    let choice = match (body.value_id, body.value) {
        (Some(id), None) => ConflictChoice::Value(id),
        (None, Some(value)) => ConflictChoice::Entered(value),
        _ => {
            return Err(ApiError::Validation(
                "give exactly one of value_id (one of the conflict's values) or value (a value \
                 entered instead)"
                    .into(),
            ));
        }
    };
    let field = body.path.clone();
    let seen = body.seen_value_ids;
    let outcome = state
        .hub
        .change_document(doc, move |d| {
            match resolve_conflict(d, &field, &choice, seen.as_deref()) {
                Ok(value) => {
                    let heads = commit(d, format!("fieldclinic: conflict resolved at {field}"));
                    Ok((value, heads, d.get_actor().clone()))
                }
                Err(e) => {
                    d.rollback();
                    Err(e)
                }
            }
        })
        .await?;
    let (value, heads, actor) = outcome.map_err(|e| match e {
        ResolveError::NoConflict(_) | ResolveError::Stale(_) => ApiError::Conflict(e.to_string()),
        ResolveError::UnknownValue(..) | ResolveError::Unsupported(_) => {
            ApiError::Validation(e.to_string())
        }
        ResolveError::Automerge(e) => {
            ApiError::Unexpected(anyhow::Error::new(e).context("Failed to write the resolution"))
        }
    })?;
    state.hub.policy().record_api_change(
        who,
        &doc,
        &heads,
        &actor,
        "conflict.resolved",
        json!({ "path": body.path }),
    );
    Ok(Resolution {
        document_id: doc,
        path: body.path,
        value,
    })
}
