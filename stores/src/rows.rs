//! Rows as both backends return them (the column types decode alike), converted into domain
//! types in one place.

use fieldclinic_sync::{Chunk, DocumentMeta, StorageId};

use crate::columns::{self, CorruptRow};

#[derive(Debug, sqlx::FromRow)]
pub(super) struct StorageIdRow {
    storage_id: String,
}

impl TryFrom<StorageIdRow> for StorageId {
    type Error = CorruptRow;

    fn try_from(row: StorageIdRow) -> Result<Self, Self::Error> {
        columns::storage_id(&row.storage_id)
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct ChunkRow {
    kind: String,
    hash: String,
    data: Vec<u8>,
}

impl TryFrom<ChunkRow> for Chunk {
    type Error = CorruptRow;

    fn try_from(row: ChunkRow) -> Result<Self, Self::Error> {
        Ok(Self {
            kind: columns::chunk_kind(&row.kind)?,
            hash: row.hash,
            data: row.data,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct SyncStateRow {
    pub(super) state: Vec<u8>,
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct DocumentMetaRow {
    doc_id: Vec<u8>,
    heads: String,
    created_at: i64,
    updated_at: i64,
    incremental_chunks: i64,
}

impl TryFrom<DocumentMetaRow> for DocumentMeta {
    type Error = CorruptRow;

    fn try_from(row: DocumentMetaRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: columns::doc_id(&row.doc_id)?,
            heads: columns::heads_from_text(&row.heads)?,
            created_at_millis: row.created_at,
            updated_at_millis: row.updated_at,
            incremental_chunks: columns::count(row.incremental_chunks)?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct DocIdRow {
    doc_id: Vec<u8>,
}

impl TryFrom<DocIdRow> for fieldclinic_schema::DocumentId {
    type Error = CorruptRow;

    fn try_from(row: DocIdRow) -> Result<Self, Self::Error> {
        columns::doc_id(&row.doc_id)
    }
}
