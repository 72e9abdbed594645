//! The document hub: one task per loaded document, found through a registry, fed by the peer
//! sessions of every connection.

mod command;
mod connection;
mod doc_actor;
mod group_commit;

pub use doc_actor::heads_hash;
mod settings;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use automerge::{ActorId, AutoCommit};
use fieldclinic_schema::DocumentId;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

pub(crate) use command::Command;
pub use connection::{ConnId, Connection};
pub use settings::HubSettings;

use crate::protocol::PeerId;
use crate::{DocumentPolicy, StorageId, Store, StoreError};
use group_commit::GroupCommit;

/// Why a server-side change could not be made.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The document is not stored.
    #[error("document not found")]
    NotFound,
    /// The store failed; nothing was advertised.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server is shutting down.
    #[error("shutting down")]
    ShuttingDown,
    /// As many documents are loaded as the server allows, and none unloaded in time.
    #[error("too many documents loaded")]
    Busy,
}

/// The registry of loaded documents and joined connections. Cheap to clone.
pub struct Hub<S: Store, P: DocumentPolicy> {
    inner: Arc<HubInner<S, P>>,
}

impl<S: Store, P: DocumentPolicy> Clone for Hub<S, P> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S: Store, P: DocumentPolicy> std::fmt::Debug for Hub<S, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("server_peer_id", &self.inner.server_peer_id)
            .field("storage_id", &self.inner.storage_id)
            .finish_non_exhaustive()
    }
}

pub(crate) struct HubInner<S: Store, P: DocumentPolicy> {
    pub(crate) store: S,
    pub(crate) policy: Arc<P>,
    pub(crate) settings: HubSettings,
    pub(crate) server_peer_id: PeerId,
    pub(crate) storage_id: StorageId,
    /// The Automerge actor of changes this process writes. Random per process, because two
    /// instances writing as one actor would corrupt documents.
    pub(crate) actor: ActorId,
    /// Where document actors commit their writes, batched across documents.
    pub(crate) commits: GroupCommit,
    docs: Mutex<HashMap<DocumentId, mpsc::Sender<Command<P::Identity>>>>,
    peers: Mutex<HashMap<PeerId, Arc<Connection<P::Identity>>>>,
    /// Every open socket from its upgrade on, joined or not, so a revoked credential can close a
    /// socket that has not joined yet.
    sockets: Mutex<HashMap<ConnId, Socket<P::Identity>>>,
    pub(crate) shutdown: CancellationToken,
    tracker: TaskTracker,
}

/// An open socket as revocation sees it.
struct Socket<I> {
    identity: I,
    closed: CancellationToken,
}

/// Why a `join` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PeerIdTaken;

