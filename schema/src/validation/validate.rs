use std::collections::HashSet;

use super::{FieldProblem, ProblemKind};
use crate::facts::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, StatusAtOffense, StatusNow, Substance,
    parse_iso_date,
};
use crate::intake::{Determination, DocumentKind, Intake, Review, SCHEMA_VERSION, Submitter};

/// Lists the field-level problems of `intake`: malformed dates, words outside a vocabulary, a
/// wrong `kind` or `schema_version`, duplicated offense ids. The intake is never rejected; an
/// empty list means nothing is malformed, not that the intake is complete.
///
/// Missing values and empty strings are not problems (an intake in progress has gaps). Values of
/// the wrong kind do not survive hydration, so this cannot see them: use
/// [`validate_document`](crate::validate_document) on the document for those.
#[must_use]
pub fn validate(intake: &Intake) -> Vec<FieldProblem> {
    let mut c = Checker::default();
    match intake.kind.as_deref() {
        None => c.push("kind", ProblemKind::Missing, None),
        Some(Intake::KIND) => {}
        Some(other) => c.push(
            "kind",
            ProblemKind::UnknownValue {
                allowed: vec![Intake::KIND],
            },
            Some(other),
        ),
    }
    match intake.schema_version {
        None => c.push("schema_version", ProblemKind::Missing, None),
        Some(SCHEMA_VERSION) => {}
        Some(other) => c.push(
            "schema_version",
            ProblemKind::BadSchemaVersion {
                supported: SCHEMA_VERSION,
            },
            Some(&other.to_string()),
        ),
    }

    let p = &intake.person;
    c.date("person.date_of_birth", p.date_of_birth.as_deref());
    c.word(
        "person.status_now",
        p.status_now.as_deref(),
        words(StatusNow::ALL, StatusNow::as_str),
    );
    if let Some(since) = present(p.citizen_or_lpr_since.as_deref())
        && CitizenOrLprSince::parse(since).is_none()
    {
        c.push(
            "person.citizen_or_lpr_since",
            ProblemKind::NotBirthOrDate,
            Some(since),
        );
    }
    c.word(
        "person.status_at_offense",
        p.status_at_offense.as_deref(),
        words(StatusAtOffense::ALL, StatusAtOffense::as_str),
    );

    let mut ids = HashSet::new();
    for (i, o) in intake.offenses.iter().enumerate() {
        let at = |field: &str| format!("offenses[{i}].{field}");
        if let Some(id) = present(o.id.as_deref())
            && !ids.insert(id)
        {
            c.push(&at("id"), ProblemKind::DuplicateId, Some(id));
        }
        c.word(
            &at("substance"),
            o.substance.as_deref(),
            words(Substance::ALL, Substance::as_str),
        );
        c.word(
            &at("conduct"),
            o.conduct.as_deref(),
            words(Conduct::ALL, Conduct::as_str),
        );
        c.date(&at("offense_date"), o.offense_date.as_deref());
        c.word(
            &at("disposition"),
            o.disposition.as_deref(),
            words(Disposition::ALL, Disposition::as_str),
        );
        c.date(&at("disposition_date"), o.disposition_date.as_deref());
        c.word(
            &at("jurisdiction"),
            o.jurisdiction.as_deref(),
            words(Jurisdiction::ALL, Jurisdiction::as_str),
        );
        c.word(
            &at("status_at_offense"),
            o.status_at_offense.as_deref(),
            words(StatusAtOffense::ALL, StatusAtOffense::as_str),
        );
    }

    for (i, d) in intake.documents.iter().enumerate() {
        c.word(
            &format!("documents[{i}].kind"),
            d.kind.as_deref(),
            words(DocumentKind::ALL, DocumentKind::as_str),
        );
    }

    c.date("consent.given_on", intake.consent.given_on.as_deref());
    c.word(
        "consent.submitter",
        intake.consent.submitter.as_deref(),
        words(Submitter::ALL, Submitter::as_str),
    );

    if let Some(det) = &intake.determination {
        c.word(
            "determination.outcome",
            Some(&det.outcome),
            Determination::OUTCOMES.to_vec(),
        );
        for (i, o) in det.offenses.iter().enumerate() {
            c.word(
                &format!("determination.offenses[{i}].outcome"),
                Some(&o.outcome),
                Determination::OUTCOMES.to_vec(),
            );
        }
    }
    if let Some(review) = &intake.review {
        c.word(
            "review.decision",
            Some(&review.decision),
            Review::DECISIONS.to_vec(),
        );
    }
    c.problems
}

/// The words of a vocabulary.
fn words<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().copied().map(as_str).collect()
}

/// `None` for a missing value and for the empty string forms write when a field is cleared.
fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

#[derive(Default)]
struct Checker {
    problems: Vec<FieldProblem>,
}

impl Checker {
    fn push(&mut self, path: &str, problem: ProblemKind, value: Option<&str>) {
        self.problems.push(FieldProblem {
            path: path.to_owned(),
            problem,
            value: value.map(str::to_owned),
        });
    }

    fn date(&mut self, path: &str, value: Option<&str>) {
        if let Some(v) = present(value)
            && parse_iso_date(v).is_none()
        {
            self.push(path, ProblemKind::BadDate, Some(v));
        }
    }

