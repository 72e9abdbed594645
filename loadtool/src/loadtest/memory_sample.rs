use serde::Serialize;

/// A process's memory as `/proc/<pid>/status` reports it, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MemorySample {
    /// Resident set size now (`VmRSS`).
    pub rss_kib: u64,
    /// Peak resident set size since the process started (`VmHWM`).
    pub peak_rss_kib: u64,
}

impl MemorySample {
    /// Reads the process's memory; `None` where `/proc` is unavailable (not Linux) or the
    /// process is gone.
    #[must_use]
    pub fn of_process(pid: u32) -> Option<Self> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| -> Option<u64> {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        };
        Some(Self {
            rss_kib: field("VmRSS:")?,
            peak_rss_kib: field("VmHWM:")?,
        })
    }
}
