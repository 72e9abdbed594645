//! The intake reader, validation and conflict listing over any Automerge document: a saved
//! document (an input starting with the Automerge magic bytes, loaded as is) or one built by a
//! script of edits on several forks (see `fieldclinic_fuzz::doc_script`). Nothing panics, the
//! writers included (what devices and the server write into such a document); a document reads
//! the same after a save and load, and after its device fields are written back as read;
//! resolving a listed conflict removes it.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use automerge::AutoCommit;
use fieldclinic_fuzz::doc_script::{AUTOMERGE_MAGIC, DocScript};
use fieldclinic_schema::{
    ConflictChoice, legal_conflicts, read_determination, read_intake, read_intake_with_problems,
    resolve_conflict, validate, validate_document, write_determination, write_device_fields,
    write_review, write_server_section,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let doc = if data.starts_with(&AUTOMERGE_MAGIC) {
        match AutoCommit::load(data) {
            Ok(doc) => doc,
            Err(_) => return,
        }
    } else {
        let Ok(script) = DocScript::arbitrary_take_rest(Unstructured::new(data)) else {
            return;
        };
        script.build()
    };
    check(doc);
});

fn check(mut doc: AutoCommit) {
    let Ok(intake) = read_intake(&doc) else {
        return;
    };
    let _ = validate(&intake);
    let _ = read_intake_with_problems(&doc);
    let _ = validate_document(&doc);
    let _ = read_determination(&doc);
    let (person, offenses) = intake.facts();
    let _ = fieldclinic_eligibility::evaluate(&person, &offenses);

    let reloaded = AutoCommit::load(&doc.save()).expect("a saved document loads");
    assert_eq!(
        read_intake(&reloaded).ok().as_ref(),
        Some(&intake),
        "the document reads differently after a save and load"
    );

    // What devices and the server write back into such a document: the same values again.
    let mut written = doc.fork();
    if write_device_fields(&mut written, &intake).is_ok() {
        written.commit();
        let again = read_intake(&written).expect("a document the reader read once reads again");
        assert_eq!(
            again, intake,
            "writing the device fields it read changed what reads"
        );
    }
    let mut server = doc.fork();
    if let Some(det) = read_determination(&doc) {
        let _ = write_determination(&mut server, &det);
    }
    if let Some(review) = &intake.review {
        let _ = write_review(&mut server, review);
    }
    if let Some(section) = &intake.server {
        let _ = write_server_section(&mut server, section);
    }
    server.commit();
    let _ = read_intake(&server);

    for conflict in legal_conflicts(&doc) {
        let Some(first) = conflict.values.first() else {
            panic!("a conflict without values: {conflict:?}");
        };
        let mut fork = doc.fork();
        let seen: Vec<String> = conflict.values.iter().map(|v| v.id.clone()).collect();
        let choice = ConflictChoice::Value(first.id.clone());
        if resolve_conflict(&mut fork, &conflict.path, &choice, Some(&seen)).is_ok() {
            fork.commit();
            assert!(
                legal_conflicts(&fork)
                    .iter()
                    .all(|c| c.path != conflict.path),
                "{} still in conflict after it was resolved",
                conflict.path
            );
            let _ = read_intake(&fork);
        }
    }
}
