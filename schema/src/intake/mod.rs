//! The intake document, schema version 1: one type per file, plus the lenient reader
//! (`read.rs`), the minimal writer (`write.rs`) and the document-level entry points
//! (`document.rs`).
//!
//! # Reading
//! Every string field is optional: an intake in progress has gaps, and `null` or a missing key
//! both read as `None`. Strings may be stored as Automerge Text objects (JS devices) or as scalar
//! strings (Rust writers); reading accepts both. A value of the wrong kind (a number where a
//! string belongs, a string where the `person` map belongs) reads as absent instead of failing the
//! document; [`validate_document`] reports it.
//!
//! # Writing
//! Strings are written as scalar strings, except into a key that already holds a Text object,
//! which is updated in place so JS devices keep merging character edits. `None` leaves the key
//! absent: a key holding a value is deleted, a missing or `null` key is not touched (so a blank
//! intake is small, and clearing a field never outraces a concurrent edit). `offenses` items are
//! matched by `id`.

mod checklist_item;
mod consent;
mod determination;
mod determination_reason;
mod document;
mod document_kind;
#[expect(
    clippy::module_inception,
    reason = "one file per type, named after the type"
)]
mod intake;
mod intake_error;
mod offense;
mod offense_determination;
mod person;
pub(crate) mod read;
mod review;
mod server_section;
mod submitter;
mod supporting_document;
#[cfg(test)]
pub(crate) mod test_support;
mod write;

pub use checklist_item::ChecklistItem;
pub use consent::Consent;
pub use determination::Determination;
pub use determination_reason::DeterminationReason;
pub use document::{
    read_determination, read_intake, read_intake_with_problems, validate_document,
    write_determination, write_device_fields, write_review, write_server_section,
};
pub use document_kind::DocumentKind;
pub use intake::Intake;
pub use intake_error::IntakeError;
pub use offense::Offense;
pub use offense_determination::OffenseDetermination;
pub use person::Person;
pub use review::Review;
pub use server_section::{PersonLink, ServerSection};
pub use submitter::Submitter;
pub use supporting_document::SupportingDocument;

/// The schema version this crate reads and writes (`schema_version`).
pub const SCHEMA_VERSION: u64 = 1;

/// Top-level keys only the server may write; `server` is reserved for server-owned metadata. The
/// sync layer rejects device changes touching them, and devices' writers skip them.
pub const SERVER_OWNED_KEYS: &[&str] = &["determination", "review", "server"];
