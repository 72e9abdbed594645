//! Lenient reading of intake documents.
//!
//! Devices write what their UI holds, so a field may be missing, `null`, a scalar string or a Text
//! object (JS automerge writes strings as Text by default, see `sync/PROTOCOL.md` section 8.3), and
//! an older or buggy client may put a number where a string belongs. Reading never fails on such
//! values: a value of the wrong kind reads as absent and, when the caller asks for it, is recorded
//! as a [`FieldProblem`] so `validate_document` can report it. Only automerge failures are errors.

use std::fmt;

use automerge::{AutomergeError, ObjId, ObjType, Prop, ScalarValue, Value};

use crate::validation::{FieldProblem, ProblemKind};

/// The few read operations the reader needs, so the same code serves `automerge::ReadDoc` (the
/// public `read_intake`) and `autosurgeon::ReadDoc` (the `Hydrate` impls).
pub(crate) trait Source {
    fn value(&self, obj: &ObjId, prop: Prop) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError>;
    fn text(&self, obj: &ObjId) -> Result<String, AutomergeError>;
    fn length(&self, obj: &ObjId) -> usize;
}

/// An `automerge::ReadDoc` as a [`Source`].
pub(crate) struct AmDoc<'d, D: ?Sized>(pub(crate) &'d D);

impl<D: automerge::ReadDoc + ?Sized> Source for AmDoc<'_, D> {
    fn value(&self, obj: &ObjId, prop: Prop) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError> {
        self.0.get(obj, prop)
    }
    fn text(&self, obj: &ObjId) -> Result<String, AutomergeError> {
        self.0.text(obj)
    }
    fn length(&self, obj: &ObjId) -> usize {
        self.0.length(obj)
    }
}

/// An `autosurgeon::ReadDoc` as a [`Source`].
pub(crate) struct SurgeonDoc<'d, D>(pub(crate) &'d D);

impl<D: autosurgeon::ReadDoc> Source for SurgeonDoc<'_, D> {
    fn value(&self, obj: &ObjId, prop: Prop) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError> {
        self.0.get(obj, prop)
    }
    fn text(&self, obj: &ObjId) -> Result<String, AutomergeError> {
        self.0.text(obj)
    }
    fn length(&self, obj: &ObjId) -> usize {
        self.0.length(obj)
    }
}

/// Where a value sits in the document, rendered only when a problem is recorded so that plain
/// reads allocate nothing for paths.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Path<'p> {
    Root,
    Key(&'p Path<'p>, &'static str),
    Index(&'p Path<'p>, usize),
}

impl<'p> Path<'p> {
    pub(crate) fn key(&'p self, key: &'static str) -> Self {
        Self::Key(self, key)
    }

