use std::fmt;

use serde::{Deserialize, Serialize};

/// A peer's ID as it announces itself in `join` (JS default: `"peer-" + random`).
///
/// Peer IDs are not identities: they live for one client process and the protocol does not
/// authenticate them. Authentication happens at the transport, before `join`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PeerId(String);

/// Why a string is not a peer ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a peer ID is 1 to {MAX_LEN} characters")]
pub struct BadPeerId;

const MAX_LEN: usize = 256;

impl PeerId {
    /// Validates a peer ID received from the network.
    ///
    /// # Errors
    /// When the ID is empty or longer than 256 bytes.
    pub fn parse(s: &str) -> Result<Self, BadPeerId> {
        if s.is_empty() || s.len() > MAX_LEN {
            return Err(BadPeerId);
        }
        Ok(Self(s.to_owned()))
    }

    /// The ID as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
