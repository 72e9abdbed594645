//! Keeps every user's index document current: after an intake commits, the pipeline queues its
//! view here, and one task writes it into the index document of every user who may open
//! the intake, through the hub (so connected devices receive it at once).
//!
//! It reads the pipeline's [`CoalescingQueue`]: at most one view per intake, the oldest dropped
//! when full. An index entry is derived data: a dropped entry is written again on the intake's
//! next change. Entries are only added and updated, never removed (nothing revokes access to an
//! intake yet).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, AutomergeError, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use fieldclinic_domain::clock::rfc3339_millis;
use fieldclinic_domain::{IntakeReach, Principal, intake_reach};
use fieldclinic_schema::DocumentId;
use fieldclinic_stores::accounts::{AccountStore, DocumentOwner, OwnedKind, User, UserId};
use fieldclinic_sync::{DocumentPolicy, Hub, Store};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::pipeline::{CoalescingQueue, IntakeView};

/// How long a burst of changes gathers before the index writes, so typing into an intake costs
/// one index write per window, not one per keystroke sync.
const COALESCE_WINDOW: Duration = Duration::from_millis(200);

/// What an index entry says about an intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeSummary {
    /// The client's legal name.
    pub legal_name: Option<String>,
    /// The determination's outcome, once the server evaluated the intake.
    pub outcome: Option<String>,
    /// Whether that outcome is provisional.
    pub provisional: bool,
    /// The supervisor's decision, or `none`.
    pub review_state: String,
    /// When the server committed the intake's latest change (RFC 3339, server clock).
    pub updated_at: String,
}

impl IntakeSummary {
    /// What the index says of a committed intake.
    #[must_use]
    pub fn of(view: &IntakeView) -> Self {
        Self {
            legal_name: view.intake.person.legal_name.clone(),
            outcome: view.outcome(),
            provisional: view.provisional(),
            review_state: view.review_state(),
            updated_at: rfc3339_millis(view.at_millis).unwrap_or_default(),
        }
    }
}

/// A committed intake's new summary.
#[derive(Debug, Clone)]
struct IndexUpdate {
    doc: DocumentId,
    summary: IntakeSummary,
    owner: Option<DocumentOwner>,
}

