//! One loaded document: applies peers' sync messages in batches, commits what is new before any
//! reply advertises it, fans changes out, and unloads itself when idle.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use fieldclinic_schema::DocumentId;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};

use super::command::ChangeFn;
use super::{Command, ConnId, Connection, Hub, HubError};
use crate::protocol::{DocMessage, EphemeralMessage, Message, PeerId};
use crate::{
    Accepted, Access, Chunk, ChunkKind, DocumentPolicy, DocumentWrite, LoadedDocument, Store,
    StoreError, SyncStateRecord,
};

/// The fixed phrases peers get in `error` messages; internal details stay in the log.
const PHRASE_BAD_SYNC: &str = "invalid sync message";
const PHRASE_REFUSED: &str = "changes refused";
const PHRASE_UNAVAILABLE: &str = "server unavailable";

struct Peer<I> {
    conn: Arc<Connection<I>>,
    access: Access,
    /// The sync state changed since it was last written.
    dirty: bool,
}

/// What travels to and from the blocking thread: the document and every peer's sync state.
struct Core {
    doc: AutoCommit,
    states: HashMap<ConnId, sync::State>,
}

struct Input<I> {
    conn: Arc<Connection<I>>,
    data: Vec<u8>,
    read_only: bool,
}

enum Applied {
    /// Merged; these changes were new.
    Ok(Vec<(ChangeHash, automerge::ActorId)>),
    Undecodable,
    Rejected,
    Refused,
}

pub(crate) struct DocActor<S: Store, P: DocumentPolicy> {
    id: DocumentId,
    hub: Hub<S, P>,
    own: mpsc::WeakSender<Command<P::Identity>>,
    rx: mpsc::Receiver<Command<P::Identity>>,
    core: Option<Core>,
    peers: HashMap<ConnId, Peer<P::Identity>>,
    /// The heads of what the store holds; `save_after` of these is what is new.
    saved_heads: Vec<ChangeHash>,
    /// The chunks the store holds for this document, so compaction can name what it replaces.
    chunks: Vec<Chunk>,
    /// A stored chunk failed to load: never compact (which would delete it) until a person
    /// looks at it.
    degraded: bool,
    /// Highest `count` relayed per (sender, session), as the JS network layer de-duplicates.
    ephemeral_seen: HashMap<(PeerId, String), u64>,
    /// Asked to unload as soon as it has no peers.
    release: bool,
}

impl<S: Store, P: DocumentPolicy> DocActor<S, P> {
    pub(crate) fn new(
        id: DocumentId,
        hub: Hub<S, P>,
        own: mpsc::WeakSender<Command<P::Identity>>,
        rx: mpsc::Receiver<Command<P::Identity>>,
    ) -> Self {
        Self {
            id,
            hub,
            own,
            rx,
            core: None,
            peers: HashMap::new(),
            saved_heads: Vec::new(),
            chunks: Vec::new(),
            degraded: false,
            ephemeral_seen: HashMap::new(),
            release: false,
        }
    }

    fn exists(&self) -> bool {
        !self.saved_heads.is_empty()
    }

