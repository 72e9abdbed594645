//! The review API: supervisors' caseload, case detail with conflicts and history, reviews and
//! conflict resolutions written into the document (so they reach the volunteer's device), and
//! certificate application packets. Supervisors and admins only, within their clinic.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use automerge::AutoCommit;
use automerge::transaction::CommitOptions;
use fieldclinic_schema::{
    ConflictChoice, DocumentId, FieldProblem, Intake, ResolveError, Review, legal_conflicts,
    read_intake, read_intake_with_problems, resolve_conflict, write_review,
};
use fieldclinic_sync::{HubError, Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::caller;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};
use fieldclinic_domain::Principal;
use fieldclinic_domain::clock::rfc3339_millis;
use fieldclinic_review::history::History;
use fieldclinic_review::packet::{self, PacketError};
use fieldclinic_stores::accounts::{ClinicId, OwnedKind, User, UserId};
use fieldclinic_stores::cases::{
    CASE_PAGE_MAX, CaseQuery, CaseRecord, CaseSort, DuplicateCandidate, DuplicateStatus,
};

/// The caller, if they may review their clinic's cases.
pub(crate) async fn reviewer<S: AppStore>(
    store: &S,
    req: &HttpRequest,
) -> Result<Principal, ApiError> {
    let who = caller(store, req).await?;
    if who.sees_whole_clinic() {
        Ok(who)
    } else {
        Err(ApiError::Forbidden)
    }
}

fn store_failure(e: StoreError, what: &'static str) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::NotFound,
        e => ApiError::Unexpected(anyhow::Error::new(e).context(what)),
    }
}

/// An intake of the caller's clinic, or 404 (another clinic's looks unknown).
pub(crate) async fn clinic_intake<S: AppStore>(
    store: &S,
    who: &Principal,
    raw: &str,
) -> Result<DocumentId, ApiError> {
    let doc: DocumentId = raw.parse().map_err(|_| ApiError::NotFound)?;
    match store
        .document_owner(&doc)
        .await
        .map_err(|e| store_failure(e, "Failed to read the document's owner"))?
    {
        Some(owner) if owner.clinic_id == who.clinic_id && owner.kind == OwnedKind::Intake => {
            Ok(doc)
        }
        _ => Err(ApiError::NotFound),
    }
}

/// Loads a stored document on a blocking thread and runs `read` on it.
async fn with_document<S: Store, R: Send + 'static>(
    store: &S,
    doc: DocumentId,
    read: impl FnOnce(&mut AutoCommit) -> R + Send + 'static,
) -> Result<R, ApiError> {
    let mut d = crate::documents::load(store, doc)
        .await
        .map_err(|e| store_failure(e, "Failed to load the document"))?
        .ok_or(ApiError::NotFound)?;
    tokio::task::spawn_blocking(move || read(&mut d))
        .await
        .map_err(|e| {
            ApiError::Unexpected(anyhow::Error::new(e).context("Failed to read the document"))
        })
}

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

const OUTCOME_WORDS: &[&str] = &["ELIGIBLE", "NOT_ELIGIBLE", "NEEDS_MORE_INFO", "none"];
const REVIEW_WORDS: &[&str] = &["none", "approved", "needs_info", "rejected"];
const DEFAULT_PAGE: u32 = 50;

