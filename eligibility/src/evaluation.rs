//! The result of evaluating a person's record.

use fieldclinic_schema::{
    ChecklistItem, Determination, DeterminationReason, Intake, OffenseDetermination,
};
use serde::Serialize;

use crate::family::Family;
use crate::outcome::Outcome;
use crate::proclamation::Proclamation;
use crate::reason_code::{Category, ReasonCode, ReasonSet};

/// The person-level result (`RULES.md` section 6, "Person result").
///
/// Serialises as `{"outcome": "ELIGIBLE", "proclamations": ["10467", "10688"], "reasons":
/// ["COVERED_BY_10467", ...], "offenses": [...]}`. Which proclamation each reason concerns is
/// not serialised here; [`Evaluation::explanations`] and [`Evaluation::reason_proclamations`]
/// give it.
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
    #[serde(skip)]
    pub(crate) scopes: Scopes,
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
    #[serde(skip)]
    pub(crate) scopes: Scopes,
}

/// Which proclamations each reason concerns: a code is in `by[p as usize]` when it came from
/// proclamation p's findings (a failure, a missing fact, or the basis of its ELIGIBLE), and in
/// both when it is information about the count or the person as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Scopes {
    pub(crate) by: [ReasonSet; 2],
}

impl Scopes {
    pub(crate) fn insert_both(&mut self, code: ReasonCode) {
        for set in &mut self.by {
            set.insert(code);
        }
    }

    pub(crate) const fn union(self, other: Self) -> Self {
        Self {
            by: [self.by[0].union(other.by[0]), self.by[1].union(other.by[1])],
        }
    }

    /// Every reason, whichever proclamation it concerns.
    pub(crate) const fn reasons(self) -> ReasonSet {
        self.by[0].union(self.by[1])
    }

    fn proclamations(self, code: ReasonCode) -> Vec<Proclamation> {
        Proclamation::ALL
            .into_iter()
            .filter(|p| self.by[*p as usize].contains(code))
            .collect()
    }

    fn explanations(self, reasons: &[ReasonCode]) -> Vec<Explanation> {
        reasons
            .iter()
            .map(|code| Explanation::new(*code, self.proclamations(*code)))
            .collect()
    }
}

/// One reason with what a person needs to act on it, as `fieldclinic eligibility check` prints
/// it: `{"code", "category", "text", "rule", "question", "proclamations"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The reason code.
    pub code: ReasonCode,
    /// What the code means for the outcome.
    pub category: Category,
    /// The plain-language explanation; when the reason concerns only one proclamation and the
    /// code does not already say so, a last sentence names it.
    pub text: String,
    /// The rule text the code cites.
    pub rule: &'static str,
    /// What to ask or check; `null` when there is nothing to ask.
    pub question: Option<&'static str>,
    /// The proclamations the reason concerns, in date order: one when it matters for only one
    /// (`["10467"]` for an offense date needed only for the 2022 pardon), both otherwise.
    pub proclamations: Vec<Proclamation>,
}

impl Explanation {
    /// The explanation of `code` when it concerns `proclamations`.
    #[must_use]
    pub fn new(code: ReasonCode, proclamations: Vec<Proclamation>) -> Self {
        let mut text = code.explanation().to_owned();
        if let [only] = proclamations.as_slice()
            && code.proclamation().is_none()
        {
            // A code such as MISSING_OFFENSE_DATE can matter for one proclamation in one record
            // and for both in another, so its fixed text cannot say which; this sentence does.
            let verb = match code.category() {
                Category::Fact | Category::Review => "This matters only for",
                Category::Covered | Category::Info | Category::Hard => "This applies only to",
            };
            text.push_str(&format!(
                " {verb} the {} pardon (Proclamation {}).",
                only.signed_on(),
                only.as_str()
            ));
        }
        Self {
            code,
            category: code.category(),
            text,
            rule: code.rule_text(),
            question: code.question(),
            proclamations,
        }
    }
}

impl Evaluation {
    /// The proclamations a person-level reason concerns, in date order: those for which some
    /// offense reported it. Empty for a code that is not among [`Evaluation::reasons`].
    #[must_use]
    pub fn reason_proclamations(&self, code: ReasonCode) -> Vec<Proclamation> {
        self.scopes.proclamations(code)
    }

    /// One explanation per reason, in the order of [`Evaluation::reasons`].
    #[must_use]
    pub fn explanations(&self) -> Vec<Explanation> {
        self.scopes.explanations(&self.reasons)
    }

    /// The intake document's `determination` section for this result: each reason with its
    /// explanation (naming the proclamation when the reason concerns only one), rule text and
    /// question, and each offense tied to the intake's offense `id`. What the engine does not
    /// know comes from the caller: the checklist items still missing, the fields with open
    /// conflicts (which make the result provisional), the input hash and the time.
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
                .explanations()
                .into_iter()
                .map(|e| DeterminationReason {
                    code: e.code.as_str().to_owned(),
                    category: e.category.as_str().to_owned(),
                    explanation: e.text,
                    rule_text: e.rule.to_owned(),
                    question: e.question.map(str::to_owned),
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

impl OffenseEvaluation {
    /// The proclamations a reason of this offense concerns, in date order.
    #[must_use]
    pub fn reason_proclamations(&self, code: ReasonCode) -> Vec<Proclamation> {
        self.scopes.proclamations(code)
    }

    /// One explanation per reason of this offense, in the order of [`OffenseEvaluation::reasons`].
    #[must_use]
    pub fn explanations(&self) -> Vec<Explanation> {
        self.scopes.explanations(&self.reasons)
    }
}
