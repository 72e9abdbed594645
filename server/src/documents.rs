//! Reading a stored document outside the hub, through the sync crate's one loader, so a
//! document that syncs also answers on the API (a chunk that does not load is skipped there
//! too).

use automerge::AutoCommit;
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{LoadedDocument, Store, StoreError};

/// The stored document, loaded on a blocking thread; `None` when the store has none.
///
/// # Errors
/// When the store fails.
pub async fn load<S: Store>(store: &S, id: DocumentId) -> Result<Option<AutoCommit>, StoreError> {
    let chunks = match store.load_chunks(&id).await {
        Ok(c) if !c.is_empty() => c,
        Ok(_) | Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let loaded =
        tokio::task::spawn_blocking(move || LoadedDocument::from_chunks(&id, chunks, None))
            .await
            .map_err(StoreError::other)?;
    Ok(Some(loaded.doc))
}
