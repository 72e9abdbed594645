//! The evaluation algorithm of `RULES.md` section 6.

use fieldclinic_schema::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, OffenseFacts, PersonFacts,
    StatusAtOffense, StatusNow, Substance,
};

use crate::citation::Scratch;
use crate::evaluation::{Evaluation, OffenseEvaluation, Scopes};
use crate::family::Family;
use crate::outcome::Outcome;
use crate::proclamation::Proclamation;
use crate::reason_code::{ReasonCode, ReasonSet};
use crate::registry::{self, Assessment, CitationResult};

/// Evaluates a person's record against both proclamations.
///
/// Pure and deterministic: the same facts always give the same result, and no clock is read.
/// Each offense is evaluated on its own (other offenses never disqualify an eligible one), then
/// the offense results are combined into the person's.
#[must_use]
pub fn evaluate(person: &PersonFacts, offenses: &[OffenseFacts]) -> Evaluation {
    if offenses.is_empty() {
        let mut scopes = Scopes::default();
        scopes.insert_both(ReasonCode::NoOffenses);
        return Evaluation {
            outcome: Outcome::NeedsMoreInfo,
            proclamations: Vec::new(),
            reasons: vec![ReasonCode::NoOffenses],
            offenses: Vec::new(),
            scopes,
        };
    }
    let mut scratch = Scratch::default();
    let mut results = Vec::with_capacity(offenses.len());
    let mut scopes = Scopes::default();
    let mut proclamations = [false; 2];
    let (mut any_eligible, mut any_not_eligible, mut any_more_info) = (false, false, false);
    for (index, offense) in offenses.iter().enumerate() {
        let result = evaluate_offense(person, index, offense, &mut scratch);
        // Every outcome's reasons are the union of its offenses' reasons (section 6, "Person
        // result"); the union of the scopes is that union, per proclamation.
        scopes = scopes.union(result.scopes);
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
            scopes.insert_both(ReasonCode::SomeOffensesNotCovered);
        }
        if any_more_info {
            scopes.insert_both(ReasonCode::SomeOffensesNeedMoreInfo);
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
        reasons: scopes.reasons().to_vec(),
        offenses: results,
        scopes,
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
) -> OffenseEvaluation {
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
    let family = match citation.result {
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
        // Step O2 decides a count cited only under the UCMJ.
        CitationResult::Military => None,
    };
    if citation.unparsed_code_name {
        // Part of the citation names a code the parser could not read: never silently dropped,
        // even beside a covered citation (R14).
        f.missing_both(ReasonCode::UnrecognizedCitation);
    }

    // O2. Jurisdiction.
    jurisdiction(offense.jurisdiction, family, &citation, &mut f);

    // O3. Conduct.
    conduct(offense.conduct, family, &mut f);

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
        match (offense.offense_date, offense.disposition_date) {
            // An offense cannot post-date its arrest, charge or conviction: the record
            // contradicts itself about this proclamation, and the text pardons those who
            // "committed or were convicted" by the date, so ask instead of failing.
            (Some(date), Some(disposed)) if disposed <= p.cutoff() && p.cutoff() < date => {
                f.missing[i].insert(ReasonCode::MissingOffenseDate);
            }
            (Some(date), _) if date > p.cutoff() => f.hard[i].insert(after_cutoff(p)),
            (Some(_), _) => {}
            // The disposition date bounds an unknown offense date.
            (None, Some(disposed)) if disposed <= p.cutoff() => {}
            (None, _) => f.missing[i].insert(ReasonCode::MissingOffenseDate),
        }
        // P3. Citizen or LPR on the proclamation date.
        citizen_or_lpr_on(person, p, &mut f);
    }

    let no_court_case = matches!(
        offense.disposition,
        Disposition::Arrested | Disposition::NotCharged
    );
    let (outcome, proclamations, scopes) = combine(&f, info, no_court_case);
    OffenseEvaluation {
        index,
        outcome,
        proclamations,
        reasons: scopes.reasons().to_vec(),
        canonical_citations,
        family,
        scopes,
    }
}

