//! Periodic clean-up: expired sessions and sync tickets are deleted, so the credential tables
//! hold only what can still be used (lookups already refuse expired rows; this keeps the tables
//! small and leaves no stale token hashes lying around).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use fieldclinic_domain::clock::now_millis;
use fieldclinic_stores::accounts::AccountStore;

/// How often expired credentials are purged.
pub const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Purges at start and then every [`PURGE_EVERY`] until `stop` is cancelled. Several instances
/// purging the same rows is harmless.
pub async fn purge_expired_credentials<S: AccountStore>(store: S, stop: CancellationToken) {
    let mut tick = tokio::time::interval(PURGE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        match store.purge_expired(now_millis()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "purged expired sessions and tickets"),
            Err(e) => tracing::warn!(error.message = %e, "purging expired credentials failed"),
        }
    }
}
