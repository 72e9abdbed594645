//! The evaluation algorithm of `RULES.md` section 6.

use fieldclinic_schema::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, OffenseFacts, PersonFacts,
    StatusAtOffense, StatusNow, Substance,
};

use crate::citation::Scratch;
use crate::evaluation::{Evaluation, OffenseEvaluation};
use crate::family::Family;
use crate::outcome::Outcome;
use crate::proclamation::Proclamation;
use crate::reason_code::{ReasonCode, ReasonSet};
use crate::registry::{self, CitationResult};

/// Evaluates a person's record against both proclamations.
///
/// Pure and deterministic: the same facts always give the same result, and no clock is read.
/// Each offense is evaluated on its own (other offenses never disqualify an eligible one), then
/// the offense results are combined into the person's.
#[must_use]
pub fn evaluate(person: &PersonFacts, offenses: &[OffenseFacts]) -> Evaluation {
    if offenses.is_empty() {
        return Evaluation {
            outcome: Outcome::NeedsMoreInfo,
            proclamations: Vec::new(),
            reasons: vec![ReasonCode::NoOffenses],
            offenses: Vec::new(),
        };
    }
    let mut scratch = Scratch::default();
    let mut results = Vec::with_capacity(offenses.len());
    let mut reasons = ReasonSet::EMPTY;
    let mut proclamations = [false; 2];
    let (mut any_eligible, mut any_not_eligible, mut any_more_info) = (false, false, false);
    for (index, offense) in offenses.iter().enumerate() {
        let (result, offense_reasons) = evaluate_offense(person, index, offense, &mut scratch);
        reasons = reasons.union(offense_reasons);
        match result.outcome {
            Outcome::Eligible => any_eligible = true,
            Outcome::NotEligible => any_not_eligible = true,
            Outcome::NeedsMoreInfo => any_more_info = true,
        }
        for p in &result.proclamations {
            proclamations[*p as usize] = true;
        }
        results.push(result);
    }
    let outcome = if any_eligible {
        if any_not_eligible {
            reasons.insert(ReasonCode::SomeOffensesNotCovered);
        }
        if any_more_info {
            reasons.insert(ReasonCode::SomeOffensesNeedMoreInfo);
        }
        Outcome::Eligible
    } else if any_more_info {
        Outcome::NeedsMoreInfo
    } else {
        Outcome::NotEligible
    };
    Evaluation {
        outcome,
        proclamations: Proclamation::ALL
            .into_iter()
            .filter(|p| proclamations[*p as usize])
            .collect(),
        reasons: reasons.to_vec(),
        offenses: results,
    }
}

/// Hard failures and missing facts, per proclamation (index = `Proclamation as usize`).
#[derive(Debug, Clone, Copy, Default)]
struct Findings {
    hard: [ReasonSet; 2],
    missing: [ReasonSet; 2],
}

impl Findings {
    fn hard_both(&mut self, code: ReasonCode) {
        self.hard[0].insert(code);
        self.hard[1].insert(code);
    }

    fn missing_both(&mut self, code: ReasonCode) {
        self.missing[0].insert(code);
        self.missing[1].insert(code);
    }
}

