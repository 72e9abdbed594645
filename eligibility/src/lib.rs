//! Federal marijuana pardon eligibility: Proclamation 10467 (Oct. 6, 2022) and Proclamation 10688
//! (Dec. 22, 2023), as specified in `RULES.md` (version [`RULES_VERSION`]).
//!
//! # Model
//!
//! The inputs are the typed facts of `fieldclinic_schema::facts`: one [`PersonFacts`] (status
//! now, when citizen or LPR status began, status at the offenses) and one [`OffenseFacts`] per
//! count (citation as written, substance, conduct, dates, disposition, jurisdiction). Unknown is
//! a normal value everywhere.
//!
//! [`evaluate`] works per offense, then per person:
//!
//! 1. The citation is normalised and parsed into canonical citations (`21 USC 844(a)`), which
//!    are classified against the registries of covered, known not-covered and military (UCMJ)
//!    provisions, giving the offense's covered [`Family`], an exclusion, or a missing fact /
//!    review. Punctuation only separates, and a code name that could not be read into a
//!    citation (`18 U.S.C.` with no section, `Art. 134` without `UCMJ`) is never dropped: it
//!    sends the count to review.
//! 2. For each proclamation, steps O1-O4 and P1-P4 collect *hard* failures and *missing* facts.
//!    A proclamation applies when both sets are empty. An offense is ELIGIBLE if some proclamation
//!    applies, NEEDS_MORE_INFO if some proclamation has no hard failure, else NOT_ELIGIBLE.
//! 3. The person is ELIGIBLE if any offense is: other offenses never disqualify (the pardon is
//!    unconditional), they only add `SOME_OFFENSES_*` information.
//!
//! Every outcome carries [`ReasonCode`]s; each code has a [`Category`], a plain-language
//! explanation, the rule text it applies, and for missing facts the question to ask. Each
//! result also knows which proclamation each reason concerns ([`Evaluation::explanations`],
//! [`Evaluation::reason_proclamations`]): an offense date may matter only for 10467 when the
//! arrest date already settles 10688, and the explanation then says so.
//!
//! The crate is pure: no I/O and no clock. Besides the engine it provides [`input_hash`] (when to
//! re-evaluate), [`missing_checklist_items`] (the DOJ certificate checklist) and the [`batch`]
//! reader behind `fieldclinic eligibility check`.

pub mod batch;
mod checklist;
mod citation;
mod engine;
mod evaluation;
mod family;
mod input_hash;
mod outcome;
mod proclamation;
mod reason_code;
mod registry;

pub use batch::{
    BatchCase, BatchInputError, CaseError, CaseRef, CaseResult, check_cases_json, read_cases_json,
    render_table,
};
pub use checklist::{DOCUMENT_KINDS, missing_checklist_items};
pub use citation::canonical_citations;
pub use engine::evaluate;
pub use evaluation::{Evaluation, Explanation, OffenseEvaluation};
pub use family::Family;
pub use fieldclinic_schema::{OffenseFacts, PersonFacts};
pub use input_hash::input_hash;
pub use outcome::Outcome;
pub use proclamation::Proclamation;
pub use reason_code::{Category, ReasonCode};

/// The version of the rules this crate implements. A determination records it; a new version
/// makes the server re-evaluate every intake.
pub const RULES_VERSION: &str = "pardon-rules-2023-12-22.2";
