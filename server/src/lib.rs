//! The fieldclinic server: the sync socket, the eligibility write-back, and the `fieldclinic`
//! command line.

pub mod admin;
pub mod admin_cli;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod configuration;
pub mod dashboard;
pub mod error;
pub mod housekeeping;
pub mod indexer;
pub mod loadtest;
pub mod policy;
pub mod review;
pub mod revocation_watch;
pub mod routes;
pub mod rules_upgrade;
pub mod simulator;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod ws;
