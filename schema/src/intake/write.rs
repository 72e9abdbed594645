//! Writing intake values into a document with as few operations as possible.
//!
//! Rules, shared by every `Reconcile` impl of the intake types:
//! * `None` leaves the key absent: a key holding a value is deleted, a missing or `null` key is
//!   left alone. A delete only removes what the writer saw, so clearing a field loses to a
//!   concurrent edit from another device instead of racing it.
//! * A new string is written as a scalar string. When the key already holds a Text object (a JS
//!   device wrote it) the Text is updated in place, so the device's character-level edits keep
//!   merging and the value does not flip between Text and scalar on every server write.
//! * An unchanged scalar is not written again, so reconciling an unchanged intake creates no
//!   operations.

use automerge::{ObjType, ScalarValue, Value};
use autosurgeon::reconcile::{MapReconciler, NoKey, SeqReconciler, TextReconciler};
use autosurgeon::{Reconcile, Reconciler};

/// What a map key holds, as far as deciding what to write goes.
enum Current {
    Absent,
    Text,
    Scalar(ScalarValue),
    Object,
}

fn classify(value: Option<Value<'_>>) -> Current {
    match value {
        None => Current::Absent,
        Some(Value::Scalar(s)) if s.is_null() => Current::Absent,
        Some(Value::Scalar(s)) => Current::Scalar(s.into_owned()),
        Some(Value::Object(ObjType::Text)) => Current::Text,
        Some(Value::Object(_)) => Current::Object,
    }
}

fn current<M: MapReconciler>(map: &M, key: &str) -> Current {
    classify(map.entry(key))
}

/// Deletes `key` unless it is already absent or `null`.
fn clear<M: MapReconciler>(map: &mut M, key: &str) -> Result<(), M::Error> {
    match current(map, key) {
        Current::Absent => Ok(()),
        _ => map.delete(key),
    }
}

/// Writes an optional string (see the module rules).
pub(crate) fn put_opt_str<M: MapReconciler>(
    map: &mut M,
    key: &str,
    value: Option<&str>,
) -> Result<(), M::Error> {
    let Some(new) = value else {
        return clear(map, key);
    };
    match current(map, key) {
        Current::Text => map.put(key, TextInPlace(new)),
        Current::Scalar(ScalarValue::Str(old)) if old.as_str() == new => Ok(()),
        _ => map.put(key, new),
    }
}

/// Writes an optional non-negative integer as a signed Automerge int, because the JS library
/// reads unsigned ints as `BigInt`, which `JSON.stringify` (and so most device apps) cannot
/// handle (values past `i64::MAX`, which no intake has, stay unsigned). An equal int, uint or f64
/// already there is kept.
pub(crate) fn put_opt_u64<M: MapReconciler>(
    map: &mut M,
    key: &str,
    value: Option<u64>,
) -> Result<(), M::Error> {
    let Some(new) = value else {
        return clear(map, key);
    };
    let same = match current(map, key) {
        Current::Scalar(ScalarValue::Uint(old)) => old == new,
        Current::Scalar(ScalarValue::Int(old)) => u64::try_from(old) == Ok(new),
        // Exact for the values JS devices can write (below 2^53), which is all that matters here.
        Current::Scalar(ScalarValue::F64(old)) => old == new as f64,
        _ => false,
    };
    if same {
        Ok(())
    } else if let Ok(signed) = i64::try_from(new) {
        map.put(key, signed)
    } else {
        map.put(key, new)
    }
}

/// Writes an optional boolean.
pub(crate) fn put_opt_bool<M: MapReconciler>(
    map: &mut M,
    key: &str,
    value: Option<bool>,
) -> Result<(), M::Error> {
    let Some(new) = value else {
        return clear(map, key);
    };
    match current(map, key) {
        Current::Scalar(ScalarValue::Boolean(old)) if old == new => Ok(()),
        _ => map.put(key, new),
    }
}

/// Writes a list of strings; an empty list is not created where there is none.
pub(crate) fn put_strings<M: MapReconciler>(
    map: &mut M,
    key: &str,
    items: &[String],
) -> Result<(), M::Error> {
    if items.is_empty() && matches!(current(map, key), Current::Absent) {
        return Ok(());
    }
    map.put(key, StrList(items))
}

/// Writes a nested record.
pub(crate) fn put_record<M: MapReconciler, T: Reconcile>(
    map: &mut M,
    key: &str,
    value: &T,
) -> Result<(), M::Error> {
    map.put(key, value)
}

/// Writes an optional nested record; `None` leaves the key absent.
pub(crate) fn put_opt_record<M: MapReconciler, T: Reconcile>(
    map: &mut M,
    key: &str,
    value: Option<&T>,
) -> Result<(), M::Error> {
    match value {
        Some(value) => map.put(key, value),
        None => clear(map, key),
    }
}

/// Writes a list of records (autosurgeon's LCS diff, by key where the type has one); an empty list
/// is not created where there is none.
pub(crate) fn put_records<M: MapReconciler, T: Reconcile>(
    map: &mut M,
    key: &str,
    items: &[T],
) -> Result<(), M::Error> {
    if items.is_empty() && matches!(current(map, key), Current::Absent) {
        return Ok(());
    }
    map.put(key, items)
}

