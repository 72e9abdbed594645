//! The case index (a SQL projection of every intake) and the duplicate-person candidates between
//! intakes: what supervisors' caseload queries read, so they never load a document. Implemented by
//! both `SqliteStore` and `PostgresStore` with one SQL text (`store/case_sql.rs`).
//!
//! Everything here is derived from the documents: the projector writes it after every commit and
//! re-projects any intake whose stored heads differ from its document's (see
//! [`CaseStore::unprojected_intakes`]). Only the supervisors' duplicate decisions are original.

use std::collections::BTreeMap;
use std::future::Future;

use fieldclinic_schema::DocumentId;
use fieldclinic_sync::StoreError;
use serde::Serialize;

use super::accounts::{ClinicId, UserId};

/// An intake's row of the case index, as the projector computes it from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseProjection {
    /// The intake.
    pub doc: DocumentId,
    /// As entered.
    pub legal_name: Option<String>,
    /// As entered.
    pub other_names: Vec<String>,
    /// Normalised names joined by ` | `, searched by [`CaseQuery::name`].
    pub name_search: String,
    /// As entered.
    pub date_of_birth: Option<String>,
    /// The determination's outcome, once there is one.
    pub outcome: Option<String>,
    /// Whether the determination is provisional (open legal conflicts).
    pub provisional: bool,
    /// How many legal fields hold concurrent values.
    pub open_conflicts: u32,
    /// `none`, `approved`, `needs_info` or `rejected`.
    pub review_state: String,
    /// Offenses on the intake.
    pub offense_count: u32,
    /// Required certificate checklist items still missing.
    pub missing_required: u32,
    /// The normalised identity for duplicate scoring (JSON of `review::duplicates::PersonKeys`).
    pub person_keys: serde_json::Value,
    /// `(kind, value)` keys under which duplicate candidates are looked up.
    pub identifiers: Vec<(String, String)>,
    /// The document heads projected (hex).
    pub heads: Vec<String>,
    /// When the projected change was committed.
    pub updated_at_millis: i64,
}

/// A case as the caseload reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRecord {
    /// The intake.
    pub doc: DocumentId,
    /// Its clinic.
    pub clinic_id: ClinicId,
    /// The volunteer whose device created it.
    pub created_by_user: UserId,
    /// As entered.
    pub legal_name: Option<String>,
    /// As entered.
    pub other_names: Vec<String>,
    /// As entered.
    pub date_of_birth: Option<String>,
    /// The determination's outcome, once there is one.
    pub outcome: Option<String>,
    /// Whether the determination is provisional.
    pub provisional: bool,
    /// How many legal fields hold concurrent values.
    pub open_conflicts: u32,
    /// `none`, `approved`, `needs_info` or `rejected`.
    pub review_state: String,
    /// Offenses on the intake.
    pub offense_count: u32,
    /// Required checklist items still missing.
    pub missing_required: u32,
    /// The normalised identity for duplicate scoring.
    #[serde(skip)]
    pub person_keys: serde_json::Value,
    /// When the last change was committed (ms since the epoch).
    pub updated_at_millis: i64,
}

/// The order of a caseload page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseSort {
    /// Last change.
    #[default]
    UpdatedAt,
    /// Normalised name.
    Name,
    /// Outcome word.
    Outcome,
    /// Date of birth.
    DateOfBirth,
}

impl CaseSort {
    /// Parses the API word.
    #[must_use]
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "updated_at" => Self::UpdatedAt,
            "name" => Self::Name,
            "outcome" => Self::Outcome,
            "date_of_birth" => Self::DateOfBirth,
            _ => return None,
        })
    }

    /// The words [`CaseSort::parse`] accepts.
    pub const WORDS: &'static [&'static str] = &["updated_at", "name", "outcome", "date_of_birth"];
}

/// A caseload query: one clinic, optional filters, an order and a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseQuery {
    /// The clinic (always set: nobody lists another clinic).
    pub clinic_id: ClinicId,
    /// Only this outcome; `Some("none")` means not evaluated yet.
    pub outcome: Option<String>,
    /// Only this review state.
    pub review_state: Option<String>,
    /// Only cases with (true) or without (false) open conflicts.
    pub has_conflicts: Option<bool>,
    /// Only cases created by this volunteer.
    pub volunteer: Option<UserId>,
    /// Only cases changed at or after this time (ms).
    pub updated_since_millis: Option<i64>,
    /// Only cases whose normalised names contain this normalised text.
    pub name: Option<String>,
    /// Order.
    pub sort: CaseSort,
    /// Largest first.
    pub descending: bool,
    /// Page size (at most [`CASE_PAGE_MAX`]).
    pub limit: u32,
    /// Rows skipped.
    pub offset: u32,
}

/// The largest caseload page.
pub const CASE_PAGE_MAX: u32 = 500;

/// A caseload page and the number of cases matching the filters.
#[derive(Debug, Clone, PartialEq)]
pub struct CasePage {
    /// The page.
    pub cases: Vec<CaseRecord>,
    /// Every case matching the filters.
    pub total: u64,
}

/// Counts over a clinic's whole caseload.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CaseCounts {
    /// Every case.
    pub total: u64,
    /// By outcome (`none` for not evaluated).
    pub by_outcome: BTreeMap<String, u64>,
    /// By review state.
    pub by_review_state: BTreeMap<String, u64>,
    /// Cases with open conflicts.
    pub with_open_conflicts: u64,
    /// Duplicate candidates awaiting a decision.
    pub open_duplicates: u64,
}

