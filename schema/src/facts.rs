//! The rules inputs of `RULES.md` section 5, as typed values.
//!
//! Every enum has an `Unknown` variant because `null` and `"unknown"` mean the same thing: an intake
//! in progress is normal, and the eligibility engine turns each unknown into a question to ask.

use serde::{Deserialize, Serialize};
use time::Date;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value as written in documents and in the rules vocabulary.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// Parses the vocabulary word; `None` for a word outside the vocabulary.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// Reads an optional word: missing, `null` or a word outside the vocabulary is `Unknown`.
            #[must_use]
            pub fn from_optional(s: Option<&str>) -> Self {
                s.and_then(Self::parse).unwrap_or(Self::Unknown)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Citizenship or immigration status at intake (`person.status_now`).
    StatusNow {
        /// A United States citizen.
        UsCitizen => "us_citizen",
        /// A lawful permanent resident (green card holder).
        Lpr => "lpr",
        /// Neither citizen nor LPR.
        Other => "other",
        /// Not known yet.
        Unknown => "unknown",
    }
}

vocabulary! {
    /// Status at the time of an offense (`status_at_offense`).
    StatusAtOffense {
        /// A United States citizen.
        UsCitizen => "us_citizen",
        /// A lawful permanent resident.
        Lpr => "lpr",
        /// Another lawful presence (visa or similar, as assessed at intake).
        LawfullyPresentOther => "lawfully_present_other",
        /// A non-citizen not lawfully present.
        NotLawfullyPresent => "not_lawfully_present",
        /// Not known yet.
        Unknown => "unknown",
    }
}

vocabulary! {
    /// The substance of an offense.
    Substance {
        /// Marijuana (volunteers map "marihuana" and "cannabis" here).
        Marijuana => "marijuana",
        /// Another controlled substance.
        Other => "other",
        /// Not known, or a cannabis form the rules have not settled (hashish, THC, synthetics).
        Unknown => "unknown",
    }
}

vocabulary! {
    /// What the person did.
    Conduct {
        /// Simple possession.
        Possession => "possession",
        /// Use.
        Use => "use",
        /// Attempted simple possession.
        AttemptedPossession => "attempted_possession",
        /// Conspiracy.
        Conspiracy => "conspiracy",
        /// Distribution.
        Distribution => "distribution",
        /// Possession with intent to distribute.
        PossessionWithIntent => "possession_with_intent",
        /// Driving under the influence.
        DrivingUnderInfluence => "driving_under_influence",
        /// Something else.
        Other => "other",
        /// Not known.
        Unknown => "unknown",
    }
}

vocabulary! {
    /// How the case ended, or where it stands.
    Disposition {
        /// Convicted.
        Convicted => "convicted",
        /// Charged.
        Charged => "charged",
        /// Pending.
        Pending => "pending",
        /// Arrested only.
        Arrested => "arrested",
        /// Never charged.
        NotCharged => "not_charged",
        /// Dismissed.
        Dismissed => "dismissed",
        /// Acquitted.
        Acquitted => "acquitted",
        /// Not known.
        Unknown => "unknown",
    }
}

vocabulary! {
    /// The court system whose law was applied.
    Jurisdiction {
        /// A U.S. District Court, magistrate and petty-offense dockets included.
        Federal => "federal",
        /// The Superior Court of the District of Columbia.
        DcSuperior => "dc_superior",
        /// A state court.
        State => "state",
        /// A local (city or county) court.
        Local => "local",
        /// A court-martial.
        Military => "military",
        /// A tribal court.
        Tribal => "tribal",
        /// Not known.
        Unknown => "unknown",
    }
}

/// When the person first became a citizen or LPR (`person.citizen_or_lpr_since`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CitizenOrLprSince {
    /// A birthright citizen.
    Birth,
    /// The date the person first became an LPR or a citizen, whichever came first.
    Date(Date),
}

impl CitizenOrLprSince {
    /// Parses `"birth"` or an ISO `YYYY-MM-DD` date.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        if s == "birth" {
            Some(Self::Birth)
        } else {
            parse_iso_date(s).map(Self::Date)
        }
    }
}

/// Parses a strict ISO `YYYY-MM-DD` calendar date.
#[must_use]
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    if s.len() != 10 {
        return None;
    }
    Date::parse(s, &format).ok()
}

/// Formats a date as ISO `YYYY-MM-DD`.
#[must_use]
pub fn format_iso_date(date: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format).unwrap_or_default()
}

/// The person-level rules inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    /// Status at intake.
    pub status_now: StatusNow,
    /// When citizen or LPR status began; `None` when unknown.
    pub citizen_or_lpr_since: Option<CitizenOrLprSince>,
    /// Default status at the time of every offense.
    pub status_at_offense: StatusAtOffense,
}

/// The rules inputs of one offense (one count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffenseFacts {
    /// The citation as written on the record; `None` when missing.
    pub citation: Option<String>,
    /// The substance.
    pub substance: Substance,
    /// The conduct.
    pub conduct: Conduct,
    /// The offense date; `None` when unknown.
    pub offense_date: Option<Date>,
    /// The disposition.
    pub disposition: Disposition,
    /// The date of the arrest, charge or conviction `disposition` refers to; an upper bound on the
    /// offense date.
    pub disposition_date: Option<Date>,
    /// The jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// Per-offense override of the person's `status_at_offense`; `Unknown` means no override.
    pub status_at_offense: StatusAtOffense,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_round_trips() {
        for c in Conduct::ALL {
            assert_eq!(Conduct::parse(c.as_str()), Some(*c));
        }
        for j in Jurisdiction::ALL {
            assert_eq!(Jurisdiction::parse(j.as_str()), Some(*j));
        }
    }

    #[test]
    fn a_word_outside_the_vocabulary_is_unknown() {
        assert_eq!(
            Substance::from_optional(Some("hashish")),
            Substance::Unknown
        );
        assert_eq!(Substance::from_optional(None), Substance::Unknown);
    }

    #[test]
    fn dates_are_strict_iso() {
        assert!(parse_iso_date("2022-10-06").is_some());
        assert!(parse_iso_date("2022-02-30").is_none());
        assert!(parse_iso_date("2022-1-06").is_none());
        assert!(parse_iso_date("06/10/2022").is_none());
        assert_eq!(
            CitizenOrLprSince::parse("birth"),
            Some(CitizenOrLprSince::Birth)
        );
    }
}