/// A string written into the Text object already at the target.
struct TextInPlace<'a>(&'a str);

impl Reconcile for TextInPlace<'_> {
    type Key<'k> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.text()?.update(self.0)
    }
}

/// A list of strings reconciled position by position: these lists are short (other names,
/// proclamation numbers, field paths), and matching by position keeps Text items in place.
struct StrList<'a>(&'a [String]);

impl Reconcile for StrList<'_> {
    type Key<'k> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut seq = reconciler.seq()?;
        let old_len = seq.len()?;
        for (index, new) in self.0.iter().enumerate() {
            if index >= old_len {
                seq.insert(index, new.as_str())?;
                continue;
            }
            match classify(seq.get(index)?) {
                Current::Text => seq.set(index, TextInPlace(new))?,
                Current::Scalar(ScalarValue::Str(old)) if old.as_str() == new => {}
                _ => seq.set(index, new.as_str())?,
            }
        }
        // From the end, so the indices still to delete do not shift.
        for index in (self.0.len()..old_len).rev() {
            seq.delete(index)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, Value};
    use claims::assert_ok;

    use crate::intake::test_support::textify;
    use crate::{Intake, Person, read_intake};

    fn person_value(doc: &AutoCommit, key: &str) -> Option<(Value<'static>, automerge::ObjId)> {
        let person = doc.get(ROOT, "person").unwrap().unwrap().1;
        doc.get(&person, key)
            .unwrap()
            .map(|(v, id)| (v.to_owned(), id))
    }

    fn with_person(person: Person) -> Intake {
        Intake {
            person,
            ..Intake::new()
        }
    }

    #[test]
    fn none_leaves_the_key_absent() {
        let mut doc = AutoCommit::new();
        assert_ok!(autosurgeon::reconcile(&mut doc, Intake::new()));
        assert!(person_value(&doc, "legal_name").is_none());
        assert!(doc.get(ROOT, "notes").unwrap().is_none());
        assert!(doc.get(ROOT, "determination").unwrap().is_none());
    }

    #[test]
    fn clearing_a_field_deletes_its_key() {
        let mut doc = AutoCommit::new();
        let named = with_person(Person {
            email: Some("a@b.example".into()),
            ..Person::default()
        });
        assert_ok!(autosurgeon::reconcile(&mut doc, &named));
        assert_ok!(autosurgeon::reconcile(&mut doc, Intake::new()));
        assert!(person_value(&doc, "email").is_none());
    }

    #[test]
    fn a_null_key_is_left_alone_when_the_value_is_none() {
        let mut doc = AutoCommit::new();
        assert_ok!(autosurgeon::reconcile(&mut doc, Intake::new()));
        doc.put(ROOT, "notes", ()).unwrap();
        let heads = doc.get_heads();
        assert_ok!(autosurgeon::reconcile(&mut doc, Intake::new()));
        assert_eq!(doc.get_heads(), heads);
    }

    #[test]
    fn a_new_string_is_written_as_a_scalar() {
        let mut doc = AutoCommit::new();
        let named = with_person(Person {
            legal_name: Some("Ana".into()),
            ..Person::default()
        });
        assert_ok!(autosurgeon::reconcile(&mut doc, &named));
        let (value, _) = person_value(&doc, "legal_name").unwrap();
        assert_eq!(value.to_owned(), Value::from("Ana"));
    }

    #[test]
    fn a_string_over_a_text_object_updates_that_text_in_place() {
        let mut doc = AutoCommit::new();
        let named = with_person(Person {
            legal_name: Some("Ana".into()),
            other_names: vec!["Ana D".into(), "A. Diaz".into()],
            ..Person::default()
        });
        assert_ok!(autosurgeon::reconcile(&mut doc, &named));
        textify(&mut doc, &ROOT);
        let (_, text_id) = person_value(&doc, "legal_name").unwrap();

        let renamed = with_person(Person {
            legal_name: Some("Ana María".into()),
            other_names: vec!["Ana M".into()],
            ..Person::default()
        });
        assert_ok!(autosurgeon::reconcile(&mut doc, &renamed));

        let (value, id) = person_value(&doc, "legal_name").unwrap();
        assert_eq!(value, Value::Object(ObjType::Text));
        assert_eq!(id, text_id);
        let (_, names) = person_value(&doc, "other_names").unwrap();
        assert_eq!(doc.length(&names), 1);
        assert_eq!(
            doc.get(&names, 0).unwrap().unwrap().0,
            Value::Object(ObjType::Text)
        );
        assert_eq!(assert_ok!(read_intake(&doc)), renamed);
    }

    #[test]
    fn a_version_written_as_f64_by_a_device_is_kept() {
        let mut doc = AutoCommit::new();
        assert_ok!(autosurgeon::reconcile(&mut doc, Intake::new()));
        doc.put(ROOT, "schema_version", 1.0_f64).unwrap();
        let heads = doc.get_heads();
        assert_ok!(autosurgeon::reconcile(&mut doc, Intake::new()));
        assert_eq!(doc.get_heads(), heads);
    }
}
