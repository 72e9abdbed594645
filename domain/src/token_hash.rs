use std::fmt;

/// The SHA-256 of a bearer token, session token or sync ticket. Tokens carry 256 random bits,
/// so a fast hash suffices (unlike passwords); the database never holds a usable secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(..)")
    }
}