impl CaseFilters {
    fn query(&self, clinic: ClinicId) -> Result<CaseQuery, ApiError> {
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

/// A case as the caseload lists it.
#[derive(Debug, Serialize)]
struct CaseItem<'a> {
    document_id: DocumentId,
    url: String,
    #[serde(flatten)]
    case: &'a CaseRecord,
    volunteer_email: Option<&'a str>,
    updated_at: Option<String>,
}

fn item<'a>(case: &'a CaseRecord, emails: &'a HashMap<UserId, String>) -> CaseItem<'a> {
    CaseItem {
        document_id: case.doc,
        url: case.doc.url(),
        case,
        volunteer_email: emails.get(&case.created_by_user).map(String::as_str),
        updated_at: rfc3339_millis(case.updated_at_millis),
    }
}

async fn emails<S: AppStore>(
    store: &S,
    clinic: &ClinicId,
) -> Result<HashMap<UserId, String>, ApiError> {
    Ok(store
        .clinic_users(clinic)
        .await
        .map_err(|e| store_failure(e, "Failed to list the clinic's users"))?
        .into_iter()
        .map(|u: User| (u.id, u.email))
        .collect())
}

/// `GET /api/v1/cases`: a page of the clinic's caseload with the total and the clinic's counts.
///
/// # Errors
/// 400 for a bad filter, 401/403 for a caller who may not review.
pub async fn list_cases<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    filters: web::Query<CaseFilters>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    Ok(HttpResponse::Ok().json(caseload(&state, &who, &filters).await?))
}

/// The caseload page as JSON (what `GET /api/v1/cases` answers), for the API and the dashboard.
pub(crate) async fn caseload<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    filters: &CaseFilters,
) -> Result<Value, ApiError> {
    let store = &state.store;
    let query = filters.query(who.clinic_id)?;
    let page = store
        .list_cases(&query)
        .await
        .map_err(|e| store_failure(e, "Failed to list cases"))?;
    let counts = store
        .case_counts(&who.clinic_id)
        .await
        .map_err(|e| store_failure(e, "Failed to count cases"))?;
    let emails = emails(store, &who.clinic_id).await?;
    let cases: Vec<CaseItem<'_>> = page.cases.iter().map(|c| item(c, &emails)).collect();
    Ok(json!({
        "cases": cases,
        "total": page.total,
        "limit": query.limit,
        "offset": query.offset,
        "counts": counts,
    }))
}

/// The most rows one CSV export holds.
const EXPORT_MAX: u32 = 50_000;

/// `GET /api/v1/cases/export.csv`: the filtered caseload as CSV (every page, up to 50,000 rows).
///
/// # Errors
/// As [`list_cases`].
pub async fn export_cases<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    filters: web::Query<CaseFilters>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    export_csv(&state, &who, filters.into_inner()).await
}

/// The filtered caseload as a CSV download (the API's and the dashboard's).
pub(crate) async fn export_csv<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    filters: CaseFilters,
) -> Result<HttpResponse, ApiError> {
    let store = &state.store;
    let mut query = CaseFilters {
        limit: Some(CASE_PAGE_MAX),
        offset: Some(0),
        ..filters
    }
    .query(who.clinic_id)?;
    let emails = emails(store, &who.clinic_id).await?;
    let mut out = String::from(
        "document_id,legal_name,other_names,date_of_birth,outcome,provisional,open_conflicts,\
         review_state,offense_count,missing_required,volunteer_email,updated_at\r\n",
    );
    loop {
        let page = store
            .list_cases(&query)
            .await
            .map_err(|e| store_failure(e, "Failed to list cases"))?;
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
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"caseload.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(out))
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

/// What the case page shows, read from the document in one pass.
#[derive(Debug, Serialize)]
struct CaseDocument {
    intake: Intake,
    problems: Vec<FieldProblem>,
    conflicts: Vec<Value>,
    history: Vec<fieldclinic_review::history::HistoryEntry>,
    heads: Vec<String>,
}

/// `GET /api/v1/cases/{id}`: the intake, its determination with explanations, open conflicts
/// (each value with its author and time), history, duplicate candidates.
///
/// # Errors
/// 404 for an unknown intake or one of another clinic.
pub async fn get_case<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let doc = clinic_intake(&state.store, &who, &path).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(case_view(&state, &who, doc).await?))
}

