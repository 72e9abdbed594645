//! The `sync_session` target's input: a script of what up to two devices do to one hub, and the
//! runner that plays it on a paused tokio clock.
//!
//! Layout: one settings byte (bit 0: tight limits), then operations until the input ends, each a
//! tag byte (taken modulo the number of operations) and its fields, as [`SyncOp::write`] writes
//! them.

use std::sync::LazyLock;
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc};
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::protocol::{
    self, DocMessage, EphemeralMessage, Message, PeerId, PeerMetadata,
};
use fieldclinic_sync::{Flow, Hub, HubSettings, MemoryStore, OpenPolicy, Outbound, PeerSession};

use crate::{Reader, Writer};

/// Operations per script at most: longer inputs are cut, so one input stays fast.
pub const MAX_OPS: usize = 64;

/// How many devices a script drives.
pub const DEVICES: usize = 2;

/// The documents the devices talk about.
pub const DOCS: usize = 3;

/// Virtual time one session call may take before the target reports a hang. The clock is
/// paused and advances only when every task waits, so this costs no real time, and reaching it
/// means the hub waits for something that never comes.
const HANG: Duration = Duration::from_secs(60);

/// One thing a device (`dev`, modulo [`DEVICES`]) or the hub does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOp {
    /// Sends `join` (opening a socket first when the device has none). `peer`: 0 `peer-a`, 1
    /// `peer-b`, 2 the other device's peer ID, 3 a 256-byte ID. `storage`: 0 ephemeral without a
    /// storage ID, 1 persistent, 2 a storage ID marked ephemeral. `versions`: 0 `["1"]`, 1
    /// `["2"]`, 2 `["0", "1"]`, 3 `[]`.
    Join {
        dev: u8,
        peer: u8,
        storage: u8,
        versions: u8,
    },
    /// Sends these bytes as one binary frame.
    Raw { dev: u8, frame: Vec<u8> },
    /// Changes the device's copy of document `doc` (modulo [`DOCS`]); `field` picks what.
    Edit {
        dev: u8,
        doc: u8,
        field: u8,
        value: Vec<u8>,
    },
    /// Sends the device's next automerge sync message for `doc`, as `request` or `sync`.
    Sync { dev: u8, doc: u8, request: bool },
    /// Sends `request` or `sync` for `doc` with these bytes as the sync message.
    SyncData {
        dev: u8,
        doc: u8,
        request: bool,
        data: Vec<u8>,
    },
    /// Like [`SyncOp::Sync`], with byte `at` (modulo the length) of the message xor-ed with `xor`.
    SyncFlip {
        dev: u8,
        doc: u8,
        request: bool,
        at: u16,
        xor: u8,
    },
    /// Sends `ephemeral` for `doc`.
    Ephemeral {
        dev: u8,
        doc: u8,
        count: u64,
        data: Vec<u8>,
    },
    /// Lets the hub work, then reads what the server sent and applies its sync messages.
    Drain { dev: u8 },
    /// Sends another message: 0 `leave`, 1 `error`, 2 `remote-heads-changed`, 3
    /// `doc-unavailable`, 4 a type from the future, 5 `peer`, 6 a text frame, 7 a `sync` from
    /// another sender.
    Other { dev: u8, kind: u8 },
    /// Closes the device's socket (`PeerSession::finish`).
    Finish { dev: u8 },
    /// Makes the store fail (or stop failing) every write.
    FailWrites(bool),
    /// Revokes every credential: the hub closes every socket.
    Revoke,
    /// Lets this many milliseconds of (virtual) time pass.
    Wait { ms: u16 },
}

const OP_COUNT: u8 = 13;

