//! Account rows as both backends return them (IDs as text, times as integers), converted into the
//! `accounts` domain types in one place.

use crate::accounts::{
    AuditEntry, ChangeAuthor, Clinic, Device, DocumentOwner, TicketOwner, TokenHash, User, UserId,
};
use crate::columns::{self, CorruptRow};

#[derive(Debug, sqlx::FromRow)]
pub(super) struct ClinicRow {
    id: String,
    name: String,
    created_at: i64,
}

impl TryFrom<ClinicRow> for Clinic {
    type Error = CorruptRow;

    fn try_from(row: ClinicRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: columns::uuid_id("clinics.id", &row.id)?,
            name: row.name,
            created_at_millis: row.created_at,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct UserRow {
    id: String,
    clinic_id: String,
    email: String,
    role: String,
    index_doc: Vec<u8>,
    created_at: i64,
    disabled_at: Option<i64>,
}

impl TryFrom<UserRow> for User {
    type Error = CorruptRow;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: columns::uuid_id("users.id", &row.id)?,
            clinic_id: columns::uuid_id("users.clinic_id", &row.clinic_id)?,
            email: row.email,
            role: columns::role(&row.role)?,
            disabled_at_millis: row.disabled_at,
            index_doc: columns::doc_id(&row.index_doc)?,
            created_at_millis: row.created_at,
        })
    }
}

/// A user with their password hash, for signing in.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct UserLoginRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

impl TryFrom<UserLoginRow> for (User, String) {
    type Error = CorruptRow;

    fn try_from(row: UserLoginRow) -> Result<Self, Self::Error> {
        Ok((User::try_from(row.user)?, row.password_hash))
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct DeviceRow {
    id: String,
    clinic_id: String,
    user_id: String,
    name: String,
    created_at: i64,
    revoked_at: Option<i64>,
    last_seen_at: Option<i64>,
}

impl TryFrom<DeviceRow> for Device {
    type Error = CorruptRow;

    fn try_from(row: DeviceRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: columns::uuid_id("devices.id", &row.id)?,
            clinic_id: columns::uuid_id("devices.clinic_id", &row.clinic_id)?,
            user_id: columns::uuid_id("devices.user_id", &row.user_id)?,
            name: row.name,
            created_at_millis: row.created_at,
            revoked_at_millis: row.revoked_at,
            last_seen_at_millis: row.last_seen_at,
        })
    }
}

/// A device joined with its user; the user's columns are prefixed `user_`.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct DeviceUserRow {
    #[sqlx(flatten)]
    device: DeviceRow,
    user_clinic_id: String,
    user_email: String,
    user_role: String,
    user_index_doc: Vec<u8>,
    user_created_at: i64,
    user_disabled_at: Option<i64>,
}

impl TryFrom<DeviceUserRow> for (Device, User) {
    type Error = CorruptRow;

    fn try_from(row: DeviceUserRow) -> Result<Self, Self::Error> {
        let device = Device::try_from(row.device)?;
        let user = User {
            id: device.user_id,
            clinic_id: columns::uuid_id("users.clinic_id", &row.user_clinic_id)?,
            email: row.user_email,
            role: columns::role(&row.user_role)?,
            disabled_at_millis: row.user_disabled_at,
            index_doc: columns::doc_id(&row.user_index_doc)?,
            created_at_millis: row.user_created_at,
        };
        Ok((device, user))
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct TicketOwnerRow {
    user_id: String,
    device_id: Option<String>,
    session_hash: Option<Vec<u8>>,
}

impl TryFrom<TicketOwnerRow> for TicketOwner {
    type Error = CorruptRow;

    fn try_from(row: TicketOwnerRow) -> Result<Self, Self::Error> {
        Ok(Self {
            user_id: columns::uuid_id("sync_tickets.user_id", &row.user_id)?,
            device_id: columns::optional_uuid_id(
                "sync_tickets.device_id",
                row.device_id.as_deref(),
            )?,
            session: row
                .session_hash
                .map(|h| {
                    <[u8; 32]>::try_from(h.as_slice())
                        .map(TokenHash)
                        .map_err(|_| CorruptRow::TokenHashLength(h.len()))
                })
                .transpose()?,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct DocumentOwnerRow {
    doc_id: Vec<u8>,
    clinic_id: String,
    kind: String,
    created_by_user: String,
    created_by_device: Option<String>,
    created_at: i64,
}

impl TryFrom<DocumentOwnerRow> for DocumentOwner {
    type Error = CorruptRow;

    fn try_from(row: DocumentOwnerRow) -> Result<Self, Self::Error> {
        Ok(Self {
            doc: columns::doc_id(&row.doc_id)?,
            clinic_id: columns::uuid_id("document_owners.clinic_id", &row.clinic_id)?,
            kind: columns::owned_kind(&row.kind)?,
            created_by_user: columns::uuid_id(
                "document_owners.created_by_user",
                &row.created_by_user,
            )?,
            created_by_device: columns::optional_uuid_id(
                "document_owners.created_by_device",
                row.created_by_device.as_deref(),
            )?,
            created_at_millis: row.created_at,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct UserIdRow {
    user_id: String,
}

impl TryFrom<UserIdRow> for UserId {
    type Error = CorruptRow;

    fn try_from(row: UserIdRow) -> Result<Self, Self::Error> {
        columns::uuid_id("user_id", &row.user_id)
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct AuditRow {
    id: i64,
    at: i64,
    clinic_id: Option<String>,
    actor_kind: String,
    actor_id: String,
    doc_id: Option<Vec<u8>>,
    action: String,
    detail: String,
    remote_addr: Option<String>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = CorruptRow;

    fn try_from(row: AuditRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: row.id,
            at_millis: row.at,
            clinic_id: columns::optional_uuid_id("audit_log.clinic_id", row.clinic_id.as_deref())?,
            actor_kind: row.actor_kind,
            actor_id: row.actor_id,
            doc: columns::optional_doc_id(row.doc_id.as_deref())?,
            action: row.action,
            detail: columns::detail_from_text(&row.detail)?,
            remote_addr: row.remote_addr,
        })
    }
}

#[derive(Debug, sqlx::FromRow)]
pub(super) struct ChangeAuthorRow {
    doc_id: Vec<u8>,
    change_hash: String,
    actor_id: String,
    device_id: Option<String>,
    user_id: Option<String>,
    at: i64,
}

impl TryFrom<ChangeAuthorRow> for ChangeAuthor {
    type Error = CorruptRow;

    fn try_from(row: ChangeAuthorRow) -> Result<Self, Self::Error> {
        Ok(Self {
            doc: columns::doc_id(&row.doc_id)?,
            change_hash: row.change_hash,
            actor_id: row.actor_id,
            device_id: columns::optional_uuid_id(
                "change_authors.device_id",
                row.device_id.as_deref(),
            )?,
            user_id: columns::optional_uuid_id("change_authors.user_id", row.user_id.as_deref())?,
            at_millis: row.at,
        })
    }
}
