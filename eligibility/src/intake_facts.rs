//! Reading the rules inputs out of an intake document.

use fieldclinic_schema::facts::parse_iso_date;
use fieldclinic_schema::{
    CitizenOrLprSince, Conduct, Disposition, Intake, Jurisdiction, OffenseFacts, PersonFacts,
    StatusAtOffense, StatusNow, Substance,
};

/// The rules inputs of an intake, read leniently: an intake in progress has gaps, so a missing
/// value, a word outside the vocabulary or a malformed date reads as unknown (and becomes a
/// question), never as an error. Strings are trimmed.
#[must_use]
pub fn facts_from_intake(intake: &Intake) -> (PersonFacts, Vec<OffenseFacts>) {
    let p = &intake.person;
    let person = PersonFacts {
        status_now: StatusNow::from_optional(word(p.status_now.as_deref())),
        citizen_or_lpr_since: word(p.citizen_or_lpr_since.as_deref())
            .and_then(CitizenOrLprSince::parse),
        status_at_offense: StatusAtOffense::from_optional(word(p.status_at_offense.as_deref())),
    };
    let offenses = intake
        .offenses
        .iter()
        .map(|o| OffenseFacts {
            citation: o.citation.clone(),
            substance: Substance::from_optional(word(o.substance.as_deref())),
            conduct: Conduct::from_optional(word(o.conduct.as_deref())),
            offense_date: word(o.offense_date.as_deref()).and_then(parse_iso_date),
            disposition: Disposition::from_optional(word(o.disposition.as_deref())),
            disposition_date: word(o.disposition_date.as_deref()).and_then(parse_iso_date),
            jurisdiction: Jurisdiction::from_optional(word(o.jurisdiction.as_deref())),
            status_at_offense: StatusAtOffense::from_optional(word(o.status_at_offense.as_deref())),
        })
        .collect();
    (person, offenses)
}

fn word(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use fieldclinic_schema::{Offense, Person};
    use time::macros::date;

    use super::*;

    #[test]
    fn intake_strings_become_typed_facts_and_gaps_become_unknown() {
        let intake = Intake {
            person: Person {
                status_now: Some("lpr".to_owned()),
                citizen_or_lpr_since: Some(" 2010-05-01 ".to_owned()),
                status_at_offense: None,
                ..Person::default()
            },
            offenses: vec![Offense {
                citation: Some("21 USC 844".to_owned()),
                substance: Some("cannabis".to_owned()),
                offense_date: Some("2015-13-01".to_owned()),
                disposition_date: Some("2015-09-01".to_owned()),
                jurisdiction: Some("federal".to_owned()),
                ..Offense::default()
            }],
            ..Intake::default()
        };
        let (person, offenses) = facts_from_intake(&intake);
        assert_eq!(person.status_now, StatusNow::Lpr);
        assert_eq!(
            person.citizen_or_lpr_since,
            Some(CitizenOrLprSince::Date(date!(2010 - 05 - 01)))
        );
        assert_eq!(person.status_at_offense, StatusAtOffense::Unknown);
        assert_eq!(offenses[0].substance, Substance::Unknown);
        assert_eq!(offenses[0].offense_date, None);
        assert_eq!(offenses[0].disposition_date, Some(date!(2015 - 09 - 01)));
        assert_eq!(offenses[0].jurisdiction, Jurisdiction::Federal);
        assert_eq!(offenses[0].conduct, Conduct::Unknown);
    }
}
