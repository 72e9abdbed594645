//! Concurrent values on the fields that matter legally, and their resolution.
//!
//! Automerge merges two devices' offline writes of the same field by keeping both values and
//! showing one (a deterministic winner). For an intake that is not good enough: two volunteers
//! writing different offense dates must reach a human. [`legal_conflicts`] lists every such field
//! with each concurrent value; [`resolve_conflict`] writes the value a supervisor chose as one new
//! write whose predecessors are all the concurrent ones, so the conflict is gone on every device
//! that receives the change.
//!
//! Fields that matter legally are the client's identity, their status, and every field of every
//! offense; the containers (`person`, `offenses` and each offense) are checked too, since two
//! devices that each created one hold two whole versions of it. Concurrent character edits inside
//! one Text object merge without leaving two values, so they cannot be seen here.

use automerge::transaction::Transactable;
use automerge::{
    AutoCommit, AutomergeError, ObjId, ObjType, Prop, ROOT, ReadDoc, ScalarValue, Value,
};
use serde_json::{Map, Value as Json};

/// `person` fields that identify the client.
pub const IDENTITY_FIELDS: &[&str] = &[
    "legal_name",
    "other_names",
    "date_of_birth",
    "place_of_birth",
    "a_number",
];

/// `person` fields that the rules read (RULES.md section 5).
pub const STATUS_FIELDS: &[&str] = &["status_now", "citizen_or_lpr_since", "status_at_offense"];

/// Offense fields checked for conflicts: all of them but the device-generated `id`.
pub const OFFENSE_FIELDS: &[&str] = &[
    "citation",
    "charge_text",
    "substance",
    "conduct",
    "offense_date",
    "disposition",
    "disposition_date",
    "jurisdiction",
    "status_at_offense",
    "court_name",
    "docket_number",
];

/// Which part of the intake a conflict is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictSection {
    /// Who the client is.
    Identity,
    /// The client's status, as the rules read it.
    Status,
    /// A count on the record.
    Offense,
    /// A whole section (`person`, `offenses`, one offense) created twice.
    Structure,
}

/// One field holding concurrent values.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldConflict {
    /// Where, as validation reports paths: `person.date_of_birth`, `offenses[0].offense_date`.
    pub path: String,
    /// Which part of the intake.
    pub section: ConflictSection,
    /// The `id` of the offense the field belongs to, when it has one.
    pub offense_id: Option<String>,
    /// Every concurrent value; the first is the one readers currently see.
    pub values: Vec<ConflictValue>,
}

/// One of the concurrent values of a field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConflictValue {
    /// The write's operation ID (`counter@actor`), which names the value in a resolution.
    pub id: String,
    /// The value as JSON (Text as a string, lists and maps as arrays and objects).
    pub value: Json,
    /// The hex Automerge actor that wrote it.
    pub actor: String,
    /// The operation counter of the write, which locates its change.
    pub counter: u64,
}

/// What a supervisor chose for a conflicted field.
#[derive(Debug, Clone, PartialEq)]
pub enum ConflictChoice {
    /// One of the concurrent values, by [`ConflictValue::id`].
    Value(String),
    /// A value entered instead: a string, or a list of strings for `other_names`.
    Entered(Json),
}

/// Why a resolution was not written.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The field has no open conflict (any more).
    #[error("no open conflict at {0}")]
    NoConflict(String),
    /// The values the supervisor saw are not the field's current values: someone wrote since.
    #[error("the values at {0} changed since they were read")]
    Stale(String),
    /// The chosen value ID is not one of the field's values.
    #[error("{0} is not one of the values at {1}")]
    UnknownValue(String, String),
    /// The entered value cannot be written at this field.
    #[error("{0}")]
    Unsupported(String),
    /// Automerge refused the write.
    #[error(transparent)]
    Automerge(#[from] AutomergeError),
}

/// Every open conflict on a legally relevant field of the intake in `doc`, in document order.
#[must_use]
pub fn legal_conflicts(doc: &impl ReadDoc) -> Vec<FieldConflict> {
    located(doc).into_iter().map(|l| l.conflict).collect()
}

