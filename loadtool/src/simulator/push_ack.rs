use std::time::Duration;

use automerge::ChangeHash;
use fieldclinic_schema::DocumentId;

/// A document the server acknowledged as stored: it advertised heads equal to the device's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushAck {
    /// The document.
    pub document_id: DocumentId,
    /// The heads both sides hold now (server-authored changes included).
    pub heads: Vec<ChangeHash>,
    /// From sending the first sync message to receiving the server's matching heads.
    pub latency: Duration,
    /// Sync messages the device sent for this document.
    pub sent: u32,
    /// Sync messages the device received for this document.
    pub received: u32,
}
