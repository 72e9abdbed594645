use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The identity of a peer's persistent store, as automerge-repo advertises it in `peerMetadata`.
///
/// JS clients use a v4 UUID; the protocol only promises a string, so any non-empty string of
/// reasonable length is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StorageId(String);

/// Why a string is not a storage ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a storage ID is 1 to {MAX_LEN} characters")]
pub struct BadStorageId;

const MAX_LEN: usize = 128;

impl StorageId {
    /// A fresh v4 UUID storage ID.
    #[must_use]
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// Validates a storage ID received from a peer.
    ///
    /// # Errors
    /// When the string is empty or longer than 128 characters.
    pub fn parse(s: &str) -> Result<Self, BadStorageId> {
        if s.is_empty() || s.len() > MAX_LEN {
            return Err(BadStorageId);
        }
        Ok(Self(s.to_owned()))
    }

    /// The ID as a string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for StorageId {
    type Err = BadStorageId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for StorageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
