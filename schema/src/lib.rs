//! The fieldclinic intake document model, shared by devices and the server.
//!
//! One Automerge document holds one client's intake. Its shape is version 1 of the schema:
//! `kind: "intake"`, `schema_version: 1`, a `person`, a list of `offenses`, a `documents`
//! checklist, `consent`, `notes`, and two sections only the server writes: `determination` and
//! `review`. The rules inputs use exactly the vocabulary of `RULES.md` section 5 ([`facts`]).
//!
//! This crate does no I/O.

mod document_id;
pub mod facts;
pub mod intake;

pub use document_id::{BadDocumentId, DocumentId};
pub use facts::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, OffenseFacts, PersonFacts, StatusAtOffense,
    StatusNow, Substance,
};
pub use intake::{
    ChecklistItem, Consent, Determination, DeterminationReason, Intake, Offense,
    OffenseDetermination, Person, Review, SupportingDocument,
};
