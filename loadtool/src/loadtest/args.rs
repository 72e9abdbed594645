use std::path::PathBuf;

use clap::Parser;

/// `fieldclinic-loadtest`: N simulated devices with M intakes each sync with a fieldclinic server
/// on this machine; prints throughput, push-ack latency percentiles and the server's memory.
#[derive(Debug, Parser)]
#[command(name = "fieldclinic-loadtest", version)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["url", "spawn_server"])))]
pub struct LoadtestArgs {
    /// A running server's sync socket on this machine, with a sync ticket (from
    /// `POST /api/v1/sync-tickets`): ws://127.0.0.1:PORT/sync?ticket=TICKET
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Start `fieldclinic serve` on a temporary SQLite database (with a load-test volunteer
    /// and an enrolled device, set up with `fieldclinic admin`) and port 0; its memory is
    /// reported.
    #[arg(long)]
    pub spawn_server: bool,
    /// The `fieldclinic` executable `--spawn-server` runs (default: the one next to this
    /// executable, as `cargo build` places them).
    #[arg(long, value_name = "FILE", env = "FIELDCLINIC_BIN")]
    pub server_binary: Option<PathBuf>,
    /// Simulated devices, connected concurrently.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub devices: u32,
    /// Intakes per device.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub intakes: u32,
    /// After the initial push, each device edits and resyncs all its intakes this many times.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=20))]
    pub rounds: u32,
    /// Give up on a phase after this many seconds.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout_secs: u64,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}