/// The running index writer.
#[derive(Debug)]
pub struct Indexer {
    queue: CoalescingQueue<Arc<IntakeView>>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Indexer {
    /// Starts writing what `queue` receives into index documents through `hub`.
    pub fn start<S, P>(queue: CoalescingQueue<Arc<IntakeView>>, hub: Hub<S, P>) -> Self
    where
        S: Store + AccountStore,
        P: DocumentPolicy,
    {
        let stop = CancellationToken::new();
        let task = tokio::spawn(
            run(queue.clone(), hub, stop.clone()).instrument(tracing::info_span!("indexer")),
        );
        Self { queue, stop, task }
    }

    /// Refuses further updates, writes the waiting ones and stops. Call it while the hub still
    /// runs, once devices can no longer write.
    pub async fn shutdown(self) {
        self.queue.close();
        self.stop.cancel();
        if let Err(e) = self.task.await {
            tracing::error!(error.message = %e, "indexer task failed");
        }
    }
}

async fn run<S, P>(queue: CoalescingQueue<Arc<IntakeView>>, hub: Hub<S, P>, stop: CancellationToken)
where
    S: Store + AccountStore,
    P: DocumentPolicy,
{
    loop {
        tokio::select! {
            () = queue.notified() => {
                tokio::select! {
                    () = tokio::time::sleep(COALESCE_WINDOW) => {}
                    () = stop.cancelled() => {}
                }
            }
            () = stop.cancelled() => {}
        }
        for (doc, view) in queue.take().items {
            let update = IndexUpdate {
                doc,
                summary: IntakeSummary::of(&view),
                owner: view.owner.clone(),
            };
            if let Err(e) = index(&hub, &update).await {
                tracing::error!(
                    doc.id = %update.doc,
                    error.cause_chain = ?e,
                    error.message = %e,
                    "index update failed"
                );
            }
        }
        if stop.is_cancelled() && queue.is_empty() {
            return;
        }
    }
}

/// Writes one intake's entry into the index of everyone who may open it.
async fn index<S, P>(hub: &Hub<S, P>, update: &IndexUpdate) -> anyhow::Result<()>
where
    S: Store + AccountStore,
    P: DocumentPolicy,
{
    let store = hub.store();
    let owner = match &update.owner {
        Some(owner) => Some(owner.clone()),
        None => store
            .document_owner(&update.doc)
            .await
            .context("Failed to read the intake's owner")?,
    };
    let Some(owner) = owner else {
        return Ok(());
    };
    if owner.kind != OwnedKind::Intake {
        return Ok(());
    }
    let users = store
        .clinic_users(&owner.clinic_id)
        .await
        .context("Failed to list the clinic's users")?;
    let assignees = store
        .assignees(&owner.doc)
        .await
        .context("Failed to list the intake's assignees")?;
    let url = update.doc.url();
    for user in users.iter().filter(|u| may_open(u, &owner, &assignees)) {
        let (url, doc, summary) = (url.clone(), update.doc, update.summary.clone());
        match hub
            .change_document(user.index_doc, move |d| {
                write_entry(d, &url, &doc, &summary)
            })
            .await
        {
            Ok(Ok(written)) => {
                tracing::debug!(doc.id = %update.doc, user.id = %user.id, written, "index entry");
            }
            Ok(Err(e)) => {
                tracing::error!(user.id = %user.id, error.message = %e, "index entry not written");
            }
            Err(e) => {
                tracing::warn!(user.id = %user.id, error.message = %e, "index document not written");
            }
        }
    }
    Ok(())
}

fn may_open(user: &User, owner: &DocumentOwner, assignees: &[UserId]) -> bool {
    let who = Principal {
        user_id: user.id,
        clinic_id: user.clinic_id,
        role: user.role,
        device_id: None,
        session: None,
        remote_addr: None,
    };
    match intake_reach(&who, owner) {
        IntakeReach::Always => true,
        IntakeReach::IfAssigned => assignees.contains(&user.id),
        IntakeReach::Never => false,
    }
}

/// Sets `intakes[url]` to the summary, writing only the fields that differ; commits and returns
/// `true` when anything changed.
fn write_entry(
    doc: &mut AutoCommit,
    url: &str,
    id: &DocumentId,
    summary: &IntakeSummary,
) -> Result<bool, AutomergeError> {
    let result = put_entry(doc, url, id, summary);
    if result.is_err() {
        // Nothing half-written may reach the hub's commit.
        doc.rollback();
    }
    result?;
    if doc.pending_ops() == 0 {
        return Ok(false);
    }
    doc.commit_with(
        CommitOptions::default()
            .with_message("fieldclinic: index".to_owned())
            .with_time(fieldclinic_domain::clock::now_seconds()),
    );
    Ok(true)
}

fn put_entry(
    doc: &mut AutoCommit,
    url: &str,
    id: &DocumentId,
    summary: &IntakeSummary,
) -> Result<(), AutomergeError> {
    let intakes = match doc.get(ROOT, "intakes")? {
        Some((Value::Object(ObjType::Map), obj)) => obj,
        _ => doc.put_object(ROOT, "intakes", ObjType::Map)?,
    };
    let entry = match doc.get(&intakes, url)? {
        Some((Value::Object(ObjType::Map), obj)) => obj,
        _ => doc.put_object(&intakes, url, ObjType::Map)?,
    };
    let text = |s: Option<&str>| s.map_or(ScalarValue::Null, |s| ScalarValue::Str(s.into()));
    let fields = [
        ("document_id", ScalarValue::Str(id.to_string().into())),
        ("legal_name", text(summary.legal_name.as_deref())),
        ("outcome", text(summary.outcome.as_deref())),
        ("provisional", ScalarValue::Boolean(summary.provisional)),
        (
            "review_state",
            ScalarValue::Str(summary.review_state.as_str().into()),
        ),
        (
            "updated_at",
            ScalarValue::Str(summary.updated_at.as_str().into()),
        ),
    ];
    for (key, want) in fields {
        let same = matches!(doc.get(&entry, key)?, Some((Value::Scalar(v), _)) if *v == want);
        if !same {
            doc.put(&entry, key, want)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(outcome: &str) -> IntakeSummary {
        IntakeSummary {
            legal_name: Some("Ana Diaz".into()),
            outcome: Some(outcome.into()),
            provisional: false,
            review_state: "none".into(),
            updated_at: "2025-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn an_unchanged_entry_makes_no_change() {
        let mut doc = AutoCommit::new();
        let id = DocumentId::random();
        let first = write_entry(&mut doc, &id.url(), &id, &summary("ELIGIBLE")).expect("first");
        let heads = doc.get_heads();
        let again = write_entry(&mut doc, &id.url(), &id, &summary("ELIGIBLE")).expect("again");
        assert!(first && !again);
        assert_eq!(doc.get_heads(), heads);
    }

    #[test]
    fn only_the_differing_field_is_written() {
        let mut doc = AutoCommit::new();
        let id = DocumentId::random();
        write_entry(&mut doc, &id.url(), &id, &summary("NEEDS_MORE_INFO")).expect("first");
        let before = doc.get_heads();
        write_entry(&mut doc, &id.url(), &id, &summary("ELIGIBLE")).expect("second");
        let changes = doc.get_changes(&before);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].len(), 1, "one operation: the outcome");
    }

    #[test]
    fn documents_that_are_not_intakes_have_no_view() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "kind", "index").expect("put");
        assert!(IntakeView::read(DocumentId::random(), &mut doc).is_none());
    }
}
