use std::time::Duration;

use serde::Serialize;

use super::{LatencySummary, MemorySample};

/// One phase of the load test: every device syncing its intakes at once.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    /// What the devices did.
    pub name: String,
    /// Document syncs completed (each one acknowledged by the server's heads).
    pub document_syncs: usize,
    /// Sync messages exchanged (both directions).
    pub messages: u64,
    /// Wall time from the first device starting to the last acknowledgement.
    pub seconds: f64,
    /// `document_syncs / seconds`.
    pub document_syncs_per_sec: f64,
    /// `messages / seconds`.
    pub messages_per_sec: f64,
    /// Push-ack latency per document.
    pub latency: LatencySummary,
    /// The server's memory at the end of the phase, when it was spawned by the tool.
    pub server_memory: Option<MemorySample>,
}

impl PhaseReport {
    pub(crate) fn new(
        name: &str,
        latencies: &[Duration],
        messages: u64,
        elapsed: Duration,
        server_memory: Option<MemorySample>,
    ) -> Self {
        let seconds = elapsed.as_secs_f64();
        let per_sec = |n: f64| if seconds > 0.0 { n / seconds } else { 0.0 };
        #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
        let (syncs, msgs) = (latencies.len() as f64, messages as f64);
        Self {
            name: name.to_owned(),
            document_syncs: latencies.len(),
            messages,
            seconds,
            document_syncs_per_sec: per_sec(syncs),
            messages_per_sec: per_sec(msgs),
            latency: LatencySummary::of(latencies),
            server_memory,
        }
    }
}
