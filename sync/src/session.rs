//! One connection's protocol state machine, independent of the transport: the transport feeds
//! it frames and drains its outbox.

use std::collections::HashMap;
use std::sync::Arc;

use fieldclinic_schema::DocumentId;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use crate::hub::{Command, ConnId, Connection, Hub, HubError};
use crate::protocol::{self, Message, PROTOCOL_VERSION, PeerMetadata};
use crate::{Access, DocumentPolicy, Presence, Store};

/// What the transport does after handing the session a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// Send what is queued, then close the connection.
    Close,
}

/// The transport's end of a session: encoded frames to send, and a token that fires when the
/// server wants the connection closed (protocol error, full queue, revoked credential,
/// shutdown).
#[derive(Debug)]
pub struct Outbound {
    /// Encoded frames, in order.
    pub frames: mpsc::Receiver<Vec<u8>>,
    /// Cancelled when the connection must close.
    pub closed: CancellationToken,
}

/// One connection's protocol state.
#[derive(Debug)]
pub struct PeerSession<S: Store, P: DocumentPolicy> {
    hub: Hub<S, P>,
    identity: P::Identity,
    outbox: mpsc::Sender<Vec<u8>>,
    closed: CancellationToken,
    /// Fixed at the upgrade, so revocation can find the socket before it joins.
    id: ConnId,
    conn: Option<Arc<Connection<P::Identity>>>,
    /// The documents this connection opened, with the access decided when it first asked.
    docs: HashMap<DocumentId, Access>,
}

const PHRASE_MALFORMED: &str = "malformed message";
const PHRASE_VERSION: &str = "unsupported protocol version";
const PHRASE_JOIN_FIRST: &str = "expected join";
const PHRASE_SENDER: &str = "sender does not match the joined peer";
const PHRASE_PEER_TAKEN: &str = "peer ID in use";
const PHRASE_TEXT: &str = "binary frames only";
const PHRASE_UNAVAILABLE: &str = "server unavailable";
const PHRASE_REVOKED: &str = "credential no longer valid";
const PHRASE_BUSY: &str = "server busy";
const PHRASE_TOO_MANY: &str = "too many documents";

impl<S: Store, P: DocumentPolicy> PeerSession<S, P> {
    /// A session for a connection authenticated as `identity`. From here until
    /// [`PeerSession::finish`] the hub counts the socket as open: revoking its credential
    /// closes it even before it joins.
    pub fn new(hub: Hub<S, P>, identity: P::Identity) -> (Self, Outbound) {
        let (outbox, frames) = mpsc::channel(hub.inner().settings.outbox_capacity);
        let closed = hub.inner().shutdown.child_token();
        let id = ConnId::next();
        hub.open_socket(id, identity.clone(), closed.clone());
        let session = Self {
            hub,
            identity,
            outbox,
            closed: closed.clone(),
            id,
            conn: None,
            docs: HashMap::new(),
        };
        (session, Outbound { frames, closed })
    }

    /// Whether the peer has sent `join`.
    #[must_use]
    pub fn joined(&self) -> bool {
        self.conn.is_some()
    }

    /// How long the peer has to send `join` before the transport closes the socket.
    #[must_use]
    pub fn join_within(&self) -> std::time::Duration {
        self.hub.inner().settings.join_within
    }

    /// Handles one binary frame.
    pub async fn receive_binary(&mut self, frame: &[u8]) -> Flow {
        let message = match protocol::decode(frame) {
            Ok(m) => m,
            Err(e) => {
                tracing::info!(error.message = %e, "malformed frame");
                return self.fail(PHRASE_MALFORMED);
            }
        };
        let Some(conn) = self.conn.clone() else {
            return self.join(message).await;
        };
        if message.sender_id().is_some_and(|s| *s != conn.peer_id) {
            return self.fail(PHRASE_SENDER);
        }
        match message {
            Message::Request(m) => self.doc_message(&conn, m, true).await,
            Message::Sync(m) => self.doc_message(&conn, m, false).await,
            Message::Ephemeral(m) => {
                if self.docs.contains_key(&m.document_id) {
                    let doc = m.document_id;
                    self.hub
                        .dispatch_if_loaded(doc, Command::Ephemeral { conn, message: m });
                }
                Flow::Continue
            }
            Message::DocUnavailable { document_id, .. } => {
                // The server never requests documents from clients; nothing to do.
                tracing::debug!(doc.id = %document_id, "peer does not have the document");
                Flow::Continue
            }
            Message::Leave { .. } | Message::Error { .. } => Flow::Close,
            Message::Gossip { .. } | Message::Unknown { .. } => {
                tracing::debug!("ignoring message of a type the server does not act on");
                Flow::Continue
            }
            Message::Join { .. } | Message::Peer { .. } => self.fail(PHRASE_MALFORMED),
        }
    }

    /// A text frame: the JS client never sends one, so it is a protocol error.
    pub fn receive_text(&mut self) -> Flow {
        self.fail(PHRASE_TEXT)
    }

    /// Sends `error` with a fixed phrase (e.g. a frame over the size limit), then closes.
    pub fn fail(&mut self, phrase: &str) -> Flow {
        let message = Message::Error {
            message: phrase.to_owned(),
            sender_id: Some(self.hub.inner().server_peer_id.clone()),
            target_id: self.conn.as_ref().map(|c| c.peer_id.clone()),
        };
        // The queue may be full; closing is what matters then.
        let _ = self.outbox.try_send(protocol::encode(&message));
        self.closed.cancel();
        Flow::Close
    }

