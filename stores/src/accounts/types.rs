use fieldclinic_domain::Principal;
pub use fieldclinic_domain::{
    ChangeAuthor, ClinicId, DeviceId, DocumentOwner, OwnedKind, Role, TokenHash, UserId,
};
use fieldclinic_schema::DocumentId;
use serde::Serialize;

/// A clinic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clinic {
    /// Its ID.
    pub id: ClinicId,
    /// Its display name.
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at_millis: i64,
}

/// A new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The user's clinic.
    pub clinic_id: ClinicId,
    /// Sign-in name; stored lower-cased.
    pub email: String,
    /// The role.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// The user's index document (server-written list of the intakes they may open).
    pub index_doc: DocumentId,
    /// Milliseconds since the Unix epoch.
    pub at_millis: i64,
}

/// A user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Its ID.
    pub id: UserId,
    /// Its clinic.
    pub clinic_id: ClinicId,
    /// Sign-in name (lower-cased).
    pub email: String,
    /// The role.
    pub role: Role,
    /// When the account was disabled, if it was.
    pub disabled_at_millis: Option<i64>,
    /// The user's index document.
    pub index_doc: DocumentId,
    /// Milliseconds since the Unix epoch.
    pub created_at_millis: i64,
}

/// A device to enroll.
#[derive(Debug, Clone)]
pub struct NewDevice {
    /// The device's clinic (the user's).
    pub clinic_id: ClinicId,
    /// Whose device it is.
    pub user_id: UserId,
    /// A label such as "Tablet 3".
    pub name: String,
    /// The hash of its bearer token.
    pub token_hash: TokenHash,
    /// Milliseconds since the Unix epoch.
    pub at_millis: i64,
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    /// Its ID.
    pub id: DeviceId,
    /// Its clinic.
    pub clinic_id: ClinicId,
    /// Whose device it is.
    pub user_id: UserId,
    /// Its label.
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub created_at_millis: i64,
    /// When it was revoked, if it was.
    pub revoked_at_millis: Option<i64>,
    /// When it last connected.
    pub last_seen_at_millis: Option<i64>,
}

/// Who a sync ticket was issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketOwner {
    /// The user.
    pub user_id: UserId,
    /// The device, when a device token asked for the ticket.
    pub device_id: Option<DeviceId>,
    /// The sign-in session that asked for the ticket: the ticket ends with it.
    pub session: Option<TokenHash>,
}

/// Credentials of open connections to check again: a device, a session, a user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// Devices: invalid once revoked or their user disabled.
    pub devices: Vec<DeviceId>,
    /// Sessions: invalid once signed out, expired or their user disabled.
    pub sessions: Vec<TokenHash>,
    /// Users: invalid once disabled.
    pub users: Vec<UserId>,
}

impl Credentials {
    /// The credentials behind some principals, for checking them again in one go.
    #[must_use]
    pub fn of(principals: &[Principal]) -> Self {
        let mut c = Self::default();
        for p in principals {
            if let Some(d) = p.device_id {
                c.devices.push(d);
            } else if let Some(s) = p.session {
                c.sessions.push(s);
            } else {
                c.users.push(p.user_id);
            }
        }
        c.devices.sort_unstable();
        c.devices.dedup();
        c.users.sort_unstable();
        c.users.dedup();
        c
    }

    /// Whether `principal` rests on one of these credentials.
    #[must_use]
    pub fn covers(&self, principal: &Principal) -> bool {
        match (principal.device_id, principal.session) {
            (Some(d), _) => self.devices.contains(&d),
            (None, Some(s)) => self.sessions.contains(&s),
            (None, None) => self.users.contains(&principal.user_id),
        }
    }

    /// Whether there is nothing in it.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty() && self.sessions.is_empty() && self.users.is_empty()
    }
}

/// An audit entry to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// Milliseconds since the Unix epoch.
    pub at_millis: i64,
    /// The clinic concerned, if any.
    pub clinic_id: Option<ClinicId>,
    /// `user`, `device`, `server` or `cli`.
    pub actor_kind: String,
    /// The user or device ID (empty for server and cli).
    pub actor_id: String,
    /// The document concerned, if any.
    pub doc: Option<DocumentId>,
    /// What happened, e.g. `document.changed`, `device.revoked`, `session.created`,
    /// `changes.refused`.
    pub action: String,
    /// Details as JSON (change hashes, reasons); never secrets.
    pub detail: serde_json::Value,
    /// The peer's address, when known.
    pub remote_addr: Option<String>,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Increasing sequence number.
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    pub at_millis: i64,
    /// The clinic concerned.
    pub clinic_id: Option<ClinicId>,
    /// `user`, `device`, `server` or `cli`.
    pub actor_kind: String,
    /// The user or device ID.
    pub actor_id: String,
    /// The document concerned.
    pub doc: Option<DocumentId>,
    /// What happened.
    pub action: String,
    /// Details.
    pub detail: serde_json::Value,
    /// The peer's address.
    pub remote_addr: Option<String>,
}

/// Filters for reading the audit log. Every filter is optional; `limit` caps the page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only this clinic.
    pub clinic_id: Option<ClinicId>,
    /// Only this document.
    pub doc: Option<DocumentId>,
    /// Only this actor (user or device ID).
    pub actor_id: Option<String>,
    /// Only entries at or after this time.
    pub since_millis: Option<i64>,
    /// Only entries with a smaller `id` (paging backwards).
    pub before_id: Option<i64>,
    /// At most this many (capped at 1000).
    pub limit: u32,
}
