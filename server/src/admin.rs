//! Clinic, user and device administration, shared by the command line and the admin API.

use automerge::{AutoCommit, ROOT, transaction::Transactable};
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{Chunk, ChunkKind, DocumentWrite, Store, StoreError, heads_hash};
use secrecy::SecretString;

use crate::audit::AuditActor;
use crate::auth::{TokenKind, hash_password, new_token};
use fieldclinic_domain::clock::now_millis;
use fieldclinic_stores::accounts::{
    AccountStore, Clinic, ClinicId, Device, DeviceId, DocumentOwner, NewDevice, NewUser, OwnedKind,
    Role, TicketOwner, User,
};

/// Shortest password accepted; long passphrases beat complexity rules.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why an administrative operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Bad input; the text says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// The named clinic, user or device does not exist (or is not in the caller's clinic).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The email is taken.
    #[error("a user with this email already exists")]
    EmailTaken,
    /// The store failed.
    #[error("storage failure")]
    Store(#[source] StoreError),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// A device's enrollment: the token is shown once and never stored.
#[derive(Debug)]
pub struct Enrollment {
    /// The device.
    pub device_id: DeviceId,
    /// Its bearer token.
    pub token: SecretString,
    /// The `automerge:` URL of the user's index document.
    pub index_url: String,
}

fn store_err(e: StoreError, what: &'static str) -> AdminError {
    match e {
        StoreError::NotFound => AdminError::NotFound(what),
        e => AdminError::Store(e),
    }
}

async fn audit<S: AccountStore>(
    store: &S,
    actor: &AuditActor,
    clinic: Option<ClinicId>,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), AdminError> {
    let mut entry = actor.did(action).detail(detail);
    if let Some(clinic) = clinic {
        entry = entry.clinic(clinic);
    }
    // Stored before the operation is answered: an administrative action is never unrecorded.
    store
        .append_audit(&[entry.build()])
        .await
        .map_err(AdminError::Store)
}

/// Creates a clinic.
///
/// # Errors
/// When the name is empty or the store fails.
pub async fn create_clinic<S: AccountStore>(
    store: &S,
    name: &str,
    actor: &AuditActor,
) -> Result<Clinic, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(AdminError::Invalid(
            "a clinic name is 1 to 200 characters".into(),
        ));
    }
    let clinic = store
        .create_clinic(name, now_millis())
        .await
        .map_err(AdminError::Store)?;
    audit(
        store,
        actor,
        Some(clinic.id),
        "clinic.created",
        serde_json::json!({ "name": name }),
    )
    .await?;
    Ok(clinic)
}

/// Creates a user with an index document listing the intakes they may open.
///
/// # Errors
/// When the clinic is unknown, the email invalid or taken, the password too short, or the store
/// fails.
pub async fn create_user<S: AccountStore + Store>(
    store: &S,
    clinic_id: ClinicId,
    email: &str,
    role: Role,
    password: SecretString,
    actor: &AuditActor,
) -> Result<User, AdminError> {
    let email = email.trim().to_lowercase();
    if email.len() > 254 || !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(AdminError::Invalid("not an email address".into()));
    }
    if email.contains('\0') {
        return Err(AdminError::Invalid("not an email address".into()));
    }
    let chars = secrecy::ExposeSecret::expose_secret(&password)
        .chars()
        .count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AdminError::Invalid(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    // Sign-in refuses longer passwords unread, so such an account could never sign in.
    let max = crate::auth::MAX_PASSWORD_CHARS;
    if chars > max {
        return Err(AdminError::Invalid(format!(
            "a password has at most {max} characters"
        )));
    }
    store
        .clinic(&clinic_id)
        .await
        .map_err(|e| store_err(e, "clinic"))?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AdminError::Other(e.into()))??;
    let index_doc = DocumentId::random();
    let user = store
        .create_user(&NewUser {
            clinic_id,
            email: email.clone(),
            role,
            password_hash: hash,
            index_doc,
            at_millis: now_millis(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AdminError::EmailTaken,
            e => AdminError::Store(e),
        })?;
    create_index_document(store, &user).await?;
    audit(
        store,
        actor,
        Some(clinic_id),
        "user.created",
        serde_json::json!({ "user_id": user.id, "email": email, "role": role.as_str() }),
    )
    .await?;
    Ok(user)
}

