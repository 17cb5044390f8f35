//! Password hashing with argon2id. Only PHC strings are stored.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Memory (KiB) and passes of argon2id. The default follows OWASP's
/// recommendation (19 MiB, 2 passes); tests use a cheap cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub passes: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost { memory_kib: 19 * 1024, passes: 2 }
    }
}

impl HashCost {
    /// The cheapest cost argon2 allows: for tests only.
    pub const TEST: HashCost = HashCost { memory_kib: 8, passes: 1 };

    fn hasher(self) -> Result<Argon2<'static>, argon2::Error> {
        let params = Params::new(self.memory_kib, self.passes, 1, None)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Hashes a password into a PHC string.
pub fn hash(password: &str, cost: HashCost) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    let hasher = cost.hasher().map_err(|e| e.to_string())?;
    hasher.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a password against a stored PHC string (whatever cost it was made with).
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the login is unknown so
/// that timing does not tell which logins exist.
pub fn decoy(cost: HashCost) -> String {
    hash("decoy-password-never-used", cost).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("пароль-123", HashCost::TEST).expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("пароль-123", &h));
        assert!(!verify("пароль-124", &h));
        assert!(!verify("x", "not a phc string"));
    }

    #[test]
    fn salts_differ() {
        assert_ne!(hash("same", HashCost::TEST).ok(), hash("same", HashCost::TEST).ok());
    }
}
