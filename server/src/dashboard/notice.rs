//! Banners after a form, carried in the redirect's query (`?done=` / `?error=`) and shown only
//! with the server's signature (`&sig=`). A link anyone can craft must not make the dashboard
//! show their words in an official-looking banner ("Your account is locked, call …"); a message
//! the server signed is one it wrote itself, moments ago, for this redirect.
//!
//! The key is random per process: after a restart, or behind a load balancer that sends the
//! redirect to another instance, a banner is simply not shown. Nothing depends on it.

use std::sync::LazyLock;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::html::url_value;

static KEY: LazyLock<[u8; 32]> = LazyLock::new(rand::random);

fn mac(kind: &str, text: &str) -> String {
    // A key of any length is accepted by HMAC; this cannot fail.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(KEY.as_slice()) else {
        return String::new();
    };
    m.update(kind.as_bytes());
    m.update(b"\0");
    m.update(text.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// The query string `kind=text&sig=…` (kind is `done` or `error`), URL-encoded.
#[must_use]
pub fn signed(kind: &str, text: &str) -> String {
    format!("{kind}={}&sig={}", url_value(text), mac(kind, text))
}

/// `text` when `sig` is the server's signature of it as a `kind` banner.
#[must_use]
pub fn verified<'a>(kind: &str, text: Option<&'a str>, sig: Option<&str>) -> Option<&'a str> {
    let (text, sig) = (text?, sig?);
    let want = mac(kind, text);
    bool::from(subtle::ConstantTimeEq::ct_eq(
        want.as_bytes(),
        sig.as_bytes(),
    ))
    .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_server_signed_is_shown() {
        let q = signed("error", "No such device in your clinic.");
        let sig = q.split("&sig=").nth(1).unwrap();
        assert_eq!(
            verified("error", Some("No such device in your clinic."), Some(sig)),
            Some("No such device in your clinic.")
        );
        assert_eq!(
            verified("error", Some("Call 555-0100 now"), Some(sig)),
            None
        );
        assert_eq!(
            verified("done", Some("No such device in your clinic."), Some(sig)),
            None
        );
        assert_eq!(verified("error", Some("Call 555-0100 now"), None), None);
    }
}
