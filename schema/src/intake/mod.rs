//! The intake document, schema version 1.
//!
//! Every string field is optional: an intake in progress has gaps, and `null` or a missing key
//! both read as `None`. Strings may be stored as Automerge Text objects (JS devices) or as scalar
//! strings (Rust writers); reading accepts both.
//!
//! TODO(schema helper): derive/implement `Hydrate` and `Reconcile`, `validate()`, JSON Schema.

/// One client's intake.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Intake {
    /// Always `"intake"`.
    pub kind: Option<String>,
    /// Always `1` for this version.
    pub schema_version: Option<u64>,
    /// Who the client is.
    pub person: Person,
    /// One entry per count on the record.
    pub offenses: Vec<Offense>,
    /// The supporting documents checklist (RULES.md section 9).
    pub documents: Vec<SupportingDocument>,
    /// Consent and who submits the application.
    pub consent: Consent,
    /// Free notes by volunteers.
    pub notes: Option<String>,
    /// Written only by the server: the eligibility result.
    pub determination: Option<Determination>,
    /// Written only by the server: the supervisor's decision.
    pub review: Option<Review>,
}

/// Identity, contact and status of the client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub legal_name: Option<String>,
    pub other_names: Vec<String>,
    pub date_of_birth: Option<String>,
    pub place_of_birth: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status_now: Option<String>,
    pub citizen_or_lpr_since: Option<String>,
    pub status_at_offense: Option<String>,
    pub a_number: Option<String>,
    pub race: Option<String>,
    pub gender: Option<String>,
    pub ethnicity: Option<String>,
}

/// One count on the client's record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offense {
    /// A device-generated identity for the list item (a UUID string), so concurrent edits of a
    /// count from two devices meet on the same item.
    pub id: Option<String>,
    pub citation: Option<String>,
    pub charge_text: Option<String>,
    pub substance: Option<String>,
    pub conduct: Option<String>,
    pub offense_date: Option<String>,
    pub disposition: Option<String>,
    pub disposition_date: Option<String>,
    pub jurisdiction: Option<String>,
    pub status_at_offense: Option<String>,
    pub court_name: Option<String>,
    pub docket_number: Option<String>,
}

/// One supporting document of the certificate application.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SupportingDocument {
    /// One of `DocumentKind` words.
    pub kind: Option<String>,
    pub present: Option<bool>,
    pub note: Option<String>,
}

/// The client's consent and who submits the application.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Consent {
    pub given: Option<bool>,
    /// ISO date.
    pub given_on: Option<String>,
    /// `self` or `helper`.
    pub submitter: Option<String>,
    pub helper_name: Option<String>,
}

/// The server's eligibility result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Determination {
    /// `ELIGIBLE`, `NOT_ELIGIBLE` or `NEEDS_MORE_INFO`.
    pub outcome: String,
    /// `"10467"`, `"10688"`.
    pub proclamations: Vec<String>,
    /// True while a legally relevant conflict is open.
    pub provisional: bool,
    pub reasons: Vec<DeterminationReason>,
    pub offenses: Vec<OffenseDetermination>,
    /// Certificate checklist items still missing (RULES.md section 9).
    pub missing_items: Vec<ChecklistItem>,
    pub rules_version: String,
    /// Hex SHA-256 of the rules inputs.
    pub input_hash: String,
    /// RFC 3339 time of evaluation.
    pub evaluated_at: String,
}

/// One reason code with what a volunteer needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeterminationReason {
    pub code: String,
    /// `COVERED`, `INFO`, `HARD`, `FACT` or `REVIEW`.
    pub category: String,
    pub explanation: String,
    pub rule_text: String,
    /// For FACT codes: what to ask the client or which record to check.
    pub question: Option<String>,
}

/// The result for one offense.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OffenseDetermination {
    pub index: u64,
    pub offense_id: Option<String>,
    pub outcome: String,
    pub proclamations: Vec<String>,
    pub reasons: Vec<String>,
    pub canonical_citations: Vec<String>,
    pub family: Option<String>,
}

/// A missing item of the certificate application checklist.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChecklistItem {
    /// Stable key, e.g. `date_of_birth`, `offenses[0].docket_number`, `documents.charging_document`.
    pub key: String,
    pub label: String,
    pub required: bool,
}

/// The supervisor's decision, written by the server from the review API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Review {
    /// `approved`, `needs_info` or `rejected`.
    pub decision: String,
    pub message: Option<String>,
    /// Field paths the message is about.
    pub fields: Vec<String>,
    pub reviewer: Option<String>,
    /// RFC 3339.
    pub reviewed_at: String,
}
