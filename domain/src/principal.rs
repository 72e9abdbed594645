use crate::{ClinicId, DeviceId, Role, TokenHash, UserId};

/// Who is on the other end of a request or a sync connection, as authenticated.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user.
    pub user_id: UserId,
    /// The user's clinic.
    pub clinic_id: ClinicId,
    /// The user's role.
    pub role: Role,
    /// The device, when a device token (or a ticket it obtained) authenticated.
    pub device_id: Option<DeviceId>,
    /// The sign-in session, when a session token (or a ticket it obtained) authenticated: what
    /// signing out ends.
    pub session: Option<TokenHash>,
    /// The peer's address, for the audit log.
    pub remote_addr: Option<String>,
}

impl Principal {
    /// Whether the principal reaches every intake of its clinic.
    #[must_use]
    pub fn sees_whole_clinic(&self) -> bool {
        matches!(self.role, Role::Supervisor | Role::Admin)
    }

    /// The actor kind and ID recorded in the audit log.
    #[must_use]
    pub fn audit_actor(&self) -> (&'static str, String) {
        match self.device_id {
            Some(d) => ("device", d.to_string()),
            None => ("user", self.user_id.to_string()),
        }
    }
}

/// Two connections are the same principal when the same user on the same device opened them;
/// the address may change between reconnects.
impl PartialEq for Principal {
    fn eq(&self, other: &Self) -> bool {
        self.user_id == other.user_id && self.device_id == other.device_id
    }
}
