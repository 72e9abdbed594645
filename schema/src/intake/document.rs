//! Reading and writing whole intake documents and the server-owned sections.

use automerge::ROOT;

use super::intake::DeviceFields;
use super::read::{AmDoc, Path, Reader};
use super::{Determination, Intake, IntakeError, Review, ServerSection};
use crate::validation::{FieldProblem, validate};

/// Reads the intake in `doc`.
///
/// Reading is lenient: a missing key or `null` is `None` (or empty), strings may be scalar or
/// Text, integers int, uint or whole f64, and a value of the wrong kind reads as absent. The
/// document is read in one pass without copying it; only automerge failures are errors.
///
/// ```
/// use automerge::AutoCommit;
/// use fieldclinic_schema::{Intake, read_intake, write_device_fields};
///
/// let mut doc = AutoCommit::new();
/// write_device_fields(&mut doc, &Intake::new())?;
/// assert_eq!(read_intake(&doc)?, Intake::new());
/// # Ok::<(), fieldclinic_schema::IntakeError>(())
/// ```
///
/// # Errors
/// [`IntakeError::Automerge`] when automerge fails to read.
pub fn read_intake(doc: &impl automerge::ReadDoc) -> Result<Intake, IntakeError> {
    let src = AmDoc(doc);
    let mut reader = Reader::lenient(&src);
    Ok(Intake::read_from(&mut reader, &ROOT, &Path::Root)?)
}

/// Reads the intake in `doc` like [`read_intake`] and lists its problems: values of the wrong
/// kind met while reading, then everything [`validate`] finds.
///
/// # Errors
/// [`IntakeError::Automerge`] when automerge fails to read.
pub fn read_intake_with_problems(
    doc: &impl automerge::ReadDoc,
) -> Result<(Intake, Vec<FieldProblem>), IntakeError> {
    let src = AmDoc(doc);
    let mut reader = Reader::recording(&src);
    let intake = Intake::read_from(&mut reader, &ROOT, &Path::Root)?;
    let mut problems = reader.into_problems();
    problems.extend(validate(&intake));
    Ok((intake, problems))
}

/// Lists the field-level problems of the intake in `doc`, including values of the wrong kind
/// (a number where a string belongs), which [`validate`] cannot see in a hydrated [`Intake`].
///
/// # Errors
/// [`IntakeError::Automerge`] when automerge fails to read.
pub fn validate_document(doc: &impl automerge::ReadDoc) -> Result<Vec<FieldProblem>, IntakeError> {
    read_intake_with_problems(doc).map(|(_, problems)| problems)
}

/// The server's determination in `doc`, or `None` when there is none (or it is not a map).
#[must_use]
pub fn read_determination(doc: &impl automerge::ReadDoc) -> Option<Determination> {
    let src = AmDoc(doc);
    let mut reader = Reader::lenient(&src);
    let map = reader.map(&ROOT, "determination", &Path::Root).ok()??;
    Determination::read_from(&mut reader, &map, &Path::Root.key("determination")).ok()
}

/// Writes the server's determination, touching only the top-level `determination` key, so a
/// server write never conflicts with device edits.
///
/// # Errors
/// [`IntakeError::Reconcile`] when automerge refuses the write.
pub fn write_determination<D: autosurgeon::Doc>(
    doc: &mut D,
    det: &Determination,
) -> Result<(), IntakeError> {
    autosurgeon::reconcile_prop(doc, ROOT, "determination", det)?;
    Ok(())
}

/// Writes the supervisor's review, touching only the top-level `review` key.
///
/// # Errors
/// [`IntakeError::Reconcile`] when automerge refuses the write.
pub fn write_review<D: autosurgeon::Doc>(doc: &mut D, review: &Review) -> Result<(), IntakeError> {
    autosurgeon::reconcile_prop(doc, ROOT, "review", review)?;
    Ok(())
}

/// Writes the server's metadata section, touching only the top-level `server` key.
///
/// # Errors
/// [`IntakeError::Reconcile`] when automerge refuses the write.
pub fn write_server_section<D: autosurgeon::Doc>(
    doc: &mut D,
    section: &ServerSection,
) -> Result<(), IntakeError> {
    autosurgeon::reconcile_prop(doc, ROOT, "server", section)?;
    Ok(())
}

