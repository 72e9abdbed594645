//! SQLite and PostgreSQL implementations of `fieldclinic_sync::Store`.
//! TODO(store helper).
