//! The library side of `fieldclinic eligibility check [FILE|-]`: a JSON array of cases in, one
//! result per case out.
//!
//! Input is strict where the lenient intake reader is not: a word outside the `RULES.md` section
//! 5 vocabulary, a bad date, a wrong JSON type or a repeated case `id` is an error naming the
//! case and the field, since a batch file is written by a tool or a person who can fix it. Every
//! such problem in the file is reported at once, so one run shows all that needs fixing. `null`,
//! a missing field and the word `"unknown"` all mean unknown. A UTF-8 byte-order mark before the
//! JSON, as some editors write, is ignored.

use std::collections::HashMap;

use fieldclinic_schema::facts::parse_iso_date;
use fieldclinic_schema::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, OffenseFacts, PersonFacts,
    StatusAtOffense, StatusNow, Substance,
};
use serde::Serialize;
use serde_json::{Map, Value};
use time::Date;

use crate::engine::evaluate;
use crate::evaluation::{Evaluation, Explanation};

/// The result for one case: `{"id", "outcome", "proclamations", "reasons", "offenses",
/// "explanations"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseResult {
    /// The case's `id`, as given.
    pub id: String,
    /// The evaluation, flattened into the same JSON object.
    #[serde(flatten)]
    pub evaluation: Evaluation,
    /// One object per reason, in the order of `reasons`: `{"code", "category", "text", "rule",
    /// "question", "proclamations"}` ([`Evaluation::explanations`]).
    pub explanations: Vec<Explanation>,
}

impl CaseResult {
    /// Evaluates one case.
    #[must_use]
    pub fn evaluate(case: BatchCase) -> Self {
        let evaluation = evaluate(&case.person, &case.offenses);
        Self {
            id: case.id,
            explanations: evaluation.explanations(),
            evaluation,
        }
    }
}

/// One case of the batch input, read into the typed rules inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchCase {
    /// The case's `id`.
    pub id: String,
    /// The person's facts (all unknown when `person` is missing or null).
    pub person: PersonFacts,
    /// The offenses (none when `offenses` is missing or null).
    pub offenses: Vec<OffenseFacts>,
}

/// Which case an input error is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseRef {
    /// A case with a readable `id`.
    Id(String),
    /// A case without one: its position in the array, from 0.
    Index(usize),
}

impl std::fmt::Display for CaseRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "case {id:?}"),
            Self::Index(i) => write!(f, "case at index {i}"),
        }
    }
}

/// Malformed batch input.
#[derive(Debug, thiserror::Error)]
pub enum BatchInputError {
    /// The input is not JSON at all.
    #[error("input is not valid JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    /// The input is JSON but not an array.
    #[error("input must be a JSON array of cases, found {found}")]
    NotAnArray {
        /// The JSON type found.
        found: &'static str,
    },
    /// One or more cases are malformed: every problem found, in input order (never empty). The
    /// Display is the one problem, or a count followed by one indented line per problem.
    #[error("{}", problem_lines(.0))]
    Cases(Vec<CaseError>),
}

/// One problem in one case (or, for a repeated `id`, in two).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// A case, or one of its fields, is malformed. The Display names the case and the field
    /// path, e.g. `case "PC-001": offenses[0].offense_date: not an ISO date (YYYY-MM-DD):
    /// "2015-13-01"`.
    #[error("{case}: {}{problem}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Field {
        /// The case.
        case: CaseRef,
        /// The field path inside the case (`offenses[0].offense_date`); empty for the case itself.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// Two cases have the same `id`, so their results could not be told apart. The Display is
    /// `case at index 2 and case at index 6 both have id "PC-001"`.
    #[error("case at index {first} and case at index {second} both have id {id:?}")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// The position of the case that has it first, from 0.
        first: usize,
        /// The position of a later case with the same id, from 0.
        second: usize,
    },
}

fn problem_lines(problems: &[CaseError]) -> String {
    match problems {
        [one] => one.to_string(),
        many => {
            let mut out = format!("{} problems in the input:", many.len());
            for p in many {
                out.push_str("\n  ");
                out.push_str(&p.to_string());
            }
            out
        }
    }
}