/// O2: the law violated matters, not the building. The first matching rule applies.
fn jurisdiction(
    jurisdiction: Jurisdiction,
    family: Option<Family>,
    citation: &Assessment,
    f: &mut Findings,
) {
    let cited = citation.federal_or_dc;
    // A UCMJ article makes the count a court-martial offense whatever the court field says.
    if jurisdiction == Jurisdiction::Military || citation.military {
        if cited {
            // For example a federal statute charged through the general article (Art. 134).
            f.missing_both(ReasonCode::ConflictingJurisdiction);
        } else {
            f.hard_both(ReasonCode::MilitaryOffenseNotCovered);
        }
        return;
    }
    match jurisdiction {
        Jurisdiction::State | Jurisdiction::Local => {
            if cited {
                f.missing_both(ReasonCode::ConflictingJurisdiction);
            } else {
                f.hard_both(ReasonCode::NotFederalOrDcOffense);
            }
        }
        Jurisdiction::Tribal => {
            // A Court of Indian Offenses applies 25 CFR: the listed 11.452(a) fits, and so does
            // an unclear or unlisted 25 CFR paragraph, which O1 already sent to be checked.
            let indian_offenses_court = family == Some(Family::Cfr25_11_452A)
                || (family.is_none() && cited && !citation.beyond_25_cfr);
            if indian_offenses_court {
                return;
            }
            if cited {
                f.missing_both(ReasonCode::ConflictingJurisdiction);
            } else {
                f.hard_both(ReasonCode::NotFederalOrDcOffense);
            }
        }
        Jurisdiction::Federal
        | Jurisdiction::DcSuperior
        | Jurisdiction::Military
        | Jurisdiction::Unknown => {}
    }
}