/// One case as JSON (what `GET /api/v1/cases/{id}` answers), for the API and the dashboard.
pub(crate) async fn case_view<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    doc: DocumentId,
) -> Result<Value, ApiError> {
    let store = &state.store;
    let authors = store
        .change_authors(&doc)
        .await
        .map_err(|e| store_failure(e, "Failed to read change authors"))?;
    let read = with_document(store, doc, move |d| -> anyhow::Result<CaseDocument> {
        let (intake, problems) = read_intake_with_problems(d)?;
        let history = History::of(d, &authors);
        let conflicts = legal_conflicts(d)
            .into_iter()
            .map(|c| {
                let authorship = history.authorship(&c);
                let values: Vec<Value> = c
                    .values
                    .iter()
                    .zip(authorship)
                    .map(|(v, a)| {
                        json!({
                            "id": v.id,
                            "value": v.value,
                            "author": a.author,
                            "change_hash": a.change_hash,
                            "made_at": a.made_at,
                            "accepted_at": a.accepted_at,
                        })
                    })
                    .collect();
                json!({
                    "path": c.path,
                    "section": c.section,
                    "offense_id": c.offense_id,
                    "values": values,
                })
            })
            .collect();
        Ok(CaseDocument {
            intake,
            problems,
            conflicts,
            history: history.entries().to_vec(),
            heads: d.get_heads().iter().map(ToString::to_string).collect(),
        })
    })
    .await?
    .map_err(|e| ApiError::Unexpected(e.context("Unreadable intake")))?;
    let case = store
        .case(&doc)
        .await
        .map_err(|e| store_failure(e, "Failed to read the case"))?;
    let duplicates = store
        .duplicates(&who.clinic_id, None, Some(&doc), 50)
        .await
        .map_err(|e| store_failure(e, "Failed to list duplicate candidates"))?;
    let emails = emails(store, &who.clinic_id).await?;
    Ok(json!({
        "document_id": doc,
        "url": doc.url(),
        "case": case.as_ref().map(|c| item(c, &emails)),
        "intake": read.intake,
        "determination": read.intake.determination,
        "review": read.intake.review,
        "problems": read.problems,
        "conflicts": read.conflicts,
        "history": read.history,
        "heads": read.heads,
        "duplicates": duplicates.iter().map(|d| duplicate_json(d, &doc)).collect::<Vec<_>>(),
    }))
}

fn duplicate_json(d: &DuplicateCandidate, of: &DocumentId) -> Value {
    let other = if d.doc_a == *of { d.doc_b } else { d.doc_a };
    json!({
        "other_document_id": other,
        "documents": [d.doc_a, d.doc_b],
        "score": d.score,
        "reasons": d.reasons,
        "status": d.status,
        "detected_at": rfc3339_millis(d.detected_at_millis),
        "decided_at": d.decided_at_millis.and_then(rfc3339_millis),
        "decided_by": d.decided_by,
    })
}

/// The body of `POST /api/v1/cases/{id}/review`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub(crate) decision: String,
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) fields: Vec<String>,
}

const MESSAGE_MAX: usize = 4_000;

fn hub_failure(e: HubError) -> ApiError {
    match e {
        HubError::NotFound => ApiError::NotFound,
        e => ApiError::Unexpected(anyhow::Error::new(e).context("Failed to change the document")),
    }
}

fn commit(d: &mut AutoCommit, message: String) -> Vec<automerge::ChangeHash> {
    d.commit_with(
        CommitOptions::default()
            .with_message(message)
            .with_time(time::OffsetDateTime::now_utc().unix_timestamp()),
    );
    d.get_heads()
}

/// `POST /api/v1/cases/{id}/review`: records the supervisor's decision in the document's
/// `review` section, which syncs to every device holding the intake.
///
/// # Errors
/// 400 for a bad decision or message, 404 for an unknown intake.
pub async fn review_case<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    body: web::Json<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let doc = clinic_intake(&state.store, &who, &path).await?;
    let review = submit_review(&state, &who, doc, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "document_id": doc, "review": review })))
}

