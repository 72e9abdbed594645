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
    title: u16,
    section: &'static [u8],
    path: &'static [&'static [u8]],
}

const fn usc(title: u16, section: &'static [u8]) -> Entry {
    Entry {
        kind: Kind::Usc,
        title,
        section,
        path: &[],
    }
}

const fn cfr(title: u16, section: &'static [u8], path: &'static [&'static [u8]]) -> Entry {
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
    Covered(Family),
    /// A listed section cited without (all of) the listed paragraph.
    Unclear,
    Unrecognized,
}

fn same_section(entry: &Entry, c: &Citation<'_>) -> bool {
    entry.kind == c.kind && entry.title == c.title && entry.section == c.section
}

fn classify(c: &Citation<'_>) -> Class {
    let cited = c.path.parts();
    for (entry, reason) in NOT_COVERED {
        if same_section(entry, c) && cited.starts_with(entry.path) {
            return Class::Excluded(*reason);
        }
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
    /// No citation, or an empty one.
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
    /// Nothing in the registries.
    Unrecognized,
}

/// Normalises, extracts and classifies the citation of one count; appends the canonical
/// citations to `canonical`.
pub(crate) fn assess(
    citation: Option<&str>,
    jurisdiction: Jurisdiction,
    scratch: &mut Scratch,
    canonical: &mut Vec<String>,
) -> CitationResult {
    let Some(text) = citation.filter(|t| !t.trim().is_empty()) else {
        return CitationResult::Missing;
    };
    let normal = citation::normalize(text, scratch);
    let mut found: Vec<Citation<'_>> = Vec::new();
    citation::extract(normal, jurisdiction, &mut found);
    canonical.extend(found.iter().map(Citation::canonical));

    let mut excluded = ReasonSet::EMPTY;
    let mut first_covered = None;
    let mut inchoate = None;
    let mut unclear = false;
    let mut others = false;
    for c in &found {
        match classify(c) {
            Class::Excluded(reason) => excluded.insert(reason),
            Class::Covered(family) => {
                first_covered.get_or_insert(family);
                if family.is_inchoate() {
                    inchoate.get_or_insert(family);
                }
            }
            Class::Unclear => unclear = true,
            Class::Unrecognized => others = true,
        }
    }
    if !excluded.is_empty() {
        // A not-covered object beats a covered inchoate: 846 + 841 is excluded.
        return CitationResult::Excluded(excluded);
    }
    if let Some(family) = inchoate.or(first_covered) {
        // Unclear companions are set aside like unrecognized ones: a covered citation decides.
        return CitationResult::Covered {
            family,
            companion_ignored: others || unclear,
        };
    }
    if unclear {
        CitationResult::Unclear
    } else {
        CitationResult::Unrecognized
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(s: &str) -> CitationResult {
        result_in(s, Jurisdiction::Federal)
    }

    fn result_in(s: &str, jurisdiction: Jurisdiction) -> CitationResult {
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
        assert_eq!(missing, CitationResult::Missing);
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