/// Writes the supervisor's choice at the conflicted field `path` as one new value superseding
/// every concurrent one, and returns the value written. The caller commits.
///
/// `seen`, when given, must be the IDs of the values the supervisor was shown: if a device wrote
/// another value since, nothing is written ([`ResolveError::Stale`]), so nobody overwrites a value
/// they never saw.
///
/// # Errors
/// See [`ResolveError`].
pub fn resolve_conflict(
    doc: &mut AutoCommit,
    path: &str,
    choice: &ConflictChoice,
    seen: Option<&[String]>,
) -> Result<Json, ResolveError> {
    let target = located(doc)
        .into_iter()
        .find(|l| l.conflict.path == path)
        .ok_or_else(|| ResolveError::NoConflict(path.to_owned()))?;
    if let Some(seen) = seen {
        let mut seen: Vec<&str> = seen.iter().map(String::as_str).collect();
        let mut current: Vec<&str> = target
            .conflict
            .values
            .iter()
            .map(|v| v.id.as_str())
            .collect();
        seen.sort_unstable();
        current.sort_unstable();
        if seen != current {
            return Err(ResolveError::Stale(path.to_owned()));
        }
    }
    let any_text = target.text_values;
    let value = match choice {
        ConflictChoice::Value(id) => target
            .conflict
            .values
            .iter()
            .find(|v| &v.id == id)
            .map(|v| v.value.clone())
            .ok_or_else(|| ResolveError::UnknownValue(id.clone(), path.to_owned()))?,
        ConflictChoice::Entered(value) => {
            check_entered(&target.conflict, value)?;
            value.clone()
        }
    };
    write_json(doc, &target.parent, target.prop, &value, any_text)?;
    Ok(value)
}

/// A conflict and where to write its resolution.
struct Located {
    conflict: FieldConflict,
    parent: ObjId,
    prop: Prop,
    /// Whether a concurrent value is a Text object, so a resolution keeps the field a Text
    /// (JS devices edit Text in place).
    text_values: bool,
}

fn located(doc: &impl ReadDoc) -> Vec<Located> {
    let mut out = Vec::new();
    if let Some(person) = check(
        doc,
        &ROOT,
        "person",
        "person",
        ConflictSection::Structure,
        None,
        &mut out,
    ) {
        for (fields, section) in [
            (IDENTITY_FIELDS, ConflictSection::Identity),
            (STATUS_FIELDS, ConflictSection::Status),
        ] {
            for field in fields {
                check(
                    doc,
                    &person,
                    *field,
                    &format!("person.{field}"),
                    section,
                    None,
                    &mut out,
                );
            }
        }
    }
    let Some(offenses) = check(
        doc,
        &ROOT,
        "offenses",
        "offenses",
        ConflictSection::Structure,
        None,
        &mut out,
    ) else {
        return out;
    };
    if !matches!(doc.object_type(&offenses), Ok(ObjType::List)) {
        return out;
    }
    for index in 0..doc.length(&offenses) {
        let path = format!("offenses[{index}]");
        // The offense's id names it in the conflict even when the conflict is the item itself.
        let id = winner(doc, &offenses, index).and_then(|(_, item)| string_at(doc, &item, "id"));
        let Some(item) = check(
            doc,
            &offenses,
            index,
            &path,
            ConflictSection::Structure,
            id.clone(),
            &mut out,
        ) else {
            continue;
        };
        if !matches!(doc.object_type(&item), Ok(ObjType::Map)) {
            continue;
        }
        for field in OFFENSE_FIELDS {
            check(
                doc,
                &item,
                *field,
                &format!("{path}.{field}"),
                ConflictSection::Offense,
                id.clone(),
                &mut out,
            );
        }
    }
    out
}

