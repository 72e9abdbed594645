use std::fmt;

use serde::Serialize;

use super::{LatencySummary, MemorySample, PhaseReport};

/// What `fieldclinic-loadtest` measured.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// Simulated devices.
    pub devices: u32,
    /// Intakes per device.
    pub intakes_per_device: u32,
    /// Edit-and-resync rounds after the initial push.
    pub rounds: u32,
    /// Distinct documents (devices × intakes).
    pub total_documents: usize,
    /// CPU cores available to this process (the server shares them when spawned).
    pub cores: usize,
    /// Seconds spent creating the intakes offline (not syncing).
    pub create_seconds: f64,
    /// The phases, in order: initial push, edit rounds, reconnect.
    pub phases: Vec<PhaseReport>,
    /// Sum of the phases' wall times.
    pub total_sync_seconds: f64,
    /// Document syncs per second over all phases.
    pub document_syncs_per_sec: f64,
    /// Push-ack latency over all phases.
    pub latency: LatencySummary,
    /// The server's memory right after it started listening.
    pub server_memory_at_start: Option<MemorySample>,
    /// The server's memory at the end; `peak_rss_kib` is the peak over the whole run.
    pub server_memory_at_end: Option<MemorySample>,
}

fn mib(kib: u64) -> String {
    #[expect(
        clippy::cast_precision_loss,
        reason = "memory sizes are far below 2^52"
    )]
    let m = kib as f64 / 1024.0;
    format!("{m:.1} MiB")
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} devices x {} intakes = {} documents, {} edit round(s), {} cores",
            self.devices, self.intakes_per_device, self.total_documents, self.rounds, self.cores
        )?;
        writeln!(f, "created offline in {:.2} s", self.create_seconds)?;
        writeln!(
            f,
            "{:<16} {:>7} {:>8} {:>8} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9} {:>11}",
            "phase",
            "syncs",
            "msgs",
            "secs",
            "syncs/s",
            "msgs/s",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "server RSS"
        )?;
        for p in &self.phases {
            writeln!(
                f,
                "{:<16} {:>7} {:>8} {:>8.2} {:>10.1} {:>10.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>11}",
                p.name,
                p.document_syncs,
                p.messages,
                p.seconds,
                p.document_syncs_per_sec,
                p.messages_per_sec,
                p.latency.p50_ms,
                p.latency.p90_ms,
                p.latency.p99_ms,
                p.latency.max_ms,
                p.server_memory
                    .map_or_else(|| "-".to_owned(), |m| mib(m.rss_kib)),
            )?;
        }
        writeln!(
            f,
            "total: {:.2} s of syncing, {:.1} document syncs/s; push-ack latency p50 {:.1} ms, \
             p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.total_sync_seconds,
            self.document_syncs_per_sec,
            self.latency.p50_ms,
            self.latency.p90_ms,
            self.latency.p99_ms,
            self.latency.max_ms
        )?;
        match (self.server_memory_at_start, self.server_memory_at_end) {
            (Some(start), Some(end)) => writeln!(
                f,
                "server RSS: {} at start, {} at end, peak {}",
                mib(start.rss_kib),
                mib(end.rss_kib),
                mib(end.peak_rss_kib)
            ),
            _ => writeln!(f, "server RSS: not measured (use --spawn-server)"),
        }
    }
}
