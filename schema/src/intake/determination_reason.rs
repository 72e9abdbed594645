use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::NoKey;
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::put_opt_str;

/// One reason code with what a volunteer needs to act on it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct DeterminationReason {
    /// The reason code of `RULES.md`.
    pub code: String,
    /// `COVERED`, `INFO`, `HARD`, `FACT` or `REVIEW`.
    pub category: String,
    /// Plain-language explanation.
    pub explanation: String,
    /// The rule text applied.
    pub rule_text: String,
    /// For FACT codes: what to ask the client or which record to check.
    pub question: Option<String>,
}

impl DeterminationReason {
    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            code: r.string(obj, "code", path)?.unwrap_or_default(),
            category: r.string(obj, "category", path)?.unwrap_or_default(),
            explanation: r.string(obj, "explanation", path)?.unwrap_or_default(),
            rule_text: r.string(obj, "rule_text", path)?.unwrap_or_default(),
            question: r.string(obj, "question", path)?,
        })
    }
}

hydrate_leniently!(DeterminationReason);

impl Reconcile for DeterminationReason {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_str(&mut m, "code", Some(&self.code))?;
        put_opt_str(&mut m, "category", Some(&self.category))?;
        put_opt_str(&mut m, "explanation", Some(&self.explanation))?;
        put_opt_str(&mut m, "rule_text", Some(&self.rule_text))?;
        put_opt_str(&mut m, "question", self.question.as_deref())?;
        Ok(())
    }
}
