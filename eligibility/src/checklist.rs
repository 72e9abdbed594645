//! The DOJ certificate application checklist (`RULES.md` section 9).

use fieldclinic_schema::facts::parse_iso_date;
use fieldclinic_schema::{
    ChecklistItem, CitizenOrLprSince, Conduct, Disposition, Intake, Jurisdiction, Offense,
    StatusAtOffense, StatusNow, Substance,
};

/// The supporting-document kinds an intake records in `SupportingDocument.kind`, with labels.
///
/// A charging document, a conviction document or a docket sheet satisfies checklist item 15
/// (`documents.charging_or_conviction_document`); proof of status and a photo ID are kept with
/// the file but are not items of the section 9 table.
pub const DOCUMENT_KINDS: &[(&str, &str)] = &[
    (
        "charging_document",
        "Charging document (indictment, complaint or criminal information)",
    ),
    (
        "conviction_document",
        "Conviction document (judgment of conviction)",
    ),
    (
        "docket_sheet",
        "Docket sheet showing the sentence and the date it was imposed",
    ),
    (
        "proof_of_citizenship_or_lpr",
        "Proof of U.S. citizenship or lawful permanent residence",
    ),
    ("photo_id", "Photo identification"),
];

/// The document kinds that satisfy item 15: "Charging documents ... or conviction documents
/// (judgment of conviction, or the docket sheet showing the sentence ...)".
const COURT_DOCUMENT_KINDS: [&str; 3] =
    ["charging_document", "conviction_document", "docket_sheet"];

/// The checklist items of section 9 that the intake does not yet have, in table order: the
/// person's items, then each offense's, then the court documents, then the statistics questions.
///
/// A text field counts as missing when absent or blank; a vocabulary field also when it is
/// `unknown` or outside the vocabulary; a date also when it is not an ISO date. `required` follows
/// the table: "required" is true, "if possible" and "asked" are false, and the A-number is required
/// only for a lawful permanent resident or a naturalised citizen (a citizen with a dated
/// `citizen_or_lpr_since`). Offense date and substance are required because the engine needs them
/// (row 17), though they are not DOJ form fields.
#[must_use]
pub fn missing_checklist_items(intake: &Intake) -> Vec<ChecklistItem> {
    let mut items = Vec::new();
    let mut add = |key: String, label: &str, required: bool| {
        items.push(ChecklistItem {
            key,
            label: label.to_owned(),
            required,
        });
    };
    let p = &intake.person;

    // Rows 1-9: the person.
    let person_text = [
        (&p.legal_name, "person.legal_name", "Full legal name"),
        (&p.date_of_birth, "person.date_of_birth", "Date of birth"),
        (&p.place_of_birth, "person.place_of_birth", "Place of birth"),
        (&p.address, "person.address", "Mailing address"),
        (
            &p.email,
            "person.email",
            "Email address (may belong to someone helping the applicant)",
        ),
    ];
    for (value, key, label) in person_text {
        let missing = if key == "person.date_of_birth" {
            !is_date(value.as_deref())
        } else {
            is_blank(value.as_deref())
        };
        if missing {
            add(key.to_owned(), label, true);
        }
    }
    if is_blank(p.phone.as_deref()) {
        add("person.phone".to_owned(), "Phone number (optional)", false);
    }
    if !matches!(
        text(intake.consent.submitter.as_deref()),
        Some("self" | "helper")
    ) {
        add(
            "consent.submitter".to_owned(),
            "Who submits the application (the applicant, or someone on the applicant's behalf)",
            true,
        );
    }
    let status_now = StatusNow::from_optional(text(p.status_now.as_deref()));
    if status_now == StatusNow::Unknown {
        add(
            "person.status_now".to_owned(),
            "Citizenship or immigration status now",
            true,
        );
    }
    let since = text(p.citizen_or_lpr_since.as_deref()).and_then(CitizenOrLprSince::parse);
    if since.is_none() {
        add(
            "person.citizen_or_lpr_since".to_owned(),
            "Date the person first became a U.S. citizen or lawful permanent resident (or \"birth\")",
            true,
        );
    }
    let person_status_at_offense =
        StatusAtOffense::from_optional(text(p.status_at_offense.as_deref()));
    let every_offense_has_own_status = !intake.offenses.is_empty()
        && intake.offenses.iter().all(|o| {
            StatusAtOffense::from_optional(text(o.status_at_offense.as_deref()))
                != StatusAtOffense::Unknown
        });
    if person_status_at_offense == StatusAtOffense::Unknown && !every_offense_has_own_status {
        add(
            "person.status_at_offense".to_owned(),
            "Status at the time of the offense (citizen, permanent resident or lawfully present)",
            true,
        );
    }
    let naturalised =
        status_now == StatusNow::UsCitizen && matches!(since, Some(CitizenOrLprSince::Date(_)));
    if (status_now == StatusNow::Lpr || naturalised) && is_blank(p.a_number.as_deref()) {
        add(
            "person.a_number".to_owned(),
            "A-number (permanent resident) or citizenship / naturalization certificate number",
            true,
        );
    }

    // Rows 10-14 and 17: each offense.
    for (i, o) in intake.offenses.iter().enumerate() {
        offense_items(i, o, &mut add);
    }

    // Row 15: court documents, for any offense.
    let has_court_document = intake.documents.iter().any(|d| {
        d.present == Some(true)
            && text(d.kind.as_deref()).is_some_and(|k| COURT_DOCUMENT_KINDS.contains(&k))
    });
    if !has_court_document {
        add(
            "documents.charging_or_conviction_document".to_owned(),
            "Charging document (indictment, complaint or information) or conviction document \
             (judgment, or docket sheet showing the sentence and its date)",
            false,
        );
    }

    // Row 16: asked for statistics; whether mandatory is not confirmed.
    for (value, key, label) in [
        (&p.race, "person.race", "Race (statistics)"),
        (&p.gender, "person.gender", "Gender (statistics)"),
        (&p.ethnicity, "person.ethnicity", "Ethnicity (statistics)"),
    ] {
        if is_blank(value.as_deref()) {
            add(key.to_owned(), label, false);
        }
    }
    items
}

