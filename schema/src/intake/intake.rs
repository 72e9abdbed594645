use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::{MapReconciler, NoKey};
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::{put_opt_record, put_opt_str, put_opt_u64, put_record, put_records};
use super::{
    Consent, Determination, Offense, Person, Review, SCHEMA_VERSION, ServerSection,
    SupportingDocument,
};
use crate::facts::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, OffenseFacts, PersonFacts,
    StatusAtOffense, StatusNow, Substance, parse_iso_date,
};

/// One client's intake: the root map of one Automerge document.
///
/// `Hydrate` reads leniently (see [`read_intake`](crate::read_intake)); `Reconcile` writes every
/// section, the server-owned ones included, so a full reconcile is for tools and tests that own
/// the whole document. Devices write with [`write_device_fields`](crate::write_device_fields),
/// the server with [`write_determination`](crate::write_determination) and
/// [`write_review`](crate::write_review).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Intake {
    /// Always `"intake"`.
    pub kind: Option<String>,
    /// Always `1` for this version.
    pub schema_version: Option<u64>,
    /// Who the client is.
    pub person: Person,
    /// One entry per count on the record.
    pub offenses: Vec<Offense>,
    /// The supporting documents checklist (RULES.md section 9).
    pub documents: Vec<SupportingDocument>,
    /// Consent and who submits the application.
    pub consent: Consent,
    /// Free notes by volunteers.
    pub notes: Option<String>,
    /// Written only by the server: the eligibility result.
    pub determination: Option<Determination>,
    /// Written only by the server: the supervisor's decision.
    pub review: Option<Review>,
    /// Written only by the server: links to other intakes of the same person.
    pub server: Option<ServerSection>,
}

/// Which top-level sections a reconcile writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sections {
    All,
    DeviceOnly,
}

impl Intake {
    /// The value of `kind` in every intake document.
    pub const KIND: &'static str = "intake";

    /// A blank intake of the current schema version: `kind: "intake"`, `schema_version: 1`, every
    /// other field empty.
    #[must_use]
    pub fn new() -> Self {
        Self {
            kind: Some(Self::KIND.to_owned()),
            schema_version: Some(SCHEMA_VERSION),
            ..Self::default()
        }
    }

    /// The rules inputs in the vocabulary of `RULES.md` section 5. Missing values, words outside
    /// the vocabulary and malformed dates all read as `Unknown` or `None`: the eligibility engine
    /// turns each into a question, and [`validate`](crate::validate) reports the malformed ones.
    #[must_use]
    pub fn facts(&self) -> (PersonFacts, Vec<OffenseFacts>) {
        let person = PersonFacts {
            status_now: StatusNow::from_optional(word(self.person.status_now.as_deref())),
            citizen_or_lpr_since: self
                .person
                .citizen_or_lpr_since
                .as_deref()
                .map(str::trim)
                .and_then(CitizenOrLprSince::parse),
            status_at_offense: StatusAtOffense::from_optional(word(
                self.person.status_at_offense.as_deref(),
            )),
        };
        let offenses = self
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
                status_at_offense: StatusAtOffense::from_optional(word(
                    o.status_at_offense.as_deref(),
                )),
            })
            .collect();
        (person, offenses)
    }

    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        let person = match r.map(obj, "person", path)? {
            Some(map) => Person::read_from(r, &map, &path.key("person"))?,
            None => Person::default(),
        };
        let consent = match r.map(obj, "consent", path)? {
            Some(map) => Consent::read_from(r, &map, &path.key("consent"))?,
            None => Consent::default(),
        };
        let determination = match r.map(obj, "determination", path)? {
            Some(map) => Some(Determination::read_from(
                r,
                &map,
                &path.key("determination"),
            )?),
            None => None,
        };
        let review = match r.map(obj, "review", path)? {
            Some(map) => Some(Review::read_from(r, &map, &path.key("review"))?),
            None => None,
        };
        let server = match r.map(obj, "server", path)? {
            Some(map) => Some(ServerSection::read_from(r, &map, &path.key("server"))?),
            None => None,
        };
        Ok(Self {
            kind: r.string(obj, "kind", path)?,
            schema_version: r.uint(obj, "schema_version", path)?,
            person,
            offenses: r.records(obj, "offenses", path, Offense::read_from)?,
            documents: r.records(obj, "documents", path, SupportingDocument::read_from)?,
            consent,
            notes: r.string(obj, "notes", path)?,
            determination,
            review,
            server,
        })
    }

    fn reconcile_sections<M: MapReconciler>(
        &self,
        m: &mut M,
        sections: Sections,
    ) -> Result<(), M::Error> {
        put_opt_str(m, "kind", self.kind.as_deref())?;
        put_opt_u64(m, "schema_version", self.schema_version)?;
        put_record(m, "person", &self.person)?;
        put_records(m, "offenses", &self.offenses)?;
        put_records(m, "documents", &self.documents)?;
        put_record(m, "consent", &self.consent)?;
        put_opt_str(m, "notes", self.notes.as_deref())?;
        if sections == Sections::All {
            put_opt_record(m, "determination", self.determination.as_ref())?;
            put_opt_record(m, "review", self.review.as_ref())?;
            put_opt_record(m, "server", self.server.as_ref())?;
        }
        Ok(())
    }
}

