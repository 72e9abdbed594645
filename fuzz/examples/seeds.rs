//! Writes the committed seed corpora under `fuzz/corpus/<target>/`, deterministically (fixed
//! actors, document IDs and storage IDs), so running it again changes nothing unless the formats
//! or the code did. Run from the repository root:
//!
//! ```sh
//! cargo run --manifest-path fuzz/Cargo.toml --example seeds
//! ```
//!
//! It overwrites the seeds it knows and leaves other files alone. Each `sync_session` script is
//! played once and its result printed, so a seed that no longer reaches what it was written for
//! (a sync that no longer syncs) shows here.

use std::fs;
use std::path::{Path, PathBuf};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc};
use ciborium::Value;
use fieldclinic_fuzz::doc_script::{DocOp, DocScript, Key, Scalar};
use fieldclinic_fuzz::sync_script::{self, SyncOp, SyncScript, doc_id};
use fieldclinic_schema::{Intake, Offense, Person, write_device_fields};
use fieldclinic_sync::StorageId;
use fieldclinic_sync::protocol::{
    DocMessage, EphemeralMessage, Message, PeerId, PeerMetadata, encode,
};

const MAX_SEED: usize = 8 * 1024;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    frame_decoder(&root.join("frame_decoder"));
    sync_session(&root.join("sync_session"));
    intake_reader(&root.join("intake_reader"));
    citation_parser(&root.join("citation_parser"));
    cli_json(&root.join("cli_json"));
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    assert!(
        bytes.len() <= MAX_SEED,
        "seed {name} is {} bytes",
        bytes.len()
    );
    fs::create_dir_all(dir).unwrap();
    let path: PathBuf = dir.join(name);
    fs::write(&path, bytes).unwrap();
    println!("{:>6} B  {}", bytes.len(), path.display());
}

fn peer(s: &str) -> PeerId {
    PeerId::parse(s).unwrap()
}

/// A small intake as a JS device writes it: strings as Text objects.
fn device_intake(actor: u8) -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(vec![actor]));
    let text = |doc: &mut AutoCommit, obj: &automerge::ObjId, key: &str, s: &str| {
        let t = doc.put_object(obj, key, ObjType::Text).unwrap();
        doc.splice_text(&t, 0, 0, s).unwrap();
    };
    doc.put(ROOT, "kind", "intake").unwrap();
    doc.put(ROOT, "schema_version", 1_u64).unwrap();
    let person = doc.put_object(ROOT, "person", ObjType::Map).unwrap();
    text(&mut doc, &person, "legal_name", "Ana Diaz");
    let names = doc
        .put_object(&person, "other_names", ObjType::List)
        .unwrap();
    doc.insert(&names, 0, "Ana D.").unwrap();
    doc.put(&person, "date_of_birth", "1980-04-02").unwrap();
    doc.put(&person, "status_now", "us_citizen").unwrap();
    doc.put(&person, "citizen_or_lpr_since", "birth").unwrap();
    doc.put(&person, "status_at_offense", "us_citizen").unwrap();
    let offenses = doc.put_object(ROOT, "offenses", ObjType::List).unwrap();
    let o = doc.insert_object(&offenses, 0, ObjType::Map).unwrap();
    doc.put(&o, "id", "0b7c6f7e-0000-4000-8000-000000000001")
        .unwrap();
    text(&mut doc, &o, "citation", "21 U.S.C. § 844(a)");
    doc.put(&o, "substance", "marijuana").unwrap();
    doc.put(&o, "conduct", "possession").unwrap();
    doc.put(&o, "offense_date", "2015-06-01").unwrap();
    doc.put(&o, "disposition", "convicted").unwrap();
    doc.put(&o, "disposition_date", "2015-09-01").unwrap();
    doc.put(&o, "jurisdiction", "federal").unwrap();
    doc.put(&o, "docket_number", "1:15-cr-00042").unwrap();
    let docs = doc.put_object(ROOT, "documents", ObjType::List).unwrap();
    let d = doc.insert_object(&docs, 0, ObjType::Map).unwrap();
    doc.put(&d, "kind", "photo_id").unwrap();
    doc.put(&d, "present", true).unwrap();
    let consent = doc.put_object(ROOT, "consent", ObjType::Map).unwrap();
    doc.put(&consent, "given", true).unwrap();
    doc.put(&consent, "given_on", "2024-01-15").unwrap();
    doc.put(&consent, "submitter", "self").unwrap();
    text(&mut doc, &ROOT, "notes", "met at the clinic");
    doc.commit();
    doc
}

