//! The certificate application packet of an eligible intake.

use anyhow::Context as _;
use fieldclinic_domain::Principal;
use fieldclinic_domain::clock::{now_millis, rfc3339_millis};
use fieldclinic_review::packet::{self, CertificatePacket, PacketError};
use fieldclinic_schema::read_intake;
use serde_json::json;

use super::access::{clinic_intake, with_document};
use crate::error::ApiError;
use crate::state::{AppState, AppStore};

/// The certificate packet of an eligible intake of the caller's clinic; generating one is
/// audited.
///
/// # Errors
/// 404 for an unknown intake or one of another clinic, 409 when it is not (yet) eligible.
pub async fn packet_for<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    raw: &str,
) -> Result<CertificatePacket, ApiError> {
    let store = &state.store;
    let doc = clinic_intake(store, who, raw).await?;
    let intake = with_document(store, doc, |d| read_intake(d).map_err(anyhow::Error::from))
        .await?
        .context("Unreadable intake")?;
    let now = rfc3339_millis(now_millis()).unwrap_or_default();
    let built = packet::build_packet(&doc.to_string(), &intake, &now).map_err(|e| match e {
        PacketError::NotEvaluated | PacketError::NotEligible { .. } => {
            ApiError::Conflict(format!("no certificate packet: {e}"))
        }
    })?;
    state
        .hub
        .policy()
        .entry(who, &doc, "packet.generated", json!({}));
    Ok(built)
}