    pub(crate) async fn run(mut self) {
        if let Err(e) = self.load().await {
            tracing::error!(error.cause_chain = ?e, error.message = %e, "failed to load document");
            self.fail_and_forget();
            return;
        }
        tracing::debug!(chunks = self.chunks.len(), "document loaded");
        let settings = self.hub.inner().settings.clone();
        let shutdown = self.hub.inner().shutdown.clone();
        let mut checkpoint = tokio::time::interval(settings.checkpoint_every);
        checkpoint.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_activity = Instant::now();
        loop {
            tokio::select! {
                biased;
                () = shutdown.cancelled() => {
                    self.flush_sync_states().await;
                    break;
                }
                cmd = self.rx.recv() => {
                    let Some(first) = cmd else { break };
                    let mut batch = vec![first];
                    while batch.len() < settings.batch_max {
                        match self.rx.try_recv() {
                            Ok(c) => batch.push(c),
                            Err(_) => break,
                        }
                    }
                    if !self.handle_batch(batch).await {
                        self.fail_and_forget();
                        return;
                    }
                    last_activity = Instant::now();
                    if self.release
                        && self.peers.is_empty()
                        && self.hub.unload_if_idle(self.id, &self.own, &mut self.rx)
                    {
                        tracing::debug!("document released");
                        self.redispatch_leftovers();
                        return;
                    }
                }
                _ = checkpoint.tick() => {
                    self.peers.retain(|_, p| !p.conn.closed.is_cancelled() || p.dirty);
                    self.flush_sync_states().await;
                    self.peers.retain(|_, p| !p.conn.closed.is_cancelled());
                    if self.peers.is_empty()
                        && last_activity.elapsed() >= settings.idle_unload_after
                        && self.hub.unload_if_idle(self.id, &self.own, &mut self.rx)
                    {
                        tracing::debug!("document unloaded");
                        self.redispatch_leftovers();
                        return;
                    }
                }
            }
        }
        self.hub.forget_document(self.id, &self.own, &mut self.rx);
    }

    async fn load(&mut self) -> Result<(), StoreError> {
        let chunks = self.hub.store().load_chunks(&self.id).await?;
        let actor = self.hub.inner().actor.clone();
        let id = self.id;
        let loaded = tokio::task::spawn_blocking(move || {
            LoadedDocument::from_chunks(&id, chunks, Some(actor))
        })
        .await
        .map_err(StoreError::other)?;
        let (core, chunks, degraded) = (
            Core {
                doc: loaded.doc,
                states: HashMap::new(),
            },
            loaded.chunks,
            loaded.degraded,
        );
        let mut core = core;
        self.saved_heads = core.doc.get_heads();
        self.chunks = chunks;
        self.degraded = degraded;
        self.core = Some(core);
        Ok(())
    }

