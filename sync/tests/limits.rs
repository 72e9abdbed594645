//! What one connection can make the hub hold, and credentials that end: access is decided
//! before a document is loaded, a connection opens a bounded number of documents, the hub loads
//! a bounded number, and a socket is revocable from its upgrade, before it joins.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ROOT, transaction::Transactable};
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::protocol::{self, DocMessage, Message, PeerId, PeerMetadata};
use fieldclinic_sync::{
    Accepted, Access, DocumentPolicy, Flow, Hub, HubSettings, MemoryStore, Outbound, PeerSession,
    Presence, Refusal, StoreError,
};

/// Lets its identity open the documents in `open` (and create new ones), while `valid` holds.
#[derive(Clone, Default)]
struct Gated {
    open: Arc<Mutex<HashSet<DocumentId>>>,
    valid: Arc<AtomicBool>,
    creatable: bool,
}

impl DocumentPolicy for Gated {
    type Identity = u32;
    type View = ();

    async fn access(&self, _: &u32, doc: &DocumentId, p: Presence) -> Result<Access, StoreError> {
        let known = self.open.lock().unwrap().contains(doc);
        Ok(if known || (self.creatable && p == Presence::Creating) {
            Access::ReadWrite
        } else {
            Access::None
        })
    }

    async fn still_valid(&self, _: &u32) -> Result<bool, StoreError> {
        Ok(self.valid.load(Ordering::SeqCst))
    }

    fn check_incoming(
        &self,
        _: &u32,
        _: &DocumentId,
        _: &mut AutoCommit,
        _: &[automerge::ChangeHash],
    ) -> Result<(), Refusal> {
        Ok(())
    }

    fn after_merge(&self, _: &DocumentId, _: &mut AutoCommit) -> Option<()> {
        None
    }

    fn after_commit(&self, _: &DocumentId, _: &mut AutoCommit, _: Option<()>, _: &[Accepted<u32>]) {
    }
}

fn gated(creatable: bool) -> Gated {
    Gated {
        valid: Arc::new(AtomicBool::new(true)),
        creatable,
        ..Gated::default()
    }
}

struct Peer {
    id: PeerId,
    session: PeerSession<MemoryStore, Gated>,
    out: Outbound,
    server: Option<PeerId>,
}

impl Peer {
    fn open(hub: &Hub<MemoryStore, Gated>, name: &str) -> Self {
        let (session, out) = PeerSession::new(hub.clone(), 7);
        Self {
            id: PeerId::parse(name).unwrap(),
            session,
            out,
            server: None,
        }
    }

    async fn join(&mut self) -> Flow {
        let join = Message::Join {
            sender_id: self.id.clone(),
            peer_metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            },
            supported_protocol_versions: vec!["1".into()],
        };
        let flow = self.session.receive_binary(&protocol::encode(&join)).await;
        if let Some(Message::Peer { sender_id, .. }) = self.next().await {
            self.server = Some(sender_id);
        }
        flow
    }

    async fn next(&mut self) -> Option<Message> {
        let frame = tokio::time::timeout(Duration::from_secs(5), self.out.frames.recv())
            .await
            .ok()??;
        Some(protocol::decode(&frame).unwrap())
    }

    async fn send(&mut self, doc: DocumentId, request: bool, data: Vec<u8>) -> Flow {
        let m = DocMessage {
            sender_id: self.id.clone(),
            target_id: self.server.clone().unwrap(),
            document_id: doc,
            data,
        };
        let message = if request {
            Message::Request(m)
        } else {
            Message::Sync(m)
        };
        self.session
            .receive_binary(&protocol::encode(&message))
            .await
    }
}

fn first_message() -> Vec<u8> {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "kind", "intake").unwrap();
    doc.sync()
        .generate_sync_message(&mut sync::State::new())
        .unwrap()
        .encode()
}

fn settings() -> HubSettings {
    HubSettings {
        checkpoint_every: Duration::from_millis(50),
        idle_unload_after: Duration::from_millis(100),
        ..HubSettings::default()
    }
}

#[tokio::test]
async fn requests_for_documents_a_peer_may_not_open_load_nothing() {
    let hub = Hub::new(MemoryStore::new(), gated(false), settings())
        .await
        .unwrap();
    let mut p = Peer::open(&hub, "flooder");
    assert_eq!(p.join().await, Flow::Continue);
    for _ in 0..5_000 {
        let id = DocumentId::random();
        assert_eq!(p.send(id, true, first_message()).await, Flow::Continue);
        assert!(
            matches!(p.next().await, Some(Message::DocUnavailable { document_id, .. }) if document_id == id)
        );
        assert_eq!(
            hub.loaded_documents(),
            0,
            "a refused request loaded a document"
        );
    }
}

#[tokio::test]
async fn one_connection_opens_at_most_its_share_of_documents() {
    let settings = HubSettings {
        max_documents_per_connection: 3,
        ..settings()
    };
    let hub = Hub::new(MemoryStore::new(), gated(true), settings)
        .await
        .unwrap();
    let mut p = Peer::open(&hub, "hoarder");
    p.join().await;
    for _ in 0..3 {
        assert_eq!(
            p.send(DocumentId::random(), false, first_message()).await,
            Flow::Continue
        );
    }
    assert_eq!(
        p.send(DocumentId::random(), false, first_message()).await,
        Flow::Close
    );
    let mut got_error = false;
    while let Some(m) = p.next().await {
        if let Message::Error { message, .. } = m {
            assert_eq!(message, "too many documents");
            got_error = true;
            break;
        }
    }
    assert!(got_error, "no error message before the close");
    assert!(hub.loaded_documents() <= 3);
}

#[tokio::test]
async fn the_hub_loads_a_bounded_number_of_documents_and_says_it_is_busy() {
    let settings = HubSettings {
        max_loaded_documents: 2,
        busy_wait: Duration::from_millis(200),
        ..settings()
    };
    let hub = Hub::new(MemoryStore::new(), gated(true), settings)
        .await
        .unwrap();
    let mut p = Peer::open(&hub, "busy");
    p.join().await;
    for _ in 0..2 {
        assert_eq!(
            p.send(DocumentId::random(), false, first_message()).await,
            Flow::Continue
        );
    }
    // The two documents keep their peer, so they stay loaded and the third cannot load.
    assert_eq!(
        p.send(DocumentId::random(), false, first_message()).await,
        Flow::Close
    );
    assert_eq!(hub.loaded_documents(), 2);
}

#[tokio::test]
async fn a_socket_is_revocable_before_it_joins_and_its_credential_is_checked_at_join() {
    let policy = gated(true);
    let hub = Hub::new(MemoryStore::new(), policy.clone(), settings())
        .await
        .unwrap();

    // Revoked between the upgrade and the join: closing reaches the socket that never joined.
    let waiting = Peer::open(&hub, "waiting");
    assert_eq!(hub.open_sockets(), 1);
    assert_eq!(hub.close_connections(|who| *who == 7), 1);
    assert!(waiting.out.closed.is_cancelled());
    waiting.session.finish();
    assert_eq!(hub.open_sockets(), 0);

    // Revoked where the hub cannot see it (another process): the join itself is refused.
    let mut late = Peer::open(&hub, "late");
    policy.valid.store(false, Ordering::SeqCst);
    assert_eq!(late.join().await, Flow::Close);
    assert!(late.server.is_none(), "a refused join got a peer message");
    assert_eq!(hub.connected_peers(), 0);
}
