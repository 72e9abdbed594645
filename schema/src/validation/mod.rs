//! Field-level validation: what is wrong in an intake, listed without rejecting it.

mod field_problem;
mod problem_kind;
mod validate;

pub use field_problem::FieldProblem;
pub use problem_kind::ProblemKind;
pub use validate::validate;
