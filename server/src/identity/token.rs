//! Opaque random tokens, stored only as their SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// 32 random bytes from the operating system, URL-safe base64 (43 characters).
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS generator failing is not recoverable; an all-zero token would be worse.
    if getrandom::fill(&mut bytes).is_err() {
        tracing::error!("the operating system's random generator failed");
        std::process::abort();
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token: hex SHA-256. A leaked store reveals no usable token.
pub(crate) fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The CSRF token of a browser session: derived from the session token (which the page's
/// script cannot read, being an HttpOnly cookie), so a page of another site cannot know it and
/// knowing it reveals nothing of the session token.
pub(crate) fn csrf(token: &str) -> String {
    let digest = Sha256::digest(format!("abdi-csrf\n{token}").as_bytes());
    digest.iter().take(20).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(hash(&a).len(), 64);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert!(!hash(&a).contains(&a));
    }
}
