//! The registries of `RULES.md` section 3 and the classification of section 4.
//!
//! The tables are data: extending the reviewed allow-list (prior codifications, unlisted CFR
//! paragraphs) means adding a row here, and bumping `RULES_VERSION`.

use fieldclinic_schema::Jurisdiction;

use crate::citation::{self, Citation, Kind, Scratch};
use crate::family::Family;
use crate::reason_code::{ReasonCode, ReasonSet};

/// One registry row: a kind, title, section and the listed subsection path (upper case).
#[derive(Debug)]
struct Entry {
    kind: Kind,
    title: u32,
    section: &'static [u8],
    path: &'static [&'static [u8]],
}

const fn usc(title: u32, section: &'static [u8]) -> Entry {
    Entry {
        kind: Kind::Usc,
        title,
        section,
        path: &[],
    }
}

const fn cfr(title: u32, section: &'static [u8], path: &'static [&'static [u8]]) -> Entry {
    Entry {
        kind: Kind::Cfr,
        title,
        section,
        path,
    }
}

const fn dc(section: &'static [u8], path: &'static [&'static [u8]]) -> Entry {
    Entry {
        kind: Kind::DcCode,
        title: 0,
        section,
        path,
    }
}

/// Sections 3.1 and 3.2: covered provisions.
const COVERED: &[(Entry, Family)] = &[
    (usc(21, b"844"), Family::Usc844),
    (usc(21, b"846"), Family::Usc846),
    (dc(b"48-904.01", &[b"D", b"1"]), Family::Dc48_904_01D1),
    (dc(b"48-904.09", &[]), Family::Dc48_904_09),
    (cfr(25, b"11.452", &[b"A"]), Family::Cfr25_11_452A),
    (cfr(32, b"1903.12", &[b"B", b"2"]), Family::Cfr32_1903_12B2),
    (cfr(36, b"2.35", &[b"B", b"2"]), Family::Cfr36_2_35B2),
    (cfr(36, b"1002.35", &[b"B", b"2"]), Family::Cfr36_1002_35B2),
    (cfr(36, b"1280.16", &[b"A", b"1"]), Family::Cfr36_1280_16A1),
    (cfr(36, b"702.6", &[b"B"]), Family::Cfr36_702_6B),
    (cfr(41, b"102-74.400", &[b"A"]), Family::Cfr41_102_74_400A),
    (
        cfr(43, b"8365.1-4", &[b"B", b"2"]),
        Family::Cfr43_8365_1_4B2,
    ),
    (cfr(50, b"27.82", &[b"B", b"2"]), Family::Cfr50_27_82B2),
];

/// Section 3.4: known not-covered provisions.
const NOT_COVERED: &[(Entry, ReasonCode)] = &[
    (usc(21, b"841"), ReasonCode::DistributionOrIntentNotCovered),
    (usc(21, b"860"), ReasonCode::DistributionOrIntentNotCovered),
    (usc(21, b"856"), ReasonCode::OtherOffenseNotCovered),
    (
        dc(b"48-904.01", &[b"A"]),
        ReasonCode::DistributionOrIntentNotCovered,
    ),
    (usc(18, b"1791"), ReasonCode::OtherOffenseNotCovered),
    (usc(10, b"912A"), ReasonCode::MilitaryOffenseNotCovered),
    (
        Entry {
            kind: Kind::Ucmj,
            title: 0,
            section: b"112A",
            path: &[],
        },
        ReasonCode::MilitaryOffenseNotCovered,
    ),
];

/// How one extracted citation classifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Excluded(ReasonCode),
    /// A UCMJ article other than 112a, or its codification in 10 U.S.C. 801-946a.
    Military,
    Covered(Family),
    /// A listed section cited without (all of) the listed paragraph.
    Unclear,
    Unrecognized,
}

fn same_section(entry: &Entry, c: &Citation<'_>) -> bool {
    entry.kind == c.kind && entry.title == c.title && entry.section == c.section
}

/// Section 3.4, "Military citations": every UCMJ article, and 10 U.S.C. 801 to 946a with any
/// letter (chapter 47 of title 10, where article n is section 800 + n).
fn is_military(c: &Citation<'_>) -> bool {
    match c.kind {
        Kind::Ucmj => true,
        Kind::Usc if c.title == 10 => {
            let digits = c.section.iter().take_while(|b| b.is_ascii_digit()).count();
            let (number, letter) = c.section.split_at(digits);
            // Saturating all the way: a section of many digits is simply not in 801-946, and
            // must not overflow (the fuzzer's `10 USC 99999999999`).
            let number = number.iter().fold(0u32, |acc, d| {
                acc.saturating_mul(10).saturating_add(u32::from(d - b'0'))
            });
            match number {
                801..=945 => true,
                946 => matches!(letter, [] | [b'A']),
                _ => false,
            }
        }
        Kind::Usc | Kind::Cfr | Kind::DcCode => false,
    }
}

fn classify(c: &Citation<'_>) -> Class {
    let cited = c.path.parts();
    for (entry, reason) in NOT_COVERED {
        if same_section(entry, c) && cited.starts_with(entry.path) {
            return Class::Excluded(*reason);
        }
    }
    if is_military(c) {
        return Class::Military;
    }
    for (entry, family) in COVERED {
        if same_section(entry, c) {
            if cited.starts_with(entry.path) {
                return Class::Covered(*family);
            }
            if entry.path.starts_with(cited) {
                return Class::Unclear;
            }
            return Class::Unrecognized;
        }
    }
    Class::Unrecognized
}

/// What the citations of one count amount to (section 4, "Combine the citations of one offense").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CitationResult {
    /// No citation, or one with no token after normalisation (only spaces and separators).
    Missing,
    /// At least one known not-covered provision; the reasons of every such provision.
    Excluded(ReasonSet),
    /// A covered provision; `companion_ignored` when other citations were set aside.
    Covered {
        family: Family,
        companion_ignored: bool,
    },
    /// A listed section without the listed paragraph.
    Unclear,
    /// Nothing in the registries, or no citation extracted at all.
    Unrecognized,
    /// Only military citations: step O2 decides.
    Military,
}