    /// Handles one batch. Returns false when the document must be dropped from memory because
    /// a write failed.
    async fn handle_batch(&mut self, batch: Vec<Command<P::Identity>>) -> bool {
        let mut syncs = Vec::new();
        let mut changes: Vec<(ChangeFn, oneshot::Sender<Result<(), HubError>>)> = Vec::new();
        let mut refresh = false;
        for cmd in batch {
            match cmd {
                Command::Sync {
                    conn,
                    request,
                    access,
                    data,
                    permit,
                } => syncs.push((conn, request, access, data, permit)),
                Command::Ephemeral { conn, message } => self.relay(&conn, &message),
                Command::Disconnect { conn } => {
                    if let Some(p) = self.peers.get(&conn) {
                        p.conn.closed.cancel();
                    }
                }
                Command::Change { change, reply } => changes.push((change, reply)),
                Command::Refresh => refresh = true,
                Command::Release => self.release = true,
            }
        }
        if refresh {
            self.reload_from_store().await;
        }

        let existed = self.exists();
        let mut inputs = Vec::new();
        let mut permits = Vec::new();
        for (conn, request, access, data, permit) in syncs {
            permits.push(permit);
            if conn.closed.is_cancelled() {
                continue;
            }
            let Some(access) = self.admit(&conn, access).await else {
                self.send_unavailable(&conn);
                continue;
            };
            if !existed && (request || access != Access::ReadWrite) {
                // The requester stays a peer: if the document arrives later it is synced to it.
                self.send_unavailable(&conn);
                continue;
            }
            inputs.push(Input {
                conn,
                data,
                read_only: access == Access::ReadOnly,
            });
        }
        let (change_fns, change_replies): (Vec<_>, Vec<_>) = changes.into_iter().unzip();
        if !existed && !change_fns.is_empty() {
            for reply in change_replies {
                let _ = reply.send(Err(HubError::NotFound));
            }
            return self.reply_only(inputs, permits).await;
        }
        if inputs.is_empty() && change_fns.is_empty() {
            return true;
        }

        // Apply on a blocking thread: decoding, merging and the server's hook are CPU work.
        let Some(mut core) = self.core.take() else {
            return false;
        };
        let policy = Arc::clone(&self.hub.inner().policy);
        let id = self.id;
        let saved = self.saved_heads.clone();
        let want_snapshot = !self.degraded
            && self.chunks.len() + 1 > self.hub.inner().settings.compact_after_chunks;
        let work: Vec<(ConnId, P::Identity, Vec<u8>, bool)> = inputs
            .iter()
            .map(|i| {
                (
                    i.conn.id,
                    i.conn.identity.clone(),
                    i.data.clone(),
                    i.read_only,
                )
            })
            .collect();
        let had_changes = !change_fns.is_empty();
        let joined = tokio::task::spawn_blocking(move || {
            let before = core.doc.get_heads();
            let results: Vec<(ConnId, P::Identity, Applied)> = work
                .into_iter()
                .map(|(conn, who, data, read_only)| {
                    let applied = apply_one(
                        &mut core,
                        policy.as_ref(),
                        &id,
                        conn,
                        &who,
                        &data,
                        read_only,
                    );
                    (conn, who, applied)
                })
                .collect();
            for f in change_fns {
                f(&mut core.doc);
            }
            let mut heads = core.doc.get_heads();
            let mut view = None;
            if heads != before || had_changes {
                view = policy.after_merge(&id, &mut core.doc);
                heads = core.doc.get_heads();
            }
            let write = (heads != saved).then(|| {
                let data = core.doc.save_after(&saved);
                let snapshot = want_snapshot.then(|| core.doc.save());
                (data, snapshot, heads.clone(), view)
            });
            (core, results, write)
        })
        .await;
        let Ok((core, results, write)) = joined else {
            tracing::error!("document task panicked while applying changes");
            return false;
        };
        self.core = Some(core);

        let mut accepted = Vec::new();
        for (conn, who, applied) in results {
            let phrase = match applied {
                Applied::Ok(changes) => {
                    if !changes.is_empty() {
                        accepted.push(Accepted { who, changes });
                    }
                    continue;
                }
                Applied::Undecodable | Applied::Rejected => PHRASE_BAD_SYNC,
                Applied::Refused => PHRASE_REFUSED,
            };
            if let Some(p) = self.peers.get(&conn) {
                tracing::info!(conn.id = %conn, peer.id = %p.conn.peer_id, phrase, "closing peer after bad sync message");
                p.conn.fail(&self.hub.inner().server_peer_id, phrase);
            }
        }

        let mut heads_changed = false;
        if let Some((data, snapshot, heads, view)) = write {
            if let Err(e) = self.persist(data, snapshot, &heads, view, accepted).await {
                tracing::error!(error.cause_chain = ?e, error.message = %e, "failed to persist changes; dropping the in-memory copy");
                for p in self.peers.values() {
                    p.conn
                        .fail(&self.hub.inner().server_peer_id, PHRASE_UNAVAILABLE);
                }
                for reply in change_replies {
                    let _ = reply.send(Err(HubError::Store(e.clone_shallow())));
                }
                return false;
            }
            heads_changed = true;
        }
        for reply in change_replies {
            let _ = reply.send(Ok(()));
        }

        // Only now, with the write committed, may messages advertise the new heads.
        let targets: Vec<ConnId> = if heads_changed {
            self.peers.keys().copied().collect()
        } else {
            inputs.iter().map(|i| i.conn.id).collect()
        };
        self.send_sync_messages(targets).await;
        drop(permits);
        true
    }

    /// With nothing applied, answer the senders that are already peers.
    async fn reply_only(
        &mut self,
        inputs: Vec<Input<P::Identity>>,
        permits: Vec<tokio::sync::OwnedSemaphorePermit>,
    ) -> bool {
        let targets = inputs.iter().map(|i| i.conn.id).collect();
        self.send_sync_messages(targets).await;
        drop(permits);
        true
    }

