//! The three outcomes of an evaluation.

use serde::Serialize;

/// The result for one proclamation, one offense or one person (`RULES.md` section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// Pardoned by at least one proclamation.
    Eligible,
    /// A definite failure under every proclamation.
    NotEligible,
    /// A fact is missing or a lawyer must decide.
    NeedsMoreInfo,
}

impl Outcome {
    /// The outcome as serialised: `ELIGIBLE`, `NOT_ELIGIBLE` or `NEEDS_MORE_INFO`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Eligible => "ELIGIBLE",
            Self::NotEligible => "NOT_ELIGIBLE",
            Self::NeedsMoreInfo => "NEEDS_MORE_INFO",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
