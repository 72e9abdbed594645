//! The JSON Schema of the intake document (`fieldclinic schema export`).
//!
//! It describes the document as JSON (Automerge Text objects appear as strings), generated from
//! serde-shaped mirror types of the intake structs so each field's schema is declared once, next
//! to its vocabulary. The mirrors are never built; they exist for `schemars` to read.
//!
//! Leniency of the reader shows in the schema: every device-written string and section is
//! optional and nullable. Extra keys are allowed so later schema versions stay readable.

// The mirror types are only ever inspected by schemars.
#![expect(dead_code, reason = "mirror types exist only for schema generation")]

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::facts::{Conduct, Disposition, Jurisdiction, StatusAtOffense, StatusNow, Substance};
use crate::intake::{Determination, DocumentKind, Intake, Review, SCHEMA_VERSION, Submitter};

/// The `$id` of the intake schema, version 1.
pub const INTAKE_SCHEMA_ID: &str = "https://example.invalid/fieldclinic/schemas/intake-v1.json";

/// The JSON Schema (draft 2020-12) of an intake document, schema version 1.
#[must_use]
pub fn intake_json_schema() -> Value {
    let mut schema = schemars::schema_for!(IntakeDoc);
    schema.insert("$id".to_owned(), INTAKE_SCHEMA_ID.into());
    schema.insert(
        "title".to_owned(),
        "fieldclinic intake document, schema version 1".into(),
    );
    schema.insert(
        "description".to_owned(),
        "One Automerge document per client intake. Keys are snake_case; dates are ISO \
         YYYY-MM-DD strings; strings may be stored as Automerge Text or scalar strings. Missing \
         and null fields are normal in an intake in progress. `determination`, `review` and \
         `server` are written only by the server."
            .into(),
    );
    schema.to_value()
}

fn kind_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "const": Intake::KIND })
}

fn schema_version_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer", "const": SCHEMA_VERSION })
}

fn citizen_or_lpr_since_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "`birth` (birthright citizens only) or the ISO date the person first \
                        became an LPR or a citizen, whichever came first.",
        "anyOf": [
            { "type": "string", "const": "birth" },
            { "type": "string", "format": "date" },
            { "type": "null" }
        ]
    })
}

fn outcome_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "enum": Determination::OUTCOMES })
}

fn decision_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "enum": Review::DECISIONS })
}

/// The root map of an intake document.
#[derive(JsonSchema)]
#[schemars(rename = "Intake")]
struct IntakeDoc {
    /// Always `intake`.
    #[schemars(schema_with = "kind_schema")]
    kind: String,
    /// The schema version; 1 for this schema.
    #[schemars(schema_with = "schema_version_schema")]
    schema_version: u64,
    /// Who the client is.
    person: Option<PersonDoc>,
    /// One entry per count on the record.
    offenses: Option<Vec<OffenseDoc>>,
    /// The supporting documents checklist.
    documents: Option<Vec<SupportingDocumentDoc>>,
    /// Consent and who submits the application.
    consent: Option<ConsentDoc>,
    /// Free notes by volunteers.
    notes: Option<String>,
    /// Written only by the server: the eligibility result.
    determination: Option<DeterminationDoc>,
    /// Written only by the server: the supervisor's decision.
    review: Option<ReviewDoc>,
    /// Server-owned metadata (links to other intakes of the same person); written only by
    /// the server.
    server: Option<ServerSectionDoc>,
}

/// Identity, contact and status of the client.
#[derive(JsonSchema)]
#[schemars(rename = "Person")]
struct PersonDoc {
    /// Full legal name.
    legal_name: Option<String>,
    /// Other names, including names used at the time of a case.
    other_names: Option<Vec<String>>,
    /// Date of birth.
    #[schemars(extend("format" = "date"))]
    date_of_birth: Option<String>,
    /// Place of birth.
    place_of_birth: Option<String>,
    /// Mailing address.
    address: Option<String>,
    /// Email address (may be a helper's).
    email: Option<String>,
    /// Phone number.
    phone: Option<String>,
    /// Citizenship or immigration status at intake.
    status_now: Option<StatusNow>,
    /// `birth` or the date citizen or LPR status was first attained.
    // `schema_with` makes a field required unless it has a default.
    #[serde(default)]
    #[schemars(schema_with = "citizen_or_lpr_since_schema")]
    citizen_or_lpr_since: Option<String>,
    /// Status at the time of the offenses (default for every offense).
    status_at_offense: Option<StatusAtOffense>,
    /// A-number or citizenship/naturalization number.
    a_number: Option<String>,
    /// Race (statistics only).
    race: Option<String>,
    /// Gender (statistics only).
    gender: Option<String>,
    /// Ethnicity (statistics only).
    ethnicity: Option<String>,
}