    /// Makes `conn` a peer of this document with the access its session decided. `None` means
    /// no access.
    async fn admit(
        &mut self,
        conn: &Arc<Connection<P::Identity>>,
        access: Access,
    ) -> Option<Access> {
        if let Some(p) = self.peers.get(&conn.id) {
            return Some(p.access);
        }
        if access == Access::None {
            return None;
        }
        let mut state = match &conn.storage_id {
            Some(storage) => match self.hub.store().load_sync_state(&self.id, storage).await {
                // Round-tripping through the encoding clears in-flight flags a broken
                // connection left behind (automerge-repo PR #206).
                Ok(Some(bytes)) => {
                    sync::State::decode(&bytes).unwrap_or_else(|_| sync::State::new())
                }
                Ok(None) => sync::State::new(),
                Err(e) => {
                    tracing::warn!(error.message = %e, "sync state not loaded; starting afresh");
                    sync::State::new()
                }
            },
            None => sync::State::new(),
        };
        if access == Access::ReadOnly {
            state.set_read_only(true);
        }
        if let Some(core) = self.core.as_mut() {
            core.states.insert(conn.id, state);
        }
        self.peers.insert(
            conn.id,
            Peer {
                conn: Arc::clone(conn),
                access,
                dirty: false,
            },
        );
        tracing::debug!(conn.id = %conn.id, peer.id = %conn.peer_id, "peer joined document");
        Some(access)
    }

    fn send_unavailable(&self, conn: &Connection<P::Identity>) {
        conn.send(&Message::DocUnavailable {
            sender_id: self.hub.inner().server_peer_id.clone(),
            target_id: conn.peer_id.clone(),
            document_id: self.id,
        });
    }

    async fn persist(
        &mut self,
        data: Vec<u8>,
        snapshot: Option<Vec<u8>>,
        heads: &[ChangeHash],
        view: Option<P::View>,
        accepted: Vec<Accepted<P::Identity>>,
    ) -> Result<(), StoreError> {
        let store = self.hub.store().clone();
        let chunk = Chunk {
            kind: ChunkKind::Incremental,
            hash: heads_hash(heads),
            data,
        };
        let write = DocumentWrite {
            doc: self.id,
            chunks: vec![chunk.clone()],
            heads: heads.iter().map(ToString::to_string).collect(),
            at_millis: now_millis(),
        };
        self.hub.inner().commits.commit(write).await?;
        self.saved_heads = heads.to_vec();
        self.chunks.push(chunk);
        if let Some(snapshot) = snapshot {
            let snap = Chunk {
                kind: ChunkKind::Snapshot,
                hash: heads_hash(heads),
                data: snapshot,
            };
            match store
                .replace_with_snapshot(&self.id, &snap, &self.chunks)
                .await
            {
                Ok(()) => {
                    tracing::debug!(chunk.count = self.chunks.len(), "compacted");
                    self.chunks = vec![snap];
                }
                // The incremental chunks are still there; compaction is retried next write.
                Err(e) => tracing::warn!(error.message = %e, "compaction failed"),
            }
        }
        let policy = Arc::clone(&self.hub.inner().policy);
        let id = self.id;
        if let Some(mut core) = self.core.take() {
            let core = tokio::task::spawn_blocking(move || {
                policy.after_commit(&id, &mut core.doc, view, &accepted);
                core
            })
            .await
            .map_err(StoreError::other)?;
            self.core = Some(core);
        }
        Ok(())
    }