impl SyncOp {
    fn read(r: &mut Reader<'_, '_>) -> Self {
        match r.u8() % OP_COUNT {
            0 => Self::Join {
                dev: r.u8(),
                peer: r.u8(),
                storage: r.u8(),
                versions: r.u8(),
            },
            1 => Self::Raw {
                dev: r.u8(),
                frame: r.blob(),
            },
            2 => Self::Edit {
                dev: r.u8(),
                doc: r.u8(),
                field: r.u8(),
                value: r.blob(),
            },
            3 => Self::Sync {
                dev: r.u8(),
                doc: r.u8(),
                request: r.bool(),
            },
            4 => Self::SyncData {
                dev: r.u8(),
                doc: r.u8(),
                request: r.bool(),
                data: r.blob(),
            },
            5 => Self::SyncFlip {
                dev: r.u8(),
                doc: r.u8(),
                request: r.bool(),
                at: r.u16(),
                xor: r.u8(),
            },
            6 => Self::Ephemeral {
                dev: r.u8(),
                doc: r.u8(),
                count: r.u64(),
                data: r.blob(),
            },
            7 => Self::Drain { dev: r.u8() },
            8 => Self::Other {
                dev: r.u8(),
                kind: r.u8(),
            },
            9 => Self::Finish { dev: r.u8() },
            10 => Self::FailWrites(r.bool()),
            11 => Self::Revoke,
            _ => Self::Wait { ms: r.u16() },
        }
    }

    fn write(&self, w: &mut Writer) {
        match self {
            Self::Join {
                dev,
                peer,
                storage,
                versions,
            } => {
                w.u8(0);
                w.u8(*dev);
                w.u8(*peer);
                w.u8(*storage);
                w.u8(*versions);
            }
            Self::Raw { dev, frame } => {
                w.u8(1);
                w.u8(*dev);
                w.blob(frame);
            }
            Self::Edit {
                dev,
                doc,
                field,
                value,
            } => {
                w.u8(2);
                w.u8(*dev);
                w.u8(*doc);
                w.u8(*field);
                w.blob(value);
            }
            Self::Sync { dev, doc, request } => {
                w.u8(3);
                w.u8(*dev);
                w.u8(*doc);
                w.bool(*request);
            }
            Self::SyncData {
                dev,
                doc,
                request,
                data,
            } => {
                w.u8(4);
                w.u8(*dev);
                w.u8(*doc);
                w.bool(*request);
                w.blob(data);
            }
            Self::SyncFlip {
                dev,
                doc,
                request,
                at,
                xor,
            } => {
                w.u8(5);
                w.u8(*dev);
                w.u8(*doc);
                w.bool(*request);
                w.u16(*at);
                w.u8(*xor);
            }
            Self::Ephemeral {
                dev,
                doc,
                count,
                data,
            } => {
                w.u8(6);
                w.u8(*dev);
                w.u8(*doc);
                w.u64(*count);
                w.blob(data);
            }
            Self::Drain { dev } => {
                w.u8(7);
                w.u8(*dev);
            }
            Self::Other { dev, kind } => {
                w.u8(8);
                w.u8(*dev);
                w.u8(*kind);
            }
            Self::Finish { dev } => {
                w.u8(9);
                w.u8(*dev);
            }
            Self::FailWrites(fail) => {
                w.u8(10);
                w.bool(*fail);
            }
            Self::Revoke => w.u8(11),
            Self::Wait { ms } => {
                w.u8(12);
                w.u16(*ms);
            }
        }
    }
}

/// A whole `sync_session` input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncScript {
    /// Small queues and limits, so back-pressure, busy and too-many-documents paths run.
    pub tight: bool,
    /// What happens, in order.
    pub ops: Vec<SyncOp>,
}

impl SyncScript {
    /// The script as input bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bool(self.tight);
        for op in &self.ops {
            op.write(&mut w);
        }
        w.0
    }
}

impl<'a> Arbitrary<'a> for SyncScript {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut r = Reader(u);
        let tight = r.bool();
        let mut ops = Vec::new();
        while !r.is_empty() && ops.len() < MAX_OPS {
            ops.push(SyncOp::read(&mut r));
        }
        Ok(Self { tight, ops })
    }
}

/// The document IDs of the script, fixed so inputs replay alike.
#[must_use]
pub fn doc_id(doc: u8) -> DocumentId {
    let n = doc % DOCS as u8;
    DocumentId::from_bytes([n + 1; 16])
}

fn settings(tight: bool) -> HubSettings {
    if tight {
        HubSettings {
            idle_unload_after: Duration::ZERO,
            checkpoint_every: Duration::from_millis(20),
            compact_after_chunks: 2,
            outbox_capacity: 8,
            per_connection_in_flight: 1,
            document_queue: 1,
            batch_max: 2,
            commit_batch_max: 2,
            max_loaded_documents: 2,
            busy_wait: Duration::from_millis(200),
            max_documents_per_connection: 2,
            ..HubSettings::default()
        }
    } else {
        HubSettings {
            checkpoint_every: Duration::from_millis(50),
            idle_unload_after: Duration::from_millis(100),
            ..HubSettings::default()
        }
    }
}

