use rand::RngCore;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use fieldclinic_stores::accounts::TokenHash;

/// What a token is for; the prefix tells them apart at a glance (and in secret scanners).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A device's long-lived bearer token, until revoked.
    Device,
    /// A person's session after signing in.
    Session,
    /// A short-lived ticket for the sync socket's query string.
    Ticket,
}

impl TokenKind {
    /// The token's prefix.
    #[must_use]
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::Device => "fcd_",
            Self::Session => "fcs_",
            Self::Ticket => "fct_",
        }
    }

    /// The kind a token claims by its prefix.
    #[must_use]
    pub fn of(token: &str) -> Option<Self> {
        [Self::Device, Self::Session, Self::Ticket]
            .into_iter()
            .find(|k| token.starts_with(k.prefix()))
    }
}

/// A fresh token of 256 random bits from the OS generator, and the hash to store.
#[must_use]
pub fn new_token(kind: TokenKind) -> (SecretString, TokenHash) {
    let mut bytes = [0u8; 32];
    // ThreadRng is a CSPRNG (ChaCha12) reseeded from the OS.
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{}{}", kind.prefix(), hex::encode(bytes));
    let hash = hash_token(&token);
    (SecretString::from(token), hash)
}

/// The stored form of a token.
#[must_use]
pub fn hash_token(token: &str) -> TokenHash {
    TokenHash(Sha256::digest(token.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hash_stably() {
        let (a, ha) = new_token(TokenKind::Device);
        let (b, _) = new_token(TokenKind::Device);
        assert!(a.expose_secret().starts_with("fcd_"));
        assert_eq!(a.expose_secret().len(), 4 + 64);
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert_eq!(hash_token(a.expose_secret()), ha);
        assert_eq!(TokenKind::of(a.expose_secret()), Some(TokenKind::Device));
    }
}
