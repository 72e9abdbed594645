//! The `intake_reader` target's structured input: a script of Automerge edits that builds a
//! document, on one or more forks (actors) that can be merged, so concurrent values (the
//! conflicts `legal_conflicts` reports) arise.
//!
//! Layout: operations until the input ends, each a tag byte (modulo the number of operations)
//! and its fields, as [`DocOp::write`] writes them. An input that starts with the Automerge magic
//! bytes is not a script: the target loads it as a saved document instead.

use arbitrary::{Arbitrary, Unstructured};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjId, ObjType, Prop, ROOT, ReadDoc, ScalarValue};

use crate::{Reader, Writer};

/// The first bytes of every saved Automerge document or change chunk.
pub const AUTOMERGE_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Operations per script at most.
pub const MAX_OPS: usize = 256;

/// Forks (actors) per script at most.
pub const MAX_FORKS: usize = 4;

/// Map keys a [`Key::Known`] names: every key the schema reads, at any level.
pub const KEYS: &[&str] = &[
    "kind",
    "schema_version",
    "person",
    "offenses",
    "documents",
    "consent",
    "notes",
    "determination",
    "review",
    "server",
    "legal_name",
    "other_names",
    "date_of_birth",
    "place_of_birth",
    "a_number",
    "status_now",
    "citizen_or_lpr_since",
    "status_at_offense",
    "email",
    "phone",
    "address",
    "gender",
    "race",
    "ethnicity",
    "id",
    "citation",
    "charge_text",
    "substance",
    "conduct",
    "offense_date",
    "disposition",
    "disposition_date",
    "jurisdiction",
    "court_name",
    "docket_number",
    "label",
    "present",
    "required",
    "document_url",
    "given",
    "given_on",
    "submitter",
    "helper_name",
    "outcome",
    "proclamations",
    "reasons",
    "code",
    "category",
    "explanation",
    "question",
    "rule_text",
    "rules_version",
    "input_hash",
    "evaluated_at",
    "provisional",
    "canonical_citations",
    "family",
    "missing_items",
    "offense_id",
    "decision",
    "reviewer",
    "reviewed_at",
    "note",
    "same_person",
    "linked_by",
    "linked_at",
    "open_conflicts",
    "fields",
    "key",
    "index",
    "message",
];

/// Strings a [`Scalar::Word`] names: the schema's vocabulary, dates and citations.
pub const WORDS: &[&str] = &[
    "intake",
    "us_citizen",
    "lpr",
    "other",
    "unknown",
    "lawfully_present_other",
    "not_lawfully_present",
    "marijuana",
    "possession",
    "use",
    "attempted_possession",
    "conspiracy",
    "distribution",
    "possession_with_intent",
    "convicted",
    "charged",
    "pending",
    "dismissed",
    "federal",
    "dc_superior",
    "state",
    "military",
    "tribal",
    "birth",
    "2015-06-01",
    "2022-10-06",
    "2022-10-07",
    "2023-12-22",
    "2023-12-23",
    "1999-02-30",
    "21 USC 844",
    "21 U.S.C. § 844(a)",
    "21 U.S.C. §§ 846, 841(a)(1)",
    "D.C. Code § 48-904.01(d)(1)",
    "UCMJ Art. 112a",
    "ELIGIBLE",
    "NOT_ELIGIBLE",
    "NEEDS_MORE_INFO",
    "approved",
    "needs_info",
    "rejected",
    "10467",
    "10688",
    "COVERED_BY_10467",
    "photo_id",
    "docket_sheet",
    "charging_document",
    "self",
    "helper",
    "pardon-rules-2023-12-22",
    "",
];

/// A property: a schema key, a list index, or any text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// `KEYS[n]` in a map; in a list, index `n` (modulo the length).
    Known(u8),
    /// Any text (in a list, index 0).
    Custom(String),
}

/// A scalar value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// `WORDS[n]` (modulo).
    Word(u8),
    /// Any text.
    Str(String),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    Uint(u64),
    /// A float, from its bits.
    F64(u64),
    /// A boolean.
    Bool(bool),
    /// `null`.
    Null,
    /// A counter (its low 32 bits, sign-extended).
    Counter(i64),
    /// A timestamp.
    Timestamp(i64),
    /// Bytes.
    Bytes(Vec<u8>),
}

