//! The floor benchmark: the sync workload's essential work with nothing around it. The changes a
//! device makes for N intakes x K offenses (one change per offense, as `tests/js/bulk.mjs` makes
//! them) are generated first; then, timed, each document's changes are applied to an empty
//! document with the `automerge` crate, saved as the incremental chunk the server stores, and
//! committed to the real SQLite store in batches of `--batch` documents (the server's group
//! commit size), one transaction and one fsync per batch. No network, no protocol, no access
//! check, no eligibility write-back: what the server does on top of this is its overhead.

use std::time::Instant;

use anyhow::Context;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use clap::Parser;
use fieldclinic_schema::DocumentId;
use fieldclinic_stores::SqliteStore;
use fieldclinic_sync::{Chunk, ChunkKind, DocumentWrite, Store, heads_hash};
use serde::Serialize;

use crate::side_by_side::ProcessUsage;

/// `fieldclinic-floor`: the workload's automerge and SQLite work in one process.
#[derive(Debug, Parser)]
#[command(name = "fieldclinic-floor", version, about)]
pub struct FloorArgs {
    /// Intakes (documents).
    #[arg(long, default_value_t = 1000)]
    pub intakes: usize,
    /// Changes per intake after its creation, one offense each.
    #[arg(long, default_value_t = 5)]
    pub offenses: usize,
    /// Documents per transaction.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// The SQLite database to write (a fresh temporary file when omitted).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct FloorResult {
    pub intakes: usize,
    pub changes: usize,
    pub transactions: usize,
    /// Applying, saving and committing every document.
    pub seconds: f64,
    /// Of those, inside `append_changes`.
    pub commit_seconds: f64,
    pub documents_per_second: f64,
    pub changes_per_second: f64,
    /// CPU of this process over the timed part.
    pub cpu_seconds: f64,
    pub peak_rss_mib: f64,
}

/// One device's changes for one intake, as they arrive in a sync message.
struct Pushed {
    id: DocumentId,
    changes: Vec<automerge::Change>,
}

fn device_changes(n: usize, offenses: usize) -> anyhow::Result<Pushed> {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "kind", "intake")?;
    doc.put(ROOT, "schema_version", 1_u64)?;
    let person = doc.put_object(ROOT, "person", ObjType::Map)?;
    let name = doc.put_object(&person, "legal_name", ObjType::Text)?;
    doc.splice_text(&name, 0, 0, &format!("Load Client {n}"))?;
    for (key, value) in [
        ("status_now", "us_citizen"),
        ("citizen_or_lpr_since", "birth"),
        ("status_at_offense", "us_citizen"),
    ] {
        doc.put(&person, key, value)?;
    }
    let list = doc.put_object(ROOT, "offenses", ObjType::List)?;
    let notes = doc.put_object(ROOT, "notes", ObjType::Text)?;
    doc.splice_text(&notes, 0, 0, "bulk workload")?;
    doc.commit();
    for k in 0..offenses {
        let at = doc.length(&list);
        let offense = doc.insert_object(&list, at, ObjType::Map)?;
        let date = format!("201{}-0{}-15", k % 10, (k % 9) + 1);
        for (key, value) in [
            ("id", format!("offense-{}", k + 1)),
            ("citation", "21 USC 844".to_owned()),
            ("substance", "marijuana".to_owned()),
            ("conduct", "possession".to_owned()),
            ("jurisdiction", "federal".to_owned()),
            ("disposition", "convicted".to_owned()),
            ("offense_date", date),
        ] {
            doc.put(&offense, key, value)?;
        }
        doc.commit();
    }
    let changes = doc.get_changes(&[]);
    Ok(Pushed {
        id: DocumentId::random(),
        changes,
    })
}

fn apply(pushed: Pushed) -> anyhow::Result<DocumentWrite> {
    let mut doc = AutoCommit::new();
    doc.apply_changes(pushed.changes)?;
    let heads = doc.get_heads();
    let data = doc.save_after(&[]);
    Ok(DocumentWrite {
        doc: pushed.id,
        chunks: vec![Chunk {
            kind: ChunkKind::Incremental,
            hash: heads_hash(&heads),
            data,
        }],
        heads: heads.iter().map(ToString::to_string).collect(),
        at_millis: 0,
    })
}

/// Runs the floor benchmark.
///
/// # Errors
/// When the database cannot be opened or a write fails.
pub async fn run(args: &FloorArgs) -> anyhow::Result<FloorResult> {
    let dir = tempfile::tempdir().context("Failed to make a temporary folder")?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("floor.db").display()));
    let store = SqliteStore::connect(&url).await?;
    let pushed = (0..args.intakes)
        .map(|n| device_changes(n, args.offenses))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let changes: usize = pushed.iter().map(|p| p.changes.len()).sum();

    let pid = std::process::id();
    let before = ProcessUsage::of_process(pid).unwrap_or_default();
    let start = Instant::now();
    let mut commit_seconds = 0.0;
    let mut transactions = 0;
    let mut pending = pushed.into_iter().peekable();
    let batch = args.batch.max(1);
    while pending.peek().is_some() {
        let writes = pending
            .by_ref()
            .take(batch)
            .map(apply)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let commit = Instant::now();
        store.append_changes(&writes).await?;
        commit_seconds += commit.elapsed().as_secs_f64();
        transactions += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    let after = ProcessUsage::of_process(pid).unwrap_or_default();
    Ok(FloorResult {
        intakes: args.intakes,
        changes,
        transactions,
        seconds,
        commit_seconds,
        documents_per_second: args.intakes as f64 / seconds,
        changes_per_second: changes as f64 / seconds,
        cpu_seconds: after.cpu_seconds - before.cpu_seconds,
        peak_rss_mib: after.peak_rss_mib(),
    })
}

/// The result for people.
#[must_use]
pub fn summary(r: &FloorResult) -> String {
    format!(
        "floor: {} intakes, {} changes, {} transactions in {:.2} s ({:.2} s committing): \
         {:.0} documents/s, {:.0} changes/s, {:.2} s CPU, peak RSS {:.0} MiB\n",
        r.intakes,
        r.changes,
        r.transactions,
        r.seconds,
        r.commit_seconds,
        r.documents_per_second,
        r.changes_per_second,
        r.cpu_seconds,
        r.peak_rss_mib,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_floor_stores_every_document_it_says_it_did() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("floor.db").display());
        let args = FloorArgs {
            intakes: 5,
            offenses: 3,
            batch: 2,
            database_url: Some(url.clone()),
            json: false,
        };

        let result = run(&args).await.expect("floor run");

        assert_eq!(
            result.changes,
            5 * 4,
            "one creation and one change per offense"
        );
        assert_eq!(result.transactions, 3, "batches of 2, 2 and 1");
        let store = SqliteStore::connect(&url).await.expect("reopen");
        let stored = store.list_documents(None, 100).await.expect("list");
        assert_eq!(stored.len(), 5);
        for id in stored {
            let meta = store.document_meta(&id).await.expect("meta");
            let mut doc = AutoCommit::new();
            for chunk in store.load_chunks(&meta.id).await.expect("chunks") {
                doc.load_incremental(&chunk.data).expect("load");
            }
            let intake = fieldclinic_schema::read_intake(&doc).expect("an intake");
            assert_eq!(intake.offenses.len(), 3);
            assert_eq!(
                doc.get_heads()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                meta.heads
            );
        }
    }
}
