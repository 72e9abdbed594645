use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::NoKey;
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::{put_opt_str, put_strings};

/// The supervisor's decision (`review` in the document), written by the server from the review
/// API through [`write_review`](crate::write_review).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Review {
    /// `approved`, `needs_info` or `rejected`.
    pub decision: String,
    /// The supervisor's message to the volunteer.
    pub message: Option<String>,
    /// Field paths the message is about.
    pub fields: Vec<String>,
    /// Who reviewed.
    pub reviewer: Option<String>,
    /// RFC 3339.
    pub reviewed_at: String,
}

impl Review {
    /// The words `decision` may hold.
    pub const DECISIONS: &'static [&'static str] = &["approved", "needs_info", "rejected"];

    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            decision: r.string(obj, "decision", path)?.unwrap_or_default(),
            message: r.string(obj, "message", path)?,
            fields: r.strings(obj, "fields", path)?,
            reviewer: r.string(obj, "reviewer", path)?,
            reviewed_at: r.string(obj, "reviewed_at", path)?.unwrap_or_default(),
        })
    }
}

hydrate_leniently!(Review);

impl Reconcile for Review {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_str(&mut m, "decision", Some(&self.decision))?;
        put_opt_str(&mut m, "message", self.message.as_deref())?;
        put_strings(&mut m, "fields", &self.fields)?;
        put_opt_str(&mut m, "reviewer", self.reviewer.as_deref())?;
        put_opt_str(&mut m, "reviewed_at", Some(&self.reviewed_at))?;
        Ok(())
    }
}