fn offense_items(i: usize, o: &Offense, add: &mut impl FnMut(String, &str, bool)) {
    let mut item = |field: &str, label: &str, required: bool| {
        add(format!("offenses[{i}].{field}"), label, required);
    };
    if Disposition::from_optional(text(o.disposition.as_deref())) == Disposition::Unknown {
        item(
            "disposition",
            "Whether it was a charge or a conviction (the disposition)",
            true,
        );
    }
    if Jurisdiction::from_optional(text(o.jurisdiction.as_deref())) == Jurisdiction::Unknown {
        item(
            "jurisdiction",
            "Court system: federal district court or D.C. Superior Court",
            true,
        );
    }
    if is_blank(o.court_name.as_deref()) {
        item(
            "court_name",
            "Court (the federal district, or D.C. Superior Court)",
            true,
        );
    }
    if !is_date(o.disposition_date.as_deref()) {
        item(
            "disposition_date",
            "Date of the charge or conviction (month, day, year)",
            true,
        );
    }
    if !is_date(o.offense_date.as_deref()) {
        item(
            "offense_date",
            "Date of the offense (month, day, year)",
            true,
        );
    }
    if Substance::from_optional(text(o.substance.as_deref())) == Substance::Unknown {
        item("substance", "Substance involved", true);
    }
    let conduct = Conduct::from_optional(text(o.conduct.as_deref()));
    if conduct == Conduct::Unknown {
        // Not a DOJ field; the engine asks for it only for attempt/conspiracy sections.
        item(
            "conduct",
            "What the person did (possession, use, attempt, ...)",
            false,
        );
    }
    if is_blank(o.docket_number.as_deref()) {
        item(
            "docket_number",
            "Docket or case number (if possible)",
            false,
        );
    }
    if is_blank(o.citation.as_deref()) {
        item("citation", "Code section charged (if possible)", false);
    }
}

