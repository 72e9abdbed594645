use automerge::{AutoCommit, ChangeHash, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use fieldclinic_domain::DocumentOwner;
use fieldclinic_eligibility::missing_checklist_items;
use fieldclinic_schema::{
    ChecklistItem, DocumentId, FieldConflict, Intake, legal_conflicts, read_intake,
};

/// A committed intake as everything downstream of a commit sees it, read from the document once:
/// the eligibility write-back, the users' index documents and the case index all use this.
#[derive(Debug, Clone)]
pub struct IntakeView {
    /// The document.
    pub doc: DocumentId,
    /// The intake, with the determination the server wrote (if any).
    pub intake: Intake,
    /// Certificate checklist items still missing.
    pub missing_items: Vec<ChecklistItem>,
    /// Legal fields holding concurrent values nobody has chosen between.
    pub conflicts: Vec<FieldConflict>,
    /// The document's heads when it was read (the write-back's change included).
    pub heads: Vec<ChangeHash>,
    /// When it was read, just before its write commits (milliseconds, server clock).
    pub at_millis: i64,
    /// Its owner, when the access checks already read it (workers read it otherwise).
    pub owner: Option<DocumentOwner>,
}

#[cfg(test)]
thread_local! {
    /// Intakes read on this thread, so a test can prove a commit reads its intake once.
    pub(crate) static READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl IntakeView {
    /// The view of `doc`, or `None` when it is not an intake. The document's kind is looked at
    /// first, so index documents (which the server writes through the same hub) are skipped
    /// without being read as intakes.
    #[must_use]
    pub fn read(doc_id: DocumentId, doc: &mut AutoCommit) -> Option<Self> {
        if !is_intake(doc) {
            return None;
        }
        #[cfg(test)]
        READS.with(|n| n.set(n.get() + 1));
        let intake = read_intake(doc).ok()?;
        Some(Self {
            doc: doc_id,
            missing_items: missing_checklist_items(&intake),
            conflicts: legal_conflicts(doc),
            intake,
            heads: doc.get_heads(),
            at_millis: fieldclinic_domain::clock::now_millis(),
            owner: None,
        })
    }
}

impl IntakeView {
    /// The determination's outcome, once the server evaluated the intake.
    #[must_use]
    pub fn outcome(&self) -> Option<String> {
        self.intake
            .determination
            .as_ref()
            .map(|d| d.outcome.clone())
            .filter(|o| !o.is_empty())
    }

    /// Whether that outcome is provisional.
    #[must_use]
    pub fn provisional(&self) -> bool {
        self.intake
            .determination
            .as_ref()
            .is_some_and(|d| d.provisional)
    }

    /// The supervisor's decision, or `none`.
    #[must_use]
    pub fn review_state(&self) -> String {
        self.intake
            .review
            .as_ref()
            .map(|r| r.decision.clone())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "none".to_owned())
    }
}

/// Whether the document says it is an intake. JS clients write strings as text objects, the
/// Rust ones as scalar strings; both count.
fn is_intake(doc: &AutoCommit) -> bool {
    match doc.get(ROOT, "kind") {
        Ok(Some((Value::Scalar(v), _))) => {
            matches!(v.as_ref(), ScalarValue::Str(s) if s.as_str() == Intake::KIND)
        }
        Ok(Some((Value::Object(ObjType::Text), text))) => {
            doc.text(&text).is_ok_and(|s| s == Intake::KIND)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;

    use super::*;

    #[test]
    fn a_kind_written_as_text_by_a_js_client_is_an_intake() {
        let mut doc = AutoCommit::new();
        let kind = doc.put_object(ROOT, "kind", ObjType::Text).expect("text");
        doc.splice_text(&kind, 0, 0, Intake::KIND).expect("splice");

        assert!(IntakeView::read(DocumentId::random(), &mut doc).is_some());
    }

    #[test]
    fn a_document_of_another_kind_is_not_read() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "kind", "index").expect("put");

        assert!(IntakeView::read(DocumentId::random(), &mut doc).is_none());
    }
}