/// One current-thread runtime for the whole process, its clock paused: timers fire as soon as
/// every task waits, so checkpoints, busy waits and our hang timeouts take no real time.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime builds")
});

/// Plays `script` on a fresh hub and [`MemoryStore`], then closes every session and shuts the
/// hub down. Everything is dropped before it returns.
///
/// # Panics
/// When a session call or the shutdown hangs, when the server sends a frame that does not
/// decode, or when sockets or peers stay registered after every session finished.
pub fn run(script: &SyncScript) -> Stats {
    RUNTIME.block_on(play(script))
}

/// What a run did, for the seed generator's report.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Frames the server sent.
    pub frames: usize,
    /// Automerge sync messages the devices applied.
    pub synced: usize,
    /// Times the server closed a session.
    pub closed: usize,
}

struct Session {
    session: PeerSession<MemoryStore, OpenPolicy>,
    out: Outbound,
}

struct Device {
    session: Option<Session>,
    /// The peer ID of the last `join`.
    peer: PeerId,
    docs: Vec<(AutoCommit, sync::State)>,
}

struct Play {
    hub: Hub<MemoryStore, OpenPolicy>,
    store: MemoryStore,
    devices: Vec<Device>,
    stats: Stats,
}

fn peer(s: &str) -> PeerId {
    PeerId::parse(s).expect("a valid peer ID")
}

async fn play(script: &SyncScript) -> Stats {
    let store = MemoryStore::new();
    let hub = Hub::new(store.clone(), OpenPolicy, settings(script.tight))
        .await
        .expect("a memory store always has a storage ID");
    let devices = (0..DEVICES)
        .map(|index| Device {
            session: None,
            peer: peer(["peer-a", "peer-b"][index]),
            docs: (0..DOCS)
                .map(|d| {
                    let mut doc = AutoCommit::new();
                    doc.set_actor(ActorId::from(vec![0xf0, index as u8, d as u8]));
                    (doc, sync::State::new())
                })
                .collect(),
        })
        .collect();
    let mut p = Play {
        hub,
        store,
        devices,
        stats: Stats::default(),
    };
    for op in &script.ops {
        p.step(op).await;
    }
    for i in 0..DEVICES {
        p.finish(i);
    }
    let hub = p.hub.clone();
    if tokio::time::timeout(HANG, hub.shutdown()).await.is_err() {
        panic!("Hub::shutdown did not finish");
    }
    assert_eq!(
        hub.open_sockets(),
        0,
        "sockets left open after every session finished"
    );
    assert_eq!(
        hub.connected_peers(),
        0,
        "peers left registered after every session finished"
    );
    p.stats
}

impl Play {
    fn dev(&mut self, dev: u8) -> usize {
        usize::from(dev) % DEVICES
    }

    /// The device's session, opened (unjoined) when it has none; the server may have closed the
    /// previous one, which the transport then finishes.
    fn session(&mut self, i: usize) -> &mut Session {
        if self.devices[i]
            .session
            .as_ref()
            .is_some_and(|s| s.out.closed.is_cancelled())
        {
            self.finish(i);
        }
        let hub = &self.hub;
        self.devices[i].session.get_or_insert_with(|| {
            let (session, out) = PeerSession::new(hub.clone(), ());
            Session { session, out }
        })
    }

    fn finish(&mut self, i: usize) {
        if let Some(s) = self.devices[i].session.take() {
            s.session.finish();
        }
    }

    /// Hands the device's session one frame, as the WebSocket does.
    async fn send(&mut self, i: usize, frame: &[u8]) {
        let s = self.session(i);
        let Ok(flow) = tokio::time::timeout(HANG, s.session.receive_binary(frame)).await else {
            panic!("PeerSession::receive_binary hung on {frame:02x?}");
        };
        if flow == Flow::Close {
            self.stats.closed += 1;
            self.finish(i);
        }
    }

    fn doc_message(&self, i: usize, doc: u8, data: Vec<u8>) -> DocMessage {
        DocMessage {
            sender_id: self.devices[i].peer.clone(),
            target_id: self.hub.server_peer_id().clone(),
            document_id: doc_id(doc),
            data,
        }
    }

