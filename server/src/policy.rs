//! The server's document policy: who may open which document, what devices may not write, and
//! the eligibility write-back after every merge.

use automerge::{AutoCommit, ChangeHash, ROOT};
use fieldclinic_eligibility as eligibility;
use fieldclinic_schema::{
    DeterminationReason, DocumentId, OffenseDetermination, SERVER_OWNED_KEYS, read_determination,
    read_intake, write_determination,
};
use fieldclinic_sync::{Accepted, Access, DocumentPolicy, Presence, Refusal, StoreError};
use sha2::{Digest, Sha256};

/// Who is on the other end of a sync connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No credential was checked. Accounts, roles and device enrollment are not built yet, so
    /// every connection is this; the server refuses non-loopback plain HTTP meanwhile.
    Unauthenticated,
}

/// The clinic server's policy.
#[derive(Debug, Clone, Default)]
pub struct ClinicPolicy;

impl DocumentPolicy for ClinicPolicy {
    type Identity = Principal;

    async fn access(
        &self,
        _: &Principal,
        _: &DocumentId,
        _: Presence,
    ) -> Result<Access, StoreError> {
        Ok(Access::ReadWrite)
    }

    fn check_incoming(
        &self,
        _who: &Principal,
        _doc_id: &DocumentId,
        incoming: &mut AutoCommit,
        before: &[ChangeHash],
    ) -> Result<(), Refusal> {
        let after = incoming.get_heads();
        for patch in incoming.diff(before, &after) {
            let top = match patch.path.first() {
                Some((_, automerge::Prop::Map(key))) => Some(key.clone()),
                Some(_) => None,
                None if patch.obj == ROOT => match &patch.action {
                    automerge::PatchAction::PutMap { key, .. }
                    | automerge::PatchAction::DeleteMap { key } => Some(key.clone()),
                    _ => None,
                },
                None => None,
            };
            if let Some(key) = top.filter(|k| SERVER_OWNED_KEYS.contains(&k.as_str())) {
                return Err(Refusal(format!(
                    "device changes to server-owned section {key:?}"
                )));
            }
        }
        Ok(())
    }

    fn after_merge(&self, doc_id: &DocumentId, doc: &mut AutoCommit) {
        if let Err(e) = write_back_determination(doc) {
            tracing::error!(doc.id = %doc_id, error.message = %e, "eligibility write-back failed");
        }
    }

    fn after_commit(&self, _: &DocumentId, _: &mut AutoCommit, _: &[Accepted<Principal>]) {}
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
    // The checklist depends on more fields than the rules do, so both feed the hash.
    let mut hasher = Sha256::new();
    hasher.update(eligibility::input_hash(&person, &offenses));
    for item in &missing_items {
        hasher.update(b"|");
        hasher.update(item.key.as_bytes());
    }
    let input_hash = hex::encode(hasher.finalize());
    if let Some(existing) = read_determination(doc)
        && existing.input_hash == input_hash
        && existing.rules_version == eligibility::RULES_VERSION
    {
        return Ok(());
    }
    let evaluation = eligibility::evaluate(&person, &offenses);
    let determination = fieldclinic_schema::Determination {
        outcome: evaluation.outcome.as_str().to_owned(),
        proclamations: evaluation
            .proclamations
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        provisional: false,
        reasons: evaluation
            .reasons
            .iter()
            .map(|r| DeterminationReason {
                code: r.as_str().to_owned(),
                category: r.category().as_str().to_owned(),
                explanation: r.explanation().to_owned(),
                rule_text: r.rule_text().to_owned(),
                question: r.question().map(str::to_owned),
            })
            .collect(),
        offenses: evaluation
            .offenses
            .iter()
            .map(|o| OffenseDetermination {
                index: o.index as u64,
                offense_id: intake.offenses.get(o.index).and_then(|x| x.id.clone()),
                outcome: o.outcome.as_str().to_owned(),
                proclamations: o
                    .proclamations
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
                reasons: o.reasons.iter().map(|r| r.as_str().to_owned()).collect(),
                canonical_citations: o.canonical_citations.clone(),
                family: o.family.map(|f| f.as_str().to_owned()),
            })
            .collect(),
        missing_items,
        rules_version: eligibility::RULES_VERSION.to_owned(),
        input_hash,
        evaluated_at: now_rfc3339(),
    };
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
