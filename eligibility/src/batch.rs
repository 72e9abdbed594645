//! The library side of `fieldclinic eligibility check [FILE|-]`: a JSON array of cases in, one
//! result per case out.
//!
//! Input is strict where the lenient intake reader is not: a word outside the `RULES.md` section
//! 5 vocabulary, a bad date or a wrong JSON type is an error naming the case and the field, since
//! a batch file is written by a tool or a person who can fix it. `null`, a missing field and the
//! word `"unknown"` all mean unknown.

use fieldclinic_schema::facts::parse_iso_date;
use fieldclinic_schema::{
    CitizenOrLprSince, Conduct, Disposition, Jurisdiction, OffenseFacts, PersonFacts,
    StatusAtOffense, StatusNow, Substance,
};
use serde::Serialize;
use serde_json::{Map, Value};
use time::Date;

use crate::engine::evaluate;
use crate::evaluation::Evaluation;

/// The result for one case: `{"id", "outcome", "proclamations", "reasons", "offenses"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseResult {
    /// The case's `id`, as given.
    pub id: String,
    /// The evaluation, flattened into the same JSON object.
    #[serde(flatten)]
    pub evaluation: Evaluation,
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

/// Malformed batch input. The Display names the case and the field path, e.g.
/// `case "PC-001": offenses[0].offense_date: not an ISO date (YYYY-MM-DD): "2015-13-01"`.
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
    /// A case, or one of its fields, is malformed.
    #[error("{case}: {}{problem}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Case {
        /// The case.
        case: CaseRef,
        /// The field path inside the case (`offenses[0].offense_date`); empty for the case itself.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

/// Reads a JSON array of cases and evaluates each, returning one result per case, in order.
///
/// # Errors
///
/// [`BatchInputError`] for input that is not JSON, not an array, or has a case without a string
/// `id`, a word outside the vocabulary, a bad date or a value of the wrong JSON type. The first
/// error found is returned; no partial results.
pub fn check_cases_json(input: &str) -> Result<Vec<CaseResult>, BatchInputError> {
    Ok(read_cases_json(input)?
        .into_iter()
        .map(|case| CaseResult {
            evaluation: evaluate(&case.person, &case.offenses),
            id: case.id,
        })
        .collect())
}

/// Reads a JSON array of cases into typed inputs without evaluating them.
///
/// # Errors
///
/// The same as [`check_cases_json`].
pub fn read_cases_json(input: &str) -> Result<Vec<BatchCase>, BatchInputError> {
    let value: Value = serde_json::from_str(input)?;
    let Value::Array(cases) = value else {
        return Err(BatchInputError::NotAnArray {
            found: type_name(&value),
        });
    };
    cases
        .iter()
        .enumerate()
        .map(|(index, case)| read_case(index, case))
        .collect()
}

/// A fixed-width text table of the results: id, outcome, proclamations and reasons.
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
    let mut line = |cells: [&str; 4]| {
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
    line(HEADERS);
    let rule = widths.map(|w| "-".repeat(w));
    line([&rule[0], &rule[1], &rule[2], &rule[3]]);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3]]);
    }
    out
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

/// Reads fields of one case, remembering which case errors belong to.
struct CaseReader {
    case: CaseRef,
}

impl CaseReader {
    fn error(&self, path: impl Into<String>, problem: impl Into<String>) -> BatchInputError {
        BatchInputError::Case {
            case: self.case.clone(),
            path: path.into(),
            problem: problem.into(),
        }
    }

