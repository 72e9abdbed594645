//! Closes the sync connections of devices revoked outside this process (the command line,
//! another server instance sharing the database). Revocations through this instance's API
//! close connections at once; these within one poll interval.

use std::time::Duration;

use fieldclinic_sync::Store;
use tokio_util::sync::CancellationToken;

use crate::audit::now_millis;
use crate::startup::AppHub;
use crate::store::accounts::AccountStore;

/// How often the database is asked for new revocations: a lost phone is cut off within this.
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// Clocks of several machines disagree a little; looking back this far catches revocations
/// stamped slightly in the past. Closing an already closed connection is harmless.
const CLOCK_SLACK_MILLIS: i64 = 10_000;

/// Polls until `stop` is cancelled.
pub async fn watch<S: Store + AccountStore>(hub: AppHub<S>, stop: CancellationToken) {
    let mut since = now_millis() - CLOCK_SLACK_MILLIS;
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        match hub.store().revoked_devices_since(since).await {
            Ok(devices) => {
                for d in &devices {
                    let closed = hub.close_connections(|p| p.device_id == Some(d.id));
                    if closed > 0 {
                        tracing::info!(device.id = %d.id, closed, "closed a revoked device's connections");
                    }
                }
                let newest = devices.iter().filter_map(|d| d.revoked_at_millis).max();
                if let Some(newest) = newest {
                    since = since.max(newest - CLOCK_SLACK_MILLIS);
                }
            }
            Err(e) => tracing::warn!(error.message = %e, "revocation check failed"),
        }
    }
}
