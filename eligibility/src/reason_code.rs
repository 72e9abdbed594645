//! The reason codes of `RULES.md` section 7, each with what a volunteer needs to act on it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::proclamation::Proclamation;

/// What a reason code means for the outcome (`RULES.md` section 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// The basis of an ELIGIBLE result.
    Covered,
    /// For information; never changes the outcome.
    Info,
    /// A definite failure: NOT_ELIGIBLE unless another proclamation covers the offense.
    Hard,
    /// A missing fact: ask the client or read the record (NEEDS_MORE_INFO).
    Fact,
    /// A lawyer must decide (NEEDS_MORE_INFO).
    Review,
}

impl Category {
    /// The category as written in `RULES.md` (`COVERED`, `INFO`, `HARD`, `FACT`, `REVIEW`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Covered => "COVERED",
            Self::Info => "INFO",
            Self::Hard => "HARD",
            Self::Fact => "FACT",
            Self::Review => "REVIEW",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

// The operative texts are quoted once here, verbatim from RULES.md section 2, so every code that
// rests on the same sentence cites the same words.
const GRANT_10467: &str = r#"Proclamation 10467 (Oct. 6, 2022): "...do hereby grant a full, complete, and unconditional pardon to (1) all current United States citizens and lawful permanent residents who committed the offense of simple possession of marijuana in violation of the Controlled Substances Act, as currently codified at 21 U.S.C. 844 and as previously codified elsewhere in the United States Code, or in violation of D.C. Code 48–904.01(d)(1), on or before the date of this proclamation, regardless of whether they have been charged with or prosecuted for this offense on or before the date of this proclamation; and (2) all current United States citizens and lawful permanent residents who have been convicted of the offense of simple possession of marijuana in violation of the Controlled Substances Act, as currently codified at 21 U.S.C. 844 and as previously codified elsewhere in the United States Code, or in violation of D.C. Code 48–904.01(d)(1); which pardon shall restore to them full political, civil, and other rights.""#;

const GRANT_10688: &str = r#"Proclamation 10688 (Dec. 22, 2023): "...do hereby grant a full, complete, and unconditional pardon to all current United States citizens and lawful permanent residents who, on or before the date of this proclamation, committed or were convicted of the offense of simple possession of marijuana, attempted simple possession of marijuana, or use of marijuana, regardless of whether they have been charged with or prosecuted for these offenses on or before the date of this proclamation, in violation of: (1) section 844 of title 21, United States Code, section 846 of title 21, United States Code, and previous provisions in the United States Code that prohibited simple possession of marijuana or attempted simple possession of marijuana; (2) section 48-904.01(d)(1) of the D.C. Code and previous provisions in the D.C. Code that prohibited simple possession of marijuana; (3) section 48-904.09 of the D.C. Code and previous provisions in the D.C. Code that prohibited attempted simple possession of marijuana; and (4) provisions in the Code of Federal Regulations, including as enforced under the United States Code, that prohibit only the simple possession or use of marijuana on Federal properties or installations, or in other locales, as currently or previously codified, including but not limited to 25 C.F.R. 11.452(a); 32 C.F.R. 1903.12(b)(2); 36 C.F.R. 2.35(b)(2); 36 C.F.R. 1002.35(b)(2); 36 C.F.R. 1280.16(a)(1); 36 C.F.R. 702.6(b); 41 C.F.R. 102-74.400(a); 43 C.F.R. 8365.1-4(b)(2); and 50 C.F.R. 27.82(b)(2).""#;

macro_rules! reason_codes {
    ($(
        $(#[$vmeta:meta])*
        $variant:ident => $code:literal, $category:ident,
            explanation: $explanation:expr,
            rule: $rule:expr,
            question: $question:expr;
    )+) => {
        /// A stable reason code of `RULES.md` section 7.
        ///
        /// Serialised as its code string (`"COVERED_BY_10467"`). The declaration order is the order
        /// in which results list their reasons.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ReasonCode {
            $($(#[$vmeta])* $variant,)+
        }

        impl ReasonCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable code string, e.g. `"MISSING_OFFENSE_DATE"`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            /// Parses a code string; `None` for an unknown code.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($code => Some(Self::$variant),)+ _ => None }
            }

            /// Whether the code is a basis, information, a failure, a missing fact or a review.
            #[must_use]
            pub const fn category(self) -> Category {
                match self { $(Self::$variant => Category::$category),+ }
            }

            /// A plain-language explanation for a volunteer.
            #[must_use]
            pub const fn explanation(self) -> &'static str {
                match self { $(Self::$variant => $explanation),+ }
            }

            /// The rule text the code applies, quoting the proclamation where `RULES.md` does.
            #[must_use]
            pub const fn rule_text(self) -> &'static str {
                match self { $(Self::$variant => $rule),+ }
            }

            /// The one proclamation the code is about whatever the record (`COVERED_BY_10467`,
            /// `AFTER_10688_CUTOFF`, ...); `None` for a code that can concern either or both.
            #[must_use]
            pub const fn proclamation(self) -> Option<Proclamation> {
                match self {
                    Self::CoveredBy10467
                    | Self::NotIn10467Scope
                    | Self::After10467Cutoff
                    | Self::NotCitizenOrLprOn2022_10_06 => Some(Proclamation::P10467),
                    Self::CoveredBy10688
                    | Self::After10688Cutoff
                    | Self::NotCitizenOrLprOn2023_12_22 => Some(Proclamation::P10688),
                    _ => None,
                }
            }

            /// For FACT codes, the question to ask the client or the record to check; for REVIEW
            /// codes, what the lawyer must decide; `None` otherwise.
            #[must_use]
            pub const fn question(self) -> Option<&'static str> {
                match self { $(Self::$variant => $question),+ }
            }
        }
    };
}

