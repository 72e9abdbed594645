//! One typed settings tree. Layers, later wins: code defaults → the `--config` TOML file →
//! environment (`FIELDCLINIC_BIND`, `FIELDCLINIC_DATABASE_URL`, and `FIELDCLINIC_<SECTION>__<KEY>`
//! for everything) → command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_aux::field_attributes::deserialize_number_from_string;

/// Everything the server reads at start-up.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// The HTTP listener.
    pub server: ServerSettings,
    /// The database.
    pub database: DatabaseSettings,
    /// The sync engine.
    pub sync: SyncSettings,
    /// Logging.
    pub log: LogSettings,
}

/// The HTTP listener.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    /// Address and port to listen on.
    pub bind: String,
    /// PEM certificate chain; with `tls_key`, the server speaks HTTPS and WSS.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key.
    pub tls_key: Option<PathBuf>,
    /// Acknowledges that a TLS-terminating proxy sits in front, so plain HTTP on a non-loopback
    /// address is allowed.
    pub behind_tls_proxy: bool,
    /// Seconds to wait for open requests at shutdown.
    #[serde(deserialize_with = "deserialize_number_from_string")]
    pub shutdown_timeout_secs: u64,
}

/// The database.
#[derive(Clone, Deserialize)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` (created on first start) or `postgres://…`.
    pub url: SecretString,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(self.url.expose_secret()))
            .finish()
    }
}

/// The sync engine.
#[derive(Debug, Clone, Deserialize)]
pub struct SyncSettings {
    /// Largest WebSocket message accepted, in bytes; larger ones get `error` and a close.
    #[serde(deserialize_with = "deserialize_number_from_string")]
    pub max_message_bytes: usize,
    /// Seconds a document with no peers stays loaded.
    #[serde(deserialize_with = "deserialize_number_from_string")]
    pub idle_unload_secs: u64,
    /// Milliseconds between checkpoints of per-peer sync states.
    #[serde(deserialize_with = "deserialize_number_from_string")]
    pub checkpoint_millis: u64,
    /// Incremental chunks before a document is compacted into one snapshot.
    #[serde(deserialize_with = "deserialize_number_from_string")]
    pub compact_after_chunks: usize,
    /// Frames queued for one connection before it is closed as too slow.
    #[serde(deserialize_with = "deserialize_number_from_string")]
    pub outbox_capacity: usize,
    /// Sync messages of one connection processed at once.
    #[serde(deserialize_with = "deserialize_number_from_string")]
    pub per_connection_in_flight: usize,
    /// Documents one connection may open.
    #[serde(deserialize_with = "deserialize_number_from_string")]
    pub max_documents_per_connection: usize,
    /// Documents held in memory at most.
    #[serde(deserialize_with = "deserialize_number_from_string")]
    pub max_loaded_documents: usize,
}

/// Logging.
#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    /// `json` (one object per line, for log collectors) or `pretty`.
    pub format: LogFormat,
    /// Default filter when `RUST_LOG` is unset, e.g. `info` or `fieldclinic_server=debug,info`.
    pub filter: String,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// JSON lines.
    Json,
    /// Human-readable.
    Pretty,
}

/// The default configuration, as an annotated TOML file (`fieldclinic print-default-config`).
pub const DEFAULT_CONFIG: &str = include_str!("../../configuration/fieldclinic.example.toml");

/// Flags that override every other layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--bind`.
    pub bind: Option<String>,
    /// `--database-url`.
    pub database_url: Option<String>,
    /// `--tls-cert`.
    pub tls_cert: Option<PathBuf>,
    /// `--tls-key`.
    pub tls_key: Option<PathBuf>,
    /// `--behind-tls-proxy`.
    pub behind_tls_proxy: bool,
}