/// Validates and writes a review (the API's and the dashboard's).
pub(crate) async fn submit_review<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    doc: DocumentId,
    body: ReviewRequest,
) -> Result<Review, ApiError> {
    let store = &state.store;
    if !Review::DECISIONS.contains(&body.decision.as_str()) {
        return Err(ApiError::Validation(format!(
            "decision must be one of {}",
            Review::DECISIONS.join(", ")
        )));
    }
    let message = body
        .message
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    if body.decision == "needs_info" && message.is_none() {
        return Err(ApiError::Validation(
            "a needs_info review needs a message telling the volunteer what to collect".into(),
        ));
    }
    if message
        .as_ref()
        .is_some_and(|m| m.chars().count() > MESSAGE_MAX)
        || body.fields.len() > 100
        || body.fields.iter().any(|f| f.len() > 200)
    {
        return Err(ApiError::Validation(format!(
            "message is limited to {MESSAGE_MAX} characters and fields to 100 paths"
        )));
    }
    let reviewer_email = store
        .user(&who.user_id)
        .await
        .map_err(|e| store_failure(e, "Failed to read the reviewer"))?
        .email;
    let review = Review {
        decision: body.decision.clone(),
        message,
        fields: body.fields,
        reviewer: Some(reviewer_email),
        reviewed_at: rfc3339_millis(fieldclinic_domain::clock::now_millis()).unwrap_or_default(),
    };
    let written = review.clone();
    let (heads, actor) = state
        .hub
        .change_document(doc, move |d| -> anyhow::Result<_> {
            if let Err(e) = write_review(d, &written) {
                d.rollback();
                return Err(e.into());
            }
            let heads = commit(d, format!("fieldclinic: review {}", written.decision));
            Ok((heads, d.get_actor().clone()))
        })
        .await
        .map_err(hub_failure)?
        .map_err(|e| ApiError::Unexpected(e.context("Failed to write the review")))?;
    state.hub.policy().record_api_change(
        who,
        &doc,
        &heads,
        &actor,
        "case.reviewed",
        json!({ "decision": review.decision }),
    );
    Ok(review)
}

/// The body of `POST /api/v1/cases/{id}/conflicts/resolve`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub(crate) path: String,
    pub(crate) value_id: Option<String>,
    pub(crate) value: Option<Value>,
    pub(crate) seen_value_ids: Option<Vec<String>>,
}

/// `POST /api/v1/cases/{id}/conflicts/resolve`: writes the chosen (or entered) value of a
/// conflicted field as the server's change; the determination is re-evaluated in the same write.
///
/// # Errors
/// 400 for a malformed choice, 404 for an unknown intake, 409 when the field has no open
/// conflict or its values changed since `seen_value_ids` were read.
pub async fn resolve_case_conflict<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    body: web::Json<ResolveRequest>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    let doc = clinic_intake(&state.store, &who, &path).await?;
    let body = body.into_inner();
    let path = body.path.clone();
    let value = resolve(&state, &who, doc, body).await?;
    Ok(HttpResponse::Ok().json(json!({
        "document_id": doc,
        "path": path,
        "value": value,
    })))
}

/// Writes a conflict resolution (the API's and the dashboard's); returns the value written.
pub(crate) async fn resolve<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    doc: DocumentId,
    body: ResolveRequest,
) -> Result<Value, ApiError> {
    let choice = match (body.value_id, body.value) {
        (Some(id), None) => ConflictChoice::Value(id),
        (None, Some(value)) => ConflictChoice::Entered(value),
        _ => {
            return Err(ApiError::Validation(
                "give exactly one of value_id (one of the conflict's values) or value (a value \
                 entered instead)"
                    .into(),
            ));
        }
    };
    let field = body.path.clone();
    let seen = body.seen_value_ids;
    let outcome = state
        .hub
        .change_document(doc, move |d| {
            match resolve_conflict(d, &field, &choice, seen.as_deref()) {
                Ok(value) => {
                    let heads = commit(d, format!("fieldclinic: conflict resolved at {field}"));
                    Ok((value, heads, d.get_actor().clone()))
                }
                Err(e) => {
                    d.rollback();
                    Err(e)
                }
            }
        })
        .await
        .map_err(hub_failure)?;
    let (value, heads, actor) = outcome.map_err(|e| match e {
        ResolveError::NoConflict(_) | ResolveError::Stale(_) => ApiError::Conflict(e.to_string()),
        ResolveError::UnknownValue(..) | ResolveError::Unsupported(_) => {
            ApiError::Validation(e.to_string())
        }
        ResolveError::Automerge(e) => {
            ApiError::Unexpected(anyhow::Error::new(e).context("Failed to write the resolution"))
        }
    })?;
    state.hub.policy().record_api_change(
        who,
        &doc,
        &heads,
        &actor,
        "conflict.resolved",
        json!({ "path": body.path }),
    );
    Ok(value)
}

