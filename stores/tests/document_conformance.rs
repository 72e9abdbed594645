//! One story, told to every [`Store`]: each backend must behave like `fieldclinic_sync`'s
//! `MemoryStore`.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ROOT};
use claims::assert_matches;
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{
    Chunk, ChunkKind, DocumentMeta, DocumentWrite, StorageId, Store, StoreError, SyncStateRecord,
};
use sha2::{Digest, Sha256};
use std::future::Future;

use fieldclinic_stores::test_support::TestPgDatabase;
use fieldclinic_stores::{PostgresStore, SqliteStore};

#[tokio::test]
async fn the_reference_memory_store_tells_the_story() -> anyhow::Result<()> {
    // Keeps the story honest: it asserts what `MemoryStore` does, not what SQL happens to do.
    let store = fieldclinic_sync::MemoryStore::new();

    run_the_story(|| std::future::ready(Ok(store.clone()))).await
}

#[tokio::test]
async fn sqlite_store_conforms() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // A folder that does not exist yet: `connect` creates it, as on a first start.
    let path = dir
        .path()
        .join("data")
        .join(format!("{}.db", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}", path.display());

    run_the_story(|| SqliteStore::connect(&url)).await
}

#[tokio::test]
async fn postgres_store_conforms() -> anyhow::Result<()> {
    let db = TestPgDatabase::create().await?;

    run_the_story(|| PostgresStore::connect(db.url())).await
}

/// The story every [`Store`] must tell: `connect` opens the same database each time it is called.
async fn run_the_story<S, F, Fut>(connect: F) -> anyhow::Result<()>
where
    S: Store,
    F: Fn() -> Fut,
    Fut: Future<Output = anyhow::Result<S>>,
{
    use ChunkKind::{Incremental, Snapshot};

    let store = connect().await?;

    // The storage ID is created once.
    let storage_id = store.storage_id().await?;
    assert_eq!(
        store.storage_id().await?,
        storage_id,
        "storage_id changed between calls"
    );

    // An unknown document has no metadata, no chunks, no sync state; empty batches are no-ops.
    let unknown = DocumentId::random();
    assert_matches!(
        store.document_meta(&unknown).await,
        Err(StoreError::NotFound)
    );
    assert!(
        store.load_chunks(&unknown).await?.is_empty(),
        "chunks of an unknown document"
    );
    assert_eq!(store.load_sync_state(&unknown, &storage_id).await?, None);
    assert!(
        store.list_documents(None, 10).await?.is_empty(),
        "documents in a new store"
    );
    store.append_changes(&[]).await?;
    store.save_sync_states(&[]).await?;

    // A real Automerge document, first written as one incremental chunk.
    let a = DocumentId::random();
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "kind", "intake")?;
    doc.commit();
    let h1 = doc.get_heads();
    let c1 = chunk(Incremental, &h1, doc.save_after(&[]));
    store
        .append_changes(&[write(a, vec![c1.clone()], &h1, 1_000)])
        .await?;
    assert_eq!(
        store.document_meta(&a).await?,
        meta(a, &h1, (1_000, 1_000), 1)
    );
    assert_eq!(store.load_chunks(&a).await?, vec![c1.clone()]);

    // The same chunk again (a retried write) keeps the first copy; the update time moves on.
    let retried = Chunk {
        data: b"a second copy".to_vec(),
        ..c1.clone()
    };
    store
        .append_changes(&[write(a, vec![retried], &h1, 2_000)])
        .await?;
    assert_eq!(
        store.load_chunks(&a).await?,
        vec![c1.clone()],
        "re-insert replaced a chunk"
    );
    assert_eq!(
        store.document_meta(&a).await?,
        meta(a, &h1, (1_000, 2_000), 1)
    );

    // A second change, batched with writes to other documents.
    doc.put(ROOT, "schema_version", 1)?;
    doc.commit();
    let h2 = doc.get_heads();
    let c2 = chunk(Incremental, &h2, doc.save_after(&h1));
    let others: Vec<DocumentId> = (0..5).map(|_| DocumentId::random()).collect();
    let mut batch = vec![write(a, vec![c2.clone()], &h2, 3_000)];
    for other in &others {
        let mut other_doc = AutoCommit::new();
        other_doc.put(ROOT, "kind", "intake")?;
        let heads = other_doc.get_heads();
        batch.push(write(
            *other,
            vec![chunk(Incremental, &heads, other_doc.save())],
            &heads,
            3_000,
        ));
    }
    store.append_changes(&batch).await?;
    assert_eq!(
        store.document_meta(&a).await?,
        meta(a, &h2, (1_000, 3_000), 2)
    );
    assert_eq!(store.document_meta(&others[0]).await?.incremental_chunks, 1);

    // Compaction: the compactor lists the chunks it folds into a snapshot, then a change arrives
    // before it writes. The late chunk survives; the snapshot survives even when listed.
    let mut superseded = store.load_chunks(&a).await?;
    assert_eq!(
        sorted(superseded.clone()),
        sorted(vec![c1.clone(), c2.clone()])
    );
    let snapshot = chunk(Snapshot, &h2, doc.save());
    doc.put(ROOT, "notes", "written during compaction")?;
    doc.commit();
    let h3 = doc.get_heads();
    let c3 = chunk(Incremental, &h3, doc.save_after(&h2));
    store
        .append_changes(&[write(a, vec![c3.clone()], &h3, 4_000)])
        .await?;
    superseded.push(snapshot.clone());
    store
        .replace_with_snapshot(&a, &snapshot, &superseded)
        .await?;
    let expected = sorted(vec![snapshot.clone(), c3.clone()]);
    assert_eq!(
        sorted(store.load_chunks(&a).await?),
        expected,
        "after compaction"
    );
    assert_eq!(
        store.document_meta(&a).await?,
        meta(a, &h3, (1_000, 4_000), 1)
    );
    // Replaying the compaction (a retry after a lost reply) changes nothing.
    store
        .replace_with_snapshot(&a, &snapshot, &superseded)
        .await?;
    assert_eq!(
        sorted(store.load_chunks(&a).await?),
        expected,
        "after a replayed compaction"
    );

    // Sync states: one per document and peer, last write wins, within a batch too.
    let phone = StorageId::random();
    let laptop = StorageId::parse("laptop of the intake worker")?;
    let encoded = automerge::sync::State::new().encode();
    store
        .save_sync_states(&[record(a, &phone, b"first")])
        .await?;
    assert_eq!(
        store.load_sync_state(&a, &phone).await?,
        Some(b"first".to_vec())
    );
    store
        .save_sync_states(&[
            record(a, &phone, b"second"),
            record(a, &laptop, &encoded),
            record(a, &phone, b"third"),
        ])
        .await?;
    assert_eq!(
        store.load_sync_state(&a, &phone).await?,
        Some(b"third".to_vec())
    );
    assert_eq!(
        store.load_sync_state(&a, &laptop).await?,
        Some(encoded.clone())
    );
    assert_eq!(
        store.load_sync_state(&others[0], &phone).await?,
        None,
        "state of another doc"
    );
    // A peer may sync a document this store never held.
    store
        .save_sync_states(&[record(unknown, &phone, b"x")])
        .await?;
    assert_eq!(
        store.load_sync_state(&unknown, &phone).await?,
        Some(b"x".to_vec())
    );
    assert_matches!(
        store.document_meta(&unknown).await,
        Err(StoreError::NotFound)
    );

    // Paging over every document, in ascending byte order.
    let mut all = others.clone();
    all.push(a);
    all.sort_unstable_by_key(|id| *id.as_bytes());
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_documents(after, 2).await?;
        assert!(page.len() <= 2, "a page longer than its limit: {page:?}");
        let Some(last) = page.last().copied() else {
            break;
        };
        listed.extend(page);
        after = Some(last);
    }
    assert_eq!(listed, all, "paged listing");
    assert!(
        store.list_documents(None, 0).await?.is_empty(),
        "a page of limit 0"
    );

    // Reopened, the database presents the same identity and the document reloads intact.
    drop(store);
    let store = connect().await?;
    assert_eq!(
        store.storage_id().await?,
        storage_id,
        "storage_id changed across a reconnect"
    );
    let mut reloaded = AutoCommit::new();
    for c in store.load_chunks(&a).await? {
        reloaded.load_incremental(&c.data)?;
    }
    assert_eq!(reloaded.get_heads(), doc.get_heads(), "heads after reload");
    assert_eq!(
        store.list_documents(None, 100).await?,
        all,
        "documents after reconnect"
    );
    assert_eq!(store.load_sync_state(&a, &laptop).await?, Some(encoded));
    assert_matches!(
        store.document_meta(&DocumentId::random()).await,
        Err(StoreError::NotFound)
    );
    Ok(())
}

