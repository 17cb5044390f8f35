//! Secrets at rest: mailbox passwords are sealed with XChaCha20-Poly1305
//! under the server's 32-byte secret key before the store sees them. The key
//! comes from `SWITCHBOARD_SECRET_KEY` (64 hex digits) or a key file the
//! binary generates on first start (`switchboard::secret_key`); it is never
//! in the repository or the database.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

const PREFIX: &str = "xc20p1:";

/// The 32-byte key; its `Debug` never shows it.
#[derive(Clone, Copy)]
pub struct SecretKey(pub [u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// Seals and opens secrets with one key.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the secret key must be 32 bytes written as 64 hex digits")]
    BadKey,
    #[error("a stored secret cannot be opened with this key (was the secret key changed?)")]
    Undecryptable,
}

impl SecretBox {
    pub fn new(key: &[u8; 32]) -> SecretBox {
        SecretBox { cipher: XChaCha20Poly1305::new(key.into()) }
    }

    /// A key from 64 hex digits (surrounding white space ignored).
    pub fn parse_key(hex_key: &str) -> Result<[u8; 32], SecretError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| SecretError::BadKey)?;
        bytes.try_into().map_err(|_| SecretError::BadKey)
    }

    /// A fresh random key.
    pub fn generate_key() -> [u8; 32] {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        k
    }

    /// `xc20p1:` + base64(nonce ‖ ciphertext); an empty secret stays empty.
    pub fn seal(&self, plain: &str) -> String {
        if plain.is_empty() {
            return String::new();
        }
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        // Encryption into a Vec cannot fail for inputs of this size.
        let ct = self.cipher.encrypt(XNonce::from_slice(&nonce), plain.as_bytes()).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("{PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<String, SecretError> {
        if sealed.is_empty() {
            return Ok(String::new());
        }
        let b64 = sealed.strip_prefix(PREFIX).ok_or(SecretError::Undecryptable)?;
        let raw = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| SecretError::Undecryptable)?;
        if raw.len() < 24 + 16 {
            return Err(SecretError::Undecryptable);
        }
        let (nonce, ct) = raw.split_at(24);
        let plain = self.cipher.decrypt(XNonce::from_slice(nonce), ct).map_err(|_| SecretError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let k = SecretBox::generate_key();
        let b = SecretBox::new(&k);
        let s = b.seal("пароль-123");
        assert!(s.starts_with(PREFIX) && !s.contains("пароль"));
        assert_ne!(s, b.seal("пароль-123"), "a fresh nonce every time");
        assert_eq!(b.open(&s).ok().as_deref(), Some("пароль-123"));
        assert!(SecretBox::new(&SecretBox::generate_key()).open(&s).is_err());
        let mut tampered = s.clone();
        tampered.pop();
        tampered.push(if s.ends_with('A') { 'B' } else { 'A' });
        assert!(b.open(&tampered).is_err());
        assert!(b.open("plain").is_err());
        assert_eq!(b.seal(""), "");
        assert_eq!(b.open("").ok().as_deref(), Some(""));
        assert!(SecretBox::parse_key(&"ab".repeat(32)).is_ok());
        assert!(SecretBox::parse_key("abcd").is_err());
        assert!(SecretBox::parse_key(&"zz".repeat(32)).is_err());
    }
}
