use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

/// OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): slow enough to make guessing
/// expensive, fast enough for a login on a small server.
fn argon2() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password as an argon2id PHC string. CPU-heavy: call it off the async executor.
///
/// # Errors
/// When hashing fails (it does not for valid parameters).
pub fn hash_password(password: &SecretString) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()?
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("Failed to hash the password: {e}"))?
        .to_string())
}

/// Whether `password` matches the stored PHC string (compared in constant time by argon2).
/// CPU-heavy: call it off the async executor.
#[must_use]
pub fn verify_password(stored: &str, password: &SecretString) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    argon2().is_ok_and(|a| {
        a.verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password(&SecretString::from("correct horse")).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, &SecretString::from("correct horse")));
        assert!(!verify_password(
            &hash,
            &SecretString::from("correct horsf")
        ));
        assert!(!verify_password("not a hash", &SecretString::from("x")));
    }
}
