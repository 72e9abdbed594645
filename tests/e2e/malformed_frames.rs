//! Every kind of malformed frame gets an `error` message and a closed connection, while another
//! device keeps syncing and a stored document keeps its heads.

use std::time::Duration;

use fieldclinic_loadtool::simulator::{Device, FindOutcome, Frame, Link};
use fieldclinic_schema::{DocumentId, Intake, Person};
use fieldclinic_sync::protocol::{self, DocMessage, Message, PeerId, PeerMetadata};

use crate::helpers::{Backend, spawn_app_configured};

const WAIT: Duration = Duration::from_secs(10);
/// Small enough that an oversized frame is cheap to send.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// A CBOR value, encoded by hand so each case can break exactly one thing.
enum Cbor {
    Uint(u64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Cbor>),
    Map(Vec<(&'static str, Cbor)>),
    Bool(bool),
}

fn text(s: &str) -> Cbor {
    Cbor::Text(s.to_owned())
}

fn header(major: u8, n: u64, out: &mut Vec<u8>) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend([m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend((n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend(n.to_be_bytes());
        }
    }
}

fn encode_into(v: &Cbor, out: &mut Vec<u8>) {
    match v {
        Cbor::Uint(n) => header(0, *n, out),
        Cbor::Bytes(b) => {
            header(2, b.len() as u64, out);
            out.extend(b);
        }
        Cbor::Text(t) => {
            header(3, t.len() as u64, out);
            out.extend(t.as_bytes());
        }
        Cbor::Array(items) => {
            header(4, items.len() as u64, out);
            for i in items {
                encode_into(i, out);
            }
        }
        Cbor::Map(entries) => {
            header(5, entries.len() as u64, out);
            for (k, v) in entries {
                encode_into(&text(k), out);
                encode_into(v, out);
            }
        }
        Cbor::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
    }
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(v, &mut out);
    out
}

/// A `sync` map with `overrides` replacing (or, with `None`, removing) fields.
fn sync_map(
    sender: &str,
    server: &str,
    doc: &str,
    overrides: Vec<(&'static str, Option<Cbor>)>,
) -> Vec<u8> {
    let mut fields: Vec<(&'static str, Cbor)> = vec![
        ("type", text("sync")),
        ("senderId", text(sender)),
        ("targetId", text(server)),
        ("documentId", text(doc)),
        ("data", Cbor::Bytes(vec![0x42, 0, 0, 0])),
    ];
    for (key, value) in overrides {
        fields.retain(|(k, _)| *k != key);
        if let Some(v) = value {
            fields.push((key, v));
        }
    }
    cbor(&Cbor::Map(fields))
}

/// One malformed case: whether the connection joins first, and what it sends then.
struct Case {
    name: &'static str,
    join: bool,
    send: Send,
}

enum Send {
    Binary(Vec<u8>),
    Text(&'static str),
}

fn cases(peer: &str, server: &str, stored: &DocumentId) -> Vec<Case> {
    let doc = stored.to_string();
    let mut bad_checksum = doc.clone();
    let last = bad_checksum.pop().unwrap_or('1');
    bad_checksum.push(if last == '2' { '3' } else { '2' });
    let sync = |overrides| sync_map(peer, server, &doc, overrides);
    let join_frame = protocol::encode(&Message::Join {
        sender_id: PeerId::parse(peer).expect("peer"),
        peer_metadata: PeerMetadata::default(),
        supported_protocol_versions: vec!["1".into()],
    });
    let valid_sync = protocol::encode(&Message::Sync(DocMessage {
        sender_id: PeerId::parse(peer).expect("peer"),
        target_id: PeerId::parse(server).expect("server"),
        document_id: *stored,
        data: vec![0x42, 0, 0, 0],
    }));
    let bin = |name, join, bytes| Case {
        name,
        join,
        send: Send::Binary(bytes),
    };
    vec![
        bin("not CBOR", true, vec![0xff, 0xfe, 0x00]),
        bin("not CBOR, before join", false, vec![0x1c, 0x00]),
        bin(
            "CBOR array, not a map",
            true,
            cbor(&Cbor::Array(vec![text("sync")])),
        ),
        bin("CBOR integer, not a map", true, cbor(&Cbor::Uint(42))),
        Case {
            name: "a text frame",
            join: true,
            send: Send::Text(r#"{"type":"sync"}"#),
        },
        Case {
            name: "a text frame before join",
            join: false,
            send: Send::Text(r#"{"type":"join","senderId":"x"}"#),
        },
        bin("missing type", true, sync(vec![("type", None)])),
        bin(
            "type is a number",
            true,
            sync(vec![("type", Some(Cbor::Uint(1)))]),
        ),
        bin(
            "data is text",
            true,
            sync(vec![("data", Some(text("AAAA")))]),
        ),
        bin(
            "documentId is a number",
            true,
            sync(vec![("documentId", Some(Cbor::Uint(7)))]),
        ),
        bin(
            "senderId is bytes",
            true,
            sync(vec![("senderId", Some(Cbor::Bytes(b"x".to_vec())))]),
        ),
        bin(
            "targetId is a boolean",
            true,
            sync(vec![("targetId", Some(Cbor::Bool(true)))]),
        ),
        bin("missing documentId", true, sync(vec![("documentId", None)])),
        bin("missing data", true, sync(vec![("data", None)])),
        bin("missing senderId", true, sync(vec![("senderId", None)])),
        bin(
            "join without senderId",
            false,
            cbor(&Cbor::Map(vec![
                ("type", text("join")),
                ("supportedProtocolVersions", Cbor::Array(vec![text("1")])),
            ])),
        ),
        bin(
            "zero-length data",
            true,
            sync(vec![("data", Some(Cbor::Bytes(Vec::new())))]),
        ),
        bin(
            "documentId with a bad checksum",
            true,
            sync(vec![("documentId", Some(text(&bad_checksum)))]),
        ),
        // bs58check of 8 bytes (01..08): a valid checksum over the wrong length.
        bin(
            "documentId of 8 bytes",
            true,
            sync(vec![("documentId", Some(text("26ysEDTvDr2tK2RZ")))]),
        ),
        bin(
            "documentId of a legacy UUID",
            true,
            sync(vec![(
                "documentId",
                Some(text("6f951bba-7f0b-4a5c-bded-7044ef1b51eb")),
            )]),
        ),
        bin("sync before join", false, valid_sync),
        bin("a second join", true, join_frame),
        bin(
            "mismatched senderId",
            true,
            sync(vec![("senderId", Some(text("someone-else")))]),
        ),
        bin(
            "undecodable automerge sync bytes",
            true,
            sync(vec![(
                "data",
                Some(Cbor::Bytes(vec![0x42, 0xff, 0xff, 0xff, 0x01])),
            )]),
        ),
        bin(
            "not a sync message at all",
            true,
            sync(vec![("data", Some(Cbor::Bytes(vec![0x00, 0x01, 0x02])))]),
        ),
        bin(
            "an oversized frame",
            true,
            vec![0x41; MAX_MESSAGE_BYTES * 2],
        ),
    ]
}

/// Reads until the server's `error` and the close that must follow it.
async fn expect_error_then_close(link: &mut Link, case: &str) -> String {
    let mut error = None;
    loop {
        match link.next_frame(WAIT).await {
            Ok(Some(Frame::Binary(bytes))) => match protocol::decode(&bytes) {
                Ok(Message::Error { message, .. }) => error = Some(message),
                Ok(other) => panic!("{case}: expected error, got {other:?}"),
                Err(e) => panic!("{case}: undecodable frame from the server: {e}"),
            },
            Ok(Some(Frame::Text(t))) => panic!("{case}: the server sent a text frame {t:?}"),
            Ok(Some(Frame::Closed)) => break,
            Ok(None) => panic!("{case}: the connection stayed open"),
            Err(e) => panic!("{case}: transport failed: {e}"),
        }
    }
    error.unwrap_or_else(|| panic!("{case}: closed without an error message"))
}

fn blank_intake(name: &str) -> Intake {
    Intake {
        person: Person {
            legal_name: Some(name.to_owned()),
            ..Person::default()
        },
        ..Intake::new()
    }
}

#[tokio::test]
async fn malformed_frames_get_an_error_and_a_close_and_harm_nobody_else() {
    for backend in Backend::ALL {
        // Arrange: a stored document, and a device that stays connected throughout.
        let app =
            spawn_app_configured(backend, |s| s.sync.max_message_bytes = MAX_MESSAGE_BYTES).await;
        let mut keeper = Device::persistent("keeper")
            .expect("peer")
            .with_timeout(WAIT);
        let stored = keeper
            .create_intake(&blank_intake("Stored"))
            .expect("create");
        let working = keeper
            .create_intake(&blank_intake("Working"))
            .expect("create");
        keeper.connect(&app.ws_url()).await.expect("connect");
        keeper.sync(&[stored, working]).await.expect("push");
        let stored_heads = keeper.heads(&stored).expect("heads");
        let server = keeper.server().expect("joined").peer_id.to_string();

        for (n, case) in cases("intruder", &server, &stored).into_iter().enumerate() {
            // Act
            let mut link = Link::connect(&app.ws_url()).await.expect("connect");
            if case.join {
                let peer = PeerId::parse("intruder").expect("peer");
                link.join(&peer, PeerMetadata::default(), WAIT)
                    .await
                    .unwrap_or_else(|e| panic!("{}: join failed: {e}", case.name));
            }
            // The server may close before a large frame is fully written; the answer counts.
            let _ = match case.send {
                Send::Binary(bytes) => link.send_binary(bytes).await,
                Send::Text(t) => link.send_text(t).await,
            };

            // Assert
            let message = expect_error_then_close(&mut link, case.name).await;
            assert!(
                !message.is_empty(),
                "{backend:?} {}: empty error",
                case.name
            );
            keeper
                .edit_intake(&working, |i| i.notes = Some(format!("after case {n}")))
                .expect("edit");
            let acks = keeper.sync(&[working]).await.unwrap_or_else(|e| {
                panic!("{backend:?} {}: keeper stopped working: {e}", case.name)
            });
            assert_eq!(acks.len(), 1);
        }

        let mut fresh = Device::ephemeral("fresh").expect("peer").with_timeout(WAIT);
        fresh.connect(&app.ws_url()).await.expect("connect");
        match fresh.find(stored).await.expect("find") {
            FindOutcome::Found { heads, .. } => {
                assert_eq!(
                    heads, stored_heads,
                    "{backend:?}: the stored document changed"
                );
            }
            FindOutcome::Unavailable => panic!("{backend:?}: the stored document is gone"),
        }
        assert_eq!(
            fresh.intake(&stored).expect("read"),
            keeper.intake(&stored).expect("read")
        );
        keeper.disconnect().await;
        fresh.disconnect().await;
        app.stop().await;
    }
}