fn sync_payload(doc: &mut AutoCommit) -> Vec<u8> {
    let mut state = sync::State::new();
    doc.sync()
        .generate_sync_message(&mut state)
        .expect("a first sync message")
        .encode()
}

fn cbor(entries: Vec<(&str, Value)>) -> Vec<u8> {
    let map = Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Text(k.into()), v))
            .collect(),
    );
    let mut out = Vec::new();
    ciborium::ser::into_writer(&map, &mut out).unwrap();
    out
}

fn t(s: &str) -> Value {
    Value::Text(s.into())
}

fn frame_decoder(dir: &Path) {
    let doc = doc_id(0);
    let server = peer("fieldclinic-3f1c2d4e-0000-4000-8000-000000000000");
    let storage = StorageId::parse("0d3f5a2e-1b4c-4d6e-8f00-112233445566").unwrap();
    let data = sync_payload(&mut device_intake(1));
    let dm = |data: Vec<u8>| DocMessage {
        sender_id: peer("peer-a"),
        target_id: server.clone(),
        document_id: doc,
        data,
    };
    let messages = [
        (
            "join-persistent",
            Message::Join {
                sender_id: peer("peer-a"),
                peer_metadata: PeerMetadata {
                    storage_id: Some(storage.clone()),
                    is_ephemeral: false,
                },
                supported_protocol_versions: vec!["1".into()],
            },
        ),
        (
            "join-ephemeral",
            Message::Join {
                sender_id: peer("peer-b"),
                peer_metadata: PeerMetadata {
                    storage_id: None,
                    is_ephemeral: true,
                },
                supported_protocol_versions: vec!["1".into(), "2".into()],
            },
        ),
        (
            "peer",
            Message::Peer {
                sender_id: server.clone(),
                peer_metadata: PeerMetadata {
                    storage_id: Some(storage),
                    is_ephemeral: false,
                },
                selected_protocol_version: "1".into(),
                target_id: peer("peer-a"),
            },
        ),
        (
            "error",
            Message::Error {
                message: "malformed message".into(),
                sender_id: Some(server.clone()),
                target_id: Some(peer("peer-a")),
            },
        ),
        (
            "leave",
            Message::Leave {
                sender_id: peer("peer-a"),
            },
        ),
        ("request", Message::Request(dm(data.clone()))),
        ("sync", Message::Sync(dm(data))),
        (
            "doc-unavailable",
            Message::DocUnavailable {
                sender_id: server.clone(),
                target_id: peer("peer-a"),
                document_id: doc,
            },
        ),
        (
            "ephemeral",
            Message::Ephemeral(EphemeralMessage {
                sender_id: peer("peer-a"),
                target_id: server,
                count: 7,
                session_id: "session-1".into(),
                document_id: doc,
                data: br#"{"cursor":3}"#.to_vec(),
            }),
        ),
        (
            "remote-heads-changed",
            Message::Gossip {
                kind: "remote-heads-changed".into(),
                sender_id: peer("peer-a"),
            },
        ),
        (
            "unknown-type",
            Message::Unknown {
                kind: "from-the-future".into(),
            },
        ),
    ];
    for (name, m) in messages {
        write(dir, &format!("{name}.cbor"), &encode(&m));
    }
    let id = doc.to_string();
    // What other encoders send: the README's `metadata` spelling, a tagged Uint8Array, a float
    // count, nulls, no version list, and a subscription gossip.
    let hand = [
        (
            "join-metadata-key",
            cbor(vec![
                ("type", t("join")),
                ("senderId", t("peer-a")),
                (
                    "metadata",
                    Value::Map(vec![
                        (t("storageId"), t("s-1")),
                        (t("isEphemeral"), false.into()),
                    ]),
                ),
            ]),
        ),
        (
            "join-null-storage",
            cbor(vec![
                ("type", t("join")),
                ("senderId", t("peer-a")),
                (
                    "peerMetadata",
                    Value::Map(vec![
                        (t("storageId"), Value::Null),
                        (t("isEphemeral"), true.into()),
                    ]),
                ),
                ("supportedProtocolVersions", Value::Array(vec![t("1")])),
            ]),
        ),
        (
            "sync-tagged-data",
            cbor(vec![
                ("type", t("sync")),
                ("senderId", t("peer-a")),
                ("targetId", t("server")),
                ("documentId", t(&id)),
                (
                    "data",
                    Value::Tag(64, Box::new(Value::Bytes(vec![0x42, 0, 0]))),
                ),
            ]),
        ),
        (
            "ephemeral-float-count",
            cbor(vec![
                ("type", t("ephemeral")),
                ("senderId", t("peer-a")),
                ("targetId", t("server")),
                ("count", Value::Float(7.0)),
                ("sessionId", t("s")),
                ("documentId", t(&id)),
                ("data", Value::Bytes(vec![1])),
            ]),
        ),
        (
            "remote-subscription-change",
            cbor(vec![
                ("type", t("remote-subscription-change")),
                ("senderId", t("peer-a")),
                ("targetId", t("server")),
                ("add", Value::Array(vec![t("storage-1")])),
            ]),
        ),
        (
            "error-minimal",
            cbor(vec![("type", t("error")), ("message", Value::Null)]),
        ),
    ];
    for (name, bytes) in hand {
        write(dir, &format!("{name}.cbor"), &bytes);
    }
}

