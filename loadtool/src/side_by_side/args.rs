use std::path::PathBuf;

use clap::Parser;

/// `fieldclinic-side-by-side`: the real JS client's bulk workload against the pinned reference
/// sync server and against fieldclinic, alternating, in one run; prints the ratios.
#[derive(Debug, Parser)]
#[command(name = "fieldclinic-side-by-side", version)]
pub struct SideBySideArgs {
    /// The `fieldclinic` executable to measure (default: the one next to this executable).
    #[arg(long, value_name = "FILE", env = "FIELDCLINIC_BIN")]
    pub server_binary: Option<PathBuf>,
    /// The folder holding the pinned JS client and the reference server (`npm ci` done).
    #[arg(long, value_name = "DIR", default_value = "tests/js")]
    pub js_dir: PathBuf,
    /// Rounds; each runs both contestants, the first going first in odd rounds.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub rounds: u32,
    /// Intakes the device pushes.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub intakes: u32,
    /// Offenses per intake, one change each.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=50))]
    pub offenses: u32,
    /// Bound on one contestant's run (both phases).
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(10..=7200))]
    pub timeout_secs: u64,
    /// Print every run as JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}
