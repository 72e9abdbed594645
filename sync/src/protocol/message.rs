use fieldclinic_schema::DocumentId;

use super::PeerId;
use crate::StorageId;

/// The protocol version this implementation speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// `peerMetadata` of `join` and `peer`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerMetadata {
    /// The peer's persistent store, if it has one.
    pub storage_id: Option<StorageId>,
    /// An ephemeral peer keeps nothing; its sync state is not worth persisting.
    pub is_ephemeral: bool,
}

/// One automerge-repo message, decoded from (or encoded to) one binary WebSocket frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Client → server, the first message.
    Join {
        /// The client's peer ID for this connection.
        sender_id: PeerId,
        /// What the client says about its storage.
        peer_metadata: PeerMetadata,
        /// Versions the client speaks; a missing array counts as `["1"]`.
        supported_protocol_versions: Vec<String>,
    },
    /// Server → client, the reply to `join`.
    Peer {
        /// The server's peer ID.
        sender_id: PeerId,
        /// The server's storage ID, never ephemeral.
        peer_metadata: PeerMetadata,
        /// Always `"1"`.
        selected_protocol_version: String,
        /// The client's peer ID.
        target_id: PeerId,
    },
    /// Either direction; the sender closes the connection afterwards.
    Error {
        /// A fixed, generic phrase.
        message: String,
        /// The sender, when known.
        sender_id: Option<PeerId>,
        /// The recipient, when known.
        target_id: Option<PeerId>,
    },
    /// Advisory, before disconnecting.
    Leave {
        /// Who leaves.
        sender_id: PeerId,
    },
    /// The sender lacks the document: sync with it or answer `doc-unavailable`.
    Request(DocMessage),
    /// Every other sync round.
    Sync(DocMessage),
    /// The document is unknown, or the peer may not read it.
    DocUnavailable {
        /// The sender.
        sender_id: PeerId,
        /// The recipient.
        target_id: PeerId,
        /// The document.
        document_id: DocumentId,
    },
    /// Presence and other transient data, relayed to the document's other peers.
    Ephemeral(EphemeralMessage),
    /// Remote-heads gossip (`remote-subscription-change`, `remote-heads-changed`): decoded and
    /// ignored, like samod does.
    Gossip {
        /// Which gossip message it was.
        kind: String,
        /// The sender.
        sender_id: PeerId,
    },
    /// A well-formed message of a type this version does not know; dropped for forward
    /// compatibility.
    Unknown {
        /// The `type` field.
        kind: String,
    },
}

/// The body shared by `request` and `sync`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocMessage {
    /// The sender.
    pub sender_id: PeerId,
    /// The recipient.
    pub target_id: PeerId,
    /// The document.
    pub document_id: DocumentId,
    /// An encoded automerge sync message, never empty.
    pub data: Vec<u8>,
}

/// An `ephemeral` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EphemeralMessage {
    /// The original sender (kept when relayed).
    pub sender_id: PeerId,
    /// The recipient (rewritten when relayed).
    pub target_id: PeerId,
    /// Per-session sequence number, for de-duplication.
    pub count: u64,
    /// Random per sending process.
    pub session_id: String,
    /// The document the data is about.
    pub document_id: DocumentId,
    /// Opaque to the server.
    pub data: Vec<u8>,
}

impl Message {
    /// The `type` field on the wire.
    #[must_use]
    pub fn type_name(&self) -> &str {
        match self {
            Self::Join { .. } => "join",
            Self::Peer { .. } => "peer",
            Self::Error { .. } => "error",
            Self::Leave { .. } => "leave",
            Self::Request(_) => "request",
            Self::Sync(_) => "sync",
            Self::DocUnavailable { .. } => "doc-unavailable",
            Self::Ephemeral(_) => "ephemeral",
            Self::Gossip { kind, .. } | Self::Unknown { kind } => kind,
        }
    }

    /// The `senderId`, when the message has one.
    #[must_use]
    pub fn sender_id(&self) -> Option<&PeerId> {
        match self {
            Self::Join { sender_id, .. }
            | Self::Peer { sender_id, .. }
            | Self::Leave { sender_id }
            | Self::DocUnavailable { sender_id, .. }
            | Self::Gossip { sender_id, .. } => Some(sender_id),
            Self::Request(m) | Self::Sync(m) => Some(&m.sender_id),
            Self::Ephemeral(m) => Some(&m.sender_id),
            Self::Error { sender_id, .. } => sender_id.as_ref(),
            Self::Unknown { .. } => None,
        }
    }
}
