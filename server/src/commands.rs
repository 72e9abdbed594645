//! What the non-serving subcommands do.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::Hub;
use secrecy::ExposeSecret;

use crate::audit::Audit;
use crate::case_index::{Projector, projector};
use crate::cli::OutputFormat;
use crate::configuration::Settings;
use crate::indexer::Indexer;
use crate::pipeline::{Pipeline, worker_queue};
use crate::policy::ClinicPolicy;
use crate::state::AppStore;

/// Connects to the configured database, which runs its migrations.
///
/// # Errors
/// When the URL is unsupported or the database unreachable.
pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let url = settings.database.url.expose_secret();
    fieldclinic_stores::with_store!(url, |store| store.close().await);
    Ok(())
}

/// How `eligibility check` ended.
#[derive(Debug)]
pub enum CheckOutcome {
    /// The results, ready to print.
    Printed(String),
    /// Malformed input: the message names the case and the field.
    BadInput(String),
}

/// Runs `eligibility check`.
///
/// # Errors
/// When the file cannot be read.
pub fn eligibility_check(
    file: Option<&Path>,
    format: OutputFormat,
) -> anyhow::Result<CheckOutcome> {
    let mut input = String::new();
    match file {
        Some(p) if p != Path::new("-") => {
            input = std::fs::read_to_string(p)
                .with_context(|| format!("Failed to read {}", p.display()))?;
        }
        _ => {
            std::io::stdin()
                .read_to_string(&mut input)
                .context("Failed to read stdin")?;
        }
    }
    let results = match fieldclinic_eligibility::check_cases_json(&input) {
        Ok(r) => r,
        Err(e) => return Ok(CheckOutcome::BadInput(e.to_string())),
    };
    Ok(CheckOutcome::Printed(match format {
        OutputFormat::Json => serde_json::to_string_pretty(&results)?,
        OutputFormat::Table => fieldclinic_eligibility::render_table(&results),
    }))
}

/// Runs `eligibility reevaluate`.
///
/// # Errors
/// When the database fails.
pub async fn reevaluate(
    settings: &Settings,
    progress_file: &Path,
    restart: bool,
    quiet: bool,
) -> anyhow::Result<u64> {
    let url = settings.database.url.expose_secret();
    fieldclinic_stores::with_store!(url, |store| {
        reevaluate_with(store, settings, progress_file, restart, quiet).await
    })
}

const PAGE: u32 = 200;

async fn reevaluate_with<S: AppStore>(
    store: S,
    settings: &Settings,
    progress_file: &Path,
    restart: bool,
    quiet: bool,
) -> anyhow::Result<u64> {
    // The same pipeline as `serve`: re-evaluated intakes reach the index documents and the case
    // index before the command ends.
    let audit = Audit::start(store.clone());
    let index_queue = worker_queue();
    let cases_queue = worker_queue();
    let pipeline = Pipeline::new()
        .feeding(index_queue.clone())
        .feeding(cases_queue.clone());
    let hub = Hub::new(
        store.clone(),
        ClinicPolicy::new(store.clone(), audit.clone(), pipeline),
        settings.hub_settings(),
    )
    .await?;
    let indexer = Indexer::start(index_queue, hub.clone());
    // Nobody watches the dashboard's live updates from the command line.
    let (events, _) = tokio::sync::broadcast::channel(16);
    let projector = Projector::start(cases_queue, store.clone(), events);
    let mut after: Option<DocumentId> = if restart {
        None
    } else {
        match std::fs::read_to_string(progress_file) {
            Ok(s) => Some(
                s.trim()
                    .parse()
                    .context("The progress file does not hold a document ID")?,
            ),
            Err(_) => None,
        }
    };
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new_spinner()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos} intakes re-evaluated ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    if let Some(parent) = progress_file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("Failed to create {}", parent.display()))?;
    }
    let mut done = 0u64;
    loop {
        let page = store
            .list_documents(after, PAGE)
            .await
            .context("Failed to list documents")?;
        let Some(last) = page.last().copied() else {
            break;
        };
        for doc in page {
            hub.reevaluate(doc)
                .await
                .with_context(|| format!("Failed to re-evaluate {doc}"))?;
            done += 1;
            bar.inc(1);
        }
        std::fs::write(progress_file, last.to_string()).context("Failed to save progress")?;
        after = Some(last);
    }
    indexer.shutdown().await;
    hub.shutdown().await;
    projector.shutdown().await;
    // The running projector may have been stopped mid-sweep; the index is current on exit.
    projector::catch_up(&store)
        .await
        .context("Failed to update the case index")?;
    audit.flush().await;
    // A finished run leaves nothing to resume.
    let _ = std::fs::remove_file(progress_file);
    bar.finish_with_message("done");
    Ok(done)
}
