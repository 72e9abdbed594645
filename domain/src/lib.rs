//! The words every room of the server shares, with no storage, web or sync behind them: the
//! identifiers of clinics, users and devices, roles, the principal a request or a connection
//! acts as, who owns a document and how a user reaches an intake, who wrote a change, and the
//! one clock and time format the server uses.
//!
//! The stores, the review logic, the sync adapter and the web application all depend on this
//! crate; it depends on none of them.

mod change_author;
pub mod clock;
mod document_owner;
mod ids;
mod principal;
mod reach;
mod role;
mod token_hash;

pub use change_author::ChangeAuthor;
pub use document_owner::{DocumentOwner, OwnedKind};
pub use ids::{ClinicId, DeviceId, UserId};
pub use principal::Principal;
pub use reach::{IntakeReach, intake_reach};
pub use role::Role;
pub use token_hash::TokenHash;