    pub(crate) fn index(&'p self, index: usize) -> Self {
        Self::Index(self, index)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root => Ok(()),
            Self::Key(Self::Root, key) => f.write_str(key),
            Self::Key(parent, key) => write!(f, "{parent}.{key}"),
            Self::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// What one slot of the document holds.
enum Slot {
    Absent,
    Str(String),
    Text(ObjId),
    Map(ObjId),
    List(ObjId),
    Bool(bool),
    Int(i64),
    Uint(u64),
    F64(f64),
    Other(&'static str),
}

impl Slot {
    /// The kind as a problem report names it, and the value when it prints usefully.
    fn describe(&self) -> (&'static str, Option<String>) {
        match self {
            Self::Absent => ("null", None),
            Self::Str(s) => ("string", Some(s.clone())),
            Self::Text(_) => ("text", None),
            Self::Map(_) => ("map", None),
            Self::List(_) => ("list", None),
            Self::Bool(b) => ("boolean", Some(b.to_string())),
            Self::Int(i) => ("number", Some(i.to_string())),
            Self::Uint(u) => ("number", Some(u.to_string())),
            Self::F64(x) => ("number", Some(x.to_string())),
            Self::Other(kind) => (kind, None),
        }
    }
}

/// The largest integer an f64 holds exactly (2^53); JS devices write numbers as f64.
const MAX_EXACT_F64: f64 = 9_007_199_254_740_992.0;

/// Reads typed values out of a document, recording wrong-kind values when asked to.
pub(crate) struct Reader<'s, S> {
    src: &'s S,
    problems: Option<Vec<FieldProblem>>,
}

impl<'s, S: Source> Reader<'s, S> {
    /// A reader that drops wrong-kind values silently.
    pub(crate) fn lenient(src: &'s S) -> Self {
        Self {
            src,
            problems: None,
        }
    }

    /// A reader that records wrong-kind values; see [`Self::into_problems`].
    pub(crate) fn recording(src: &'s S) -> Self {
        Self {
            src,
            problems: Some(Vec::new()),
        }
    }

    pub(crate) fn into_problems(self) -> Vec<FieldProblem> {
        self.problems.unwrap_or_default()
    }

    fn slot(&self, obj: &ObjId, prop: Prop) -> Result<Slot, AutomergeError> {
        Ok(match self.src.value(obj, prop)? {
            None => Slot::Absent,
            Some((Value::Object(ObjType::Map | ObjType::Table), id)) => Slot::Map(id),
            Some((Value::Object(ObjType::List), id)) => Slot::List(id),
            Some((Value::Object(ObjType::Text), id)) => Slot::Text(id),
            Some((Value::Scalar(scalar), _)) => match scalar.as_ref() {
                ScalarValue::Null => Slot::Absent,
                ScalarValue::Str(s) => Slot::Str(s.to_string()),
                ScalarValue::Boolean(b) => Slot::Bool(*b),
                ScalarValue::Int(i) => Slot::Int(*i),
                ScalarValue::Uint(u) => Slot::Uint(*u),
                ScalarValue::F64(x) => Slot::F64(*x),
                ScalarValue::Counter(_) => Slot::Other("counter"),
                ScalarValue::Timestamp(_) => Slot::Other("timestamp"),
                ScalarValue::Bytes(_) => Slot::Other("bytes"),
                ScalarValue::Unknown { .. } => Slot::Other("unknown scalar"),
            },
        })
    }

    fn wrong_kind(&mut self, path: &Path<'_>, expected: &'static str, slot: &Slot) {
        if let Some(problems) = &mut self.problems {
            let (found, value) = slot.describe();
            problems.push(FieldProblem {
                path: path.to_string(),
                problem: ProblemKind::WrongKind { expected, found },
                value,
            });
        }
    }

    /// A string field: missing and `null` are `None`; a scalar string or a Text object is the
    /// string; anything else is `None` and recorded.
    pub(crate) fn string(
        &mut self,
        obj: &ObjId,
        key: &'static str,
        parent: &Path<'_>,
    ) -> Result<Option<String>, AutomergeError> {
        self.string_at(obj, key.into(), &parent.key(key))
    }

    fn string_at(
        &mut self,
        obj: &ObjId,
        prop: Prop,
        path: &Path<'_>,
    ) -> Result<Option<String>, AutomergeError> {
        match self.slot(obj, prop)? {
            Slot::Absent => Ok(None),
            Slot::Str(s) => Ok(Some(s)),
            Slot::Text(id) => self.src.text(&id).map(Some),
            other => {
                self.wrong_kind(path, "string", &other);
                Ok(None)
            }
        }
    }

    /// A boolean field.
    pub(crate) fn boolean(
        &mut self,
        obj: &ObjId,
        key: &'static str,
        parent: &Path<'_>,
    ) -> Result<Option<bool>, AutomergeError> {
        match self.slot(obj, key.into())? {
            Slot::Absent => Ok(None),
            Slot::Bool(b) => Ok(Some(b)),
            other => {
                self.wrong_kind(&parent.key(key), "boolean", &other);
                Ok(None)
            }
        }
    }

    /// A non-negative integer written as int, uint or a whole f64.
    pub(crate) fn uint(
        &mut self,
        obj: &ObjId,
        key: &'static str,
        parent: &Path<'_>,
    ) -> Result<Option<u64>, AutomergeError> {
        let slot = self.slot(obj, key.into())?;
        let value = match slot {
            Slot::Absent => return Ok(None),
            Slot::Uint(u) => Some(u),
            Slot::Int(i) => u64::try_from(i).ok(),
            // The range check makes the cast exact: a whole number in 0..=2^53.
            Slot::F64(x) if x.fract() == 0.0 && (0.0..=MAX_EXACT_F64).contains(&x) => {
                Some(x as u64)
            }
            _ => None,
        };
        if value.is_none() {
            self.wrong_kind(&parent.key(key), "non-negative integer", &slot);
        }
        Ok(value)
    }

    /// A list of strings; items of another kind are skipped and recorded, `null` items skipped.
    pub(crate) fn strings(
        &mut self,
        obj: &ObjId,
        key: &'static str,
        parent: &Path<'_>,
    ) -> Result<Vec<String>, AutomergeError> {
        let path = parent.key(key);
        let Some(list) = self.list(obj, key, parent)? else {
            return Ok(Vec::new());
        };
        let len = self.src.length(&list);
        let mut items = Vec::with_capacity(len);
        for index in 0..len {
            if let Some(s) = self.string_at(&list, index.into(), &path.index(index))? {
                items.push(s);
            }
        }
        Ok(items)
    }

    /// A nested map, or `None` when absent or of another kind (recorded).
    pub(crate) fn map(
        &mut self,
        obj: &ObjId,
        key: &'static str,
        parent: &Path<'_>,
    ) -> Result<Option<ObjId>, AutomergeError> {
        self.map_at(obj, key.into(), &parent.key(key))
    }

    /// The map at any property (a map key or a list index).
    pub(crate) fn map_at(
        &mut self,
        obj: &ObjId,
        prop: Prop,
        path: &Path<'_>,
    ) -> Result<Option<ObjId>, AutomergeError> {
        match self.slot(obj, prop)? {
            Slot::Absent => Ok(None),
            Slot::Map(id) => Ok(Some(id)),
            other => {
                self.wrong_kind(path, "map", &other);
                Ok(None)
            }
        }
    }

    fn list(
        &mut self,
        obj: &ObjId,
        key: &'static str,
        parent: &Path<'_>,
    ) -> Result<Option<ObjId>, AutomergeError> {
        match self.slot(obj, key.into())? {
            Slot::Absent => Ok(None),
            Slot::List(id) => Ok(Some(id)),
            other => {
                self.wrong_kind(&parent.key(key), "list", &other);
                Ok(None)
            }
        }
    }

    /// A list of records read by `read`; items that are not maps are skipped and recorded, so one
    /// broken item does not hide the others.
    pub(crate) fn records<T>(
        &mut self,
        obj: &ObjId,
        key: &'static str,
        parent: &Path<'_>,
        read: impl Fn(&mut Self, &ObjId, &Path<'_>) -> Result<T, AutomergeError>,
    ) -> Result<Vec<T>, AutomergeError> {
        let path = parent.key(key);
        let Some(list) = self.list(obj, key, parent)? else {
            return Ok(Vec::new());
        };
        let len = self.src.length(&list);
        let mut items = Vec::with_capacity(len);
        for index in 0..len {
            let item_path = path.index(index);
            if let Some(item) = self.map_at(&list, index.into(), &item_path)? {
                items.push(read(self, &item, &item_path)?);
            }
        }
        Ok(items)
    }
}

/// Implements `autosurgeon::Hydrate` through the lenient reader: a value that is not a map
/// hydrates as the type's default instead of failing the whole document.
macro_rules! hydrate_leniently {
    ($($ty:ty),+ $(,)?) => {$(
        impl autosurgeon::Hydrate for $ty {
            fn hydrate<D: autosurgeon::ReadDoc>(
                doc: &D,
                obj: &automerge::ObjId,
                prop: autosurgeon::Prop<'_>,
            ) -> Result<Self, autosurgeon::HydrateError> {
                let src = $crate::intake::read::SurgeonDoc(doc);
                let mut reader = $crate::intake::read::Reader::lenient(&src);
                let root = $crate::intake::read::Path::Root;
                match reader.map_at(obj, (&prop).into(), &root)? {
                    Some(map) => Ok(Self::read_from(&mut reader, &map, &root)?),
                    None => Ok(Self::default()),
                }
            }

            fn hydrate_map<D: autosurgeon::ReadDoc>(
                doc: &D,
                obj: &automerge::ObjId,
            ) -> Result<Self, autosurgeon::HydrateError> {
                let src = $crate::intake::read::SurgeonDoc(doc);
                let mut reader = $crate::intake::read::Reader::lenient(&src);
                Ok(Self::read_from(&mut reader, obj, &$crate::intake::read::Path::Root)?)
            }
        }
    )+};
}

pub(crate) use hydrate_leniently;

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT};
    use claims::{assert_none, assert_ok};

    use super::*;
    use crate::{Intake, Person};

    fn read<T>(doc: &AutoCommit, f: impl FnOnce(&mut Reader<'_, AmDoc<'_, AutoCommit>>) -> T) -> T {
        let src = AmDoc(doc);
        let mut reader = Reader::lenient(&src);
        f(&mut reader)
    }

    #[test]
    fn paths_render_as_dotted_keys_and_bracketed_indices() {
        let root = Path::Root;
        let offenses = root.key("offenses");
        let third = offenses.index(2);
        assert_eq!(third.key("conduct").to_string(), "offenses[2].conduct");
        assert_eq!(
            root.key("person").key("date_of_birth").to_string(),
            "person.date_of_birth"
        );
    }

    #[test]
    fn a_missing_key_null_a_string_and_a_text_all_read() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "null", ()).unwrap();
        doc.put(ROOT, "scalar", "plain").unwrap();
        let text = doc.put_object(ROOT, "text", ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, "typed").unwrap();
        read(&doc, |r| {
            assert_none!(r.string(&ROOT, "missing", &Path::Root).unwrap());
            assert_none!(r.string(&ROOT, "null", &Path::Root).unwrap());
            assert_eq!(
                r.string(&ROOT, "scalar", &Path::Root).unwrap().as_deref(),
                Some("plain")
            );
            assert_eq!(
                r.string(&ROOT, "text", &Path::Root).unwrap().as_deref(),
                Some("typed")
            );
        });
    }

    #[test]
    fn a_version_reads_from_int_uint_and_whole_f64_only() {
        let mut doc = AutoCommit::new();
        for (key, value) in [
            ("int", ScalarValue::Int(1)),
            ("uint", ScalarValue::Uint(1)),
            ("f64", ScalarValue::F64(1.0)),
            ("negative", ScalarValue::Int(-1)),
            ("fraction", ScalarValue::F64(1.5)),
            ("string", ScalarValue::Str("1".into())),
        ] {
            doc.put(ROOT, key, value).unwrap();
        }
        read(&doc, |r| {
            for key in ["int", "uint", "f64"] {
                assert_eq!(r.uint(&ROOT, key, &Path::Root).unwrap(), Some(1), "{key}");
            }
            for key in ["negative", "fraction", "string"] {
                assert_none!(r.uint(&ROOT, key, &Path::Root).unwrap(), "{key}");
            }
        });
    }

    #[test]
    fn list_items_may_be_text_or_scalar_and_nulls_are_skipped() {
        let mut doc = AutoCommit::new();
        let list = doc.put_object(ROOT, "names", ObjType::List).unwrap();
        doc.insert(&list, 0, "plain").unwrap();
        doc.insert(&list, 1, ()).unwrap();
        let text = doc.insert_object(&list, 2, ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, "typed").unwrap();
        let names = read(&doc, |r| r.strings(&ROOT, "names", &Path::Root).unwrap());
        assert_eq!(names, ["plain", "typed"]);
    }

    #[test]
    fn a_string_where_a_section_belongs_hydrates_as_an_empty_section() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "kind", "intake").unwrap();
        doc.put(ROOT, "person", "Ana").unwrap();
        doc.put(ROOT, "offenses", 3_i64).unwrap();
        let intake: Intake = assert_ok!(autosurgeon::hydrate(&doc));
        assert_eq!(intake.person, Person::default());
        assert!(intake.offenses.is_empty());
        let person: Person = assert_ok!(autosurgeon::hydrate_prop(&doc, &ROOT, "person"));
        assert_eq!(person, Person::default());
    }

    #[test]
    fn only_a_recording_reader_keeps_problems() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "notes", 4_i64).unwrap();
        let src = AmDoc(&doc);
        let mut lenient = Reader::lenient(&src);
        assert_none!(lenient.string(&ROOT, "notes", &Path::Root).unwrap());
        assert!(lenient.into_problems().is_empty());
        let mut recording = Reader::recording(&src);
        assert_none!(recording.string(&ROOT, "notes", &Path::Root).unwrap());
        assert_eq!(recording.into_problems().len(), 1);
    }
}
