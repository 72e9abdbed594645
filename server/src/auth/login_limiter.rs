use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use lru::LruCache;
use secrecy::SecretString;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::verify_password;

/// Sign-in attempts allowed within `WINDOW` for one account from one address.
const PER_ACCOUNT_AND_ADDRESS: usize = 5;
/// For one account from every address together: a password guessed from many addresses.
const PER_ACCOUNT: usize = 20;
/// From one address for every account together: a sweep of many accounts.
const PER_ADDRESS: usize = 50;
const WINDOW: Duration = Duration::from_secs(300);
/// Keys tracked at most. Past this the least recently used key is forgotten, one at a time, so a
/// flood of random emails costs bounded memory without wiping everyone's history at once.
const MAX_KEYS: usize = 100_000;
/// Password verifications that may wait for a free verifier; beyond, the server answers 503 at
/// once. Waiting costs a few bytes; verifying costs argon2's 19 MiB.
const MAX_WAITING: usize = 32;

/// Why a sign-in was not attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Too many recent attempts for this account or address; try again after this long.
    Limited(Duration),
    /// Every password verifier is busy and the queue is full; try again in a moment.
    Busy,
}

/// Limits sign-in attempts per (account, address), per account and per address, and bounds the
/// number of password verifications running at once. In memory: each server instance limits on
/// its own.
///
/// Passwords are verified on a few threads of its own, not on the blocking pool: argon2 takes
/// 19 MiB per verification, and the allocator keeps what each thread used for that thread's next
/// use, so verifications spread over the blocking pool's many threads leave hundreds of MiB held
/// after a burst. On a fixed set of threads the memory held is bounded by their number.
///
/// An attempt counts *before* its password is verified: however many arrive at once, no more
/// are verified than the limit allows. A successful sign-in takes its own attempt back and
/// clears its (account, address) history.
#[derive(Debug)]
pub struct LoginLimiter {
    attempts: Mutex<LruCache<String, VecDeque<Instant>>>,
    verifiers: Arc<Semaphore>,
    waiting: AtomicUsize,
    pool: std::sync::mpsc::SyncSender<Job>,
}

type Job = Box<dyn FnOnce() + Send>;

