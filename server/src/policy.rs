//! The server's document policy: who may open which document, what devices may not write, and
//! the one pipeline each committed intake goes through (eligibility write-back, then the
//! derived-data workers).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use automerge::{AutoCommit, ChangeHash};
use fieldclinic_domain::clock::now_millis;
use fieldclinic_domain::{IntakeReach, Principal, intake_reach};
use fieldclinic_schema::{DocumentId, SERVER_OWNED_KEYS};
use fieldclinic_stores::accounts::{
    AccountStore, ChangeAuthor, Credentials, DocumentOwner, OwnedKind,
};
use fieldclinic_sync::{Accepted, Access, DocumentPolicy, Presence, Refusal, StoreError};
use lru::LruCache;

use crate::audit::{Audit, AuditActor};
use crate::pipeline::{IntakeView, Pipeline, write_back_determination};

/// The clinic server's policy: tenancy and roles decide access; ownership is fixed at the first
/// write; server-owned sections are refused from devices; every accepted change is attributed.
#[derive(Debug, Clone)]
pub struct ClinicPolicy<S> {
    store: S,
    audit: Audit,
    pipeline: Pipeline,
    /// Owners the access checks read, handed on with each committed intake so its workers need
    /// not read them again. An owner never changes once claimed, so a cached one is never stale.
    owners: Arc<Mutex<LruCache<DocumentId, DocumentOwner>>>,
}

/// Owners remembered at most: as many as documents may be loaded at once by default.
const OWNERS_CACHED: NonZeroUsize = NonZeroUsize::new(20_000).expect("a non-zero constant");

impl<S: AccountStore> ClinicPolicy<S> {
    /// A policy reading accounts from `store`, recording to `audit` and handing committed
    /// intakes to `pipeline`.
    pub fn new(store: S, audit: Audit, pipeline: Pipeline) -> Self {
        Self {
            store,
            audit,
            pipeline,
            owners: Arc::new(Mutex::new(LruCache::new(OWNERS_CACHED))),
        }
    }

    fn remember(&self, owner: &DocumentOwner) {
        self.owners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .put(owner.doc, owner.clone());
    }

    fn remembered(&self, doc: &DocumentId) -> Option<DocumentOwner> {
        self.owners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(doc)
            .cloned()
    }

    /// The access `who` has to a document with this owner.
    async fn decide(&self, who: &Principal, owner: &DocumentOwner) -> Result<Access, StoreError> {
        if owner.clinic_id != who.clinic_id {
            return Ok(Access::None);
        }
        Ok(match owner.kind {
            // Only the server writes index documents; their user reads them.
            OwnedKind::Index if owner.created_by_user == who.user_id => Access::ReadOnly,
            OwnedKind::Index => Access::None,
            OwnedKind::Intake => match intake_reach(who, owner) {
                IntakeReach::Always => Access::ReadWrite,
                IntakeReach::IfAssigned
                    if self.store.is_assigned(&owner.doc, &who.user_id).await? =>
                {
                    Access::ReadWrite
                }
                IntakeReach::IfAssigned | IntakeReach::Never => Access::None,
            },
        })
    }

    /// Records a change a person made through the API (a review, a resolution) with its author,
    /// and an audit entry saying what it was.
    pub(crate) fn record_api_change(
        &self,
        who: &Principal,
        doc: &DocumentId,
        heads: &[ChangeHash],
        actor: &automerge::ActorId,
        action: &str,
        mut detail: serde_json::Value,
    ) {
        let at = now_millis();
        for hash in heads {
            self.audit.author(ChangeAuthor {
                doc: *doc,
                change_hash: hash.to_string(),
                actor_id: actor.to_hex_string(),
                device_id: who.device_id,
                user_id: Some(who.user_id),
                at_millis: at,
            });
        }
        if let Some(map) = detail.as_object_mut() {
            map.insert(
                "changes".to_owned(),
                heads.iter().map(ToString::to_string).collect(),
            );
        }
        self.entry(who, doc, action, detail);
    }

    /// Records an audit entry about no particular document (an export, say).
    pub(crate) fn audit_only(&self, who: &Principal, action: &str, detail: serde_json::Value) {
        self.audit.record(
            AuditActor::of(who)
                .did(action)
                .clinic(who.clinic_id)
                .detail(detail)
                .build(),
        );
    }