/// Reads a JSON array of cases and evaluates each, returning one result per case, in order.
///
/// # Errors
///
/// [`BatchInputError`] for input that is not JSON or not an array, or with cases that lack a
/// string `id`, repeat another case's `id`, or have a word outside the vocabulary, a bad date or
/// a value of the wrong JSON type. Every malformed case is reported; no partial results.
pub fn check_cases_json(input: &str) -> Result<Vec<CaseResult>, BatchInputError> {
    Ok(read_cases_json(input)?
        .into_iter()
        .map(CaseResult::evaluate)
        .collect())
}

/// Reads a JSON array of cases into typed inputs without evaluating them.
///
/// # Errors
///
/// The same as [`check_cases_json`].
pub fn read_cases_json(input: &str) -> Result<Vec<BatchCase>, BatchInputError> {
    // serde_json rejects a byte-order mark, which some editors put before the JSON.
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let value: Value = serde_json::from_str(input)?;
    let Value::Array(cases) = value else {
        return Err(BatchInputError::NotAnArray {
            found: type_name(&value),
        });
    };
    let mut read = Vec::with_capacity(cases.len());
    let mut problems = Vec::new();
    let mut first_with_id: HashMap<&str, usize> = HashMap::new();
    for (index, case) in cases.iter().enumerate() {
        let (id, case, case_problems) = read_case(index, case);
        problems.extend(case_problems);
        if let Some(id) = id {
            if let Some(&first) = first_with_id.get(id) {
                problems.push(CaseError::DuplicateId {
                    id: id.to_owned(),
                    first,
                    second: index,
                });
            } else {
                first_with_id.insert(id, index);
            }
        }
        read.extend(case);
    }
    if problems.is_empty() {
        Ok(read)
    } else {
        Err(BatchInputError::Cases(problems))
    }
}

/// A fixed-width text table of the results: id, outcome, proclamations and reasons, one row per
/// case, with each reason's explanation indented under its case: the code, its category and the
/// proclamations it concerns, the plain-language text, what to ask and the rule text.
#[must_use]
pub fn render_table(results: &[CaseResult]) -> String {
    const HEADERS: [&str; 4] = ["ID", "OUTCOME", "PROCLAMATIONS", "REASONS"];
    let rows: Vec<[String; 4]> = results
        .iter()
        .map(|r| {
            let e = &r.evaluation;
            [
                r.id.clone(),
                e.outcome.to_string(),
                join(e.proclamations.iter().map(|p| p.as_str()), ","),
                join(e.reasons.iter().map(|c| c.as_str()), ", "),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: [&str; 4]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                let pad = widths[i] - cell.chars().count() + 2;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut out, HEADERS);
    let rule = widths.map(|w| "-".repeat(w));
    line(&mut out, [&rule[0], &rule[1], &rule[2], &rule[3]]);
    for (row, result) in rows.iter().zip(results) {
        line(&mut out, [&row[0], &row[1], &row[2], &row[3]]);
        for x in &result.explanations {
            let scope = join(x.proclamations.iter().map(|p| p.as_str()), ",");
            wrap(
                &mut out,
                &format!("{} ({}, {scope}): {}", x.code, x.category, x.text),
                EXPLANATION_INDENT,
            );
            if let Some(question) = x.question {
                wrap(&mut out, &format!("Ask: {question}"), DETAIL_INDENT);
            }
            wrap(&mut out, &format!("Rule: {}", x.rule), DETAIL_INDENT);
        }
    }
    out
}

/// Explanations are indented under their case so the rows stay easy to scan (and to pick out:
/// a row starts at the first column, an explanation never does).
const EXPLANATION_INDENT: usize = 2;
const DETAIL_INDENT: usize = 4;
/// Long texts are wrapped to this many columns, so they read in a terminal.
const WRAP_WIDTH: usize = 100;

/// Appends `text` as lines of at most [`WRAP_WIDTH`] columns (a longer word stays whole), the
/// first indented by `indent` and the rest by two more.
fn wrap(out: &mut String, text: &str, indent: usize) {
    let mut col = 0;
    let mut first_line = true;
    for word in text.split_whitespace() {
        let width = word.chars().count();
        if col > 0 && col + 1 + width > WRAP_WIDTH {
            out.push('\n');
            col = 0;
            first_line = false;
        }
        if col == 0 {
            let pad = if first_line { indent } else { indent + 2 };
            out.extend(std::iter::repeat_n(' ', pad));
            col = pad;
        } else {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += width;
    }
    out.push('\n');
}

fn join<'a>(items: impl Iterator<Item = &'a str>, sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
    if out.is_empty() { "-".to_owned() } else { out }
}

const fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads fields of one case, collecting every problem instead of stopping at the first. A
/// malformed field reads as unknown, so the rest of the case is still checked.
struct CaseReader {
    case: CaseRef,
    problems: Vec<CaseError>,
}

impl CaseReader {
    fn report(&mut self, path: impl Into<String>, problem: impl Into<String>) {
        self.problems.push(CaseError::Field {
            case: self.case.clone(),
            path: path.into(),
            problem: problem.into(),
        });
    }

    /// A string field: `None` for missing or null (or malformed, after reporting it).
    fn string<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'v str> {
        match obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                self.report(
                    join_path(path, key),
                    format!("expected a string or null, found {}", type_name(other)),
                );
                None
            }
        }
    }

    /// A vocabulary word: missing, null and `"unknown"` are `unknown`.
    fn word<T: Vocabulary>(&mut self, obj: &Map<String, Value>, path: &str, key: &str) -> T {
        let Some(s) = self.string(obj, path, key) else {
            return T::UNKNOWN;
        };
        T::parse_word(s).unwrap_or_else(|| {
            let words: Vec<&str> = T::ALL_WORDS.iter().map(|v| v.word()).collect();
            self.report(
                join_path(path, key),
                format!("not one of {}: {s:?}", words.join(", ")),
            );
            T::UNKNOWN
        })
    }

    fn date(&mut self, obj: &Map<String, Value>, path: &str, key: &str) -> Option<Date> {
        match self.string(obj, path, key) {
            None | Some("unknown") => None,
            Some(s) => parse_iso_date(s).or_else(|| {
                self.report(
                    join_path(path, key),
                    format!("not an ISO date (YYYY-MM-DD): {s:?}"),
                );
                None
            }),
        }
    }

    fn object<'v>(
        &mut self,
        value: Option<&'v Value>,
        path: &str,
    ) -> Option<&'v Map<String, Value>> {
        match value {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => Some(o),
            Some(other) => {
                self.report(
                    path,
                    format!("expected an object or null, found {}", type_name(other)),
                );
                None
            }
        }
    }
}

fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The schema vocabularies, so one reader handles every word field.
trait Vocabulary: Copy + 'static {
    const ALL_WORDS: &'static [Self];
    const UNKNOWN: Self;
    fn word(self) -> &'static str;
    fn parse_word(s: &str) -> Option<Self>;
}

macro_rules! vocabulary {
    ($($t:ty),+) => {$(
        impl Vocabulary for $t {
            const ALL_WORDS: &'static [Self] = <$t>::ALL;
            const UNKNOWN: Self = <$t>::Unknown;
            fn word(self) -> &'static str {
                self.as_str()
            }
            fn parse_word(s: &str) -> Option<Self> {
                <$t>::parse(s)
            }
        }
    )+};
}

vocabulary!(
    StatusNow,
    StatusAtOffense,
    Substance,
    Conduct,
    Disposition,
    Jurisdiction
);

/// Reads one case: its `id` when it has a string one (for the duplicate check, even when other
/// fields are malformed), the case when it is well-formed, and every problem found in it.
fn read_case(index: usize, case: &Value) -> (Option<&str>, Option<BatchCase>, Vec<CaseError>) {
    let mut reader = CaseReader {
        case: CaseRef::Index(index),
        problems: Vec::new(),
    };
    let Value::Object(obj) = case else {
        reader.report("", format!("expected an object, found {}", type_name(case)));
        return (None, None, reader.problems);
    };
    let id = match obj.get("id") {
        Some(Value::String(id)) => {
            reader.case = CaseRef::Id(id.clone());
            Some(id.as_str())
        }
        None | Some(Value::Null) => {
            reader.report("id", "missing (every case needs an id)");
            None
        }
        Some(other) => {
            reader.report(
                "id",
                format!("expected a string, found {}", type_name(other)),
            );
            None
        }
    };

    let person = match reader.object(obj.get("person"), "person") {
        Some(p) => read_person(&mut reader, p),
        None => PersonFacts {
            status_now: StatusNow::Unknown,
            citizen_or_lpr_since: None,
            status_at_offense: StatusAtOffense::Unknown,
        },
    };
    let offenses = match obj.get("offenses") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| read_offense(&mut reader, i, item))
            .collect(),
        Some(other) => {
            reader.report(
                "offenses",
                format!("expected an array or null, found {}", type_name(other)),
            );
            Vec::new()
        }
    };
    let case = id
        .filter(|_| reader.problems.is_empty())
        .map(|id| BatchCase {
            id: id.to_owned(),
            person,
            offenses,
        });
    (id, case, reader.problems)
}

