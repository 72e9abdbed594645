//! The fieldclinic web application: the sync socket, the pipeline every committed intake goes
//! through (eligibility write-back, index documents, case index), the review API, the
//! dashboard, and the `fieldclinic` command line.

pub mod admin;
pub mod admin_cli;
pub mod app_assets;
pub mod audit;
pub mod auth;
pub mod case_index;
pub mod cli;
pub mod commands;
pub mod configuration;
pub mod dashboard;
pub mod documents;
pub mod error;
pub mod housekeeping;
pub mod indexer;
pub mod pipeline;
pub mod policy;
pub mod review;
pub mod revocation_watch;
pub mod routes;
pub mod rules_upgrade;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tls;
pub mod ws;
