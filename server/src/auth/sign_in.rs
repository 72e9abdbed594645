//! Signing a person in: the API's and the dashboard's one sign-in, limited per account and
//! address, with the same answer for an unknown email and a wrong password.

use fieldclinic_domain::clock::now_millis;
use fieldclinic_stores::accounts::AccountStore;
use secrecy::{ExposeSecret, SecretString};

use super::{LoginLimiter, Refused, TokenKind, new_token};
use crate::audit::AuditActor;

/// How long a sign-in lasts: one clinic day.
const SESSION_MILLIS: i64 = 12 * 60 * 60 * 1000;

/// A PHC string that never matches, verified when the email is unknown so both failures take
/// the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7i0j7cmsyEtPb8mJ8LB6vE1bj2lMtwQ7T2V4HutpxMQ";

/// The longest email address (RFC 5321's path limit) and password accepted: anything longer is
/// refused before any work, so a request cannot make the server hash megabytes.
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A session just started.
#[derive(Debug)]
pub struct StartedSession {
    /// The session token (shown once; stored only as its hash).
    pub token: SecretString,
    /// When it expires (ms).
    pub expires_at_millis: i64,
}

/// Why a sign-in did not start a session.
#[derive(Debug)]
pub enum SignInError {
    /// Too many recent attempts for this account or address; try again after this long.
    Limited(std::time::Duration),
    /// Every password verifier is busy.
    Busy,
    /// The email or password is longer than anyone's.
    TooLong,
    /// Wrong email or password, or a disabled account (indistinguishable on purpose).
    Refused,
    /// The store failed.
    Failed(anyhow::Error),
}

/// Checks a password and starts a session: the API's and the dashboard's sign-in.
pub async fn start_session<S: AccountStore>(
    store: &S,
    limiter: &LoginLimiter,
    email: &str,
    password: SecretString,
    ip: Option<String>,
) -> Result<StartedSession, SignInError> {
    if email.chars().count() > MAX_EMAIL_CHARS
        || password.expose_secret().chars().count() > MAX_PASSWORD_CHARS
    {
        return Err(SignInError::TooLong);
    }
    let email = email.trim().to_lowercase();
    // No account's email holds a NUL (PostgreSQL cannot even store one): a wrong login, answered
    // without asking the database.
    if email.contains('\0') {
        return Err(SignInError::Refused);
    }
    // Counted before the password is checked: concurrent guesses cannot all pass the limit.
    let attempt = limiter
        .begin(&email, ip.as_deref().unwrap_or("-"))
        .map_err(refused)?;
    let failed = SignInError::Failed;
    let found = match store.user_by_email(&email).await {
        Ok(found) => Some(found),
        Err(fieldclinic_sync::StoreError::NotFound) => None,
        Err(e) => {
            return Err(failed(
                anyhow::Error::new(e).context("Failed to look up the user"),
            ));
        }
    };
    let stored = found
        .as_ref()
        .map_or(DUMMY_HASH, |(_, h)| h.as_str())
        .to_owned();
    let ok = limiter.verify(stored, password).await.map_err(refused)?;
    let user = match found {
        Some((user, _)) if ok && user.disabled_at_millis.is_none() => user,
        _ => return Err(SignInError::Refused),
    };
    limiter.succeeded(&attempt);
    let (token, hash) = new_token(TokenKind::Session);
    let now = now_millis();
    let expires = now + SESSION_MILLIS;
    store
        .create_session(&hash, &user.id, now, expires)
        .await
        .map_err(|e| failed(anyhow::Error::new(e).context("Failed to store the session")))?;
    store
        .append_audit(&[AuditActor::user(&user.id, ip)
            .did("session.created")
            .clinic(user.clinic_id)
            .build()])
        .await
        .map_err(|e| failed(anyhow::Error::new(e).context("Failed to audit the sign-in")))?;
    Ok(StartedSession {
        token,
        expires_at_millis: expires,
    })
}

fn refused(r: Refused) -> SignInError {
    match r {
        Refused::Limited(wait) => SignInError::Limited(wait),
        Refused::Busy => SignInError::Busy,
    }
}
