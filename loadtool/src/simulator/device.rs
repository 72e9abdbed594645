use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use automerge::{AutoCommit, ChangeHash};
use fieldclinic_schema::{DocumentId, Intake, read_intake, write_device_fields};
use fieldclinic_sync::StorageId;
use fieldclinic_sync::protocol::{DocMessage, EphemeralMessage, Message, PeerId, PeerMetadata};

use super::{FindOutcome, Frame, Link, LocalDocument, PushAck, ServerInfo, SimulatorError};

/// How long a device waits for the server by default, per call.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A simulated field device: local documents edited offline, and at most one connection to a
/// server through which it syncs them.
///
/// A device with a storage ID presents itself as a persistent peer (`isEphemeral: false`), so
/// the server keeps its sync states between connections; without one it is ephemeral.
#[derive(Debug)]
pub struct Device {
    peer_id: PeerId,
    storage_id: Option<StorageId>,
    docs: HashMap<DocumentId, LocalDocument>,
    link: Option<Link>,
    server: Option<ServerInfo>,
    ephemeral_inbox: VecDeque<EphemeralMessage>,
    ephemeral_session: String,
    ephemeral_count: u64,
    timeout: Duration,
}

/// What a pending document is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    /// The server advertising the local heads.
    Stored,
    /// The server's copy, or `doc-unavailable`.
    Found,
}

#[derive(Debug)]
struct Pending {
    goal: Goal,
    started: Instant,
    sent: u32,
    received: u32,
}

