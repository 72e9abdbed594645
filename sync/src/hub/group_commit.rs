//! Group commit: the documents' writes that are ready at the same moment go to the store in one
//! transaction (one fsync on SQLite, one round trip on PostgreSQL) instead of one each.
//!
//! Every document actor hands its write over and waits for the answer before it acknowledges
//! anything, exactly as it did with a write of its own: a change is only ever advertised once
//! the transaction that holds it has committed. While one transaction is in flight the next
//! writes queue, and the next transaction takes all of them, so batches grow with load and a
//! lone write goes out at once.

use tokio::sync::{mpsc, oneshot};

use crate::{DocumentWrite, Store, StoreError};

/// Writes waiting for the committer, at most; beyond, actors wait to hand theirs over.
const QUEUE: usize = 4096;

struct Pending {
    write: DocumentWrite,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// The handle document actors commit through. Cheap to clone.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    tx: mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts the committer over `store`; it ends when the last handle is dropped. `max_batch`
    /// bounds one transaction, so a huge backlog cannot make one write wait for thousands.
    pub(crate) fn start<S: Store>(store: S, max_batch: usize) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, rx, max_batch.max(1)));
        Self { tx }
    }

    /// Commits `write` with whatever else is ready; `Ok` means it is durable.
    pub(crate) async fn commit(&self, write: DocumentWrite) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Pending { write, reply })
            .await
            .map_err(|_| StoreError::other(CommitterGone))?;
        answer.await.map_err(|_| StoreError::other(CommitterGone))?
    }
}

async fn run<S: Store>(store: S, mut rx: mpsc::Receiver<Pending>, max_batch: usize) {
    let mut batch = Vec::with_capacity(max_batch);
    while rx.recv_many(&mut batch, max_batch).await > 0 {
        let (writes, replies): (Vec<DocumentWrite>, Vec<_>) =
            batch.drain(..).map(|p| (p.write, p.reply)).unzip();
        tracing::trace!(writes = writes.len(), "group commit");
        match store.append_changes(&writes).await {
            Ok(()) => {
                for reply in replies {
                    let _ = reply.send(Ok(()));
                }
            }
            // One document's bad write must not fail the others that shared its transaction:
            // each is tried again alone and gets its own answer.
            Err(e) if writes.len() > 1 => {
                tracing::warn!(error.message = %e, writes = writes.len(), "group commit failed; committing each write alone");
                for (write, reply) in writes.iter().zip(replies) {
                    let result = store.append_changes(std::slice::from_ref(write)).await;
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the commit queue has stopped")]
struct CommitterGone;
