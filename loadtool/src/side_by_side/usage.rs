/// What a process used so far, from `/proc/<pid>/stat` and `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessUsage {
    /// User plus system CPU time.
    pub cpu_seconds: f64,
    /// Peak resident set size (`VmHWM`), KiB.
    pub peak_rss_kib: u64,
}

/// `/proc/<pid>/stat` counts CPU time in the kernel's user-visible clock ticks, which Linux
/// fixes at 100 per second for every architecture.
const TICKS_PER_SECOND: f64 = 100.0;

impl ProcessUsage {
    /// `None` where `/proc` is unavailable (not Linux) or the process is gone.
    #[must_use]
    pub fn of_process(pid: u32) -> Option<Self> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name (field 2) may hold spaces; fields are counted after its ')'.
        let rest = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
        let utime: f64 = fields.get(11)?.parse().ok()?;
        let stime: f64 = fields.get(12)?.parse().ok()?;
        let peak = crate::loadtest::MemorySample::of_process(pid)?.peak_rss_kib;
        Some(Self {
            cpu_seconds: (utime + stime) / TICKS_PER_SECOND,
            peak_rss_kib: peak,
        })
    }

    #[must_use]
    pub fn peak_rss_mib(&self) -> f64 {
        self.peak_rss_kib as f64 / 1024.0
    }
}