/// What a supervisor decided about a duplicate candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateStatus {
    /// Not decided.
    Open,
    /// The same person.
    Linked,
    /// Different people.
    Dismissed,
}

impl DuplicateStatus {
    /// The stored word.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Linked => "linked",
            Self::Dismissed => "dismissed",
        }
    }

    /// Parses the stored word.
    #[must_use]
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "open" => Self::Open,
            "linked" => Self::Linked,
            "dismissed" => Self::Dismissed,
            _ => return None,
        })
    }
}

/// A pair of intakes that may describe the same person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateCandidate {
    /// The pair, in byte order.
    pub doc_a: DocumentId,
    /// The pair, in byte order.
    pub doc_b: DocumentId,
    /// 0..1.
    pub score: f64,
    /// Match reasons.
    pub reasons: Vec<String>,
    /// The decision.
    pub status: DuplicateStatus,
    /// When first detected (ms).
    pub detected_at_millis: i64,
    /// When decided (ms).
    pub decided_at_millis: Option<i64>,
    /// Who decided.
    pub decided_by: Option<UserId>,
}

/// A match the projector found for one intake.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectedDuplicate {
    /// The other intake.
    pub other: DocumentId,
    /// 0..1.
    pub score: f64,
    /// Match reasons.
    pub reasons: Vec<String>,
}

/// The pair of two intakes in the order the table keeps them.
#[must_use]
pub fn ordered_pair(a: DocumentId, b: DocumentId) -> (DocumentId, DocumentId) {
    if a.as_bytes() <= b.as_bytes() {
        (a, b)
    } else {
        (b, a)
    }
}

/// Case index and duplicate candidate storage.
pub trait CaseStore: Clone + Send + Sync + 'static {
    /// Writes projections in one transaction, replacing each intake's row and identifiers. Rows
    /// for documents that are not owned intakes are skipped, and so are rows older than the
    /// stored one (a sweep racing a live update).
    fn project_cases(
        &self,
        rows: &[CaseProjection],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One case, if projected.
    fn case(
        &self,
        doc: &DocumentId,
    ) -> impl Future<Output = Result<Option<CaseRecord>, StoreError>> + Send;

    /// A caseload page.
    fn list_cases(
        &self,
        query: &CaseQuery,
    ) -> impl Future<Output = Result<CasePage, StoreError>> + Send;

    /// Counts over a clinic's caseload.
    fn case_counts(
        &self,
        clinic: &ClinicId,
    ) -> impl Future<Output = Result<CaseCounts, StoreError>> + Send;

    /// The other cases of `clinic` sharing any of `identifiers` with `doc`.
    fn cases_sharing_identifiers(
        &self,
        clinic: &ClinicId,
        doc: &DocumentId,
        identifiers: &[(String, String)],
    ) -> impl Future<Output = Result<Vec<CaseRecord>, StoreError>> + Send;

    /// Records the candidates found for `doc`: new pairs open, known pairs rescored (decisions
    /// kept), and open pairs of `doc` that no longer match removed.
    fn record_duplicates(
        &self,
        clinic: &ClinicId,
        doc: &DocumentId,
        found: &[DetectedDuplicate],
        at_millis: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A clinic's candidates, best first, optionally only of one status or involving one intake.
    fn duplicates(
        &self,
        clinic: &ClinicId,
        status: Option<DuplicateStatus>,
        doc: Option<&DocumentId>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DuplicateCandidate>, StoreError>> + Send;

    /// Records a supervisor's decision on a candidate of their clinic; `NotFound` if there is no
    /// such candidate.
    fn decide_duplicate(
        &self,
        clinic: &ClinicId,
        pair: (DocumentId, DocumentId),
        status: DuplicateStatus,
        by: &UserId,
        at_millis: i64,
    ) -> impl Future<Output = Result<DuplicateCandidate, StoreError>> + Send;

    /// Owned intakes whose case row is missing or older than their document, at most `limit`,
    /// each with its document's last write time (ms).
    fn unprojected_intakes(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(DocumentId, i64)>, StoreError>> + Send;

    /// Up to `limit` intakes (owned documents of kind intake, stored or not) in `doc_id` order,
    /// after `after`: the walk of a rules re-evaluation.
    fn intakes_after(
        &self,
        after: Option<DocumentId>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DocumentId>, StoreError>> + Send;

    /// Where re-evaluating every intake under `rules_version` stands; `None` if it never
    /// started.
    fn reevaluation_progress(
        &self,
        rules_version: &str,
    ) -> impl Future<Output = Result<Option<ReevaluationProgress>, StoreError>> + Send;

    /// Records that every intake up to `after` (in `doc_id` order) is re-evaluated under
    /// `rules_version`, and whether the walk is finished.
    fn save_reevaluation_progress(
        &self,
        rules_version: &str,
        progress: &ReevaluationProgress,
        at_millis: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// How far re-evaluating every intake under one rules version has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReevaluationProgress {
    /// The last intake done, in `doc_id` order; `None` before the first.
    pub after: Option<DocumentId>,
    /// Whether every intake is done.
    pub finished: bool,
}
