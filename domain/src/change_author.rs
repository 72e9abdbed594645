use fieldclinic_schema::DocumentId;
use serde::Serialize;

use crate::{DeviceId, UserId};

/// Who wrote one Automerge change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeAuthor {
    /// The document.
    pub doc: DocumentId,
    /// Hex change hash.
    pub change_hash: String,
    /// Hex Automerge actor ID of the change.
    pub actor_id: String,
    /// The device that sent it (none for server-authored changes).
    pub device_id: Option<DeviceId>,
    /// The user that device (or session) belongs to.
    pub user_id: Option<UserId>,
    /// When the server accepted it, milliseconds since the Unix epoch.
    pub at_millis: i64,
}
