//! Case index rows as both backends return them, converted into the `cases` domain types in one
//! place.

use crate::cases::{CaseRecord, DuplicateCandidate, DuplicateStatus};
use crate::columns::{self, CorruptRow};

/// The columns a [`CaseRowData`] is read from, in its order.
pub(super) const CASE_COLUMNS: &str = "doc_id, clinic_id, created_by_user, legal_name, \
     other_names, date_of_birth, outcome, provisional, open_conflicts, review_state, \
     offense_count, missing_required, person_keys, updated_at";

#[derive(Debug, sqlx::FromRow)]
pub(super) struct CaseRowData {
    doc_id: Vec<u8>,
    clinic_id: String,
    created_by_user: String,
    legal_name: Option<String>,
    other_names: String,
    date_of_birth: Option<String>,
    outcome: Option<String>,
    provisional: bool,
    open_conflicts: i64,
    review_state: String,
    offense_count: i64,
    missing_required: i64,
    person_keys: String,
    updated_at: i64,
}

fn json<T: serde::de::DeserializeOwned>(column: &'static str, text: &str) -> Result<T, CorruptRow> {
    serde_json::from_str(text).map_err(|source| CorruptRow::Json { column, source })
}

impl TryFrom<CaseRowData> for CaseRecord {
    type Error = CorruptRow;

    fn try_from(row: CaseRowData) -> Result<Self, Self::Error> {
        Ok(Self {
            doc: columns::doc_id(&row.doc_id)?,
            clinic_id: columns::uuid_id("cases.clinic_id", &row.clinic_id)?,
            created_by_user: columns::uuid_id("cases.created_by_user", &row.created_by_user)?,
            legal_name: row.legal_name,
            other_names: json("cases.other_names", &row.other_names)?,
            date_of_birth: row.date_of_birth,
            outcome: row.outcome,
            provisional: row.provisional,
            open_conflicts: columns::count(row.open_conflicts)?,
            review_state: row.review_state,
            offense_count: columns::count(row.offense_count)?,
            missing_required: columns::count(row.missing_required)?,
            person_keys: json("cases.person_keys", &row.person_keys)?,
            updated_at_millis: row.updated_at,
        })
    }
}

/// The columns a [`DuplicateRow`] is read from.
pub(super) const DUPLICATE_COLUMNS: &str =
    "doc_a, doc_b, score, reasons, status, detected_at, decided_at, decided_by";

#[derive(Debug, sqlx::FromRow)]
pub(super) struct DuplicateRow {
    doc_a: Vec<u8>,
    doc_b: Vec<u8>,
    score: f64,
    reasons: String,
    status: String,
    detected_at: i64,
    decided_at: Option<i64>,
    decided_by: Option<String>,
}

impl TryFrom<DuplicateRow> for DuplicateCandidate {
    type Error = CorruptRow;

    fn try_from(row: DuplicateRow) -> Result<Self, Self::Error> {
        Ok(Self {
            doc_a: columns::doc_id(&row.doc_a)?,
            doc_b: columns::doc_id(&row.doc_b)?,
            score: row.score,
            reasons: json("duplicate_candidates.reasons", &row.reasons)?,
            status: DuplicateStatus::parse(&row.status)
                .ok_or(CorruptRow::DuplicateStatus(row.status))?,
            detected_at_millis: row.detected_at,
            decided_at_millis: row.decided_at,
            decided_by: columns::optional_uuid_id(
                "duplicate_candidates.decided_by",
                row.decided_by.as_deref(),
            )?,
        })
    }
}
