//! The server's document policy: who may open which document, what devices may not write, and
//! the eligibility write-back after every merge.

use automerge::{AutoCommit, ChangeHash};
use fieldclinic_eligibility as eligibility;
use fieldclinic_schema::{
    DocumentId, SERVER_OWNED_KEYS, legal_conflicts, read_determination, read_intake,
    write_determination,
};
use fieldclinic_sync::{Accepted, Access, DocumentPolicy, Presence, Refusal, StoreError};

use crate::audit::{AuditEvent, AuditSink, now_millis};
use crate::auth::Principal;
use crate::indexer::IndexSender;
use crate::review::ProjectionSender;
use crate::store::accounts::{
    AccountStore, ChangeAuthor, Credentials, DocumentOwner, NewAuditEntry, OwnedKind,
};
use sha2::{Digest, Sha256};

/// The clinic server's policy: tenancy and roles decide access; ownership is fixed at the first
/// write; server-owned sections are refused from devices; every accepted change is attributed.
#[derive(Debug, Clone)]
pub struct ClinicPolicy<S> {
    store: S,
    audit: AuditSink,
    index: Option<IndexSender>,
    cases: Option<ProjectionSender>,
}

/// How a user reaches an intake: the one rule that both sync access and the index documents
/// follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntakeReach {
    /// Always (a supervisor or admin of its clinic, or its creator).
    Always,
    /// Only while it is assigned to them.
    IfAssigned,
    /// Never (another clinic, or not an intake).
    Never,
}

pub(crate) fn intake_reach(who: &Principal, owner: &DocumentOwner) -> IntakeReach {
    if owner.clinic_id != who.clinic_id || owner.kind != OwnedKind::Intake {
        IntakeReach::Never
    } else if who.sees_whole_clinic() || owner.created_by_user == who.user_id {
        IntakeReach::Always
    } else {
        IntakeReach::IfAssigned
    }
}

impl<S: AccountStore> ClinicPolicy<S> {
    /// A policy reading accounts from `store` and recording to `audit`.
    pub fn new(store: S, audit: AuditSink) -> Self {
        Self {
            store,
            audit,
            index: None,
            cases: None,
        }
    }

    /// Also queues every committed intake's summary for the users' index documents.
    #[must_use]
    pub fn with_indexer(mut self, index: IndexSender) -> Self {
        self.index = Some(index);
        self
    }

    /// Also queues every committed intake's case index projection.
    #[must_use]
    pub fn with_projector(mut self, cases: ProjectionSender) -> Self {
        self.cases = Some(cases);
        self
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
            self.audit.record(AuditEvent::Author(ChangeAuthor {
                doc: *doc,
                change_hash: hash.to_string(),
                actor_id: actor.to_hex_string(),
                device_id: who.device_id,
                user_id: Some(who.user_id),
                at_millis: at,
            }));
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
        let (kind, id) = who.audit_actor();
        self.audit.record(AuditEvent::Entry(NewAuditEntry {
            at_millis: now_millis(),
            clinic_id: Some(who.clinic_id),
            actor_kind: kind.to_owned(),
            actor_id: id,
            doc: None,
            action: action.to_owned(),
            detail,
            remote_addr: who.remote_addr.clone(),
        }));
    }

    /// Records an audit entry about a document.
    pub(crate) fn entry(
        &self,
        who: &Principal,
        doc: &DocumentId,
        action: &str,
        detail: serde_json::Value,
    ) {
        let (kind, id) = who.audit_actor();
        self.audit.record(AuditEvent::Entry(NewAuditEntry {
            at_millis: now_millis(),
            clinic_id: Some(who.clinic_id),
            actor_kind: kind.to_owned(),
            actor_id: id,
            doc: Some(*doc),
            action: action.to_owned(),
            detail,
            remote_addr: who.remote_addr.clone(),
        }));
    }
}

impl<S: AccountStore> DocumentPolicy for ClinicPolicy<S> {
    type Identity = Principal;

