//! Keeps the case index current: after an intake commits, the pipeline queues its view here,
//! and one task writes the waiting projections in one transaction per batch, then looks for
//! duplicate-person candidates of each.
//!
//! The queue holds one view per intake (a newer one replaces the waiting one). When it is full,
//! the oldest is dropped and the task sweeps: it re-projects every intake whose
//! case row is missing or older than its document, loading those documents from the store. The
//! same sweep runs at startup and every [`SWEEP_INTERVAL`], so a projection lost to a crash
//! between a document write and its projection heals without anyone noticing.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use fieldclinic_domain::clock::now_millis;
use fieldclinic_review::duplicates::{PersonKeys, compare};
use fieldclinic_schema::DocumentId;
use fieldclinic_stores::accounts::ClinicId;
use fieldclinic_stores::cases::{CaseProjection, CaseStore, DetectedDuplicate};
use fieldclinic_sync::Store;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::projection::project;
use crate::pipeline::{CoalescingQueue, IntakeView};

/// A case of a clinic changed in the index (for live pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseEvent {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The intake.
    pub doc: DocumentId,
}

/// How long a burst of changes gathers before the index writes: one transaction per window.
const COALESCE_WINDOW: Duration = Duration::from_millis(100);

/// How often the task looks for intakes whose case row is behind their document.
const SWEEP_INTERVAL: Duration = Duration::from_secs(600);

/// Intakes re-projected per sweep round (each is loaded from the store).
const SWEEP_BATCH: u32 = 100;

/// The running case index writer.
#[derive(Debug)]
pub struct Projector {
    queue: CoalescingQueue<Arc<IntakeView>>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Projector {
    /// Starts writing what `queue` receives into `store`, after a first sweep, and announcing
    /// each written case on `events` (nobody listening is fine).
    pub fn start<S: Store + CaseStore>(
        queue: CoalescingQueue<Arc<IntakeView>>,
        store: S,
        events: broadcast::Sender<CaseEvent>,
    ) -> Self {
        let stop = CancellationToken::new();
        queue.mark_overflowed();
        let task = tokio::spawn(
            run(queue.clone(), store, events, stop.clone())
                .instrument(tracing::info_span!("case_projector")),
        );
        Self { queue, stop, task }
    }

    /// Refuses further projections, writes the waiting ones and stops.
    pub async fn shutdown(self) {
        self.queue.close();
        self.stop.cancel();
        if let Err(e) = self.task.await {
            tracing::error!(error.message = %e, "case projector task failed");
        }
    }
}

async fn run<S: Store + CaseStore>(
    queue: CoalescingQueue<Arc<IntakeView>>,
    store: S,
    events: broadcast::Sender<CaseEvent>,
    stop: CancellationToken,
) {
    let mut sweep_timer = tokio::time::interval(SWEEP_INTERVAL);
    sweep_timer.tick().await;
    loop {
        let sweep_due = queue.overflowed() && !stop.is_cancelled();
        if !sweep_due {
            tokio::select! {
                () = queue.notified() => {
                    tokio::select! {
                        () = tokio::time::sleep(COALESCE_WINDOW) => {}
                        () = stop.cancelled() => {}
                    }
                }
                _ = sweep_timer.tick() => queue.mark_overflowed(),
                () = stop.cancelled() => {}
            }
        }
        let batch = queue.take();
        let sweep = batch.overflowed;
        let rows: Vec<CaseProjection> = batch
            .items
            .iter()
            .map(|(_, view)| project(view, view.at_millis))
            .collect();
        if let Err(e) = write(&store, &rows, &events).await {
            tracing::error!(error.cause_chain = ?e, error.message = %e, rows = rows.len(), "case index write failed; the next sweep retries");
            queue.mark_overflowed();
        }
        if sweep && !stop.is_cancelled() {
            match sweep_all(&store, &events, &stop).await {
                Ok(n) if n > 0 => tracing::info!(intakes = n, "case index swept"),
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error.cause_chain = ?e, error.message = %e, "case index sweep failed");
                }
            }
        }
        if stop.is_cancelled() && queue.is_empty() {
            return;
        }
    }
}

