use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::NoKey;
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::{put_opt_str, put_opt_u64, put_strings};

/// The result for one offense.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct OffenseDetermination {
    /// The offense's position in `offenses` when evaluated.
    pub index: u64,
    /// The offense's `id`, when it has one.
    pub offense_id: Option<String>,
    /// `ELIGIBLE`, `NOT_ELIGIBLE` or `NEEDS_MORE_INFO`.
    pub outcome: String,
    /// The proclamations covering the offense.
    pub proclamations: Vec<String>,
    /// Reason codes.
    pub reasons: Vec<String>,
    /// The citations the offense's citation resolved to.
    pub canonical_citations: Vec<String>,
    /// The offense family the citation belongs to.
    pub family: Option<String>,
}

impl OffenseDetermination {
    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            index: r.uint(obj, "index", path)?.unwrap_or_default(),
            offense_id: r.string(obj, "offense_id", path)?,
            outcome: r.string(obj, "outcome", path)?.unwrap_or_default(),
            proclamations: r.strings(obj, "proclamations", path)?,
            reasons: r.strings(obj, "reasons", path)?,
            canonical_citations: r.strings(obj, "canonical_citations", path)?,
            family: r.string(obj, "family", path)?,
        })
    }
}

hydrate_leniently!(OffenseDetermination);

impl Reconcile for OffenseDetermination {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_u64(&mut m, "index", Some(self.index))?;
        put_opt_str(&mut m, "offense_id", self.offense_id.as_deref())?;
        put_opt_str(&mut m, "outcome", Some(&self.outcome))?;
        put_strings(&mut m, "proclamations", &self.proclamations)?;
        put_strings(&mut m, "reasons", &self.reasons)?;
        put_strings(&mut m, "canonical_citations", &self.canonical_citations)?;
        put_opt_str(&mut m, "family", self.family.as_deref())?;
        Ok(())
    }
}