hydrate_leniently!(Intake);

impl Reconcile for Intake {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        self.reconcile_sections(&mut reconciler.map()?, Sections::All)
    }
}

/// An intake reconciled without its server-owned sections.
pub(crate) struct DeviceFields<'a>(pub(crate) &'a Intake);

impl Reconcile for DeviceFields<'_> {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        self.0
            .reconcile_sections(&mut reconciler.map()?, Sections::DeviceOnly)
    }
}

/// A form field's word: surrounding spaces dropped, and an empty field is a gap.
fn word(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_new_intake_is_a_blank_version_one_intake() {
        let intake = Intake::new();
        assert_eq!(intake.kind.as_deref(), Some("intake"));
        assert_eq!(intake.schema_version, Some(1));
        assert_eq!(intake.person, Person::default());
        assert!(intake.offenses.is_empty() && intake.determination.is_none());
    }

    #[test]
    fn facts_map_words_and_dates_to_the_rules_vocabulary() {
        let intake = Intake {
            person: Person {
                status_now: Some("lpr".into()),
                citizen_or_lpr_since: Some("2001-05-17".into()),
                status_at_offense: Some("lawfully_present_other".into()),
                ..Person::default()
            },
            offenses: vec![Offense {
                citation: Some("21 U.S.C. 844".into()),
                substance: Some("marijuana".into()),
                conduct: Some("possession".into()),
                offense_date: Some("2010-03-04".into()),
                disposition: Some("convicted".into()),
                disposition_date: Some("2010-09-01".into()),
                jurisdiction: Some("federal".into()),
                ..Offense::default()
            }],
            ..Intake::new()
        };
        let (person, offenses) = intake.facts();
        assert_eq!(person.status_now, StatusNow::Lpr);
        assert_eq!(
            person.citizen_or_lpr_since,
            Some(CitizenOrLprSince::Date(date!(2001 - 05 - 17)))
        );
        assert_eq!(
            person.status_at_offense,
            StatusAtOffense::LawfullyPresentOther
        );
        let o = &offenses[0];
        assert_eq!(o.citation.as_deref(), Some("21 U.S.C. 844"));
        assert_eq!(
            (o.substance, o.conduct),
            (Substance::Marijuana, Conduct::Possession)
        );
        assert_eq!(o.offense_date, Some(date!(2010 - 03 - 04)));
        assert_eq!(o.disposition, Disposition::Convicted);
        assert_eq!(o.disposition_date, Some(date!(2010 - 09 - 01)));
        assert_eq!(o.jurisdiction, Jurisdiction::Federal);
        assert_eq!(o.status_at_offense, StatusAtOffense::Unknown);
    }

    #[test]
    fn bad_words_and_dates_become_unknown_and_none() {
        let intake = Intake {
            person: Person {
                status_now: Some("citizen".into()),
                citizen_or_lpr_since: Some("birth".into()),
                ..Person::default()
            },
            offenses: vec![Offense {
                substance: Some("hashish".into()),
                offense_date: Some("2010-13-01".into()),
                ..Offense::default()
            }],
            ..Intake::new()
        };
        let (person, offenses) = intake.facts();
        assert_eq!(person.status_now, StatusNow::Unknown);
        assert_eq!(person.citizen_or_lpr_since, Some(CitizenOrLprSince::Birth));
        assert_eq!(offenses[0].substance, Substance::Unknown);
        assert_eq!(offenses[0].offense_date, None);
        assert_eq!(offenses[0].conduct, Conduct::Unknown);
    }
}