/// How often a dispatch waiting for room among the loaded documents looks again.
const BUSY_RETRY: std::time::Duration = std::time::Duration::from_millis(50);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: Store, P: DocumentPolicy> Hub<S, P> {
    /// A hub over `store`, asking `policy`. Reads (or creates) the database's storage ID.
    ///
    /// # Errors
    /// When the store cannot provide its storage ID.
    pub async fn new(store: S, policy: P, settings: HubSettings) -> Result<Self, StoreError> {
        let storage_id = store.storage_id().await?;
        let server_peer_id =
            PeerId::parse(&format!("fieldclinic-{storage_id}")).map_err(StoreError::other)?;
        let commits = GroupCommit::start(store.clone(), settings.commit_batch_max);
        Ok(Self {
            inner: Arc::new(HubInner {
                commits,
                store,
                policy: Arc::new(policy),
                settings,
                server_peer_id,
                storage_id,
                actor: ActorId::random(),
                docs: Mutex::new(HashMap::new()),
                peers: Mutex::new(HashMap::new()),
                sockets: Mutex::new(HashMap::new()),
                shutdown: CancellationToken::new(),
                tracker: TaskTracker::new(),
            }),
        })
    }

    /// The peer ID the server presents.
    #[must_use]
    pub fn server_peer_id(&self) -> &PeerId {
        &self.inner.server_peer_id
    }

    /// The storage ID the server presents (that of its database).
    #[must_use]
    pub fn storage_id(&self) -> &StorageId {
        &self.inner.storage_id
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &S {
        &self.inner.store
    }

    /// The policy.
    #[must_use]
    pub fn policy(&self) -> &P {
        &self.inner.policy
    }

    /// How many documents are loaded in memory now.
    #[must_use]
    pub fn loaded_documents(&self) -> usize {
        lock(&self.inner.docs).len()
    }

    /// How many connections have joined.
    #[must_use]
    pub fn connected_peers(&self) -> usize {
        lock(&self.inner.peers).len()
    }

    /// How many sockets are open, joined or not.
    #[must_use]
    pub fn open_sockets(&self) -> usize {
        lock(&self.inner.sockets).len()
    }

    /// The identities of every open socket, joined or not (one per socket), for checking that
    /// their credentials still hold.
    #[must_use]
    pub fn socket_identities(&self) -> Vec<P::Identity> {
        lock(&self.inner.sockets)
            .values()
            .map(|s| s.identity.clone())
            .collect()
    }

    /// Closes every socket whose identity matches, joined or not, at once (a revoked device, a
    /// disabled user, a session signed out). Returns how many were closed.
    pub fn close_connections(&self, matches: impl Fn(&P::Identity) -> bool) -> usize {
        let sockets = lock(&self.inner.sockets);
        let mut closed = 0;
        for socket in sockets.values().filter(|s| matches(&s.identity)) {
            if !socket.closed.is_cancelled() {
                closed += 1;
            }
            socket.closed.cancel();
        }
        closed
    }

    pub(crate) fn open_socket(&self, id: ConnId, identity: P::Identity, closed: CancellationToken) {
        lock(&self.inner.sockets).insert(id, Socket { identity, closed });
    }

    pub(crate) fn close_socket(&self, id: ConnId) {
        lock(&self.inner.sockets).remove(&id);
    }

    /// Makes a server-authored change to a stored document: `change` runs on a blocking thread,
    /// then the after-merge hook, then the write is committed and synced to every peer of the
    /// document. Returns what `change` returned.
    ///
    /// # Errors
    /// `NotFound` for a document that is not stored; `Store` when the write failed (nothing
    /// was advertised).
    pub async fn change_document<R: Send + 'static>(
        &self,
        doc: DocumentId,
        change: impl FnOnce(&mut AutoCommit) -> R + Send + 'static,
    ) -> Result<R, HubError> {
        let (reply, rx) = oneshot::channel();
        let (result_tx, result_rx) = std::sync::mpsc::channel();
        let f: command::ChangeFn = Box::new(move |d: &mut AutoCommit| {
            // The receiver lives until this call returns; a failed send only means the caller
            // is gone.
            let _ = result_tx.send(change(d));
        });
        self.dispatch(doc, Command::Change { change: f, reply })
            .await?;
        rx.await.map_err(|_| HubError::ShuttingDown)??;
        result_rx.try_recv().map_err(|_| HubError::ShuttingDown)
    }

    /// Runs the after-merge hook on a stored document (after a rules update) and commits and
    /// syncs whatever it writes.
    ///
    /// # Errors
    /// As [`Hub::change_document`].
    pub async fn reevaluate(&self, doc: DocumentId) -> Result<(), HubError> {
        self.change_document(doc, |_| ()).await
    }

    /// Re-evaluates as [`Hub::reevaluate`] does, then unloads the document unless a peer has it
    /// open: for walks over every document, which must not keep them all in memory.
    ///
    /// # Errors
    /// As [`Hub::change_document`].
    pub async fn reevaluate_and_release(&self, doc: DocumentId) -> Result<(), HubError> {
        self.reevaluate(doc).await?;
        self.dispatch_if_loaded(doc, Command::Release);
        Ok(())
    }

    /// Tells a loaded document that another server instance wrote to it: it reloads its chunks
    /// and syncs what is new to its peers. Unloaded documents need nothing.
    pub async fn refresh(&self, doc: DocumentId) {
        let tx = lock(&self.inner.docs).get(&doc).cloned();
        if let Some(tx) = tx {
            // A closed channel means the document just unloaded; it reloads from the store.
            let _ = tx.send(Command::Refresh).await;
        }
    }

    /// Stops every document task after it flushed its sync states, and waits for them.
    pub async fn shutdown(&self) {
        self.inner.shutdown.cancel();
        self.close_connections(|_| true);
        self.inner.tracker.close();
        self.inner.tracker.wait().await;
    }

    pub(crate) fn inner(&self) -> &Arc<HubInner<S, P>> {
        &self.inner
    }

    /// Registers a joined connection. A peer ID already in use by the same identity replaces
    /// the old connection (which is closed); by another identity it is refused, so knowing a
    /// peer ID does not let anyone disconnect its owner.
    pub(crate) fn register(&self, conn: &Arc<Connection<P::Identity>>) -> Result<(), PeerIdTaken> {
        let mut peers = lock(&self.inner.peers);
        if let Some(old) = peers.get(&conn.peer_id) {
            if old.identity != conn.identity {
                return Err(PeerIdTaken);
            }
            tracing::info!(peer.id = %conn.peer_id, "peer reconnected, closing its old connection");
            old.closed.cancel();
        }
        peers.insert(conn.peer_id.clone(), Arc::clone(conn));
        Ok(())
    }

    pub(crate) fn unregister(&self, conn: &Connection<P::Identity>) {
        let mut peers = lock(&self.inner.peers);
        if peers.get(&conn.peer_id).is_some_and(|c| c.id == conn.id) {
            peers.remove(&conn.peer_id);
        }
    }

    /// Delivers a command to the document's task, loading the document if needed. Waits while
    /// the document's queue is full (back-pressure on the sender).
    pub(crate) async fn dispatch(
        &self,
        doc: DocumentId,
        mut cmd: Command<P::Identity>,
    ) -> Result<(), HubError> {
        let mut waited = std::time::Duration::ZERO;
        loop {
            let tx = match self.sender_for(doc) {
                Ok(tx) => tx,
                // Back-pressure: idle documents unload at their next checkpoint, so wait a
                // little before giving up.
                Err(HubError::Busy) if waited < self.inner.settings.busy_wait => {
                    tokio::time::sleep(BUSY_RETRY).await;
                    waited += BUSY_RETRY;
                    continue;
                }
                Err(e) => return Err(e),
            };
            match tx.send(cmd).await {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(returned)) => {
                    // The task unloaded between lookup and send: forget it and load afresh.
                    cmd = returned;
                    let mut docs = lock(&self.inner.docs);
                    if docs.get(&doc).is_some_and(|t| t.same_channel(&tx)) {
                        docs.remove(&doc);
                    }
                }
            }
        }
    }

    /// Delivers a command only if the document is loaded (ephemeral messages never load one).
    pub(crate) fn dispatch_if_loaded(&self, doc: DocumentId, cmd: Command<P::Identity>) {
        let tx = lock(&self.inner.docs).get(&doc).cloned();
        if let Some(tx) = tx {
            // Ephemeral data is best-effort by design: a full or closing queue drops it.
            let _ = tx.try_send(cmd);
        }
    }

    fn sender_for(&self, doc: DocumentId) -> Result<mpsc::Sender<Command<P::Identity>>, HubError> {
        if self.inner.shutdown.is_cancelled() {
            return Err(HubError::ShuttingDown);
        }
        let mut docs = lock(&self.inner.docs);
        if let Some(tx) = docs.get(&doc) {
            return Ok(tx.clone());
        }
        if docs.len() >= self.inner.settings.max_loaded_documents {
            return Err(HubError::Busy);
        }
        let (tx, rx) = mpsc::channel(self.inner.settings.document_queue);
        docs.insert(doc, tx.clone());
        let actor = doc_actor::DocActor::new(doc, self.clone(), tx.downgrade(), rx);
        self.inner.tracker.spawn(
            actor
                .run()
                .instrument(tracing::info_span!("document", doc.id = %doc)),
        );
        Ok(tx)
    }

    /// Removes a document task from the registry if `tx` is still its channel and nothing is
    /// queued. Returns whether it was removed.
    pub(crate) fn unload_if_idle(
        &self,
        doc: DocumentId,
        own: &mpsc::WeakSender<Command<P::Identity>>,
        rx: &mut mpsc::Receiver<Command<P::Identity>>,
    ) -> bool {
        let mut docs = lock(&self.inner.docs);
        if !rx.is_empty() {
            return false;
        }
        Self::remove_own(&mut docs, doc, own);
        rx.close();
        true
    }

    /// Removes a failed document task from the registry, so the next use loads afresh.
    pub(crate) fn forget_document(
        &self,
        doc: DocumentId,
        own: &mpsc::WeakSender<Command<P::Identity>>,
        rx: &mut mpsc::Receiver<Command<P::Identity>>,
    ) {
        let mut docs = lock(&self.inner.docs);
        Self::remove_own(&mut docs, doc, own);
        rx.close();
    }

    fn remove_own(
        docs: &mut HashMap<DocumentId, mpsc::Sender<Command<P::Identity>>>,
        doc: DocumentId,
        own: &mpsc::WeakSender<Command<P::Identity>>,
    ) {
        let ours = own
            .upgrade()
            .is_some_and(|o| docs.get(&doc).is_some_and(|t| t.same_channel(&o)));
        if ours {
            docs.remove(&doc);
        }
    }

    pub(crate) fn spawn_task<F>(&self, task: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.inner.tracker.spawn(task.in_current_span());
    }
}
