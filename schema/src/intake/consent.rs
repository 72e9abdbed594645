use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::NoKey;
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::{put_opt_bool, put_opt_str};

/// The client's consent and who submits the application (`consent` in the document).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Consent {
    /// Whether the client consented.
    pub given: Option<bool>,
    /// ISO date.
    pub given_on: Option<String>,
    /// A [`Submitter`](crate::Submitter) word: `self` or `helper`.
    pub submitter: Option<String>,
    /// The helper's name when a helper submits.
    pub helper_name: Option<String>,
}

impl Consent {
    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            given: r.boolean(obj, "given", path)?,
            given_on: r.string(obj, "given_on", path)?,
            submitter: r.string(obj, "submitter", path)?,
            helper_name: r.string(obj, "helper_name", path)?,
        })
    }
}

hydrate_leniently!(Consent);

impl Reconcile for Consent {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_bool(&mut m, "given", self.given)?;
        put_opt_str(&mut m, "given_on", self.given_on.as_deref())?;
        put_opt_str(&mut m, "submitter", self.submitter.as_deref())?;
        put_opt_str(&mut m, "helper_name", self.helper_name.as_deref())?;
        Ok(())
    }
}