async fn build_packet<S: AppStore>(
    state: &AppState<S>,
    req: &HttpRequest,
    raw: &str,
) -> Result<packet::CertificatePacket, ApiError> {
    let who = reviewer(&state.store, req).await?;
    packet_for(state, &who, raw).await
}

/// The certificate packet of an eligible intake of the caller's clinic (the API's and the
/// dashboard's).
pub(crate) async fn packet_for<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    raw: &str,
) -> Result<packet::CertificatePacket, ApiError> {
    let store = &state.store;
    let doc = clinic_intake(store, who, raw).await?;
    let intake = with_document(store, doc, |d| read_intake(d).map_err(anyhow::Error::from))
        .await?
        .map_err(|e| ApiError::Unexpected(e.context("Unreadable intake")))?;
    let now = rfc3339_millis(fieldclinic_domain::clock::now_millis()).unwrap_or_default();
    let built = packet::build_packet(&doc.to_string(), &intake, &now).map_err(|e| match e {
        PacketError::NotEvaluated | PacketError::NotEligible { .. } => {
            ApiError::Conflict(format!("no certificate packet: {e}"))
        }
    })?;
    state
        .hub
        .policy()
        .entry(who, &doc, "packet.generated", json!({}));
    Ok(built)
}

/// `GET /api/v1/cases/{id}/packet`: the certificate application packet of an eligible case.
///
/// # Errors
/// 404 for an unknown intake, 409 when the case is not (yet) eligible.
pub async fn case_packet<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let built = build_packet(&state, &req, &path).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(built))
}

/// `GET /api/v1/cases/{id}/packet.html`: the same packet as a printable page.
///
/// # Errors
/// As [`case_packet`].
pub async fn case_packet_html<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let built = build_packet(&state, &req, &path).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(packet::render_html(&built)))
}

/// The filters of `GET /api/v1/duplicates`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateFilters {
    pub(crate) status: Option<String>,
    pub(crate) limit: Option<u32>,
}

/// `GET /api/v1/duplicates`: the clinic's duplicate-person candidates, best first, each with both
/// cases' summaries.
///
/// # Errors
/// 400 for a bad status.
pub async fn list_duplicates<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    filters: web::Query<DuplicateFilters>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    Ok(HttpResponse::Ok().json(duplicate_list(&state, &who, &filters).await?))
}

/// The duplicate candidates as JSON (what `GET /api/v1/duplicates` answers).
pub(crate) async fn duplicate_list<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    filters: &DuplicateFilters,
) -> Result<Value, ApiError> {
    let store = &state.store;
    let status = match filters.status.as_deref() {
        None => Some(DuplicateStatus::Open),
        Some("all") => None,
        Some(s) => Some(DuplicateStatus::parse(s).ok_or_else(|| {
            ApiError::Validation("status must be open, linked, dismissed or all".into())
        })?),
    };
    let limit = filters
        .limit
        .unwrap_or(DEFAULT_PAGE)
        .clamp(1, CASE_PAGE_MAX);
    let found = store
        .duplicates(&who.clinic_id, status, None, limit)
        .await
        .map_err(|e| store_failure(e, "Failed to list duplicate candidates"))?;
    let emails = emails(store, &who.clinic_id).await?;
    let mut items = Vec::with_capacity(found.len());
    for d in &found {
        let mut cases = Vec::new();
        for doc in [d.doc_a, d.doc_b] {
            let case = store
                .case(&doc)
                .await
                .map_err(|e| store_failure(e, "Failed to read a case"))?;
            cases.push(case);
        }
        let mut value = duplicate_json(d, &d.doc_a);
        value["cases"] = json!(
            cases
                .iter()
                .map(|c| c.as_ref().map(|c| item(c, &emails)))
                .collect::<Vec<_>>()
        );
        items.push(value);
    }
    Ok(json!({ "duplicates": items }))
}