/// One edit. `obj` picks among the objects made so far (0 is the root), modulo their number.
#[derive(Debug, Clone, PartialEq)]
pub enum DocOp {
    /// Puts a scalar at a key (or overwrites a list item).
    Put { obj: u8, key: Key, value: Scalar },
    /// Puts a new object (`kind`: 0 map, 1 list, 2 text) at a key.
    Make { obj: u8, key: Key, kind: u8 },
    /// Inserts a scalar into a list at `index` (modulo the length + 1).
    Insert { obj: u8, index: u8, value: Scalar },
    /// Inserts a new object into a list.
    InsertObject { obj: u8, index: u8, kind: u8 },
    /// Splices text into a Text object (or a list of characters).
    Splice {
        obj: u8,
        pos: u16,
        delete: u8,
        text: String,
    },
    /// Deletes a key or list item.
    Delete { obj: u8, key: Key },
    /// Increments a counter (by the low 32 bits of `by`, sign-extended).
    Increment { obj: u8, key: Key, by: i64 },
    /// Forks the current document as a new actor, which becomes current.
    Fork,
    /// Merges fork `from` (modulo their number) into the current one.
    Merge { from: u8 },
    /// Makes fork `to` current.
    Switch { to: u8 },
    /// Commits pending edits as one change.
    Commit,
}

const OP_COUNT: u8 = 11;

fn read_key(r: &mut Reader<'_, '_>) -> Key {
    match r.u8() {
        0xff => Key::Custom(r.text()),
        n => Key::Known(n),
    }
}

fn write_key(w: &mut Writer, key: &Key) {
    match key {
        Key::Known(n) => {
            assert_ne!(*n, 0xff, "0xff introduces a custom key");
            w.u8(*n);
        }
        Key::Custom(s) => {
            w.u8(0xff);
            w.blob(s.as_bytes());
        }
    }
}

fn read_scalar(r: &mut Reader<'_, '_>) -> Scalar {
    match r.u8() % 10 {
        0 => Scalar::Word(r.u8()),
        1 => Scalar::Str(r.text()),
        2 => Scalar::Int(r.u64() as i64),
        3 => Scalar::Uint(r.u64()),
        4 => Scalar::F64(r.u64()),
        5 => Scalar::Bool(r.bool()),
        6 => Scalar::Null,
        7 => Scalar::Counter(r.u64() as i64),
        8 => Scalar::Timestamp(r.u64() as i64),
        _ => Scalar::Bytes(r.blob()),
    }
}

fn write_scalar(w: &mut Writer, v: &Scalar) {
    match v {
        Scalar::Word(n) => {
            w.u8(0);
            w.u8(*n);
        }
        Scalar::Str(s) => {
            w.u8(1);
            w.blob(s.as_bytes());
        }
        Scalar::Int(i) => {
            w.u8(2);
            w.u64(*i as u64);
        }
        Scalar::Uint(u) => {
            w.u8(3);
            w.u64(*u);
        }
        Scalar::F64(bits) => {
            w.u8(4);
            w.u64(*bits);
        }
        Scalar::Bool(b) => {
            w.u8(5);
            w.bool(*b);
        }
        Scalar::Null => w.u8(6),
        Scalar::Counter(i) => {
            w.u8(7);
            w.u64(*i as u64);
        }
        Scalar::Timestamp(i) => {
            w.u8(8);
            w.u64(*i as u64);
        }
        Scalar::Bytes(b) => {
            w.u8(9);
            w.blob(b);
        }
    }
}

impl Scalar {
    /// The word `s` as a [`Scalar::Word`]; panics for a word not in [`WORDS`].
    #[must_use]
    pub fn word(s: &str) -> Self {
        let n = WORDS
            .iter()
            .position(|w| *w == s)
            .unwrap_or_else(|| panic!("{s:?} is not in WORDS"));
        Self::Word(n as u8)
    }

    fn value(&self) -> ScalarValue {
        match self {
            Self::Word(n) => ScalarValue::Str(WORDS[usize::from(*n) % WORDS.len()].into()),
            Self::Str(s) => ScalarValue::Str(s.as_str().into()),
            Self::Int(i) => ScalarValue::Int(*i),
            Self::Uint(u) => ScalarValue::Uint(*u),
            Self::F64(bits) => ScalarValue::F64(f64::from_bits(*bits)),
            Self::Bool(b) => ScalarValue::Boolean(*b),
            Self::Null => ScalarValue::Null,
            // Counters and increments stay in i32 range, so 256 of them cannot overflow i64:
            // automerge 0.12 adds counter increments unchecked (op_set2/op.rs `fix_counter`,
            // value.rs `Counter::increment`), which panics with debug assertions on. That is
            // automerge's bug, not ours; see README.md.
            Self::Counter(i) => ScalarValue::counter(i64::from(*i as i32)),
            Self::Timestamp(i) => ScalarValue::Timestamp(*i),
            Self::Bytes(b) => ScalarValue::Bytes(b.clone()),
        }
    }
}