/// A chunk keyed like automerge-repo keys it: by a hash of the heads it brings.
fn chunk(kind: ChunkKind, heads: &[ChangeHash], data: Vec<u8>) -> Chunk {
    let mut heads = heads.to_vec();
    heads.sort_unstable();
    let mut hasher = Sha256::new();
    for h in &heads {
        hasher.update(h.0);
    }
    Chunk {
        kind,
        hash: hex::encode(hasher.finalize()),
        data,
    }
}

fn hex_heads(heads: &[ChangeHash]) -> Vec<String> {
    heads.iter().map(ToString::to_string).collect()
}

fn write(
    doc: DocumentId,
    chunks: Vec<Chunk>,
    heads: &[ChangeHash],
    at_millis: i64,
) -> DocumentWrite {
    DocumentWrite {
        doc,
        chunks,
        heads: hex_heads(heads),
        at_millis,
    }
}

fn meta(
    id: DocumentId,
    heads: &[ChangeHash],
    (created, updated): (i64, i64),
    incremental: u32,
) -> DocumentMeta {
    DocumentMeta {
        id,
        heads: hex_heads(heads),
        created_at_millis: created,
        updated_at_millis: updated,
        incremental_chunks: incremental,
    }
}

fn record(doc: DocumentId, peer: &StorageId, state: &[u8]) -> SyncStateRecord {
    SyncStateRecord {
        doc,
        peer: peer.clone(),
        state: state.to_vec(),
    }
}

fn sorted(mut chunks: Vec<Chunk>) -> Vec<Chunk> {
    chunks.sort_unstable_by(|x, y| (x.kind.as_str(), &x.hash).cmp(&(y.kind.as_str(), &y.hash)));
    chunks
}