fn evaluate_offense(
    person: &PersonFacts,
    index: usize,
    offense: &OffenseFacts,
    scratch: &mut Scratch,
) -> (OffenseEvaluation, ReasonSet) {
    let mut canonical_citations = Vec::new();
    let citation = registry::assess(
        offense.citation.as_deref(),
        offense.jurisdiction,
        scratch,
        &mut canonical_citations,
    );
    let mut f = Findings::default();
    let mut info = ReasonSet::EMPTY;

    // O1. Citation.
    let family = match citation {
        CitationResult::Missing => {
            f.missing_both(ReasonCode::MissingCitation);
            None
        }
        CitationResult::Excluded(reasons) => {
            f.hard[0] = f.hard[0].union(reasons);
            f.hard[1] = f.hard[1].union(reasons);
            None
        }
        CitationResult::Covered {
            family,
            companion_ignored,
        } => {
            if companion_ignored {
                info.insert(ReasonCode::CompanionCitationIgnored);
            }
            Some(family)
        }
        CitationResult::Unclear => {
            f.missing_both(ReasonCode::CitationSubsectionUnclear);
            None
        }
        CitationResult::Unrecognized => {
            f.missing_both(ReasonCode::UnrecognizedCitation);
            None
        }
    };

    // O2. Jurisdiction: the law violated matters, not the building.
    match offense.jurisdiction {
        Jurisdiction::State | Jurisdiction::Local => match family {
            Some(_) => f.missing_both(ReasonCode::ConflictingJurisdiction),
            None => f.hard_both(ReasonCode::NotFederalOrDcOffense),
        },
        Jurisdiction::Tribal => match family {
            // A Court of Indian Offenses applies 25 CFR 11.452(a), a listed paragraph.
            Some(Family::Cfr25_11_452A) => {}
            Some(_) => f.missing_both(ReasonCode::ConflictingJurisdiction),
            None => f.hard_both(ReasonCode::NotFederalOrDcOffense),
        },
        Jurisdiction::Military => match family {
            Some(_) => f.missing_both(ReasonCode::ConflictingJurisdiction),
            None => f.hard_both(ReasonCode::MilitaryOffenseNotCovered),
        },
        Jurisdiction::Federal | Jurisdiction::DcSuperior | Jurisdiction::Unknown => {}
    }

    // O3. Conduct: consulted only for driving and for the inchoate sections, whose conduct the
    // citation does not imply.
    if offense.conduct == Conduct::DrivingUnderInfluence {
        f.hard_both(ReasonCode::DrivingOffenseNotCovered);
    } else if family.is_some_and(Family::is_inchoate) {
        match offense.conduct {
            Conduct::AttemptedPossession => {}
            Conduct::Conspiracy => f.hard_both(ReasonCode::ConspiracyNotCovered),
            Conduct::Distribution | Conduct::PossessionWithIntent => {
                f.hard_both(ReasonCode::DistributionOrIntentNotCovered);
            }
            Conduct::Other => f.hard_both(ReasonCode::OtherOffenseNotCovered),
            Conduct::Possession
            | Conduct::Use
            | Conduct::Unknown
            | Conduct::DrivingUnderInfluence => f.missing_both(ReasonCode::MissingConduct),
        }
    }

    // O4. Substance.
    match offense.substance {
        Substance::Marijuana => {}
        Substance::Other => f.hard_both(ReasonCode::SubstanceNotMarijuana),
        Substance::Unknown => f.missing_both(ReasonCode::MissingSubstance),
    }

    // P4. Lawful presence at the offense (the same for both proclamations).
    lawful_presence(person, offense, &mut f);

    for p in Proclamation::ALL {
        let i = p as usize;
        // P1. Scope.
        if family.is_some_and(|fam| p == Proclamation::P10467 && !fam.in_10467_scope()) {
            f.hard[i].insert(ReasonCode::NotIn10467Scope);
        }
        // P2. Date.
        match offense.offense_date {
            Some(date) if date > p.cutoff() => f.hard[i].insert(after_cutoff(p)),
            Some(_) => {}
            // An offense cannot post-date its arrest, charge or conviction.
            None if offense.disposition_date.is_some_and(|d| d <= p.cutoff()) => {}
            None => f.missing[i].insert(ReasonCode::MissingOffenseDate),
        }
        // P3. Citizen or LPR on the proclamation date.
        match person.status_now {
            StatusNow::UsCitizen | StatusNow::Lpr => match person.citizen_or_lpr_since {
                Some(CitizenOrLprSince::Birth) if person.status_now == StatusNow::UsCitizen => {}
                Some(CitizenOrLprSince::Date(since)) if since <= p.cutoff() => {}
                Some(CitizenOrLprSince::Date(_)) => f.hard[i].insert(not_citizen_on(p)),
                // "birth" is for birthright citizens only; for an LPR it says nothing about the
                // date, so it counts as unknown.
                Some(CitizenOrLprSince::Birth) | None => {
                    f.missing[i].insert(ReasonCode::MissingCitizenOrLprSince);
                }
            },
            StatusNow::Other => f.hard[i].insert(not_citizen_on(p)),
            StatusNow::Unknown => f.missing[i].insert(ReasonCode::MissingStatusNow),
        }
    }

    let no_court_case = matches!(
        offense.disposition,
        Disposition::Arrested | Disposition::NotCharged
    );
    let (outcome, proclamations, reasons) = combine(&f, info, no_court_case);
    let result = OffenseEvaluation {
        index,
        outcome,
        proclamations,
        reasons: reasons.to_vec(),
        canonical_citations,
        family,
    };
    (result, reasons)
}

