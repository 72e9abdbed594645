//! `fieldclinic-loadtest`: N simulated devices, each holding M intakes, sync them with a server
//! on this machine at once; the report gives throughput, push-ack latency percentiles and the
//! server's memory. Only loopback servers are accepted, and every phase is bounded in time.

mod args;
mod latency_summary;
mod load_report;
mod memory_sample;
mod phase_report;
mod spawned_server;

use std::time::{Duration, Instant};

use anyhow::Context;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::task::JoinSet;

pub use args::LoadtestArgs;
pub use latency_summary::LatencySummary;
pub use load_report::LoadReport;
pub use memory_sample::MemorySample;
pub use phase_report::PhaseReport;
pub use spawned_server::{SpawnedServer, sibling_server_binary};

use crate::simulator::{Device, PushAck, intake_data};

/// What every device does in one phase.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Connect and push every intake created offline.
    InitialPush,
    /// Edit every intake, then resync them all.
    EditRound(u32),
    /// Reconnect (everyone at once) and re-announce every document, like JS clients do.
    Reconnect,
}

/// Runs the load test and prints its report.
///
/// # Errors
/// When the server cannot be reached or started, is not on a loopback address, or a phase
/// fails or times out.
pub async fn run(args: &LoadtestArgs) -> anyhow::Result<()> {
    let report = measure(args).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(())
}

/// Runs the load test and returns its report.
///
/// # Errors
/// As [`run`].
pub async fn measure(args: &LoadtestArgs) -> anyhow::Result<LoadReport> {
    let spawned = if args.spawn_server {
        let binary = match &args.server_binary {
            Some(path) => path.clone(),
            None => sibling_server_binary()?,
        };
        Some(SpawnedServer::start(binary).await?)
    } else {
        None
    };
    // A spawned server hands out a fresh ticket per phase; a given URL is used as it is.
    let url = || async {
        match (&spawned, &args.url) {
            (Some(s), _) => s.ws_url().await,
            (None, Some(url)) => Ok(url.clone()),
            (None, None) => anyhow::bail!("give --url or --spawn-server"),
        }
    };
    ensure_loopback(&url().await?).await?;
    let memory = || spawned.as_ref().and_then(SpawnedServer::memory);
    let server_memory_at_start = memory();
    let phase_timeout = Duration::from_secs(args.timeout_secs);

    let started = Instant::now();
    let (devices, intakes) = (args.devices, args.intakes);
    let devices =
        tokio::task::spawn_blocking(move || create_devices(devices, intakes, phase_timeout))
            .await
            .context("Creating intakes failed")??;
    let create_seconds = started.elapsed().as_secs_f64();

    let mut phases = Vec::new();
    let mut devices = devices;
    let steps = std::iter::once(Step::InitialPush)
        .chain((1..=args.rounds).map(Step::EditRound))
        .chain(std::iter::once(Step::Reconnect));
    let mut all_latencies = Vec::new();
    for step in steps {
        let (back, acks, elapsed) = run_phase(devices, &url().await?, step, phase_timeout).await?;
        devices = back;
        let latencies: Vec<Duration> = acks.iter().map(|a| a.latency).collect();
        let messages = acks
            .iter()
            .map(|a| u64::from(a.sent) + u64::from(a.received))
            .sum();
        let name = match step {
            Step::InitialPush => "initial push".to_owned(),
            Step::EditRound(n) => format!("edit round {n}"),
            Step::Reconnect => "reconnect storm".to_owned(),
        };
        phases.push(PhaseReport::new(
            &name,
            &latencies,
            messages,
            elapsed,
            memory(),
        ));
        all_latencies.extend(latencies);
    }
    for d in &mut devices {
        d.disconnect().await;
    }
    let total_sync_seconds: f64 = phases.iter().map(|p| p.seconds).sum();
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    let syncs = all_latencies.len() as f64;
    Ok(LoadReport {
        devices: args.devices,
        intakes_per_device: args.intakes,
        rounds: args.rounds,
        total_documents: devices.iter().map(|d| d.document_ids().len()).sum(),
        cores: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        create_seconds,
        phases,
        total_sync_seconds,
        document_syncs_per_sec: if total_sync_seconds > 0.0 {
            syncs / total_sync_seconds
        } else {
            0.0
        },
        latency: LatencySummary::of(&all_latencies),
        server_memory_at_start,
        server_memory_at_end: memory(),
    })
}

