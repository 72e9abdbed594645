use std::fmt;

use serde::Serialize;

use super::ProblemKind;

/// One problem with one field of an intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// Where the field is, e.g. `person.date_of_birth`, `offenses[2].conduct`.
    pub path: String,
    /// What is wrong.
    pub problem: ProblemKind,
    /// The offending value as text, when it has one worth showing.
    pub value: Option<String>,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)?;
        if let Some(value) = &self.value {
            write!(f, " (got {value:?})")?;
        }
        Ok(())
    }
}
