use std::time::Duration;

/// Tuning of the document hub. Defaults suit a clinic network on two cores.
#[derive(Debug, Clone)]
pub struct HubSettings {
    /// A loaded document with no peers is unloaded after this long without activity.
    pub idle_unload_after: Duration,
    /// Dirty per-peer sync states are written at this interval (a debounce).
    pub checkpoint_every: Duration,
    /// Incremental chunks beyond this number are compacted into one snapshot (samod uses 10).
    pub compact_after_chunks: usize,
    /// Each connection's outgoing queue; when full the connection is closed and the peer
    /// resyncs from its sync state on reconnect.
    pub outbox_capacity: usize,
    /// Sync messages of one connection being processed at once: bounds the reconnect burst of
    /// one `sync` per open document.
    pub per_connection_in_flight: usize,
    /// Commands queued for one document before senders wait.
    pub document_queue: usize,
    /// Commands one document processes as a batch (one database write for all of them).
    pub batch_max: usize,
    /// Documents' writes committed in one transaction at most (group commit).
    pub commit_batch_max: usize,
    /// Documents loaded in memory at most; beyond, a message for another document waits up to
    /// `busy_wait` for one to unload, then its connection gets `error` ("server busy").
    pub max_loaded_documents: usize,
    /// How long a message waits for room among the loaded documents.
    pub busy_wait: Duration,
    /// Documents one connection may open; the next one gets `error` ("too many documents") and
    /// the connection closes. Bounds what one device can make the server hold.
    pub max_documents_per_connection: usize,
    /// A socket that has not sent `join` within this long is closed.
    pub join_within: Duration,
}

impl Default for HubSettings {
    fn default() -> Self {
        Self {
            idle_unload_after: Duration::from_secs(30),
            checkpoint_every: Duration::from_secs(2),
            compact_after_chunks: 10,
            outbox_capacity: 1024,
            per_connection_in_flight: 32,
            document_queue: 256,
            batch_max: 64,
            commit_batch_max: 256,
            max_loaded_documents: 20_000,
            busy_wait: Duration::from_secs(5),
            max_documents_per_connection: 2_000,
            join_within: Duration::from_secs(5),
        }
    }
}