fn create_devices(devices: u32, intakes: u32, timeout: Duration) -> anyhow::Result<Vec<Device>> {
    (0..devices)
        .map(|i| {
            let mut device =
                Device::persistent(&format!("loadtest-device-{i}"))?.with_timeout(timeout);
            let mut rng = StdRng::seed_from_u64(u64::from(i));
            for _ in 0..intakes {
                device.create_intake(&intake_data::realistic_intake(&mut rng))?;
            }
            Ok(device)
        })
        .collect()
}

/// Runs `step` on every device at once; returns the devices, every acknowledgement, and the
/// phase's wall time.
async fn run_phase(
    devices: Vec<Device>,
    url: &str,
    step: Step,
    timeout: Duration,
) -> anyhow::Result<(Vec<Device>, Vec<PushAck>, Duration)> {
    let mut devices = devices;
    if matches!(step, Step::Reconnect) {
        // Everyone drops at once (a server restart, a network blip)...
        let mut set = JoinSet::new();
        for mut d in devices {
            set.spawn(async move {
                d.disconnect().await;
                d
            });
        }
        devices = set.join_all().await;
    }
    let started = Instant::now();
    let mut set = JoinSet::new();
    for (index, mut d) in devices.into_iter().enumerate() {
        let url = url.to_owned();
        set.spawn(async move {
            let acks = device_step(&mut d, &url, step, index).await;
            (index, d, acks)
        });
    }
    let finished = tokio::time::timeout(timeout, set.join_all())
        .await
        .with_context(|| format!("The phase did not finish within {} s", timeout.as_secs()))?;
    let elapsed = started.elapsed();
    let mut finished = finished;
    finished.sort_by_key(|(i, _, _)| *i);
    let mut back = Vec::with_capacity(finished.len());
    let mut acks = Vec::new();
    for (index, d, result) in finished {
        acks.extend(result.with_context(|| format!("Device {index} failed"))?);
        back.push(d);
    }
    Ok((back, acks, elapsed))
}

async fn device_step(
    d: &mut Device,
    url: &str,
    step: Step,
    index: usize,
) -> anyhow::Result<Vec<PushAck>> {
    match step {
        Step::InitialPush | Step::Reconnect => {
            d.connect(url).await.context("Failed to connect")?;
        }
        Step::EditRound(round) => {
            let mut rng = StdRng::seed_from_u64((index as u64) << 32 | u64::from(round));
            for id in d.document_ids() {
                d.edit_intake(&id, |intake| intake_data::follow_up(intake, &mut rng))?;
            }
        }
    }
    Ok(d.sync_all().await?)
}

/// The load tool only ever talks to this machine.
async fn ensure_loopback(url: &str) -> anyhow::Result<()> {
    let uri: tokio_tungstenite::tungstenite::http::Uri = url
        .parse()
        .with_context(|| format!("Invalid URL {url:?}"))?;
    let default_port = match uri.scheme_str() {
        Some("ws") => 80,
        Some("wss") => 443,
        _ => anyhow::bail!("The URL must start with ws:// or wss://"),
    };
    let host = uri.host().context("The URL has no host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(default_port);
    let addrs: Vec<_> = tokio::net::lookup_host((host, port))
        .await
        .with_context(|| format!("Failed to resolve {host}"))?
        .collect();
    if addrs.is_empty() || !addrs.iter().all(|a| a.ip().is_loopback()) {
        anyhow::bail!("The load tool only connects to loopback addresses, not {host}");
    }
    Ok(())
}