/// Writes projections, then refreshes the duplicate candidates of each.
async fn write<S: CaseStore>(
    store: &S,
    rows: &[CaseProjection],
    events: &broadcast::Sender<CaseEvent>,
) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    store
        .project_cases(rows)
        .await
        .context("Failed to write case projections")?;
    for row in rows {
        match detect_duplicates(store, row).await {
            Ok(Some(clinic_id)) => {
                // No receiver (no page open) is the normal case.
                let _ = events.send(CaseEvent {
                    clinic_id,
                    doc: row.doc,
                });
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(doc.id = %row.doc, error.cause_chain = ?e, error.message = %e, "duplicate detection failed");
            }
        }
    }
    Ok(())
}

/// Refreshes the candidates of one written case; returns its clinic (`None` if it was not
/// written, not being an owned intake).
async fn detect_duplicates<S: CaseStore>(
    store: &S,
    row: &CaseProjection,
) -> anyhow::Result<Option<ClinicId>> {
    let Some(case) = store.case(&row.doc).await? else {
        return Ok(None);
    };
    let keys: PersonKeys =
        serde_json::from_value(row.person_keys.clone()).context("Unreadable person keys")?;
    let others = store
        .cases_sharing_identifiers(&case.clinic_id, &row.doc, &row.identifiers)
        .await?;
    let found: Vec<DetectedDuplicate> = others
        .into_iter()
        .filter_map(|other| {
            let their: PersonKeys = serde_json::from_value(other.person_keys).ok()?;
            let m = compare(&keys, &their)?;
            Some(DetectedDuplicate {
                other: other.doc,
                score: m.score,
                reasons: m
                    .reasons
                    .iter()
                    .filter_map(|r| serde_json::to_value(r).ok()?.as_str().map(str::to_owned))
                    .collect(),
            })
        })
        .collect();
    store
        .record_duplicates(&case.clinic_id, &row.doc, &found, now_millis())
        .await?;
    Ok(Some(case.clinic_id))
}

/// Brings the case index up to date in one go (re-projecting every intake whose row is missing
/// or behind its document), for commands that end before a running projector's next sweep;
/// returns how many intakes were projected.
///
/// # Errors
/// When the store fails.
pub async fn catch_up<S: Store + CaseStore>(store: &S) -> anyhow::Result<usize> {
    // Nobody watches live updates from a command.
    let (events, _) = broadcast::channel(1);
    sweep_all(store, &events, &CancellationToken::new()).await
}

/// Re-projects every intake whose case row is missing or behind its document; returns how many.
async fn sweep_all<S: Store + CaseStore>(
    store: &S,
    events: &broadcast::Sender<CaseEvent>,
    stop: &CancellationToken,
) -> anyhow::Result<usize> {
    let mut done = 0;
    let mut failed = Vec::new();
    loop {
        let stale = store
            .unprojected_intakes(SWEEP_BATCH + u32::try_from(failed.len()).unwrap_or(u32::MAX))
            .await?;
        let stale: Vec<_> = stale
            .into_iter()
            .filter(|(doc, _)| !failed.contains(doc))
            .collect();
        if stale.is_empty() || stop.is_cancelled() {
            return Ok(done);
        }
        let mut rows = Vec::with_capacity(stale.len());
        for (doc, updated_at) in stale {
            match load_projection(store, doc, updated_at).await {
                Ok(Some(row)) => rows.push(row),
                // Not an intake after all, or unreadable: skipped for the rest of this sweep.
                Ok(None) => failed.push(doc),
                Err(e) => {
                    tracing::error!(doc.id = %doc, error.message = %e, "cannot project intake");
                    failed.push(doc);
                }
            }
        }
        done += rows.len();
        write(store, &rows, events).await?;
    }
}

async fn load_projection<S: Store>(
    store: &S,
    doc_id: DocumentId,
    updated_at: i64,
) -> anyhow::Result<Option<CaseProjection>> {
    let Some(mut doc) = crate::documents::load(store, doc_id).await? else {
        return Ok(None);
    };
    Ok(IntakeView::read(doc_id, &mut doc).map(|view| project(&view, updated_at)))
}