    /// Generates and queues each target's next sync message. Every target's sync state may have
    /// moved, so each is marked for the next checkpoint.
    async fn send_sync_messages(&mut self, targets: Vec<ConnId>) {
        let Some(mut core) = self.core.take() else {
            return;
        };
        let open: Vec<ConnId> = targets
            .into_iter()
            .filter(|c| {
                self.peers
                    .get(c)
                    .is_some_and(|p| !p.conn.closed.is_cancelled())
            })
            .collect();
        for c in &open {
            if let Some(p) = self.peers.get_mut(c) {
                p.dirty |= p.conn.storage_id.is_some();
            }
        }
        let joined = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            for conn in open {
                let Some(state) = core.states.get_mut(&conn) else {
                    continue;
                };
                if let Some(msg) = core.doc.sync().generate_sync_message(state) {
                    out.push((conn, msg.encode()));
                }
            }
            (core, out)
        })
        .await;
        let Ok((core, out)) = joined else {
            tracing::error!("document task panicked while generating sync messages");
            return;
        };
        self.core = Some(core);
        let server = self.hub.inner().server_peer_id.clone();
        for (conn, data) in out {
            if let Some(p) = self.peers.get(&conn) {
                p.conn.send(&Message::Sync(DocMessage {
                    sender_id: server.clone(),
                    target_id: p.conn.peer_id.clone(),
                    document_id: self.id,
                    data,
                }));
            }
        }
    }

    async fn reload_from_store(&mut self) {
        let chunks = match self.hub.store().load_chunks(&self.id).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error.message = %e, "refresh failed");
                return;
            }
        };
        let Some(mut core) = self.core.take() else {
            return;
        };
        let known: std::collections::HashSet<(ChunkKind, String)> = self
            .chunks
            .iter()
            .map(|c| (c.kind, c.hash.clone()))
            .collect();
        let fresh: Vec<Chunk> = chunks
            .into_iter()
            .filter(|c| !known.contains(&(c.kind, c.hash.clone())))
            .collect();
        let Ok((core, fresh)) = tokio::task::spawn_blocking(move || {
            for c in &fresh {
                if let Err(e) = core.doc.load_incremental(&c.data) {
                    tracing::error!(error.message = %e, "refreshed chunk does not load");
                }
            }
            (core, fresh)
        })
        .await
        else {
            return;
        };
        let mut core = core;
        let heads = core.doc.get_heads();
        self.core = Some(core);
        self.chunks.extend(fresh);
        if heads != self.saved_heads {
            self.saved_heads = heads;
            let targets = self.peers.keys().copied().collect();
            self.send_sync_messages(targets).await;
        }
    }

    fn relay(&mut self, from: &Arc<Connection<P::Identity>>, message: &EphemeralMessage) {
        if !self.peers.contains_key(&from.id) {
            return;
        }
        let key = (message.sender_id.clone(), message.session_id.clone());
        if self
            .ephemeral_seen
            .get(&key)
            .is_some_and(|last| message.count <= *last)
        {
            return;
        }
        self.ephemeral_seen.insert(key, message.count);
        for p in self.peers.values().filter(|p| p.conn.id != from.id) {
            let mut m = message.clone();
            m.target_id = p.conn.peer_id.clone();
            p.conn.send(&Message::Ephemeral(m));
        }
    }

    async fn flush_sync_states(&mut self) {
        let Some(core) = self.core.as_ref() else {
            return;
        };
        let mut records = Vec::new();
        for (id, p) in &mut self.peers {
            if !p.dirty {
                continue;
            }
            p.dirty = false;
            if let (Some(storage), Some(state)) = (&p.conn.storage_id, core.states.get(id)) {
                records.push(SyncStateRecord {
                    doc: self.id,
                    peer: storage.clone(),
                    state: state.encode(),
                });
            }
        }
        if records.is_empty() {
            return;
        }
        if let Err(e) = self.hub.store().save_sync_states(&records).await {
            // Losing a sync state costs the peer one extra round, never data.
            tracing::warn!(error.message = %e, "failed to save sync states");
        }
        let live: std::collections::HashSet<ConnId> = self.peers.keys().copied().collect();
        if let Some(core) = self.core.as_mut() {
            core.states.retain(|c, _| live.contains(c));
        }
    }

    /// After a failure the in-memory copy may hold heads the store lacks: forget it so the next
    /// use reloads, and tell every waiting sender.
    fn fail_and_forget(&mut self) {
        let server = self.hub.inner().server_peer_id.clone();
        for p in self.peers.values() {
            p.conn.fail(&server, PHRASE_UNAVAILABLE);
        }
        self.hub.forget_document(self.id, &self.own, &mut self.rx);
        while let Ok(cmd) = self.rx.try_recv() {
            match cmd {
                Command::Sync { conn, .. } => conn.fail(&server, PHRASE_UNAVAILABLE),
                Command::Change { reply, .. } => {
                    let _ = reply.send(Err(HubError::Store(StoreError::other(Unavailable))));
                }
                _ => {}
            }
        }
    }

    /// Commands that raced with unloading go to a fresh task, which loads from the store.
    fn redispatch_leftovers(&mut self) {
        let mut leftovers = Vec::new();
        while let Ok(cmd) = self.rx.try_recv() {
            leftovers.push(cmd);
        }
        if leftovers.is_empty() {
            return;
        }
        let hub = self.hub.clone();
        let id = self.id;
        self.hub.spawn_task(async move {
            for cmd in leftovers {
                if hub.dispatch(id, cmd).await.is_err() {
                    break;
                }
            }
        });
    }
}