reason_codes! {
    /// All conditions of Proclamation 10467 are met.
    CoveredBy10467 => "COVERED_BY_10467", Covered,
        explanation: "This offense is pardoned by the October 6, 2022 proclamation: simple possession of marijuana under 21 U.S.C. 844 or D.C. Code 48-904.01(d)(1), committed on or before October 6, 2022, by a person who was a U.S. citizen or permanent resident on that date.",
        rule: GRANT_10467,
        question: None;
    /// All conditions of Proclamation 10688 are met.
    CoveredBy10688 => "COVERED_BY_10688", Covered,
        explanation: "This offense is pardoned by the December 22, 2023 proclamation: simple possession, attempted simple possession or use of marijuana under a listed federal, D.C. or CFR provision, committed on or before December 22, 2023, by a person who was a U.S. citizen or permanent resident on that date.",
        rule: GRANT_10688,
        question: None;
    /// The family is one 10688 added (846, 48-904.09 or a CFR paragraph).
    NotIn10467Scope => "NOT_IN_10467_SCOPE", Hard,
        explanation: "The October 6, 2022 proclamation names only 21 U.S.C. 844 and D.C. Code 48-904.01(d)(1). This provision (attempt under 21 U.S.C. 846 or D.C. Code 48-904.09, or a federal regulation) was added by the December 22, 2023 proclamation, so only that one can cover it.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022): "...the offense of simple possession of marijuana in violation of the Controlled Substances Act, as currently codified at 21 U.S.C. 844 and as previously codified elsewhere in the United States Code, or in violation of D.C. Code 48–904.01(d)(1)..."; Proclamation 10688 (Dec. 22, 2023) paragraphs (1), (3) and (4) add section 846 of title 21, section 48-904.09 of the D.C. Code and "provisions in the Code of Federal Regulations"."#,
        question: None;
    /// The offense was committed after October 6, 2022.
    After10467Cutoff => "AFTER_10467_CUTOFF", Hard,
        explanation: "The offense was committed after October 6, 2022, the date of the first proclamation, so that proclamation does not cover it.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022): "...on or before the date of this proclamation...", signed "this sixth day of October, in the year of our Lord two thousand twenty-two"."#,
        question: None;
    /// The offense was committed after December 22, 2023.
    After10688Cutoff => "AFTER_10688_CUTOFF", Hard,
        explanation: "The offense was committed after December 22, 2023, the date of the second proclamation, so neither proclamation covers it.",
        rule: r#"Proclamation 10688 (Dec. 22, 2023): "...on or before the date of this proclamation...", signed "this twenty-second day of December, in the year of our Lord two thousand twenty-three"."#,
        question: None;
    /// Not a citizen or LPR on October 6, 2022.
    NotCitizenOrLprOn2022_10_06 => "NOT_CITIZEN_OR_LPR_ON_2022_10_06", Hard,
        explanation: "The person was not a U.S. citizen or lawful permanent resident on October 6, 2022 (the status first began after that date), and the first proclamation pardons only people who were citizens or permanent residents on that date.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022): "...all current United States citizens and lawful permanent residents..."; DOJ certificate request page: "U.S. citizen or lawful permanent resident on October 6, 2022"."#,
        question: None;
    /// Not a citizen or LPR on December 22, 2023.
    NotCitizenOrLprOn2023_12_22 => "NOT_CITIZEN_OR_LPR_ON_2023_12_22", Hard,
        explanation: "The person was not a U.S. citizen or lawful permanent resident on December 22, 2023 (the status first began after that date), and the second proclamation pardons only people who were citizens or permanent residents on that date.",
        rule: r#"Proclamation 10688 (Dec. 22, 2023): "...all current United States citizens and lawful permanent residents...""#,
        question: None;
    /// A non-citizen not lawfully present at the time of the offense.
    NotLawfullyPresentAtOffense => "NOT_LAWFULLY_PRESENT_AT_OFFENSE", Hard,
        explanation: "The person was a non-citizen without lawful presence in the United States when the offense happened. Both proclamations exclude such offenses, even if the person is a citizen or permanent resident now.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022) and Proclamation 10688 (Dec. 22, 2023): "This pardon does not apply to individuals who were non-citizens not lawfully present in the United States at the time of their offense.""#,
        question: None;
    /// State, local or tribal law.
    NotFederalOrDcOffense => "NOT_FEDERAL_OR_DC_OFFENSE", Hard,
        explanation: "The offense is under state, local or tribal law: the court is a state, local or tribal court, and no U.S. Code, federal regulation or D.C. Code provision is cited. The proclamations pardon only federal offenses (U.S. Code, Code of Federal Regulations) and D.C. Code offenses; state and local records need the state's own relief.",
        rule: r#"Proclamation 10688 (Dec. 22, 2023): "...in violation of: (1) section 844 of title 21, United States Code, ... (2) section 48-904.01(d)(1) of the D.C. Code ... (3) section 48-904.09 of the D.C. Code ... and (4) provisions in the Code of Federal Regulations..."; DOJ Office of the Pardon Attorney: "Do not complete this application if your conviction is under state or local law.""#,
        question: None;
    /// A court-martial (UCMJ) offense.
    MilitaryOffenseNotCovered => "MILITARY_OFFENSE_NOT_COVERED", Hard,
        explanation: "Military offenses under the Uniform Code of Military Justice (any article, such as Article 112a or the general article, Article 134; 10 U.S.C. 801 to 946a) are not among the provisions the proclamations list.",
        rule: r#"No UCMJ article is among the provisions listed in Proclamation 10467 (Oct. 6, 2022) or Proclamation 10688 (Dec. 22, 2023); U.S. Army: the December 2023 proclamation "does not cover military drug offenses under 10 U.S.C 112a"."#,
        question: None;
    /// Distribution, possession with intent to distribute, or similar.
    DistributionOrIntentNotCovered => "DISTRIBUTION_OR_INTENT_NOT_COVERED", Hard,
        explanation: "The offense is distribution, manufacture or possession with intent to distribute. Only simple possession, attempted simple possession and use are pardoned.",
        rule: r#"Proclamation 10688 (Dec. 22, 2023): "...and not any other offenses involving other controlled substances or activity beyond simple possession of marijuana, attempted simple possession of marijuana, or use of marijuana, such as possession of marijuana with intent to distribute..."; Proclamation 10467 (Oct. 6, 2022): "...and not any other offenses related to marijuana or other controlled substances.""#,
        question: None;
    /// 846 / 48-904.09 used for a conspiracy.
    ConspiracyNotCovered => "CONSPIRACY_NOT_COVERED", Hard,
        explanation: "The count is a conspiracy. 21 U.S.C. 846 and D.C. Code 48-904.09 cover both attempts and conspiracies, but the proclamation pardons only attempted simple possession.",
        rule: r#"Proclamation 10688 (Dec. 22, 2023) paragraphs (1) and (3) name only "attempted simple possession of marijuana"; intent paragraph: "...and not any other offenses involving ... activity beyond simple possession of marijuana, attempted simple possession of marijuana, or use of marijuana...""#,
        question: None;
    /// Driving under the influence of marijuana.
    DrivingOffenseNotCovered => "DRIVING_OFFENSE_NOT_COVERED", Hard,
        explanation: "Driving (or operating a vehicle) under the influence of marijuana is expressly not pardoned.",
        rule: r#"Proclamation 10688 (Dec. 22, 2023): "...and not any other offenses involving other controlled substances or activity beyond simple possession of marijuana, attempted simple possession of marijuana, or use of marijuana, such as possession of marijuana with intent to distribute or driving offenses committed while under the influence of marijuana.""#,
        question: None;
    /// A known offense with added elements, or an inchoate offense with another object.
    OtherOffenseNotCovered => "OTHER_OFFENSE_NOT_COVERED", Hard,
        explanation: "The offense has elements beyond simple possession or use (for example drug-involved premises, or contraband in a prison), or the attempt was aimed at something other than simple possession. It is not pardoned.",
        rule: r#"Proclamation 10688 (Dec. 22, 2023): "...and not any other offenses involving other controlled substances or activity beyond simple possession of marijuana, attempted simple possession of marijuana, or use of marijuana..."; Proclamation 10467 (Oct. 6, 2022): "No language herein shall be construed to pardon any person for any other offense...""#,
        question: None;
    /// Another controlled substance.
    SubstanceNotMarijuana => "SUBSTANCE_NOT_MARIJUANA", Hard,
        explanation: "The substance was not marijuana. The proclamations pardon only marijuana offenses, even where the same statute (such as 21 U.S.C. 844) also covers other drugs.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022): "No language herein shall be construed to pardon any person for any other offense, including possession of other controlled substances..."; Proclamation 10688 (Dec. 22, 2023): "...and not any other offenses involving other controlled substances...""#,
        question: None;
    /// No code section.
    MissingCitation => "MISSING_CITATION", Fact,
        explanation: "No code section is recorded for this count, so it cannot be matched to the provisions the proclamations list.",
        rule: r#"Needed to place the offense among the provisions of Proclamation 10467 (Oct. 6, 2022) and Proclamation 10688 (Dec. 22, 2023); the DOJ certificate request asks for "the code section"."#,
        question: Some("Which code section was charged? Check the charging document, judgment or docket sheet (for example \"21 U.S.C. 844(a)\" or \"D.C. Code 48-904.01(d)(1)\").");
    /// A listed section cited without the listed paragraph.
    CitationSubsectionUnclear => "CITATION_SUBSECTION_UNCLEAR", Fact,
        explanation: "The record cites a listed section but not the listed paragraph (for example D.C. Code 48-904.01(d) instead of (d)(1), or 36 C.F.R. 2.35 instead of 2.35(b)(2)). Only the listed paragraph is pardoned.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022) names "D.C. Code 48–904.01(d)(1)"; Proclamation 10688 (Dec. 22, 2023) names "section 48-904.01(d)(1) of the D.C. Code" and specific CFR paragraphs such as "36 C.F.R. 2.35(b)(2)"."#,
        question: Some("Which paragraph (subsection) of the section was charged? Check the charging document, judgment or docket sheet for the full citation.");
    /// Substance not shown.
    MissingSubstance => "MISSING_SUBSTANCE", Fact,
        explanation: "The record does not show which substance was involved. The cited provision covers other drugs too, and only marijuana is pardoned.",
        rule: r#"21 U.S.C. 844 and D.C. Code 48-904.01(d)(1) cover all controlled substances; Proclamation 10467 (Oct. 6, 2022) pardons only "the offense of simple possession of marijuana"."#,
        question: Some("What substance was involved (marijuana or another drug)? Check the charge description, complaint or judgment. Hashish, concentrates, THC and synthetic cannabinoids stay unknown until a lawyer decides.");
    /// 846 / 48-904.09 without attempt vs conspiracy.
    MissingConduct => "MISSING_CONDUCT", Fact,
        explanation: "21 U.S.C. 846 and D.C. Code 48-904.09 cover attempts and conspiracies to commit many drug offenses; only an attempt at simple possession of marijuana is pardoned.",
        rule: r#"Proclamation 10688 (Dec. 22, 2023) paragraphs (1) and (3): "section 846 of title 21, United States Code" and "section 48-904.09 of the D.C. Code ... that prohibited attempted simple possession of marijuana"."#,
        question: Some("Was this count an attempt or a conspiracy, and what was the object offense (simple possession, or distribution / intent to distribute)? Check the charging document or judgment.");
    /// The recorded conduct contradicts a simple-possession citation.
    ConflictingConduct => "CONFLICTING_CONDUCT", Fact,
        explanation: "The record cites a simple possession law (21 U.S.C. 844, D.C. Code 48-904.01(d)(1) or a listed federal regulation), but describes what happened as something else: a conspiracy, distribution, possession with intent to distribute, another offense, or an attempt (the October 6, 2022 proclamation and the listed regulations do not reach attempts). One of the two is probably wrong. If the count of conviction really is simple possession, for example after a plea, it can still be pardoned.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022): "...the offense of simple possession of marijuana..."; Proclamation 10688 (Dec. 22, 2023): "...simple possession of marijuana, attempted simple possession of marijuana, or use of marijuana..." and "...not any other offenses involving ... activity beyond simple possession of marijuana, attempted simple possession of marijuana, or use of marijuana, such as possession of marijuana with intent to distribute...""#,
        question: Some("The record cites a simple possession provision but describes the conduct as something else. Which is right? Check the judgment (or the charging document if there was no conviction): which section is the count of conviction, and what did it charge?");
    /// The date condition cannot be decided.
    MissingOffenseDate => "MISSING_OFFENSE_DATE", Fact,
        explanation: "The offense date cannot be relied on: either it is not known and no arrest, charge or conviction date on or before the proclamation date bounds it, or it is after the proclamation date while the arrest, charge or conviction date is on or before it. An offense cannot happen after its own arrest, charge or conviction, so in that case one of the recorded dates is wrong.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022) and Proclamation 10688 (Dec. 22, 2023): "...on or before the date of this proclamation..."; Proclamation 10688: "...committed or were convicted of the offense ... on or before the date of this proclamation...""#,
        question: Some("When did the offense happen (month, day, year)? If unknown, what is the date of the arrest, charge or conviction? Check the offense date and the disposition date against the complaint, docket sheet or judgment.");
    /// Current status unknown.
    MissingStatusNow => "MISSING_STATUS_NOW", Fact,
        explanation: "The client's current citizenship or immigration status is not recorded. The pardons cover only U.S. citizens and lawful permanent residents.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022) and Proclamation 10688 (Dec. 22, 2023): "...all current United States citizens and lawful permanent residents...""#,
        question: Some("Is the client a U.S. citizen, a lawful permanent resident (green card), or neither?");
    /// When the status began is unknown.
    MissingCitizenOrLprSince => "MISSING_CITIZEN_OR_LPR_SINCE", Fact,
        explanation: "It is not recorded when the client first became a citizen or permanent resident, so it is unknown whether they had that status on the proclamation date.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022) and Proclamation 10688 (Dec. 22, 2023): "...all current United States citizens and lawful permanent residents...""#,
        question: Some("Is the client a citizen by birth? If not, on what date did they first become a lawful permanent resident or a citizen, whichever came first? Check the green card or naturalization certificate.");
    /// Neither citizen nor LPR now; the status on the proclamation date is unknown.
    MissingStatusOnProclamationDate => "MISSING_STATUS_ON_PROCLAMATION_DATE", Fact,
        explanation: "The client is not a U.S. citizen or lawful permanent resident now, and the record does not show whether they were one on the proclamation date. The pardon took effect on that date, so a status lost later does not undo it.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022) and Proclamation 10688 (Dec. 22, 2023): "...a full, complete, and unconditional pardon to ... all current United States citizens and lawful permanent residents..."; DOJ certificate request page: "U.S. citizen or lawful permanent resident on October 6, 2022"."#,
        question: Some("Was the client a U.S. citizen or a lawful permanent resident (green card holder) on October 6, 2022? On December 22, 2023? If they had a green card then and lost it later, when did they get it and when did it end? Get immigration advice before the client answers this on the application.");
    /// Lawful presence at the offense unknown.
    MissingStatusAtOffense => "MISSING_STATUS_AT_OFFENSE", Fact,
        explanation: "It is not known whether the client was a citizen, a permanent resident or otherwise lawfully present when the offense happened. Offenses committed by non-citizens not lawfully present are excluded.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022) and Proclamation 10688 (Dec. 22, 2023): "This pardon does not apply to individuals who were non-citizens not lawfully present in the United States at the time of their offense.""#,
        question: Some("At the time of the offense, was the client a U.S. citizen, a permanent resident, or in the U.S. on a visa or other lawful status? Get immigration advice before the client confirms this on the application.");
    /// Nothing to evaluate.
    NoOffenses => "NO_OFFENSES", Fact,
        explanation: "No offenses are recorded for this client, so there is nothing to evaluate.",
        rule: "None: the proclamations pardon specific offenses, so at least one is needed.",
        question: Some("Which federal or D.C. marijuana offenses (arrests, charges or convictions) does the client have? Add one entry per count.");
    /// Citation not in the registries.
    UnrecognizedCitation => "UNRECOGNIZED_CITATION", Review,
        explanation: "The cited provision is not on the engine's lists, or part of the citation names a code (such as \"U.S.C.\", \"Art.\" or \"Code\") that could not be read as a provision. It may be an earlier codification, an unlisted regulation or another offense; a lawyer must decide.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022): "...as previously codified elsewhere in the United States Code..."; Proclamation 10688 (Dec. 22, 2023): "...previous provisions in the United States Code..." and paragraph (4) "...including but not limited to...""#,
        question: Some("Lawyer: read the full citation on the record. Does each cited provision prohibit only simple possession, attempted simple possession or use of marijuana (an earlier codification of 21 U.S.C. 844 / 846 or D.C. Code 48-904.01(d)(1) / 48-904.09, or a CFR provision consistent with paragraph (4))? If so, add it to the reviewed allow-list.");
    /// Covered citation with a state, local, military or tribal court.
    ConflictingJurisdiction => "CONFLICTING_JURISDICTION", Review,
        explanation: "The record cites a federal or D.C. provision, but the court recorded is a state, local, military or tribal court, or a military (UCMJ) article is cited with it, which makes it a court-martial. One of the two is probably wrong, or a federal law was charged in a court-martial.",
        rule: "None: a data conflict between the cited provision and the court. No UCMJ article is among the provisions the proclamations list.",
        question: Some("Lawyer: check the record. Which law was actually applied (the cited federal or D.C. provision, or the court's own state, local, tribal or military law), and in which court? Is a federal law charged through a UCMJ article (such as Article 134) covered?");
    /// Enforcing statute cited alongside a listed CFR paragraph.
    CompanionCitationIgnored => "COMPANION_CITATION_IGNORED", Info,
        explanation: "The record also cites another provision (usually the statute that enforces the regulation). It was ignored because a pardoned provision is cited.",
        rule: r#"Proclamation 10688 (Dec. 22, 2023) paragraph (4): "provisions in the Code of Federal Regulations, including as enforced under the United States Code...""#,
        question: None;
    /// Arrest-only or never charged.
    NoCourtCaseForCertificate => "NO_COURT_CASE_FOR_CERTIFICATE", Info,
        explanation: "The offense is pardoned even without a charge, but the DOJ certificate application asks for a charge or conviction and the court. A certificate may be hard to obtain for an arrest-only case.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022) and Proclamation 10688 (Dec. 22, 2023): "...regardless of whether they have been charged with or prosecuted for..."; DOJ certificate request page: "charged with or convicted of ... by either a federal or D.C. Superior court"."#,
        question: None;
    /// Some offenses are not pardoned.
    SomeOffensesNotCovered => "SOME_OFFENSES_NOT_COVERED", Info,
        explanation: "At least one other offense on the record is not pardoned. It does not affect the pardoned ones.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022): "No language herein shall be construed to pardon any person for any other offense, including possession of other controlled substances, whether committed prior, subsequent, or contemporaneous to the pardoned offense of simple possession of marijuana.""#,
        question: None;
    /// Some offenses need more information.
    SomeOffensesNeedMoreInfo => "SOME_OFFENSES_NEED_MORE_INFO", Info,
        explanation: "At least one other offense on the record needs more information before it can be decided. It does not affect the pardoned ones.",
        rule: r#"Proclamation 10467 (Oct. 6, 2022): "No language herein shall be construed to pardon any person for any other offense, including possession of other controlled substances, whether committed prior, subsequent, or contemporaneous to the pardoned offense of simple possession of marijuana.""#,
        question: None;
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReasonCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ReasonCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown reason code {s:?}")))
    }
}

