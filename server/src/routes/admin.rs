use actix_web::{HttpRequest, HttpResponse, web};
use fieldclinic_schema::DocumentId;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{caller, reject_nul, rfc3339};
use crate::admin::{self, AdminError};
use crate::audit::AuditActor;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};
use fieldclinic_domain::Principal;
use fieldclinic_stores::accounts::{AuditQuery, DeviceId, Role};

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Invalid(m) => Self::Validation(m),
            AdminError::NotFound(_) => Self::NotFound,
            AdminError::EmailTaken => Self::Validation(e.to_string()),
            AdminError::Store(e) => {
                Self::Unexpected(anyhow::Error::new(e).context("Failed to administer"))
            }
            AdminError::Other(e) => Self::Unexpected(e),
        }
    }
}

async fn admin_caller<S: AppStore>(
    store: &S,
    req: &HttpRequest,
) -> Result<(Principal, AuditActor), ApiError> {
    let who = caller(store, req).await?;
    if who.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    let actor = AuditActor::user(&who.user_id, who.remote_addr.clone());
    Ok((who, actor))
}

/// `POST /api/v1/admin/clinics` body.
#[derive(Debug, Deserialize)]
pub struct NewClinicBody {
    name: String,
}

/// `POST /api/v1/admin/clinics`: `{"clinic_id"}`.
///
/// # Errors
/// 401 without an admin's credential; 403 for every clinic admin: a clinic admin manages one
/// clinic, and a new clinic is a decision for whoever runs the network. They create clinics
/// with `fieldclinic admin create-clinic` on the server.
pub async fn create_clinic<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    body: web::Json<NewClinicBody>,
) -> Result<HttpResponse, ApiError> {
    let (who, _) = admin_caller(&state.store, &req).await?;
    tracing::warn!(user.id = %who.user_id, clinic.name = %body.name, "a clinic admin tried to create a clinic");
    Ok(HttpResponse::Forbidden().json(serde_json::json!({
        "reason": "clinics are created by the network's operator with `fieldclinic admin create-clinic`"
    })))
}

/// `POST /api/v1/admin/users` body.
#[derive(Debug, Deserialize)]
pub struct NewUserBody {
    email: String,
    role: Role,
    password: SecretString,
}

/// `POST /api/v1/admin/users`: creates a user in the admin's clinic; `{"user_id"}`.
///
/// # Errors
/// 401/403 unless an admin calls; 400 on bad input (a NUL in the email, a password too short
/// or too long to sign in with) or a taken email.
pub async fn create_user<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    body: web::Json<NewUserBody>,
) -> Result<HttpResponse, ApiError> {
    let (who, actor) = admin_caller(&state.store, &req).await?;
    let NewUserBody {
        email,
        role,
        password,
    } = body.into_inner();
    reject_nul("email", &email)?;
    let user =
        admin::create_user(&state.store, who.clinic_id, &email, role, password, &actor).await?;
    Ok(HttpResponse::Created()
        .json(serde_json::json!({ "user_id": user.id, "index_url": user.index_doc.url() })))
}

/// `POST /api/v1/admin/devices` body.
#[derive(Debug, Deserialize)]
pub struct NewDeviceBody {
    user_email: String,
    #[serde(default)]
    name: String,
}

/// `POST /api/v1/admin/devices`: enrolls a device of a user of the admin's clinic;
/// `{"device_id", "token", "index_url"}` (the token is shown once).
///
/// # Errors
/// 401/403 unless an admin calls; 400 for a NUL in the email or name; 404 for a user of another
/// clinic.
pub async fn enroll_device<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    body: web::Json<NewDeviceBody>,
) -> Result<HttpResponse, ApiError> {
    let (who, actor) = admin_caller(&state.store, &req).await?;
    reject_nul("user_email", &body.user_email)?;
    reject_nul("name", &body.name)?;
    let e = admin::enroll_device(
        &state.store,
        who.clinic_id,
        &body.user_email,
        &body.name,
        &actor,
    )
    .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "device_id": e.device_id,
        "token": e.token.expose_secret(),
        "index_url": e.index_url,
    })))
}

/// `DELETE /api/v1/admin/devices/{id}`: revokes a device and closes its connections at once.
///
/// # Errors
/// 401/403 unless an admin calls; 404 for an unknown device or one of another clinic.
pub async fn revoke_device<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let store = &state.store;
    let (who, actor) = admin_caller(store, &req).await?;
    let id: DeviceId = path.into_inner().parse().map_err(|_| ApiError::NotFound)?;
    let device = admin::revoke_device(store, id, Some(who.clinic_id), &actor).await?;
    let closed = state.hub.close_connections(|p| p.device_id == Some(id));
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "device_id": device.id,
        "revoked_at": device.revoked_at_millis.map(rfc3339),
        "connections_closed": closed,
    })))
}

/// `GET /api/v1/admin/audit` filters.
#[derive(Debug, Deserialize)]
pub struct AuditParams {
    doc: Option<String>,
    actor: Option<String>,
    since: Option<i64>,
    before: Option<i64>,
    limit: Option<u32>,
}

/// `GET /api/v1/admin/audit?doc=&actor=&since=&before=&limit=`: the admin's clinic's audit log,
/// newest first (`since` in milliseconds since the epoch, `before` an entry id for paging).
///
/// # Errors
/// 401/403 unless an admin calls; 400 on a bad document ID or a NUL in `actor`.
pub async fn audit_log<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    let (who, _) = admin_caller(&state.store, &req).await?;
    let p = params.into_inner();
    if let Some(actor) = &p.actor {
        reject_nul("actor", actor)?;
    }
    let doc = p
        .doc
        .map(|d| {
            d.parse::<DocumentId>()
                .map_err(|_| ApiError::Validation("doc: not a document ID".into()))
        })
        .transpose()?;
    let entries = state
        .store
        .query_audit(&AuditQuery {
            clinic_id: Some(who.clinic_id),
            doc,
            actor_id: p.actor,
            since_millis: p.since,
            before_id: p.before,
            limit: p.limit.unwrap_or(100).min(1000),
        })
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to read the audit log"))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "entries": entries })))
}
