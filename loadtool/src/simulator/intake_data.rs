//! Realistic intake contents for simulated devices: what a volunteer types at a clinic.

use fieldclinic_schema::{Consent, Intake, Offense, Person, SupportingDocument};
use rand::Rng;
use rand::seq::IndexedRandom;

const GIVEN: &[&str] = &[
    "Ana", "Marcus", "Keisha", "José", "Tamika", "Darnell", "Lucía", "Andre", "Rosa", "Terrence",
];
const FAMILY: &[&str] = &[
    "Diaz",
    "Johnson",
    "Williams",
    "Brown",
    "Hernández",
    "Jackson",
    "Nguyen",
    "Okafor",
    "Smith",
];
const STREETS: &[&str] = &[
    "Georgia Ave NW",
    "Benning Rd NE",
    "Martin Luther King Jr Ave SE",
];
const CITATIONS: &[(&str, &str, &str)] = &[
    ("21 U.S.C. 844", "possession", "federal"),
    ("21 U.S.C. 844", "attempted_possession", "federal"),
    ("D.C. Code 48-904.01(d)", "possession", "dc_superior"),
    ("21 U.S.C. 841", "possession_with_intent", "federal"),
    ("36 C.F.R. 2.35(b)(2)", "use", "federal"),
];
const DISPOSITIONS: &[&str] = &["convicted", "convicted", "charged", "dismissed"];
const STATUSES: &[&str] = &["us_citizen", "us_citizen", "lpr", "other"];
const DOCUMENT_KINDS: &[&str] = &[
    "charging_document",
    "conviction_document",
    "docket_sheet",
    "photo_id",
];

fn pick<'a, R: Rng + ?Sized>(rng: &mut R, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

fn date<R: Rng + ?Sized>(rng: &mut R, years: std::ops::Range<u32>) -> String {
    format!(
        "{}-{:02}-{:02}",
        rng.random_range(years),
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    )
}

/// A filled-in intake: a person, one to three marijuana offenses, part of the documents
/// checklist, and consent.
pub fn realistic_intake<R: Rng + ?Sized>(rng: &mut R) -> Intake {
    let given = pick(rng, GIVEN);
    let family = pick(rng, FAMILY);
    let status = pick(rng, STATUSES);
    let offenses = (0..rng.random_range(1..=3))
        .map(|i| {
            let (citation, conduct, jurisdiction) = *CITATIONS.choose(rng).unwrap_or(&CITATIONS[0]);
            Offense {
                id: Some(format!("o{i}-{:08x}", rng.random::<u32>())),
                citation: Some(citation.to_owned()),
                charge_text: Some(format!("{conduct} of marijuana")),
                substance: Some("marijuana".to_owned()),
                conduct: Some(conduct.to_owned()),
                offense_date: Some(date(rng, 1995..2021)),
                disposition: Some(pick(rng, DISPOSITIONS).to_owned()),
                disposition_date: Some(date(rng, 1996..2022)),
                jurisdiction: Some(jurisdiction.to_owned()),
                status_at_offense: Some(status.to_owned()),
                court_name: Some(if jurisdiction == "federal" {
                    "U.S. District Court for the District of Columbia".to_owned()
                } else {
                    "Superior Court of the District of Columbia".to_owned()
                }),
                docket_number: Some(format!(
                    "{}-CR-{:05}",
                    rng.random_range(1995..2022),
                    rng.random_range(1..99_999)
                )),
            }
        })
        .collect();
    Intake {
        person: Person {
            legal_name: Some(format!("{given} {family}")),
            other_names: if rng.random_bool(0.3) {
                vec![format!("{}. {family}", given.chars().next().unwrap_or('A'))]
            } else {
                Vec::new()
            },
            date_of_birth: Some(date(rng, 1950..2000)),
            place_of_birth: Some("Washington, DC".to_owned()),
            address: Some(format!(
                "{} {}",
                rng.random_range(100..9999),
                pick(rng, STREETS)
            )),
            email: Some(format!(
                "{}.{}@example.org",
                given.to_lowercase(),
                family.to_lowercase()
            )),
            phone: Some(format!("202-555-{:04}", rng.random_range(0..10_000))),
            status_now: Some(status.to_owned()),
            citizen_or_lpr_since: Some(if status == "us_citizen" {
                "birth".to_owned()
            } else {
                date(rng, 1980..2015)
            }),
            status_at_offense: Some(status.to_owned()),
            ..Person::default()
        },
        offenses,
        documents: DOCUMENT_KINDS
            .iter()
            .map(|kind| SupportingDocument {
                kind: Some((*kind).to_owned()),
                present: Some(rng.random_bool(0.5)),
                note: None,
            })
            .collect(),
        consent: Consent {
            given: Some(true),
            given_on: Some(date(rng, 2024..2026)),
            submitter: Some("self".to_owned()),
            helper_name: None,
        },
        notes: Some("Met at the Saturday clinic; follow up about the docket sheet.".to_owned()),
        ..Intake::new()
    }
}

/// A small follow-up edit: a new phone number and a note, as a volunteer does on a second visit.
pub fn follow_up<R: Rng + ?Sized>(intake: &mut Intake, rng: &mut R) {
    intake.person.phone = Some(format!("202-555-{:04}", rng.random_range(0..10_000)));
    let note = format!("Follow-up call #{}.", rng.random_range(1..1000));
    intake.notes = Some(match intake.notes.take() {
        Some(old) => format!("{old} {note}"),
        None => note,
    });
}
