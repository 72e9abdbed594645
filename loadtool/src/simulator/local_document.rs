use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use fieldclinic_schema::DocumentId;

use super::SimulatorError;

/// One document as a device holds it: the document, its sync state with the server, and what
/// the server last advertised on the current connection.
#[derive(Debug)]
pub struct LocalDocument {
    doc: AutoCommit,
    state: sync::State,
    server_heads: Option<Vec<ChangeHash>>,
    unavailable: bool,
}

impl LocalDocument {
    pub(crate) fn new(doc: AutoCommit) -> Self {
        Self {
            doc,
            state: sync::State::new(),
            server_heads: None,
            unavailable: false,
        }
    }

    /// The document.
    #[must_use]
    pub fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    pub(crate) fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// The local heads.
    #[must_use]
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The heads the server advertised last on this connection, if it has spoken.
    #[must_use]
    pub fn server_heads(&self) -> Option<&[ChangeHash]> {
        self.server_heads.as_deref()
    }

    /// The server answered `doc-unavailable` on this connection.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        self.unavailable
    }

    /// Whether the server has advertised exactly the local heads.
    pub(crate) fn acknowledged(&mut self) -> bool {
        let heads = self.doc.get_heads();
        self.server_heads.as_deref() == Some(heads.as_slice())
    }

    /// A new connection: the JS client round-trips its sync state through its encoding at this
    /// point, which keeps the shared heads and clears in-flight flags (automerge-repo PR #206).
    pub(crate) fn reconnected(&mut self) {
        self.state =
            sync::State::decode(&self.state.encode()).unwrap_or_else(|_| sync::State::new());
        self.server_heads = None;
        self.unavailable = false;
    }

    /// The next sync message to send, encoded, if there is one.
    pub(crate) fn generate(&mut self) -> Option<Vec<u8>> {
        self.doc
            .sync()
            .generate_sync_message(&mut self.state)
            .map(sync::Message::encode)
    }

    /// Applies a sync message from the server and records the heads it advertised.
    pub(crate) fn receive(&mut self, id: DocumentId, data: &[u8]) -> Result<(), SimulatorError> {
        let message =
            sync::Message::decode(data).map_err(|_| SimulatorError::BadSyncMessage(id))?;
        let heads = message.heads.clone();
        self.doc
            .sync()
            .receive_sync_message(&mut self.state, message)
            .map_err(|_| SimulatorError::BadSyncMessage(id))?;
        self.server_heads = Some(heads);
        self.unavailable = false;
        Ok(())
    }

    pub(crate) fn mark_unavailable(&mut self) {
        self.unavailable = true;
    }
}
