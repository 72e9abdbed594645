//! The hub without network or database: devices drive `PeerSession`s directly over a
//! `MemoryStore` that can pause writes.

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ROOT, ReadDoc, transaction::Transactable};
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::protocol::{self, DocMessage, Message, PeerId, PeerMetadata};
use fieldclinic_sync::{
    Flow, Hub, HubSettings, MemoryStore, OpenPolicy, Outbound, PeerSession, StorageId, Store,
};

struct Device {
    peer: PeerId,
    session: PeerSession<MemoryStore, OpenPolicy>,
    out: Outbound,
    doc: AutoCommit,
    state: sync::State,
    server: Option<PeerId>,
}

impl Device {
    async fn connect(hub: &Hub<MemoryStore, OpenPolicy>, name: &str, doc: AutoCommit) -> Self {
        Self::connect_as(hub, name, doc, StorageId::random()).await
    }

    /// Connects as a persistent peer with this storage ID.
    async fn connect_as(
        hub: &Hub<MemoryStore, OpenPolicy>,
        name: &str,
        doc: AutoCommit,
        storage: StorageId,
    ) -> Self {
        let (session, out) = PeerSession::new(hub.clone(), ());
        let mut d = Self {
            peer: PeerId::parse(name).unwrap(),
            session,
            out,
            doc,
            state: sync::State::new(),
            server: None,
        };
        let join = Message::Join {
            sender_id: d.peer.clone(),
            peer_metadata: PeerMetadata {
                storage_id: Some(storage),
                is_ephemeral: false,
            },
            supported_protocol_versions: vec!["1".into()],
        };
        assert_eq!(
            d.session.receive_binary(&protocol::encode(&join)).await,
            Flow::Continue
        );
        match d.next().await {
            Some(Message::Peer {
                sender_id,
                peer_metadata,
                ..
            }) => {
                assert!(!peer_metadata.is_ephemeral);
                assert!(peer_metadata.storage_id.is_some());
                d.server = Some(sender_id);
            }
            other => panic!("expected peer, got {other:?}"),
        }
        d
    }

    async fn next(&mut self) -> Option<Message> {
        let frame = tokio::time::timeout(Duration::from_secs(5), self.out.frames.recv())
            .await
            .ok()??;
        Some(protocol::decode(&frame).unwrap())
    }

    async fn try_next(&mut self, wait: Duration) -> Option<Message> {
        let frame = tokio::time::timeout(wait, self.out.frames.recv())
            .await
            .ok()??;
        Some(protocol::decode(&frame).unwrap())
    }

    async fn send(&mut self, id: DocumentId, request: bool) -> bool {
        let Some(msg) = self.doc.sync().generate_sync_message(&mut self.state) else {
            return false;
        };
        let m = DocMessage {
            sender_id: self.peer.clone(),
            target_id: self.server.clone().unwrap(),
            document_id: id,
            data: msg.encode(),
        };
        let frame = protocol::encode(&if request {
            Message::Request(m)
        } else {
            Message::Sync(m)
        });
        assert_eq!(self.session.receive_binary(&frame).await, Flow::Continue);
        true
    }

    /// Round 1: heads only, answered by the server without storing anything.
    async fn first_round(&mut self, id: DocumentId) {
        self.send(id, false).await;
        let Some(Message::Sync(reply)) = self.next().await else {
            panic!("no reply")
        };
        let msg = sync::Message::decode(&reply.data).unwrap();
        self.doc
            .sync()
            .receive_sync_message(&mut self.state, msg)
            .unwrap();
    }

