use serde::{Deserialize, Serialize};

/// Who submits the certificate application (`consent.submitter`, `RULES.md` section 9 item 6).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Submitter {
    /// The applicant.
    #[serde(rename = "self")]
    Applicant,
    /// Someone on the applicant's behalf.
    Helper,
}

impl Submitter {
    /// Every value, in declaration order.
    pub const ALL: &'static [Self] = &[Self::Applicant, Self::Helper];

    /// The word as written in documents.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "self",
            Self::Helper => "helper",
        }
    }

    /// Parses the word; `None` for a word outside the vocabulary.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|submitter| submitter.as_str() == s)
    }
}

impl std::fmt::Display for Submitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
