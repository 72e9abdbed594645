//! Property tests of citation reading (`RULES.md` section 4) through the whole engine.
//!
//! Citation strings are built from the written forms of sections 3 and 4: covered, known
//! not-covered, military, unclear and unrecognized citations and dangling code names, each
//! possibly wrapped in brackets or quotation marks, joined by random separators and in random
//! letter case. What the engine must make of each mix follows from section 4 ("Combine the
//! citations of one offense") and step O2, computed here from the kinds of the pieces alone, so
//! the test does not depend on how the parser is written.

use fieldclinic_eligibility::{
    Family, OffenseEvaluation, OffenseFacts, Outcome, PersonFacts, Proclamation, ReasonCode,
    evaluate,
};
use fieldclinic_schema::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, StatusAtOffense, StatusNow, Substance,
};
use proptest::prelude::*;
use proptest::sample::select;
use time::macros::date;

/// One written citation (or code name) and what section 4 makes of it.
#[derive(Debug, Clone, Copy)]
enum Piece {
    Covered(&'static str, Family),
    Excluded(&'static str, ReasonCode),
    Military(&'static str),
    Unclear(&'static str),
    Unrecognized(&'static str),
    /// A code name with no readable section: an unparsed code name.
    Dangling(&'static str),
}

impl Piece {
    const fn text(self) -> &'static str {
        match self {
            Self::Covered(t, _)
            | Self::Excluded(t, _)
            | Self::Military(t)
            | Self::Unclear(t)
            | Self::Unrecognized(t)
            | Self::Dangling(t) => t,
        }
    }
}

const COVERED: &[(&str, Family)] = &[
    ("21 U.S.C. § 844(a)", Family::Usc844),
    ("21 USC 844", Family::Usc844),
    ("21 U.S.C.A. § 844", Family::Usc844),
    (
        "Title 21, United States Code, Section 844(a)",
        Family::Usc844,
    ),
    ("21 U.S.C. § 844 (a)", Family::Usc844),
    ("21:844(a)", Family::Usc844),
    ("21 U.S.C. § 846", Family::Usc846),
    ("21 U.S.C. §§ 846, 844(a)", Family::Usc846),
    ("D.C. Code § 48-904.01(d)(1)", Family::Dc48_904_01D1),
    (
        "D.C. Official Code § 48–904.01(d)(1)",
        Family::Dc48_904_01D1,
    ),
    ("D.C. Code § 48-904.09", Family::Dc48_904_09),
    (
        "D.C. Code §§ 48-904.01(d)(1), 48-904.09",
        Family::Dc48_904_09,
    ),
    ("25 C.F.R. § 11.452(a)", Family::Cfr25_11_452A),
    ("32 C.F.R. § 1903.12(b)(2)", Family::Cfr32_1903_12B2),
    ("36 CFR 2.35 (b)(2)", Family::Cfr36_2_35B2),
    ("36 CFR 1002.35(b)(2)", Family::Cfr36_1002_35B2),
    ("36 C.F.R. 1280.16(a)(1)", Family::Cfr36_1280_16A1),
    ("36 CFR 702.6(b)", Family::Cfr36_702_6B),
    ("41 C.F.R. § 102-74.400(a)", Family::Cfr41_102_74_400A),
    ("43 C.F.R. § 8365.1-4(b)(2)", Family::Cfr43_8365_1_4B2),
    ("50 C.F.R. 27.82(b)(2)", Family::Cfr50_27_82B2),
];

const EXCLUDED: &[(&str, ReasonCode)] = &[
    (
        "21 U.S.C. § 841(a)(1)",
        ReasonCode::DistributionOrIntentNotCovered,
    ),
    ("21 USC 860", ReasonCode::DistributionOrIntentNotCovered),
    ("21 U.S.C. 856(a)", ReasonCode::OtherOffenseNotCovered),
    (
        "D.C. Code § 48-904.01(a)(1)",
        ReasonCode::DistributionOrIntentNotCovered,
    ),
    ("18 U.S.C. § 1791(a)(2)", ReasonCode::OtherOffenseNotCovered),
    ("18 USC 1791", ReasonCode::OtherOffenseNotCovered),
    ("10 U.S.C. § 912a", ReasonCode::MilitaryOffenseNotCovered),
    ("UCMJ Art. 112a", ReasonCode::MilitaryOffenseNotCovered),
    ("Article 112a", ReasonCode::MilitaryOffenseNotCovered),
];

const MILITARY: &[&str] = &[
    "UCMJ Art. 134",
    "Art. 134, UCMJ",
    "UCMJ Article 80",
    "10 U.S.C. § 934",
    "10 USC 881",
];

const UNCLEAR: &[&str] = &["36 CFR 2.35", "D.C. Code § 48-904.01(d)", "25 CFR 11.452"];

const UNRECOGNIZED: &[&str] = &[
    "16 U.S.C. § 3",
    "18 U.S.C. § 13",
    "21 U.S.C. § 844a",
    "36 C.F.R. § 2.35(b)(1)",
    "41 CFR 102-74.405",
    "D.C. Code § 48-904.01(d)(2)",
];

// Each code name here is kept away from numbers by a word, because a code name between two
// numbers is a citation (`18 U.S.C. 18`, `3 C.F.R. 18`) and the mix would no longer say what it
// means. `Art.` without UCMJ is also an unparsed code name, but a UCMJ elsewhere in the same
// string would make it an article. Both are left to the unit tests.
const DANGLING: &[&str] = &[
    "18 U.S.C. (count 2)",
    "the C.F.R.",
    "D.C. Code",
    "Cal. Health & Safety Code § 11357",
    "Stat.",
];

const WRAPPERS: &[(&str, &str)] = &[
    ("", ""),
    ("(", ")"),
    ("[", "]"),
    ("{", "}"),
    ("<", ">"),
    ("\"", "\""),
    ("'", "'"),
    ("“", "”"),
    ("‘", "’"),
];

const SEPARATORS: &[&str] = &[
    " ", ";", "; ", " ; ", ",", ", ", "/", " / ", "|", "+", " and ", " & ", "\t", "\n", "\u{a0}",
    "\\", "*",
];

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        select(COVERED).prop_map(|(t, f)| Piece::Covered(t, f)),
        select(EXCLUDED).prop_map(|(t, r)| Piece::Excluded(t, r)),
        select(MILITARY).prop_map(Piece::Military),
        select(UNCLEAR).prop_map(Piece::Unclear),
        select(UNRECOGNIZED).prop_map(Piece::Unrecognized),
        select(DANGLING).prop_map(Piece::Dangling),
    ]
}

fn excluded_piece() -> impl Strategy<Value = Piece> {
    select(EXCLUDED).prop_map(|(t, r)| Piece::Excluded(t, r))
}

fn covered_piece() -> impl Strategy<Value = Piece> {
    select(COVERED).prop_map(|(t, f)| Piece::Covered(t, f))
}

#[derive(Debug, Clone, Copy)]
enum Case {
    AsWritten,
    Upper,
    Lower,
}

/// Writes the pieces, each in a random wrapper, joined by random separators, with random
/// separators before and after, in a random letter case.
fn write(
    pieces: &[Piece],
    wrappers: &[(&str, &str)],
    separators: &[&str],
    edges: (&str, &str),
    case: Case,
) -> String {
    let mut out = String::from(edges.0);
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            out.push_str(separators[i % separators.len()]);
        }
        let (open, close) = wrappers[i % wrappers.len()];
        out.push_str(open);
        out.push_str(p.text());
        out.push_str(close);
    }
    out.push_str(edges.1);
    match case {
        Case::AsWritten => out,
        Case::Upper => out.to_uppercase(),
        Case::Lower => out.to_lowercase(),
    }
}

fn citizen() -> PersonFacts {
    PersonFacts {
        status_now: StatusNow::UsCitizen,
        citizen_or_lpr_since: Some(CitizenOrLprSince::Birth),
        status_at_offense: StatusAtOffense::UsCitizen,
    }
}

/// A 2015 federal count of marijuana possession (an attempt for the inchoate sections, whose
/// conduct must be shown), so only the citation decides.
fn count(citation: &str, family: Option<Family>) -> OffenseFacts {
    OffenseFacts {
        citation: Some(citation.to_owned()),
        substance: Substance::Marijuana,
        conduct: if family.is_some_and(Family::is_inchoate) {
            Conduct::AttemptedPossession
        } else {
            Conduct::Possession
        },
        offense_date: Some(date!(2015 - 06 - 01)),
        disposition: Disposition::Convicted,
        disposition_date: Some(date!(2015 - 09 - 01)),
        jurisdiction: Jurisdiction::Federal,
        status_at_offense: StatusAtOffense::Unknown,
    }
}

/// What section 4 and step O2 make of a mix of pieces.
struct Expected {
    outcome: Outcome,
    proclamations: Vec<Proclamation>,
    family: Option<Family>,
    codes: Vec<ReasonCode>,
}

fn expected(pieces: &[Piece]) -> Expected {
    let any = |f: fn(&Piece) -> bool| pieces.iter().any(f);
    let excluded: Vec<ReasonCode> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Excluded(_, r) => Some(*r),
            _ => None,
        })
        .collect();
    let covered: Vec<Family> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Covered(_, f) => Some(*f),
            _ => None,
        })
        .collect();
    // The inchoate family if present, otherwise the first covered one.
    let family = covered
        .iter()
        .copied()
        .find(|f| f.is_inchoate())
        .or_else(|| covered.first().copied());
    let military = any(|p| matches!(p, Piece::Military(_)));
    let unclear = any(|p| matches!(p, Piece::Unclear(_)));
    let unrecognized = any(|p| matches!(p, Piece::Unrecognized(_)));
    let dangling = any(|p| matches!(p, Piece::Dangling(_)));
    let federal_cited = family.is_some() || unclear || unrecognized;
    let needs = |codes: Vec<ReasonCode>| Expected {
        outcome: Outcome::NeedsMoreInfo,
        proclamations: Vec::new(),
        family,
        codes,
    };
    if !excluded.is_empty() {
        return Expected {
            outcome: Outcome::NotEligible,
            proclamations: Vec::new(),
            family: None,
            codes: excluded,
        };
    }
    if military {
        if federal_cited {
            return needs(vec![ReasonCode::ConflictingJurisdiction]);
        }
        return Expected {
            outcome: Outcome::NotEligible,
            proclamations: Vec::new(),
            family: None,
            codes: vec![ReasonCode::MilitaryOffenseNotCovered],
        };
    }
    if let Some(f) = family {
        if dangling {
            return needs(vec![ReasonCode::UnrecognizedCitation]);
        }
        let proclamations = if f.in_10467_scope() {
            vec![Proclamation::P10467, Proclamation::P10688]
        } else {
            vec![Proclamation::P10688]
        };
        let mut codes = vec![ReasonCode::CoveredBy10688];
        if unclear || unrecognized {
            codes.push(ReasonCode::CompanionCitationIgnored);
        }
        return Expected {
            outcome: Outcome::Eligible,
            proclamations,
            family,
            codes,
        };
    }
    if unclear {
        // An unrecognized citation beside an unclear one adds nothing; a code name does.
        let mut codes = vec![ReasonCode::CitationSubsectionUnclear];
        if dangling {
            codes.push(ReasonCode::UnrecognizedCitation);
        }
        return needs(codes);
    }
    needs(vec![ReasonCode::UnrecognizedCitation])
}