/// Records a conflict at `obj[prop]` if it holds several values; returns the visible value's
/// object ID when it is an object, for the walk to descend into.
fn check(
    doc: &impl ReadDoc,
    obj: &ObjId,
    prop: impl Into<Prop>,
    path: &str,
    section: ConflictSection,
    offense_id: Option<String>,
    out: &mut Vec<Located>,
) -> Option<ObjId> {
    let prop = prop.into();
    let all = doc.get_all(obj, prop.clone()).ok()?;
    let visible = match doc.get(obj, prop.clone()).ok()? {
        Some((Value::Object(_), id)) => Some(id),
        _ => None,
    };
    if all.len() > 1 {
        let text_values = all
            .iter()
            .any(|(v, _)| matches!(v, Value::Object(ObjType::Text)));
        // The visible value first, as readers see it; the rest in automerge's order.
        let mut values: Vec<ConflictValue> = all
            .iter()
            .map(|(value, id)| ConflictValue {
                id: id.to_string(),
                value: to_json(doc, value, id),
                actor: match id {
                    ObjId::Id(_, actor, _) => actor.to_hex_string(),
                    ObjId::Root => String::new(),
                },
                counter: match id {
                    ObjId::Id(counter, _, _) => *counter,
                    ObjId::Root => 0,
                },
            })
            .collect();
        if let Ok(Some((_, shown))) = doc.get(obj, prop.clone()) {
            let shown = shown.to_string();
            if let Some(pos) = values.iter().position(|v| v.id == shown) {
                values[..=pos].rotate_right(1);
            }
        }
        out.push(Located {
            conflict: FieldConflict {
                path: path.to_owned(),
                section,
                offense_id,
                values,
            },
            parent: obj.clone(),
            prop,
            text_values,
        });
    }
    visible
}

fn winner(doc: &impl ReadDoc, obj: &ObjId, index: usize) -> Option<(Value<'static>, ObjId)> {
    doc.get(obj, index)
        .ok()
        .flatten()
        .map(|(v, id)| (v.into_owned(), id))
}