/// One count on the client's record; items are matched by `id` when devices merge edits.
#[derive(JsonSchema)]
#[schemars(rename = "Offense")]
struct OffenseDoc {
    /// A device-generated identity (a UUID string).
    id: Option<String>,
    /// The citation as written on the record.
    citation: Option<String>,
    /// The charge as written.
    charge_text: Option<String>,
    /// The substance.
    substance: Option<Substance>,
    /// What the person did.
    conduct: Option<Conduct>,
    /// The offense date.
    #[schemars(extend("format" = "date"))]
    offense_date: Option<String>,
    /// How the case ended, or where it stands.
    disposition: Option<Disposition>,
    /// The date of the arrest, charge or conviction `disposition` refers to.
    #[schemars(extend("format" = "date"))]
    disposition_date: Option<String>,
    /// The court system whose law was applied.
    jurisdiction: Option<Jurisdiction>,
    /// Per-offense override of `person.status_at_offense`.
    status_at_offense: Option<StatusAtOffense>,
    /// The court's name.
    court_name: Option<String>,
    /// Docket or case number.
    docket_number: Option<String>,
}

/// One supporting document of the certificate application.
#[derive(JsonSchema)]
#[schemars(rename = "SupportingDocument")]
struct SupportingDocumentDoc {
    /// The kind of document.
    kind: Option<DocumentKind>,
    /// Whether the clinic holds it.
    present: Option<bool>,
    /// Free note.
    note: Option<String>,
}

/// The client's consent and who submits the application.
#[derive(JsonSchema)]
#[schemars(rename = "Consent")]
struct ConsentDoc {
    /// Whether the client consented.
    given: Option<bool>,
    /// When consent was given.
    #[schemars(extend("format" = "date"))]
    given_on: Option<String>,
    /// `self` or `helper`.
    submitter: Option<Submitter>,
    /// The helper's name when a helper submits.
    helper_name: Option<String>,
}

/// Server-owned metadata of an intake.
#[derive(JsonSchema)]
#[schemars(rename = "ServerSection")]
struct ServerSectionDoc {
    /// Other intakes a supervisor confirmed describe the same person.
    same_person: Vec<PersonLinkDoc>,
}

/// A supervisor's confirmation that another intake describes the same person.
#[derive(JsonSchema)]
#[schemars(rename = "PersonLink")]
struct PersonLinkDoc {
    /// The other intake's `automerge:` URL.
    document_url: String,
    /// Who linked them.
    linked_by: Option<String>,
    /// RFC 3339 time of the link.
    #[schemars(extend("format" = "date-time"))]
    linked_at: String,
}

/// The server's eligibility result.
#[derive(JsonSchema)]
#[schemars(rename = "Determination")]
struct DeterminationDoc {
    /// The overall outcome.
    #[schemars(schema_with = "outcome_schema")]
    outcome: String,
    /// Proclamation numbers, e.g. `10467`, `10688`.
    proclamations: Vec<String>,
    /// True while a legally relevant conflict is open.
    provisional: bool,
    /// Paths of the fields with open legal conflicts, awaiting a supervisor.
    open_conflicts: Vec<String>,
    /// Reason codes with what a volunteer needs to act on them.
    reasons: Vec<DeterminationReasonDoc>,
    /// The result per offense.
    offenses: Vec<OffenseDeterminationDoc>,
    /// Certificate checklist items still missing.
    missing_items: Vec<ChecklistItemDoc>,
    /// The version of the rules applied.
    rules_version: String,
    /// Hex SHA-256 of the rules inputs.
    input_hash: String,
    /// RFC 3339 time of evaluation.
    #[schemars(extend("format" = "date-time"))]
    evaluated_at: String,
}

/// One reason code.
#[derive(JsonSchema)]
#[schemars(rename = "DeterminationReason")]
struct DeterminationReasonDoc {
    /// The reason code.
    code: String,
    /// `COVERED`, `INFO`, `HARD`, `FACT` or `REVIEW`.
    category: String,
    /// Plain-language explanation.
    explanation: String,
    /// The rule text applied.
    rule_text: String,
    /// For FACT codes: what to ask the client or which record to check.
    question: Option<String>,
}

