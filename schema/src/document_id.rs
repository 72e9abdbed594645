use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The identity of one Automerge document, as automerge-repo names it: 16 random bytes (a v4 UUID),
/// displayed as bs58check.
///
/// A document ID is not a secret: it travels in URLs, QR codes and logs. Access is decided by the
/// server's policy, never by knowing the ID.
///
/// ```
/// use fieldclinic_schema::DocumentId;
/// let id = DocumentId::random();
/// let parsed: DocumentId = id.to_string().parse().unwrap();
/// assert_eq!(id, parsed);
/// assert!("4BjovRcoCdVSeCgzZd7JPLdDv8rw".parse::<DocumentId>().is_ok());
/// assert!("4BjovRcoCdVSeCgzZd7JPLdDv8rx".parse::<DocumentId>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

/// Why a string is not a document ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDocumentId {
    /// Not bs58, or the checksum does not match.
    #[error("not a bs58check string")]
    NotBs58Check,
    /// The payload is not 16 bytes.
    #[error("a document ID holds 16 bytes, this one holds {0}")]
    WrongLength(usize),
    /// An `automerge:` URL was expected.
    #[error("not an automerge: URL")]
    NotAnAutomergeUrl,
}

impl DocumentId {
    /// A fresh random ID (a v4 UUID), as `repo.create()` makes.
    #[must_use]
    pub fn random() -> Self {
        Self(*uuid::Uuid::new_v4().as_bytes())
    }

    /// The ID from its 16 raw bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The 16 raw bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `automerge:` URL devices use to find the document.
    #[must_use]
    pub fn url(&self) -> String {
        format!("automerge:{self}")
    }

    /// Parses an `automerge:<id>` URL, ignoring a `#heads` suffix.
    ///
    /// # Errors
    /// When the string is not an `automerge:` URL or the ID in it is invalid.
    pub fn from_url(url: &str) -> Result<Self, BadDocumentId> {
        let rest = url
            .strip_prefix("automerge:")
            .ok_or(BadDocumentId::NotAnAutomergeUrl)?;
        let id = rest.split('#').next().unwrap_or_default();
        id.parse()
    }
}

impl FromStr for DocumentId {
    type Err = BadDocumentId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|_| BadDocumentId::NotBs58Check)?;
        let array: [u8; 16] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| BadDocumentId::WrongLength(bytes.len()))?;
        Ok(Self(array))
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl Serialize for DocumentId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocumentId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_wrong_length_payload_is_rejected() {
        let s = bs58::encode([1u8; 15]).with_check().into_string();
        assert_eq!(s.parse::<DocumentId>(), Err(BadDocumentId::WrongLength(15)));
    }

    #[test]
    fn a_url_with_heads_names_the_document() {
        let id = DocumentId::random();
        let url = format!("{}#abc|def", id.url());
        assert_eq!(DocumentId::from_url(&url), Ok(id));
    }

    proptest! {
        #[test]
        fn display_and_parse_round_trip(bytes in any::<[u8; 16]>()) {
            let id = DocumentId::from_bytes(bytes);
            prop_assert_eq!(id.to_string().parse::<DocumentId>(), Ok(id));
        }
    }
}