    /// Syncs until neither side has anything to say.
    async fn sync_until_quiet(&mut self, id: DocumentId) {
        self.send(id, false).await;
        while let Some(m) = self.try_next(Duration::from_millis(300)).await {
            match m {
                Message::Sync(m) => {
                    let msg = sync::Message::decode(&m.data).unwrap();
                    self.doc
                        .sync()
                        .receive_sync_message(&mut self.state, msg)
                        .unwrap();
                    self.send(id, false).await;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

fn intake(name: &str) -> AutoCommit {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "kind", "intake").unwrap();
    doc.put(ROOT, "legal_name", name).unwrap();
    doc
}

fn settings() -> HubSettings {
    HubSettings {
        checkpoint_every: Duration::from_millis(50),
        idle_unload_after: Duration::from_millis(100),
        ..HubSettings::default()
    }
}

#[tokio::test]
async fn a_pushed_document_reaches_a_second_device_and_survives_a_restart() {
    let store = MemoryStore::new();
    let hub = Hub::new(store.clone(), OpenPolicy, settings())
        .await
        .unwrap();
    let id = DocumentId::random();

    let mut a = Device::connect(&hub, "peer-a", intake("Ada")).await;
    a.sync_until_quiet(id).await;
    let heads = a.doc.get_heads();

    let mut b = Device::connect(&hub, "peer-b", AutoCommit::new()).await;
    b.send(id, true).await;
    b.sync_until_quiet(id).await;
    assert_eq!(b.doc.get_heads(), heads);

    hub.shutdown().await;
    let hub2 = Hub::new(store, OpenPolicy, settings()).await.unwrap();
    let mut c = Device::connect(&hub2, "peer-c", AutoCommit::new()).await;
    c.send(id, true).await;
    c.sync_until_quiet(id).await;
    assert_eq!(c.doc.get_heads(), heads);
    let name: Option<String> = c
        .doc
        .get(ROOT, "legal_name")
        .unwrap()
        .map(|(v, _)| v.as_str().unwrap().to_owned());
    assert_eq!(name.as_deref(), Some("Ada"));
}

#[tokio::test]
async fn no_message_advertises_heads_while_their_write_is_in_flight() {
    let store = MemoryStore::new();
    let hub = Hub::new(store.clone(), OpenPolicy, settings())
        .await
        .unwrap();
    let id = DocumentId::random();
    let mut a = Device::connect(&hub, "peer-a", intake("Ada")).await;
    let local = a.doc.get_heads();

    a.first_round(id).await;

    store.pause().await;
    a.send(id, false).await; // carries the changes
    assert!(
        a.try_next(Duration::from_millis(300)).await.is_none(),
        "a reply overtook its write"
    );
    store.resume();
    let Some(Message::Sync(ack)) = a.next().await else {
        panic!("no ack")
    };
    let msg = sync::Message::decode(&ack.data).unwrap();
    assert_eq!(msg.heads, local);
}

#[tokio::test]
async fn writes_of_documents_ready_together_share_one_transaction() {
    let store = MemoryStore::new();
    let hub = Hub::new(store.clone(), OpenPolicy, settings())
        .await
        .unwrap();
    let mut devices = Vec::new();
    for n in 0..8 {
        let id = DocumentId::random();
        let mut d =
            Device::connect(&hub, &format!("peer-{n}"), intake(&format!("Client {n}"))).await;
        d.first_round(id).await;
        devices.push((id, d));
    }
    let before = store.change_transactions();
    // While the disk is busy with the first write, the others queue behind it.
    store.pause().await;
    for (id, d) in &mut devices {
        d.send(*id, false).await;
    }
    for (_, d) in &mut devices {
        assert!(
            d.try_next(Duration::from_millis(50)).await.is_none(),
            "a reply overtook its write"
        );
    }
    store.resume();
    for (id, d) in &mut devices {
        let local = d.doc.get_heads();
        let Some(Message::Sync(ack)) = d.next().await else {
            panic!("no ack")
        };
        assert_eq!(sync::Message::decode(&ack.data).unwrap().heads, local);
        assert_eq!(
            store.document_meta(id).await.unwrap().heads,
            local.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
    }
    // The first write (or the first few) went ahead; all that queued behind it went together.
    let transactions = store.change_transactions() - before;
    assert!(
        transactions <= 2,
        "{transactions} transactions for 8 documents"
    );
}

#[tokio::test]
async fn a_failed_write_is_never_acknowledged() {
    let store = MemoryStore::new();
    let hub = Hub::new(store.clone(), OpenPolicy, settings())
        .await
        .unwrap();
    let id = DocumentId::random();
    let mut a = Device::connect(&hub, "peer-a", intake("Ada")).await;
    let local = a.doc.get_heads();
    a.first_round(id).await;
    store.fail_writes(true);
    a.send(id, false).await;
    loop {
        match a.next().await {
            Some(Message::Sync(m)) => {
                assert_ne!(sync::Message::decode(&m.data).unwrap().heads, local)
            }
            Some(Message::Error { .. }) | None => break,
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(a.out.closed.is_cancelled());
}

#[tokio::test]
async fn requesting_an_unknown_document_gets_doc_unavailable() {
    let hub = Hub::new(MemoryStore::new(), OpenPolicy, settings())
        .await
        .unwrap();
    let mut b = Device::connect(&hub, "peer-b", AutoCommit::new()).await;
    let id = DocumentId::random();
    b.send(id, true).await;
    assert!(
        matches!(b.next().await, Some(Message::DocUnavailable { document_id, .. }) if document_id == id)
    );
}

#[tokio::test]
async fn idle_documents_are_unloaded() {
    let hub = Hub::new(MemoryStore::new(), OpenPolicy, settings())
        .await
        .unwrap();
    let id = DocumentId::random();
    let mut a = Device::connect(&hub, "peer-a", intake("Ada")).await;
    a.sync_until_quiet(id).await;
    assert_eq!(hub.loaded_documents(), 1);
    a.session.finish();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(hub.loaded_documents(), 0);
}

#[tokio::test]
async fn messages_before_join_and_text_frames_get_an_error_and_a_close() {
    let hub = Hub::new(MemoryStore::new(), OpenPolicy, settings())
        .await
        .unwrap();
    let (mut s, mut out) = PeerSession::new(hub.clone(), ());
    let leave = Message::Leave {
        sender_id: PeerId::parse("x").unwrap(),
    };
    assert_eq!(
        s.receive_binary(&protocol::encode(&leave)).await,
        Flow::Close
    );
    let frame = out.frames.recv().await.unwrap();
    assert!(matches!(
        protocol::decode(&frame),
        Ok(Message::Error { .. })
    ));

    let (mut s, _out) = PeerSession::new(hub, ());
    assert_eq!(s.receive_text(), Flow::Close);
}

#[tokio::test]
async fn many_edits_are_compacted_into_one_snapshot_that_reloads() {
    use fieldclinic_sync::{ChunkKind, Store};
    let store = MemoryStore::new();
    let hub = Hub::new(
        store.clone(),
        OpenPolicy,
        HubSettings {
            compact_after_chunks: 4,
            ..settings()
        },
    )
    .await
    .unwrap();
    let id = DocumentId::random();
    let mut a = Device::connect(&hub, "peer-a", intake("Ada")).await;
    for i in 0..10 {
        a.doc.put(ROOT, "notes", format!("edit {i}")).unwrap();
        a.doc.commit();
        a.sync_until_quiet(id).await;
    }
    let chunks = store.load_chunks(&id).await.unwrap();
    let snapshots = chunks
        .iter()
        .filter(|c| c.kind == ChunkKind::Snapshot)
        .count();
    assert!(snapshots >= 1, "no snapshot after 10 writes");
    assert!(
        chunks.len() <= 4,
        "{} chunks kept after compaction",
        chunks.len()
    );
    let mut reloaded = AutoCommit::new();
    for c in &chunks {
        reloaded.load_incremental(&c.data).unwrap();
    }
    assert_eq!(reloaded.get_heads(), a.doc.get_heads());
}

#[tokio::test]
async fn a_persistent_peers_sync_state_is_saved_for_its_next_connection() {
    use fieldclinic_sync::Store;
    let store = MemoryStore::new();
    let hub = Hub::new(store.clone(), OpenPolicy, settings())
        .await
        .unwrap();
    let id = DocumentId::random();
    let storage = StorageId::random();
    let mut p = Device::connect_as(&hub, "peer-p", intake("Ada"), storage.clone()).await;
    p.sync_until_quiet(id).await;
    let heads = p.doc.get_heads();
    p.session.finish();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let saved = store
        .load_sync_state(&id, &storage)
        .await
        .unwrap()
        .expect("a saved sync state");
    let decoded = sync::State::decode(&saved).unwrap();
    assert_eq!(decoded.shared_heads, heads);
}
