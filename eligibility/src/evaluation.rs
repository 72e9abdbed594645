//! The result of evaluating a person's record.

use fieldclinic_schema::{
    ChecklistItem, Determination, DeterminationReason, Intake, OffenseDetermination,
};
use serde::Serialize;

use crate::family::Family;
use crate::outcome::Outcome;
use crate::proclamation::Proclamation;
use crate::reason_code::ReasonCode;

/// The person-level result (`RULES.md` section 6, "Person result").
///
/// Serialises as `{"outcome": "ELIGIBLE", "proclamations": ["10467", "10688"], "reasons":
/// ["COVERED_BY_10467", ...], "offenses": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The person's outcome.
    pub outcome: Outcome,
    /// The proclamations that pardon at least one offense, in date order; empty unless ELIGIBLE.
    pub proclamations: Vec<Proclamation>,
    /// The union of the offense reasons plus person-level codes, in declaration order.
    pub reasons: Vec<ReasonCode>,
    /// One result per offense, in input order.
    pub offenses: Vec<OffenseEvaluation>,
}

/// The result for one offense (one count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OffenseEvaluation {
    /// The offense's position in the input.
    pub index: usize,
    /// The offense's outcome.
    pub outcome: Outcome,
    /// The proclamations that pardon it, in date order; empty unless ELIGIBLE.
    pub proclamations: Vec<Proclamation>,
    /// Why, in declaration order of [`ReasonCode`].
    pub reasons: Vec<ReasonCode>,
    /// The citations found, printed canonically (`21 USC 844(a)`).
    pub canonical_citations: Vec<String>,
    /// The covered provision the count falls under, if any.
    pub family: Option<Family>,
}

impl Evaluation {
    /// The intake document's `determination` section for this result: each reason with its
    /// explanation, rule text and question, and each offense tied to the intake's offense `id`.
    /// What the engine does not know comes from the caller: the checklist items still missing,
    /// the fields with open conflicts (which make the result provisional), the input hash and
    /// the time.
    #[must_use]
    pub fn to_determination(
        &self,
        intake: &Intake,
        missing_items: Vec<ChecklistItem>,
        open_conflicts: Vec<String>,
        input_hash: String,
        evaluated_at: String,
    ) -> Determination {
        let words = |ps: &[Proclamation]| ps.iter().map(|p| p.as_str().to_owned()).collect();
        Determination {
            outcome: self.outcome.as_str().to_owned(),
            proclamations: words(&self.proclamations),
            provisional: !open_conflicts.is_empty(),
            open_conflicts,
            reasons: self
                .reasons
                .iter()
                .map(|r| DeterminationReason {
                    code: r.as_str().to_owned(),
                    category: r.category().as_str().to_owned(),
                    explanation: r.explanation().to_owned(),
                    rule_text: r.rule_text().to_owned(),
                    question: r.question().map(str::to_owned),
                })
                .collect(),
            offenses: self
                .offenses
                .iter()
                .map(|o| OffenseDetermination {
                    index: o.index as u64,
                    offense_id: intake.offenses.get(o.index).and_then(|x| x.id.clone()),
                    outcome: o.outcome.as_str().to_owned(),
                    proclamations: words(&o.proclamations),
                    reasons: o.reasons.iter().map(|r| r.as_str().to_owned()).collect(),
                    canonical_citations: o.canonical_citations.clone(),
                    family: o.family.map(|f| f.as_str().to_owned()),
                })
                .collect(),
            missing_items,
            rules_version: crate::RULES_VERSION.to_owned(),
            input_hash,
            evaluated_at,
        }
    }
}
