use std::sync::Arc;

use automerge::AutoCommit;
use tokio::sync::{OwnedSemaphorePermit, oneshot};

use super::{ConnId, Connection, HubError};
use crate::Access;
use crate::protocol::EphemeralMessage;

pub(crate) type ChangeFn = Box<dyn FnOnce(&mut AutoCommit) + Send>;

/// What a document task is asked to do.
pub(crate) enum Command<I> {
    /// A `request` or `sync` from a peer, with the access its session already decided. The
    /// permit bounds the connection's in-flight work and is released once the replies are queued.
    Sync {
        conn: Arc<Connection<I>>,
        request: bool,
        access: Access,
        data: Vec<u8>,
        permit: OwnedSemaphorePermit,
    },
    /// Relay to the document's other peers.
    Ephemeral {
        conn: Arc<Connection<I>>,
        message: EphemeralMessage,
    },
    /// The connection closed.
    Disconnect { conn: ConnId },
    /// A server-authored change.
    Change {
        change: ChangeFn,
        reply: oneshot::Sender<Result<(), HubError>>,
    },
    /// Another server instance wrote to the document.
    Refresh,
    /// Unload now if no peer has the document open (a walk over many documents done with it).
    Release,
}
