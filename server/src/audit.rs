//! The audit writer: policy hooks run on blocking threads and must not wait on the database, so
//! they queue audit entries and change authors here and one task writes them in batches.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::store::accounts::{AccountStore, ChangeAuthor, NewAuditEntry};

/// Something to record.
#[derive(Debug)]
pub enum AuditEvent {
    /// An audit log entry.
    Entry(NewAuditEntry),
    /// Who wrote a change.
    Author(ChangeAuthor),
    /// Answered once everything queued before it is written.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Where hooks send audit events. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct AuditSink {
    tx: mpsc::UnboundedSender<AuditEvent>,
}

/// Events written per transaction at most.
const BATCH: usize = 512;

impl AuditSink {
    /// A sink and the task draining it into `store`. The task ends when every sink is dropped,
    /// after writing what was queued.
    pub fn start<S: AccountStore>(store: S) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<AuditEvent>();
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(BATCH);
            while rx.recv_many(&mut buf, BATCH).await > 0 {
                let mut entries = Vec::new();
                let mut authors = Vec::new();
                let mut flushes = Vec::new();
                for e in buf.drain(..) {
                    match e {
                        AuditEvent::Entry(e) => entries.push(e),
                        AuditEvent::Author(a) => authors.push(a),
                        AuditEvent::Flush(ack) => flushes.push(ack),
                    }
                }
                write_with_retry(&store, &entries, &authors).await;
                for ack in flushes {
                    let _ = ack.send(());
                }
            }
        });
        Self { tx }
    }

    /// Waits until everything recorded so far is written (or given up on).
    pub async fn flush(&self) {
        let (ack, done) = tokio::sync::oneshot::channel();
        self.record(AuditEvent::Flush(ack));
        let _ = done.await;
    }

    /// Queues an event (never blocks).
    pub fn record(&self, event: AuditEvent) {
        if self.tx.send(event).is_err() {
            tracing::error!("audit writer stopped; an audit event was not recorded");
        }
    }
}

async fn write_with_retry<S: AccountStore>(
    store: &S,
    entries: &[NewAuditEntry],
    authors: &[ChangeAuthor],
) {
    for attempt in 0..5u32 {
        let result = async {
            if !authors.is_empty() {
                store.record_change_authors(authors).await?;
            }
            if !entries.is_empty() {
                store.append_audit(entries).await?;
            }
            Ok::<(), fieldclinic_sync::StoreError>(())
        }
        .await;
        match result {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error.message = %e, attempt, "audit write failed; retrying");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt + 1))).await;
            }
        }
    }
    tracing::error!(
        entries = entries.len(),
        authors = authors.len(),
        "audit events lost after retries"
    );
}

/// Milliseconds since the Unix epoch.
#[must_use]
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