fn sync_session(dir: &Path) {
    use SyncOp::{
        Drain, Edit, Ephemeral, FailWrites, Finish, Join, Other, Raw, Revoke, Sync, SyncData,
        SyncFlip, Wait,
    };
    let join = |dev: u8, peer: u8| Join {
        dev,
        peer,
        storage: 1,
        versions: 0,
    };
    let edit = |dev: u8, doc: u8, field: u8, value: &str| Edit {
        dev,
        doc,
        field,
        value: value.as_bytes().to_vec(),
    };
    let sync = |dev: u8, doc: u8| Sync {
        dev,
        doc,
        request: false,
    };
    let request = |dev: u8, doc: u8| Sync {
        dev,
        doc,
        request: true,
    };
    // Sync rounds until quiet, as a device does.
    let rounds = |dev: u8, doc: u8, n: usize| -> Vec<SyncOp> {
        (0..n)
            .flat_map(|_| [sync(dev, doc), Drain { dev }])
            .collect()
    };
    let push = [
        vec![
            join(0, 0),
            Drain { dev: 0 },
            edit(0, 0, 0, ""),
            edit(0, 0, 1, "Ana Diaz"),
        ],
        vec![edit(0, 0, 3, "21 U.S.C. § 844(a)")],
        rounds(0, 0, 3),
    ]
    .concat();
    let scripts: Vec<(&str, SyncScript)> = vec![
        (
            "push-one-document",
            SyncScript {
                tight: false,
                ops: push.clone(),
            },
        ),
        (
            "second-device-fetches",
            SyncScript {
                tight: false,
                ops: [
                    push.clone(),
                    vec![
                        join(1, 1),
                        Drain { dev: 1 },
                        request(1, 0),
                        Drain { dev: 1 },
                    ],
                    rounds(1, 0, 3),
                ]
                .concat(),
            },
        ),
        (
            "concurrent-edits-fan-out",
            SyncScript {
                tight: false,
                ops: [
                    vec![join(0, 0), join(1, 1), Drain { dev: 0 }, Drain { dev: 1 }],
                    vec![edit(0, 1, 1, "Ana"), edit(1, 1, 1, "Anna")],
                    rounds(0, 1, 2),
                    rounds(1, 1, 2),
                    rounds(0, 1, 2),
                    vec![edit(1, 1, 5, "long note "), Wait { ms: 200 }],
                    rounds(1, 1, 2),
                    rounds(0, 1, 2),
                ]
                .concat(),
            },
        ),
        (
            "ephemeral-relay",
            SyncScript {
                tight: false,
                ops: [
                    push,
                    vec![join(1, 1), request(1, 0), Drain { dev: 1 }],
                    vec![
                        Ephemeral {
                            dev: 0,
                            doc: 0,
                            count: 1,
                            data: br#"{"cursor":3}"#.to_vec(),
                        },
                        Ephemeral {
                            dev: 0,
                            doc: 0,
                            count: 1,
                            data: b"again".to_vec(),
                        },
                        Drain { dev: 1 },
                    ],
                ]
                .concat(),
            },
        ),
        (
            "before-join-and-bad-versions",
            SyncScript {
                tight: false,
                ops: vec![
                    sync(0, 0),
                    edit(0, 0, 1, "x"),
                    sync(0, 0),
                    Drain { dev: 0 },
                    Join {
                        dev: 0,
                        peer: 0,
                        storage: 0,
                        versions: 1,
                    },
                    Drain { dev: 0 },
                    Join {
                        dev: 1,
                        peer: 1,
                        storage: 2,
                        versions: 3,
                    },
                    Drain { dev: 1 },
                ],
            },
        ),
        (
            "peer-id-reused-and-double-join",
            SyncScript {
                tight: false,
                ops: vec![
                    join(0, 0),
                    join(1, 2),
                    Drain { dev: 0 },
                    Drain { dev: 1 },
                    join(1, 1),
                    join(1, 1),
                    Drain { dev: 1 },
                    Join {
                        dev: 0,
                        peer: 3,
                        storage: 0,
                        versions: 2,
                    },
                    Drain { dev: 0 },
                ],
            },
        ),
        (
            "corrupted-sync-messages",
            SyncScript {
                tight: false,
                ops: [
                    vec![join(0, 0), edit(0, 0, 1, "Ana"), Drain { dev: 0 }],
                    vec![
                        SyncFlip {
                            dev: 0,
                            doc: 0,
                            request: false,
                            at: 1,
                            xor: 0x01,
                        },
                        Drain { dev: 0 },
                        join(0, 0),
                        SyncFlip {
                            dev: 0,
                            doc: 0,
                            request: false,
                            at: 40,
                            xor: 0x80,
                        },
                        Drain { dev: 0 },
                        join(0, 0),
                        SyncData {
                            dev: 0,
                            doc: 1,
                            request: true,
                            data: vec![0x42, 0x00, 0x00, 0x00],
                        },
                        Drain { dev: 0 },
                    ],
                ]
                .concat(),
            },
        ),
        (
            "tight-limits",
            SyncScript {
                tight: true,
                ops: [
                    vec![join(0, 0), join(1, 1)],
                    vec![edit(0, 0, 1, "a"), edit(0, 1, 1, "b"), edit(0, 2, 1, "c")],
                    rounds(0, 0, 1),
                    rounds(0, 1, 1),
                    rounds(0, 2, 1),
                    vec![join(0, 0), edit(1, 2, 5, "big "), sync(1, 2), sync(1, 2)],
                    vec![Wait { ms: 300 }, Drain { dev: 1 }],
                    rounds(1, 2, 3),
                ]
                .concat(),
            },
        ),
        (
            "failing-writes-and-revocation",
            SyncScript {
                tight: false,
                ops: [
                    vec![join(0, 0), edit(0, 0, 1, "Ana"), FailWrites(true)],
                    rounds(0, 0, 2),
                    vec![FailWrites(false), join(0, 0)],
                    rounds(0, 0, 2),
                    vec![
                        join(1, 1),
                        request(1, 0),
                        Revoke,
                        Drain { dev: 1 },
                        sync(1, 0),
                    ],
                    vec![
                        Finish { dev: 0 },
                        join(0, 0),
                        request(0, 0),
                        Drain { dev: 0 },
                    ],
                ]
                .concat(),
            },
        ),
        (
            "other-messages",
            SyncScript {
                tight: false,
                ops: [
                    vec![join(0, 0), Drain { dev: 0 }],
                    (2..=5).map(|kind| Other { dev: 0, kind }).collect(),
                    vec![Drain { dev: 0 }, join(0, 0), Other { dev: 0, kind: 7 }],
                    vec![join(0, 0), Other { dev: 0, kind: 6 }, join(0, 0)],
                    vec![
                        Other { dev: 0, kind: 1 },
                        join(0, 0),
                        Other { dev: 0, kind: 0 },
                    ],
                ]
                .concat(),
            },
        ),
        (
            "raw-frames",
            SyncScript {
                tight: false,
                ops: vec![
                    Raw {
                        dev: 0,
                        frame: vec![0xff, 0x00],
                    },
                    join(0, 0),
                    Raw {
                        dev: 0,
                        frame: cbor(vec![("type", t("sync")), ("senderId", t("peer-a"))]),
                    },
                    join(0, 0),
                    Raw {
                        dev: 0,
                        frame: vec![0xa0],
                    },
                    Drain { dev: 0 },
                ],
            },
        ),
    ];
    for (name, script) in scripts {
        let stats = sync_script::run(&script);
        println!("        {name}: {stats:?}");
        write(dir, &format!("{name}.bin"), &script.to_bytes());
    }
}

