//! Keeps every user's index document current: after an intake commits, the policy queues a
//! short summary here, and one task writes it into the index document of every user who may open
//! the intake, through the hub (so connected devices receive it at once).
//!
//! The queue coalesces: it holds at most one summary per intake (a newer one replaces the one
//! waiting), and at most [`PENDING_CAPACITY`] intakes; when full, the oldest waiting summary is
//! dropped. An index entry is derived data: a dropped entry is written again on the intake's
//! next change. Entries are only added and updated, never removed (nothing revokes access to an
//! intake yet).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::Context;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, AutomergeError, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use fieldclinic_schema::{DocumentId, Intake, read_intake};
use fieldclinic_sync::Store;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::auth::Principal;
use crate::policy::{IntakeReach, intake_reach};
use crate::startup::AppHub;
use crate::store::accounts::{AccountStore, DocumentOwner, OwnedKind, User, UserId};

/// Intakes whose summary may wait at most; past it the oldest waiting summary is dropped.
pub const PENDING_CAPACITY: usize = 10_000;

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
    /// The summary of `doc`, or `None` when it is not an intake (index documents are written
    /// through the same hub, so this also keeps index writes from feeding the indexer).
    #[must_use]
    pub fn of(doc: &AutoCommit) -> Option<Self> {
        let intake = read_intake(doc).ok()?;
        if intake.kind.as_deref() != Some(Intake::KIND) {
            return None;
        }
        let determination = intake.determination.as_ref();
        Some(Self {
            legal_name: intake.person.legal_name.clone(),
            outcome: determination
                .map(|d| d.outcome.clone())
                .filter(|o| !o.is_empty()),
            provisional: determination.is_some_and(|d| d.provisional),
            review_state: intake
                .review
                .as_ref()
                .map(|r| r.decision.clone())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| "none".to_owned()),
            updated_at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        })
    }
}

/// A committed intake's new summary.
#[derive(Debug, Clone)]
pub struct IndexUpdate {
    /// The intake.
    pub doc: DocumentId,
    /// What its index entries should say.
    pub summary: IntakeSummary,
}

#[derive(Debug, Default)]
struct Pending {
    /// The newest summary per intake, with the sequence number of its first queuing (its age).
    updates: HashMap<DocumentId, (u64, IntakeSummary)>,
    next_seq: u64,
    closed: bool,
}

#[derive(Debug, Default)]
struct Queue {
    pending: Mutex<Pending>,
    wake: Notify,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The waiting updates, oldest first.
    fn take(&self) -> Vec<IndexUpdate> {
        let mut batch: Vec<_> = self.lock().updates.drain().collect();
        batch.sort_by_key(|(_, (seq, _))| *seq);
        batch
            .into_iter()
            .map(|(doc, (_, summary))| IndexUpdate { doc, summary })
            .collect()
    }
}

/// Where the policy queues index updates. Sending never blocks. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct IndexSender {
    queue: Arc<Queue>,
}

/// The other end of an [`IndexSender`], handed to [`Indexer::start`] once the hub exists.
#[derive(Debug)]
pub struct IndexReceiver {
    queue: Arc<Queue>,
}

/// A connected sender and receiver.
#[must_use]
pub fn channel() -> (IndexSender, IndexReceiver) {
    let queue = Arc::new(Queue::default());
    (
        IndexSender {
            queue: Arc::clone(&queue),
        },
        IndexReceiver { queue },
    )
}

impl IndexSender {
    /// Queues the summary of a committed document, if it is an intake.
    pub fn committed(&self, doc_id: &DocumentId, doc: &AutoCommit) {
        if let Some(summary) = IntakeSummary::of(doc) {
            self.send(IndexUpdate {
                doc: *doc_id,
                summary,
            });
        }
    }

