use automerge::{AutomergeError, ObjId};
use autosurgeon::reconcile::NoKey;
use autosurgeon::{Reconcile, Reconciler};

use super::read::{Path, Reader, Source, hydrate_leniently};
use super::write::{put_opt_bool, put_opt_str, put_records, put_strings};
use super::{ChecklistItem, DeterminationReason, OffenseDetermination};

/// The server's eligibility result (`determination` in the document; only the server writes it,
/// through [`write_determination`](crate::write_determination)).
///
/// Its string fields are not optional because the server always writes them; a missing or
/// malformed value reads as an empty string.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Determination {
    /// `ELIGIBLE`, `NOT_ELIGIBLE` or `NEEDS_MORE_INFO`.
    pub outcome: String,
    /// `"10467"`, `"10688"`.
    pub proclamations: Vec<String>,
    /// True while a legally relevant conflict is open.
    pub provisional: bool,
    /// The paths of the fields with open legal conflicts (see
    /// [`legal_conflicts`](crate::legal_conflicts)), so a device can show what awaits a
    /// supervisor.
    pub open_conflicts: Vec<String>,
    /// The reason codes of the result.
    pub reasons: Vec<DeterminationReason>,
    /// The result per offense.
    pub offenses: Vec<OffenseDetermination>,
    /// Certificate checklist items still missing (RULES.md section 9).
    pub missing_items: Vec<ChecklistItem>,
    /// The version of the rules applied.
    pub rules_version: String,
    /// Hex SHA-256 of the rules inputs.
    pub input_hash: String,
    /// RFC 3339 time of evaluation.
    pub evaluated_at: String,
}

impl Determination {
    /// The words `outcome` may hold.
    pub const OUTCOMES: &'static [&'static str] = &["ELIGIBLE", "NOT_ELIGIBLE", "NEEDS_MORE_INFO"];

    pub(crate) fn read_from<S: Source>(
        r: &mut Reader<'_, S>,
        obj: &ObjId,
        path: &Path<'_>,
    ) -> Result<Self, AutomergeError> {
        Ok(Self {
            outcome: r.string(obj, "outcome", path)?.unwrap_or_default(),
            proclamations: r.strings(obj, "proclamations", path)?,
            provisional: r.boolean(obj, "provisional", path)?.unwrap_or_default(),
            open_conflicts: r.strings(obj, "open_conflicts", path)?,
            reasons: r.records(obj, "reasons", path, DeterminationReason::read_from)?,
            offenses: r.records(obj, "offenses", path, OffenseDetermination::read_from)?,
            missing_items: r.records(obj, "missing_items", path, ChecklistItem::read_from)?,
            rules_version: r.string(obj, "rules_version", path)?.unwrap_or_default(),
            input_hash: r.string(obj, "input_hash", path)?.unwrap_or_default(),
            evaluated_at: r.string(obj, "evaluated_at", path)?.unwrap_or_default(),
        })
    }
}

hydrate_leniently!(Determination);

impl Reconcile for Determination {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        let mut m = reconciler.map()?;
        put_opt_str(&mut m, "outcome", Some(&self.outcome))?;
        put_strings(&mut m, "proclamations", &self.proclamations)?;
        put_opt_bool(&mut m, "provisional", Some(self.provisional))?;
        put_strings(&mut m, "open_conflicts", &self.open_conflicts)?;
        put_records(&mut m, "reasons", &self.reasons)?;
        put_records(&mut m, "offenses", &self.offenses)?;
        put_records(&mut m, "missing_items", &self.missing_items)?;
        put_opt_str(&mut m, "rules_version", Some(&self.rules_version))?;
        put_opt_str(&mut m, "input_hash", Some(&self.input_hash))?;
        put_opt_str(&mut m, "evaluated_at", Some(&self.evaluated_at))?;
        Ok(())
    }
}
