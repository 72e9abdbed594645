use fieldclinic_schema::DocumentId;
use serde::Serialize;

use crate::{ClinicId, DeviceId, UserId};

/// What kind of document an ownership row protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnedKind {
    /// A client intake written by devices.
    Intake,
    /// A user's index document, written only by the server and read only by that user.
    Index,
}

impl OwnedKind {
    /// The stored word.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::Index => "index",
        }
    }

    /// Parses the stored word.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "intake" => Some(Self::Intake),
            "index" => Some(Self::Index),
            _ => None,
        }
    }
}

/// Which clinic a document belongs to and who created it; fixed at the first write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOwner {
    /// The document.
    pub doc: DocumentId,
    /// Its clinic.
    pub clinic_id: ClinicId,
    /// Intake or index.
    pub kind: OwnedKind,
    /// The user whose device (or session) created it.
    pub created_by_user: UserId,
    /// The device that created it, if a device did.
    pub created_by_device: Option<DeviceId>,
    /// Milliseconds since the Unix epoch.
    pub created_at_millis: i64,
}
