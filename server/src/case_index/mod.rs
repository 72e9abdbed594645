//! The case index the caseload reads: each committed intake's row, projected by a worker.

mod projection;
pub mod projector;

pub use projection::project;
pub use projector::{CaseEvent, Projector};