/// Writes the user's empty index document and claims it for them, so their devices can open it
/// by URL from the start.
async fn create_index_document<S: AccountStore + Store>(
    store: &S,
    user: &User,
) -> Result<(), AdminError> {
    store
        .claim_document(&DocumentOwner {
            doc: user.index_doc,
            clinic_id: user.clinic_id,
            kind: OwnedKind::Index,
            created_by_user: user.id,
            created_by_device: None,
            created_at_millis: now_millis(),
        })
        .await
        .map_err(AdminError::Store)?;
    let user_id = user.id.to_string();
    let (data, heads) =
        tokio::task::spawn_blocking(move || -> Result<_, automerge::AutomergeError> {
            let mut doc = AutoCommit::new();
            doc.put(ROOT, "kind", "index")?;
            doc.put(ROOT, "schema_version", 1_i64)?;
            doc.put(ROOT, "user_id", user_id)?;
            doc.put_object(ROOT, "intakes", automerge::ObjType::Map)?;
            let heads = doc.get_heads();
            Ok((doc.save(), heads))
        })
        .await
        .map_err(|e| AdminError::Other(e.into()))?
        .map_err(|e| AdminError::Other(e.into()))?;
    store
        .append_changes(&[DocumentWrite {
            doc: user.index_doc,
            chunks: vec![Chunk {
                kind: ChunkKind::Snapshot,
                hash: heads_hash(&heads),
                data,
            }],
            heads: heads.iter().map(ToString::to_string).collect(),
            at_millis: now_millis(),
        }])
        .await
        .map_err(AdminError::Store)
}

/// Enrolls a device for a user of the clinic and returns its token (shown once).
///
/// # Errors
/// When the user is unknown or not in the clinic, or the store fails.
pub async fn enroll_device<S: AccountStore>(
    store: &S,
    clinic_id: ClinicId,
    email: &str,
    name: &str,
    actor: &AuditActor,
) -> Result<Enrollment, AdminError> {
    let (user, _) = store
        .user_by_email(&email.trim().to_lowercase())
        .await
        .map_err(|e| store_err(e, "user"))?;
    if user.clinic_id != clinic_id {
        return Err(AdminError::NotFound("user"));
    }
    let name = if name.trim().is_empty() {
        "device"
    } else {
        name.trim()
    };
    let (token, token_hash) = new_token(TokenKind::Device);
    let device = store
        .create_device(&NewDevice {
            clinic_id,
            user_id: user.id,
            name: name.to_owned(),
            token_hash,
            at_millis: now_millis(),
        })
        .await
        .map_err(AdminError::Store)?;
    audit(
        store,
        actor,
        Some(clinic_id),
        "device.enrolled",
        serde_json::json!({ "device_id": device.id, "user_id": user.id, "name": name }),
    )
    .await?;
    Ok(Enrollment {
        device_id: device.id,
        token,
        index_url: user.index_doc.url(),
    })
}

/// Revokes a device. `clinic` limits it to one clinic (the admin API); the command line passes
/// `None`.
///
/// # Errors
/// When the device is unknown (or in another clinic) or the store fails.
pub async fn revoke_device<S: AccountStore>(
    store: &S,
    device_id: DeviceId,
    clinic: Option<ClinicId>,
    actor: &AuditActor,
) -> Result<Device, AdminError> {
    let device = store
        .device(&device_id)
        .await
        .map_err(|e| store_err(e, "device"))?;
    if clinic.is_some_and(|c| c != device.clinic_id) {
        return Err(AdminError::NotFound("device"));
    }
    let device = store
        .revoke_device(&device_id, now_millis())
        .await
        .map_err(|e| store_err(e, "device"))?;
    audit(
        store,
        actor,
        Some(device.clinic_id),
        "device.revoked",
        serde_json::json!({ "device_id": device_id }),
    )
    .await?;
    Ok(device)
}

/// Returns the user with `email`, creating the clinic and the user (with a random password
/// nobody knows) when missing: for tools that need a principal on a database they set up
/// themselves, such as the load tester's private server.
///
/// # Errors
/// When the store fails.
pub async fn ensure_account<S: AccountStore + Store>(
    store: &S,
    clinic_name: &str,
    email: &str,
    role: Role,
) -> Result<User, AdminError> {
    match store.user_by_email(&email.trim().to_lowercase()).await {
        Ok((user, _)) => return Ok(user),
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(AdminError::Store(e)),
    }
    let clinic = create_clinic(store, clinic_name, &AuditActor::cli()).await?;
    let (password, _) = new_token(TokenKind::Session);
    create_user(store, clinic.id, email, role, password, &AuditActor::cli()).await
}

/// Issues a sync ticket for a user (and device) valid for `ttl_millis`, directly in the store.
///
/// # Errors
/// When the store fails.
pub async fn issue_ticket<S: AccountStore>(
    store: &S,
    owner: TicketOwner,
    ttl_millis: i64,
) -> Result<SecretString, AdminError> {
    let (ticket, hash) = new_token(TokenKind::Ticket);
    store
        .create_ticket(&hash, &owner, now_millis() + ttl_millis)
        .await
        .map_err(AdminError::Store)?;
    Ok(ticket)
}
