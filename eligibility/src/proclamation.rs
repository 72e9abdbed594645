//! The two proclamations and their cut-off dates.

use serde::{Serialize, Serializer};
use time::{Date, macros::date};

/// A pardon proclamation (`RULES.md` section 2). Serialised as its number, `"10467"` or
/// `"10688"`; ordered by date, which is the order results list them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Proclamation {
    /// Proclamation 10467 of October 6, 2022: simple possession (21 U.S.C. 844, D.C. Code
    /// 48-904.01(d)(1)).
    P10467,
    /// Proclamation 10688 of December 22, 2023: adds attempt (21 U.S.C. 846, D.C. Code 48-904.09),
    /// use, and CFR provisions.
    P10688,
}

impl Proclamation {
    /// Both proclamations, in date order.
    pub const ALL: [Self; 2] = [Self::P10467, Self::P10688];

    /// The proclamation number as a string.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::P10467 => "10467",
            Self::P10688 => "10688",
        }
    }

    /// The date the proclamation was signed, in words (`"October 6, 2022"`), for text shown to
    /// people.
    #[must_use]
    pub const fn signed_on(self) -> &'static str {
        match self {
            Self::P10467 => "October 6, 2022",
            Self::P10688 => "December 22, 2023",
        }
    }

    /// The last day (inclusive) on which a covered offense may have been committed, and on which
    /// the person must have been a citizen or LPR: the date the proclamation was signed.
    #[must_use]
    pub const fn cutoff(self) -> Date {
        match self {
            Self::P10467 => date!(2022 - 10 - 06),
            Self::P10688 => date!(2023 - 12 - 22),
        }
    }
}

impl std::fmt::Display for Proclamation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Proclamation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
