//! The review service: the caseload, one case with its conflicts and history, reviews and
//! conflict resolutions written into the document, duplicate people, and certificate packets.
//! Each answers a typed view; the API serialises it and the dashboard renders it, so the two
//! cannot drift apart. Supervisors and admins only, within their clinic.

mod access;
mod case_view;
mod caseload;
mod csv_export;
mod decisions;
mod duplicates;
mod filters;
mod packet;

pub use access::{clinic_intake, reviewer};
pub use case_view::{CaseView, ConflictValueView, ConflictView, case_view};
pub use caseload::{CaseItem, CaseloadPage, caseload};
pub use csv_export::{CaseloadCsv, export_csv};
pub use decisions::{
    Resolution, ResolveRequest, ReviewRecorded, ReviewRequest, resolve, submit_review,
};
pub use duplicates::{
    DuplicateDecision, DuplicateItem, DuplicateList, DuplicateView, decide_pair, duplicate_list,
};
pub use filters::{CaseFilters, DuplicateFilters};
pub use packet::packet_for;

use automerge::AutoCommit;
use automerge::transaction::CommitOptions;

/// Commits the pending change with `message` and the current time; returns the new heads.
fn commit(d: &mut AutoCommit, message: String) -> Vec<automerge::ChangeHash> {
    d.commit_with(
        CommitOptions::default()
            .with_message(message)
            .with_time(fieldclinic_domain::clock::now_seconds()),
    );
    d.get_heads()
}