/// The result for one offense.
#[derive(JsonSchema)]
#[schemars(rename = "OffenseDetermination")]
struct OffenseDeterminationDoc {
    /// The offense's position in `offenses` when evaluated.
    index: u64,
    /// The offense's `id`.
    offense_id: Option<String>,
    /// The outcome for this offense.
    #[schemars(schema_with = "outcome_schema")]
    outcome: String,
    /// Proclamations covering the offense.
    proclamations: Vec<String>,
    /// Reason codes.
    reasons: Vec<String>,
    /// Citations the offense's citation resolved to.
    canonical_citations: Vec<String>,
    /// The offense family.
    family: Option<String>,
}

/// A missing checklist item.
#[derive(JsonSchema)]
#[schemars(rename = "ChecklistItem")]
struct ChecklistItemDoc {
    /// Stable key, e.g. `date_of_birth`, `offenses[0].docket_number`.
    key: String,
    /// What to show a volunteer.
    label: String,
    /// Whether the application needs it.
    required: bool,
}

/// The supervisor's decision.
#[derive(JsonSchema)]
#[schemars(rename = "Review")]
struct ReviewDoc {
    /// The decision.
    #[schemars(schema_with = "decision_schema")]
    decision: String,
    /// The supervisor's message.
    message: Option<String>,
    /// Field paths the message is about.
    fields: Vec<String>,
    /// Who reviewed.
    reviewer: Option<String>,
    /// RFC 3339 time of the review.
    #[schemars(extend("format" = "date-time"))]
    reviewed_at: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn def<'a>(schema: &'a Value, name: &str) -> &'a Value {
        &schema["$defs"][name]
    }

    #[test]
    fn the_schema_names_itself_and_pins_version_one() {
        let schema = intake_json_schema();
        assert_eq!(schema["$id"], INTAKE_SCHEMA_ID);
        assert!(
            schema["title"]
                .as_str()
                .is_some_and(|t| t.contains("intake"))
        );
        assert!(schema["description"].is_string());
        assert_eq!(schema["properties"]["schema_version"]["const"], 1);
        assert_eq!(schema["properties"]["kind"]["const"], "intake");
        assert_eq!(schema["required"], json!(["kind", "schema_version"]));
    }

    #[test]
    fn device_fields_are_optional_and_nullable() {
        let schema = intake_json_schema();
        for name in ["Person", "Offense", "Consent", "SupportingDocument"] {
            assert!(def(&schema, name).get("required").is_none(), "{name}");
        }
        assert_eq!(
            def(&schema, "Person")["properties"]["legal_name"]["type"],
            json!(["string", "null"])
        );
        assert_eq!(
            schema["properties"]["notes"]["type"],
            json!(["string", "null"])
        );
    }

    #[test]
    fn dates_carry_the_date_format() {
        let schema = intake_json_schema();
        assert_eq!(
            def(&schema, "Person")["properties"]["date_of_birth"]["format"],
            "date"
        );
        assert_eq!(
            def(&schema, "Offense")["properties"]["offense_date"]["format"],
            "date"
        );
        assert_eq!(
            def(&schema, "Offense")["properties"]["disposition_date"]["format"],
            "date"
        );
        assert_eq!(
            def(&schema, "Consent")["properties"]["given_on"]["format"],
            "date"
        );
        let since = &def(&schema, "Person")["properties"]["citizen_or_lpr_since"];
        assert_eq!(since["anyOf"][0]["const"], "birth");
        assert_eq!(since["anyOf"][1]["format"], "date");
    }

    #[test]
    fn enums_list_their_words() {
        let schema = intake_json_schema();
        let words = |name: &str| -> Vec<String> {
            def(&schema, name)["oneOf"]
                .as_array()
                .map(|all| {
                    all.iter()
                        .filter_map(|w| w["const"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let conduct: Vec<String> = Conduct::ALL.iter().map(|c| c.as_str().to_owned()).collect();
        assert_eq!(words("Conduct"), conduct);
        assert_eq!(words("Submitter"), ["self", "helper"]);
        assert_eq!(words("DocumentKind").len(), DocumentKind::ALL.len());
        for name in [
            "StatusNow",
            "StatusAtOffense",
            "Substance",
            "Disposition",
            "Jurisdiction",
        ] {
            assert!(words(name).contains(&"unknown".to_owned()), "{name}");
        }
        assert_eq!(
            def(&schema, "Determination")["properties"]["outcome"]["enum"],
            json!(Determination::OUTCOMES)
        );
    }
}
