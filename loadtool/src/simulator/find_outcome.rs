use std::time::Duration;

use automerge::ChangeHash;

/// What `find` got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindOutcome {
    /// The server had the document; the device now holds the same heads.
    Found {
        /// The heads both sides hold.
        heads: Vec<ChangeHash>,
        /// From sending `request` to holding the server's heads.
        latency: Duration,
    },
    /// The server answered `doc-unavailable`.
    Unavailable,
}
