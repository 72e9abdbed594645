use serde::{Deserialize, Serialize};

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
