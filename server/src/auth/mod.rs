//! Credentials: argon2id passwords, random bearer tokens stored only as hashes, sync tickets,
//! the authenticated principal, and login rate limiting.

mod authenticate;
mod login_limiter;
mod password;
mod principal;
mod token;

pub use authenticate::{
    AuthError, authenticate_bearer, authenticate_request, authenticate_ticket, bearer_token,
};
pub use login_limiter::{Attempt, LoginLimiter, Refused};
pub use password::{hash_password, verify_password};
pub use principal::Principal;
pub use token::{TokenKind, hash_token, new_token};
