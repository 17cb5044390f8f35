//! The optional TOML configuration file. Flags and `SWITCHBOARD_*`
//! environment variables (handled by clap) win over it.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use server::ServerConfig;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `sqlite://PATH` or `postgres://…`.
    pub database: Option<String>,
    pub listen: Option<String>,
    /// Largest request body in bytes (default 1 MiB).
    pub body_limit: Option<usize>,
    pub session_ttl_hours: Option<i64>,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: Option<bool>,
    /// Argon2 memory in KiB (default 19456).
    pub password_hash_memory_kib: Option<u32>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid configuration in {}", path.display()))
    }

    /// The database URL from the flag or environment, else the file.
    pub fn database_url(&self, flag: Option<String>) -> anyhow::Result<String> {
        flag.or_else(|| self.database.clone())
            .context("no database: pass --database URL, set SWITCHBOARD_DATABASE, or put `database` in the config file")
    }

    pub fn server_config(&self) -> ServerConfig {
        let mut c = ServerConfig::default();
        if let Some(b) = self.body_limit {
            c.body_limit = b;
        }
        if let Some(h) = self.session_ttl_hours {
            c.session_ttl_ms = h.max(1) * 3600 * 1000;
        }
        if let Some(s) = self.secure_cookies {
            c.secure_cookies = s;
        }
        if let Some(m) = self.password_hash_memory_kib {
            c.hash_cost.memory_kib = m;
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_apply_and_unknown_keys_are_refused() {
        let f: FileConfig = toml::from_str("database = \"sqlite://x.db\"\nbody_limit = 2048\n").expect("parses");
        assert_eq!(f.database_url(None).ok().as_deref(), Some("sqlite://x.db"));
        assert_eq!(f.database_url(Some("postgres://a@b/c".into())).ok().as_deref(), Some("postgres://a@b/c"));
        assert_eq!(f.server_config().body_limit, 2048);
        assert!(toml::from_str::<FileConfig>("databse = 1").is_err());
    }
}
