//! The filtered caseload as a CSV download, every page of it up to [`EXPORT_MAX`] rows.

use actix_web::HttpResponse;
use actix_web::http::header;
use fieldclinic_domain::Principal;
use fieldclinic_domain::clock::rfc3339_millis;
use fieldclinic_stores::cases::CASE_PAGE_MAX;
use serde_json::json;

use super::access::emails;
use super::filters::CaseFilters;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};

/// The most rows one CSV export holds.
const EXPORT_MAX: u32 = 50_000;

const HEADER: &str = "document_id,legal_name,other_names,date_of_birth,outcome,provisional,\
                      open_conflicts,review_state,offense_count,missing_required,\
                      volunteer_email,updated_at\r\n";

/// An exported caseload: RFC 4180 text with a header line.
#[derive(Debug)]
pub struct CaseloadCsv {
    /// The CSV text.
    pub text: String,
    /// How many cases it holds.
    pub rows: u32,
}

impl CaseloadCsv {
    /// The download response, the same for the API and the dashboard: an attachment that no
    /// cache keeps, since it holds every client's name.
    #[must_use]
    pub fn into_response(self) -> HttpResponse {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"caseload.csv\"",
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(self.text)
    }
}

/// The filtered caseload as CSV (every page, up to 50,000 rows); the export is audited.
///
/// # Errors
/// 400 for a bad filter.
pub async fn export_csv<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    filters: CaseFilters,
) -> Result<CaseloadCsv, ApiError> {
    let store = &state.store;
    let mut query = CaseFilters {
        limit: Some(CASE_PAGE_MAX),
        offset: Some(0),
        ..filters
    }
    .query(who.clinic_id)?;
    let emails = emails(store, &who.clinic_id).await?;
    let mut out = String::from(HEADER);
    loop {
        let page = store.list_cases(&query).await?;
        for case in &page.cases {
            let fields = [
                case.doc.to_string(),
                case.legal_name.clone().unwrap_or_default(),
                case.other_names.join("; "),
                case.date_of_birth.clone().unwrap_or_default(),
                case.outcome.clone().unwrap_or_default(),
                case.provisional.to_string(),
                case.open_conflicts.to_string(),
                case.review_state.clone(),
                case.offense_count.to_string(),
                case.missing_required.to_string(),
                emails
                    .get(&case.created_by_user)
                    .cloned()
                    .unwrap_or_default(),
                rfc3339_millis(case.updated_at_millis).unwrap_or_default(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        let fetched = u32::try_from(page.cases.len()).unwrap_or(u32::MAX);
        query.offset += fetched;
        if fetched < query.limit || query.offset >= EXPORT_MAX {
            break;
        }
    }
    state
        .hub
        .policy()
        .audit_only(who, "cases.exported", json!({ "rows": query.offset }));
    Ok(CaseloadCsv {
        text: out,
        rows: query.offset,
    })
}

/// One CSV field (RFC 4180), with spreadsheet formula prefixes neutralised: a name typed as
/// `=HYPERLINK(...)` must not run when a supervisor opens the export.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("Ana"), "Ana");
        assert_eq!(csv_field("Diaz, Ana"), "\"Diaz, Ana\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }
}
