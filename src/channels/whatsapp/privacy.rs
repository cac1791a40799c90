//! Phone numbers are personal data: logs name a WhatsApp chat by a short hash, the same for
//! the same number, so one person's messages can be followed without knowing who they are.

use sha2::{Digest, Sha256};

pub fn masked(wa_id: &str) -> String {
    let digest = Sha256::digest(wa_id.as_bytes());
    format!("wa#{}", &hex::encode(digest)[..10])
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_number_is_not_in_it() {
        let m = super::masked("6281234567890");
        assert!(!m.contains("6281234567890") && !m.contains("4567890"), "{m}");
        assert_eq!(m, super::masked("6281234567890"));
        assert_ne!(m, super::masked("6281234567891"));
    }
}