fn intake_reader(dir: &Path) {
    let mut device = device_intake(1);
    write(dir, "device-intake.automerge", &device.save());

    // The server's sections, as the server writes them (scalar strings).
    let mut decided = device.fork().with_actor(ActorId::from(vec![0x5e]));
    let det = decided
        .put_object(ROOT, "determination", ObjType::Map)
        .unwrap();
    decided.put(&det, "outcome", "ELIGIBLE").unwrap();
    let procs = decided
        .put_object(&det, "proclamations", ObjType::List)
        .unwrap();
    decided.insert(&procs, 0, "10467").unwrap();
    decided.insert(&procs, 1, "10688").unwrap();
    decided.put(&det, "provisional", false).unwrap();
    let reasons = decided.put_object(&det, "reasons", ObjType::List).unwrap();
    let r = decided.insert_object(&reasons, 0, ObjType::Map).unwrap();
    decided.put(&r, "code", "COVERED_BY_10467").unwrap();
    decided.put(&r, "category", "covered").unwrap();
    decided
        .put(&det, "rules_version", "pardon-rules-2023-12-22")
        .unwrap();
    decided.put(&det, "input_hash", "00ff").unwrap();
    decided
        .put(&det, "evaluated_at", "2024-01-15T10:00:00Z")
        .unwrap();
    let review = decided.put_object(ROOT, "review", ObjType::Map).unwrap();
    decided.put(&review, "decision", "needs_info").unwrap();
    decided.put(&review, "message", "date of birth?").unwrap();
    let fields = decided
        .put_object(&review, "fields", ObjType::List)
        .unwrap();
    decided.insert(&fields, 0, "person.date_of_birth").unwrap();
    decided
        .put(&review, "reviewed_at", "2024-01-16T09:00:00Z")
        .unwrap();
    decided.commit();
    write(dir, "determined-and-reviewed.automerge", &decided.save());

    // Two volunteers offline: concurrent writes of legal fields, merged.
    let mut a = device.fork().with_actor(ActorId::from(vec![0x0a]));
    let mut b = device.fork().with_actor(ActorId::from(vec![0x0b]));
    for (doc, name, date) in [
        (&mut a, "Ana Díaz", "2015-06-02"),
        (&mut b, "Anna Diaz", "2015-07-01"),
    ] {
        let person = doc.get(ROOT, "person").unwrap().unwrap().1;
        doc.put(&person, "legal_name", name).unwrap();
        let offenses = doc.get(ROOT, "offenses").unwrap().unwrap().1;
        let o = doc.get(&offenses, 0).unwrap().unwrap().1;
        doc.put(&o, "offense_date", date).unwrap();
        doc.commit();
    }
    a.merge(&mut b).unwrap();
    write(dir, "merged-conflicts.automerge", &a.save());

    // What the schema crate itself writes, with a second offense.
    let mut written = AutoCommit::new().with_actor(ActorId::from(vec![0x0c]));
    let intake = Intake {
        person: Person {
            legal_name: Some("Sam Roe".into()),
            status_now: Some("lpr".into()),
            citizen_or_lpr_since: Some("2001-03-04".into()),
            ..Person::default()
        },
        offenses: vec![
            Offense {
                id: Some("a".into()),
                citation: Some("D.C. Code § 48-904.01(d)(1)".into()),
                jurisdiction: Some("dc_superior".into()),
                offense_date: Some("2010-01-01".into()),
                ..Offense::default()
            },
            Offense {
                id: Some("b".into()),
                citation: Some("UCMJ Art. 112a".into()),
                jurisdiction: Some("military".into()),
                ..Offense::default()
            },
        ],
        ..Intake::new()
    };
    write_device_fields(&mut written, &intake).unwrap();
    written.commit();
    write(dir, "schema-written.automerge", &written.save());

    // Values of the wrong kind everywhere the reader looks.
    let mut odd = AutoCommit::new().with_actor(ActorId::from(vec![0x0d]));
    odd.put(ROOT, "kind", 7_i64).unwrap();
    odd.put(ROOT, "schema_version", -1_i64).unwrap();
    odd.put(ROOT, "person", "not a map").unwrap();
    let offenses = odd.put_object(ROOT, "offenses", ObjType::Map).unwrap();
    odd.put(&offenses, "0", "not a list").unwrap();
    odd.put_object(ROOT, "determination", ObjType::List)
        .unwrap();
    odd.put(ROOT, "review", ()).unwrap();
    odd.commit();
    write(dir, "wrong-kinds.automerge", &odd.save());

    // Scripts: an intake built by edits, and concurrent edits on two forks.
    use DocOp::{Commit, Fork, Insert, InsertObject, Make, Merge, Put, Splice, Switch};
    let k = Key::known;
    let w = Scalar::word;
    let s = |v: &str| Scalar::Str(v.into());
    // Objects: 0 root, 1 person, 2 offenses, 3 offense 0, 4 legal_name text.
    let built = vec![
        Put {
            obj: 0,
            key: k("kind"),
            value: w("intake"),
        },
        Put {
            obj: 0,
            key: k("schema_version"),
            value: Scalar::Uint(1),
        },
        Make {
            obj: 0,
            key: k("person"),
            kind: 0,
        },
        Make {
            obj: 0,
            key: k("offenses"),
            kind: 1,
        },
        InsertObject {
            obj: 2,
            index: 0,
            kind: 0,
        },
        Put {
            obj: 3,
            key: k("citation"),
            value: w("21 U.S.C. §§ 846, 841(a)(1)"),
        },
        Put {
            obj: 3,
            key: k("offense_date"),
            value: w("2015-06-01"),
        },
        Put {
            obj: 3,
            key: k("jurisdiction"),
            value: w("federal"),
        },
        Put {
            obj: 3,
            key: k("conduct"),
            value: w("conspiracy"),
        },
        Put {
            obj: 3,
            key: k("substance"),
            value: w("marijuana"),
        },
        Put {
            obj: 3,
            key: k("disposition"),
            value: w("convicted"),
        },
        Make {
            obj: 1,
            key: k("legal_name"),
            kind: 2,
        },
        Splice {
            obj: 4,
            pos: 0,
            delete: 0,
            text: "Lee Park".into(),
        },
        Put {
            obj: 1,
            key: k("status_now"),
            value: w("us_citizen"),
        },
        Put {
            obj: 1,
            key: k("citizen_or_lpr_since"),
            value: w("birth"),
        },
        Put {
            obj: 1,
            key: k("date_of_birth"),
            value: Scalar::Int(19_800_402),
        },
        Commit,
    ];
    write(
        dir,
        "script-intake.bin",
        &DocScript { ops: built.clone() }.to_bytes(),
    );
    let concurrent = [
        built,
        vec![
            Fork,
            Put {
                obj: 1,
                key: k("legal_name"),
                value: s("Lee Parks"),
            },
            Put {
                obj: 3,
                key: k("offense_date"),
                value: w("2022-10-07"),
            },
            Commit,
            Switch { to: 0 },
            Put {
                obj: 1,
                key: k("status_now"),
                value: w("lpr"),
            },
            Put {
                obj: 3,
                key: k("offense_date"),
                value: w("1999-02-30"),
            },
            Make {
                obj: 0,
                key: k("person"),
                kind: 0,
            },
            Insert {
                obj: 2,
                index: 1,
                value: Scalar::Null,
            },
            Commit,
            Merge { from: 1 },
        ],
    ]
    .concat();
    write(
        dir,
        "script-conflicts.bin",
        &DocScript { ops: concurrent }.to_bytes(),
    );
}

