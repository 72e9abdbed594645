//! The side-by-side benchmark (`fieldclinic-side-by-side`): one workload of the real JS client
//! (`tests/js/bulk.mjs`: one device pushes N intakes of K offense changes each until every one is
//! acknowledged, then a fresh device finds them all) against the pinned automerge-repo reference
//! sync server and against `fieldclinic serve`, alternating, each on a fresh store, in one run;
//! prints each contestant's figures and fieldclinic's ratio to the reference.

mod args;
mod contestant;
mod usage;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

pub use args::SideBySideArgs;
use contestant::{Contestant, Running};
pub use usage::ProcessUsage;

/// What `bulk.mjs` prints.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    pub intakes: u64,
    pub acknowledged: u64,
    pub found: u64,
    pub push_ack_seconds: f64,
    pub find_all_seconds: f64,
    pub client_error_count: u64,
    #[serde(default)]
    pub client_errors: Vec<String>,
    #[serde(default)]
    pub server_errors: Vec<String>,
}

/// One contestant's run: the workload's figures and what the server process used.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub contestant: &'static str,
    pub round: u32,
    pub workload: Workload,
    pub server_cpu_seconds: f64,
    pub server_peak_rss_mib: f64,
}

/// Runs every round and prints the report.
///
/// # Errors
/// When a server cannot start or the workload script cannot run.
pub async fn run(args: &SideBySideArgs) -> anyhow::Result<Vec<Run>> {
    let binary = match &args.server_binary {
        Some(b) => b.clone(),
        None => crate::loadtest::sibling_server_binary()?,
    };
    let js = args.js_dir.clone();
    anyhow::ensure!(
        js.join("node_modules").is_dir(),
        "{} has no node_modules: run `npm ci --prefix {}` first",
        js.display(),
        js.display()
    );
    let mut runs = Vec::new();
    for round in 1..=args.rounds {
        // Alternating who goes first spreads a busy machine's drift over both.
        let order = if round % 2 == 1 {
            [Contestant::Reference, Contestant::Fieldclinic]
        } else {
            [Contestant::Fieldclinic, Contestant::Reference]
        };
        for contestant in order {
            let server = Running::start(contestant, &binary, &js).await?;
            let url = server.ws_url().await?;
            let workload = workload(&js, &url, args).await?;
            let usage = server.usage();
            eprintln!(
                "round {round} {}: {} of {} acknowledged in {:.1} s, {} found in {:.1} s, server {:.1} s CPU, {:.0} MiB peak",
                contestant.name(),
                workload.acknowledged,
                workload.intakes,
                workload.push_ack_seconds,
                workload.found,
                workload.find_all_seconds,
                usage.cpu_seconds,
                usage.peak_rss_mib(),
            );
            runs.push(Run {
                contestant: contestant.name(),
                round,
                workload,
                server_cpu_seconds: usage.cpu_seconds,
                server_peak_rss_mib: usage.peak_rss_mib(),
            });
            drop(server);
        }
    }
    Ok(runs)
}

async fn workload(js: &Path, url: &str, args: &SideBySideArgs) -> anyhow::Result<Workload> {
    let timeout_ms = args.timeout_secs * 1000;
    let child = tokio::process::Command::new("node")
        .arg(js.join("bulk.mjs"))
        .args(["--server", url])
        .args(["--intakes", &args.intakes.to_string()])
        .args(["--offenses", &args.offenses.to_string()])
        // Both phases must fit in the script's own deadline.
        .args(["--phase-ms", &(timeout_ms / 2).to_string()])
        .args(["--timeout-ms", &(timeout_ms + 30_000).to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("Failed to run node (is Node.js installed?)")?;
    let out = tokio::time::timeout(
        Duration::from_secs(args.timeout_secs + 60),
        child.wait_with_output(),
    )
    .await
    .context("The workload did not finish")??;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| {
        format!(
            "bulk.mjs printed no result: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The median of each figure per contestant, and fieldclinic's ratio to the reference.
#[must_use]
pub fn summary(runs: &[Run]) -> String {
    let pick = |name: &str, f: &dyn Fn(&Run) -> f64| -> f64 {
        let mut v: Vec<f64> = runs
            .iter()
            .filter(|r| r.contestant == name)
            .map(f)
            .collect();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            f64::NAN
        } else if v.len() % 2 == 1 {
            v[v.len() / 2]
        } else {
            f64::midpoint(v[v.len() / 2 - 1], v[v.len() / 2])
        }
    };
    type Figure = (&'static str, fn(&Run) -> f64);
    let figures: [Figure; 6] = [
        ("acknowledged", |r| r.workload.acknowledged as f64),
        ("found by a fresh device", |r| r.workload.found as f64),
        ("push-ack (s)", |r| r.workload.push_ack_seconds),
        ("find-all (s)", |r| r.workload.find_all_seconds),
        ("server CPU (s)", |r| r.server_cpu_seconds),
        ("server peak RSS (MiB)", |r| r.server_peak_rss_mib),
    ];
    let mut out = String::from(
        "| median of each round | reference | fieldclinic | fieldclinic / reference |\n|---|---|---|---|\n",
    );
    for (label, f) in figures {
        let reference = pick(Contestant::Reference.name(), &f);
        let ours = pick(Contestant::Fieldclinic.name(), &f);
        out.push_str(&format!(
            "| {label} | {reference:.1} | {ours:.1} | {:.2} |\n",
            ours / reference
        ));
    }
    let errors: u64 = runs.iter().map(|r| r.workload.client_error_count).sum();
    out.push_str(&format!("\nclient errors over all runs: {errors}\n"));
    out
}