    async fn send_doc(&mut self, i: usize, doc: u8, request: bool, data: Vec<u8>) {
        let m = self.doc_message(i, doc, data);
        let m = if request {
            Message::Request(m)
        } else {
            Message::Sync(m)
        };
        self.send(i, &protocol::encode(&m)).await;
    }

    fn next_sync_message(&mut self, i: usize, doc: u8) -> Option<Vec<u8>> {
        let (d, state) = &mut self.devices[i].docs[usize::from(doc) % DOCS];
        d.sync().generate_sync_message(state).map(|m| m.encode())
    }

    #[allow(clippy::too_many_lines)]
    async fn step(&mut self, op: &SyncOp) {
        match op {
            SyncOp::Join {
                dev,
                peer: which,
                storage,
                versions,
            } => {
                let i = self.dev(*dev);
                let id = match which % 4 {
                    0 => peer("peer-a"),
                    1 => peer("peer-b"),
                    2 => self.devices[(i + 1) % DEVICES].peer.clone(),
                    _ => peer(&"p".repeat(256)),
                };
                let storage_id = match storage % 3 {
                    0 => None,
                    _ => Some(
                        fieldclinic_sync::StorageId::parse(&format!("storage-{i}"))
                            .expect("a valid storage ID"),
                    ),
                };
                let versions = match versions % 4 {
                    0 => vec!["1"],
                    1 => vec!["2"],
                    2 => vec!["0", "1"],
                    _ => vec![],
                };
                let join = Message::Join {
                    sender_id: id.clone(),
                    peer_metadata: PeerMetadata {
                        is_ephemeral: storage % 3 != 1,
                        storage_id,
                    },
                    supported_protocol_versions: versions.into_iter().map(Into::into).collect(),
                };
                let fresh = self.devices[i].session.is_none();
                let device = &mut self.devices[i];
                device.peer = id;
                if fresh {
                    // A new connection starts its sync states afresh, as automerge-repo does.
                    for (_, state) in &mut device.docs {
                        *state = sync::State::new();
                    }
                }
                self.send(i, &protocol::encode(&join)).await;
            }
            SyncOp::Raw { dev, frame } => {
                let i = self.dev(*dev);
                self.send(i, frame).await;
            }
            SyncOp::Edit {
                dev,
                doc,
                field,
                value,
            } => {
                let i = self.dev(*dev);
                let (d, _) = &mut self.devices[i].docs[usize::from(*doc) % DOCS];
                edit(d, *field, value);
            }
            SyncOp::Sync { dev, doc, request } => {
                let i = self.dev(*dev);
                if let Some(data) = self.next_sync_message(i, *doc) {
                    self.send_doc(i, *doc, *request, data).await;
                }
            }
            SyncOp::SyncData {
                dev,
                doc,
                request,
                data,
            } => {
                let i = self.dev(*dev);
                // `data` is never empty on the wire: the codec refuses that.
                let data = if data.is_empty() {
                    vec![0]
                } else {
                    data.clone()
                };
                self.send_doc(i, *doc, *request, data).await;
            }
            SyncOp::SyncFlip {
                dev,
                doc,
                request,
                at,
                xor,
            } => {
                let i = self.dev(*dev);
                if let Some(mut data) = self.next_sync_message(i, *doc) {
                    let at = usize::from(*at) % data.len();
                    data[at] ^= *xor;
                    self.send_doc(i, *doc, *request, data).await;
                }
            }
            SyncOp::Ephemeral {
                dev,
                doc,
                count,
                data,
            } => {
                let i = self.dev(*dev);
                let m = Message::Ephemeral(EphemeralMessage {
                    sender_id: self.devices[i].peer.clone(),
                    target_id: self.hub.server_peer_id().clone(),
                    count: *count,
                    session_id: format!("session-{i}"),
                    document_id: doc_id(*doc),
                    data: if data.is_empty() {
                        vec![0]
                    } else {
                        data.clone()
                    },
                });
                self.send(i, &protocol::encode(&m)).await;
            }
            SyncOp::Drain { dev } => {
                let i = self.dev(*dev);
                self.drain(i).await;
            }
            SyncOp::Other { dev, kind } => {
                let i = self.dev(*dev);
                let me = self.devices[i].peer.clone();
                let server = self.hub.server_peer_id().clone();
                let m = match kind % 8 {
                    0 => Message::Leave { sender_id: me },
                    1 => Message::Error {
                        message: "client error".into(),
                        sender_id: Some(me),
                        target_id: Some(server),
                    },
                    2 => Message::Gossip {
                        kind: "remote-heads-changed".into(),
                        sender_id: me,
                    },
                    3 => Message::DocUnavailable {
                        sender_id: me,
                        target_id: server,
                        document_id: doc_id(*kind),
                    },
                    4 => Message::Unknown {
                        kind: "from-the-future".into(),
                    },
                    5 => Message::Peer {
                        sender_id: me.clone(),
                        peer_metadata: PeerMetadata::default(),
                        selected_protocol_version: "1".into(),
                        target_id: me,
                    },
                    6 => {
                        let s = self.session(i);
                        if s.session.receive_text() == Flow::Close {
                            self.stats.closed += 1;
                            self.finish(i);
                        }
                        return;
                    }
                    _ => {
                        let mut m = self.doc_message(i, *kind, vec![0x42]);
                        m.sender_id = peer("someone-else");
                        Message::Sync(m)
                    }
                };
                self.send(i, &protocol::encode(&m)).await;
            }
            SyncOp::Finish { dev } => {
                let i = self.dev(*dev);
                self.finish(i);
            }
            SyncOp::FailWrites(fail) => self.store.fail_writes(*fail),
            SyncOp::Revoke => {
                self.hub.close_connections(|()| true);
            }
            SyncOp::Wait { ms } => {
                tokio::time::sleep(Duration::from_millis(u64::from(*ms))).await;
            }
        }
    }