/// Citations from RULES.md section 4 and eligibility/tests/cases.json, one per file.
const CITATIONS: &[(&str, &str)] = &[
    ("usc-844", "21 USC 844"),
    ("usc-844a-subsection", "21 U.S.C. § 844(a)"),
    ("usc-844a-section", "21 U.S.C. § 844a"),
    ("docket-colon", "21:844(a)"),
    (
        "title-words",
        "Title 21, United States Code, Section 844(a)",
    ),
    ("usc-846-844", "21 USC 846, 844(a)"),
    ("usc-846-841", "21 U.S.C. §§ 846, 841(a)(1)"),
    (
        "dc-official-en-dash",
        "D.C. Official Code § 48–904.01(d)(1)",
    ),
    ("dc-code-unclear", "D.C. Code § 48-904.01(d)"),
    ("dc-code-list", "D.C. Code §§ 48-904.01(d)(1), 48-904.09"),
    ("usc-cfr-companion", "16 U.S.C. § 3; 36 C.F.R. § 2.35(b)(2)"),
    ("cfr-short", "36 CFR 2.35"),
    ("cfr-4-23", "36 CFR 4.23(a)(1)"),
    ("tribal-cfr", "25 C.F.R. § 11.452(a)"),
    ("state-code", "Cal. Health & Safety Code § 11357(b)"),
    (
        "bracketed-1791",
        "21 U.S.C. § 844(a) [18 U.S.C. § 1791(a)(2)]",
    ),
    ("quoted-1791", "21 USC 844; \"18 USC 1791\""),
    ("slash-841", "21 U.S.C. 844(a)/21 U.S.C. 841(a)(1)"),
    ("dangling-usc", "21 USC 844 and 18 U.S.C."),
    ("art-134-without-ucmj", "Art. 134; 21 U.S.C. § 844"),
    ("ucmj-134-and-usc", "UCMJ Art. 134; 21 U.S.C. 844"),
    ("ucmj-112a", "UCMJ Art. 112a"),
    ("usc-10-934", "21 U.S.C. § 844(a); 10 U.S.C. § 934"),
];

