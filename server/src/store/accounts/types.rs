use std::fmt;
use std::str::FromStr;

use fieldclinic_schema::DocumentId;
use serde::{Deserialize, Serialize};

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A fresh random ID.
            #[must_use]
            pub fn random() -> Self {
                Self(uuid::Uuid::new_v4())
            }

            /// The UUID.
            #[must_use]
            pub fn as_uuid(&self) -> &uuid::Uuid {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A clinic.
    ClinicId
);
uuid_id!(
    /// A person with an account.
    UserId
);
uuid_id!(
    /// An enrolled phone or tablet.
    DeviceId
);

/// What a user may do in their clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Records intakes; reaches the intakes they created or were assigned.
    Volunteer,
    /// Reviews every intake of the clinic.
    Supervisor,
    /// Manages users and devices; reaches every intake of the clinic, like a supervisor.
    Admin,
}

impl Role {
    /// The stored word.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Volunteer => "volunteer",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    /// Parses the stored word.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "volunteer" => Some(Self::Volunteer),
            "supervisor" => Some(Self::Supervisor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// The SHA-256 of a bearer token, session token or sync ticket. Tokens carry 256 random bits,
/// so a fast hash suffices (unlike passwords); the database never holds a usable secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

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
    /// Whether there is nothing in it.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty() && self.sessions.is_empty() && self.users.is_empty()
    }
}

/// What kind of document an ownership row protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnedKind {
    /// A client intake written by devices.
    Intake,
    /// A user's index document, written only by the server and read only by that user.
    Index,
}

impl OwnedKind {
    /// The stored word.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::Index => "index",
        }
    }

    /// Parses the stored word.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "intake" => Some(Self::Intake),
            "index" => Some(Self::Index),
            _ => None,
        }
    }
}

/// Which clinic a document belongs to and who created it; fixed at the first write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOwner {
    /// The document.
    pub doc: DocumentId,
    /// Its clinic.
    pub clinic_id: ClinicId,
    /// Intake or index.
    pub kind: OwnedKind,
    /// The user whose device (or session) created it.
    pub created_by_user: UserId,
    /// The device that created it, if a device did.
    pub created_by_device: Option<DeviceId>,
    /// Milliseconds since the Unix epoch.
    pub created_at_millis: i64,
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

/// Who wrote one Automerge change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeAuthor {
    /// The document.
    pub doc: DocumentId,
    /// Hex change hash.
    pub change_hash: String,
    /// Hex Automerge actor ID of the change.
    pub actor_id: String,
    /// The device that sent it (none for server-authored changes).
    pub device_id: Option<DeviceId>,
    /// The user that device (or session) belongs to.
    pub user_id: Option<UserId>,
    /// When the server accepted it, milliseconds since the Unix epoch.
    pub at_millis: i64,
}
