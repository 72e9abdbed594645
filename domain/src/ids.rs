use std::fmt;
use std::str::FromStr;

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