fn citation_parser(dir: &Path) {
    for (name, citation) in CITATIONS {
        write(dir, &format!("{name}.txt"), citation.as_bytes());
    }
    // With facts after 0xFF: a bare D.C. section in the D.C. Superior Court, and a court-martial
    // (jurisdiction indices follow `Jurisdiction::ALL`).
    let mut dc = b"48-904.01(d)(1)".to_vec();
    dc.extend_from_slice(&[0xff, 0, 1, 0, 0, 0, 1, 0, 2, 1]);
    write(dir, "bare-dc-in-dc-superior.bin", &dc);
    let mut military = b"21 U.S.C. 844".to_vec();
    military.extend_from_slice(&[0xff, 1, 12, 1, 0, 0, 4, 0, 0, 4, 2]);
    write(dir, "usc-in-military-lpr.bin", &military);
}

fn cli_json(dir: &Path) {
    let cases = include_str!("../../eligibility/tests/cases.json");
    let all: serde_json::Value = serde_json::from_str(cases).unwrap();
    let all = all.as_array().unwrap();
    let pick = |ids: &[&str]| -> Vec<serde_json::Value> {
        ids.iter()
            .map(|id| {
                let mut case = all
                    .iter()
                    .find(|c| c["id"] == *id)
                    .unwrap_or_else(|| panic!("{id} is not in cases.json"))
                    .clone();
                // The CLI ignores these; they only make the seed bigger.
                let case_map = case.as_object_mut().unwrap();
                case_map.remove("description");
                case_map.remove("expected");
                case
            })
            .collect()
    };
    let json = |v: &[serde_json::Value]| serde_json::to_string_pretty(v).unwrap() + "\n";
    write(
        dir,
        "one-eligible-case.json",
        json(&pick(&["PC-001"])).as_bytes(),
    );
    let first = all[0]["id"].as_str().unwrap();
    let several: Vec<&str> = all
        .iter()
        .filter_map(|c| c["id"].as_str())
        .filter(|id| *id != first)
        .step_by(12)
        .take(3)
        .collect();
    write(dir, "three-cases.json", json(&pick(&several)).as_bytes());
    write(dir, "empty-array.json", b"[]\n");
    write(
        dir,
        "nulls-and-unknowns.json",
        br#"[{"id":"n","person":null,"offenses":[{"citation":null,"substance":"unknown"}]},{"id":"m"}]"#,
    );
    write(
        dir,
        "bad-date.json",
        br#"[{"id":"PC-X","offenses":[{"citation":"21 USC 844","offense_date":"2015-13-01"}]}]"#,
    );
    write(dir, "not-an-array.json", br#"{"id":"PC-001"}"#);
}
