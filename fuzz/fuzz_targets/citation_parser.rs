//! `canonical_citations` on any text in every jurisdiction, and `evaluate` on an offense with
//! that citation (see `fieldclinic_fuzz::facts_input` for the facts bytes): never panics.

#![no_main]

use fieldclinic_eligibility::{canonical_citations, evaluate};
use fieldclinic_fuzz::facts_input::CitationCase;
use fieldclinic_schema::Jurisdiction;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let case = CitationCase::read(data);
    for jurisdiction in Jurisdiction::ALL {
        let _ = canonical_citations(&case.citation, *jurisdiction);
    }
    let _ = evaluate(&case.person, std::slice::from_ref(&case.offense));
    let mut other = case.offense.clone();
    other.citation = None;
    let _ = evaluate(&case.person, &[case.offense, other]);
});