/// P4: a known status decides; an unknown one is derived from a status that began at birth or
/// on or before the offense date.
fn lawful_presence(person: &PersonFacts, offense: &OffenseFacts, f: &mut Findings) {
    let status = match offense.status_at_offense {
        StatusAtOffense::Unknown => person.status_at_offense,
        own => own,
    };
    match status {
        StatusAtOffense::NotLawfullyPresent => f.hard_both(ReasonCode::NotLawfullyPresentAtOffense),
        StatusAtOffense::UsCitizen
        | StatusAtOffense::Lpr
        | StatusAtOffense::LawfullyPresentOther => {}
        StatusAtOffense::Unknown => {
            let derived = match (person.status_now, person.citizen_or_lpr_since) {
                (StatusNow::UsCitizen, Some(CitizenOrLprSince::Birth)) => true,
                (StatusNow::UsCitizen | StatusNow::Lpr, Some(CitizenOrLprSince::Date(since))) => {
                    offense.offense_date.is_some_and(|date| since <= date)
                }
                _ => false,
            };
            if !derived {
                f.missing_both(ReasonCode::MissingStatusAtOffense);
            }
        }
    }
}

const fn after_cutoff(p: Proclamation) -> ReasonCode {
    match p {
        Proclamation::P10467 => ReasonCode::After10467Cutoff,
        Proclamation::P10688 => ReasonCode::After10688Cutoff,
    }
}

const fn not_citizen_on(p: Proclamation) -> ReasonCode {
    match p {
        Proclamation::P10467 => ReasonCode::NotCitizenOrLprOn2022_10_06,
        Proclamation::P10688 => ReasonCode::NotCitizenOrLprOn2023_12_22,
    }
}

const fn covered_by(p: Proclamation) -> ReasonCode {
    match p {
        Proclamation::P10467 => ReasonCode::CoveredBy10467,
        Proclamation::P10688 => ReasonCode::CoveredBy10688,
    }
}

/// The offense result: a hard failure beats a missing fact, and proclamations combine with "any".
fn combine(
    f: &Findings,
    info: ReasonSet,
    no_court_case: bool,
) -> (Outcome, Vec<crate::Proclamation>, ReasonSet) {
    let eligible = |p: Proclamation| {
        let i = p as usize;
        f.hard[i].is_empty() && f.missing[i].is_empty()
    };
    let all_hard = f.hard[0].union(f.hard[1]);
    let mut reasons = info;
    if Proclamation::ALL.into_iter().any(eligible) {
        let mut proclamations = Vec::with_capacity(2);
        for p in Proclamation::ALL {
            let i = p as usize;
            if eligible(p) {
                proclamations.push(p);
                reasons.insert(covered_by(p));
            } else {
                // For information: why the other proclamation does not apply.
                reasons = reasons.union(f.hard[i]).union(f.missing[i]);
            }
        }
        if no_court_case {
            reasons.insert(ReasonCode::NoCourtCaseForCertificate);
        }
        return (Outcome::Eligible, proclamations, reasons);
    }
    let mut open = false;
    for p in Proclamation::ALL {
        let i = p as usize;
        if f.hard[i].is_empty() {
            open = true;
            reasons = reasons.union(f.missing[i]);
        }
    }
    reasons = reasons.union(all_hard);
    let outcome = if open {
        Outcome::NeedsMoreInfo
    } else {
        Outcome::NotEligible
    };
    (outcome, Vec::new(), reasons)
}

