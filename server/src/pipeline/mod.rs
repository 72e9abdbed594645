//! One pipeline per committed intake. After a merge the intake is read once into an
//! [`IntakeView`]; the eligibility write-back uses it (and updates it with the determination it
//! writes); once the write commits, the same view goes to every derived-data worker through a
//! [`CoalescingQueue`]: the users' index documents and the case index.

mod coalescing_queue;
mod determination;
mod intake_view;

use std::sync::Arc;

pub use coalescing_queue::{Batch, CoalescingQueue};
pub use determination::write_back_determination;
pub use intake_view::IntakeView;
#[cfg(test)]
pub(crate) use intake_view::READS;

/// Intakes whose derived data may wait at most in each queue.
pub const PENDING_CAPACITY: usize = 10_000;

/// A derived-data worker's queue, as every worker the pipeline feeds gets it.
#[must_use]
pub fn worker_queue() -> CoalescingQueue<Arc<IntakeView>> {
    CoalescingQueue::new(PENDING_CAPACITY)
}

/// Where committed intakes go: one queue per derived-data worker.
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    queues: Vec<CoalescingQueue<Arc<IntakeView>>>,
}

impl Pipeline {
    /// A pipeline feeding no worker yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Also feeds the worker reading `queue`.
    #[must_use]
    pub fn feeding(mut self, queue: CoalescingQueue<Arc<IntakeView>>) -> Self {
        self.queues.push(queue);
        self
    }

    /// Hands a committed intake's view to every worker.
    pub fn committed(&self, view: IntakeView) {
        let view = Arc::new(view);
        for queue in &self.queues {
            queue.send(view.doc, Arc::clone(&view));
        }
    }
}
