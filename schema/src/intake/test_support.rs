//! Strategies and document builders shared by the intake tests.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, Prop, ReadDoc, ScalarValue, Value};
use proptest::prelude::*;

use super::{
    ChecklistItem, Consent, Determination, DeterminationReason, Intake, Offense,
    OffenseDetermination, Person, PersonLink, Review, ServerSection, SupportingDocument,
};

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,8}"
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(text(), 0..3)
}

prop_compose! {
    fn person()(
        a in (opt_text(), texts(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
        b in (opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
    ) -> Person {
        Person {
            legal_name: a.0, other_names: a.1, date_of_birth: a.2, place_of_birth: a.3,
            address: a.4, email: a.5, phone: a.6, status_now: b.0, citizen_or_lpr_since: b.1,
            status_at_offense: b.2, a_number: b.3, race: b.4, gender: b.5, ethnicity: b.6,
        }
    }
}

prop_compose! {
    fn offense()(
        a in (opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
        b in (opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
    ) -> Offense {
        Offense {
            id: a.0, citation: a.1, charge_text: a.2, substance: a.3, conduct: a.4,
            offense_date: a.5, disposition: b.0, disposition_date: b.1, jurisdiction: b.2,
            status_at_offense: b.3, court_name: b.4, docket_number: b.5,
        }
    }
}

prop_compose! {
    fn supporting_document()(kind in opt_text(), present in any::<Option<bool>>(), note in opt_text())
        -> SupportingDocument {
        SupportingDocument { kind, present, note }
    }
}

prop_compose! {
    fn consent()(given in any::<Option<bool>>(), given_on in opt_text(), submitter in opt_text(),
                 helper_name in opt_text()) -> Consent {
        Consent { given, given_on, submitter, helper_name }
    }
}

prop_compose! {
    fn reason()(code in text(), category in text(), explanation in text(), rule_text in text(),
                question in opt_text()) -> DeterminationReason {
        DeterminationReason { code, category, explanation, rule_text, question }
    }
}

prop_compose! {
    fn offense_determination()(
        index in any::<u64>(), offense_id in opt_text(), outcome in text(), proclamations in texts(),
        reasons in texts(), canonical_citations in texts(), family in opt_text(),
    ) -> OffenseDetermination {
        OffenseDetermination {
            index, offense_id, outcome, proclamations, reasons, canonical_citations, family,
        }
    }
}

prop_compose! {
    fn checklist_item()(key in text(), label in text(), required in any::<bool>()) -> ChecklistItem {
        ChecklistItem { key, label, required }
    }
}

prop_compose! {
    /// Any determination.
    pub(crate) fn determination()(
        outcome in text(), proclamations in texts(), provisional in any::<bool>(),
        reasons in proptest::collection::vec(reason(), 0..3),
        offenses in proptest::collection::vec(offense_determination(), 0..3),
        missing_items in proptest::collection::vec(checklist_item(), 0..3),
        tail in (text(), text(), text()),
        open_conflicts in texts(),
    ) -> Determination {
        Determination {
            outcome, proclamations, provisional, open_conflicts, reasons, offenses, missing_items,
            rules_version: tail.0, input_hash: tail.1, evaluated_at: tail.2,
        }
    }
}

prop_compose! {
    fn review()(decision in text(), message in opt_text(), fields in texts(),
                reviewer in opt_text(), reviewed_at in text()) -> Review {
        Review { decision, message, fields, reviewer, reviewed_at }
    }
}

prop_compose! {
    fn person_link()(document_url in text(), linked_by in opt_text(), linked_at in text())
        -> PersonLink {
        PersonLink { document_url, linked_by, linked_at }
    }
}

prop_compose! {
    fn server_section()(same_person in proptest::collection::vec(person_link(), 0..3))
        -> ServerSection {
        ServerSection { same_person }
    }
}

prop_compose! {
    /// Any intake, well-formed or not in its words and dates.
    pub(crate) fn intake()(
        kind in opt_text(),
        schema_version in any::<Option<u64>>(),
        person in person(),
        offenses in proptest::collection::vec(offense(), 0..4),
        documents in proptest::collection::vec(supporting_document(), 0..3),
        consent in consent(),
        notes in opt_text(),
        determination in proptest::option::of(determination()),
        review in proptest::option::of(review()),
        server in proptest::option::of(server_section()),
    ) -> Intake {
        Intake {
            kind, schema_version, person, offenses, documents, consent, notes, determination,
            review, server,
        }
    }
}

/// Rewrites `doc` the way a JS device stores it: every scalar string becomes a Text object
/// (`put_object(.., ObjType::Text)` + `splice_text`) and unsigned integers become f64.
pub(crate) fn textify(doc: &mut AutoCommit, obj: &ObjId) {
    let props: Vec<Prop> = match doc.object_type(obj) {
        Ok(ObjType::Map | ObjType::Table) => doc.keys(obj).map(Prop::Map).collect(),
        Ok(ObjType::List) => (0..doc.length(obj)).map(Prop::Seq).collect(),
        _ => return,
    };
    for prop in props {
        let Some((value, id)) = doc.get(obj, prop.clone()).expect("the key was just listed") else {
            continue;
        };
        match value {
            Value::Object(ObjType::Map | ObjType::List) => textify(doc, &id),
            Value::Scalar(scalar) => match scalar.into_owned() {
                ScalarValue::Str(s) => {
                    let text = match prop {
                        Prop::Map(key) => doc.put_object(obj, key, ObjType::Text),
                        Prop::Seq(index) => doc.put_object(obj, index, ObjType::Text),
                    }
                    .expect("a Text object can replace a scalar");
                    doc.splice_text(&text, 0, 0, &s)
                        .expect("splicing into a new Text works");
                }
                // Only where the f64 is exact, as for any number a JS device writes.
                ScalarValue::Uint(u) if u < (1 << 53) => {
                    doc.put(obj, prop, u as f64)
                        .expect("a number can replace a number");
                }
                _ => {}
            },
            Value::Object(_) => {}
        }
    }
}
