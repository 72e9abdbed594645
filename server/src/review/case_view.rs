//! One case as a supervisor works it: the intake, its determination, the open conflicts with
//! who wrote each value, the history and the duplicate candidates.

use anyhow::Context as _;
use fieldclinic_domain::Principal;
use fieldclinic_review::history::{Author, History, HistoryEntry};
use fieldclinic_schema::{
    ConflictSection, Determination, DocumentId, FieldConflict, FieldProblem, Intake, Review,
    legal_conflicts, read_intake_with_problems,
};
use serde::Serialize;

use super::access::{emails, with_document};
use super::caseload::CaseItem;
use super::duplicates::DuplicateView;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};

/// What `GET /api/v1/cases/{id}` answers.
#[derive(Debug, Serialize)]
pub struct CaseView {
    /// The intake.
    pub document_id: DocumentId,
    /// Its `automerge:` URL.
    pub url: String,
    /// Its caseload row, once the index has it.
    pub case: Option<CaseItem>,
    /// The intake as the document holds it now.
    pub intake: Intake,
    /// The intake's determination (also inside `intake`), at the top for readers of the API.
    pub determination: Option<Determination>,
    /// The intake's review (also inside `intake`).
    pub review: Option<Review>,
    /// Values the schema does not accept.
    pub problems: Vec<FieldProblem>,
    /// Legal fields holding concurrent values.
    pub conflicts: Vec<ConflictView>,
    /// Every change, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The document heads read (hex).
    pub heads: Vec<String>,
    /// Duplicate candidates involving this intake.
    pub duplicates: Vec<DuplicateView>,
}

/// One open conflict of a case.
#[derive(Debug, Serialize)]
pub struct ConflictView {
    /// The field, e.g. `person.date_of_birth`.
    pub path: String,
    /// What part of the intake it is.
    pub section: ConflictSection,
    /// The offense the field belongs to, when it has an `id`.
    pub offense_id: Option<String>,
    /// The concurrent values.
    pub values: Vec<ConflictValueView>,
}

/// One value of an open conflict, with who wrote it and when.
#[derive(Debug, Serialize)]
pub struct ConflictValueView {
    /// What a resolution names to choose it.
    pub id: String,
    /// The value; any JSON a device may have written.
    pub value: serde_json::Value,
    /// Who wrote it.
    pub author: Author,
    /// The change that wrote it, when found.
    pub change_hash: Option<String>,
    /// When the device says it was made.
    pub made_at: Option<String>,
    /// When the server accepted it.
    pub accepted_at: Option<String>,
}

impl ConflictView {
    fn of(conflict: FieldConflict, history: &History) -> Self {
        let authorship = history.authorship(&conflict);
        Self {
            values: conflict
                .values
                .into_iter()
                .zip(authorship)
                .map(|(v, a)| ConflictValueView {
                    id: v.id,
                    value: v.value,
                    author: a.author,
                    change_hash: a.change_hash,
                    made_at: a.made_at,
                    accepted_at: a.accepted_at,
                })
                .collect(),
            path: conflict.path,
            section: conflict.section,
            offense_id: conflict.offense_id,
        }
    }
}

/// What the case page shows from the document, read in one pass.
struct CaseDocument {
    intake: Intake,
    problems: Vec<FieldProblem>,
    conflicts: Vec<ConflictView>,
    history: Vec<HistoryEntry>,
    heads: Vec<String>,
}

/// One intake of the caller's clinic with everything the case page shows.
///
/// # Errors
/// 404 when the document is gone; 500 when it is unreadable.
pub async fn case_view<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    doc: DocumentId,
) -> Result<CaseView, ApiError> {
    let store = &state.store;
    let authors = store.change_authors(&doc).await?;
    let read = with_document(store, doc, move |d| -> anyhow::Result<CaseDocument> {
        let (intake, problems) = read_intake_with_problems(d)?;
        let history = History::of(d, &authors);
        let conflicts = legal_conflicts(d)
            .into_iter()
            .map(|c| ConflictView::of(c, &history))
            .collect();
        Ok(CaseDocument {
            intake,
            problems,
            conflicts,
            history: history.entries().to_vec(),
            heads: d.get_heads().iter().map(ToString::to_string).collect(),
        })
    })
    .await?
    .context("Unreadable intake")?;
    let case = store.case(&doc).await?;
    let duplicates = store
        .duplicates(&who.clinic_id, None, Some(&doc), 50)
        .await?;
    let emails = emails(store, &who.clinic_id).await?;
    Ok(CaseView {
        document_id: doc,
        url: doc.url(),
        case: case.map(|c| CaseItem::of(c, &emails)),
        determination: read.intake.determination.clone(),
        review: read.intake.review.clone(),
        intake: read.intake,
        problems: read.problems,
        conflicts: read.conflicts,
        history: read.history,
        heads: read.heads,
        duplicates: duplicates
            .iter()
            .map(|d| DuplicateView::of(d, &doc))
            .collect(),
    })
}