/// The body of `POST /api/v1/duplicates/decision`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateDecision {
    pub(crate) documents: [String; 2],
    pub(crate) decision: String,
}

/// `POST /api/v1/duplicates/decision`: links two intakes as the same person (the link is written
/// into both documents' `server.same_person`, so it syncs to devices; nothing is merged or
/// deleted), or dismisses the pair as different people.
///
/// # Errors
/// 400 for a bad decision, 404 when the pair is not a candidate of the caller's clinic.
pub async fn decide_duplicate<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    body: web::Json<DuplicateDecision>,
) -> Result<HttpResponse, ApiError> {
    let who = reviewer(&state.store, &req).await?;
    Ok(HttpResponse::Ok().json(decide_pair(&state, &who, &body).await?))
}

/// Records a duplicate decision (the API's and the dashboard's), linking the documents when
/// they are the same person.
pub(crate) async fn decide_pair<S: AppStore>(
    state: &AppState<S>,
    who: &Principal,
    body: &DuplicateDecision,
) -> Result<Value, ApiError> {
    let store = &state.store;
    let status = match body.decision.as_str() {
        "linked" => DuplicateStatus::Linked,
        "dismissed" => DuplicateStatus::Dismissed,
        _ => {
            return Err(ApiError::Validation(
                "decision must be linked or dismissed".into(),
            ));
        }
    };
    let a = clinic_intake(store, who, &body.documents[0]).await?;
    let b = clinic_intake(store, who, &body.documents[1]).await?;
    let decided = store
        .decide_duplicate(
            &who.clinic_id,
            (a, b),
            status,
            &who.user_id,
            fieldclinic_domain::clock::now_millis(),
        )
        .await
        .map_err(|e| store_failure(e, "Failed to record the decision"))?;
    if status == DuplicateStatus::Linked {
        let by = store
            .user(&who.user_id)
            .await
            .map_err(|e| store_failure(e, "Failed to read the reviewer"))?
            .email;
        for (doc, other) in [(a, b), (b, a)] {
            let by = by.clone();
            let (heads, actor) = state
                .hub
                .change_document(doc, move |d| link_person(d, &other, &by))
                .await
                .map_err(hub_failure)?
                .map_err(|e| ApiError::Unexpected(e.context("Failed to write the link")))?;
            if !heads.is_empty() {
                state.hub.policy().record_api_change(
                    who,
                    &doc,
                    &heads,
                    &actor,
                    "person.linked",
                    json!({ "other": other }),
                );
            }
        }
    } else {
        state
            .hub
            .policy()
            .entry(who, &a, "duplicate.dismissed", json!({ "other": b }));
    }
    Ok(duplicate_json(&decided, &a))
}

/// Adds `other` to the document's `server.same_person` unless it is there; returns the new heads
/// (empty when nothing changed).
fn link_person(
    d: &mut AutoCommit,
    other: &DocumentId,
    by: &str,
) -> anyhow::Result<(Vec<automerge::ChangeHash>, automerge::ActorId)> {
    let intake = read_intake(d)?;
    let mut section = intake.server.unwrap_or_default();
    let url = other.url();
    if section.same_person.iter().any(|l| l.document_url == url) {
        return Ok((Vec::new(), d.get_actor().clone()));
    }
    section.same_person.push(fieldclinic_schema::PersonLink {
        document_url: url,
        linked_by: Some(by.to_owned()),
        linked_at: rfc3339_millis(fieldclinic_domain::clock::now_millis()).unwrap_or_default(),
    });
    if let Err(e) = fieldclinic_schema::write_server_section(d, &section) {
        d.rollback();
        return Err(e.into());
    }
    let heads = commit(d, "fieldclinic: same person linked".to_owned());
    Ok((heads, d.get_actor().clone()))
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