fn check(citation: &str, pieces: &[Piece]) -> Result<(), TestCaseError> {
    let want = expected(pieces);
    let e = evaluate(&citizen(), &[count(citation, want.family)]);
    let offense: &OffenseEvaluation = &e.offenses[0];
    prop_assert_eq!(
        e.outcome,
        want.outcome,
        "{:?} read as {:?}, reasons {:?}",
        citation,
        offense.canonical_citations,
        e.reasons
    );
    prop_assert_eq!(&e.proclamations, &want.proclamations, "{:?}", citation);
    prop_assert_eq!(
        offense.family,
        want.family,
        "{:?} read as {:?}",
        citation,
        offense.canonical_citations
    );
    for code in &want.codes {
        prop_assert!(
            e.reasons.contains(code),
            "{:?} read as {:?}: {} missing from {:?}",
            citation,
            offense.canonical_citations,
            code,
            e.reasons
        );
    }
    Ok(())
}

fn wrappers() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    prop::collection::vec(select(WRAPPERS), 1..4)
}

fn separators() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(select(SEPARATORS), 1..4)
}

fn edges() -> impl Strategy<Value = (&'static str, &'static str)> {
    (
        select(&["", " ", "; ", "§ ", "(", "\""][..]),
        select(&["", " ", ";", ".", ")", "\""][..]),
    )
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![Just(Case::AsWritten), Just(Case::Upper), Just(Case::Lower)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_covered_citation_alone_yields_its_family(
        p in covered_piece(),
        w in wrappers(),
        edges in edges(),
        case in case(),
    ) {
        let citation = write(&[p], &w, &[" "], edges, case);
        check(&citation, &[p])?;
    }

    #[test]
    fn a_not_covered_citation_anywhere_is_never_eligible(
        before in prop::collection::vec(piece(), 0..3),
        bad in excluded_piece(),
        after in prop::collection::vec(piece(), 0..3),
        w in wrappers(),
        s in separators(),
        edges in edges(),
        case in case(),
    ) {
        let mut pieces = before;
        pieces.push(bad);
        pieces.extend(after);
        let citation = write(&pieces, &w, &s, edges, case);
        let e = evaluate(&citizen(), &[count(&citation, None)]);
        prop_assert_ne!(e.outcome, Outcome::Eligible, "{:?}", citation);
        check(&citation, &pieces)?;
    }

    #[test]
    fn any_mix_of_citations_combines_as_section_4_says(
        pieces in prop::collection::vec(piece(), 1..5),
        w in wrappers(),
        s in separators(),
        edges in edges(),
        case in case(),
    ) {
        let citation = write(&pieces, &w, &s, edges, case);
        check(&citation, &pieces)?;
    }

    #[test]
    fn a_citation_of_only_separators_is_missing(
        s in prop::collection::vec(
            select(&[" ", "§", "§§", ";", ",", "/", "|", "+", "[", "]", "(", ")", "\"", "“", "-", ":", "\t"][..]),
            1..8,
        )
    ) {
        let citation: String = s.concat();
        let e = evaluate(&citizen(), &[count(&citation, None)]);
        prop_assert_eq!(e.outcome, Outcome::NeedsMoreInfo);
        prop_assert_eq!(e.reasons, vec![ReasonCode::MissingCitation], "{:?}", citation);
    }
}
