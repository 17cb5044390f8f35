//! The server's secret key (it seals mailbox passwords at rest): from
//! `SWITCHBOARD_SECRET_KEY` (64 hex digits), else a key file —
//! `SWITCHBOARD_SECRET_KEY_FILE`, or `switchboard.key` in the data folder
//! (beside the SQLite file; the working folder for PostgreSQL) — generated
//! with mode 0600 on first start. Never in the repository or the database.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use server::secret::{SecretBox, SecretKey};

/// Where the key file is by default for a database URL.
pub fn default_file(database_url: &str) -> PathBuf {
    let dir = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p))
        .and_then(|p| Path::new(p).parent().map(Path::to_path_buf))
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join("switchboard.key")
}

/// The key in force: the environment, else the file (created when missing).
pub fn resolve(default: &Path) -> anyhow::Result<SecretKey> {
    if let Ok(hex_key) = std::env::var("SWITCHBOARD_SECRET_KEY") {
        if !hex_key.trim().is_empty() {
            return Ok(SecretKey(SecretBox::parse_key(&hex_key).context("SWITCHBOARD_SECRET_KEY")?));
        }
    }
    let path = std::env::var_os("SWITCHBOARD_SECRET_KEY_FILE").map(PathBuf::from).unwrap_or_else(|| default.into());
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(SecretKey(SecretBox::parse_key(&text).with_context(|| format!("key file {}", path.display()))?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(e) => bail!("cannot read the secret key file {}: {e}", path.display()),
    }
}

fn create(path: &Path) -> anyhow::Result<SecretKey> {
    let key = SecretBox::generate_key();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(mut f) => {
            f.write_all(hex::encode(key).as_bytes())?;
            f.sync_all()?;
            eprintln!("Generated a new secret key in {} (keep it with the database's backups).", path.display());
            Ok(SecretKey(key))
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => resolve(path),
        Err(e) => bail!("cannot create the secret key file {}: {e}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}/sb.db", dir.path().display());
        let file = default_file(&url);
        assert_eq!(file, dir.path().join("switchboard.key"));
        assert_eq!(default_file("postgres://x@y/z"), PathBuf::from("./switchboard.key"));
        let a = resolve(&file).expect("made");
        let b = resolve(&file).expect("read");
        assert_eq!(a.0, b.0);
        std::fs::write(&file, "not hex").expect("write");
        assert!(resolve(&file).is_err());
    }
}
