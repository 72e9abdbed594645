//! CBOR encoding of protocol messages, matching what the JS client's `cbor-x` encoder produces
//! (`tagUint8Array: false`, `useRecords: false`): definite-length maps with text keys, `data` as a
//! plain byte string, counts as unsigned integers.

use ciborium::Value;
use fieldclinic_schema::DocumentId;

use super::{DocMessage, EphemeralMessage, Message, PeerId, PeerMetadata};
use crate::StorageId;

/// Nesting deeper than this is not a protocol message; the limit keeps a hostile frame from
/// exhausting the stack.
const RECURSION_LIMIT: usize = 32;

/// Why a frame is not a valid protocol message. The `Display` text is for logs; peers only ever
/// get a fixed phrase.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not one CBOR item.
    #[error("not CBOR")]
    NotCbor,
    /// The item is not a map.
    #[error("not a map")]
    NotAMap,
    /// A required field is missing.
    #[error("missing field {0}")]
    MissingField(&'static str),
    /// A field has the wrong CBOR type or an invalid value.
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    /// `data` is empty.
    #[error("empty data")]
    EmptyData,
}

/// Decodes one frame.
///
/// # Errors
/// When the frame is not a well-formed message (see [`DecodeError`]).
pub fn decode(frame: &[u8]) -> Result<Message, DecodeError> {
    let mut reader = frame;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut reader, RECURSION_LIMIT)
        .map_err(|_| DecodeError::NotCbor)?;
    if !reader.is_empty() {
        return Err(DecodeError::NotCbor);
    }
    let Value::Map(entries) = value else {
        return Err(DecodeError::NotAMap);
    };
    let fields = Fields(entries);
    let kind = fields.text("type")?;
    Ok(match kind.as_str() {
        "join" => Message::Join {
            sender_id: fields.peer_id("senderId")?,
            peer_metadata: fields.peer_metadata()?,
            supported_protocol_versions: fields.text_array("supportedProtocolVersions")?,
        },
        "peer" => Message::Peer {
            sender_id: fields.peer_id("senderId")?,
            peer_metadata: fields.peer_metadata()?,
            selected_protocol_version: fields.text("selectedProtocolVersion")?,
            target_id: fields.peer_id("targetId")?,
        },
        "error" => Message::Error {
            message: fields.opt_text("message")?.unwrap_or_default(),
            sender_id: fields.opt_peer_id("senderId")?,
            target_id: fields.opt_peer_id("targetId")?,
        },
        "leave" => Message::Leave {
            sender_id: fields.peer_id("senderId")?,
        },
        "request" => Message::Request(fields.doc_message()?),
        "sync" => Message::Sync(fields.doc_message()?),
        "doc-unavailable" => Message::DocUnavailable {
            sender_id: fields.peer_id("senderId")?,
            target_id: fields.peer_id("targetId")?,
            document_id: fields.document_id()?,
        },
        "ephemeral" => Message::Ephemeral(EphemeralMessage {
            sender_id: fields.peer_id("senderId")?,
            target_id: fields.peer_id("targetId")?,
            count: fields.count("count")?,
            session_id: fields.text("sessionId")?,
            document_id: fields.document_id()?,
            data: fields.data()?,
        }),
        "remote-subscription-change" | "remote-heads-changed" => Message::Gossip {
            sender_id: fields.peer_id("senderId")?,
            kind,
        },
        _ => Message::Unknown { kind },
    })
}