/// O3: the recorded conduct against what the citation names.
fn conduct(conduct: Conduct, family: Option<Family>, f: &mut Findings) {
    if conduct == Conduct::DrivingUnderInfluence {
        f.hard_both(ReasonCode::DrivingOffenseNotCovered);
        return;
    }
    let Some(family) = family else {
        return;
    };
    if family.is_inchoate() {
        // 846 and 48-904.09 cover attempts and conspiracies to commit many offenses: only the
        // conduct says which.
        match conduct {
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
        return;
    }
    // The citation names simple possession (and for a CFR paragraph also use). A conduct that
    // contradicts it is a conflict in the record, not proof of another offense: a charge of
    // possession with intent pleaded down to 844 is a simple-possession conviction.
    match conduct {
        Conduct::Conspiracy
        | Conduct::Distribution
        | Conduct::PossessionWithIntent
        | Conduct::Other => f.missing_both(ReasonCode::ConflictingConduct),
        Conduct::AttemptedPossession if family.in_10467_scope() => {
            // 10688 names attempted simple possession (paragraphs (1) and (3)); 10467 pardons
            // only "the offense of simple possession".
            f.missing[Proclamation::P10467 as usize].insert(ReasonCode::ConflictingConduct);
        }
        // A CFR paragraph "prohibit[s] only the simple possession or use".
        Conduct::AttemptedPossession => f.missing_both(ReasonCode::ConflictingConduct),
        Conduct::Possession | Conduct::Use | Conduct::Unknown | Conduct::DrivingUnderInfluence => {}
    }
}

/// P3: "current United States citizens and lawful permanent residents", read as on the
/// proclamation date.
fn citizen_or_lpr_on(person: &PersonFacts, p: Proclamation, f: &mut Findings) {
    let i = p as usize;
    match person.status_now {
        StatusNow::UsCitizen | StatusNow::Lpr => match person.citizen_or_lpr_since {
            Some(CitizenOrLprSince::Birth) if person.status_now == StatusNow::UsCitizen => {}
            Some(CitizenOrLprSince::Date(since)) if since <= p.cutoff() => {}
            Some(CitizenOrLprSince::Date(_)) => f.hard[i].insert(not_citizen_on(p)),
            // "birth" is for birthright citizens only; for an LPR it says nothing about the
            // date, so it counts as unknown (section 11, item 15).
            Some(CitizenOrLprSince::Birth) | None => {
                f.missing[i].insert(ReasonCode::MissingCitizenOrLprSince);
            }
        },
        // Neither now, but the unconditional pardon took effect on the date for everyone who
        // was a citizen or LPR then, so only a status that began later settles it.
        StatusNow::Other => match person.citizen_or_lpr_since {
            Some(CitizenOrLprSince::Date(since)) if since > p.cutoff() => {
                f.hard[i].insert(not_citizen_on(p));
            }
            Some(CitizenOrLprSince::Date(_) | CitizenOrLprSince::Birth) | None => {
                f.missing[i].insert(ReasonCode::MissingStatusOnProclamationDate);
            }
        },
        StatusNow::Unknown => f.missing[i].insert(ReasonCode::MissingStatusNow),
    }
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
/// The reasons come back with the proclamation each one concerns: a code from proclamation P's
/// findings concerns P, and information codes concern both.
fn combine(
    f: &Findings,
    info: ReasonSet,
    no_court_case: bool,
) -> (Outcome, Vec<Proclamation>, Scopes) {
    let eligible = |p: Proclamation| {
        let i = p as usize;
        f.hard[i].is_empty() && f.missing[i].is_empty()
    };
    let mut scopes = Scopes { by: [info, info] };
    if Proclamation::ALL.into_iter().any(eligible) {
        let mut proclamations = Vec::with_capacity(2);
        for p in Proclamation::ALL {
            let i = p as usize;
            if eligible(p) {
                proclamations.push(p);
                scopes.by[i].insert(covered_by(p));
            } else {
                // For information: why the other proclamation does not apply.
                scopes.by[i] = scopes.by[i].union(f.hard[i]).union(f.missing[i]);
            }
        }
        if no_court_case {
            scopes.insert_both(ReasonCode::NoCourtCaseForCertificate);
        }
        return (Outcome::Eligible, proclamations, scopes);
    }
    let mut open = false;
    for p in Proclamation::ALL {
        let i = p as usize;
        // The missing facts of a proclamation that already fails do not matter; its hard
        // codes are kept for information.
        if f.hard[i].is_empty() {
            open = true;
            scopes.by[i] = scopes.by[i].union(f.missing[i]);
        }
        scopes.by[i] = scopes.by[i].union(f.hard[i]);
    }
    let outcome = if open {
        Outcome::NeedsMoreInfo
    } else {
        Outcome::NotEligible
    };
    (outcome, Vec::new(), scopes)
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

    fn other_now(since: Option<CitizenOrLprSince>, at_offense: StatusAtOffense) -> PersonFacts {
        PersonFacts {
            status_now: StatusNow::Other,
            citizen_or_lpr_since: since,
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
                    o.offense_date = Some(date!(2022 - 10 - 07));
                    o.disposition_date = Some(date!(2023 - 01 - 20));
                })],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688, R::After10467Cutoff],
            ),
            s(
                "an offense on the second cutoff day is covered",
                citizen(),
                vec![with(possession("36 CFR 2.35(b)(2)"), |o| {
                    o.offense_date = Some(date!(2023 - 12 - 22));
                    o.disposition_date = Some(date!(2024 - 01 - 10));
                })],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688],
            ),
            s(
                "an offense after the second cutoff is not covered",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.offense_date = Some(date!(2023 - 12 - 23));
                    o.disposition_date = Some(date!(2024 - 02 - 01));
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
                "a person neither citizen nor LPR now may have been one on the dates",
                other_now(None, StatusAtOffense::LawfullyPresentOther),
                vec![possession("21 USC 844")],
                NeedsMoreInfo,
                &[],
                &[R::MissingStatusOnProclamationDate],
            ),
            s(
                "a green card since 2009, lost since, may still have held on the dates",
                other_now(
                    Some(CitizenOrLprSince::Date(date!(2009 - 05 - 01))),
                    StatusAtOffense::Lpr,
                ),
                vec![possession("21 USC 844")],
                NeedsMoreInfo,
                &[],
                &[R::MissingStatusOnProclamationDate],
            ),
            s(
                "status now other, first an LPR between the dates, fails 10467 and asks for 10688",
                other_now(
                    Some(CitizenOrLprSince::Date(date!(2023 - 03 - 01))),
                    StatusAtOffense::LawfullyPresentOther,
                ),
                vec![possession("21 USC 844")],
                NeedsMoreInfo,
                &[],
                &[
                    R::NotCitizenOrLprOn2022_10_06,
                    R::MissingStatusOnProclamationDate,
                ],
            ),
            s(
                "status now other, first an LPR after both dates, is covered by neither",
                other_now(
                    Some(CitizenOrLprSince::Date(date!(2024 - 03 - 01))),
                    StatusAtOffense::LawfullyPresentOther,
                ),
                vec![possession("21 USC 844")],
                NotEligible,
                &[],
                &[
                    R::NotCitizenOrLprOn2022_10_06,
                    R::NotCitizenOrLprOn2023_12_22,
                ],
            ),
            s(
                "status now other and not lawfully present at the offense fails P4",
                other_now(None, StatusAtOffense::NotLawfullyPresent),
                vec![possession("21 USC 844")],
                NotEligible,
                &[],
                &[R::NotLawfullyPresentAtOffense],
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
            // Change 1: separators, unparsed code names, citations of only separators.
            s(
                "a citation in square brackets beside a covered one is read and excludes",
                citizen(),
                vec![possession("21 U.S.C. § 844(a) [18 U.S.C. § 1791(a)(2)]")],
                NotEligible,
                &[],
                &[R::OtherOffenseNotCovered],
            ),
            s(
                "a quoted citation after a semicolon is read and excludes",
                citizen(),
                vec![possession("21 USC 844; \"18 USC 1791\"")],
                NotEligible,
                &[],
                &[R::OtherOffenseNotCovered],
            ),
            s(
                "a slash separates citations",
                citizen(),
                vec![possession("21 U.S.C. 844(a)/21 U.S.C. 841(a)(1)")],
                NotEligible,
                &[],
                &[R::DistributionOrIntentNotCovered],
            ),
            s(
                "a covered citation inside parentheses is covered",
                citizen(),
                vec![possession("(21 U.S.C. § 844(a))")],
                Eligible,
                &[P10467, P10688],
                &[R::CoveredBy10467, R::CoveredBy10688],
            ),
            s(
                "a dangling U.S.C. beside a covered citation needs review",
                citizen(),
                vec![possession("21 USC 844 and 18 U.S.C.")],
                NeedsMoreInfo,
                &[],
                &[R::UnrecognizedCitation],
            ),
            s(
                "an article without UCMJ beside a covered citation needs review",
                citizen(),
                vec![possession("Art. 134; 21 U.S.C. § 844")],
                NeedsMoreInfo,
                &[],
                &[R::UnrecognizedCitation],
            ),
            s(
                "a state code name beside a covered citation needs review",
                citizen(),
                vec![possession("21 USC 844 / Cal. Health & Safety Code § 11357")],
                NeedsMoreInfo,
                &[],
                &[R::UnrecognizedCitation],
            ),
            s(
                "an unparsed code name beside an excluded citation stays not eligible",
                citizen(),
                vec![possession("21 USC 841(a)(1); 18 U.S.C.")],
                NotEligible,
                &[],
                &[R::DistributionOrIntentNotCovered],
            ),
            s(
                "a citation of only a section sign is missing",
                citizen(),
                vec![possession("  §  ")],
                NeedsMoreInfo,
                &[],
                &[R::MissingCitation],
            ),
            s(
                "a citation of only separators is missing",
                citizen(),
                vec![possession(" ; [ ] / \"\" | + ")],
                NeedsMoreInfo,
                &[],
                &[R::MissingCitation],
            ),
            s(
                "a CFR section list continues across a semicolon",
                citizen(),
                vec![possession("36 C.F.R. § 2.35(b)(1); 2.35(b)(2)")],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688, R::CompanionCitationIgnored],
            ),
            s(
                "a D.C. Code section list continues across a semicolon",
                citizen(),
                vec![with(
                    possession("D.C. Code § 48-904.01(d)(2); 48-904.01(d)(1)"),
                    |o| o.jurisdiction = Jurisdiction::DcSuperior,
                )],
                Eligible,
                &[P10467, P10688],
                &[R::CoveredBy10467, R::CompanionCitationIgnored],
            ),
            s(
                "a U.S. Code section list continues across a semicolon",
                citizen(),
                vec![possession("21 U.S.C. § 844(a); 856")],
                NotEligible,
                &[],
                &[R::OtherOffenseNotCovered],
            ),
            // Change 2: every UCMJ article is a military citation.
            s(
                "UCMJ Art. 134 with a covered statute and no court is a conflict",
                citizen(),
                vec![with(possession("UCMJ Art. 134; 21 U.S.C. 844"), |o| {
                    o.jurisdiction = Jurisdiction::Unknown
                })],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingJurisdiction],
            ),
            s(
                "UCMJ Art. 134 alone in a federal court is a military offense",
                citizen(),
                vec![possession("UCMJ Art. 134")],
                NotEligible,
                &[],
                &[R::MilitaryOffenseNotCovered],
            ),
            s(
                "the codified general article 10 U.S.C. 934 is a military offense",
                citizen(),
                vec![with(possession("10 U.S.C. § 934"), |o| {
                    o.jurisdiction = Jurisdiction::Unknown
                })],
                NotEligible,
                &[],
                &[R::MilitaryOffenseNotCovered],
            ),
            s(
                "a covered statute with 10 U.S.C. 934 is a conflict",
                citizen(),
                vec![possession("21 U.S.C. § 844(a); 10 U.S.C. § 934")],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingJurisdiction],
            ),
            s(
                "a UCMJ article in a state court is still a military offense",
                citizen(),
                vec![with(possession("Article 92, UCMJ"), |o| {
                    o.jurisdiction = Jurisdiction::State
                })],
                NotEligible,
                &[],
                &[R::MilitaryOffenseNotCovered],
            ),
            // Change 4: unlisted federal and D.C. provisions in a non-federal court.
            s(
                "an unlisted 25 CFR paragraph in a tribal court goes to review",
                citizen(),
                vec![with(possession("25 C.F.R. § 11.452(b)"), |o| {
                    o.jurisdiction = Jurisdiction::Tribal
                })],
                NeedsMoreInfo,
                &[],
                &[R::UnrecognizedCitation],
            ),
            s(
                "a listed 25 CFR section without its paragraph in a tribal court needs the paragraph",
                citizen(),
                vec![with(possession("25 CFR 11.452"), |o| {
                    o.jurisdiction = Jurisdiction::Tribal
                })],
                NeedsMoreInfo,
                &[],
                &[R::CitationSubsectionUnclear],
            ),
            s(
                "another federal citation with 25 CFR in a tribal court is a conflict",
                citizen(),
                vec![with(
                    possession("25 C.F.R. § 11.452(b); 18 U.S.C. § 1152"),
                    |o| o.jurisdiction = Jurisdiction::Tribal,
                )],
                NeedsMoreInfo,
                &[],
                &[R::UnrecognizedCitation, R::ConflictingJurisdiction],
            ),
            s(
                "an unlisted CFR paragraph in a state court is a conflict",
                citizen(),
                vec![with(possession("50 C.F.R. § 27.82(b)(1)"), |o| {
                    o.jurisdiction = Jurisdiction::State
                })],
                NeedsMoreInfo,
                &[],
                &[R::UnrecognizedCitation, R::ConflictingJurisdiction],
            ),
            s(
                "an unrecognized U.S. Code citation in a local court is a conflict",
                citizen(),
                vec![with(possession("18 U.S.C. § 13"), |o| {
                    o.jurisdiction = Jurisdiction::Local
                })],
                NeedsMoreInfo,
                &[],
                &[R::UnrecognizedCitation, R::ConflictingJurisdiction],
            ),
            s(
                "an unclear D.C. Code citation in a state court is a conflict",
                citizen(),
                vec![with(possession("D.C. Code § 48-904.01(d)"), |o| {
                    o.jurisdiction = Jurisdiction::State
                })],
                NeedsMoreInfo,
                &[],
                &[R::CitationSubsectionUnclear, R::ConflictingJurisdiction],
            ),
            s(
                "an unlisted CFR paragraph in a court-martial is a conflict",
                citizen(),
                vec![with(possession("36 CFR 4.23(a)(1)"), |o| {
                    o.jurisdiction = Jurisdiction::Military
                })],
                NeedsMoreInfo,
                &[],
                &[R::UnrecognizedCitation, R::ConflictingJurisdiction],
            ),
            // Change 5: conduct that contradicts a simple-possession citation.
            s(
                "844 recorded as distribution is a conflict in the record",
                citizen(),
                vec![with(possession("21 U.S.C. § 844(a)"), |o| {
                    o.conduct = Conduct::Distribution
                })],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingConduct],
            ),
            s(
                "844 recorded as possession with intent is a conflict in the record",
                citizen(),
                vec![with(possession("21 USC 844"), |o| {
                    o.conduct = Conduct::PossessionWithIntent
                })],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingConduct],
            ),
            s(
                "D.C. simple possession recorded as another offense is a conflict",
                citizen(),
                vec![with(possession("D.C. Code § 48-904.01(d)(1)"), |o| {
                    o.conduct = Conduct::Other
                })],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingConduct],
            ),
            s(
                "844 recorded as an attempt is covered by 10688 only",
                citizen(),
                vec![with(possession("21 U.S.C. § 844(a)"), |o| {
                    o.conduct = Conduct::AttemptedPossession
                })],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688, R::ConflictingConduct],
            ),
            s(
                "a listed CFR paragraph recorded as a conspiracy is a conflict",
                citizen(),
                vec![with(possession("36 C.F.R. § 2.35(b)(2)"), |o| {
                    o.conduct = Conduct::Conspiracy
                })],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingConduct, R::NotIn10467Scope],
            ),
            s(
                "a listed CFR paragraph recorded as an attempt is a conflict",
                citizen(),
                vec![with(possession("43 C.F.R. § 8365.1-4(b)(2)"), |o| {
                    o.conduct = Conduct::AttemptedPossession
                })],
                NeedsMoreInfo,
                &[],
                &[R::ConflictingConduct],
            ),
            s(
                "a listed CFR paragraph recorded as use is covered",
                citizen(),
                vec![with(possession("36 C.F.R. § 2.35(b)(2)"), |o| {
                    o.conduct = Conduct::Use
                })],
                Eligible,
                &[P10688],
                &[R::CoveredBy10688],
            ),
            // Change 6: an offense date after the disposition date, across a cutoff.
            s(
                "an offense date after 2023-12-22 with a conviction before it is asked about",
                citizen(),
                vec![with(possession("21 U.S.C. § 844"), |o| {
                    o.offense_date = Some(date!(2024 - 01 - 10));
                    o.disposition_date = Some(date!(2023 - 12 - 15));
                })],
                NeedsMoreInfo,
                &[],
                &[R::MissingOffenseDate, R::After10467Cutoff],
            ),
            s(
                "an offense date after 2022-10-06 with an arrest before it asks only for 10467",
                citizen(),
                vec![with(possession("21 U.S.C. § 844"), |o| {
                    o.offense_date = Some(date!(2022 - 11 - 01));
                    o.disposition = Disposition::Arrested;
                    o.disposition_date = Some(date!(2022 - 10 - 01));
                })],
                Eligible,
                &[P10688],
                &[
                    R::CoveredBy10688,
                    R::MissingOffenseDate,
                    R::NoCourtCaseForCertificate,
                ],
            ),
            s(
                "an offense and a disposition both after the cutoffs are not covered",
                citizen(),
                vec![with(possession("21 U.S.C. § 844"), |o| {
                    o.offense_date = Some(date!(2024 - 01 - 10));
                    o.disposition_date = Some(date!(2024 - 03 - 15));
                })],
                NotEligible,
                &[],
                &[R::After10467Cutoff, R::After10688Cutoff],
            ),
            // Change 7: an offense-level "unknown" is no override.
            s(
                "an unknown offense-level status leaves the person's not lawfully present",
                lpr_since(date!(2020 - 01 - 01), StatusAtOffense::NotLawfullyPresent),
                vec![with(possession("21 USC 844"), |o| {
                    o.status_at_offense = StatusAtOffense::Unknown
                })],
                NotEligible,
                &[],
                &[R::NotLawfullyPresentAtOffense],
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
                o.disposition_date = None;
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
                o.disposition_date = Some(date!(2023 - 03 - 01));
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
    fn an_unlisted_25_cfr_paragraph_in_a_tribal_court_is_no_conflict() {
        let e = evaluate(
            &citizen(),
            &[with(possession("25 C.F.R. § 11.452(b)"), |o| {
                o.jurisdiction = Jurisdiction::Tribal
            })],
        );
        assert_eq!(e.reasons, vec![ReasonCode::UnrecognizedCitation]);
    }

    #[test]
    fn a_covered_citation_with_a_military_one_is_never_a_companion() {
        let e = evaluate(&citizen(), &[possession("UCMJ Art. 134; 21 U.S.C. 844")]);
        assert_eq!(e.outcome, Outcome::NeedsMoreInfo);
        assert_eq!(e.offenses[0].family, Some(Family::Usc844));
        assert!(
            !e.reasons.contains(&ReasonCode::CompanionCitationIgnored),
            "{:?}",
            e.reasons
        );
        assert_eq!(
            e.offenses[0].canonical_citations,
            vec!["UCMJ Art. 134", "21 USC 844"]
        );
    }

    #[test]
    fn a_person_needing_more_info_has_the_union_of_reasons_without_the_some_offenses_codes() {
        let e = evaluate(
            &citizen(),
            &[
                with(possession("21 USC 844"), |o| o.substance = Substance::Other),
                with(possession("21 USC 844"), |o| {
                    o.substance = Substance::Unknown
                }),
            ],
        );
        assert_eq!(e.outcome, Outcome::NeedsMoreInfo);
        assert_eq!(
            e.reasons,
            vec![
                ReasonCode::SubstanceNotMarijuana,
                ReasonCode::MissingSubstance
            ]
        );
    }

    #[test]
    fn a_reason_names_the_one_proclamation_it_matters_for() {
        // The arrest bounds the unknown offense date for 10688 but not for 10467.
        let e = evaluate(
            &citizen(),
            &[with(possession("21 USC 844"), |o| {
                o.offense_date = None;
                o.disposition_date = Some(date!(2023 - 01 - 01));
                o.substance = Substance::Unknown;
            })],
        );
        assert_eq!(e.outcome, Outcome::NeedsMoreInfo);
        assert_eq!(
            e.reason_proclamations(ReasonCode::MissingOffenseDate),
            vec![Proclamation::P10467]
        );
        assert_eq!(
            e.reason_proclamations(ReasonCode::MissingSubstance),
            vec![Proclamation::P10467, Proclamation::P10688]
        );
        let explanations = e.explanations();
        let date = explanations
            .iter()
            .find(|x| x.code == ReasonCode::MissingOffenseDate)
            .expect("the date is explained");
        assert!(
            date.text.ends_with(
                "This matters only for the October 6, 2022 pardon (Proclamation 10467)."
            ),
            "{}",
            date.text
        );
        let substance = explanations
            .iter()
            .find(|x| x.code == ReasonCode::MissingSubstance)
            .expect("the substance is explained");
        assert_eq!(substance.text, ReasonCode::MissingSubstance.explanation());
    }

    #[test]
    fn an_attempt_under_844_conflicts_only_for_10467() {
        let e = evaluate(
            &citizen(),
            &[with(possession("21 U.S.C. § 844(a)"), |o| {
                o.conduct = Conduct::AttemptedPossession
            })],
        );
        let offense = &e.offenses[0];
        assert_eq!(
            offense.reason_proclamations(ReasonCode::ConflictingConduct),
            vec![Proclamation::P10467]
        );
        assert_eq!(
            offense.reason_proclamations(ReasonCode::CoveredBy10688),
            vec![Proclamation::P10688]
        );
        let covered = &offense.explanations()[0];
        assert_eq!(covered.code, ReasonCode::CoveredBy10688);
        // The code already names its proclamation; no sentence is added.
        assert_eq!(covered.text, ReasonCode::CoveredBy10688.explanation());
    }

    #[test]
    fn the_status_on_the_later_date_is_asked_only_for_10688() {
        let e = evaluate(
            &other_now(
                Some(CitizenOrLprSince::Date(date!(2023 - 03 - 01))),
                StatusAtOffense::LawfullyPresentOther,
            ),
            &[possession("21 USC 844")],
        );
        assert_eq!(
            e.reason_proclamations(ReasonCode::MissingStatusOnProclamationDate),
            vec![Proclamation::P10688]
        );
        assert_eq!(
            e.reason_proclamations(ReasonCode::NotCitizenOrLprOn2022_10_06),
            vec![Proclamation::P10467]
        );
    }

    #[test]
    fn a_person_level_scope_is_the_union_of_the_offense_scopes() {
        let only_10467 = with(possession("21 USC 844"), |o| {
            o.offense_date = None;
            o.disposition_date = Some(date!(2023 - 01 - 01));
        });
        let both = with(possession("21 USC 844"), |o| {
            o.offense_date = None;
            o.disposition_date = None;
        });
        let one = evaluate(&citizen(), std::slice::from_ref(&only_10467));
        assert_eq!(
            one.reason_proclamations(ReasonCode::MissingOffenseDate),
            vec![Proclamation::P10467]
        );
        let two = evaluate(&citizen(), &[only_10467, both]);
        assert_eq!(
            two.reason_proclamations(ReasonCode::MissingOffenseDate),
            vec![Proclamation::P10467, Proclamation::P10688]
        );
        assert_eq!(
            two.reason_proclamations(ReasonCode::SomeOffensesNeedMoreInfo),
            vec![Proclamation::P10467, Proclamation::P10688]
        );
        assert!(
            two.reason_proclamations(ReasonCode::MissingCitation)
                .is_empty()
        );
    }

    #[test]
    fn the_determination_says_which_proclamation_a_reason_matters_for() {
        let e = evaluate(
            &citizen(),
            &[with(possession("21 USC 844"), |o| {
                o.offense_date = None;
                o.disposition_date = Some(date!(2023 - 01 - 01));
            })],
        );
        let intake = fieldclinic_schema::Intake::default();
        let d = e.to_determination(&intake, Vec::new(), Vec::new(), "h".into(), "t".into());
        assert_eq!(d.rules_version, "pardon-rules-2023-12-22.2");
        let date = d
            .reasons
            .iter()
            .find(|r| r.code == "MISSING_OFFENSE_DATE")
            .expect("the date is a reason");
        assert!(
            date.explanation
                .contains("October 6, 2022 pardon (Proclamation 10467)"),
            "{}",
            date.explanation
        );
        assert_eq!(date.category, "FACT");
        assert!(date.question.is_some());
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
