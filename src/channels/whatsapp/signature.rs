//! `X-Hub-Signature-256: sha256=<hex>`: Meta's HMAC-SHA256 of the raw body with the app
//! secret. Checked on the bytes as they came (re-serialised JSON would differ) and in
//! constant time, before the body is read.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "X-Hub-Signature-256";

/// Whether `header` is the body's signature with `secret`.
pub fn valid(secret: &[u8], header: Option<&[u8]>, body: &[u8]) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.strip_prefix(b"sha256=")) else {
        return false;
    };
    let Ok(given) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header's value for `body`. (The fake Graph API in tests/ signs with its own code,
    /// so a mistake here and in `valid` alike would not go unseen.)
    pub fn sign(secret: &[u8], body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn right_wrong_and_missing() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let good = sign(b"s3cret", body);
        assert!(valid(b"s3cret", Some(good.as_bytes()), body));
        assert!(!valid(b"other", Some(good.as_bytes()), body));
        assert!(!valid(b"s3cret", Some(good.as_bytes()), b"{}"));
        assert!(!valid(b"s3cret", None, body));
        assert!(!valid(b"s3cret", Some(b"sha256=zz"), body));
        assert!(!valid(b"s3cret", Some(&good.as_bytes()[7..]), body));
        // RFC 4231 test case 2.
        let vector = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            vector,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