fn read_person(r: &mut CaseReader, p: &Map<String, Value>) -> PersonFacts {
    let path = "person";
    let status_now = r.word(p, path, "status_now");
    let citizen_or_lpr_since = match r.string(p, path, "citizen_or_lpr_since") {
        None | Some("unknown") => None,
        Some(s) => CitizenOrLprSince::parse(s).or_else(|| {
            r.report(
                "person.citizen_or_lpr_since",
                format!("not \"birth\" or an ISO date (YYYY-MM-DD): {s:?}"),
            );
            None
        }),
    };
    let status_at_offense = r.word(p, path, "status_at_offense");
    PersonFacts {
        status_now,
        citizen_or_lpr_since,
        status_at_offense,
    }
}

fn read_offense(r: &mut CaseReader, i: usize, item: &Value) -> Option<OffenseFacts> {
    let path = format!("offenses[{i}]");
    let Value::Object(o) = item else {
        r.report(
            path,
            format!("expected an object, found {}", type_name(item)),
        );
        return None;
    };
    let path = path.as_str();
    let citation = r.string(o, path, "citation").map(str::to_owned);
    // `charge_text` is shown to reviewers, never decided on; only its type is checked.
    r.string(o, path, "charge_text");
    Some(OffenseFacts {
        citation,
        substance: r.word(o, path, "substance"),
        conduct: r.word(o, path, "conduct"),
        offense_date: r.date(o, path, "offense_date"),
        disposition: r.word(o, path, "disposition"),
        disposition_date: r.date(o, path, "disposition_date"),
        jurisdiction: r.word(o, path, "jurisdiction"),
        status_at_offense: r.word(o, path, "status_at_offense"),
    })
}

#[cfg(test)]
mod tests {
    use claims::{assert_err, assert_ok};

    use super::*;

    fn error(input: &str) -> String {
        assert_err!(check_cases_json(input)).to_string()
    }

    const GOOD_PERSON: &str = r#"{"status_now": "us_citizen", "citizen_or_lpr_since": "birth", "status_at_offense": null}"#;

    fn case_with_offense(field: &str, value: &str) -> String {
        format!(
            r#"[{{"id": "PC-001", "person": {GOOD_PERSON}, "offenses": [{{"citation": "21 USC 844", "{field}": {value}}}]}}]"#
        )
    }