    /// Records an audit entry about a document.
    pub(crate) fn entry(
        &self,
        who: &Principal,
        doc: &DocumentId,
        action: &str,
        detail: serde_json::Value,
    ) {
        self.audit.record(
            AuditActor::of(who)
                .did(action)
                .clinic(who.clinic_id)
                .doc(*doc)
                .detail(detail)
                .build(),
        );
    }
}

impl<S: AccountStore> DocumentPolicy for ClinicPolicy<S> {
    type Identity = Principal;
    type View = IntakeView;

    async fn access(
        &self,
        who: &Principal,
        doc: &DocumentId,
        presence: Presence,
    ) -> Result<Access, StoreError> {
        if let Some(owner) = self.store.document_owner(doc).await? {
            self.remember(&owner);
            return self.decide(who, &owner).await;
        }
        if presence != Presence::Creating {
            return Ok(Access::None);
        }
        // First writer wins: the document belongs to the clinic of whoever pushes it first.
        let claimed = self
            .store
            .claim_document(&DocumentOwner {
                doc: *doc,
                clinic_id: who.clinic_id,
                kind: OwnedKind::Intake,
                created_by_user: who.user_id,
                created_by_device: who.device_id,
                created_at_millis: now_millis(),
            })
            .await?;
        self.remember(&claimed);
        if claimed.created_by_user == who.user_id && claimed.created_by_device == who.device_id {
            self.entry(who, doc, "document.created", serde_json::json!({}));
        }
        self.decide(who, &claimed).await
    }

    async fn still_valid(&self, who: &Principal) -> Result<bool, StoreError> {
        let invalid = self
            .store
            .invalid_credentials(&Credentials::of(std::slice::from_ref(who)), now_millis())
            .await?;
        Ok(invalid.is_empty())
    }

    fn check_incoming(
        &self,
        who: &Principal,
        doc_id: &DocumentId,
        incoming: &mut AutoCommit,
        before: &[ChangeHash],
    ) -> Result<(), Refusal> {
        match server_owned_key_touched(incoming, before) {
            None => Ok(()),
            Some(key) => {
                self.entry(
                    who,
                    doc_id,
                    "changes.refused",
                    serde_json::json!({ "section": key }),
                );
                Err(Refusal(format!(
                    "device changes to server-owned section {key:?}"
                )))
            }
        }
    }

    fn after_merge(&self, doc_id: &DocumentId, doc: &mut AutoCommit) -> Option<IntakeView> {
        let mut view = IntakeView::read(*doc_id, doc)?;
        view.owner = self.remembered(doc_id);
        if let Err(e) = write_back_determination(&mut view, doc) {
            tracing::error!(doc.id = %doc_id, error.message = %e, "eligibility write-back failed");
        }
        Some(view)
    }

    fn after_commit(
        &self,
        doc_id: &DocumentId,
        _doc: &mut AutoCommit,
        view: Option<IntakeView>,
        accepted: &[Accepted<Principal>],
    ) {
        if let Some(view) = view {
            self.pipeline.committed(view);
        }
        let at = now_millis();
        for a in accepted {
            for (hash, actor) in &a.changes {
                self.audit.author(ChangeAuthor {
                    doc: *doc_id,
                    change_hash: hash.to_string(),
                    actor_id: actor.to_hex_string(),
                    device_id: a.who.device_id,
                    user_id: Some(a.who.user_id),
                    at_millis: at,
                });
            }
            let hashes: Vec<String> = a.changes.iter().map(|(h, _)| h.to_string()).collect();
            self.entry(
                &a.who,
                doc_id,
                "document.changed",
                serde_json::json!({ "changes": hashes }),
            );
        }
    }
}