impl Key {
    /// The schema key `s` as a [`Key::Known`]; panics for a key not in [`KEYS`].
    #[must_use]
    pub fn known(s: &str) -> Self {
        let n = KEYS
            .iter()
            .position(|k| *k == s)
            .unwrap_or_else(|| panic!("{s:?} is not in KEYS"));
        Self::Known(n as u8)
    }
}

impl DocOp {
    fn read(r: &mut Reader<'_, '_>) -> Self {
        match r.u8() % OP_COUNT {
            0 => Self::Put {
                obj: r.u8(),
                key: read_key(r),
                value: read_scalar(r),
            },
            1 => Self::Make {
                obj: r.u8(),
                key: read_key(r),
                kind: r.u8(),
            },
            2 => Self::Insert {
                obj: r.u8(),
                index: r.u8(),
                value: read_scalar(r),
            },
            3 => Self::InsertObject {
                obj: r.u8(),
                index: r.u8(),
                kind: r.u8(),
            },
            4 => Self::Splice {
                obj: r.u8(),
                pos: r.u16(),
                delete: r.u8(),
                text: r.text(),
            },
            5 => Self::Delete {
                obj: r.u8(),
                key: read_key(r),
            },
            6 => Self::Increment {
                obj: r.u8(),
                key: read_key(r),
                by: r.u64() as i64,
            },
            7 => Self::Fork,
            8 => Self::Merge { from: r.u8() },
            9 => Self::Switch { to: r.u8() },
            _ => Self::Commit,
        }
    }

    fn write(&self, w: &mut Writer) {
        match self {
            Self::Put { obj, key, value } => {
                w.u8(0);
                w.u8(*obj);
                write_key(w, key);
                write_scalar(w, value);
            }
            Self::Make { obj, key, kind } => {
                w.u8(1);
                w.u8(*obj);
                write_key(w, key);
                w.u8(*kind);
            }
            Self::Insert { obj, index, value } => {
                w.u8(2);
                w.u8(*obj);
                w.u8(*index);
                write_scalar(w, value);
            }
            Self::InsertObject { obj, index, kind } => {
                w.u8(3);
                w.u8(*obj);
                w.u8(*index);
                w.u8(*kind);
            }
            Self::Splice {
                obj,
                pos,
                delete,
                text,
            } => {
                w.u8(4);
                w.u8(*obj);
                w.u16(*pos);
                w.u8(*delete);
                w.blob(text.as_bytes());
            }
            Self::Delete { obj, key } => {
                w.u8(5);
                w.u8(*obj);
                write_key(w, key);
            }
            Self::Increment { obj, key, by } => {
                w.u8(6);
                w.u8(*obj);
                write_key(w, key);
                w.u64(*by as u64);
            }
            Self::Fork => w.u8(7),
            Self::Merge { from } => {
                w.u8(8);
                w.u8(*from);
            }
            Self::Switch { to } => {
                w.u8(9);
                w.u8(*to);
            }
            Self::Commit => w.u8(10),
        }
    }
}

/// A whole structured `intake_reader` input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DocScript {
    /// The edits, in order.
    pub ops: Vec<DocOp>,
}

