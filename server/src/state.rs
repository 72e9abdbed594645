//! The one application state every handler receives: the store, the sync hub over it with the
//! clinic's policy, the audit trail, the sign-in limiter, the case-event feed and the settings
//! handlers read. Built once, at start-up.

use fieldclinic_stores::accounts::AccountStore;
use fieldclinic_stores::cases::CaseStore;
use fieldclinic_stores::{ChangeFeed, Health};
use fieldclinic_sync::{Hub, Store};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::audit::Audit;
use crate::auth::LoginLimiter;
use crate::case_index::CaseEvent;
use crate::policy::ClinicPolicy;

/// Everything the application's store must do: documents, accounts, the case index, following
/// other instances' writes, and answering a health check.
pub trait AppStore: Store + AccountStore + CaseStore + ChangeFeed + Health {}
impl<S: Store + AccountStore + CaseStore + ChangeFeed + Health> AppStore for S {}

/// Limits the sync socket applies.
#[derive(Debug, Clone, Copy)]
pub struct SyncLimits {
    /// Largest message accepted.
    pub max_message_bytes: usize,
}

/// The application's state, shared by every worker thread of the HTTP server.
#[derive(Debug)]
pub struct AppState<S: AppStore> {
    /// The database.
    pub store: S,
    /// The sync hub over `store`, deciding with the clinic's policy.
    pub hub: Hub<S, ClinicPolicy<S>>,
    /// The audit trail.
    pub audit: Audit,
    /// Sign-in attempts, limited per account and address.
    pub limiter: LoginLimiter,
    /// Case index changes, for the dashboard's live updates.
    pub events: CaseEvents,
    /// How the dashboard sets its cookies.
    pub dashboard: DashboardSettings,
    /// The sync socket's limits.
    pub sync_limits: SyncLimits,
}

/// Dashboard settings the handlers read.
#[derive(Debug, Clone, Copy)]
pub struct DashboardSettings {
    /// Whether cookies carry `Secure` (served over TLS, here or at a proxy).
    pub secure_cookies: bool,
}

/// The sender the projector publishes on; the dashboard subscribes per open page. `closing`
/// ends every open stream when the server stops, so a graceful stop does not wait out the
/// shutdown timeout for dashboards left open.
#[derive(Debug, Clone)]
pub struct CaseEvents {
    /// Where the projector publishes.
    pub sender: broadcast::Sender<CaseEvent>,
    /// Cancelled when the server stops.
    pub closing: CancellationToken,
}