    #[test]
    fn a_bad_date_names_the_case_and_the_field() {
        assert_eq!(
            error(&case_with_offense("offense_date", r#""2015-13-01""#)),
            r#"case "PC-001": offenses[0].offense_date: not an ISO date (YYYY-MM-DD): "2015-13-01""#
        );
    }

    #[test]
    fn a_word_outside_the_vocabulary_lists_the_words() {
        assert_eq!(
            error(&case_with_offense("substance", r#""cannabis""#)),
            r#"case "PC-001": offenses[0].substance: not one of marijuana, other, unknown: "cannabis""#
        );
    }

    #[test]
    fn a_wrong_json_type_is_named() {
        assert_eq!(
            error(&case_with_offense("citation", "844")),
            r#"case "PC-001": offenses[0].citation: expected a string or null, found a number"#
        );
        assert_eq!(
            error(r#"[{"id": "X", "person": [], "offenses": []}]"#),
            r#"case "X": person: expected an object or null, found an array"#
        );
        assert_eq!(
            error(r#"[{"id": "X", "offenses": {}}]"#),
            r#"case "X": offenses: expected an array or null, found an object"#
        );
        assert_eq!(
            error(r#"[{"id": "X", "offenses": [3]}]"#),
            r#"case "X": offenses[0]: expected an object, found a number"#
        );
    }

    #[test]
    fn a_bad_since_value_is_named() {
        assert_eq!(
            error(r#"[{"id": "X", "person": {"citizen_or_lpr_since": "always"}}]"#),
            r#"case "X": person.citizen_or_lpr_since: not "birth" or an ISO date (YYYY-MM-DD): "always""#
        );
    }

    #[test]
    fn a_case_without_an_id_is_named_by_its_index() {
        assert_eq!(
            error(r#"[{"id": "A"}, {"person": null}]"#),
            "case at index 1: id: missing (every case needs an id)"
        );
        assert_eq!(
            error(r#"[{"id": 7}]"#),
            "case at index 0: id: expected a string, found a number"
        );
        assert_eq!(
            error(r#"["x"]"#),
            "case at index 0: expected an object, found a string"
        );
    }

    #[test]
    fn input_that_is_not_a_json_array_is_rejected() {
        assert!(error("not json").starts_with("input is not valid JSON"));
        assert_eq!(
            error(r#"{"id": "X"}"#),
            "input must be a JSON array of cases, found an object"
        );
    }

    #[test]
    fn missing_fields_null_and_unknown_all_mean_unknown() {
        let results = assert_ok!(check_cases_json(
            r#"[{"id": "A", "description": "ignored", "expected": {"outcome": "x"},
                 "offenses": [{"citation": "21 USC 844", "substance": "unknown", "offense_date": null}]}]"#
        ));
        let e = &results[0].evaluation;
        assert_eq!(e.outcome, crate::Outcome::NeedsMoreInfo);
        for code in [
            crate::ReasonCode::MissingStatusNow,
            crate::ReasonCode::MissingSubstance,
            crate::ReasonCode::MissingOffenseDate,
        ] {
            assert!(
                e.reasons.contains(&code),
                "{code} missing from {:?}",
                e.reasons
            );
        }
    }

    #[test]
    fn results_keep_input_order_and_ids() {
        let results = assert_ok!(check_cases_json(
            r#"[{"id": "b"}, {"id": "a"}, {"id": "c"}]"#
        ));
        let ids: Vec<&str> = results.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b", "a", "c"]);
    }

    #[test]
    fn the_table_has_a_header_and_one_aligned_row_per_case() {
        let results = assert_ok!(check_cases_json(&format!(
            r#"[{{"id": "PC-1", "person": {GOOD_PERSON}, "offenses": [{{"citation": "21 USC 844",
                 "substance": "marijuana", "offense_date": "2015-01-01", "jurisdiction": "federal",
                 "status_at_offense": "us_citizen"}}]}},
                {{"id": "PC-LONGER"}}]"#
        )));
        let table = render_table(&results);
        let rows: Vec<&str> = table.lines().filter(|l| !l.starts_with(' ')).collect();
        assert_eq!(rows.len(), 4, "{table}");
        assert!(rows[0].starts_with("ID         OUTCOME"), "{table}");
        assert!(
            rows[2].starts_with("PC-1       ELIGIBLE         10467,10688"),
            "{table}"
        );
        assert!(
            rows[3].starts_with("PC-LONGER  NEEDS_MORE_INFO  -"),
            "{table}"
        );
        assert!(rows[3].ends_with("NO_OFFENSES"), "{table}");
    }

    #[test]
    fn the_table_prints_each_explanation_under_its_case() {
        let results = assert_ok!(check_cases_json(&format!(
            r#"[{{"id": "PC-1", "person": {GOOD_PERSON}, "offenses": [{{"citation": "21 USC 844",
                 "substance": "marijuana", "offense_date": null, "disposition_date": "2023-01-10",
                 "status_at_offense": "us_citizen"}}]}},
                {{"id": "PC-2"}}]"#
        )));
        let table = render_table(&results);
        let lines: Vec<&str> = table.lines().collect();
        let row = |id: &str| {
            lines
                .iter()
                .position(|l| l.starts_with(id))
                .unwrap_or_else(|| panic!("no row for {id} in\n{table}"))
        };
        let (first, second) = (row("PC-1 "), row("PC-2 "));
        let under_first = &lines[first + 1..second];
        assert!(
            under_first
                .iter()
                .any(|l| l.starts_with("  MISSING_OFFENSE_DATE (FACT, 10467): ")),
            "{table}"
        );
        assert!(
            under_first
                .iter()
                .any(|l| l.starts_with("    Ask: When did the offense")),
            "{table}"
        );
        assert!(
            under_first.iter().any(|l| l.starts_with("    Rule: ")),
            "{table}"
        );
        let under_second = &lines[second + 1..];
        assert!(
            under_second[0].starts_with("  NO_OFFENSES (FACT, 10467,10688): No offenses"),
            "{table}"
        );
        // Explanations wrap to the width; only a word longer than a line may stick out.
        for l in lines.iter().filter(|l| l.starts_with(' ')) {
            assert!(
                l.chars().count() <= WRAP_WIDTH || l.split_whitespace().count() == 1,
                "{l:?}"
            );
        }
    }

    #[test]
    fn each_result_explains_each_reason_and_the_proclamation_it_concerns() {
        let results = assert_ok!(check_cases_json(&format!(
            r#"[{{"id": "A", "person": {GOOD_PERSON}, "offenses": [{{"citation": "21 USC 844",
                 "substance": "marijuana", "offense_date": null, "disposition_date": "2023-01-10",
                 "jurisdiction": "federal", "status_at_offense": "us_citizen"}}]}}]"#
        )));
        let json = serde_json::to_value(&results[0]).expect("serialises");
        assert_eq!(json["outcome"], "ELIGIBLE");
        assert_eq!(
            json["reasons"],
            serde_json::json!(["COVERED_BY_10688", "MISSING_OFFENSE_DATE"])
        );
        let explanations = json["explanations"].as_array().expect("an array");
        assert_eq!(explanations.len(), 2);
        let covered = &explanations[0];
        assert_eq!(covered["code"], "COVERED_BY_10688");
        assert_eq!(covered["category"], "COVERED");
        assert_eq!(covered["proclamations"], serde_json::json!(["10688"]));
        assert!(covered["question"].is_null());
        assert_eq!(
            covered["text"],
            crate::ReasonCode::CoveredBy10688.explanation()
        );
        assert_eq!(
            covered["rule"],
            crate::ReasonCode::CoveredBy10688.rule_text()
        );
        let date = &explanations[1];
        assert_eq!(date["code"], "MISSING_OFFENSE_DATE");
        assert_eq!(date["proclamations"], serde_json::json!(["10467"]));
        assert!(
            date["text"]
                .as_str()
                .is_some_and(|t| t.ends_with("(Proclamation 10467).")),
            "{date}"
        );
        assert_eq!(
            date["question"],
            crate::ReasonCode::MissingOffenseDate
                .question()
                .expect("a question")
        );
    }

    #[test]
    fn input_starting_with_a_byte_order_mark_is_read() {
        let results = assert_ok!(check_cases_json("\u{feff}[{\"id\": \"A\"}]"));
        assert_eq!(results[0].id, "A");
        // Only at the start: elsewhere it is not JSON.
        assert!(error("[\u{feff}{\"id\": \"A\"}]").starts_with("input is not valid JSON"));
    }

    #[test]
    fn a_repeated_id_names_both_cases() {
        assert_eq!(
            error(r#"[{"id": "PC-001"}, {"id": "PC-002"}, {"id": "PC-001"}]"#),
            r#"case at index 0 and case at index 2 both have id "PC-001""#
        );
        // A third case with the id is named against the first.
        let e = assert_err!(read_cases_json(
            r#"[{"id": "X"}, {"id": "X"}, {"id": "X", "person": 3}]"#
        ));
        let BatchInputError::Cases(problems) = e else {
            panic!("not a case error: {e}");
        };
        assert_eq!(
            problems,
            vec![
                CaseError::DuplicateId {
                    id: "X".into(),
                    first: 0,
                    second: 1
                },
                CaseError::Field {
                    case: CaseRef::Id("X".into()),
                    path: "person".into(),
                    problem: "expected an object or null, found a number".into()
                },
                CaseError::DuplicateId {
                    id: "X".into(),
                    first: 0,
                    second: 2
                },
            ]
        );
    }

    #[test]
    fn every_malformed_case_and_field_is_reported() {
        let message = error(
            r#"[{"id": "A", "offenses": [{"offense_date": "2015-13-01", "substance": "weed"}]},
                {"id": "B"},
                {"person": null},
                {"id": "C", "person": {"status_now": "citizen"}}]"#,
        );
        assert_eq!(
            message,
            [
                "4 problems in the input:",
                r#"  case "A": offenses[0].substance: not one of marijuana, other, unknown: "weed""#,
                r#"  case "A": offenses[0].offense_date: not an ISO date (YYYY-MM-DD): "2015-13-01""#,
                "  case at index 2: id: missing (every case needs an id)",
                r#"  case "C": person.status_now: not one of us_citizen, lpr, other, unknown: "citizen""#,
            ]
            .join("\n")
        );
    }
}