impl DocScript {
    /// The script as input bytes. Panics if they start with [`AUTOMERGE_MAGIC`] (a `Make` on
    /// object 0x6f could), since the target would load them as a saved document.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        for op in &self.ops {
            op.write(&mut w);
        }
        assert!(!w.0.starts_with(&AUTOMERGE_MAGIC));
        w.0
    }

    /// Plays the script on a fresh document and returns the current fork. Edits the document
    /// refuses are skipped.
    #[must_use]
    pub fn build(&self) -> AutoCommit {
        let mut forks = vec![AutoCommit::new().with_actor(ActorId::from(vec![0xa0]))];
        let mut current = 0;
        let mut objs: Vec<ObjId> = vec![ROOT];
        for op in &self.ops {
            let count = forks.len();
            let doc = &mut forks[current];
            let pick = |n: u8| objs[usize::from(n) % objs.len()].clone();
            match op {
                DocOp::Put { obj, key, value } => {
                    let obj = pick(*obj);
                    let counter = matches!(value, Scalar::Counter(_));
                    if counter && matches!(doc.object_type(&obj), Ok(ObjType::Text)) {
                        continue;
                    }
                    if let Some(prop) = prop(doc, &obj, key) {
                        let _ = doc.put(&obj, prop, value.value());
                    }
                }
                DocOp::Make { obj, key, kind } => {
                    let obj = pick(*obj);
                    if let Some(prop) = prop(doc, &obj, key)
                        && let Ok(made) = doc.put_object(&obj, prop, obj_type(*kind))
                    {
                        objs.push(made);
                    }
                }
                DocOp::Insert { obj, index, value } => {
                    let obj = pick(*obj);
                    // A counter inside a Text object trips automerge 0.12: a later `put` over it
                    // panics (op_set2/op.rs `hydrate_value`, "cant convert op into a value").
                    // That is automerge's bug, not ours (see README.md), so scripts never make one.
                    let counter = matches!(value, Scalar::Counter(_));
                    if counter && matches!(doc.object_type(&obj), Ok(ObjType::Text)) {
                        continue;
                    }
                    let at = usize::from(*index) % (doc.length(&obj) + 1);
                    let _ = doc.insert(&obj, at, value.value());
                }
                DocOp::InsertObject { obj, index, kind } => {
                    let obj = pick(*obj);
                    let at = usize::from(*index) % (doc.length(&obj) + 1);
                    if let Ok(made) = doc.insert_object(&obj, at, obj_type(*kind)) {
                        objs.push(made);
                    }
                }
                DocOp::Splice {
                    obj,
                    pos,
                    delete,
                    text,
                } => {
                    let obj = pick(*obj);
                    let len = doc.length(&obj);
                    let pos = usize::from(*pos) % (len + 1);
                    let delete = usize::from(*delete).min(len - pos);
                    let _ = doc.splice_text(&obj, pos, delete as isize, text);
                }
                DocOp::Delete { obj, key } => {
                    let obj = pick(*obj);
                    if let Some(prop) = prop(doc, &obj, key) {
                        let _ = doc.delete(&obj, prop);
                    }
                }
                DocOp::Increment { obj, key, by } => {
                    let obj = pick(*obj);
                    if let Some(prop) = prop(doc, &obj, key) {
                        let _ = doc.increment(&obj, prop, i64::from(*by as i32));
                    }
                }
                DocOp::Fork => {
                    if count < MAX_FORKS {
                        let fork = doc
                            .fork()
                            .with_actor(ActorId::from(vec![0xa0 + count as u8]));
                        forks.push(fork);
                        current = count;
                    }
                }
                DocOp::Merge { from } => {
                    let from = usize::from(*from) % count;
                    if from != current {
                        let mut other = forks[from].clone();
                        let _ = forks[current].merge(&mut other);
                    }
                }
                DocOp::Switch { to } => current = usize::from(*to) % count,
                DocOp::Commit => {
                    doc.commit();
                }
            }
        }
        forks.swap_remove(current)
    }
}

fn obj_type(kind: u8) -> ObjType {
    match kind % 3 {
        0 => ObjType::Map,
        1 => ObjType::List,
        _ => ObjType::Text,
    }
}

/// Where `key` points in `obj`: a map key, or an existing list index (`None` for an empty list).
fn prop(doc: &AutoCommit, obj: &ObjId, key: &Key) -> Option<Prop> {
    let is_map = matches!(doc.object_type(obj), Ok(ObjType::Map | ObjType::Table));
    if is_map {
        Some(match key {
            Key::Known(n) => Prop::Map(KEYS[usize::from(*n) % KEYS.len()].to_owned()),
            Key::Custom(s) => Prop::Map(s.clone()),
        })
    } else {
        let len = doc.length(obj);
        if len == 0 {
            return None;
        }
        Some(Prop::Seq(match key {
            Key::Known(n) => usize::from(*n) % len,
            Key::Custom(_) => 0,
        }))
    }
}

impl<'a> Arbitrary<'a> for DocScript {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut r = Reader(u);
        let mut ops = Vec::new();
        while !r.is_empty() && ops.len() < MAX_OPS {
            ops.push(DocOp::read(&mut r));
        }
        Ok(Self { ops })
    }
}
