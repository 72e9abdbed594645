//! rustls server configuration from PEM files.

use std::path::Path;

use anyhow::Context;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// A rustls server configuration for HTTPS and WSS.
///
/// # Errors
/// When a file cannot be read or holds no usable certificate or key.
pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<rustls::ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("Failed to read the certificate {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("Invalid PEM in {}", cert.display()))?;
    anyhow::ensure!(!certs.is_empty(), "no certificate in {}", cert.display());
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("Failed to read the private key {}", key.display()))?;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("Failed to set TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("The certificate and key do not match")
}
