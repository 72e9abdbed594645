//! Keeps the case index current: after an intake commits, the policy queues its projection
//! here, and one task writes the waiting projections in one transaction per batch, then looks
//! for duplicate-person candidates of each.
//!
//! The queue holds one projection per intake (a newer one replaces the waiting one). When it is
//! full, new projections are not queued but the task sweeps: it re-projects every intake whose
//! case row is missing or older than its document, loading those documents from the store. The
//! same sweep runs at startup and every [`SWEEP_INTERVAL`], so a projection lost to a crash
//! between a document write and its projection heals without anyone noticing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::Context;
use automerge::AutoCommit;
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{Store, StoreError};
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::duplicates::{PersonKeys, compare};
use super::projection::project;
use crate::audit::now_millis;
use crate::store::accounts::ClinicId;
use crate::store::cases::{CaseProjection, CaseStore, DetectedDuplicate};

/// A case of a clinic changed in the index (for live pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseEvent {
    /// The clinic.
    pub clinic_id: ClinicId,
    /// The intake.
    pub doc: DocumentId,
}

/// Intakes whose projection may wait at most; past it the task sweeps instead.
pub const PENDING_CAPACITY: usize = 10_000;

/// How long a burst of changes gathers before the index writes: one transaction per window.
const COALESCE_WINDOW: Duration = Duration::from_millis(100);

/// How often the task looks for intakes whose case row is behind their document.
const SWEEP_INTERVAL: Duration = Duration::from_secs(600);

/// Intakes re-projected per sweep round (each is loaded from the store).
const SWEEP_BATCH: u32 = 100;

#[derive(Debug, Default)]
struct Pending {
    rows: HashMap<DocumentId, CaseProjection>,
    /// A projection was not queued: the next round sweeps.
    overflowed: bool,
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
}

/// Where the policy queues projections. Sending never blocks. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct ProjectionSender {
    queue: Arc<Queue>,
}

/// The other end of a [`ProjectionSender`], handed to [`Projector::start`].
#[derive(Debug)]
pub struct ProjectionReceiver {
    queue: Arc<Queue>,
}

/// A connected sender and receiver.
#[must_use]
pub fn channel() -> (ProjectionSender, ProjectionReceiver) {
    let queue = Arc::new(Queue::default());
    (
        ProjectionSender {
            queue: Arc::clone(&queue),
        },
        ProjectionReceiver { queue },
    )
}

impl ProjectionSender {
    /// Queues the projection of a committed document, if it is an intake.
    pub fn committed(&self, doc_id: &DocumentId, doc: &mut AutoCommit) {
        if let Some(row) = project(*doc_id, doc, now_millis()) {
            self.send(row);
        }
    }

    fn send(&self, row: CaseProjection) {
        {
            let mut pending = self.queue.lock();
            if pending.closed {
                return;
            }
            if pending.rows.len() >= PENDING_CAPACITY && !pending.rows.contains_key(&row.doc) {
                if !pending.overflowed {
                    tracing::warn!("case index queue full; the projector will sweep");
                }
                pending.overflowed = true;
            } else {
                pending.rows.insert(row.doc, row);
            }
        }
        self.queue.wake.notify_one();
    }
}

/// The running case index writer.
#[derive(Debug)]
pub struct Projector {
    queue: Arc<Queue>,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Projector {
    /// Starts writing what `rx` receives into `store`, after a first sweep, and announcing each
    /// written case on `events` (nobody listening is fine).
    pub fn start<S: Store + CaseStore>(
        rx: ProjectionReceiver,
        store: S,
        events: broadcast::Sender<CaseEvent>,
    ) -> Self {
        let stop = CancellationToken::new();
        rx.queue.lock().overflowed = true;
        let task = tokio::spawn(
            run(Arc::clone(&rx.queue), store, events, stop.clone())
                .instrument(tracing::info_span!("case_projector")),
        );
        Self {
            queue: rx.queue,
            stop,
            task,
        }
    }

    /// Refuses further projections, writes the waiting ones and stops.
    pub async fn shutdown(self) {
        self.queue.lock().closed = true;
        self.stop.cancel();
        if let Err(e) = self.task.await {
            tracing::error!(error.message = %e, "case projector task failed");
        }
    }
}

async fn run<S: Store + CaseStore>(
    queue: Arc<Queue>,
    store: S,
    events: broadcast::Sender<CaseEvent>,
    stop: CancellationToken,
) {
    let mut sweep_timer = tokio::time::interval(SWEEP_INTERVAL);
    sweep_timer.tick().await;
    loop {
        let sweep_due = {
            let pending = queue.lock();
            pending.overflowed && !stop.is_cancelled()
        };
        if !sweep_due {
            tokio::select! {
                () = queue.wake.notified() => {
                    tokio::select! {
                        () = tokio::time::sleep(COALESCE_WINDOW) => {}
                        () = stop.cancelled() => {}
                    }
                }
                _ = sweep_timer.tick() => queue.lock().overflowed = true,
                () = stop.cancelled() => {}
            }
        }
        let (rows, sweep) = {
            let mut pending = queue.lock();
            let rows: Vec<CaseProjection> = pending.rows.drain().map(|(_, r)| r).collect();
            (rows, std::mem::take(&mut pending.overflowed))
        };
        if let Err(e) = write(&store, &rows, &events).await {
            tracing::error!(error.cause_chain = ?e, error.message = %e, rows = rows.len(), "case index write failed; the next sweep retries");
            queue.lock().overflowed = true;
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
        if stop.is_cancelled() && queue.lock().rows.is_empty() {
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
    let chunks = match store.load_chunks(&doc_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut doc = AutoCommit::new();
        for c in &chunks {
            doc.load_incremental(&c.data)?;
        }
        Ok(project(doc_id, &mut doc, updated_at))
    })
    .await?
}