/// Reads the settings.
///
/// # Errors
/// When the file cannot be read or a value has the wrong type.
pub fn get_configuration(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Settings> {
    let mut builder = config::Config::builder().add_source(config::File::from_str(
        DEFAULT_CONFIG,
        config::FileFormat::Toml,
    ));
    if let Some(path) = file {
        builder = builder.add_source(
            config::File::from(path)
                .format(config::FileFormat::Toml)
                .required(true),
        );
    }
    builder = builder
        .add_source(
            config::Environment::with_prefix("FIELDCLINIC")
                .prefix_separator("_")
                .separator("__"),
        )
        .set_override_option("server.bind", std::env::var("FIELDCLINIC_BIND").ok())?
        .set_override_option(
            "database.url",
            std::env::var("FIELDCLINIC_DATABASE_URL").ok(),
        )?
        .set_override_option("server.bind", overrides.bind.clone())?
        .set_override_option("database.url", overrides.database_url.clone())?
        .set_override_option(
            "server.tls_cert",
            overrides.tls_cert.as_ref().map(|p| p.display().to_string()),
        )?
        .set_override_option(
            "server.tls_key",
            overrides.tls_key.as_ref().map(|p| p.display().to_string()),
        )?;
    if overrides.behind_tls_proxy {
        builder = builder.set_override("server.behind_tls_proxy", true)?;
    }
    let settings: Settings = builder
        .build()
        .context("Failed to read the configuration")?
        .try_deserialize()
        .context("Invalid configuration")?;
    Ok(settings)
}

impl Settings {
    /// The sync engine's tuning.
    #[must_use]
    pub fn hub_settings(&self) -> fieldclinic_sync::HubSettings {
        fieldclinic_sync::HubSettings {
            idle_unload_after: Duration::from_secs(self.sync.idle_unload_secs),
            checkpoint_every: Duration::from_millis(self.sync.checkpoint_millis.max(10)),
            compact_after_chunks: self.sync.compact_after_chunks.max(1),
            outbox_capacity: self.sync.outbox_capacity.max(16),
            per_connection_in_flight: self.sync.per_connection_in_flight.max(1),
            max_documents_per_connection: self.sync.max_documents_per_connection.max(1),
            max_loaded_documents: self.sync.max_loaded_documents.max(1),
            ..fieldclinic_sync::HubSettings::default()
        }
    }
}

impl ServerSettings {
    /// Refuses plain HTTP on a non-loopback address unless a TLS proxy is declared: intakes
    /// hold criminal records and immigration status.
    ///
    /// # Errors
    /// When the address does not parse or the combination is unsafe.
    pub fn check_transport_security(&self) -> anyhow::Result<()> {
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(_), Some(_)) => true,
            (None, None) => false,
            _ => anyhow::bail!("set both server.tls_cert and server.tls_key, or neither"),
        };
        let addrs: Vec<SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(&self.bind)
            .with_context(|| format!("Invalid bind address {:?}", self.bind))?
            .collect();
        let loopback = !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback());
        if !tls && !loopback && !self.behind_tls_proxy {
            anyhow::bail!(
                "refusing to serve plain HTTP on the non-loopback address {}: give --tls-cert and \
                 --tls-key, or --behind-tls-proxy if a TLS-terminating proxy is in front",
                self.bind
            );
        }
        Ok(())
    }
}

/// The URL without its password, for logs.
#[must_use]
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}://{user}:***@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_need_no_file() {
        let s = get_configuration(None, &Overrides::default()).unwrap();
        assert_eq!(s.server.bind, "127.0.0.1:8080");
        assert_eq!(
            s.database.url.expose_secret(),
            "sqlite://data/fieldclinic.db"
        );
        s.server.check_transport_security().unwrap();
    }

    #[test]
    fn flags_win_over_everything() {
        let o = Overrides {
            bind: Some("127.0.0.1:0".into()),
            ..Overrides::default()
        };
        assert_eq!(
            get_configuration(None, &o).unwrap().server.bind,
            "127.0.0.1:0"
        );
    }

    #[test]
    fn plain_http_on_a_public_address_is_refused() {
        let o = Overrides {
            bind: Some("0.0.0.0:8080".into()),
            ..Overrides::default()
        };
        let s = get_configuration(None, &o).unwrap();
        assert!(s.server.check_transport_security().is_err());
        let o = Overrides {
            behind_tls_proxy: true,
            ..o
        };
        get_configuration(None, &o)
            .unwrap()
            .server
            .check_transport_security()
            .unwrap();
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
