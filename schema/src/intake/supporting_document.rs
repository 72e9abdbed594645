use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::NoKey;
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::{put_opt_bool, put_opt_str};

/// One supporting document of the certificate application (an item of `documents`, the
/// checklist of `RULES.md` section 9).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct SupportingDocument {
    /// A [`DocumentKind`](crate::DocumentKind) word.
    pub kind: Option<String>,
    /// Whether the clinic holds the document.
    pub present: Option<bool>,
    /// Free note (where it is, what is missing).
    pub note: Option<String>,
}

impl SupportingDocument {
    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            kind: r.string(obj, "kind", path)?,
            present: r.boolean(obj, "present", path)?,
            note: r.string(obj, "note", path)?,
        })
    }
}

hydrate_leniently!(SupportingDocument);

impl Reconcile for SupportingDocument {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_str(&mut m, "kind", self.kind.as_deref())?;
        put_opt_bool(&mut m, "present", self.present)?;
        put_opt_str(&mut m, "note", self.note.as_deref())?;
        Ok(())
    }
}
