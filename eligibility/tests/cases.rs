//! Runs every public case of `RULES.md` section 12 (`tests/cases.json`, copied from
//! `shared/eligibility/cases.json`) through the batch reader and checks the outcome, the exact
//! proclamation list and that every expected reason is present. All failures are collected and
//! reported together, each naming its case.

use fieldclinic_eligibility::check_cases_json;
use serde_json::Value;

const CASES: &str = include_str!("cases.json");

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_public_case_passes() {
    let results = check_cases_json(CASES).expect("the public cases are well-formed");
    let cases: Vec<Value> = serde_json::from_str(CASES).expect("cases.json is a JSON array");
    assert_eq!(results.len(), cases.len(), "one result per case");

    let mut failures = Vec::new();
    for (case, result) in cases.iter().zip(&results) {
        let id = case["id"].as_str().unwrap_or("?");
        assert_eq!(result.id, id, "results come back in input order");
        let expected = &case["expected"];
        let got = serde_json::to_value(result).expect("a result serialises");

        if got["outcome"] != expected["outcome"] {
            failures.push(format!(
                "{id}: outcome {} but expected {}",
                got["outcome"], expected["outcome"]
            ));
        }
        if strings(&got["proclamations"]) != strings(&expected["proclamations"]) {
            failures.push(format!(
                "{id}: proclamations {} but expected {}",
                got["proclamations"], expected["proclamations"]
            ));
        }
        let reasons = strings(&got["reasons"]);
        for code in strings(&expected["reasons_contain"]) {
            if !reasons.contains(&code) {
                failures.push(format!("{id}: reason {code} missing from {reasons:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} public cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn results_serialise_in_the_command_line_shape() {
    let results = check_cases_json(CASES).expect("the public cases are well-formed");
    let first = serde_json::to_value(&results[0]).expect("a result serialises");
    let keys: Vec<&str> = first
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id",
        "outcome",
        "proclamations",
        "reasons",
        "offenses",
        "explanations",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    let offense = &first["offenses"][0];
    for key in [
        "index",
        "outcome",
        "proclamations",
        "reasons",
        "canonical_citations",
        "family",
    ] {
        assert!(
            offense.get(key).is_some(),
            "offense key {key} missing from {offense}"
        );
    }
}

#[test]
fn every_reason_of_every_public_case_is_explained() {
    let results = check_cases_json(CASES).expect("the public cases are well-formed");
    for result in &results {
        let got = serde_json::to_value(result).expect("a result serialises");
        let codes: Vec<&Value> = got["explanations"]
            .as_array()
            .expect("explanations is an array")
            .iter()
            .map(|x| &x["code"])
            .collect();
        let reasons: Vec<&Value> = got["reasons"].as_array().expect("reasons").iter().collect();
        assert_eq!(
            codes, reasons,
            "{}: one explanation per reason, in order",
            result.id
        );
        for x in got["explanations"].as_array().into_iter().flatten() {
            for key in [
                "code",
                "category",
                "text",
                "rule",
                "question",
                "proclamations",
            ] {
                assert!(
                    x.get(key).is_some(),
                    "{}: {key} missing from {x}",
                    result.id
                );
            }
            let scope = strings(&x["proclamations"]);
            assert!(
                !scope.is_empty() && scope.iter().all(|p| p == "10467" || p == "10688"),
                "{}: {x}",
                result.id
            );
        }
    }
}

#[test]
fn the_public_cases_render_as_a_table() {
    let results = check_cases_json(CASES).expect("the public cases are well-formed");
    let table = fieldclinic_eligibility::render_table(&results);
    if std::env::var_os("SHOW_TABLE").is_some() {
        println!("{table}");
    }
    // One row per case after the header and its rule; explanations are indented under them.
    let rows = table.lines().filter(|l| !l.starts_with(' ')).count();
    assert_eq!(rows, results.len() + 2);
    let explanations: usize = results.iter().map(|r| r.explanations.len()).sum();
    let explanation_lines = table
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .count();
    assert_eq!(explanation_lines, explanations);
}