fn string_at(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<String> {
    match doc.get(obj, key).ok()?? {
        (Value::Scalar(s), _) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        (Value::Object(ObjType::Text), id) => doc.text(&id).ok(),
        _ => None,
    }
}

/// A value as JSON: Text as its string, containers recursively (their visible values).
fn to_json(doc: &impl ReadDoc, value: &Value<'_>, id: &ObjId) -> Json {
    match value {
        Value::Scalar(s) => scalar_json(s),
        Value::Object(ObjType::Text) => doc.text(id).map(Json::String).unwrap_or(Json::Null),
        Value::Object(ObjType::List) => Json::Array(
            (0..doc.length(id))
                .filter_map(|i| doc.get(id, i).ok().flatten())
                .map(|(v, child)| to_json(doc, &v, &child))
                .collect(),
        ),
        Value::Object(ObjType::Map | ObjType::Table) => Json::Object(
            doc.keys(id)
                .filter_map(|k| {
                    let (v, child) = doc.get(id, k.as_str()).ok().flatten()?;
                    Some((k, to_json(doc, &v, &child)))
                })
                .collect::<Map<String, Json>>(),
        ),
    }
}

fn scalar_json(s: &ScalarValue) -> Json {
    match s {
        ScalarValue::Str(s) => Json::String(s.to_string()),
        ScalarValue::Int(i) => Json::from(*i),
        ScalarValue::Uint(u) => Json::from(*u),
        ScalarValue::F64(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        ScalarValue::Boolean(b) => Json::Bool(*b),
        ScalarValue::Counter(_)
        | ScalarValue::Timestamp(_)
        | ScalarValue::Bytes(_)
        | ScalarValue::Unknown { .. }
        | ScalarValue::Null => Json::Null,
    }
}

/// An entered value must have the shape of the field: a string for a single field, a list of
/// strings for a list field; whole sections can only be chosen, not typed.
fn check_entered(conflict: &FieldConflict, value: &Json) -> Result<(), ResolveError> {
    let is_list_field = conflict.path == "person.other_names";
    let ok = match value {
        Json::String(_) => !is_list_field && conflict.section != ConflictSection::Structure,
        Json::Array(items) => is_list_field && items.iter().all(Json::is_string),
        _ => false,
    };
    if ok {
        Ok(())
    } else if conflict.section == ConflictSection::Structure {
        Err(ResolveError::Unsupported(format!(
            "{} is a whole section: choose one of its values",
            conflict.path
        )))
    } else if is_list_field {
        Err(ResolveError::Unsupported(format!(
            "{} takes a list of strings",
            conflict.path
        )))
    } else {
        Err(ResolveError::Unsupported(format!(
            "{} takes a string",
            conflict.path
        )))
    }
}

/// Writes `value` at `obj[prop]` as one new value (strings as Text when `as_text`).
fn write_json(
    doc: &mut AutoCommit,
    obj: &ObjId,
    prop: Prop,
    value: &Json,
    as_text: bool,
) -> Result<(), AutomergeError> {
    match value {
        Json::String(s) if as_text => {
            let text = doc.put_object(obj, prop, ObjType::Text)?;
            doc.splice_text(&text, 0, 0, s)?;
        }
        Json::String(s) => doc.put(obj, prop, s.as_str())?,
        Json::Null => doc.put(obj, prop, ScalarValue::Null)?,
        Json::Bool(b) => doc.put(obj, prop, *b)?,
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => doc.put(obj, prop, i)?,
            (None, Some(f)) => doc.put(obj, prop, f)?,
            (None, None) => doc.put(obj, prop, ScalarValue::Null)?,
        },
        Json::Array(items) => {
            let list = doc.put_object(obj, prop, ObjType::List)?;
            for (i, item) in items.iter().enumerate() {
                insert_json(doc, &list, i, item)?;
            }
        }
        Json::Object(map) => {
            let child = doc.put_object(obj, prop, ObjType::Map)?;
            for (k, v) in map {
                write_json(doc, &child, Prop::Map(k.clone()), v, false)?;
            }
        }
    }
    Ok(())
}

fn insert_json(
    doc: &mut AutoCommit,
    list: &ObjId,
    index: usize,
    value: &Json,
) -> Result<(), AutomergeError> {
    match value {
        Json::Array(_) | Json::Object(_) => {
            let kind = if value.is_array() {
                ObjType::List
            } else {
                ObjType::Map
            };
            let child = doc.insert_object(list, index, kind)?;
            match value {
                Json::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        insert_json(doc, &child, i, item)?;
                    }
                }
                Json::Object(map) => {
                    for (k, v) in map {
                        write_json(doc, &child, Prop::Map(k.clone()), v, false)?;
                    }
                }
                _ => {}
            }
        }
        Json::String(s) => doc.insert(list, index, s.as_str())?,
        Json::Bool(b) => doc.insert(list, index, *b)?,
        Json::Number(n) => match n.as_i64() {
            Some(i) => doc.insert(list, index, i)?,
            None => doc.insert(list, index, n.as_f64().unwrap_or_default())?,
        },
        Json::Null => doc.insert(list, index, ScalarValue::Null)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use claims::{assert_matches, assert_ok};

    use super::*;
    use crate::{Intake, Offense, Person, read_intake};

    /// A synced intake with one offense, as two devices both hold it before going offline.
    fn base() -> AutoCommit {
        let intake = Intake {
            person: Person {
                legal_name: Some("Ana Diaz".into()),
                date_of_birth: Some("1980-01-02".into()),
                ..Person::default()
            },
            offenses: vec![Offense {
                id: Some("offense-1".into()),
                offense_date: Some("2015-01-01".into()),
                ..Offense::default()
            }],
            ..Intake::new()
        };
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, &intake).expect("reconcile");
        doc.commit();
        doc
    }

    fn offense(doc: &AutoCommit) -> ObjId {
        let (_, list) = doc.get(ROOT, "offenses").unwrap().unwrap();
        doc.get(&list, 0).unwrap().unwrap().1
    }

    /// Two devices write `key` of the first offense concurrently, as Text (JS devices) or as
    /// scalar strings; returns the merged document.
    fn concurrent_offense_writes(key: &str, a: &str, b: &str, as_text: bool) -> AutoCommit {
        let mut left = base();
        let mut right = left.fork();
        for (doc, value) in [(&mut left, a), (&mut right, b)] {
            let item = offense(doc);
            if as_text {
                let text = doc.put_object(&item, key, ObjType::Text).unwrap();
                doc.splice_text(&text, 0, 0, value).unwrap();
            } else {
                doc.put(&item, key, value).unwrap();
            }
            doc.commit();
        }
        left.merge(&mut right).unwrap();
        left
    }

    #[test]
    fn sequential_edits_are_not_conflicts() {
        let mut doc = base();
        let item = offense(&doc);
        doc.put(&item, "offense_date", "2016-02-02").unwrap();
        doc.commit();
        assert!(legal_conflicts(&doc).is_empty());
    }

    #[test]
    fn concurrent_offense_dates_are_listed_with_both_values() {
        for as_text in [false, true] {
            let doc =
                concurrent_offense_writes("offense_date", "2019-03-01", "2019-04-01", as_text);
            let conflicts = legal_conflicts(&doc);
            assert_eq!(conflicts.len(), 1, "{conflicts:?}");
            let c = &conflicts[0];
            assert_eq!(c.path, "offenses[0].offense_date");
            assert_eq!(c.section, ConflictSection::Offense);
            assert_eq!(c.offense_id.as_deref(), Some("offense-1"));
            let mut values: Vec<_> = c.values.iter().map(|v| v.value.clone()).collect();
            values.sort_by_key(ToString::to_string);
            assert_eq!(
                values,
                vec![Json::from("2019-03-01"), Json::from("2019-04-01")]
            );
            // The first value is the one readers see.
            let shown = read_intake(&doc).unwrap().offenses[0].offense_date.clone();
            assert_eq!(c.values[0].value, Json::from(shown.unwrap()));
            assert!(
                c.values
                    .iter()
                    .all(|v| !v.actor.is_empty() && v.counter > 0)
            );
        }
    }

    #[test]
    fn fields_outside_the_legal_ones_are_not_listed() {
        let mut left = base();
        let mut right = left.fork();
        for (doc, value) in [(&mut left, "a@x.org"), (&mut right, "b@x.org")] {
            let (_, person) = doc.get(ROOT, "person").unwrap().unwrap();
            doc.put(&person, "email", value).unwrap();
            doc.commit();
        }
        left.merge(&mut right).unwrap();
        assert!(legal_conflicts(&left).is_empty());
    }

    #[test]
    fn choosing_a_value_resolves_the_conflict_for_every_replica() {
        let mut doc = concurrent_offense_writes("offense_date", "2019-03-01", "2019-04-01", true);
        let mut device = doc.fork();
        let conflict = legal_conflicts(&doc).remove(0);
        let chosen = conflict
            .values
            .iter()
            .find(|v| v.value == "2019-04-01")
            .unwrap()
            .id
            .clone();
        let seen: Vec<String> = conflict.values.iter().map(|v| v.id.clone()).collect();
        let written = resolve_conflict(
            &mut doc,
            &conflict.path,
            &ConflictChoice::Value(chosen),
            Some(&seen),
        )
        .unwrap();
        doc.commit();
        assert_eq!(written, "2019-04-01");
        assert!(legal_conflicts(&doc).is_empty());
        device.merge(&mut doc).unwrap();
        assert!(legal_conflicts(&device).is_empty());
        let intake = read_intake(&device).unwrap();
        assert_eq!(
            intake.offenses[0].offense_date.as_deref(),
            Some("2019-04-01")
        );
        // The field stays a Text object, as the JS devices wrote it.
        let (value, _) = device
            .get(offense(&device), "offense_date")
            .unwrap()
            .unwrap();
        assert_matches!(value, Value::Object(ObjType::Text));
    }

    #[test]
    fn an_entered_value_replaces_every_concurrent_one() {
        let mut doc = concurrent_offense_writes("offense_date", "2019-03-01", "2019-04-01", false);
        let written = resolve_conflict(
            &mut doc,
            "offenses[0].offense_date",
            &ConflictChoice::Entered(Json::from("2019-03-10")),
            None,
        )
        .unwrap();
        assert_eq!(written, "2019-03-10");
        assert!(legal_conflicts(&doc).is_empty());
        assert_eq!(
            read_intake(&doc).unwrap().offenses[0]
                .offense_date
                .as_deref(),
            Some("2019-03-10")
        );
    }

    #[test]
    fn a_resolution_based_on_stale_values_writes_nothing() {
        let mut doc = concurrent_offense_writes("offense_date", "2019-03-01", "2019-04-01", false);
        let heads = doc.get_heads();
        let conflict = legal_conflicts(&doc).remove(0);
        let seen = vec![conflict.values[0].id.clone()];
        let result = resolve_conflict(
            &mut doc,
            &conflict.path,
            &ConflictChoice::Value(conflict.values[0].id.clone()),
            Some(&seen),
        );
        assert_matches!(result, Err(ResolveError::Stale(_)));
        assert_eq!(doc.get_heads(), heads);
        assert_eq!(legal_conflicts(&doc).len(), 1);
    }

    #[test]
    fn bad_resolutions_are_refused() {
        let mut doc = concurrent_offense_writes("offense_date", "2019-03-01", "2019-04-01", false);
        let unknown = resolve_conflict(
            &mut doc,
            "offenses[0].offense_date",
            &ConflictChoice::Value("1@abcd".into()),
            None,
        );
        assert_matches!(unknown, Err(ResolveError::UnknownValue(..)));
        let not_a_string = resolve_conflict(
            &mut doc,
            "offenses[0].offense_date",
            &ConflictChoice::Entered(serde_json::json!({"x": 1})),
            None,
        );
        assert_matches!(not_a_string, Err(ResolveError::Unsupported(_)));
        let elsewhere = resolve_conflict(
            &mut doc,
            "person.legal_name",
            &ConflictChoice::Entered(Json::from("x")),
            None,
        );
        assert_matches!(elsewhere, Err(ResolveError::NoConflict(_)));
        assert_eq!(legal_conflicts(&doc).len(), 1);
    }

    #[test]
    fn list_fields_and_whole_sections_are_conflicts_too() {
        let mut left = base();
        let mut right = left.fork();
        for (doc, name) in [(&mut left, "Ana D."), (&mut right, "Ana Diaz-Ruiz")] {
            let (_, person) = doc.get(ROOT, "person").unwrap().unwrap();
            let list = doc
                .put_object(&person, "other_names", ObjType::List)
                .unwrap();
            doc.insert(&list, 0, name).unwrap();
            doc.commit();
        }
        left.merge(&mut right).unwrap();
        let conflicts = legal_conflicts(&left);
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].path, "person.other_names");
        assert_eq!(conflicts[0].section, ConflictSection::Identity);
        assert_ok!(resolve_conflict(
            &mut left,
            "person.other_names",
            &ConflictChoice::Entered(serde_json::json!(["Ana D.", "Ana Diaz-Ruiz"])),
            None,
        ));
        assert!(legal_conflicts(&left).is_empty());
        assert_eq!(
            read_intake(&left).unwrap().person.other_names,
            vec!["Ana D.".to_owned(), "Ana Diaz-Ruiz".to_owned()]
        );

        // Two devices that each created `person` hold two whole versions of it.
        let mut a = AutoCommit::new();
        let mut b = a.fork();
        for (doc, name) in [(&mut a, "Kim"), (&mut b, "Kym")] {
            let person = doc.put_object(ROOT, "person", ObjType::Map).unwrap();
            doc.put(&person, "legal_name", name).unwrap();
            doc.commit();
        }
        a.merge(&mut b).unwrap();
        let conflicts = legal_conflicts(&a);
        assert_eq!(conflicts[0].path, "person");
        assert_eq!(conflicts[0].section, ConflictSection::Structure);
        let kym = conflicts[0]
            .values
            .iter()
            .find(|v| v.value["legal_name"] == "Kym")
            .unwrap()
            .id
            .clone();
        assert_ok!(resolve_conflict(
            &mut a,
            "person",
            &ConflictChoice::Value(kym),
            None
        ));
        assert!(legal_conflicts(&a).is_empty());
        assert_eq!(
            read_intake(&a).unwrap().person.legal_name.as_deref(),
            Some("Kym")
        );
    }
}
