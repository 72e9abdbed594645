use fieldclinic_sync::StorageId;
use fieldclinic_sync::protocol::PeerId;

/// Who the server said it is in its `peer` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// The server's peer ID (the `senderId` of everything it sends).
    pub peer_id: PeerId,
    /// The server's storage ID (that of its database).
    pub storage_id: Option<StorageId>,
    /// The protocol version it selected.
    pub protocol_version: String,
}
