//! The audit trail: one entry builder for every kind of actor, and one writer. Policy hooks run
//! on blocking threads and must not wait on the database, so they queue entries
//! ([`Audit::record`]) and one task writes them in batches; an administrative action or a sign-in
//! stores its entry before it answers.

use std::time::Duration;

use fieldclinic_domain::clock::now_millis;
use fieldclinic_domain::{ClinicId, Principal};
use fieldclinic_schema::DocumentId;
use fieldclinic_stores::accounts::{AccountStore, ChangeAuthor, NewAuditEntry};
use fieldclinic_sync::StoreError;
use tokio::sync::{mpsc, oneshot};

/// Who an audit entry says acted.
#[derive(Debug, Clone)]
pub struct AuditActor {
    /// `user`, `device`, `server` or `cli`.
    kind: &'static str,
    /// The user or device ID (empty for the server and the command line).
    id: String,
    /// The peer's address, when known.
    remote_addr: Option<String>,
}

impl AuditActor {
    /// An authenticated person or device.
    #[must_use]
    pub fn of(who: &Principal) -> Self {
        let (kind, id) = who.audit_actor();
        Self {
            kind,
            id,
            remote_addr: who.remote_addr.clone(),
        }
    }

    /// A signed-in user not yet known as a principal (at sign-in).
    #[must_use]
    pub fn user(user: &fieldclinic_domain::UserId, remote_addr: Option<String>) -> Self {
        Self {
            kind: "user",
            id: user.to_string(),
            remote_addr,
        }
    }

    /// The command line on the server machine.
    #[must_use]
    pub fn cli() -> Self {
        Self {
            kind: "cli",
            id: String::new(),
            remote_addr: None,
        }
    }

    /// The server itself.
    #[must_use]
    pub fn server() -> Self {
        Self {
            kind: "server",
            id: String::new(),
            remote_addr: None,
        }
    }

    /// An entry by this actor saying `action` happened now.
    pub fn did(&self, action: &str) -> EntryBuilder {
        EntryBuilder(NewAuditEntry {
            at_millis: now_millis(),
            clinic_id: None,
            actor_kind: self.kind.to_owned(),
            actor_id: self.id.clone(),
            doc: None,
            action: action.to_owned(),
            detail: serde_json::json!({}),
            remote_addr: self.remote_addr.clone(),
        })
    }
}

/// An audit entry being built: the one way entries are made.
#[derive(Debug, Clone)]
#[must_use]
pub struct EntryBuilder(NewAuditEntry);

impl EntryBuilder {
    /// The clinic concerned.
    pub fn clinic(mut self, clinic: ClinicId) -> Self {
        self.0.clinic_id = Some(clinic);
        self
    }

    /// The document concerned.
    pub fn doc(mut self, doc: DocumentId) -> Self {
        self.0.doc = Some(doc);
        self
    }

    /// Details (change hashes, reasons; never secrets).
    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.0.detail = detail;
        self
    }

    /// The entry.
    #[must_use]
    pub fn build(self) -> NewAuditEntry {
        self.0
    }
}

/// Something for the writer.
#[derive(Debug)]
enum AuditEvent {
    Entry(NewAuditEntry),
    Author(ChangeAuthor),
    /// Answered once everything queued before it is written (`true`) or given up on.
    Flush(oneshot::Sender<bool>),
}

/// The audit trail's writer. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct Audit {
    tx: mpsc::UnboundedSender<AuditEvent>,
}

/// Events written per transaction at most.
const BATCH: usize = 512;

impl Audit {
    /// The trail and the task draining it into `store`. The task ends when every clone is
    /// dropped, after writing what was queued.
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
                let written = write_with_retry(&store, &entries, &authors).await;
                for ack in flushes {
                    let _ = ack.send(written);
                }
            }
        });
        Self { tx }
    }

    /// Queues an entry (never blocks).
    pub fn record(&self, entry: NewAuditEntry) {
        self.send(AuditEvent::Entry(entry));
    }

    /// Queues who wrote a change (never blocks).
    pub fn author(&self, author: ChangeAuthor) {
        self.send(AuditEvent::Author(author));
    }

    /// Waits until everything recorded so far is written; `false` if some of it was given up on.
    pub async fn flush(&self) -> bool {
        let (ack, done) = oneshot::channel();
        self.send(AuditEvent::Flush(ack));
        done.await.unwrap_or(false)
    }

    fn send(&self, event: AuditEvent) {
        if self.tx.send(event).is_err() {
            tracing::error!("audit writer stopped; an audit event was not recorded");
        }
    }
}

async fn write_with_retry<S: AccountStore>(
    store: &S,
    entries: &[NewAuditEntry],
    authors: &[ChangeAuthor],
) -> bool {
    for attempt in 0..5u32 {
        let result = async {
            if !authors.is_empty() {
                store.record_change_authors(authors).await?;
            }
            if !entries.is_empty() {
                store.append_audit(entries).await?;
            }
            Ok::<(), StoreError>(())
        }
        .await;
        match result {
            Ok(()) => return true,
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
    false
}