#[cfg(test)]
mod tests {
    use time::Date;
    use time::macros::date;

    use super::*;

    fn citizen() -> PersonFacts {
        PersonFacts {
            status_now: StatusNow::UsCitizen,
            citizen_or_lpr_since: Some(CitizenOrLprSince::Birth),
            status_at_offense: StatusAtOffense::UsCitizen,
        }
    }

    fn lpr_since(since: Date, at_offense: StatusAtOffense) -> PersonFacts {
        PersonFacts {
            status_now: StatusNow::Lpr,
            citizen_or_lpr_since: Some(CitizenOrLprSince::Date(since)),
            status_at_offense: at_offense,
        }
    }

    fn possession(citation: &str) -> OffenseFacts {
        OffenseFacts {
            citation: Some(citation.to_owned()),
            substance: Substance::Marijuana,
            conduct: Conduct::Possession,
            offense_date: Some(date!(2015 - 06 - 01)),
            disposition: Disposition::Convicted,
            disposition_date: Some(date!(2015 - 09 - 01)),
            jurisdiction: Jurisdiction::Federal,
            status_at_offense: StatusAtOffense::Unknown,
        }
    }

    fn with(mut o: OffenseFacts, f: impl FnOnce(&mut OffenseFacts)) -> OffenseFacts {
        f(&mut o);
        o
    }

    /// One scenario: what it shows, the inputs, the outcome, the proclamations and the codes that
    /// must be among the reasons.
    struct Scenario {
        name: &'static str,
        person: PersonFacts,
        offenses: Vec<OffenseFacts>,
        outcome: Outcome,
        proclamations: &'static [Proclamation],
        codes: &'static [ReasonCode],
    }