    async fn access(
        &self,
        who: &Principal,
        doc: &DocumentId,
        presence: Presence,
    ) -> Result<Access, StoreError> {
        if let Some(owner) = self.store.document_owner(doc).await? {
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
        if claimed.created_by_user == who.user_id && claimed.created_by_device == who.device_id {
            self.entry(who, doc, "document.created", serde_json::json!({}));
        }
        self.decide(who, &claimed).await
    }

    async fn still_valid(&self, who: &Principal) -> Result<bool, StoreError> {
        let invalid = self
            .store
            .invalid_credentials(&credentials_of(std::slice::from_ref(who)), now_millis())
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

    fn after_merge(&self, doc_id: &DocumentId, doc: &mut AutoCommit) {
        if let Err(e) = write_back_determination(doc) {
            tracing::error!(doc.id = %doc_id, error.message = %e, "eligibility write-back failed");
        }
    }

    fn after_commit(
        &self,
        doc_id: &DocumentId,
        doc: &mut AutoCommit,
        accepted: &[Accepted<Principal>],
    ) {
        if let Some(index) = &self.index {
            index.committed(doc_id, doc);
        }
        if let Some(cases) = &self.cases {
            cases.committed(doc_id, doc);
        }
        let at = now_millis();
        for a in accepted {
            for (hash, actor) in &a.changes {
                self.audit.record(AuditEvent::Author(ChangeAuthor {
                    doc: *doc_id,
                    change_hash: hash.to_string(),
                    actor_id: actor.to_hex_string(),
                    device_id: a.who.device_id,
                    user_id: Some(a.who.user_id),
                    at_millis: at,
                }));
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

/// The credentials behind some principals, for checking them again in one go.
pub(crate) fn credentials_of(principals: &[Principal]) -> Credentials {
    let mut c = Credentials::default();
    for p in principals {
        if let Some(d) = p.device_id {
            c.devices.push(d);
        } else if let Some(s) = p.session {
            c.sessions.push(s);
        } else {
            c.users.push(p.user_id);
        }
    }
    c.devices.sort_unstable();
    c.devices.dedup();
    c.users.sort_unstable();
    c.users.dedup();
    c
}

/// Whether `principal` rests on one of the `invalid` credentials.
pub(crate) fn rests_on(principal: &Principal, invalid: &Credentials) -> bool {
    match (principal.device_id, principal.session) {
        (Some(d), _) => invalid.devices.contains(&d),
        (None, Some(s)) => invalid.sessions.contains(&s),
        (None, None) => invalid.users.contains(&principal.user_id),
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

/// Evaluates the intake and writes `determination` as the server's own change, only when the
/// inputs or the rules changed (so the write cannot loop).
fn write_back_determination(doc: &mut AutoCommit) -> anyhow::Result<()> {
    let intake = read_intake(doc)?;
    if intake.kind.as_deref() != Some("intake") {
        return Ok(());
    }
    let (person, offenses) = intake.facts();
    let missing_items = eligibility::missing_checklist_items(&intake);
    // Automerge shows one of two concurrent values; until a supervisor picks one, the result
    // rests on a value nobody confirmed.
    let open_conflicts: Vec<String> = legal_conflicts(doc).into_iter().map(|c| c.path).collect();
    // The checklist and the open conflicts depend on more than the rules inputs, so all of them
    // feed the hash.
    let mut hasher = Sha256::new();
    hasher.update(eligibility::input_hash(&person, &offenses));
    for item in &missing_items {
        hasher.update(b"|");
        hasher.update(item.key.as_bytes());
    }
    for path in &open_conflicts {
        hasher.update(b"!");
        hasher.update(path.as_bytes());
    }
    let input_hash = hex::encode(hasher.finalize());
    if let Some(existing) = read_determination(doc)
        && existing.input_hash == input_hash
        && existing.rules_version == eligibility::RULES_VERSION
    {
        return Ok(());
    }
    let determination = eligibility::evaluate(&person, &offenses).to_determination(
        &intake,
        missing_items,
        open_conflicts,
        input_hash,
        now_rfc3339(),
    );
    write_determination(doc, &determination)?;
    doc.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_message("fieldclinic: eligibility determination".to_owned())
            .with_time(time::OffsetDateTime::now_utc().unix_timestamp()),
    );
    Ok(())
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
