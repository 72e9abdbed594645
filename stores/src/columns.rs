//! Conversions between domain values and the columns both backends share, so a corrupt row is
//! reported the same way whichever database holds it.

use std::str::FromStr;

use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{BadStorageId, ChunkKind, StorageId, StoreError};

use super::accounts::{OwnedKind, Role};

/// A stored value the domain types reject: the database was edited by hand or by a newer version.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CorruptRow {
    #[error("a stored doc_id holds {0} bytes, not 16")]
    DocIdLength(usize),
    #[error("unknown stored chunk kind {0:?}")]
    ChunkKind(String),
    #[error("stored heads are not a JSON array of strings")]
    Heads(#[source] serde_json::Error),
    #[error("a stored storage ID is invalid")]
    StorageId(#[source] BadStorageId),
    #[error("a stored count is negative")]
    NegativeCount,
    #[error("a stored token hash holds {0} bytes, not 32")]
    TokenHashLength(usize),
    #[error("a stored {column} is not a UUID")]
    Uuid {
        column: &'static str,
        #[source]
        source: uuid::Error,
    },
    #[error("unknown stored role {0:?}")]
    Role(String),
    #[error("unknown stored document kind {0:?}")]
    OwnedKind(String),
    #[error("a stored audit detail is not JSON")]
    Detail(#[source] serde_json::Error),
    #[error("a stored {column} is not the JSON it should be")]
    Json {
        column: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("unknown stored duplicate status {0:?}")]
    DuplicateStatus(String),
}

impl From<CorruptRow> for StoreError {
    fn from(e: CorruptRow) -> Self {
        Self::other(e)
    }
}

pub(crate) fn doc_id(bytes: &[u8]) -> Result<DocumentId, CorruptRow> {
    let bytes = <[u8; 16]>::try_from(bytes).map_err(|_| CorruptRow::DocIdLength(bytes.len()))?;
    Ok(DocumentId::from_bytes(bytes))
}

pub(crate) fn chunk_kind(kind: &str) -> Result<ChunkKind, CorruptRow> {
    ChunkKind::parse(kind).ok_or_else(|| CorruptRow::ChunkKind(kind.to_owned()))
}

pub(crate) fn storage_id(s: &str) -> Result<StorageId, CorruptRow> {
    StorageId::parse(s).map_err(CorruptRow::StorageId)
}

pub(crate) fn count(n: i64) -> Result<u32, CorruptRow> {
    // More than u32::MAX chunks cannot be loaded anyway; saturate rather than fail the caller.
    u64::try_from(n)
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
        .map_err(|_| CorruptRow::NegativeCount)
}

/// The longest page `query_audit` returns, whatever the caller asks for.
pub(crate) const AUDIT_PAGE_MAX: u32 = 1000;

/// A UUID-based ID stored as text; `column` names it in the error.
pub(crate) fn uuid_id<T>(column: &'static str, text: &str) -> Result<T, CorruptRow>
where
    T: FromStr<Err = uuid::Error>,
{
    text.parse()
        .map_err(|source| CorruptRow::Uuid { column, source })
}

/// Like [`uuid_id`], for a nullable column.
pub(crate) fn optional_uuid_id<T>(
    column: &'static str,
    text: Option<&str>,
) -> Result<Option<T>, CorruptRow>
where
    T: FromStr<Err = uuid::Error>,
{
    text.map(|t| uuid_id(column, t)).transpose()
}

pub(crate) fn optional_doc_id(bytes: Option<&[u8]>) -> Result<Option<DocumentId>, CorruptRow> {
    bytes.map(doc_id).transpose()
}

pub(crate) fn role(text: &str) -> Result<Role, CorruptRow> {
    Role::parse(text).ok_or_else(|| CorruptRow::Role(text.to_owned()))
}

pub(crate) fn owned_kind(text: &str) -> Result<OwnedKind, CorruptRow> {
    OwnedKind::parse(text).ok_or_else(|| CorruptRow::OwnedKind(text.to_owned()))
}

/// Audit details are JSON text in both backends (a JSON value always serialises).
pub(crate) fn detail_to_text(detail: &serde_json::Value) -> String {
    detail.to_string()
}

pub(crate) fn detail_from_text(text: &str) -> Result<serde_json::Value, CorruptRow> {
    serde_json::from_str(text).map_err(CorruptRow::Detail)
}

/// Emails are compared lower-cased: stored so, and looked up so.
pub(crate) fn normalize_email(email: &str) -> String {
    email.to_lowercase()
}

/// Heads are stored as a JSON array of hex strings: readable in a SQL shell, and the same text in
/// both backends.
pub(crate) fn heads_to_text(heads: &[String]) -> String {
    // Serialising a slice of strings cannot fail; the fallback only keeps this free of panics.
    serde_json::to_string(heads).unwrap_or_else(|_| String::from("[]"))
}

pub(crate) fn heads_from_text(text: &str) -> Result<Vec<String>, CorruptRow> {
    serde_json::from_str(text).map_err(CorruptRow::Heads)
}

/// The wall clock, for rows whose caller supplies no time (snapshots, sync states).
pub(crate) use fieldclinic_domain::clock::now_millis;

#[cfg(test)]
mod tests {
    use claims::{assert_err, assert_ok_eq};

    use super::{
        count, detail_from_text, detail_to_text, doc_id, heads_from_text, heads_to_text,
        optional_uuid_id, owned_kind, role, uuid_id,
    };
    use crate::accounts::{ClinicId, Role};

    #[test]
    fn heads_round_trip_through_text() {
        let heads = vec!["ab".repeat(32), "cd".repeat(32)];
        assert_ok_eq!(heads_from_text(&heads_to_text(&heads)), heads);
        assert_ok_eq!(heads_from_text(&heads_to_text(&[])), Vec::<String>::new());
    }

    #[test]
    fn a_doc_id_of_the_wrong_length_is_corrupt() {
        assert_err!(doc_id(&[1, 2, 3]));
    }

    #[test]
    fn ids_roles_and_kinds_reject_unknown_text() {
        assert_err!(uuid_id::<ClinicId>("clinic_id", "not-a-uuid"));
        let id = ClinicId::random();
        assert_ok_eq!(uuid_id::<ClinicId>("clinic_id", &id.to_string()), id);
        assert_ok_eq!(optional_uuid_id::<ClinicId>("clinic_id", None), None);
        assert_err!(role("owner"));
        assert_ok_eq!(role("supervisor"), Role::Supervisor);
        assert_err!(owned_kind("note"));
        assert_err!(detail_from_text("{not json"));
        let detail = serde_json::json!({ "hashes": ["ab"], "n": 2 });
        assert_ok_eq!(detail_from_text(&detail_to_text(&detail)), detail);
    }

    #[test]
    fn a_negative_count_is_corrupt() {
        assert_err!(count(-1));
        assert_ok_eq!(count(7), 7);
    }
}
