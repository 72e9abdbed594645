//! A device simulator: a Rust stand-in for a field device running the automerge-repo client.
//!
//! A [`Device`] keeps intake documents locally (one `AutoCommit` and one `sync::State` each),
//! edits them offline, connects to a server's `GET /sync` over WebSocket ([`Link`]), performs
//! the `join`/`peer` handshake and syncs documents until the server advertises heads equal to
//! the local ones: the server only advertises heads after committing them, so that is the
//! "stored" acknowledgement ([`PushAck`]). The e2e suites and `fieldclinic-loadtest` build on
//! it; [`Link`] also gives tests raw access to frames.

mod device;
mod find_outcome;
mod frame;
pub mod intake_data;
mod link;
mod local_document;
mod push_ack;
mod server_info;
mod simulator_error;

pub use device::Device;
pub use find_outcome::FindOutcome;
pub use frame::Frame;
pub use link::Link;
pub use local_document::LocalDocument;
pub use push_ack::PushAck;
pub use server_info::ServerInfo;
pub use simulator_error::SimulatorError;
