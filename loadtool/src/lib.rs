//! Client tooling, outside the production server: a Rust device simulator that speaks the
//! automerge-repo protocol like a field device ([`simulator`]), used by the end-to-end suites,
//! the load tool built on it ([`loadtest`], the `fieldclinic-loadtest` executable), the
//! side-by-side benchmark against the reference sync server ([`side_by_side`], the
//! `fieldclinic-side-by-side` executable), the floor benchmark of the same workload's automerge
//! and SQLite work with nothing around it ([`floor`], the `fieldclinic-floor` executable), and
//! `fieldclinic serve` as a child process ([`server_process`]) for all of them.

pub mod floor;
pub mod loadtest;
pub mod server_process;
pub mod side_by_side;
pub mod simulator;