fn text(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn is_blank(s: Option<&str>) -> bool {
    text(s).is_none()
}

fn is_date(s: Option<&str>) -> bool {
    text(s).and_then(parse_iso_date).is_some()
}

#[cfg(test)]
mod tests {
    use fieldclinic_schema::{Consent, Offense, Person, SupportingDocument};

    use super::*;

    fn keys(intake: &Intake) -> Vec<(String, bool)> {
        missing_checklist_items(intake)
            .into_iter()
            .map(|i| (i.key, i.required))
            .collect()
    }

    fn complete() -> Intake {
        Intake {
            person: Person {
                legal_name: Some("Ada Client".to_owned()),
                date_of_birth: Some("1980-01-02".to_owned()),
                place_of_birth: Some("Baltimore, MD".to_owned()),
                address: Some("1 Main St".to_owned()),
                email: Some("ada@example.org".to_owned()),
                phone: Some("555-0100".to_owned()),
                status_now: Some("us_citizen".to_owned()),
                citizen_or_lpr_since: Some("birth".to_owned()),
                status_at_offense: Some("us_citizen".to_owned()),
                race: Some("declined".to_owned()),
                gender: Some("declined".to_owned()),
                ethnicity: Some("declined".to_owned()),
                ..Person::default()
            },
            offenses: vec![Offense {
                citation: Some("21 USC 844".to_owned()),
                substance: Some("marijuana".to_owned()),
                conduct: Some("possession".to_owned()),
                offense_date: Some("2015-06-01".to_owned()),
                disposition: Some("convicted".to_owned()),
                disposition_date: Some("2015-09-01".to_owned()),
                jurisdiction: Some("federal".to_owned()),
                court_name: Some("D. Md.".to_owned()),
                docket_number: Some("1:15-cr-00001".to_owned()),
                ..Offense::default()
            }],
            documents: vec![SupportingDocument {
                kind: Some("docket_sheet".to_owned()),
                present: Some(true),
                note: None,
            }],
            consent: Consent {
                submitter: Some("self".to_owned()),
                ..Consent::default()
            },
            ..Intake::default()
        }
    }

    #[test]
    fn a_complete_intake_misses_nothing() {
        assert_eq!(keys(&complete()), Vec::<(String, bool)>::new());
    }

    #[test]
    fn an_empty_intake_lists_the_required_person_items_and_the_documents() {
        let k = keys(&Intake::default());
        for key in [
            "person.legal_name",
            "person.date_of_birth",
            "person.place_of_birth",
            "person.address",
            "person.email",
            "consent.submitter",
            "person.status_now",
            "person.citizen_or_lpr_since",
            "person.status_at_offense",
        ] {
            assert!(
                k.contains(&(key.to_owned(), true)),
                "{key} missing from {k:?}"
            );
        }
        assert!(k.contains(&(
            "documents.charging_or_conviction_document".to_owned(),
            false
        )));
        assert!(k.contains(&("person.race".to_owned(), false)));
        assert!(!k.iter().any(|(key, _)| key == "person.a_number"));
    }

    #[test]
    fn offense_items_are_keyed_by_index() {
        let mut intake = complete();
        intake.offenses.push(Offense::default());
        let k = keys(&intake);
        for (key, required) in [
            ("offenses[1].disposition", true),
            ("offenses[1].jurisdiction", true),
            ("offenses[1].court_name", true),
            ("offenses[1].disposition_date", true),
            ("offenses[1].offense_date", true),
            ("offenses[1].substance", true),
            ("offenses[1].docket_number", false),
            ("offenses[1].citation", false),
        ] {
            assert!(
                k.contains(&(key.to_owned(), required)),
                "{key} missing from {k:?}"
            );
        }
        assert!(!k.iter().any(|(key, _)| key.starts_with("offenses[0]")));
    }

    #[test]
    fn the_a_number_is_required_for_an_lpr_and_a_naturalised_citizen_only() {
        let mut lpr = complete();
        lpr.person.status_now = Some("lpr".to_owned());
        lpr.person.citizen_or_lpr_since = Some("2010-01-01".to_owned());
        assert!(keys(&lpr).contains(&("person.a_number".to_owned(), true)));

        let mut naturalised = complete();
        naturalised.person.citizen_or_lpr_since = Some("2010-01-01".to_owned());
        assert!(keys(&naturalised).contains(&("person.a_number".to_owned(), true)));

        naturalised.person.a_number = Some("A012345678".to_owned());
        assert!(
            !keys(&naturalised)
                .iter()
                .any(|(k, _)| k == "person.a_number")
        );
        assert!(
            !keys(&complete())
                .iter()
                .any(|(k, _)| k == "person.a_number")
        );
    }

    #[test]
    fn unknown_words_and_bad_dates_count_as_missing() {
        let mut intake = complete();
        intake.person.status_now = Some("unknown".to_owned());
        intake.person.date_of_birth = Some("01/02/1980".to_owned());
        intake.offenses[0].disposition = Some("unknown".to_owned());
        let k = keys(&intake);
        assert!(k.contains(&("person.status_now".to_owned(), true)));
        assert!(k.contains(&("person.date_of_birth".to_owned(), true)));
        assert!(k.contains(&("offenses[0].disposition".to_owned(), true)));
    }

    #[test]
    fn a_document_not_present_or_of_another_kind_does_not_count() {
        let mut intake = complete();
        intake.documents = vec![
            SupportingDocument {
                kind: Some("docket_sheet".to_owned()),
                present: Some(false),
                note: None,
            },
            SupportingDocument {
                kind: Some("photo_id".to_owned()),
                present: Some(true),
                note: None,
            },
        ];
        assert!(keys(&intake).contains(&(
            "documents.charging_or_conviction_document".to_owned(),
            false
        )));
    }

    #[test]
    fn per_offense_status_overrides_make_the_person_default_unnecessary() {
        let mut intake = complete();
        intake.person.status_at_offense = None;
        assert!(keys(&intake).contains(&("person.status_at_offense".to_owned(), true)));
        intake.offenses[0].status_at_offense = Some("lpr".to_owned());
        assert!(
            !keys(&intake)
                .iter()
                .any(|(k, _)| k == "person.status_at_offense")
        );
    }

    #[test]
    fn every_document_kind_has_a_label() {
        for (kind, label) in DOCUMENT_KINDS {
            assert!(!kind.is_empty() && !label.is_empty());
        }
        for kind in COURT_DOCUMENT_KINDS {
            assert!(DOCUMENT_KINDS.iter().any(|(k, _)| *k == kind));
        }
    }
}
