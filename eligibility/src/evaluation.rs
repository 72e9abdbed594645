//! The result of evaluating a person's record.

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