/// A set of reason codes as a bit mask, so the engine collects reasons without allocating; it
/// iterates in declaration order, which makes every result's reason list deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ReasonSet(u64);

// The mask has one bit per code; a new code beyond 64 needs a wider integer (u128).
const _: () = assert!(ReasonCode::ALL.len() <= 64);

impl ReasonSet {
    pub(crate) const EMPTY: Self = Self(0);

    pub(crate) fn insert(&mut self, code: ReasonCode) {
        self.0 |= 1 << code as u64;
    }

    pub(crate) const fn contains(self, code: ReasonCode) -> bool {
        self.0 & (1 << code as u64) != 0
    }

    pub(crate) const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub(crate) const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub(crate) fn to_vec(self) -> Vec<ReasonCode> {
        let mut out = Vec::with_capacity(self.0.count_ones() as usize);
        out.extend(
            ReasonCode::ALL
                .iter()
                .copied()
                .filter(|c| self.contains(*c)),
        );
        out
    }
}

impl FromIterator<ReasonCode> for ReasonSet {
    fn from_iter<I: IntoIterator<Item = ReasonCode>>(iter: I) -> Self {
        let mut set = Self::EMPTY;
        for code in iter {
            set.insert(code);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_string() {
        for code in ReasonCode::ALL {
            assert_eq!(ReasonCode::parse(code.as_str()), Some(*code));
            let json = serde_json::to_string(code).expect("a code serialises");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn every_code_has_an_explanation_and_a_rule_text() {
        for code in ReasonCode::ALL {
            assert!(!code.explanation().is_empty(), "{code} has no explanation");
            assert!(!code.rule_text().is_empty(), "{code} has no rule text");
        }
    }

    #[test]
    fn fact_and_review_codes_carry_a_question_and_others_do_not() {
        for code in ReasonCode::ALL {
            let needs_question = matches!(code.category(), Category::Fact | Category::Review);
            assert_eq!(code.question().is_some(), needs_question, "{code}");
        }
    }

    #[test]
    fn quoted_rule_texts_name_their_proclamation() {
        for code in ReasonCode::ALL {
            let text = code.rule_text();
            if text.contains('"') && code.category() != Category::Review {
                assert!(
                    text.contains("Proclamation 10467") || text.contains("Proclamation 10688"),
                    "{code} quotes without naming the proclamation"
                );
            }
        }
    }

    #[test]
    fn categories_follow_the_rules_table() {
        use ReasonCode as R;
        assert_eq!(R::CoveredBy10467.category(), Category::Covered);
        assert_eq!(R::NotIn10467Scope.category(), Category::Hard);
        assert_eq!(R::NoOffenses.category(), Category::Fact);
        assert_eq!(R::UnrecognizedCitation.category(), Category::Review);
        assert_eq!(R::ConflictingJurisdiction.category(), Category::Review);
        assert_eq!(R::SomeOffensesNeedMoreInfo.category(), Category::Info);
        assert_eq!(R::ConflictingConduct.category(), Category::Fact);
        assert_eq!(
            R::MissingStatusOnProclamationDate.category(),
            Category::Fact
        );
    }

    #[test]
    fn the_new_codes_have_their_rules_strings() {
        assert_eq!(
            ReasonCode::parse("MISSING_STATUS_ON_PROCLAMATION_DATE"),
            Some(ReasonCode::MissingStatusOnProclamationDate)
        );
        assert_eq!(
            ReasonCode::parse("CONFLICTING_CONDUCT"),
            Some(ReasonCode::ConflictingConduct)
        );
    }

    #[test]
    fn a_reason_set_holds_every_code_and_the_last_one_alone() {
        let all: ReasonSet = ReasonCode::ALL.iter().copied().collect();
        assert_eq!(all.to_vec(), ReasonCode::ALL);
        let last = *ReasonCode::ALL.last().expect("codes");
        let only: ReasonSet = [last].into_iter().collect();
        assert_eq!(only.to_vec(), vec![last]);
        assert!(!only.contains(ReasonCode::ALL[0]));
    }

    #[test]
    fn a_code_tied_to_one_proclamation_names_it() {
        use crate::proclamation::Proclamation as P;
        assert_eq!(ReasonCode::CoveredBy10467.proclamation(), Some(P::P10467));
        assert_eq!(ReasonCode::After10688Cutoff.proclamation(), Some(P::P10688));
        assert_eq!(
            ReasonCode::NotCitizenOrLprOn2022_10_06.proclamation(),
            Some(P::P10467)
        );
        assert_eq!(ReasonCode::MissingOffenseDate.proclamation(), None);
        assert_eq!(ReasonCode::ConflictingConduct.proclamation(), None);
        for code in ReasonCode::ALL {
            if let Some(p) = code.proclamation() {
                assert!(
                    code.explanation().contains(p.signed_on())
                        || code.explanation().contains(p.as_str())
                        || code.explanation().contains("first proclamation"),
                    "{code} is tied to {p} but its text does not say so"
                );
            }
        }
    }

    #[test]
    fn a_reason_set_lists_codes_in_declaration_order_once() {
        let set: ReasonSet = [
            ReasonCode::MissingCitation,
            ReasonCode::CoveredBy10688,
            ReasonCode::MissingCitation,
        ]
        .into_iter()
        .collect();
        assert_eq!(
            set.to_vec(),
            vec![ReasonCode::CoveredBy10688, ReasonCode::MissingCitation]
        );
    }
}
