use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use fieldclinic_schema::DocumentId;
use tokio::sync::Notify;

/// Derived work waiting per intake, shared by every derived-data worker (the index documents,
/// the case index): at most one item per intake (a newer one replaces the waiting one), at most
/// `capacity` intakes (past it the oldest is dropped and the queue remembers that it
/// overflowed), taken oldest first. Sending never blocks. Cloning is cheap.
#[derive(Debug)]
pub struct CoalescingQueue<V> {
    inner: Arc<Inner<V>>,
}

impl<V> Clone for CoalescingQueue<V> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

#[derive(Debug)]
struct Inner<V> {
    pending: Mutex<Pending<V>>,
    wake: Notify,
    capacity: usize,
}

#[derive(Debug)]
struct Pending<V> {
    /// The newest item per intake, with the sequence number of its first queuing (its age).
    items: HashMap<DocumentId, (u64, V)>,
    next_seq: u64,
    overflowed: bool,
    closed: bool,
}

/// What a worker takes from the queue.
#[derive(Debug)]
pub struct Batch<V> {
    /// The waiting items, oldest first.
    pub items: Vec<(DocumentId, V)>,
    /// Whether an item was dropped since the last take (the worker may sweep to heal it).
    pub overflowed: bool,
}

impl<V> CoalescingQueue<V> {
    /// An empty queue holding at most `capacity` intakes.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                pending: Mutex::new(Pending {
                    items: HashMap::new(),
                    next_seq: 0,
                    overflowed: false,
                    closed: false,
                }),
                wake: Notify::new(),
                capacity,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Pending<V>> {
        self.inner
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `item` for `doc`, replacing a waiting one; dropped once the queue is closed.
    pub fn send(&self, doc: DocumentId, item: V) {
        {
            let mut pending = self.lock();
            if pending.closed {
                tracing::debug!(doc.id = %doc, "worker stopped; derived update dropped");
                return;
            }
            let seq = pending.next_seq;
            pending.next_seq += 1;
            if let Some(waiting) = pending.items.get_mut(&doc) {
                waiting.1 = item;
                return;
            }
            if pending.items.len() >= self.inner.capacity {
                let oldest = pending
                    .items
                    .iter()
                    .min_by_key(|(_, (seq, _))| *seq)
                    .map(|(doc, _)| *doc);
                if let Some(oldest) = oldest {
                    pending.items.remove(&oldest);
                    pending.overflowed = true;
                    tracing::warn!(doc.id = %oldest, "derived-data queue full; oldest update dropped");
                }
            }
            pending.items.insert(doc, (seq, item));
        }
        self.inner.wake.notify_one();
    }

    /// Takes everything waiting, oldest first.
    pub fn take(&self) -> Batch<V> {
        let mut pending = self.lock();
        let overflowed = std::mem::take(&mut pending.overflowed);
        let mut items: Vec<_> = pending.items.drain().collect();
        drop(pending);
        items.sort_by_key(|(_, (seq, _))| *seq);
        Batch {
            items: items.into_iter().map(|(doc, (_, v))| (doc, v)).collect(),
            overflowed,
        }
    }

    /// Marks the queue as having lost items, so the next take says so (a worker that failed a
    /// write, or has never swept, asks for a sweep this way).
    pub fn mark_overflowed(&self) {
        self.lock().overflowed = true;
        self.inner.wake.notify_one();
    }

    /// Whether an item was lost since the last take.
    #[must_use]
    pub fn overflowed(&self) -> bool {
        self.lock().overflowed
    }

    /// Whether nothing waits.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lock().items.is_empty()
    }

    /// Refuses further items (what waits can still be taken).
    pub fn close(&self) {
        self.lock().closed = true;
        self.inner.wake.notify_one();
    }

    /// Waits until something is queued (or the queue is closed).
    pub async fn notified(&self) {
        self.inner.wake.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_drops_the_oldest_item_and_coalesces_the_rest() {
        let queue = CoalescingQueue::new(3);
        let first = DocumentId::random();
        queue.send(first, 1);
        queue.send(DocumentId::random(), 2);
        queue.send(DocumentId::random(), 3);
        let again = DocumentId::random();
        queue.send(again, 4);
        queue.send(again, 5);

        let batch = queue.take();

        assert_eq!(batch.items.len(), 3);
        assert!(batch.overflowed);
        assert!(
            batch.items.iter().all(|(d, _)| *d != first),
            "the oldest was dropped"
        );
        assert_eq!(batch.items.last(), Some(&(again, 5)));
        assert!(!queue.take().overflowed, "a take clears the overflow");
    }

    #[test]
    fn a_closed_queue_takes_nothing_new() {
        let queue = CoalescingQueue::new(3);
        queue.close();
        queue.send(DocumentId::random(), 1);
        assert!(queue.is_empty());
    }
}