    /// The connection ended: leave every document and release the peer ID. A document whose
    /// queue is full misses the notice and drops the peer at its next checkpoint instead.
    pub fn finish(self) {
        self.closed.cancel();
        self.hub.close_socket(self.id);
        let Some(conn) = self.conn else { return };
        self.hub.unregister(&conn);
        for doc in self.docs.into_keys() {
            // A document that is not loaded has nothing to forget.
            self.hub
                .dispatch_if_loaded(doc, Command::Disconnect { conn: conn.id });
        }
        tracing::info!(peer.id = %conn.peer_id, "peer disconnected");
    }

    async fn join(&mut self, message: Message) -> Flow {
        let Message::Join {
            sender_id,
            peer_metadata,
            supported_protocol_versions,
        } = message
        else {
            return self.fail(PHRASE_JOIN_FIRST);
        };
        if !supported_protocol_versions
            .iter()
            .any(|v| v == PROTOCOL_VERSION)
        {
            return self.fail(PHRASE_VERSION);
        }
        // The credential was checked at the upgrade; it may have been revoked since.
        match self.hub.policy().still_valid(&self.identity).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(peer.id = %sender_id, "join refused: credential no longer valid");
                return self.fail(PHRASE_REVOKED);
            }
            Err(e) => {
                tracing::error!(error.cause_chain = ?e, error.message = %e, "credential check failed at join");
                return self.fail(PHRASE_UNAVAILABLE);
            }
        }
        if self.closed.is_cancelled() {
            return Flow::Close;
        }
        let storage_id = if peer_metadata.is_ephemeral {
            None
        } else {
            peer_metadata.storage_id
        };
        let conn = Arc::new(Connection {
            id: self.id,
            peer_id: sender_id.clone(),
            storage_id,
            identity: self.identity.clone(),
            outbox: self.outbox.clone(),
            closed: self.closed.clone(),
            in_flight: Arc::new(Semaphore::new(
                self.hub.inner().settings.per_connection_in_flight,
            )),
        });
        if self.hub.register(&conn).is_err() {
            return self.fail(PHRASE_PEER_TAKEN);
        }
        tracing::info!(peer.id = %sender_id, conn.id = %conn.id, "peer joined");
        conn.send(&Message::Peer {
            sender_id: self.hub.inner().server_peer_id.clone(),
            peer_metadata: PeerMetadata {
                storage_id: Some(self.hub.inner().storage_id.clone()),
                is_ephemeral: false,
            },
            selected_protocol_version: PROTOCOL_VERSION.to_owned(),
            target_id: sender_id,
        });
        self.conn = Some(conn);
        Flow::Continue
    }

    async fn doc_message(
        &mut self,
        conn: &Arc<Connection<P::Identity>>,
        m: protocol::DocMessage,
        request: bool,
    ) -> Flow {
        let doc = m.document_id;
        let access = match self.docs.get(&doc) {
            Some(access) => *access,
            None => match self.decide_access(conn, doc, request).await {
                Ok(Some(access)) => access,
                Ok(None) => return Flow::Continue,
                Err(flow) => return flow,
            },
        };
        // Waiting for a permit is the per-connection bound on work in flight.
        let Ok(permit) = Arc::clone(&conn.in_flight).acquire_owned().await else {
            return Flow::Close;
        };
        let cmd = Command::Sync {
            conn: Arc::clone(conn),
            request,
            access,
            data: m.data,
            permit,
        };
        match self.hub.dispatch(doc, cmd).await {
            Ok(()) => Flow::Continue,
            Err(HubError::Busy) => self.fail(PHRASE_BUSY),
            Err(_) => self.fail(PHRASE_UNAVAILABLE),
        }
    }

    /// Asks the policy before anything is allocated for the document, so a peer asking for
    /// documents it may not open (or that do not exist) costs one lookup and nothing that lasts.
    /// `Ok(None)`: answered with `doc-unavailable`. `Err`: the connection is closing.
    async fn decide_access(
        &mut self,
        conn: &Arc<Connection<P::Identity>>,
        doc: DocumentId,
        request: bool,
    ) -> Result<Option<Access>, Flow> {
        let presence = if request {
            Presence::Unknown
        } else {
            Presence::Creating
        };
        let access = match self
            .hub
            .policy()
            .access(&self.identity, &doc, presence)
            .await
        {
            Ok(a) => a,
            // A slow or failing store is not a missing document: `doc-unavailable` would be
            // final for the JS client, while a closed connection makes it reconnect and resync.
            Err(e) => {
                tracing::error!(error.cause_chain = ?e, error.message = %e, doc.id = %doc, "access check failed");
                return Err(self.fail(PHRASE_UNAVAILABLE));
            }
        };
        if access == Access::None {
            conn.send(&Message::DocUnavailable {
                sender_id: self.hub.inner().server_peer_id.clone(),
                target_id: conn.peer_id.clone(),
                document_id: doc,
            });
            return Ok(None);
        }
        if self.docs.len() >= self.hub.inner().settings.max_documents_per_connection {
            tracing::warn!(peer.id = %conn.peer_id, "connection opened too many documents");
            return Err(self.fail(PHRASE_TOO_MANY));
        }
        self.docs.insert(doc, access);
        Ok(Some(access))
    }
}
