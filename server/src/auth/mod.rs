//! Credentials: argon2id passwords, random bearer tokens stored only as hashes, sync tickets,
//! the authenticated principal, and login rate limiting.

mod authenticate;
mod login_limiter;
mod password;
mod sign_in;
mod token;

pub use authenticate::{
    AuthError, authenticate_bearer, authenticate_request, authenticate_ticket, bearer_token,
};
pub use fieldclinic_domain::Principal;
pub use login_limiter::{Attempt, LoginLimiter, Refused};
pub use password::{hash_password, verify_password};
pub use sign_in::{
    MAX_EMAIL_CHARS, MAX_PASSWORD_CHARS, SignInError, StartedSession, start_session,
};
pub use token::{TokenKind, hash_token, new_token};
