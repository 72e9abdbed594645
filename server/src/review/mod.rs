//! Supervisor review: the case index the caseload reads, duplicate-person detection, case
//! history, and certificate application packets.

pub mod duplicates;
pub mod history;
pub mod packet;
mod projection;
pub mod projector;

pub use projection::project;
pub use projector::{ProjectionSender, Projector};