impl Device {
    /// A device with this peer ID; `storage_id` makes it a persistent peer.
    #[must_use]
    pub fn new(peer_id: PeerId, storage_id: Option<StorageId>) -> Self {
        Self {
            peer_id,
            storage_id,
            docs: HashMap::new(),
            link: None,
            server: None,
            ephemeral_inbox: VecDeque::new(),
            ephemeral_session: uuid::Uuid::new_v4().simple().to_string(),
            ephemeral_count: 0,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// An ephemeral device (no storage, like a JS client without a storage adapter).
    ///
    /// # Errors
    /// When `name` is not a valid peer ID.
    pub fn ephemeral(name: &str) -> Result<Self, SimulatorError> {
        Ok(Self::new(PeerId::parse(name)?, None))
    }

    /// A persistent device with a fresh storage ID.
    ///
    /// # Errors
    /// When `name` is not a valid peer ID.
    pub fn persistent(name: &str) -> Result<Self, SimulatorError> {
        Ok(Self::new(PeerId::parse(name)?, Some(StorageId::random())))
    }

    /// How long each call waits for the server before giving up.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The device's peer ID.
    #[must_use]
    pub fn peer_id(&self) -> &PeerId {
        &self.peer_id
    }

    /// The server's `peer` reply on the current connection.
    #[must_use]
    pub fn server(&self) -> Option<&ServerInfo> {
        self.server.as_ref()
    }

    /// The documents the device holds.
    #[must_use]
    pub fn document_ids(&self) -> Vec<DocumentId> {
        self.docs.keys().copied().collect()
    }

    /// One local document.
    #[must_use]
    pub fn document(&self, id: &DocumentId) -> Option<&LocalDocument> {
        self.docs.get(id)
    }

    /// The local heads of a document.
    #[must_use]
    pub fn heads(&mut self, id: &DocumentId) -> Option<Vec<ChangeHash>> {
        self.docs.get_mut(id).map(LocalDocument::heads)
    }

    /// Reads a local document as an intake.
    ///
    /// # Errors
    /// When the device does not hold it or automerge cannot read it.
    pub fn intake(&self, id: &DocumentId) -> Result<Intake, SimulatorError> {
        let local = self
            .docs
            .get(id)
            .ok_or(SimulatorError::UnknownDocument(*id))?;
        Ok(read_intake(local.doc())?)
    }

    /// Creates an intake offline, as a device writes it, and returns its new ID.
    ///
    /// # Errors
    /// When automerge refuses the write.
    pub fn create_intake(&mut self, intake: &Intake) -> Result<DocumentId, SimulatorError> {
        let mut doc = AutoCommit::new();
        write_device_fields(&mut doc, intake)?;
        doc.commit();
        let id = DocumentId::random();
        self.docs.insert(id, LocalDocument::new(doc));
        Ok(id)
    }

    /// Holds a copy of a document obtained elsewhere (another device, a file), as if it had
    /// been synced before; its sync state starts fresh. The copy writes as this device's own
    /// actor: two writers sharing one actor would produce conflicting changes.
    pub fn insert_document(&mut self, id: DocumentId, mut doc: AutoCommit) {
        doc.set_actor(automerge::ActorId::random());
        self.docs.insert(id, LocalDocument::new(doc));
    }

    /// Edits a document offline at the Automerge level (anything a buggy or hostile app could
    /// write), as one change.
    ///
    /// # Errors
    /// When the device does not hold the document or `edit` fails.
    pub fn edit_document(
        &mut self,
        id: &DocumentId,
        edit: impl FnOnce(&mut AutoCommit) -> Result<(), automerge::AutomergeError>,
    ) -> Result<(), SimulatorError> {
        let local = self
            .docs
            .get_mut(id)
            .ok_or(SimulatorError::UnknownDocument(*id))?;
        edit(local.doc_mut()).map_err(|e| SimulatorError::Local(e.to_string()))?;
        local.doc_mut().commit();
        Ok(())
    }

    /// Edits an intake offline: reads it, lets `edit` change it, writes the device's fields back
    /// (never the server-owned sections) as one change.
    ///
    /// # Errors
    /// When the device does not hold the document or automerge refuses the write.
    pub fn edit_intake(
        &mut self,
        id: &DocumentId,
        edit: impl FnOnce(&mut Intake),
    ) -> Result<(), SimulatorError> {
        let local = self
            .docs
            .get_mut(id)
            .ok_or(SimulatorError::UnknownDocument(*id))?;
        let mut intake = read_intake(local.doc())?;
        edit(&mut intake);
        write_device_fields(local.doc_mut(), &intake)?;
        local.doc_mut().commit();
        Ok(())
    }

    /// Whether a connection is open (as far as this side knows).
    #[must_use]
    pub fn is_connected(&self) -> bool {
        self.link.as_ref().is_some_and(|l| !l.is_closed())
    }

    /// Connects to `url` (`ws://HOST:PORT/sync`) and performs the handshake. Every document's
    /// sync state restarts from its encoding, as the JS client does on each connect.
    ///
    /// # Errors
    /// When the connection or the handshake fails.
    pub async fn connect(&mut self, url: &str) -> Result<&ServerInfo, SimulatorError> {
        self.disconnect().await;
        let mut link = Link::connect(url).await?;
        let metadata = PeerMetadata {
            storage_id: self.storage_id.clone(),
            is_ephemeral: self.storage_id.is_none(),
        };
        let info = link.join(&self.peer_id, metadata, self.timeout).await?;
        for local in self.docs.values_mut() {
            local.reconnected();
        }
        self.link = Some(link);
        Ok(self.server.insert(info))
    }

    /// Closes the connection, if any.
    pub async fn disconnect(&mut self) {
        if let Some(mut link) = self.link.take() {
            link.close().await;
        }
        self.server = None;
    }

    /// Raw access to the connection, for tests.
    pub fn link_mut(&mut self) -> Option<&mut Link> {
        self.link.as_mut()
    }

    /// Syncs every local document (what a JS client does for its open documents on connect).
    ///
    /// # Errors
    /// As [`Device::sync`].
    pub async fn sync_all(&mut self) -> Result<Vec<PushAck>, SimulatorError> {
        let ids = self.document_ids();
        self.sync(&ids).await
    }

    /// Syncs `ids` concurrently on the open connection until, for each, the server advertises
    /// the local heads (server-authored changes it sends along are applied first). Returns one
    /// acknowledgement per document, in completion order.
    ///
    /// # Errors
    /// When the connection fails, the server sends `error` or `doc-unavailable`, or the
    /// acknowledgements do not all arrive within the device's timeout.
    pub async fn sync(&mut self, ids: &[DocumentId]) -> Result<Vec<PushAck>, SimulatorError> {
        let mut pending = HashMap::new();
        for id in ids {
            if !self.docs.contains_key(id) {
                return Err(SimulatorError::UnknownDocument(*id));
            }
            pending.insert(*id, Pending::new(Goal::Stored));
        }
        // What the server already sent (fan-out of other devices' changes) is applied first, so
        // the acknowledgement is checked against current heads.
        self.pump(Duration::ZERO).await?;
        let mut acks = Vec::with_capacity(ids.len());
        for id in ids {
            self.send_next(*id, false, &mut pending).await?;
            if let Some(ack) = self.check_stored(*id, &mut pending) {
                acks.push(ack);
            }
        }
        while !pending.is_empty() {
            let Some(id) = self.receive_one(&mut pending, "acknowledgements").await? else {
                continue;
            };
            if self
                .docs
                .get(&id)
                .is_some_and(LocalDocument::is_unavailable)
                && pending.contains_key(&id)
            {
                return Err(SimulatorError::Unavailable(id));
            }
            if let Some(ack) = self.check_stored(id, &mut pending) {
                acks.push(ack);
            }
        }
        Ok(acks)
    }

    /// Asks the server for a document the device does not hold (`request`), and syncs until
    /// the device holds the server's heads, or the server answers `doc-unavailable`.
    ///
    /// # Errors
    /// When the connection fails, the server sends `error`, or nothing conclusive arrives in
    /// time.
    pub async fn find(&mut self, id: DocumentId) -> Result<FindOutcome, SimulatorError> {
        self.docs
            .entry(id)
            .or_insert_with(|| LocalDocument::new(AutoCommit::new()));
        let mut pending = HashMap::from([(id, Pending::new(Goal::Found))]);
        self.send_next(id, true, &mut pending).await?;
        loop {
            let Some(got) = self.receive_one(&mut pending, "the document").await? else {
                continue;
            };
            if got != id {
                continue;
            }
            let started = pending.get(&id).map_or_else(Instant::now, |p| p.started);
            let Some(local) = self.docs.get_mut(&id) else {
                return Err(SimulatorError::UnknownDocument(id));
            };
            if local.is_unavailable() {
                if local.heads().is_empty() {
                    // Nothing arrived: forget the placeholder, as a JS handle stays unavailable.
                    self.docs.remove(&id);
                }
                return Ok(FindOutcome::Unavailable);
            }
            let heads = local.heads();
            if !heads.is_empty() && local.acknowledged() {
                return Ok(FindOutcome::Found {
                    heads,
                    latency: started.elapsed(),
                });
            }
        }
    }

    /// Processes whatever the server sends for `wait` (fan-out of other devices' and the
    /// server's changes, ephemeral messages). Returns how many messages were handled.
    ///
    /// # Errors
    /// When the connection fails or the server sends `error`.
    pub async fn pump(&mut self, wait: Duration) -> Result<usize, SimulatorError> {
        let deadline = Instant::now() + wait;
        let mut handled = 0;
        let mut none = HashMap::new();
        loop {
            // A zero wait still takes every frame that is already readable.
            let left = deadline.saturating_duration_since(Instant::now());
            let link = self.link.as_mut().ok_or(SimulatorError::NotConnected)?;
            let Some(frame) = link.next_frame(left).await? else {
                return Ok(handled);
            };
            self.handle_frame(frame, &mut none).await?;
            handled += 1;
        }
    }

    /// Waits until the local copy of `id` satisfies `done` (for example: the server's
    /// `determination` arrived), processing incoming messages meanwhile.
    ///
    /// # Errors
    /// On timeout, or as [`Device::pump`].
    pub async fn wait_until(
        &mut self,
        id: &DocumentId,
        done: impl Fn(&AutoCommit) -> bool,
    ) -> Result<(), SimulatorError> {
        self.wait_for(id, |local| done(local.doc())).await
    }

    /// Waits until the local heads of `id` equal `heads` (another device's change arriving
    /// through the server's fan-out), processing incoming messages meanwhile.
    ///
    /// # Errors
    /// On timeout, or as [`Device::pump`].
    pub async fn wait_for_heads(
        &mut self,
        id: &DocumentId,
        heads: &[ChangeHash],
    ) -> Result<(), SimulatorError> {
        self.wait_for(id, |local| local.heads() == heads).await
    }

    async fn wait_for(
        &mut self,
        id: &DocumentId,
        mut done: impl FnMut(&mut LocalDocument) -> bool,
    ) -> Result<(), SimulatorError> {
        let deadline = Instant::now() + self.timeout;
        let mut none = HashMap::new();
        loop {
            if self.docs.get_mut(id).is_some_and(&mut done) {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let link = self.link.as_mut().ok_or(SimulatorError::NotConnected)?;
            let Some(frame) = link.next_frame(left).await? else {
                return Err(SimulatorError::Timeout {
                    what: format!("a change to {id}"),
                    waited: self.timeout,
                });
            };
            self.handle_frame(frame, &mut none).await?;
        }
    }

    /// Sends an `ephemeral` message about `id` with the next count of this device's session,
    /// and returns it as sent.
    ///
    /// # Errors
    /// When not connected or the connection fails.
    pub async fn send_ephemeral(
        &mut self,
        id: DocumentId,
        data: Vec<u8>,
    ) -> Result<EphemeralMessage, SimulatorError> {
        let server = self.server_peer()?;
        self.ephemeral_count += 1;
        let message = EphemeralMessage {
            sender_id: self.peer_id.clone(),
            target_id: server,
            count: self.ephemeral_count,
            session_id: self.ephemeral_session.clone(),
            document_id: id,
            data,
        };
        self.send_message(&Message::Ephemeral(message.clone()))
            .await?;
        Ok(message)
    }

    /// Sends any protocol message as is (duplicates, forged fields: for tests).
    ///
    /// # Errors
    /// When not connected or the connection fails.
    pub async fn send_message(&mut self, message: &Message) -> Result<(), SimulatorError> {
        let link = self.link.as_mut().ok_or(SimulatorError::NotConnected)?;
        link.send(message).await
    }

    /// The next ephemeral message relayed to this device, or `None` if none arrives within
    /// `wait`. Sync messages arriving meanwhile are applied.
    ///
    /// # Errors
    /// When the connection fails or the server sends `error`.
    pub async fn next_ephemeral(
        &mut self,
        wait: Duration,
    ) -> Result<Option<EphemeralMessage>, SimulatorError> {
        let deadline = Instant::now() + wait;
        let mut none = HashMap::new();
        loop {
            if let Some(m) = self.ephemeral_inbox.pop_front() {
                return Ok(Some(m));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let link = self.link.as_mut().ok_or(SimulatorError::NotConnected)?;
            let Some(frame) = link.next_frame(left).await? else {
                return Ok(None);
            };
            self.handle_frame(frame, &mut none).await?;
        }
    }

    fn server_peer(&self) -> Result<PeerId, SimulatorError> {
        self.server
            .as_ref()
            .map(|s| s.peer_id.clone())
            .ok_or(SimulatorError::NotConnected)
    }

    /// Sends the document's next sync message (as `request` when asked), if it has one.
    async fn send_next(
        &mut self,
        id: DocumentId,
        request: bool,
        pending: &mut HashMap<DocumentId, Pending>,
    ) -> Result<(), SimulatorError> {
        let server = self.server_peer()?;
        let local = self
            .docs
            .get_mut(&id)
            .ok_or(SimulatorError::UnknownDocument(id))?;
        let Some(data) = local.generate() else {
            return Ok(());
        };
        let body = DocMessage {
            sender_id: self.peer_id.clone(),
            target_id: server,
            document_id: id,
            data,
        };
        let message = if request {
            Message::Request(body)
        } else {
            Message::Sync(body)
        };
        if let Some(p) = pending.get_mut(&id) {
            p.sent += 1;
        }
        self.send_message(&message).await
    }

    fn check_stored(
        &mut self,
        id: DocumentId,
        pending: &mut HashMap<DocumentId, Pending>,
    ) -> Option<PushAck> {
        if pending.get(&id).is_none_or(|p| p.goal != Goal::Stored) {
            return None;
        }
        let local = self.docs.get_mut(&id)?;
        if !local.acknowledged() {
            return None;
        }
        let p = pending.remove(&id)?;
        Some(PushAck {
            document_id: id,
            heads: local.heads(),
            latency: p.started.elapsed(),
            sent: p.sent,
            received: p.received,
        })
    }

    /// Receives and handles one frame; returns the document it concerned, if any.
    async fn receive_one(
        &mut self,
        pending: &mut HashMap<DocumentId, Pending>,
        what: &str,
    ) -> Result<Option<DocumentId>, SimulatorError> {
        let wait = self.timeout;
        let link = self.link.as_mut().ok_or(SimulatorError::NotConnected)?;
        let Some(frame) = link.next_frame(wait).await? else {
            return Err(SimulatorError::Timeout {
                what: format!("{what} ({} documents outstanding)", pending.len()),
                waited: wait,
            });
        };
        self.handle_frame(frame, pending).await
    }

    async fn handle_frame(
        &mut self,
        frame: Frame,
        pending: &mut HashMap<DocumentId, Pending>,
    ) -> Result<Option<DocumentId>, SimulatorError> {
        let bytes = match frame {
            Frame::Closed => return Err(SimulatorError::Closed),
            Frame::Text(_) => return Err(SimulatorError::TextFrame),
            Frame::Binary(b) => b,
        };
        match fieldclinic_sync::protocol::decode(&bytes)? {
            Message::Sync(m) | Message::Request(m) => {
                let id = m.document_id;
                // The server never announces: a document the device does not hold is ignored.
                let Some(local) = self.docs.get_mut(&id) else {
                    return Ok(None);
                };
                local.receive(id, &m.data)?;
                if let Some(p) = pending.get_mut(&id) {
                    p.received += 1;
                }
                self.send_next(id, false, pending).await?;
                Ok(Some(id))
            }
            Message::DocUnavailable { document_id, .. } => {
                if let Some(local) = self.docs.get_mut(&document_id) {
                    local.mark_unavailable();
                }
                Ok(Some(document_id))
            }
            Message::Ephemeral(m) => {
                self.ephemeral_inbox.push_back(m);
                Ok(None)
            }
            Message::Error { message, .. } => Err(SimulatorError::ServerError(message)),
            m @ (Message::Join { .. } | Message::Peer { .. }) => {
                Err(SimulatorError::Unexpected(m.type_name().to_owned()))
            }
            Message::Leave { .. } => Err(SimulatorError::Closed),
            Message::Gossip { .. } | Message::Unknown { .. } => Ok(None),
        }
    }
}

impl Pending {
    fn new(goal: Goal) -> Self {
        Self {
            goal,
            started: Instant::now(),
            sent: 0,
            received: 0,
        }
    }
}
