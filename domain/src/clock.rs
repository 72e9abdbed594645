//! The server's one clock and its time formats. Stored times are milliseconds since the Unix
//! epoch; people and the API see RFC 3339 in UTC.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Milliseconds since the Unix epoch (0 if the clock is before 1970).
#[must_use]
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Now, as RFC 3339.
#[must_use]
pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Now in whole seconds since the Unix epoch: the time Automerge records on a change.
#[must_use]
pub fn now_seconds() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// RFC 3339 of a millisecond timestamp; `None` when out of range.
#[must_use]
pub fn rfc3339_millis(millis: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
}

/// RFC 3339 of an Automerge change time. Automerge records seconds, but JS devices write
/// milliseconds; the two are told apart by size. `None` for 0 (no time recorded).
#[must_use]
pub fn rfc3339_change_time(timestamp: i64) -> Option<String> {
    if timestamp == 0 {
        return None;
    }
    // Seconds since 1970 stay below 10^11 until the year 5138.
    let millis = if timestamp.abs() < 100_000_000_000 {
        timestamp.saturating_mul(1000)
    } else {
        timestamp
    };
    rfc3339_millis(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millisecond_times_format_in_utc() {
        assert_eq!(
            rfc3339_millis(1_700_000_000_123).as_deref(),
            Some("2023-11-14T22:13:20.123Z")
        );
    }

    #[test]
    fn change_times_in_seconds_and_in_milliseconds_read_alike() {
        assert_eq!(
            rfc3339_change_time(1_700_000_000),
            rfc3339_change_time(1_700_000_000_000)
        );
        assert_eq!(rfc3339_change_time(0), None);
    }

    #[test]
    fn the_clock_is_after_2020() {
        assert!(now_millis() > 1_577_836_800_000);
    }
}
