//! Possible duplicate people: the clinic's candidates with both cases, and a supervisor's
//! decision about a pair (linking writes `server.same_person` into both documents; nothing is
//! merged or deleted).

use anyhow::Context as _;
use automerge::AutoCommit;
use fieldclinic_domain::Principal;
use fieldclinic_domain::clock::{now_millis, rfc3339_millis};
use fieldclinic_schema::{DocumentId, PersonLink, read_intake, write_server_section};
use fieldclinic_stores::accounts::UserId;
use fieldclinic_stores::cases::{DuplicateCandidate, DuplicateStatus};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::access::{clinic_intake, emails};
use super::caseload::CaseItem;
use super::commit;
use super::filters::DuplicateFilters;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};

/// A duplicate candidate as seen from one of its intakes.
#[derive(Debug, Serialize)]
pub struct DuplicateView {
    /// The pair's other intake.
    pub other_document_id: DocumentId,
    /// The pair, in the order the store keeps it.
    pub documents: [DocumentId; 2],
    /// How alike the two are, 0..1.
    pub score: f64,
    /// Why they match, e.g. `same_date_of_birth`.
    pub reasons: Vec<String>,
    /// The decision so far.
    pub status: DuplicateStatus,
    /// When the pair was first found (RFC 3339).
    pub detected_at: Option<String>,
    /// When it was decided (RFC 3339).
    pub decided_at: Option<String>,
    /// Who decided.
    pub decided_by: Option<UserId>,
}

impl DuplicateView {
    /// The candidate `d` as seen from its intake `of`.
    pub(super) fn of(d: &DuplicateCandidate, of: &DocumentId) -> Self {
        let other = if d.doc_a == *of { d.doc_b } else { d.doc_a };
        Self {
            other_document_id: other,
            documents: [d.doc_a, d.doc_b],
            score: d.score,
            reasons: d.reasons.clone(),
            status: d.status,
            detected_at: rfc3339_millis(d.detected_at_millis),
            decided_at: d.decided_at_millis.and_then(rfc3339_millis),
            decided_by: d.decided_by,
        }
    }
}

/// A candidate of the duplicate list, with both cases' caseload rows.
#[derive(Debug, Serialize)]
pub struct DuplicateItem {
    /// The candidate, seen from its first intake.
    #[serde(flatten)]
    pub duplicate: DuplicateView,
    /// The rows of `documents`, in the same order; `None` for one the index no longer has.
    pub cases: [Option<CaseItem>; 2],
}

/// What `GET /api/v1/duplicates` answers.
#[derive(Debug, Serialize)]
pub struct DuplicateList {
    /// The candidates, best first.
    pub duplicates: Vec<DuplicateItem>,
}

/// The clinic's duplicate-person candidates, best first, each with both cases.
///
/// # Errors
/// 400 for a bad status.
pub async fn duplicate_list<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    filters: &DuplicateFilters,
) -> Result<DuplicateList, ApiError> {
    let store = &state.store;
    let (status, limit) = filters.checked()?;
    let found = store
        .duplicates(&who.clinic_id, status, None, limit)
        .await?;
    let emails = emails(store, &who.clinic_id).await?;
    let mut duplicates = Vec::with_capacity(found.len());
    for d in &found {
        let a = store.case(&d.doc_a).await?;
        let b = store.case(&d.doc_b).await?;
        duplicates.push(DuplicateItem {
            duplicate: DuplicateView::of(d, &d.doc_a),
            cases: [a, b].map(|c| c.map(|c| CaseItem::of(c, &emails))),
        });
    }
    Ok(DuplicateList { duplicates })
}

/// The body of `POST /api/v1/duplicates/decision`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateDecision {
    pub(crate) documents: [String; 2],
    pub(crate) decision: String,
}

/// Records a duplicate decision, linking the documents when they are the same person.
///
/// # Errors
/// 400 for a bad decision, 404 when the pair is not a candidate of the caller's clinic.
pub async fn decide_pair<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    body: &DuplicateDecision,
) -> Result<DuplicateView, ApiError> {
    let store = &state.store;
    let status = match body.decision.as_str() {
        "linked" => DuplicateStatus::Linked,
        "dismissed" => DuplicateStatus::Dismissed,
        _ => {
            return Err(ApiError::Validation(
                "decision must be linked or dismissed".into(),
            ));
        }
    };
    let a = clinic_intake(store, who, &body.documents[0]).await?;
    let b = clinic_intake(store, who, &body.documents[1]).await?;
    let decided = store
        .decide_duplicate(&who.clinic_id, (a, b), status, &who.user_id, now_millis())
        .await?;
    if status == DuplicateStatus::Linked {
        let by = store.user(&who.user_id).await?.email;
        for (doc, other) in [(a, b), (b, a)] {
            let by = by.clone();
            let (heads, actor) = state
                .hub
                .change_document(doc, move |d| link_person(d, &other, &by))
                .await?
                .context("Failed to write the link")?;
            if !heads.is_empty() {
                state.hub.policy().record_api_change(
                    who,
                    &doc,
                    &heads,
                    &actor,
                    "person.linked",
                    json!({ "other": other }),
                );
            }
        }
    } else {
        state
            .hub
            .policy()
            .entry(who, &a, "duplicate.dismissed", json!({ "other": b }));
    }
    Ok(DuplicateView::of(&decided, &a))
}

/// Adds `other` to the document's `server.same_person` unless it is there; returns the new heads
/// (empty when nothing changed).
fn link_person(
    d: &mut AutoCommit,
    other: &DocumentId,
    by: &str,
) -> anyhow::Result<(Vec<automerge::ChangeHash>, automerge::ActorId)> {
    let intake = read_intake(d)?;
    let mut section = intake.server.unwrap_or_default();
    let url = other.url();
    if section.same_person.iter().any(|l| l.document_url == url) {
        return Ok((Vec::new(), d.get_actor().clone()));
    }
    section.same_person.push(PersonLink {
        document_url: url,
        linked_by: Some(by.to_owned()),
        linked_at: rfc3339_millis(now_millis()).unwrap_or_default(),
    });
    if let Err(e) = write_server_section(d, &section) {
        d.rollback();
        return Err(e.into());
    }
    let heads = commit(d, "fieldclinic: same person linked".to_owned());
    Ok((heads, d.get_actor().clone()))
}
