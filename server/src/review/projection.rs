//! An intake's row of the case index, computed from its document.

use automerge::AutoCommit;
use fieldclinic_eligibility as eligibility;
use fieldclinic_schema::{DocumentId, Intake, legal_conflicts, read_intake};

use super::duplicates::{PersonKeys, blocking_keys};
use crate::store::cases::CaseProjection;

/// The case row of `doc`, or `None` when it is not an intake.
#[must_use]
pub fn project(doc_id: DocumentId, doc: &mut AutoCommit, at_millis: i64) -> Option<CaseProjection> {
    let intake = read_intake(doc).ok()?;
    if intake.kind.as_deref() != Some(Intake::KIND) {
        return None;
    }
    let keys = PersonKeys::of(&intake.person, &intake.offenses);
    let determination = intake.determination.as_ref();
    let missing_required = eligibility::missing_checklist_items(&intake)
        .iter()
        .filter(|item| item.required)
        .count();
    Some(CaseProjection {
        doc: doc_id,
        legal_name: intake.person.legal_name.clone(),
        other_names: intake.person.other_names.clone(),
        name_search: keys.names.join(" | "),
        date_of_birth: intake.person.date_of_birth.clone(),
        outcome: determination
            .map(|d| d.outcome.clone())
            .filter(|o| !o.is_empty()),
        provisional: determination.is_some_and(|d| d.provisional),
        open_conflicts: u32::try_from(legal_conflicts(doc).len()).unwrap_or(u32::MAX),
        review_state: intake
            .review
            .as_ref()
            .map(|r| r.decision.clone())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "none".to_owned()),
        offense_count: u32::try_from(intake.offenses.len()).unwrap_or(u32::MAX),
        missing_required: u32::try_from(missing_required).unwrap_or(u32::MAX),
        person_keys: serde_json::to_value(&keys).unwrap_or_default(),
        identifiers: blocking_keys(&keys)
            .into_iter()
            .map(|(kind, value)| (kind.to_owned(), value))
            .collect(),
        heads: doc.get_heads().iter().map(ToString::to_string).collect(),
        updated_at_millis: at_millis,
    })
}
