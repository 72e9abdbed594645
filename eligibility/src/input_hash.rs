//! A fingerprint of the rules inputs, so the server writes a new determination only when an
//! input (or `RULES_VERSION`) changed.

use std::fmt::Write as _;

use fieldclinic_schema::{CitizenOrLprSince, OffenseFacts, PersonFacts};
use sha2::{Digest, Sha256};
use time::Date;

/// The first line of the encoding; a new encoding gets a new tag, so old and new hashes never
/// collide.
const ENCODING_TAG: &str = "fieldclinic-eligibility-inputs/v1";

/// Lower-case hex SHA-256 of the canonical encoding of the rules inputs.
///
/// The encoding is UTF-8 text, one `name:value` line per field, each line ending in `\n`:
///
/// ```text
/// fieldclinic-eligibility-inputs/v1
/// status_now:<word>
/// citizen_or_lpr_since:<birth | YYYY-MM-DD | ->
/// status_at_offense:<word>
/// offenses:<count>
/// then, per offense in input order:
/// citation:<- | =<byte length>:<text as written>>
/// substance:<word>
/// conduct:<word>
/// offense_date:<YYYY-MM-DD | ->
/// disposition:<word>
/// disposition_date:<YYYY-MM-DD | ->
/// jurisdiction:<word>
/// status_at_offense:<word>
/// ```
///
/// Words are the `RULES.md` section 5 vocabulary (unknown values as `unknown`), `-` is an unknown
/// date, and the citation is length-prefixed because it is free text (it may contain newlines).
/// The citation is hashed as written, not normalised, so the hash does not depend on the rules;
/// fields the rules do not read (charge text, court name, docket number) are left out.
#[must_use]
pub fn input_hash(person: &PersonFacts, offenses: &[OffenseFacts]) -> String {
    hex::encode(Sha256::digest(encode(person, offenses).as_bytes()))
}

fn encode(person: &PersonFacts, offenses: &[OffenseFacts]) -> String {
    let mut out = String::with_capacity(64 + 200 * offenses.len());
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{ENCODING_TAG}");
    let _ = writeln!(out, "status_now:{}", person.status_now);
    out.push_str("citizen_or_lpr_since:");
    match person.citizen_or_lpr_since {
        Some(CitizenOrLprSince::Birth) => out.push_str("birth"),
        Some(CitizenOrLprSince::Date(d)) => push_date(&mut out, Some(d)),
        None => out.push('-'),
    }
    out.push('\n');
    let _ = writeln!(out, "status_at_offense:{}", person.status_at_offense);
    let _ = writeln!(out, "offenses:{}", offenses.len());
    for o in offenses {
        match &o.citation {
            Some(c) => {
                let _ = writeln!(out, "citation:={}:{c}", c.len());
            }
            None => out.push_str("citation:-\n"),
        }
        let _ = writeln!(out, "substance:{}", o.substance);
        let _ = writeln!(out, "conduct:{}", o.conduct);
        out.push_str("offense_date:");
        push_date(&mut out, o.offense_date);
        let _ = write!(out, "\ndisposition:{}\ndisposition_date:", o.disposition);
        push_date(&mut out, o.disposition_date);
        let _ = writeln!(out, "\njurisdiction:{}", o.jurisdiction);
        let _ = writeln!(out, "status_at_offense:{}", o.status_at_offense);
    }
    out
}

fn push_date(out: &mut String, date: Option<Date>) {
    match date {
        Some(d) => {
            let _ = write!(
                out,
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            );
        }
        None => out.push('-'),
    }
}

#[cfg(test)]
mod tests {
    use fieldclinic_schema::{
        Conduct, Disposition, Jurisdiction, StatusAtOffense, StatusNow, Substance,
    };
    use time::macros::date;

    use super::*;

    fn person() -> PersonFacts {
        PersonFacts {
            status_now: StatusNow::UsCitizen,
            citizen_or_lpr_since: Some(CitizenOrLprSince::Birth),
            status_at_offense: StatusAtOffense::UsCitizen,
        }
    }

    fn offense() -> OffenseFacts {
        OffenseFacts {
            citation: Some("21 USC 844".to_owned()),
            substance: Substance::Marijuana,
            conduct: Conduct::Possession,
            offense_date: Some(date!(2015 - 06 - 01)),
            disposition: Disposition::Convicted,
            disposition_date: None,
            jurisdiction: Jurisdiction::Federal,
            status_at_offense: StatusAtOffense::Unknown,
        }
    }

    #[test]
    fn the_encoding_is_the_documented_text() {
        assert_eq!(
            encode(&person(), &[offense()]),
            "fieldclinic-eligibility-inputs/v1\nstatus_now:us_citizen\ncitizen_or_lpr_since:birth\n\
             status_at_offense:us_citizen\noffenses:1\ncitation:=10:21 USC 844\nsubstance:marijuana\n\
             conduct:possession\noffense_date:2015-06-01\ndisposition:convicted\n\
             disposition_date:-\njurisdiction:federal\nstatus_at_offense:unknown\n"
        );
    }

    #[test]
    fn the_hash_is_stable_hex_sha256() {
        let h = input_hash(&person(), &[offense()]);
        assert_eq!(h.len(), 64);
        assert!(
            h.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(h, input_hash(&person(), &[offense()]));
    }

    #[test]
    fn every_input_changes_the_hash() {
        let base = input_hash(&person(), &[offense()]);
        let mut p = person();
        p.citizen_or_lpr_since = None;
        assert_ne!(input_hash(&p, &[offense()]), base);
        let mut o = offense();
        o.offense_date = None;
        assert_ne!(input_hash(&person(), &[o]), base);
        let mut o = offense();
        o.citation = None;
        assert_ne!(input_hash(&person(), &[o]), base);
        let mut o = offense();
        o.status_at_offense = StatusAtOffense::Lpr;
        assert_ne!(input_hash(&person(), &[o]), base);
        assert_ne!(input_hash(&person(), &[]), base);
        assert_ne!(input_hash(&person(), &[offense(), offense()]), base);
    }

    #[test]
    fn a_citation_cannot_forge_the_next_field() {
        let mut a = offense();
        a.citation = Some("x\nsubstance:other".to_owned());
        let b = offense();
        assert_ne!(input_hash(&person(), &[a]), input_hash(&person(), &[b]));
    }
}
