use automerge::AutoCommit;
use fieldclinic_eligibility as eligibility;
use fieldclinic_schema::write_determination;
use sha2::{Digest, Sha256};

use super::IntakeView;

/// Evaluates the intake and writes `determination` as the server's own change, only when the
/// inputs or the rules changed (so the write cannot loop); the view then carries it.
///
/// # Errors
/// When the determination cannot be written into the document.
pub fn write_back_determination(view: &mut IntakeView, doc: &mut AutoCommit) -> anyhow::Result<()> {
    let (person, offenses) = view.intake.facts();
    // Automerge shows one of two concurrent values; until a supervisor picks one, the result
    // rests on a value nobody confirmed.
    let open_conflicts: Vec<String> = view.conflicts.iter().map(|c| c.path.clone()).collect();
    // The checklist and the open conflicts depend on more than the rules inputs, so all of them
    // feed the hash.
    let mut hasher = Sha256::new();
    hasher.update(eligibility::input_hash(&person, &offenses));
    for item in &view.missing_items {
        hasher.update(b"|");
        hasher.update(item.key.as_bytes());
    }
    for path in &open_conflicts {
        hasher.update(b"!");
        hasher.update(path.as_bytes());
    }
    let input_hash = hex::encode(hasher.finalize());
    if let Some(existing) = &view.intake.determination
        && existing.input_hash == input_hash
        && existing.rules_version == eligibility::RULES_VERSION
    {
        return Ok(());
    }
    let determination = eligibility::evaluate(&person, &offenses).to_determination(
        &view.intake,
        view.missing_items.clone(),
        open_conflicts,
        input_hash,
        fieldclinic_domain::clock::now_rfc3339(),
    );
    write_determination(doc, &determination)?;
    doc.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_message("fieldclinic: eligibility determination".to_owned())
            .with_time(fieldclinic_domain::clock::now_seconds()),
    );
    view.intake.determination = Some(determination);
    view.heads = doc.get_heads();
    Ok(())
}
