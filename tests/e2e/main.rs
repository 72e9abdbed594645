//! End-to-end suites: the real app on port 0, device simulators, and the JS client.

mod access;
mod app;
mod cli;
mod dashboard;
mod health;
mod helpers;
mod index_documents;
pub(crate) mod js_interop;
mod js_load;
mod malformed_frames;
mod multi_instance;
mod review;
mod security;
mod sync_simulator;