/// One count's citation as steps O1 and O2 need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Assessment {
    pub(crate) result: CitationResult,
    /// A military citation is among the citations (step O2 makes the count a court-martial
    /// offense whatever the court).
    pub(crate) military: bool,
    /// Federal or D.C. law is cited (step O2): a covered family was found, or there is an
    /// unclear citation or an unrecognized U.S. Code, CFR or D.C. Code citation.
    pub(crate) federal_or_dc: bool,
    /// Some unclear or unrecognized citation is not a 25 CFR citation (step O2: a Court of
    /// Indian Offenses applies 25 CFR, so only those fit a tribal court).
    pub(crate) beyond_25_cfr: bool,
    /// Part of the citation names a code that was not read into a citation: adds
    /// `UNRECOGNIZED_CITATION` whatever the result.
    pub(crate) unparsed_code_name: bool,
}

impl Assessment {
    const MISSING: Self = Self {
        result: CitationResult::Missing,
        military: false,
        federal_or_dc: false,
        beyond_25_cfr: false,
        unparsed_code_name: false,
    };
}

/// Normalises, extracts and classifies the citation of one count; appends the canonical
/// citations to `canonical`.
pub(crate) fn assess(
    citation: Option<&str>,
    jurisdiction: Jurisdiction,
    scratch: &mut Scratch,
    canonical: &mut Vec<String>,
) -> Assessment {
    let Some(text) = citation else {
        return Assessment::MISSING;
    };
    let mut found: Vec<Citation<'_>> = Vec::new();
    let extraction = citation::read(text, jurisdiction, scratch, &mut found);
    if extraction.tokens == 0 {
        return Assessment::MISSING;
    }
    canonical.extend(found.iter().map(Citation::canonical));

    let mut excluded = ReasonSet::EMPTY;
    let mut first_covered = None;
    let mut inchoate = None;
    let mut unclear = false;
    let mut unrecognized = false;
    let mut military = false;
    let mut beyond_25_cfr = false;
    for c in &found {
        let class = classify(c);
        if matches!(class, Class::Unclear | Class::Unrecognized)
            && !(c.kind == Kind::Cfr && c.title == 25)
        {
            beyond_25_cfr = true;
        }
        match class {
            Class::Excluded(reason) => excluded.insert(reason),
            Class::Military => military = true,
            Class::Covered(family) => {
                first_covered.get_or_insert(family);
                if family.is_inchoate() {
                    inchoate.get_or_insert(family);
                }
            }
            Class::Unclear => unclear = true,
            Class::Unrecognized => unrecognized = true,
        }
    }
    let family = inchoate.or(first_covered);
    let result = if !excluded.is_empty() {
        // A not-covered object beats a covered inchoate: 846 + 841 is excluded.
        CitationResult::Excluded(excluded)
    } else if let Some(family) = family {
        // Unclear companions are set aside like unrecognized ones: a covered citation decides.
        // A military citation is never a companion; step O2 decides it.
        CitationResult::Covered {
            family,
            companion_ignored: unrecognized || unclear,
        }
    } else if unclear {
        CitationResult::Unclear
    } else if unrecognized || found.is_empty() {
        CitationResult::Unrecognized
    } else {
        CitationResult::Military
    };
    Assessment {
        result,
        military,
        // An excluded count has no family (section 4), so its covered citations do not count.
        federal_or_dc: matches!(result, CitationResult::Covered { .. }) || unclear || unrecognized,
        beyond_25_cfr,
        unparsed_code_name: extraction.unparsed_code_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(s: &str) -> CitationResult {
        result_in(s, Jurisdiction::Federal)
    }

    fn result_in(s: &str, jurisdiction: Jurisdiction) -> CitationResult {
        assess_in(s, jurisdiction).result
    }

    fn assess_in(s: &str, jurisdiction: Jurisdiction) -> Assessment {
        let mut scratch = Scratch::default();
        assess(Some(s), jurisdiction, &mut scratch, &mut Vec::new())
    }

    fn covered(family: Family) -> CitationResult {
        CitationResult::Covered {
            family,
            companion_ignored: false,
        }
    }

    fn excluded(code: ReasonCode) -> CitationResult {
        CitationResult::Excluded([code].into_iter().collect())
    }

    #[test]
    fn the_table_of_section_4_classifies_as_written() {
        assert_eq!(
            result("Title 21, United States Code, Section 844(a)"),
            covered(Family::Usc844)
        );
        assert_eq!(result("21 U.S.C. § 844a"), CitationResult::Unrecognized);
        assert_eq!(result("21:844(a)"), covered(Family::Usc844));
        assert_eq!(result("21 USC 846, 844(a)"), covered(Family::Usc846));
        assert_eq!(
            result("21 U.S.C. §§ 846, 841(a)(1)"),
            excluded(ReasonCode::DistributionOrIntentNotCovered)
        );
        assert_eq!(
            result("D.C. Official Code § 48–904.01(d)(1)"),
            covered(Family::Dc48_904_01D1)
        );
        assert_eq!(result("D.C. Code § 48-904.01(d)"), CitationResult::Unclear);
        assert_eq!(
            result("16 U.S.C. § 3; 36 C.F.R. § 2.35(b)(2)"),
            CitationResult::Covered {
                family: Family::Cfr36_2_35B2,
                companion_ignored: true
            }
        );
        assert_eq!(
            result("Cal. Health & Safety Code § 11357(b)"),
            CitationResult::Unrecognized
        );
    }

    #[test]
    fn the_new_rows_of_the_section_4_table_classify_as_written() {
        assert_eq!(
            result("21 U.S.C. § 844(a) [18 U.S.C. § 1791(a)(2)]"),
            excluded(ReasonCode::OtherOffenseNotCovered)
        );
        assert_eq!(
            result("21 USC 844; \"18 USC 1791\""),
            excluded(ReasonCode::OtherOffenseNotCovered)
        );
        assert_eq!(
            result("21 U.S.C. 844(a)/21 U.S.C. 841(a)(1)"),
            excluded(ReasonCode::DistributionOrIntentNotCovered)
        );
        assert_eq!(result("(21 U.S.C. § 844(a))"), covered(Family::Usc844));
        let dangling = assess_in("21 USC 844 and 18 U.S.C.", Jurisdiction::Federal);
        assert_eq!(dangling.result, covered(Family::Usc844));
        assert!(dangling.unparsed_code_name);
        let article = assess_in("Art. 134; 21 U.S.C. § 844", Jurisdiction::Federal);
        assert_eq!(article.result, covered(Family::Usc844));
        assert!(article.unparsed_code_name && !article.military);
        let court_martial = assess_in("UCMJ Art. 134; 21 U.S.C. 844", Jurisdiction::Unknown);
        assert_eq!(court_martial.result, covered(Family::Usc844));
        assert!(court_martial.military && court_martial.federal_or_dc);
        let general_article = assess_in("UCMJ Art. 134", Jurisdiction::Unknown);
        assert_eq!(general_article.result, CitationResult::Military);
        assert!(general_article.military && !general_article.federal_or_dc);
        let codified = assess_in("21 U.S.C. § 844(a); 10 U.S.C. § 934", Jurisdiction::Federal);
        assert_eq!(codified.result, covered(Family::Usc844));
        assert!(codified.military);
        assert_eq!(
            result("D.C. Code §§ 48-904.01(d)(1), 48-904.09"),
            covered(Family::Dc48_904_09)
        );
        let state = assess_in("Cal. Health & Safety Code § 11357(b)", Jurisdiction::State);
        assert_eq!(state.result, CitationResult::Unrecognized);
        assert!(state.unparsed_code_name && !state.federal_or_dc);
    }

    #[test]
    fn every_ucmj_article_and_10_usc_801_to_946a_is_military() {
        for written in [
            "UCMJ Art. 134",
            "UCMJ Art. 80",
            "Article 81, UCMJ",
            "10 U.S.C. § 801",
            "10 U.S.C. § 881",
            "10 USC 934(1)",
            "10 USC 945b",
            "10 USC 946",
            "10 USC 946a",
        ] {
            let a = assess_in(written, Jurisdiction::Federal);
            assert_eq!(a.result, CitationResult::Military, "{written}");
            assert!(a.military && !a.federal_or_dc, "{written}");
        }
        for written in [
            "10 USC 800",
            "10 USC 946b",
            "10 USC 947",
            "11 USC 934",
            // Found by the fuzzer: sections of many digits overflowed the number.
            "10 USC 99999999999",
            "10 USC 42949672951912",
        ] {
            let a = assess_in(written, Jurisdiction::Federal);
            assert_eq!(a.result, CitationResult::Unrecognized, "{written}");
            assert!(!a.military && a.federal_or_dc, "{written}");
        }
        // The drug article stays a known not-covered provision, not merely military.
        assert_eq!(
            result("10 USC 912a"),
            excluded(ReasonCode::MilitaryOffenseNotCovered)
        );
        assert_eq!(
            result("UCMJ Art. 112a; UCMJ Art. 134"),
            excluded(ReasonCode::MilitaryOffenseNotCovered)
        );
    }

    #[test]
    fn only_unclear_or_unlisted_25_cfr_citations_fit_a_tribal_court() {
        for written in ["25 C.F.R. § 11.452(b)", "25 CFR 11.452", "25 CFR 11.400"] {
            let a = assess_in(written, Jurisdiction::Tribal);
            assert!(a.federal_or_dc && !a.beyond_25_cfr, "{written}");
        }
        for written in [
            "25 CFR 11.452(b); 18 USC 1152",
            "36 CFR 2.35(b)(1)",
            "18 USC 13",
        ] {
            let a = assess_in(written, Jurisdiction::Tribal);
            assert!(a.federal_or_dc && a.beyond_25_cfr, "{written}");
        }
    }

    #[test]
    fn an_excluded_count_cites_no_federal_law_for_step_o2() {
        let a = assess_in("21 USC 844; 21 USC 841", Jurisdiction::State);
        assert_eq!(
            a.result,
            excluded(ReasonCode::DistributionOrIntentNotCovered)
        );
        assert!(!a.federal_or_dc);
    }

    #[test]
    fn a_citation_of_only_separators_is_missing() {
        for written in ["§", "  §  ", ";", " ; / [ ] ", "\"\"", "..."] {
            assert_eq!(result(written), CitationResult::Missing, "{written:?}");
        }
        assert_eq!(result("possession"), CitationResult::Unrecognized);
    }

    #[test]
    fn the_docket_letter_form_is_covered() {
        assert_eq!(result("21:844A"), covered(Family::Usc844));
    }

    #[test]
    fn every_listed_cfr_paragraph_is_covered_and_deeper_paths_too() {
        for (written, family) in [
            ("25 CFR 11.452(a)", Family::Cfr25_11_452A),
            ("32 CFR 1903.12(b)(2)", Family::Cfr32_1903_12B2),
            ("36 CFR 2.35(b)(2)", Family::Cfr36_2_35B2),
            ("36 CFR 1002.35(b)(2)", Family::Cfr36_1002_35B2),
            ("36 CFR 1280.16(a)(1)", Family::Cfr36_1280_16A1),
            ("36 CFR 702.6(b)", Family::Cfr36_702_6B),
            ("41 CFR 102-74.400(a)", Family::Cfr41_102_74_400A),
            ("43 CFR 8365.1-4(b)(2)", Family::Cfr43_8365_1_4B2),
            ("50 CFR 27.82(b)(2)", Family::Cfr50_27_82B2),
            ("36 CFR 2.35(b)(2)(i)", Family::Cfr36_2_35B2),
        ] {
            assert_eq!(result(written), covered(family), "{written}");
        }
    }

    #[test]
    fn a_listed_section_without_its_paragraph_is_unclear_and_a_sibling_is_unrecognized() {
        assert_eq!(result("36 CFR 2.35"), CitationResult::Unclear);
        assert_eq!(result("36 CFR 2.35(b)"), CitationResult::Unclear);
        assert_eq!(result("36 CFR 2.35(b)(1)"), CitationResult::Unrecognized);
        assert_eq!(result("DC Code 48-904.01"), CitationResult::Unclear);
        assert_eq!(
            result("DC Code 48-904.01(d)(2)"),
            CitationResult::Unrecognized
        );
        assert_eq!(result("36 CFR 4.23(a)(1)"), CitationResult::Unrecognized);
    }

    #[test]
    fn known_not_covered_provisions_are_excluded_with_their_reason() {
        use ReasonCode as R;
        for (written, code) in [
            ("21 USC 841(a)(1)", R::DistributionOrIntentNotCovered),
            ("21 USC 860", R::DistributionOrIntentNotCovered),
            ("21 USC 856(a)", R::OtherOffenseNotCovered),
            (
                "D.C. Code § 48-904.01(a)(1)",
                R::DistributionOrIntentNotCovered,
            ),
            (
                "D.C. Code § 48-904.01(a)",
                R::DistributionOrIntentNotCovered,
            ),
            ("18 U.S.C. § 1791(a)(2)", R::OtherOffenseNotCovered),
            ("10 U.S.C. § 912a", R::MilitaryOffenseNotCovered),
            ("UCMJ Art. 112a", R::MilitaryOffenseNotCovered),
        ] {
            assert_eq!(result(written), excluded(code), "{written}");
        }
    }

    #[test]
    fn an_empty_or_missing_citation_is_missing() {
        let mut scratch = Scratch::default();
        let missing = assess(None, Jurisdiction::Federal, &mut scratch, &mut Vec::new());
        assert_eq!(missing.result, CitationResult::Missing);
        assert_eq!(result("   "), CitationResult::Missing);
    }

    #[test]
    fn the_bare_dc_form_is_covered_only_in_dc_superior_court() {
        assert_eq!(
            result_in("48-904.01(d)(1)", Jurisdiction::DcSuperior),
            covered(Family::Dc48_904_01D1)
        );
        assert_eq!(
            result_in("48-904.01(d)(1)", Jurisdiction::Federal),
            CitationResult::Unrecognized
        );
    }

    #[test]
    fn two_covered_citations_take_the_first_unless_one_is_inchoate() {
        assert_eq!(
            result("21 USC 844; DC Code 48-904.09"),
            covered(Family::Dc48_904_09)
        );
        assert_eq!(
            result("21 USC 844; 36 CFR 2.35(b)(2)"),
            covered(Family::Usc844)
        );
    }

    #[test]
    fn every_written_form_of_sections_3_1_and_3_2_reaches_its_family() {
        use Family as F;
        for (written, family) in [
            ("21 USC 844", F::Usc844),
            ("21 U.S.C. 844", F::Usc844),
            ("21 U.S.C. § 844(a)", F::Usc844),
            ("21 USC §844(a)", F::Usc844),
            ("21 U.S.C.A. § 844", F::Usc844),
            ("Title 21, United States Code, Section 844(a)", F::Usc844),
            ("21 U.S.C. § 844 (a)", F::Usc844),
            ("21:844(a)", F::Usc844),
            ("21 U.S.C. § 846", F::Usc846),
            ("21 USC 846", F::Usc846),
            ("21 U.S.C. §§ 846, 844(a)", F::Usc846),
            ("D.C. Code § 48-904.01(d)(1)", F::Dc48_904_01D1),
            ("DC Code 48-904.01(d)(1)", F::Dc48_904_01D1),
            ("D.C. Official Code § 48–904.01(d)(1)", F::Dc48_904_01D1),
            ("D.C. Code § 48-904.09", F::Dc48_904_09),
            ("DC Code 48-904.09", F::Dc48_904_09),
            ("25 C.F.R. § 11.452(a)", F::Cfr25_11_452A),
            ("25 CFR 11.452(a)", F::Cfr25_11_452A),
            ("32 C.F.R. § 1903.12(b)(2)", F::Cfr32_1903_12B2),
            ("36 C.F.R. § 2.35(b)(2)", F::Cfr36_2_35B2),
            ("36 CFR 2.35 (b)(2)", F::Cfr36_2_35B2),
            ("36 CFR 1002.35(b)(2)", F::Cfr36_1002_35B2),
            ("36 C.F.R. 1280.16(a)(1)", F::Cfr36_1280_16A1),
            ("36 CFR 702.6(b)", F::Cfr36_702_6B),
            ("41 C.F.R. § 102-74.400(a)", F::Cfr41_102_74_400A),
            ("43 C.F.R. § 8365.1-4(b)(2)", F::Cfr43_8365_1_4B2),
            ("50 C.F.R. 27.82(b)(2)", F::Cfr50_27_82B2),
        ] {
            assert_eq!(result(written), covered(family), "{written}");
        }
        assert_eq!(
            result_in("48-904.01(d)(1)", Jurisdiction::DcSuperior),
            covered(F::Dc48_904_01D1)
        );
    }
}