/// The first server-owned top-level key that an operation of the changes since `before`
/// touches, in any way: a put, a delete or a make at the root under that key, or any operation
/// inside an object that lives (at any depth) under it. Operations, not the diff: a put that
/// loses a conflict to the server's value changes nothing visible, yet it is stored and would
/// show up in `getConflicts`.
fn server_owned_key_touched(doc: &mut AutoCommit, before: &[ChangeHash]) -> Option<String> {
    use automerge::ReadDoc;
    use automerge::legacy::{Key, ObjectId};

    let owned = |key: &str| SERVER_OWNED_KEYS.contains(&key);
    // A change typed into a note holds one operation per character, all in the same object:
    // find each object's top-level key once.
    let mut top_keys: std::collections::HashMap<automerge::legacy::OpId, String> =
        std::collections::HashMap::new();
    for change in doc.get_changes(before) {
        for op in change.decode().operations {
            let key = match &op.obj {
                ObjectId::Root => match &op.key {
                    Key::Map(k) => k.to_string(),
                    // The root is a map; a sequence key there is malformed.
                    Key::Seq(_) => return Some("(root)".to_owned()),
                },
                ObjectId::Id(id) if top_keys.contains_key(id) => top_keys[id].clone(),
                ObjectId::Id(id) => {
                    let Ok(obj) = doc.import_obj(&id.to_string()) else {
                        return Some("(unknown object)".to_owned());
                    };
                    // The outermost parent is the root, with the top-level key as its prop.
                    let top = doc.parents(&obj).ok().and_then(|parents| parents.last());
                    let key = match top {
                        Some(p) => match p.prop {
                            automerge::Prop::Map(k) => k,
                            automerge::Prop::Seq(_) => return Some("(root)".to_owned()),
                        },
                        None => return Some("(unknown object)".to_owned()),
                    };
                    top_keys.insert(id.clone(), key.clone());
                    key
                }
            };
            if owned(&key) {
                return Some(key);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use fieldclinic_schema::{Intake, Offense, Person};
    use fieldclinic_stores::SqliteStore;

    use super::*;
    use crate::case_index::project;
    use crate::indexer::IntakeSummary;
    use crate::pipeline::{READS, worker_queue};

    fn intake_document() -> AutoCommit {
        let intake = Intake {
            person: Person {
                legal_name: Some("Ana Diaz".into()),
                date_of_birth: Some("1990-04-02".into()),
                ..Person::default()
            },
            offenses: vec![Offense {
                id: Some("o1".into()),
                citation: Some("21 U.S.C. 844".into()),
                offense_date: Some("2019-05-01".into()),
                ..Offense::default()
            }],
            ..Intake::new()
        };
        let mut doc = AutoCommit::new();
        autosurgeon::reconcile(&mut doc, &intake).expect("a fresh document takes an intake");
        doc.commit();
        doc
    }

    #[tokio::test]
    async fn a_committed_intake_is_read_and_evaluated_once_for_every_consumer() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}/pipeline.db", dir.path().display());
        let store = SqliteStore::connect(&url).await.expect("a SQLite store");
        let (index, cases) = (worker_queue(), worker_queue());
        let policy = ClinicPolicy::new(
            store.clone(),
            Audit::start(store),
            Pipeline::new()
                .feeding(index.clone())
                .feeding(cases.clone()),
        );
        let id = DocumentId::random();
        let mut doc = intake_document();
        READS.with(|n| n.set(0));

        let view = policy.after_merge(&id, &mut doc);
        policy.after_commit(&id, &mut doc, view, &[]);

        assert_eq!(READS.with(std::cell::Cell::get), 1, "one read per commit");
        let written = fieldclinic_schema::read_determination(&doc).expect("a determination");
        for (name, queue) in [("index documents", &index), ("case index", &cases)] {
            let batch = queue.take();
            assert_eq!(batch.items.len(), 1, "{name} got the intake");
            let (doc_id, view) = &batch.items[0];
            assert_eq!(*doc_id, id, "{name}");
            assert_eq!(
                view.intake.determination.as_ref(),
                Some(&written),
                "{name} sees the determination the write-back made"
            );
            assert_eq!(
                view.heads,
                doc.get_heads(),
                "{name} sees the committed heads"
            );
        }
        let view = IntakeView::read(id, &mut doc).expect("an intake");
        let summary = IntakeSummary::of(&view);
        let row = project(&view, 0);
        assert_eq!(summary.outcome, row.outcome, "both consumers say the same");
        assert_eq!(
            READS.with(std::cell::Cell::get),
            2,
            "only the explicit read above"
        );
    }

    #[test]
    fn index_documents_skip_the_intake_pipeline_by_their_kind() {
        let mut doc = AutoCommit::new();
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "kind", "index")
            .expect("put");
        READS.with(|n| n.set(0));

        assert!(IntakeView::read(DocumentId::random(), &mut doc).is_none());
        assert_eq!(
            READS.with(std::cell::Cell::get),
            0,
            "never read as an intake"
        );
    }
}