    /// Lets every task run until all wait, then reads the device's outbox.
    async fn drain(&mut self, i: usize) {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let Some(s) = self.devices[i].session.as_mut() else {
            return;
        };
        let mut frames = Vec::new();
        while let Ok(frame) = s.out.frames.try_recv() {
            frames.push(frame);
        }
        for frame in frames {
            self.stats.frames += 1;
            let message = match protocol::decode(&frame) {
                Ok(m) => m,
                Err(e) => {
                    panic!("the server sent a frame that does not decode ({e}): {frame:02x?}")
                }
            };
            let Message::Sync(m) = message else { continue };
            let msg = match sync::Message::decode(&m.data) {
                Ok(msg) => msg,
                Err(e) => panic!("the server sent a sync message that does not decode: {e}"),
            };
            // A raw frame may have asked for any document; the devices keep only theirs.
            let Some(d) = (0..DOCS as u8).find(|d| doc_id(*d) == m.document_id) else {
                continue;
            };
            let (doc, state) = &mut self.devices[i].docs[usize::from(d)];
            if doc.sync().receive_sync_message(state, msg).is_ok() {
                self.stats.synced += 1;
            }
        }
    }
}

/// A device's edit: `field` picks the intake field, `value` is the text written.
fn edit(doc: &mut AutoCommit, field: u8, value: &[u8]) {
    let text = String::from_utf8_lossy(value);
    // Edits the document may refuse (a key of another type, say) are simply not made.
    let _ = match field % 6 {
        0 => doc.put(ROOT, "kind", "intake").map(drop),
        1 => person(doc).and_then(|p| doc.put(&p, "legal_name", text.as_ref())),
        2 => doc
            .put_object(ROOT, "notes", ObjType::Text)
            .and_then(|t| doc.splice_text(&t, 0, 0, &text)),
        3 => offenses(doc).and_then(|list| {
            let n = doc.length(&list);
            let o = doc.insert_object(&list, n, ObjType::Map)?;
            doc.put(&o, "citation", text.as_ref())?;
            doc.put(&o, "jurisdiction", "federal")
        }),
        4 => doc.delete(ROOT, "notes"),
        // A larger change, so compaction and multi-chunk loads have something to do.
        _ => doc.put(ROOT, "notes", text.repeat(64).as_str()),
    };
    doc.commit();
}

fn person(doc: &mut AutoCommit) -> Result<automerge::ObjId, automerge::AutomergeError> {
    match doc.get(ROOT, "person")? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        _ => doc.put_object(ROOT, "person", ObjType::Map),
    }
}

fn offenses(doc: &mut AutoCommit) -> Result<automerge::ObjId, automerge::AutomergeError> {
    match doc.get(ROOT, "offenses")? {
        Some((automerge::Value::Object(ObjType::List), id)) => Ok(id),
        _ => doc.put_object(ROOT, "offenses", ObjType::List),
    }
}