    /// A string field: `None` for missing or null.
    fn string<'v>(
        &self,
        obj: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<Option<&'v str>, BatchInputError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.error(
                join_path(path, key),
                format!("expected a string or null, found {}", type_name(other)),
            )),
        }
    }

    /// A vocabulary word: missing, null and `"unknown"` are `unknown`.
    fn word<T: Vocabulary>(
        &self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<T, BatchInputError> {
        let Some(s) = self.string(obj, path, key)? else {
            return Ok(T::UNKNOWN);
        };
        T::parse_word(s).ok_or_else(|| {
            let words: Vec<&str> = T::ALL_WORDS.iter().map(|v| v.word()).collect();
            self.error(
                join_path(path, key),
                format!("not one of {}: {s:?}", words.join(", ")),
            )
        })
    }

    fn date(
        &self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<Option<Date>, BatchInputError> {
        match self.string(obj, path, key)? {
            None | Some("unknown") => Ok(None),
            Some(s) => parse_iso_date(s).map(Some).ok_or_else(|| {
                self.error(
                    join_path(path, key),
                    format!("not an ISO date (YYYY-MM-DD): {s:?}"),
                )
            }),
        }
    }

    fn object<'v>(
        &self,
        value: Option<&'v Value>,
        path: &str,
    ) -> Result<Option<&'v Map<String, Value>>, BatchInputError> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(other) => Err(self.error(
                path,
                format!("expected an object or null, found {}", type_name(other)),
            )),
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

fn read_case(index: usize, case: &Value) -> Result<BatchCase, BatchInputError> {
    let mut reader = CaseReader {
        case: CaseRef::Index(index),
    };
    let Value::Object(obj) = case else {
        return Err(reader.error("", format!("expected an object, found {}", type_name(case))));
    };
    let id = match obj.get("id") {
        Some(Value::String(id)) => id.clone(),
        None | Some(Value::Null) => {
            return Err(reader.error("id", "missing (every case needs an id)"));
        }
        Some(other) => {
            return Err(reader.error(
                "id",
                format!("expected a string, found {}", type_name(other)),
            ));
        }
    };
    reader.case = CaseRef::Id(id.clone());

    let person = match reader.object(obj.get("person"), "person")? {
        Some(p) => read_person(&reader, p)?,
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
            .map(|(i, item)| read_offense(&reader, i, item))
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(reader.error(
                "offenses",
                format!("expected an array or null, found {}", type_name(other)),
            ));
        }
    };
    Ok(BatchCase {
        id,
        person,
        offenses,
    })
}

fn read_person(r: &CaseReader, p: &Map<String, Value>) -> Result<PersonFacts, BatchInputError> {
    let path = "person";
    let status_now = r.word(p, path, "status_now")?;
    let citizen_or_lpr_since = match r.string(p, path, "citizen_or_lpr_since")? {
        None | Some("unknown") => None,
        Some(s) => Some(CitizenOrLprSince::parse(s).ok_or_else(|| {
            r.error(
                "person.citizen_or_lpr_since",
                format!("not \"birth\" or an ISO date (YYYY-MM-DD): {s:?}"),
            )
        })?),
    };
    let status_at_offense = r.word(p, path, "status_at_offense")?;
    Ok(PersonFacts {
        status_now,
        citizen_or_lpr_since,
        status_at_offense,
    })
}

fn read_offense(r: &CaseReader, i: usize, item: &Value) -> Result<OffenseFacts, BatchInputError> {
    let path = format!("offenses[{i}]");
    let Value::Object(o) = item else {
        return Err(r.error(
            path,
            format!("expected an object, found {}", type_name(item)),
        ));
    };
    let path = path.as_str();
    let citation = r.string(o, path, "citation")?.map(str::to_owned);
    // `charge_text` is shown to reviewers, never decided on; only its type is checked.
    r.string(o, path, "charge_text")?;
    let substance = r.word(o, path, "substance")?;
    let conduct = r.word(o, path, "conduct")?;
    let offense_date = r.date(o, path, "offense_date")?;
    let disposition = r.word(o, path, "disposition")?;
    let disposition_date = r.date(o, path, "disposition_date")?;
    let jurisdiction = r.word(o, path, "jurisdiction")?;
    let status_at_offense = r.word(o, path, "status_at_offense")?;
    Ok(OffenseFacts {
        citation,
        substance,
        conduct,
        offense_date,
        disposition,
        disposition_date,
        jurisdiction,
        status_at_offense,
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
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[0].starts_with("ID         OUTCOME"), "{table}");
        assert!(
            lines[2].starts_with("PC-1       ELIGIBLE         10467,10688"),
            "{table}"
        );
        assert!(
            lines[3].starts_with("PC-LONGER  NEEDS_MORE_INFO  -"),
            "{table}"
        );
        assert!(lines[3].ends_with("NO_OFFENSES"), "{table}");
    }
}
