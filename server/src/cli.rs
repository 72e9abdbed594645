//! The `fieldclinic` command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// fieldclinic: the sync and review server for legal-aid field clinics.
///
/// Enrolled devices sync intake documents (Automerge, automerge-repo protocol) over
/// `GET /sync`; the server merges them, checks federal marijuana pardon eligibility
/// (Proclamations 10467 and 10688) and writes the result back into each intake. Access is by
/// clinic and role; set up clinics, users and devices with `fieldclinic admin`.
#[derive(Debug, Parser)]
#[command(name = "fieldclinic", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (sync socket, API, health check) until SIGTERM or SIGINT.
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate(DatabaseArgs),
    /// The intake document schema.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// The pardon eligibility rules.
    #[command(subcommand)]
    Eligibility(EligibilityCommand),
    /// Print the default configuration file (annotated TOML).
    PrintDefaultConfig,
    /// Clinics, users, devices and the audit log.
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// Where the configuration and database are.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Configuration file (TOML); see `fieldclinic print-default-config`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB
    /// [default: sqlite://data/fieldclinic.db] [env: FIELDCLINIC_DATABASE_URL]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// `serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Configuration and database.
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Address and port to listen on [default: 127.0.0.1:8080] [env: FIELDCLINIC_BIND]
    #[arg(long, value_name = "ADDR:PORT")]
    pub bind: Option<String>,
    /// PEM certificate chain: serve HTTPS and WSS (needs --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (needs --tls-cert).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// A TLS-terminating proxy is in front: allow plain HTTP on a non-loopback address.
    #[arg(long)]
    pub behind_tls_proxy: bool,
}

/// `admin` subcommands. Each accepts `--json` for machine-readable output.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a clinic and print its ID.
    CreateClinic {
        /// The clinic's name.
        name: String,
        /// Configuration and database.
        #[command(flatten)]
        db: DatabaseArgs,
        /// Print `{"clinic_id"}`.
        #[arg(long)]
        json: bool,
    },
    /// Create a user; the password (12 characters or more) is read from the first line of
    /// stdin, so it never shows in the process list.
    CreateUser {
        /// The clinic's ID.
        #[arg(long, value_name = "ID")]
        clinic: String,
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// volunteer, supervisor or admin.
        #[arg(long)]
        role: String,
        /// Configuration and database.
        #[command(flatten)]
        db: DatabaseArgs,
        /// Print `{"user_id"}`.
        #[arg(long)]
        json: bool,
    },
    /// Enroll a device for a user and print its bearer token (shown once).
    EnrollDevice {
        /// The clinic's ID.
        #[arg(long, value_name = "ID")]
        clinic: String,
        /// The user's email.
        #[arg(long, value_name = "EMAIL")]
        user: String,
        /// A label such as "Tablet 3".
        #[arg(long, default_value = "device")]
        name: String,
        /// Configuration and database.
        #[command(flatten)]
        db: DatabaseArgs,
        /// Print `{"device_id","token","index_url"}`.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a device: its token stops working; a running server closes its connections
    /// within seconds.
    RevokeDevice {
        /// The device's ID.
        device_id: String,
        /// Configuration and database.
        #[command(flatten)]
        db: DatabaseArgs,
        /// Print `{"device_id","revoked_at"}`.
        #[arg(long)]
        json: bool,
    },
    /// Print the audit log, newest first.
    Audit {
        /// Only this clinic.
        #[arg(long, value_name = "ID")]
        clinic: Option<String>,
        /// Only this document.
        #[arg(long, value_name = "DOCUMENT_ID")]
        doc: Option<String>,
        /// At most this many entries.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Configuration and database.
        #[command(flatten)]
        db: DatabaseArgs,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// `schema` subcommands.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Print the JSON Schema of the intake document (version 1) on stdout.
    Export,
}

/// `eligibility` subcommands.
#[derive(Debug, Subcommand)]
pub enum EligibilityCommand {
    /// Check cases read from a JSON file (or stdin): an array of {"id", "person", "offenses"} in
    /// the vocabulary of RULES.md section 5. Prints one result per case, in order. Exits with 2
    /// on malformed input, naming the case and the field.
    Check {
        /// The JSON file; `-` or nothing reads stdin.
        #[arg(value_name = "FILE|-")]
        file: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
    },
    /// Re-evaluate every stored intake (after a rules update) and write changed determinations.
    /// Resumable: progress is saved after each batch and an interrupted run continues where it
    /// stopped. Safe while the server runs: every write is an ordinary merge.
    Reevaluate {
        /// Configuration and database.
        #[command(flatten)]
        db: DatabaseArgs,
        /// Where progress is saved.
        #[arg(long, value_name = "FILE", default_value = "data/reevaluate.progress")]
        progress_file: PathBuf,
        /// Start over instead of resuming.
        #[arg(long)]
        restart: bool,
        /// Hide the progress bar.
        #[arg(long)]
        quiet: bool,
    },
}

/// Output format of `eligibility check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A JSON array.
    Json,
    /// A readable table.
    Table,
}
