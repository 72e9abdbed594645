//! Client tooling, outside the production server: a Rust device simulator that speaks the
//! automerge-repo protocol like a field device ([`simulator`]), used by the end-to-end suites,
//! and the load tool built on it ([`loadtest`], the `fieldclinic-loadtest` executable).

pub mod loadtest;
pub mod simulator;