    /// `allowed` is built even when the value is fine; vocabularies are a handful of words and
    /// intakes a handful of offenses, so that costs nothing worth a lazier signature.
    fn word(&mut self, path: &str, value: Option<&str>, allowed: Vec<&'static str>) {
        if let Some(v) = present(value)
            && !allowed.contains(&v)
        {
            self.push(path, ProblemKind::UnknownValue { allowed }, Some(v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Consent, Offense, Person, SupportingDocument};

    fn paths(problems: &[FieldProblem]) -> Vec<&str> {
        problems.iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn a_blank_intake_has_no_problems() {
        assert!(validate(&Intake::new()).is_empty());
    }

    #[test]
    fn empty_strings_are_gaps_not_problems() {
        let intake = Intake {
            person: Person {
                date_of_birth: Some(String::new()),
                status_now: Some(String::new()),
                ..Person::default()
            },
            ..Intake::new()
        };
        assert!(validate(&intake).is_empty());
    }

    #[test]
    fn a_bad_date_is_reported_with_its_path_and_value() {
        let intake = Intake {
            person: Person {
                date_of_birth: Some("1990-02-30".into()),
                ..Person::default()
            },
            offenses: vec![
                Offense::default(),
                Offense::default(),
                Offense {
                    offense_date: Some("06/10/2022".into()),
                    ..Offense::default()
                },
            ],
            ..Intake::new()
        };
        let problems = validate(&intake);
        assert_eq!(
            paths(&problems),
            ["person.date_of_birth", "offenses[2].offense_date"]
        );
        assert_eq!(problems[0].problem, ProblemKind::BadDate);
        assert_eq!(problems[1].value.as_deref(), Some("06/10/2022"));
    }

    #[test]
    fn an_unknown_word_is_reported_with_the_words_allowed() {
        let intake = Intake {
            offenses: vec![Offense {
                conduct: Some("posession".into()),
                ..Offense::default()
            }],
            documents: vec![SupportingDocument {
                kind: Some("passport".into()),
                ..Default::default()
            }],
            consent: Consent {
                submitter: Some("lawyer".into()),
                ..Consent::default()
            },
            ..Intake::new()
        };
        let problems = validate(&intake);
        assert_eq!(
            paths(&problems),
            [
                "offenses[0].conduct",
                "documents[0].kind",
                "consent.submitter"
            ]
        );
        let ProblemKind::UnknownValue { allowed } = &problems[0].problem else {
            panic!("expected an unknown value, got {:?}", problems[0].problem);
        };
        assert!(allowed.contains(&"possession") && allowed.contains(&"unknown"));
        assert_eq!(
            problems[2].problem,
            ProblemKind::UnknownValue {
                allowed: vec!["self", "helper"]
            }
        );
    }

    #[test]
    fn citizen_or_lpr_since_is_birth_or_a_date() {
        for (value, ok) in [
            ("birth", true),
            ("2001-05-17", true),
            ("since birth", false),
        ] {
            let intake = Intake {
                person: Person {
                    citizen_or_lpr_since: Some(value.into()),
                    ..Person::default()
                },
                ..Intake::new()
            };
            let problems = validate(&intake);
            assert_eq!(problems.is_empty(), ok, "{value}");
            if !ok {
                assert_eq!(problems[0].problem, ProblemKind::NotBirthOrDate);
            }
        }
    }

    #[test]
    fn a_foreign_kind_or_version_is_reported() {
        let intake = Intake {
            kind: Some("note".into()),
            schema_version: Some(2),
            ..Intake::default()
        };
        let problems = validate(&intake);
        assert_eq!(paths(&problems), ["kind", "schema_version"]);
        assert_eq!(
            problems[1].problem,
            ProblemKind::BadSchemaVersion { supported: 1 }
        );
        let blank = validate(&Intake::default());
        assert!(blank.iter().all(|p| p.problem == ProblemKind::Missing));
    }

    #[test]
    fn two_offenses_with_one_id_are_reported() {
        let count = Offense {
            id: Some("x".into()),
            ..Offense::default()
        };
        let intake = Intake {
            offenses: vec![count.clone(), count],
            ..Intake::new()
        };
        let problems = validate(&intake);
        assert_eq!(paths(&problems), ["offenses[1].id"]);
        assert_eq!(problems[0].problem, ProblemKind::DuplicateId);
    }

    #[test]
    fn a_problem_displays_its_path_problem_and_value() {
        let intake = Intake {
            person: Person {
                date_of_birth: Some("yesterday".into()),
                ..Person::default()
            },
            ..Intake::new()
        };
        assert_eq!(
            validate(&intake)[0].to_string(),
            "person.date_of_birth: not a date (YYYY-MM-DD) (got \"yesterday\")"
        );
    }

    #[test]
    fn a_problem_serialises_with_a_tagged_kind() {
        let problem = FieldProblem {
            path: "offenses[0].conduct".into(),
            problem: ProblemKind::WrongKind {
                expected: "string",
                found: "number",
            },
            value: Some("3".into()),
        };
        assert_eq!(
            serde_json::to_value(&problem).unwrap(),
            serde_json::json!({
                "path": "offenses[0].conduct",
                "problem": { "kind": "wrong_kind", "expected": "string", "found": "number" },
                "value": "3"
            })
        );
    }
}