/// Encodes one message as a frame.
#[must_use]
pub fn encode(message: &Message) -> Vec<u8> {
    let mut map: Vec<(Value, Value)> = vec![(text("type"), text(message.type_name()))];
    let mut put = |k: &str, v: Value| map.push((text(k), v));
    match message {
        Message::Join {
            sender_id,
            peer_metadata,
            supported_protocol_versions,
        } => {
            put("senderId", text(sender_id.as_str()));
            put("peerMetadata", metadata_value(peer_metadata));
            put(
                "supportedProtocolVersions",
                Value::Array(
                    supported_protocol_versions
                        .iter()
                        .map(|v| text(v))
                        .collect(),
                ),
            );
        }
        Message::Peer {
            sender_id,
            peer_metadata,
            selected_protocol_version,
            target_id,
        } => {
            put("senderId", text(sender_id.as_str()));
            put("peerMetadata", metadata_value(peer_metadata));
            put("selectedProtocolVersion", text(selected_protocol_version));
            put("targetId", text(target_id.as_str()));
        }
        Message::Error {
            message,
            sender_id,
            target_id,
        } => {
            put("message", text(message));
            if let Some(s) = sender_id {
                put("senderId", text(s.as_str()));
            }
            if let Some(t) = target_id {
                put("targetId", text(t.as_str()));
            }
        }
        Message::Leave { sender_id } => put("senderId", text(sender_id.as_str())),
        Message::Request(m) | Message::Sync(m) => {
            put("senderId", text(m.sender_id.as_str()));
            put("targetId", text(m.target_id.as_str()));
            put("documentId", text(&m.document_id.to_string()));
            put("data", Value::Bytes(m.data.clone()));
        }
        Message::DocUnavailable {
            sender_id,
            target_id,
            document_id,
        } => {
            put("senderId", text(sender_id.as_str()));
            put("targetId", text(target_id.as_str()));
            put("documentId", text(&document_id.to_string()));
        }
        Message::Ephemeral(m) => {
            put("senderId", text(m.sender_id.as_str()));
            put("targetId", text(m.target_id.as_str()));
            put("count", Value::Integer(m.count.into()));
            put("sessionId", text(&m.session_id));
            put("documentId", text(&m.document_id.to_string()));
            put("data", Value::Bytes(m.data.clone()));
        }
        Message::Gossip { sender_id, .. } => put("senderId", text(sender_id.as_str())),
        Message::Unknown { .. } => {}
    }
    let mut out = Vec::new();
    // Writing into a Vec cannot fail, and every Value built above is encodable.
    if ciborium::ser::into_writer(&Value::Map(map), &mut out).is_err() {
        out.clear();
    }
    out
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn metadata_value(m: &PeerMetadata) -> Value {
    let mut map = Vec::with_capacity(2);
    if let Some(id) = &m.storage_id {
        map.push((text("storageId"), text(id.as_str())));
    }
    map.push((text("isEphemeral"), Value::Bool(m.is_ephemeral)));
    Value::Map(map)
}

/// Strips CBOR tags: some encoders wrap byte strings in tag 64 (`Uint8Array`).
fn untag(v: &Value) -> &Value {
    match v {
        Value::Tag(_, inner) => untag(inner),
        other => other,
    }
}

struct Fields(Vec<(Value, Value)>);

impl Fields {
    /// A field's value; CBOR `null` and `undefined` count as absent.
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find_map(|(k, v)| match k {
            Value::Text(t) if t == key => match untag(v) {
                Value::Null => None,
                v => Some(v),
            },
            _ => None,
        })
    }

    fn opt_text(&self, key: &'static str) -> Result<Option<String>, DecodeError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t.clone())),
            Some(_) => Err(DecodeError::InvalidField(key)),
        }
    }

    fn text(&self, key: &'static str) -> Result<String, DecodeError> {
        self.opt_text(key)?.ok_or(DecodeError::MissingField(key))
    }

    fn opt_peer_id(&self, key: &'static str) -> Result<Option<PeerId>, DecodeError> {
        self.opt_text(key)?
            .map(|t| PeerId::parse(&t).map_err(|_| DecodeError::InvalidField(key)))
            .transpose()
    }

    fn peer_id(&self, key: &'static str) -> Result<PeerId, DecodeError> {
        self.opt_peer_id(key)?.ok_or(DecodeError::MissingField(key))
    }

    fn document_id(&self) -> Result<DocumentId, DecodeError> {
        self.text("documentId")?
            .parse()
            .map_err(|_| DecodeError::InvalidField("documentId"))
    }

    fn data(&self) -> Result<Vec<u8>, DecodeError> {
        match self.get("data") {
            None => Err(DecodeError::MissingField("data")),
            Some(Value::Bytes(b)) if b.is_empty() => Err(DecodeError::EmptyData),
            Some(Value::Bytes(b)) => Ok(b.clone()),
            Some(_) => Err(DecodeError::InvalidField("data")),
        }
    }

    /// A JS number may arrive as an integer or a float.
    fn count(&self, key: &'static str) -> Result<u64, DecodeError> {
        match self.get(key) {
            None => Err(DecodeError::MissingField(key)),
            Some(Value::Integer(i)) => {
                u64::try_from(*i).map_err(|_| DecodeError::InvalidField(key))
            }
            Some(Value::Float(f))
                if f.fract() == 0.0 && *f >= 0.0 && *f <= 9_007_199_254_740_992.0 =>
            {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Ok(*f as u64)
            }
            Some(_) => Err(DecodeError::InvalidField(key)),
        }
    }

    fn text_array(&self, key: &'static str) -> Result<Vec<String>, DecodeError> {
        match self.get(key) {
            None => Ok(vec![super::PROTOCOL_VERSION.to_owned()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match untag(v) {
                    Value::Text(t) => Ok(t.clone()),
                    _ => Err(DecodeError::InvalidField(key)),
                })
                .collect(),
            Some(_) => Err(DecodeError::InvalidField(key)),
        }
    }

    /// `peerMetadata`, or `metadata` as the README's CDDL spells it.
    fn peer_metadata(&self) -> Result<PeerMetadata, DecodeError> {
        let key = "peerMetadata";
        let Some(value) = self.get(key).or_else(|| self.get("metadata")) else {
            return Ok(PeerMetadata {
                storage_id: None,
                is_ephemeral: true,
            });
        };
        let Value::Map(entries) = value else {
            return Err(DecodeError::InvalidField(key));
        };
        let inner = Fields(entries.clone());
        let storage_id = inner
            .opt_text("storageId")
            .map_err(|_| DecodeError::InvalidField(key))?
            .map(|s| StorageId::parse(&s).map_err(|_| DecodeError::InvalidField(key)))
            .transpose()?;
        let is_ephemeral = match inner.get("isEphemeral") {
            None => storage_id.is_none(),
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(DecodeError::InvalidField(key)),
        };
        Ok(PeerMetadata {
            storage_id,
            is_ephemeral,
        })
    }

    fn doc_message(&self) -> Result<DocMessage, DecodeError> {
        Ok(DocMessage {
            sender_id: self.peer_id("senderId")?,
            target_id: self.peer_id("targetId")?,
            document_id: self.document_id()?,
            data: self.data()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn peer(s: &str) -> PeerId {
        PeerId::parse(s).unwrap()
    }

    fn frame(entries: Vec<(&str, Value)>) -> Vec<u8> {
        let map = Value::Map(entries.into_iter().map(|(k, v)| (text(k), v)).collect());
        let mut out = Vec::new();
        ciborium::ser::into_writer(&map, &mut out).unwrap();
        out
    }

    #[test]
    fn a_js_join_without_storage_decodes_as_ephemeral() {
        let bytes = frame(vec![
            ("type", text("join")),
            ("senderId", text("peer-abc")),
            (
                "peerMetadata",
                Value::Map(vec![
                    (text("storageId"), Value::Null),
                    (text("isEphemeral"), Value::Bool(true)),
                ]),
            ),
            ("supportedProtocolVersions", Value::Array(vec![text("1")])),
        ]);
        let Message::Join {
            peer_metadata,
            supported_protocol_versions,
            ..
        } = decode(&bytes).unwrap()
        else {
            panic!("not a join");
        };
        assert!(peer_metadata.is_ephemeral);
        assert_eq!(peer_metadata.storage_id, None);
        assert_eq!(supported_protocol_versions, vec!["1".to_owned()]);
    }

    #[test]
    fn a_float_count_is_accepted() {
        let id = DocumentId::random();
        let bytes = frame(vec![
            ("type", text("ephemeral")),
            ("senderId", text("a")),
            ("targetId", text("b")),
            ("count", Value::Float(7.0)),
            ("sessionId", text("s")),
            ("documentId", text(&id.to_string())),
            ("data", Value::Bytes(vec![1])),
        ]);
        let Message::Ephemeral(m) = decode(&bytes).unwrap() else {
            panic!("not ephemeral")
        };
        assert_eq!(m.count, 7);
    }

    #[test]
    fn malformed_frames_are_rejected() {
        let id = DocumentId::random().to_string();
        let cases: Vec<(&str, Vec<u8>, DecodeError)> = vec![
            ("not cbor", vec![0xff, 0x00], DecodeError::NotCbor),
            (
                "trailing bytes",
                [
                    frame(vec![("type", text("leave")), ("senderId", text("a"))]),
                    vec![0],
                ]
                .concat(),
                DecodeError::NotCbor,
            ),
            (
                "an array",
                {
                    let mut o = Vec::new();
                    ciborium::ser::into_writer(&Value::Array(vec![]), &mut o).unwrap();
                    o
                },
                DecodeError::NotAMap,
            ),
            (
                "no type",
                frame(vec![("senderId", text("a"))]),
                DecodeError::MissingField("type"),
            ),
            (
                "numeric type",
                frame(vec![("type", Value::Integer(1.into()))]),
                DecodeError::InvalidField("type"),
            ),
            (
                "sync without data",
                frame(vec![
                    ("type", text("sync")),
                    ("senderId", text("a")),
                    ("targetId", text("b")),
                    ("documentId", text(&id)),
                ]),
                DecodeError::MissingField("data"),
            ),
            (
                "empty data",
                frame(vec![
                    ("type", text("sync")),
                    ("senderId", text("a")),
                    ("targetId", text("b")),
                    ("documentId", text(&id)),
                    ("data", Value::Bytes(vec![])),
                ]),
                DecodeError::EmptyData,
            ),
            (
                "text data",
                frame(vec![
                    ("type", text("sync")),
                    ("senderId", text("a")),
                    ("targetId", text("b")),
                    ("documentId", text(&id)),
                    ("data", text("x")),
                ]),
                DecodeError::InvalidField("data"),
            ),
            (
                "bad document id",
                frame(vec![
                    ("type", text("request")),
                    ("senderId", text("a")),
                    ("targetId", text("b")),
                    ("documentId", text("nope")),
                    ("data", Value::Bytes(vec![1])),
                ]),
                DecodeError::InvalidField("documentId"),
            ),
            (
                "empty sender",
                frame(vec![("type", text("leave")), ("senderId", text(""))]),
                DecodeError::InvalidField("senderId"),
            ),
            (
                "negative count",
                frame(vec![
                    ("type", text("ephemeral")),
                    ("senderId", text("a")),
                    ("targetId", text("b")),
                    ("count", Value::Integer((-1).into())),
                    ("sessionId", text("s")),
                    ("documentId", text(&id)),
                    ("data", Value::Bytes(vec![1])),
                ]),
                DecodeError::InvalidField("count"),
            ),
        ];
        for (name, bytes, expected) in cases {
            assert_eq!(decode(&bytes), Err(expected), "case {name}");
        }
    }

    #[test]
    fn an_unknown_type_is_kept_for_dropping() {
        let bytes = frame(vec![
            ("type", text("future-thing")),
            ("x", Value::Bool(true)),
        ]);
        assert_eq!(
            decode(&bytes),
            Ok(Message::Unknown {
                kind: "future-thing".into()
            })
        );
    }

    #[test]
    fn data_is_encoded_as_a_plain_byte_string() {
        let m = Message::Sync(DocMessage {
            sender_id: peer("s"),
            target_id: peer("t"),
            document_id: DocumentId::random(),
            data: vec![0x42, 1, 2],
        });
        let bytes = encode(&m);
        // The map header is definite (major type 5), and the byte string carries no tag (0xd8 0x40).
        assert_eq!(bytes[0] >> 5, 5);
        assert!(!bytes.windows(2).any(|w| w == [0xd8, 0x40]));
        assert_eq!(decode(&bytes), Ok(m));
    }

    fn arb_peer() -> impl Strategy<Value = PeerId> {
        "[a-z0-9-]{1,40}".prop_map(|s| PeerId::parse(&s).unwrap())
    }

    fn arb_message() -> impl Strategy<Value = Message> {
        let doc = any::<[u8; 16]>().prop_map(DocumentId::from_bytes);
        let data = proptest::collection::vec(any::<u8>(), 1..200);
        prop_oneof![
            (
                arb_peer(),
                proptest::option::of("[a-f0-9-]{36}"),
                any::<bool>()
            )
                .prop_map(|(p, s, e)| Message::Join {
                    sender_id: p,
                    peer_metadata: PeerMetadata {
                        storage_id: s.map(|s| StorageId::parse(&s).unwrap()),
                        is_ephemeral: e
                    },
                    supported_protocol_versions: vec!["1".into()],
                }),
            (arb_peer(), arb_peer(), doc.clone(), data.clone()).prop_map(|(s, t, d, data)| {
                Message::Sync(DocMessage {
                    sender_id: s,
                    target_id: t,
                    document_id: d,
                    data,
                })
            }),
            (arb_peer(), arb_peer(), doc.clone(), data.clone()).prop_map(|(s, t, d, data)| {
                Message::Request(DocMessage {
                    sender_id: s,
                    target_id: t,
                    document_id: d,
                    data,
                })
            }),
            (arb_peer(), arb_peer(), doc.clone()).prop_map(|(s, t, d)| Message::DocUnavailable {
                sender_id: s,
                target_id: t,
                document_id: d
            }),
            (
                arb_peer(),
                arb_peer(),
                any::<u64>(),
                "[a-z]{1,10}",
                doc,
                data
            )
                .prop_map(|(s, t, c, sid, d, data)| Message::Ephemeral(
                    EphemeralMessage {
                        sender_id: s,
                        target_id: t,
                        count: c,
                        session_id: sid,
                        document_id: d,
                        data
                    }
                )),
            (".{0,30}", proptest::option::of(arb_peer())).prop_map(|(m, s)| Message::Error {
                message: m,
                sender_id: s,
                target_id: None
            }),
        ]
    }

    proptest! {
        #[test]
        fn messages_round_trip(m in arb_message()) {
            prop_assert_eq!(decode(&encode(&m)), Ok(m));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode(&bytes);
        }
    }
}
