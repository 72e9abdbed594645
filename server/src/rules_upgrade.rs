//! After an upgrade that changes the eligibility rules, the server re-evaluates every stored
//! intake by itself: each one's determination, index-document entry and case-index row are
//! brought to the new rules and synced to the devices that hold it, without an operator running
//! a command.
//!
//! The walk goes through the intakes in `doc_id` order through the hub, like any server-side
//! change, so it is safe while devices sync (a document a device has open is re-evaluated by the
//! same task that applies the device's changes). Progress is saved in the database after each
//! page: a restart resumes where it stopped, and a finished rules version is never walked again.
//! Several instances may walk at once; re-evaluating an intake twice changes nothing the second
//! time, because the write-back skips an intake whose inputs and rules version are unchanged.

use std::time::Duration;

use fieldclinic_eligibility::RULES_VERSION;
use fieldclinic_sync::{DocumentPolicy, Hub, HubError, Store};
use tokio_util::sync::CancellationToken;

use fieldclinic_domain::clock::now_millis;
use fieldclinic_stores::accounts::AccountStore;
use fieldclinic_stores::cases::{CaseStore, ReevaluationProgress};

/// Intakes per page: progress is saved after each.
const PAGE: u32 = 100;
/// After a store failure or a full hub, wait this long before the page is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Walks every intake under the current rules version, unless that walk already finished.
/// Returns when done or when `stop` is cancelled.
pub async fn run<S, P>(hub: Hub<S, P>, stop: CancellationToken)
where
    S: Store + AccountStore + CaseStore,
    P: DocumentPolicy,
{
    let store = hub.store().clone();
    let mut progress = loop {
        match store.reevaluation_progress(RULES_VERSION).await {
            Ok(Some(p)) if p.finished => return,
            Ok(p) => break p.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error.message = %e, "rules re-evaluation: progress not read; retrying");
                if wait_or_stop(&stop, RETRY_AFTER).await {
                    return;
                }
            }
        }
    };
    if progress.after.is_none() {
        tracing::info!(
            rules.version = RULES_VERSION,
            "re-evaluating every intake under new rules"
        );
    } else {
        tracing::info!(
            rules.version = RULES_VERSION,
            "resuming the re-evaluation of every intake"
        );
    }
    let mut done = 0u64;
    loop {
        if stop.is_cancelled() {
            return;
        }
        let page = match store.intakes_after(progress.after, PAGE).await {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(error.message = %e, "rules re-evaluation: listing intakes failed; retrying");
                if wait_or_stop(&stop, RETRY_AFTER).await {
                    return;
                }
                continue;
            }
        };
        let Some(last) = page.last().copied() else {
            break;
        };
        for doc in page {
            loop {
                if stop.is_cancelled() {
                    return;
                }
                match hub.reevaluate_and_release(doc).await {
                    // Claimed by a device that has not pushed it yet: nothing to evaluate.
                    Ok(()) | Err(HubError::NotFound) => break,
                    Err(HubError::ShuttingDown) => return,
                    Err(e) => {
                        tracing::warn!(doc.id = %doc, error.message = %e, "rules re-evaluation of an intake failed; retrying");
                        if wait_or_stop(&stop, RETRY_AFTER).await {
                            return;
                        }
                    }
                }
            }
            done += 1;
        }
        progress.after = Some(last);
        save(&store, &progress).await;
    }
    progress.finished = true;
    save(&store, &progress).await;
    tracing::info!(
        rules.version = RULES_VERSION,
        intakes = done,
        "every intake re-evaluated under the current rules"
    );
}

async fn save<S: CaseStore>(store: &S, progress: &ReevaluationProgress) {
    if let Err(e) = store
        .save_reevaluation_progress(RULES_VERSION, progress, now_millis())
        .await
    {
        // Losing progress costs a repeat of some intakes after a restart, never a wrong result.
        tracing::warn!(error.message = %e, "rules re-evaluation: progress not saved");
    }
}

/// Sleeps for `d`; true when `stop` was cancelled meanwhile.
async fn wait_or_stop(stop: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        () = stop.cancelled() => true,
        () = tokio::time::sleep(d) => false,
    }
}
