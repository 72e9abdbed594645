//! The caseload page: the filtered cases with who recorded them, the total and the clinic's
//! counts.

use std::collections::HashMap;

use fieldclinic_domain::Principal;
use fieldclinic_domain::clock::rfc3339_millis;
use fieldclinic_schema::DocumentId;
use fieldclinic_stores::accounts::UserId;
use fieldclinic_stores::cases::{CaseCounts, CaseRecord};
use serde::Serialize;

use super::access::emails;
use super::filters::CaseFilters;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};

/// A case as the caseload lists it: the index row with its ID, URL, volunteer and change time.
#[derive(Debug, Clone, Serialize)]
pub struct CaseItem {
    /// The intake.
    pub document_id: DocumentId,
    /// Its `automerge:` URL.
    pub url: String,
    /// The index row, its fields inline.
    #[serde(flatten)]
    pub case: CaseRecord,
    /// The email of the volunteer who created it, when they are still a user of the clinic.
    pub volunteer_email: Option<String>,
    /// The last change (RFC 3339).
    pub updated_at: Option<String>,
}

impl CaseItem {
    /// The item of `case`, its volunteer looked up in `emails`.
    pub(super) fn of(case: CaseRecord, emails: &HashMap<UserId, String>) -> Self {
        Self {
            document_id: case.doc,
            url: case.doc.url(),
            volunteer_email: emails.get(&case.created_by_user).cloned(),
            updated_at: rfc3339_millis(case.updated_at_millis),
            case,
        }
    }
}

/// What `GET /api/v1/cases` answers.
#[derive(Debug, Serialize)]
pub struct CaseloadPage {
    /// The page of cases.
    pub cases: Vec<CaseItem>,
    /// Every case matching the filters.
    pub total: u64,
    /// The page size applied.
    pub limit: u32,
    /// The page's first case, counted from zero.
    pub offset: u32,
    /// Counts over the clinic's whole caseload.
    pub counts: CaseCounts,
}

/// A page of the clinic's caseload with the total and the clinic's counts.
///
/// # Errors
/// 400 for a bad filter.
pub async fn caseload<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    filters: &CaseFilters,
) -> Result<CaseloadPage, ApiError> {
    let store = &state.store;
    let query = filters.query(who.clinic_id)?;
    let page = store.list_cases(&query).await?;
    let counts = store.case_counts(&who.clinic_id).await?;
    let emails = emails(store, &who.clinic_id).await?;
    Ok(CaseloadPage {
        cases: page
            .cases
            .into_iter()
            .map(|c| CaseItem::of(c, &emails))
            .collect(),
        total: page.total,
        limit: query.limit,
        offset: query.offset,
        counts,
    })
}
