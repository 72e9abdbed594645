use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use crate::StorageId;
use crate::protocol::{self, Message, PeerId};

/// A process-unique number for one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(u64);

impl ConnId {
    pub(crate) fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A joined connection as the documents see it: where to send its messages and how to close it.
#[derive(Debug)]
pub struct Connection<I> {
    pub(crate) id: ConnId,
    pub(crate) peer_id: PeerId,
    pub(crate) storage_id: Option<StorageId>,
    pub(crate) identity: I,
    pub(crate) outbox: mpsc::Sender<Vec<u8>>,
    pub(crate) closed: CancellationToken,
    pub(crate) in_flight: Arc<Semaphore>,
}

impl<I> Connection<I> {
    /// The connection's number.
    pub fn id(&self) -> ConnId {
        self.id
    }

    /// The peer ID the connection joined with.
    pub fn peer_id(&self) -> &PeerId {
        &self.peer_id
    }

    /// The storage ID under which this peer's sync states persist, if any.
    pub fn persistent_storage_id(&self) -> Option<&StorageId> {
        self.storage_id.as_ref()
    }

    /// Who is connected.
    pub fn identity(&self) -> &I {
        &self.identity
    }

    /// Queues a message. A full queue closes the connection rather than dropping the message:
    /// the peer reconnects and resyncs from its sync state.
    pub(crate) fn send(&self, message: &Message) {
        if self.closed.is_cancelled() {
            return;
        }
        match self.outbox.try_send(protocol::encode(message)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(conn.id = %self.id, peer.id = %self.peer_id, "outgoing queue full, closing connection");
                self.closed.cancel();
            }
            Err(mpsc::error::TrySendError::Closed(_)) => self.closed.cancel(),
        }
    }

    /// Sends `error` with a fixed phrase, then closes.
    pub(crate) fn fail(&self, server: &PeerId, phrase: &str) {
        self.send(&Message::Error {
            message: phrase.to_owned(),
            sender_id: Some(server.clone()),
            target_id: Some(self.peer_id.clone()),
        });
        self.closed.cancel();
    }
}
