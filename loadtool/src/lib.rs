//! Client tooling, outside the production server: a Rust device simulator that speaks the
//! automerge-repo protocol like a field device ([`simulator`]), used by the end-to-end suites,
//! the load tool built on it ([`loadtest`], the `fieldclinic-loadtest` executable), and
//! `fieldclinic serve` as a child process ([`server_process`]) for both.

pub mod loadtest;
pub mod server_process;
pub mod simulator;
