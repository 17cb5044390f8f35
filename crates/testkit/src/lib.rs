//! Test support shared by the crates' test suites: a fresh database of each
//! kind for every test, so one suite runs unchanged on SQLite and PostgreSQL.
//!
//! SQLite always runs. PostgreSQL runs when `SWITCHBOARD_TEST_POSTGRES` holds
//! an administrator URL (`scripts/test` starts a server and sets it); under
//! `CI=true` its absence is an error, so CI can never skip it silently.

use rand::Rng;
use sqlx::Connection;

/// One throwaway database. Keep it alive for the length of the test.
pub struct TestDb {
    pub url: String,
    pub kind: &'static str,
    _dir: Option<tempfile::TempDir>,
}

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "SWITCHBOARD_TEST_POSTGRES";

/// A fresh, empty SQLite database in a temporary folder.
pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary folder for the test database");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    TestDb { url, kind: "sqlite", _dir: Some(dir) }
}

/// A fresh, empty PostgreSQL database, if a server is configured.
pub async fn postgres() -> Option<TestDb> {
    let admin = match std::env::var(POSTGRES_ENV) {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(
                std::env::var("CI").map(|v| v != "true").unwrap_or(true),
                "{POSTGRES_ENV} must be set in CI: the store tests run on PostgreSQL too"
            );
            return None;
        }
    };
    let name = format!("sb_test_{:016x}", rand::thread_rng().gen::<u64>());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to the test PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let _ = conn.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Some(TestDb { url: format!("{base}/{name}"), kind: "postgres", _dir: None })
}

/// Every database kind available: SQLite always, PostgreSQL when configured.
pub async fn databases() -> Vec<TestDb> {
    let mut all = vec![sqlite()];
    if let Some(pg) = postgres().await {
        all.push(pg);
    }
    all
}