#[derive(Debug, thiserror::Error)]
#[error("document unavailable after a storage failure")]
struct Unavailable;

impl StoreError {
    /// A copy for a second recipient; the source chain stays with the original for the log.
    fn clone_shallow(&self) -> Self {
        match self {
            Self::NotFound => Self::NotFound,
            Self::Conflict(s) => Self::Conflict(s.clone()),
            Self::Other(_) => Self::other(Unavailable),
        }
    }
}

fn apply_one<P: DocumentPolicy>(
    core: &mut Core,
    policy: &P,
    id: &DocumentId,
    conn: ConnId,
    who: &P::Identity,
    data: &[u8],
    read_only: bool,
) -> Applied {
    let Ok(message) = sync::Message::decode(data) else {
        return Applied::Undecodable;
    };
    let Some(state) = core.states.get_mut(&conn) else {
        return Applied::Rejected;
    };
    let before = core.doc.get_heads();
    if !read_only && !message.changes.is_empty() {
        // The peer's changes go into a fork, which the policy checks; accepted, the fork becomes
        // the document, so each change is applied once and a refused one never reaches it.
        let actor = core.doc.get_actor().clone();
        let mut fork = core.doc.fork();
        let mut trial = state.clone();
        if fork
            .sync()
            .receive_sync_message(&mut trial, message)
            .is_err()
        {
            return Applied::Rejected;
        }
        if let Err(refusal) = policy.check_incoming(who, id, &mut fork, &before) {
            tracing::warn!(doc.id = %id, reason = %refusal, "refused a peer's changes");
            return Applied::Refused;
        }
        // The server's own changes keep this process's actor.
        fork.set_actor(actor);
        core.doc = fork;
        *state = trial;
    } else if core
        .doc
        .sync()
        .receive_sync_message(state, message)
        .is_err()
    {
        return Applied::Rejected;
    }
    if core.doc.get_heads() == before {
        return Applied::Ok(Vec::new());
    }
    let new = core
        .doc
        .get_changes(&before)
        .iter()
        .map(|c| (c.hash(), c.actor_id().clone()))
        .collect();
    Applied::Ok(new)
}

/// The key of a chunk: SHA-256 over the sorted heads it brings the document to, as
/// automerge-repo names snapshots.
pub fn heads_hash(heads: &[ChangeHash]) -> String {
    let mut sorted: Vec<&ChangeHash> = heads.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for h in sorted {
        hasher.update(h.0);
    }
    hex::encode(hasher.finalize())
}

fn now_millis() -> i64 {
    // The sync crate has no clock of its own to share (it sits below the server's domain
    // crate); this is the one place it reads the time.
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
