//! Closes sync connections whose credential no longer holds, however it ended: a device revoked
//! through the command line or another server instance, a user disabled, a session signed out
//! or expired. Revocations through this instance's API close connections at once; these within
//! one poll interval.
//!
//! Each poll asks the database about the credentials of every open socket (joined or not), not
//! about revocations since some moment: a state check has no window through which a revocation
//! can slip, whatever the clocks of the machines or the order in which transactions commit.

use std::time::Duration;

use fieldclinic_domain::Principal;
use fieldclinic_domain::clock::now_millis;
use fieldclinic_stores::accounts::{AccountStore, Credentials};
use fieldclinic_sync::{DocumentPolicy, Hub, Store};
use tokio_util::sync::CancellationToken;

/// How often open connections' credentials are checked: a lost phone is cut off within this
/// (plus one query).
pub const POLL_EVERY: Duration = Duration::from_secs(1);

/// Polls until `stop` is cancelled.
pub async fn watch<S, P>(hub: Hub<S, P>, stop: CancellationToken)
where
    S: Store + AccountStore,
    P: DocumentPolicy<Identity = Principal>,
{
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let principals = hub.socket_identities();
        if principals.is_empty() {
            continue;
        }
        let credentials = Credentials::of(&principals);
        match hub
            .store()
            .invalid_credentials(&credentials, now_millis())
            .await
        {
            Ok(invalid) if invalid.is_empty() => {}
            Ok(invalid) => {
                let closed = hub.close_connections(|p| invalid.covers(p));
                if closed > 0 {
                    tracing::info!(
                        closed,
                        devices = invalid.devices.len(),
                        sessions = invalid.sessions.len(),
                        users = invalid.users.len(),
                        "closed connections whose credential ended"
                    );
                }
            }
            Err(e) => tracing::warn!(error.message = %e, "credential check failed"),
        }
    }
}
