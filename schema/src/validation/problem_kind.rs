use std::fmt;

use serde::Serialize;

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// A field every intake carries from creation (`kind`, `schema_version`) is missing.
    Missing,
    /// Not an ISO `YYYY-MM-DD` calendar date.
    BadDate,
    /// Neither `"birth"` nor an ISO date (`person.citizen_or_lpr_since`).
    NotBirthOrDate,
    /// A word outside the field's vocabulary.
    UnknownValue {
        /// The words the field accepts.
        allowed: Vec<&'static str>,
    },
    /// A value of another kind than the field holds, e.g. a number where a string belongs. It
    /// reads as absent.
    WrongKind {
        /// The kind the field holds.
        expected: &'static str,
        /// The kind found.
        found: &'static str,
    },
    /// A schema version this crate does not know.
    BadSchemaVersion {
        /// The version this crate reads.
        supported: u64,
    },
    /// Another offense carries the same `id`, so edits of the two cannot be told apart.
    DuplicateId,
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("missing"),
            Self::BadDate => f.write_str("not a date (YYYY-MM-DD)"),
            Self::NotBirthOrDate => f.write_str("neither \"birth\" nor a date (YYYY-MM-DD)"),
            Self::UnknownValue { allowed } => write!(f, "not one of {}", allowed.join(", ")),
            Self::WrongKind { expected, found } => {
                write!(f, "expected a {expected}, found a {found}")
            }
            Self::BadSchemaVersion { supported } => {
                write!(
                    f,
                    "unsupported schema version (this server reads {supported})"
                )
            }
            Self::DuplicateId => f.write_str("the same id as an earlier offense"),
        }
    }
}