/// An attempt that was counted; hand it back with [`LoginLimiter::succeeded`].
#[derive(Debug)]
pub struct Attempt {
    keys: [String; 3],
    at: Instant,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl LoginLimiter {
    /// A limiter with no history, verifying as many passwords at once as there are cores.
    #[must_use]
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, NonZeroUsize::get);
        Self::with_verifiers(cores)
    }

    /// A limiter verifying at most `verifiers` passwords at once.
    #[must_use]
    pub fn with_verifiers(verifiers: usize) -> Self {
        let verifiers = verifiers.max(1);
        let capacity = NonZeroUsize::new(MAX_KEYS).unwrap_or(NonZeroUsize::MIN);
        // As many queued jobs as verifiers: the semaphore lets no more in.
        let (pool, jobs) = std::sync::mpsc::sync_channel::<Job>(verifiers);
        let jobs = Arc::new(Mutex::new(jobs));
        for i in 0..verifiers {
            let jobs = Arc::clone(&jobs);
            let spawned = std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || {
                    loop {
                        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        // The limiter is gone: so is every sender.
                        let Ok(job) = job else { return };
                        job();
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error.message = %e, "could not start a password verifier thread");
            }
        }
        Self {
            attempts: Mutex::new(LruCache::new(capacity)),
            verifiers: Arc::new(Semaphore::new(verifiers)),
            waiting: AtomicUsize::new(0),
            pool,
        }
    }

    /// Whether `password` matches the stored PHC string, verified on one of the limiter's own
    /// threads once one is free.
    ///
    /// # Errors
    /// `Refused::Busy` when too many verifications wait already (or no verifier thread runs).
    pub async fn verify(&self, stored: String, password: SecretString) -> Result<bool, Refused> {
        let _permit = self.verifier().await?;
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller may have gone (a closed connection); nothing waits for the answer then.
            let _ = tx.send(verify_password(&stored, &password));
        });
        self.pool.try_send(job).map_err(|_| Refused::Busy)?;
        rx.await.map_err(|_| Refused::Busy)
    }

    /// Counts an attempt for `email` from `address`, or says why not. Checking and counting
    /// happen under one lock, so concurrent attempts cannot all pass the check first.
    ///
    /// # Errors
    /// `Refused::Limited` when any of the three limits is reached.
    pub fn begin(&self, email: &str, address: &str) -> Result<Attempt, Refused> {
        let keys = [
            format!("a:{email}|{address}"),
            format!("a:{email}"),
            format!("i:{address}"),
        ];
        let limits = [PER_ACCOUNT_AND_ADDRESS, PER_ACCOUNT, PER_ADDRESS];
        let now = Instant::now();
        let mut map = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait = Duration::ZERO;
        for (key, limit) in keys.iter().zip(limits) {
            if let Some(times) = map.get_mut(key) {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= WINDOW)
                {
                    times.pop_front();
                }
                if times.len() >= limit
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max(WINDOW.saturating_sub(now.duration_since(*oldest)));
                }
            }
        }
        if !wait.is_zero() {
            return Err(Refused::Limited(wait));
        }
        for key in &keys {
            match map.get_mut(key) {
                Some(times) => times.push_back(now),
                None => {
                    map.push(key.clone(), VecDeque::from([now]));
                }
            }
        }
        Ok(Attempt { keys, at: now })
    }

    /// The attempt signed in: it no longer counts, and its account's history from that address
    /// is cleared.
    pub fn succeeded(&self, attempt: &Attempt) {
        let mut map = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        map.pop(&attempt.keys[0]);
        for key in &attempt.keys[1..] {
            if let Some(times) = map.get_mut(key)
                && let Some(i) = times.iter().position(|t| *t == attempt.at)
            {
                times.remove(i);
            }
        }
    }

    /// Waits for a free password verifier, unless too many are waiting already. The verifier
    /// is held until the permit is dropped.
    ///
    /// # Errors
    /// `Refused::Busy` when the queue is full.
    async fn verifier(&self) -> Result<OwnedSemaphorePermit, Refused> {
        if let Ok(p) = Arc::clone(&self.verifiers).try_acquire_owned() {
            return Ok(p);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Refused::Busy);
        }
        let permit = Arc::clone(&self.verifiers).acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        // The semaphore is never closed.
        permit.map_err(|_| Refused::Busy)
    }

    /// How many keys are tracked (for tests of the bound).
    #[must_use]
    pub fn tracked_keys(&self) -> usize {
        self.attempts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_within_the_window_is_refused() {
        let l = LoginLimiter::new();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            assert!(l.begin("a@x", "1.2.3.4").is_ok());
        }
        assert!(matches!(
            l.begin("a@x", "1.2.3.4"),
            Err(Refused::Limited(d)) if d > Duration::ZERO && d <= WINDOW
        ));
        assert!(l.begin("b@x", "1.2.3.4").is_ok());
        assert!(l.begin("a@x", "5.6.7.8").is_ok());
    }

    #[test]
    fn a_success_takes_its_attempt_back_and_clears_the_address_history() {
        let l = LoginLimiter::new();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS - 1 {
            l.begin("a@x", "1.2.3.4").unwrap();
        }
        let ok = l.begin("a@x", "1.2.3.4").unwrap();
        l.succeeded(&ok);
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            assert!(l.begin("a@x", "1.2.3.4").is_ok());
        }
    }

    #[test]
    fn one_account_is_limited_across_addresses() {
        let l = LoginLimiter::new();
        for i in 0..PER_ACCOUNT {
            assert!(l.begin("a@x", &format!("10.0.0.{i}")).is_ok());
        }
        assert!(l.begin("a@x", "10.0.1.1").is_err());
    }

    #[test]
    fn one_address_is_limited_across_accounts() {
        let l = LoginLimiter::new();
        for i in 0..PER_ADDRESS {
            assert!(l.begin(&format!("u{i}@x"), "1.2.3.4").is_ok());
        }
        assert!(l.begin("another@x", "1.2.3.4").is_err());
    }

    #[test]
    fn memory_is_bounded_without_forgetting_recent_keys_at_once() {
        let l = LoginLimiter::new();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            l.begin("victim@x", "9.9.9.9").unwrap();
        }
        // Each attempt below adds three keys; the victim's are the most recently used only if
        // touched, so touch them as a real attacker's retries would.
        for i in 0..(MAX_KEYS / 3 + 10) {
            let _ = l.begin(
                &format!("r{i}@x"),
                &format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255),
            );
            if i % 1000 == 0 {
                let _ = l.begin("victim@x", "9.9.9.9");
            }
        }
        assert!(l.tracked_keys() <= MAX_KEYS);
        assert!(l.begin("victim@x", "9.9.9.9").is_err());
    }

    #[tokio::test]
    async fn passwords_are_verified_on_the_limiter_s_threads() {
        let l = LoginLimiter::with_verifiers(2);
        let hash = crate::auth::hash_password(&SecretString::from("correct horse")).unwrap();
        assert_eq!(
            l.verify(hash.clone(), SecretString::from("correct horse"))
                .await,
            Ok(true)
        );
        assert_eq!(
            l.verify(hash, SecretString::from("wrong horse")).await,
            Ok(false)
        );
    }

    #[tokio::test]
    async fn verifiers_are_bounded_and_the_queue_overflows_to_busy() {
        let l = Arc::new(LoginLimiter::with_verifiers(1));
        let held = l.verifier().await.unwrap();
        let mut waiters = Vec::new();
        for _ in 0..MAX_WAITING {
            let l = Arc::clone(&l);
            waiters.push(tokio::spawn(async move { l.verifier().await.is_ok() }));
        }
        tokio::task::yield_now().await;
        while l.waiting.load(Ordering::Acquire) < MAX_WAITING {
            tokio::task::yield_now().await;
        }
        assert_eq!(l.verifier().await.unwrap_err(), Refused::Busy);
        drop(held);
        for w in waiters {
            assert!(w.await.unwrap());
        }
    }
}
