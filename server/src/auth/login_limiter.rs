use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per key (email and address) within `WINDOW`.
const MAX_FAILURES: usize = 5;
const WINDOW: Duration = Duration::from_secs(300);
/// Keys tracked at most; past this the oldest are forgotten, so a flood of random emails cannot
/// exhaust memory.
const MAX_KEYS: usize = 100_000;

/// Limits failed sign-in attempts per (email, address), in memory. Each server instance limits
/// on its own.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// A limiter with no history.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether another attempt for `key` is allowed now.
    #[must_use]
    pub fn allows(&self, key: &str) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(times) = map.get_mut(key) else {
            return true;
        };
        let now = Instant::now();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > WINDOW)
        {
            times.pop_front();
        }
        times.len() < MAX_FAILURES
    }

    /// Records a failed attempt.
    pub fn record_failure(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            let now = Instant::now();
            map.retain(|_, t| {
                t.back()
                    .is_some_and(|last| now.duration_since(*last) <= WINDOW)
            });
            if map.len() >= MAX_KEYS {
                map.clear();
            }
        }
        map.entry(key.to_owned())
            .or_default()
            .push_back(Instant::now());
    }

    /// Forgets the failures of `key` after a successful sign-in.
    pub fn record_success(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_within_the_window_is_refused() {
        let l = LoginLimiter::new();
        for _ in 0..MAX_FAILURES {
            assert!(l.allows("a@x|1.2.3.4"));
            l.record_failure("a@x|1.2.3.4");
        }
        assert!(!l.allows("a@x|1.2.3.4"));
        assert!(l.allows("b@x|1.2.3.4"));
        l.record_success("a@x|1.2.3.4");
        assert!(l.allows("a@x|1.2.3.4"));
    }
}
