//! The fieldclinic server: the sync socket, the eligibility write-back, the review API and the
//! `fieldclinic` command line.

pub mod store;
