//! `check_cases_json`, the input of `fieldclinic eligibility check`, on any text: never panics,
//! and its results serialise as JSON.

#![no_main]

use fieldclinic_eligibility::check_cases_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    if let Ok(results) = check_cases_json(&input) {
        serde_json::to_string(&results).expect("results serialise");
    }
});
