use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::NoKey;
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::{put_opt_bool, put_opt_str};

/// A missing item of the certificate application checklist.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ChecklistItem {
    /// Stable key, e.g. `date_of_birth`, `offenses[0].docket_number`, `documents.charging_document`.
    pub key: String,
    /// What to show a volunteer.
    pub label: String,
    /// Whether the application needs it (otherwise "if possible").
    pub required: bool,
}

impl ChecklistItem {
    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            key: r.string(obj, "key", path)?.unwrap_or_default(),
            label: r.string(obj, "label", path)?.unwrap_or_default(),
            required: r.boolean(obj, "required", path)?.unwrap_or_default(),
        })
    }
}

hydrate_leniently!(ChecklistItem);

impl Reconcile for ChecklistItem {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_str(&mut m, "key", Some(&self.key))?;
        put_opt_str(&mut m, "label", Some(&self.label))?;
        put_opt_bool(&mut m, "required", Some(self.required))?;
        Ok(())
    }
}
