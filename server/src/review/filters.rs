//! The filters of the caseload (and its CSV export) and of the duplicate list, as the API takes
//! them, checked into the store's queries.

use fieldclinic_stores::accounts::{ClinicId, UserId};
use fieldclinic_stores::cases::{CASE_PAGE_MAX, CaseQuery, CaseSort, DuplicateStatus};
use serde::Deserialize;

use crate::error::ApiError;

const OUTCOME_WORDS: &[&str] = &["ELIGIBLE", "NOT_ELIGIBLE", "NEEDS_MORE_INFO", "none"];
const REVIEW_WORDS: &[&str] = &["none", "approved", "needs_info", "rejected"];

/// The page size when the caller gives none.
pub(super) const DEFAULT_PAGE: u32 = 50;

/// The caseload filters, sort and page of `GET /api/v1/cases` (and the CSV export).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFilters {
    pub(crate) outcome: Option<String>,
    pub(crate) review_state: Option<String>,
    pub(crate) has_conflicts: Option<bool>,
    pub(crate) volunteer: Option<String>,
    pub(crate) updated_since: Option<String>,
    pub(crate) q: Option<String>,
    pub(crate) sort: Option<String>,
    pub(crate) order: Option<String>,
    pub(crate) limit: Option<u32>,
    pub(crate) offset: Option<u32>,
}

impl CaseFilters {
    /// The store query of these filters within `clinic`.
    pub(super) fn query(&self, clinic: ClinicId) -> Result<CaseQuery, ApiError> {
        let word = |value: &Option<String>, allowed: &[&str], name: &str| {
            value
                .as_ref()
                .map(|v| {
                    if allowed.contains(&v.as_str()) {
                        Ok(v.clone())
                    } else {
                        Err(ApiError::Validation(format!(
                            "{name} must be one of {}",
                            allowed.join(", ")
                        )))
                    }
                })
                .transpose()
        };
        let volunteer = self
            .volunteer
            .as_deref()
            .map(|v| {
                v.parse::<UserId>()
                    .map_err(|_| ApiError::Validation("volunteer must be a user ID".into()))
            })
            .transpose()?;
        let updated_since_millis = self
            .updated_since
            .as_deref()
            .map(|s| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
                    .map_err(|_| {
                        ApiError::Validation(
                            "updated_since must be an RFC 3339 time, e.g. 2026-01-31T09:00:00Z"
                                .into(),
                        )
                    })
            })
            .transpose()?;
        let sort = match self.sort.as_deref() {
            None => CaseSort::default(),
            Some(s) => CaseSort::parse(s).ok_or_else(|| {
                ApiError::Validation(format!(
                    "sort must be one of {}",
                    CaseSort::WORDS.join(", ")
                ))
            })?,
        };
        let descending = match self.order.as_deref() {
            None => sort == CaseSort::UpdatedAt,
            Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(ApiError::Validation("order must be asc or desc".into())),
        };
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if limit == 0 || limit > CASE_PAGE_MAX {
            return Err(ApiError::Validation(format!(
                "limit must be between 1 and {CASE_PAGE_MAX}"
            )));
        }
        Ok(CaseQuery {
            clinic_id: clinic,
            outcome: word(&self.outcome, OUTCOME_WORDS, "outcome")?,
            review_state: word(&self.review_state, REVIEW_WORDS, "review_state")?,
            has_conflicts: self.has_conflicts,
            volunteer,
            updated_since_millis,
            name: self
                .q
                .as_deref()
                .map(fieldclinic_review::duplicates::normalise_name)
                .filter(|q| !q.is_empty()),
            sort,
            descending,
            limit,
            offset: self.offset.unwrap_or(0),
        })
    }
}

/// The filters of `GET /api/v1/duplicates`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateFilters {
    pub(crate) status: Option<String>,
    pub(crate) limit: Option<u32>,
}

impl DuplicateFilters {
    /// The status asked for (`None` for every status) and the page size.
    pub(super) fn checked(&self) -> Result<(Option<DuplicateStatus>, u32), ApiError> {
        let status = match self.status.as_deref() {
            None => Some(DuplicateStatus::Open),
            Some("all") => None,
            Some(s) => Some(DuplicateStatus::parse(s).ok_or_else(|| {
                ApiError::Validation("status must be open, linked, dismissed or all".into())
            })?),
        };
        let limit = self.limit.unwrap_or(DEFAULT_PAGE).clamp(1, CASE_PAGE_MAX);
        Ok((status, limit))
    }
}