    #[allow(clippy::too_many_lines)]
    fn scenarios() -> Vec<Scenario> {
        use Outcome::{Eligible, NeedsMoreInfo, NotEligible};
        use Proclamation::{P10467, P10688};
        use ReasonCode as R;
        let s = |name, person, offenses, outcome, proclamations, codes| Scenario {
            name,
            person,
            offenses,
            outcome,
            proclamations,
            codes,
        };
        vec![
            s(
                "844 possession before 2022 is covered by both",
                citizen(),
                vec![possession("21 U.S.C. § 844(a)")],
                Eligible,
                &[P10467, P10688],
                &[R::CoveredBy10467, R::CoveredBy10688],
            ),
            s(
                "846 attempt is covered by 10688 only",
                citizen(),
                vec![with(possession("21 USC 846"), |o| {
                    o.conduct = Conduct::AttemptedPossession
                })],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688, R::NotIn10467Scope],
            ),
            s(
                "an offense after the first cutoff is covered by 10688 only",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.offense_date = Some(date!(2022 - 10 - 07))
                })],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688, R::After10467Cutoff],
            ),
            s(
                "an offense on the second cutoff day is covered",
                citizen(),
                vec![with(possession("36 CFR 2.35(b)(2)"), |o| {
                    o.offense_date = Some(date!(2023 - 12 - 22))
                })],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688],
            ),
            s(
                "an offense after the second cutoff is not covered",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.offense_date = Some(date!(2023 - 12 - 23))
                })],
                NotEligible,
                &[],
                &[R::After10467Cutoff, R::After10688Cutoff],
            ),
            s(
                "an LPR since 2023 is covered by 10688 only",
                lpr_since(date!(2023 - 01 - 15), StatusAtOffense::LawfullyPresentOther),
                vec![possession("21 USC 844")],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688, R::NotCitizenOrLprOn2022_10_06],
            ),
            s(
                "an LPR since 2024 is covered by neither",
                lpr_since(date!(2024 - 01 - 15), StatusAtOffense::LawfullyPresentOther),
                vec![possession("21 USC 844")],
                NotEligible,
                &[],
                &[
                    R::NotCitizenOrLprOn2022_10_06,
                    R::NotCitizenOrLprOn2023_12_22,
                ],
            ),
            s(
                "a person neither citizen nor LPR now is not covered",
                PersonFacts {
                    status_now: StatusNow::Other,
                    citizen_or_lpr_since: None,
                    status_at_offense: StatusAtOffense::LawfullyPresentOther,
                },
                vec![possession("21 USC 844")],
                NotEligible,
                &[],
                &[
                    R::NotCitizenOrLprOn2022_10_06,
                    R::NotCitizenOrLprOn2023_12_22,
                ],
            ),
            s(
                "not lawfully present at the offense beats missing facts",
                lpr_since(date!(2020 - 01 - 01), StatusAtOffense::NotLawfullyPresent),
                vec![with(possession("21 USC 844"), |o| {
                    o.substance = Substance::Unknown;
                    o.offense_date = None;
                    o.disposition_date = None;
                })],
                NotEligible,
                &[],
                &[R::NotLawfullyPresentAtOffense],
            ),
            s(
                "a per-offense status overrides the person's",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.status_at_offense = StatusAtOffense::NotLawfullyPresent
                })],
                NotEligible,
                &[],
                &[R::NotLawfullyPresentAtOffense],
            ),
            s(
                "a state conviction is not a federal or D.C. offense",
                citizen(),
                vec![with(
                    possession("Cal. Health & Safety Code § 11357(b)"),
                    |o| o.jurisdiction = Jurisdiction::State,
                )],
                NotEligible,
                &[],
                &[R::NotFederalOrDcOffense],
            ),
            s(
                "a local ordinance is not a federal or D.C. offense",
                citizen(),
                vec![with(possession("Ord. 12-3"), |o| {
                    o.jurisdiction = Jurisdiction::Local
                })],
                NotEligible,
                &[],
                &[R::NotFederalOrDcOffense],
            ),
            s(
                "tribal law is not a federal offense",
                citizen(),
                vec![with(possession("Tribal Code 5-101"), |o| {
                    o.jurisdiction = Jurisdiction::Tribal
                })],
                NotEligible,
                &[],
                &[R::NotFederalOrDcOffense],
            ),
            s(
                "25 CFR 11.452(a) in a tribal forum is covered",
                citizen(),
                vec![with(possession("25 C.F.R. § 11.452(a)"), |o| {
                    o.jurisdiction = Jurisdiction::Tribal
                })],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688, R::NotIn10467Scope],
            ),
            s(
                "a covered statute in a tribal court is a conflict",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.jurisdiction = Jurisdiction::Tribal
                })],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingJurisdiction],
            ),
            s(
                "a covered statute in a state court is a conflict",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.jurisdiction = Jurisdiction::State
                })],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingJurisdiction],
            ),
            s(
                "a court-martial under the UCMJ is not covered",
                citizen(),
                vec![with(possession("UCMJ Art. 112a"), |o| {
                    o.jurisdiction = Jurisdiction::Military;
                    o.conduct = Conduct::Use;
                })],
                NotEligible,
                &[],
                &[R::MilitaryOffenseNotCovered],
            ),
            s(
                "an unrecognized citation in a court-martial is a military offense",
                citizen(),
                vec![with(possession("Art. 134"), |o| {
                    o.jurisdiction = Jurisdiction::Military
                })],
                NotEligible,
                &[],
                &[R::MilitaryOffenseNotCovered],
            ),
            s(
                "a covered statute in a court-martial is a conflict",
                citizen(),
                vec![with(possession("21 U.S.C. 844"), |o| {
                    o.jurisdiction = Jurisdiction::Military
                })],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingJurisdiction],
            ),
            s(
                "841 possession with intent is not covered",
                citizen(),
                vec![with(possession("21 U.S.C. § 841(a)(1)"), |o| {
                    o.conduct = Conduct::PossessionWithIntent
                })],
                NotEligible,
                &[],
                &[R::DistributionOrIntentNotCovered],
            ),
            s(
                "846 with a distribution object is not covered",
                citizen(),
                vec![with(possession("21 USC 846"), |o| {
                    o.conduct = Conduct::Distribution
                })],
                NotEligible,
                &[],
                &[R::DistributionOrIntentNotCovered],
            ),
            s(
                "846 conspiracy is not covered",
                citizen(),
                vec![with(possession("21 USC 846"), |o| {
                    o.conduct = Conduct::Conspiracy
                })],
                NotEligible,
                &[],
                &[R::ConspiracyNotCovered],
            ),
            s(
                "48-904.09 with another object is not covered",
                citizen(),
                vec![with(possession("DC Code 48-904.09"), |o| {
                    o.conduct = Conduct::Other;
                    o.jurisdiction = Jurisdiction::DcSuperior;
                })],
                NotEligible,
                &[],
                &[R::OtherOffenseNotCovered],
            ),
            s(
                "contraband in prison is not covered",
                citizen(),
                vec![possession("18 U.S.C. § 1791(a)(2)")],
                NotEligible,
                &[],
                &[R::OtherOffenseNotCovered],
            ),
            s(
                "driving under the influence is never covered",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.conduct = Conduct::DrivingUnderInfluence
                })],
                NotEligible,
                &[],
                &[R::DrivingOffenseNotCovered],
            ),
            s(
                "another substance is not covered",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.substance = Substance::Other
                })],
                NotEligible,
                &[],
                &[R::SubstanceNotMarijuana],
            ),
            s(
                "a missing citation needs the code section",
                citizen(),
                vec![with(possession(""), |o| o.citation = None)],
                NeedsMoreInfo,
                &[],
                &[R::MissingCitation],
            ),
            s(
                "an empty citation needs the code section",
                citizen(),
                vec![possession("  ")],
                NeedsMoreInfo,
                &[],
                &[R::MissingCitation],
            ),
            s(
                "a listed section without its paragraph is unclear",
                citizen(),
                vec![possession("36 CFR 2.35")],
                NeedsMoreInfo,
                &[],
                &[R::CitationSubsectionUnclear],
            ),
            s(
                "an unknown substance needs asking",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.substance = Substance::Unknown
                })],
                NeedsMoreInfo,
                &[],
                &[R::MissingSubstance],
            ),
            s(
                "846 without attempt or conspiracy needs the conduct",
                citizen(),
                vec![with(possession("21 USC 846"), |o| {
                    o.conduct = Conduct::Unknown
                })],
                NeedsMoreInfo,
                &[],
                &[R::MissingConduct],
            ),
            s(
                "no offense date and no disposition date needs the date",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.offense_date = None;
                    o.disposition_date = None;
                })],
                NeedsMoreInfo,
                &[],
                &[R::MissingOffenseDate],
            ),
            s(
                "a disposition date bounds a missing offense date",
                citizen(),
                vec![with(possession("21 USC 844"), |o| o.offense_date = None)],
                Eligible,
                &[P10467, P10688],
                &[R::CoveredBy10467, R::CoveredBy10688],
            ),
            s(
                "a disposition date between the cutoffs decides 10688 only",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.offense_date = None;
                    o.disposition_date = Some(date!(2023 - 01 - 01));
                })],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688, R::MissingOffenseDate],
            ),
            s(
                "an unknown status now needs asking",
                PersonFacts {
                    status_now: StatusNow::Unknown,
                    citizen_or_lpr_since: None,
                    status_at_offense: StatusAtOffense::Unknown,
                },
                vec![possession("21 USC 844")],
                NeedsMoreInfo,
                &[],
                &[R::MissingStatusNow, R::MissingStatusAtOffense],
            ),
            s(
                "an LPR with no start date needs the date",
                PersonFacts {
                    status_now: StatusNow::Lpr,
                    citizen_or_lpr_since: None,
                    status_at_offense: StatusAtOffense::Lpr,
                },
                vec![possession("21 USC 844")],
                NeedsMoreInfo,
                &[],
                &[R::MissingCitizenOrLprSince],
            ),
            s(
                "an LPR since after the offense with unknown status then needs the status at offense",
                lpr_since(date!(2018 - 01 - 01), StatusAtOffense::Unknown),
                vec![possession("21 USC 844")],
                NeedsMoreInfo,
                &[],
                &[R::MissingStatusAtOffense],
            ),
            s(
                "an LPR since before the offense was lawfully present then",
                lpr_since(date!(2010 - 01 - 01), StatusAtOffense::Unknown),
                vec![possession("21 USC 844")],
                Eligible,
                &[P10467, P10688],
                &[R::CoveredBy10467, R::CoveredBy10688],
            ),
            s(
                "nothing to evaluate",
                citizen(),
                vec![],
                NeedsMoreInfo,
                &[],
                &[R::NoOffenses],
            ),
            s(
                "844a is a different section",
                citizen(),
                vec![possession("21 U.S.C. § 844a")],
                NeedsMoreInfo,
                &[],
                &[R::UnrecognizedCitation],
            ),
            s(
                "an enforcing statute beside a listed CFR paragraph is ignored",
                citizen(),
                vec![possession("16 U.S.C. § 3; 36 C.F.R. § 2.35(b)(2)")],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688, R::CompanionCitationIgnored],
            ),
            s(
                "an arrest-only offense is covered but has no court case",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.disposition = Disposition::Arrested
                })],
                Eligible,
                &[P10467, P10688],
                &[R::CoveredBy10467, R::NoCourtCaseForCertificate],
            ),
            s(
                "other offenses do not disqualify a covered one",
                citizen(),
                vec![
                    possession("21 USC 844"),
                    with(possession("21 USC 841(a)(1)"), |o| {
                        o.conduct = Conduct::PossessionWithIntent
                    }),
                    with(possession("21 USC 844"), |o| {
                        o.substance = Substance::Unknown
                    }),
                ],
                Eligible,
                &[P10467, P10688],
                &[
                    R::CoveredBy10467,
                    R::DistributionOrIntentNotCovered,
                    R::SomeOffensesNotCovered,
                    R::SomeOffensesNeedMoreInfo,
                ],
            ),
            s(
                "proclamations are the union over eligible offenses",
                citizen(),
                vec![
                    with(possession("21 USC 846"), |o| {
                        o.conduct = Conduct::AttemptedPossession
                    }),
                    possession("21 USC 844"),
                ],
                Eligible,
                &[P10467, P10688],
                &[R::CoveredBy10467, R::CoveredBy10688],
            ),
            s(
                "a missing fact and a not-covered offense need more info",
                citizen(),
                vec![
                    with(possession("21 USC 844"), |o| o.substance = Substance::Other),
                    with(possession("21 USC 844"), |o| {
                        o.substance = Substance::Unknown
                    }),
                ],
                NeedsMoreInfo,
                &[],
                &[R::SubstanceNotMarijuana, R::MissingSubstance],
            ),
        ]
    }

    #[test]
    fn every_scenario_gives_its_outcome_proclamations_and_reasons() {
        let mut failures = Vec::new();
        for sc in scenarios() {
            let e = evaluate(&sc.person, &sc.offenses);
            if e.outcome != sc.outcome {
                failures.push(format!(
                    "{}: outcome {} not {}",
                    sc.name, e.outcome, sc.outcome
                ));
            }
            if e.proclamations != sc.proclamations {
                failures.push(format!("{}: proclamations {:?}", sc.name, e.proclamations));
            }
            for code in sc.codes {
                if !e.reasons.contains(code) {
                    failures.push(format!("{}: {code} missing from {:?}", sc.name, e.reasons));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_reason_code_is_produced_by_some_scenario() {
        let all = scenarios();
        for code in ReasonCode::ALL {
            assert!(
                all.iter().any(|s| s.codes.contains(code)),
                "no scenario produces {code}"
            );
        }
    }

    #[test]
    fn an_eligible_offense_lists_why_the_other_proclamation_does_not_apply() {
        let e = evaluate(
            &citizen(),
            &[with(possession("21 USC 846"), |o| {
                o.conduct = Conduct::AttemptedPossession
            })],
        );
        let offense = &e.offenses[0];
        assert_eq!(offense.family, Some(Family::Usc846));
        assert_eq!(offense.canonical_citations, vec!["21 USC 846"]);
        assert_eq!(
            offense.reasons,
            vec![ReasonCode::CoveredBy10688, ReasonCode::NotIn10467Scope]
        );
    }

    #[test]
    fn a_not_eligible_offense_lists_only_hard_codes() {
        let e = evaluate(
            &citizen(),
            &[with(possession("21 USC 844"), |o| {
                o.offense_date = Some(date!(2024 - 01 - 01));
                o.substance = Substance::Unknown;
            })],
        );
        assert_eq!(e.outcome, Outcome::NotEligible);
        assert_eq!(
            e.reasons,
            vec![ReasonCode::After10467Cutoff, ReasonCode::After10688Cutoff]
        );
    }

    #[test]
    fn needs_more_info_lists_the_missing_codes_of_open_proclamations_and_all_hard_codes() {
        let e = evaluate(
            &citizen(),
            &[with(possession("21 USC 844"), |o| {
                o.offense_date = Some(date!(2023 - 01 - 01));
                o.substance = Substance::Unknown;
            })],
        );
        assert_eq!(e.outcome, Outcome::NeedsMoreInfo);
        assert_eq!(
            e.reasons,
            vec![ReasonCode::After10467Cutoff, ReasonCode::MissingSubstance]
        );
    }

    #[test]
    fn a_lawful_permanent_resident_marked_since_birth_is_asked_for_the_date() {
        let person = PersonFacts {
            status_now: StatusNow::Lpr,
            citizen_or_lpr_since: Some(CitizenOrLprSince::Birth),
            status_at_offense: StatusAtOffense::Lpr,
        };
        let e = evaluate(&person, &[possession("21 USC 844")]);
        assert_eq!(e.outcome, Outcome::NeedsMoreInfo);
        assert!(e.reasons.contains(&ReasonCode::MissingCitizenOrLprSince));
    }

    #[test]
    fn offenses_keep_their_input_index() {
        let e = evaluate(
            &citizen(),
            &[possession("21 USC 844"), possession("21 USC 841")],
        );
        let indexes: Vec<usize> = e.offenses.iter().map(|o| o.index).collect();
        assert_eq!(indexes, vec![0, 1]);
    }

    #[test]
    fn evaluation_serialises_with_rule_vocabulary() {
        let e = evaluate(&citizen(), &[possession("21:844(a)")]);
        let json = serde_json::to_value(&e).expect("serialises");
        assert_eq!(json["outcome"], "ELIGIBLE");
        assert_eq!(json["proclamations"], serde_json::json!(["10467", "10688"]));
        assert_eq!(
            json["reasons"],
            serde_json::json!(["COVERED_BY_10467", "COVERED_BY_10688"])
        );
        assert_eq!(json["offenses"][0]["family"], "USC_844");
        assert_eq!(
            json["offenses"][0]["canonical_citations"],
            serde_json::json!(["21 USC 844(a)"])
        );
    }
}
