//! Validation of what administrators and users type, shared by the UI, the API
//! and the command line so all three give the same answer.

/// Why a value was refused; `field` names the input, `code` is a stable key
/// that the UI translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub code: &'static str,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.code)
    }
}

impl std::error::Error for Invalid {}

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Logins: 3–64 characters of lower-case Latin letters, digits, `.`, `_`, `-`.
pub fn login(s: &str) -> Result<(), Invalid> {
    let ok_len = (3..=64).contains(&s.len());
    let ok_chars = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(Invalid { field: "login", code: "invalid-login" })
    }
}

pub fn password(s: &str) -> Result<(), Invalid> {
    let n = s.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Err(Invalid { field: "password", code: "password-too-short" })
    } else if n > MAX_PASSWORD_CHARS {
        Err(Invalid { field: "password", code: "password-too-long" })
    } else {
        Ok(())
    }
}

/// Display names: 1–200 characters, no control characters.
pub fn display_name(s: &str) -> Result<(), Invalid> {
    let n = s.trim().chars().count();
    if (1..=200).contains(&n) && !s.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(Invalid { field: "name", code: "invalid-name" })
    }
}

/// Interface languages: Russian (default), Kazakh, English.
pub const LOCALES: [&str; 3] = ["ru", "kk", "en"];

pub fn locale(s: &str) -> Result<(), Invalid> {
    if LOCALES.contains(&s) {
        Ok(())
    } else {
        Err(Invalid { field: "locale", code: "invalid-locale" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        assert!(login("operator.1").is_ok());
        assert!(login("ab").is_err());
        assert!(login("Оператор").is_err());
        assert!(login("a b c").is_err());
    }

    #[test]
    fn passwords_count_characters_not_bytes() {
        assert!(password("пароль12").is_ok());
        assert!(password("short").is_err());
        assert!(password(&"x".repeat(300)).is_err());
    }

    #[test]
    fn names_and_locales() {
        assert!(display_name("Нұрлан Әбенов").is_ok());
        assert!(display_name("  ").is_err());
        assert!(display_name("a\u{0}b").is_err());
        assert!(locale("kk").is_ok());
        assert!(locale("de").is_err());
    }
}