    /// Queues an update, replacing any waiting one for the same intake.
    pub fn send(&self, update: IndexUpdate) {
        {
            let mut pending = self.queue.lock();
            if pending.closed {
                tracing::debug!(doc.id = %update.doc, "indexer stopped; index update dropped");
                return;
            }
            let seq = pending.next_seq;
            pending.next_seq += 1;
            if let Some(waiting) = pending.updates.get_mut(&update.doc) {
                waiting.1 = update.summary;
                return;
            }
            if pending.updates.len() >= PENDING_CAPACITY {
                let oldest = pending
                    .updates
                    .iter()
                    .min_by_key(|(_, (seq, _))| *seq)
                    .map(|(doc, _)| *doc);
                if let Some(oldest) = oldest {
                    pending.updates.remove(&oldest);
                    tracing::warn!(doc.id = %oldest, "index queue full; oldest update dropped");
                }
            }
            pending.updates.insert(update.doc, (seq, update.summary));
        }
        self.queue.wake.notify_one();
    }
}

/// The running index writer.
#[derive(Debug)]
pub struct Indexer {
    queue: Arc<Queue>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Indexer {
    /// Starts writing the updates `rx` receives through `hub`.
    pub fn start<S: Store + AccountStore>(rx: IndexReceiver, hub: AppHub<S>) -> Self {
        let stop = CancellationToken::new();
        let task = tokio::spawn(
            run(Arc::clone(&rx.queue), hub, stop.clone())
                .instrument(tracing::info_span!("indexer")),
        );
        Self {
            queue: rx.queue,
            stop,
            task,
        }
    }

    /// Refuses further updates, writes the waiting ones and stops. Call it while the hub still
    /// runs, once devices can no longer write.
    pub async fn shutdown(self) {
        self.queue.lock().closed = true;
        self.stop.cancel();
        if let Err(e) = self.task.await {
            tracing::error!(error.message = %e, "indexer task failed");
        }
    }
}

async fn run<S: Store + AccountStore>(queue: Arc<Queue>, hub: AppHub<S>, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = queue.wake.notified() => {
                tokio::select! {
                    () = tokio::time::sleep(COALESCE_WINDOW) => {}
                    () = stop.cancelled() => {}
                }
            }
            () = stop.cancelled() => {}
        }
        let batch = queue.take();
        for update in batch {
            if let Err(e) = index(&hub, &update).await {
                tracing::error!(
                    doc.id = %update.doc,
                    error.cause_chain = ?e,
                    error.message = %e,
                    "index update failed"
                );
            }
        }
        if stop.is_cancelled() && queue.lock().updates.is_empty() {
            return;
        }
    }
}

/// Writes one intake's entry into the index of everyone who may open it.
async fn index<S: Store + AccountStore>(
    hub: &AppHub<S>,
    update: &IndexUpdate,
) -> anyhow::Result<()> {
    let store = hub.store();
    let Some(owner) = store
        .document_owner(&update.doc)
        .await
        .context("Failed to read the intake's owner")?
    else {
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
            .with_time(time::OffsetDateTime::now_utc().unix_timestamp()),
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
    fn documents_that_are_not_intakes_have_no_summary() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "kind", "index").expect("put");
        assert_eq!(IntakeSummary::of(&doc), None);
    }

    #[test]
    fn a_full_queue_drops_the_oldest_update_and_coalesces_the_rest() {
        let (tx, rx) = channel();
        let first = DocumentId::random();
        for i in 0..PENDING_CAPACITY {
            let doc = if i == 0 { first } else { DocumentId::random() };
            tx.send(IndexUpdate {
                doc,
                summary: summary("ELIGIBLE"),
            });
        }
        let second_of_first = DocumentId::random();
        tx.send(IndexUpdate {
            doc: second_of_first,
            summary: summary("ELIGIBLE"),
        });
        tx.send(IndexUpdate {
            doc: second_of_first,
            summary: summary("NOT_ELIGIBLE"),
        });
        let batch = rx.queue.take();
        assert_eq!(batch.len(), PENDING_CAPACITY);
        assert!(
            batch.iter().all(|u| u.doc != first),
            "the oldest was dropped"
        );
        let last = batch.last().expect("not empty");
        assert_eq!(last.doc, second_of_first);
        assert_eq!(last.summary.outcome.as_deref(), Some("NOT_ELIGIBLE"));
    }
}
