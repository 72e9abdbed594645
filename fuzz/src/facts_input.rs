//! The `citation_parser` target's input: a citation as written, optionally followed by the other
//! facts of the offense and the person.
//!
//! Layout: the citation's bytes (read as UTF-8, invalid sequences replaced), then, after the
//! first `0xFF` byte (which never occurs in UTF-8, so a plain-text seed is all citation), one
//! byte each for: status now, citizen or LPR since, status at offense, substance, conduct,
//! offense date, disposition, disposition date, jurisdiction, the offense's own status at
//! offense. A missing byte takes the value of a typical federal possession case, so a plain
//! citation goes through every step of the engine.

use fieldclinic_schema::facts::parse_iso_date;
use fieldclinic_schema::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, OffenseFacts, PersonFacts,
    StatusAtOffense, StatusNow, Substance,
};

/// Dates a date byte picks (modulo): the proclamations' dates and their neighbours, and a few
/// far ones. Index 0 is unknown.
const DATES: &[&str] = &[
    "",
    "2015-06-01",
    "2015-09-01",
    "2022-10-06",
    "2022-10-07",
    "2022-10-05",
    "2023-12-22",
    "2023-12-21",
    "2023-12-23",
    "1970-01-01",
    "1899-12-31",
    "2030-01-01",
    "2000-02-29",
];

/// A citation with the facts of its offense and person.
#[derive(Debug, Clone)]
pub struct CitationCase {
    /// The citation as written.
    pub citation: String,
    /// The person.
    pub person: PersonFacts,
    /// The offense, with `citation` as its citation.
    pub offense: OffenseFacts,
}

fn pick<T: Copy>(all: &[T], byte: Option<u8>, default: T) -> T {
    byte.map_or(default, |b| all[usize::from(b) % all.len()])
}

fn date(byte: Option<u8>, default: &str) -> Option<time::Date> {
    let s = byte.map_or(default, |b| DATES[usize::from(b) % DATES.len()]);
    parse_iso_date(s)
}

impl CitationCase {
    /// Reads an input.
    #[must_use]
    pub fn read(data: &[u8]) -> Self {
        let (text, facts) = match data.iter().position(|b| *b == 0xff) {
            Some(at) => (&data[..at], &data[at + 1..]),
            None => (data, &[][..]),
        };
        let citation = String::from_utf8_lossy(text).into_owned();
        let b = |i: usize| facts.get(i).copied();
        let since = match b(1) {
            None | Some(1) => Some(CitizenOrLprSince::Birth),
            Some(0) => None,
            Some(n) => date(Some(n), "").map(CitizenOrLprSince::Date),
        };
        let person = PersonFacts {
            status_now: pick(StatusNow::ALL, b(0), StatusNow::UsCitizen),
            citizen_or_lpr_since: since,
            status_at_offense: pick(StatusAtOffense::ALL, b(2), StatusAtOffense::UsCitizen),
        };
        let offense = OffenseFacts {
            citation: Some(citation.clone()),
            substance: pick(Substance::ALL, b(3), Substance::Marijuana),
            conduct: pick(Conduct::ALL, b(4), Conduct::Possession),
            offense_date: date(b(5), "2015-06-01"),
            disposition: pick(Disposition::ALL, b(6), Disposition::Convicted),
            disposition_date: date(b(7), "2015-09-01"),
            jurisdiction: pick(Jurisdiction::ALL, b(8), Jurisdiction::Federal),
            status_at_offense: pick(StatusAtOffense::ALL, b(9), StatusAtOffense::Unknown),
        };
        Self {
            citation,
            person,
            offense,
        }
    }
}
