//! The fieldclinic intake document model, shared by devices and the server.
//!
//! One Automerge document holds one client's intake. Its shape is version 1 of the schema:
//! `kind: "intake"`, `schema_version: 1`, a `person`, a list of `offenses`, a `documents`
//! checklist, `consent`, `notes`, and two sections only the server writes: `determination` and
//! `review` (plus `server`, reserved for server metadata: [`SERVER_OWNED_KEYS`]). The rules
//! inputs use exactly the vocabulary of `RULES.md` section 5 ([`facts`]).
//!
//! * Reading ([`read_intake`], the `Hydrate` impls) is lenient: missing keys, `null`, scalar
//!   strings and Automerge Text objects all read, and a value of the wrong kind reads as absent
//!   instead of failing the document.
//! * Writing (the `Reconcile` impls, [`write_device_fields`], [`write_determination`],
//!   [`write_review`]) writes scalar strings, keeps Text objects devices created, leaves `None`
//!   keys absent, and matches offenses by `id`.
//! * [`validate`] and [`validate_document`] list field-level problems without rejecting anything;
//!   [`intake_json_schema`] describes the document for other tools.
//!
//! This crate does no I/O.

pub mod conflicts;
mod document_id;
pub mod facts;
pub mod intake;
mod json_schema;
mod validation;

pub use conflicts::{
    ConflictChoice, ConflictSection, ConflictValue, FieldConflict, ResolveError, legal_conflicts,
    resolve_conflict,
};
pub use document_id::{BadDocumentId, DocumentId};
pub use facts::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, OffenseFacts, PersonFacts,
    StatusAtOffense, StatusNow, Substance,
};
pub use intake::{
    ChecklistItem, Consent, Determination, DeterminationReason, DocumentKind, Intake, IntakeError,
    Offense, OffenseDetermination, Person, PersonLink, Review, SCHEMA_VERSION, SERVER_OWNED_KEYS,
    ServerSection, Submitter, SupportingDocument, read_determination, read_intake,
    read_intake_with_problems, validate_document, write_determination, write_device_fields,
    write_review, write_server_section,
};
pub use json_schema::{INTAKE_SCHEMA_ID, intake_json_schema};
pub use validation::{FieldProblem, ProblemKind, validate};
