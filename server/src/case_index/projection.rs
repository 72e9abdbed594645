//! An intake's row of the case index, computed from its document.

use fieldclinic_review::duplicates::{PersonKeys, blocking_keys};
use fieldclinic_stores::cases::CaseProjection;

use crate::pipeline::IntakeView;

/// The case row of a committed intake, as of `at_millis`.
#[must_use]
pub fn project(view: &IntakeView, at_millis: i64) -> CaseProjection {
    let intake = &view.intake;
    let keys = PersonKeys::of(&intake.person, &intake.offenses);
    let missing_required = view
        .missing_items
        .iter()
        .filter(|item| item.required)
        .count();
    without_nul(CaseProjection {
        doc: view.doc,
        legal_name: intake.person.legal_name.clone(),
        other_names: intake.person.other_names.clone(),
        name_search: keys.names.join(" | "),
        date_of_birth: intake.person.date_of_birth.clone(),
        outcome: view.outcome(),
        provisional: view.provisional(),
        open_conflicts: u32::try_from(view.conflicts.len()).unwrap_or(u32::MAX),
        review_state: view.review_state(),
        offense_count: u32::try_from(intake.offenses.len()).unwrap_or(u32::MAX),
        missing_required: u32::try_from(missing_required).unwrap_or(u32::MAX),
        person_keys: serde_json::to_value(&keys).unwrap_or_default(),
        identifiers: blocking_keys(&keys)
            .into_iter()
            .map(|(kind, value)| (kind.to_owned(), value))
            .collect(),
        heads: view.heads.iter().map(ToString::to_string).collect(),
        updated_at_millis: at_millis,
    })
}

/// A device may write any text, NUL included, but PostgreSQL stores no NUL in text or JSON: one
/// such intake would fail every case-index batch it is in. The index holds U+FFFD in its place
/// (on both backends, so they answer alike); the document keeps what the device wrote.
fn without_nul(mut row: CaseProjection) -> CaseProjection {
    fn clean(s: &mut String) {
        if s.contains('\0') {
            *s = s.replace('\0', "\u{FFFD}");
        }
    }
    fn clean_json(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => clean(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(clean_json),
            serde_json::Value::Object(map) => {
                if map.keys().any(|k| k.contains('\0')) {
                    *map = std::mem::take(map)
                        .into_iter()
                        .map(|(k, v)| (k.replace('\0', "\u{FFFD}"), v))
                        .collect();
                }
                map.values_mut().for_each(clean_json);
            }
            _ => {}
        }
    }
    row.legal_name.iter_mut().for_each(clean);
    row.other_names.iter_mut().for_each(clean);
    clean(&mut row.name_search);
    row.date_of_birth.iter_mut().for_each(clean);
    row.outcome.iter_mut().for_each(clean);
    clean(&mut row.review_state);
    for (kind, value) in &mut row.identifiers {
        clean(kind);
        clean(value);
    }
    clean_json(&mut row.person_keys);
    row
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT};
    use fieldclinic_schema::DocumentId;

    use super::*;

    #[test]
    fn text_with_nul_reaches_the_case_index_without_it() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "kind", "intake").unwrap();
        doc.put(ROOT, "schema_version", 1).unwrap();
        let person = doc.put_object(ROOT, "person", ObjType::Map).unwrap();
        doc.put(&person, "legal_name", "Ada\0 Lovelace").unwrap();
        doc.put(&person, "date_of_birth", "1990\0-01-01").unwrap();
        let view = IntakeView::read(DocumentId::random(), &mut doc).expect("an intake");
        let row = project(&view, 0);
        assert_eq!(row.legal_name.as_deref(), Some("Ada\u{FFFD} Lovelace"));
        assert_eq!(row.date_of_birth.as_deref(), Some("1990\u{FFFD}-01-01"));
        assert!(!row.name_search.contains('\0'), "{}", row.name_search);
        assert!(
            row.identifiers
                .iter()
                .all(|(k, v)| !k.contains('\0') && !v.contains('\0'))
        );
        assert!(!row.person_keys.to_string().contains("\\u0000"));
    }
}