/// Writes an intake as a device does: every section except the [`SERVER_OWNED_KEYS`], which are
/// left as they are.
///
/// [`SERVER_OWNED_KEYS`]: crate::SERVER_OWNED_KEYS
///
/// # Errors
/// [`IntakeError::Reconcile`] when automerge refuses the write.
pub fn write_device_fields<D: autosurgeon::Doc>(
    doc: &mut D,
    intake: &Intake,
) -> Result<(), IntakeError> {
    autosurgeon::reconcile(doc, DeviceFields(intake))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ReadDoc, ScalarValue};
    use claims::{assert_none, assert_ok, assert_some};
    use proptest::prelude::*;

    use super::*;
    use crate::intake::test_support::{determination, intake, textify};
    use crate::{Offense, Person, ProblemKind};

    fn doc_of(intake: &Intake) -> AutoCommit {
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, intake).expect("reconciling into a fresh document works");
        doc
    }

    fn sample() -> Intake {
        Intake {
            person: Person {
                legal_name: Some("Ana Diaz".into()),
                ..Person::default()
            },
            offenses: vec![Offense {
                id: Some("a".into()),
                conduct: Some("possession".into()),
                ..Offense::default()
            }],
            ..Intake::new()
        }
    }

    /// Puts `value` at `path` (map keys, or list indices as decimal strings) in `doc`.
    fn put_garbage(doc: &mut AutoCommit, path: &[&str], garbage: &Garbage) {
        let mut obj = automerge::ROOT;
        let (last, parents) = path.split_last().expect("paths are not empty");
        for key in parents {
            let next = match key.parse::<usize>() {
                Ok(i) => doc.get(&obj, i),
                Err(_) => doc.get(&obj, *key),
            };
            match next {
                Ok(Some((automerge::Value::Object(_), id))) => obj = id,
                _ => return,
            }
        }
        let prop: automerge::Prop = match last.parse::<usize>() {
            Ok(i) if i < doc.length(&obj) => i.into(),
            Ok(_) => return,
            Err(_) if doc.object_type(&obj) == Ok(ObjType::Map) => (*last).into(),
            Err(_) => return,
        };
        let done = match garbage {
            Garbage::Scalar(v) => doc.put(&obj, prop, v.clone()),
            Garbage::Object(t) => doc.put_object(&obj, prop, *t).map(|_| ()),
        };
        done.expect("garbage can be written anywhere");
    }

    #[derive(Debug, Clone)]
    enum Garbage {
        Scalar(ScalarValue),
        Object(ObjType),
    }

    fn garbage() -> impl Strategy<Value = Garbage> {
        prop_oneof![
            any::<i64>().prop_map(|i| Garbage::Scalar(ScalarValue::Int(i))),
            any::<u64>().prop_map(|u| Garbage::Scalar(ScalarValue::Uint(u))),
            any::<f64>().prop_map(|f| Garbage::Scalar(ScalarValue::F64(f))),
            any::<bool>().prop_map(|b| Garbage::Scalar(ScalarValue::Boolean(b))),
            "\\PC{0,6}".prop_map(|s| Garbage::Scalar(ScalarValue::Str(s.into()))),
            Just(Garbage::Scalar(ScalarValue::Null)),
            Just(Garbage::Scalar(ScalarValue::Bytes(vec![1, 2]))),
            Just(Garbage::Scalar(ScalarValue::counter(3))),
            Just(Garbage::Scalar(ScalarValue::Timestamp(7))),
            Just(Garbage::Object(ObjType::Map)),
            Just(Garbage::Object(ObjType::List)),
            Just(Garbage::Object(ObjType::Text)),
        ]
    }

    const GARBAGE_PATHS: &[&[&str]] = &[
        &["kind"],
        &["schema_version"],
        &["person"],
        &["person", "legal_name"],
        &["person", "other_names"],
        &["person", "other_names", "0"],
        &["offenses"],
        &["offenses", "0"],
        &["offenses", "0", "id"],
        &["offenses", "0", "conduct"],
        &["documents"],
        &["documents", "0", "present"],
        &["consent"],
        &["consent", "given"],
        &["notes"],
        &["determination"],
        &["determination", "provisional"],
        &["determination", "reasons", "0"],
        &["determination", "offenses", "0", "index"],
        &["determination", "missing_items"],
        &["review"],
        &["review", "fields"],
    ];

    proptest! {
        #[test]
        fn an_intake_survives_a_trip_through_a_document(intake in intake()) {
            let doc = doc_of(&intake);
            prop_assert_eq!(&read_intake(&doc)?, &intake);
            prop_assert_eq!(autosurgeon::hydrate::<_, Intake>(&doc)?, intake);
        }

        #[test]
        fn an_intake_written_with_text_strings_reads_the_same(intake in intake()) {
            let mut doc = doc_of(&intake);
            textify(&mut doc, &automerge::ROOT);
            prop_assert_eq!(&read_intake(&doc)?, &intake);
            prop_assert_eq!(autosurgeon::hydrate::<_, Intake>(&doc)?, intake);
        }

        #[test]
        fn reconciling_over_another_intake_leaves_exactly_the_new_one(
            before in intake(), after in intake(), as_text in any::<bool>(),
        ) {
            let mut doc = doc_of(&before);
            if as_text {
                textify(&mut doc, &automerge::ROOT);
            }
            autosurgeon::reconcile(&mut doc, &after)?;
            prop_assert_eq!(read_intake(&doc)?, after);
        }

        #[test]
        fn reconciling_an_unchanged_intake_writes_nothing(intake in intake(), as_text in any::<bool>()) {
            let mut doc = doc_of(&intake);
            if as_text {
                textify(&mut doc, &automerge::ROOT);
            }
            let heads = doc.get_heads();
            let hydrated = read_intake(&doc)?;
            autosurgeon::reconcile(&mut doc, &hydrated)?;
            prop_assert_eq!(doc.get_heads(), heads);
        }

        #[test]
        fn garbage_in_any_field_never_fails_hydration(
            intake in intake(),
            hits in proptest::collection::vec((0..GARBAGE_PATHS.len(), garbage()), 1..6),
        ) {
            let mut doc = doc_of(&intake);
            for (path, garbage) in &hits {
                put_garbage(&mut doc, GARBAGE_PATHS[*path], garbage);
            }
            prop_assert!(read_intake(&doc).is_ok());
            prop_assert!(autosurgeon::hydrate::<_, Intake>(&doc).is_ok());
            prop_assert!(validate_document(&doc).is_ok());
            let _ = read_determination(&doc);
        }

        #[test]
        fn a_determination_survives_a_trip_through_a_document(det in determination()) {
            let mut doc = doc_of(&Intake::new());
            write_determination(&mut doc, &det)?;
            prop_assert_eq!(read_determination(&doc), Some(det));
        }
    }

    #[test]
    fn a_number_where_a_string_belongs_reads_as_none_and_is_reported() {
        let mut doc = doc_of(&sample());
        let person = doc.get(automerge::ROOT, "person").unwrap().unwrap().1;
        doc.put(&person, "date_of_birth", 19_900_101_i64).unwrap();

        let intake = assert_ok!(read_intake(&doc));
        assert_none!(intake.person.date_of_birth);
        let problems = assert_ok!(validate_document(&doc));
        let problem = assert_some!(problems.iter().find(|p| p.path == "person.date_of_birth"));
        assert_eq!(
            problem.problem,
            ProblemKind::WrongKind {
                expected: "string",
                found: "number"
            }
        );
        assert_eq!(problem.value.as_deref(), Some("19900101"));
    }

    #[test]
    fn a_wrong_kind_inside_a_list_is_reported_with_its_index() {
        let mut doc = doc_of(&sample());
        let offenses = doc.get(automerge::ROOT, "offenses").unwrap().unwrap().1;
        let first = doc.get(&offenses, 0).unwrap().unwrap().1;
        doc.put(&first, "conduct", true).unwrap();
        doc.insert(&offenses, 1, 5_i64).unwrap();

        let paths: Vec<String> = assert_ok!(validate_document(&doc))
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(paths, ["offenses[0].conduct", "offenses[1]"]);
    }

    #[test]
    fn the_determination_write_touches_only_its_key() {
        let mut server = doc_of(&sample());
        let mut device = server.fork();
        let before = server.get_heads();

        let mut edited = assert_ok!(read_intake(&device));
        edited.person.legal_name = Some("Ana María Díaz".into());
        assert_ok!(write_device_fields(&mut device, &edited));
        let det = Determination {
            outcome: "ELIGIBLE".into(),
            ..Determination::default()
        };
        assert_ok!(write_determination(&mut server, &det));

        let after = server.get_heads();
        for patch in server.diff(&before, &after) {
            let top = match (patch.path.first(), &patch.action) {
                (Some((_, prop)), _) => prop.clone(),
                (None, automerge::PatchAction::PutMap { key, .. }) => key.as_str().into(),
                (None, other) => panic!("unexpected root patch {other:?}"),
            };
            assert_eq!(top, automerge::Prop::Map("determination".into()));
        }

        assert_ok!(server.merge(&mut device));
        let merged = assert_ok!(read_intake(&server));
        assert_eq!(merged.person.legal_name.as_deref(), Some("Ana María Díaz"));
        assert_eq!(merged.determination, Some(det));
    }

    #[test]
    fn a_device_write_leaves_the_server_sections_alone() {
        let mut doc = doc_of(&sample());
        let det = Determination {
            outcome: "NOT_ELIGIBLE".into(),
            ..Determination::default()
        };
        let review = Review {
            decision: "approved".into(),
            ..Review::default()
        };
        assert_ok!(write_determination(&mut doc, &det));
        assert_ok!(write_review(&mut doc, &review));

        // A device that hydrated before the server wrote still holds `None` for both.
        assert_ok!(write_device_fields(&mut doc, &sample()));

        assert_eq!(read_determination(&doc), Some(det));
        assert_eq!(assert_ok!(read_intake(&doc)).review, Some(review));
    }

    #[test]
    fn there_is_no_determination_until_the_server_writes_one() {
        let mut doc = doc_of(&sample());
        assert_none!(read_determination(&doc));
        doc.put(automerge::ROOT, "determination", "soon").unwrap();
        assert_none!(read_determination(&doc));
    }

    #[test]
    fn reading_accepts_an_empty_document() {
        let intake = assert_ok!(read_intake(&AutoCommit::new()));
        assert_eq!(intake, Intake::default());
    }
}
