use serde::{Deserialize, Serialize};

/// The kind of a supporting document (`documents[].kind`), after `RULES.md` section 9 item 15 and
/// the proof items the certificate application asks for.
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
pub enum DocumentKind {
    /// Indictment, complaint or criminal information.
    ChargingDocument,
    /// Judgment of conviction.
    ConvictionDocument,
    /// Docket sheet showing the sentence and the date it was imposed.
    DocketSheet,
    /// Proof of U.S. citizenship or lawful permanent residence.
    ProofOfCitizenshipOrLpr,
    /// Photo identification.
    PhotoId,
}

impl DocumentKind {
    /// Every value, in declaration order.
    pub const ALL: &'static [Self] = &[
        Self::ChargingDocument,
        Self::ConvictionDocument,
        Self::DocketSheet,
        Self::ProofOfCitizenshipOrLpr,
        Self::PhotoId,
    ];

    /// The word as written in documents.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ChargingDocument => "charging_document",
            Self::ConvictionDocument => "conviction_document",
            Self::DocketSheet => "docket_sheet",
            Self::ProofOfCitizenshipOrLpr => "proof_of_citizenship_or_lpr",
            Self::PhotoId => "photo_id",
        }
    }

    /// Parses the word; `None` for a word outside the vocabulary.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|kind| kind.as_str() == s)
    }
}

impl std::fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
