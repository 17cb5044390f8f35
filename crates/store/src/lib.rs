//! Persistence for Switchboard: one code path over SQLite (embedded default)
//! and PostgreSQL (scale-out), with migrations for both and the event log.
//!
//! Invariants this crate keeps:
//! - every change of state appends to `events` in the same transaction as the
//!   change itself (see [`events::append`]);
//! - on SQLite all writes go through a single-connection writer pool, so write
//!   transactions never fail with `SQLITE_BUSY`; readers use their own pool;
//! - SQLite runs in WAL mode with `synchronous=FULL`: an acknowledged commit
//!   survives `kill -9` and power loss.
//!
//! SQL is the portable subset both databases accept: `$n` placeholders,
//! `RETURNING`, 64-bit integers everywhere and 0/1 for booleans.

pub mod alerts;
pub mod audit;
pub mod catalogue;
pub mod chat;
pub mod contact_work;
pub mod contacts;
pub mod cti;
pub mod customers;
pub mod events;
pub mod kb;
pub mod kb_edit;
pub mod mail;
pub mod notices;
pub mod order_documents;
pub mod order_history;
pub mod orders;
pub mod planning;
pub mod public;
pub mod queues;
pub mod returns;
pub mod sales;
pub mod sessions;
pub mod settings;
pub mod skills;
pub mod telegram;
pub mod topics;
pub mod users;

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

pub use alerts::Alert;
pub use audit::{AuditActor, AuditEntry};
pub use contact_work::NoticeText;
pub use contacts::{Contact, Hop};
pub use customers::{Customer, DuplicateCandidate, MergeOutcome, NewCustomer, StoredIdentity};
pub use events::{EventRecord, EventRefs, NewEvent};
pub use queues::Queue;
pub use skills::{Leveled, RoutingSkills, Skill};
pub use topics::{Topic, TopicNode};
pub use users::{NewUser, User};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (expected sqlite://PATH or postgres://…): {0}")]
    BadUrl(String),
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("invalid input: {0}")]
    Invalid(#[from] domain::validate::Invalid),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Reads (and, on PostgreSQL, writes).
    read: AnyPool,
    /// Writes; a single connection on SQLite.
    write: AnyPool,
    /// Renders customer notices; shared by every clone of this handle.
    notices: contact_work::NoticeSlot,
}

impl Store {
    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`). A
    /// missing SQLite file is created. Does not run migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        match backend {
            Backend::Sqlite => {
                let url = if url.contains("mode=") {
                    url.to_string()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                let opts: AnyConnectOptions = url.parse()?;
                let write = sqlite_pool(1).connect_with(opts.clone()).await?;
                // WAL is a property of the file: set it once, on the writer.
                write.execute("PRAGMA journal_mode=WAL").await?;
                let read = sqlite_pool(4).connect_with(opts).await?;
                Ok(Store { backend, read, write, notices: Default::default() })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new().max_connections(16).connect(url).await?;
                Ok(Store { backend, read: pool.clone(), write: pool, notices: Default::default() })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Brings the schema up to date; safe to run on every start and from
    /// several nodes at once (PostgreSQL takes an advisory lock). Then fills
    /// in what older rows lack (`customers::backfill_customers`).
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.write).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.write).await?,
        }
        // Data the SQL of a migration cannot compute (Unicode case folding,
        // phone normalisation): customers stored before migration 0006.
        self.backfill_customers().await?;
        Ok(())
    }

    /// Answers when the database does (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            // Take SQLite's write lock at BEGIN. A deferred transaction that
            // reads first fails with SQLITE_BUSY_SNAPSHOT when another process
            // (the server beside a `catalogue import`) committed meanwhile,
            // and busy_timeout cannot wait that out; IMMEDIATE waits for it.
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    /// Closes both pools, waiting for checked-out connections.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(max).after_connect(|conn, _meta| {
        Box::pin(async move {
            conn.execute("PRAGMA synchronous=FULL").await?;
            conn.execute("PRAGMA foreign_keys=ON").await?;
            conn.execute("PRAGMA busy_timeout=5000").await?;
            Ok(())
        })
    })
}

/// Milliseconds since the Unix epoch: the one time format stored.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn conflict_as(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Db(e),
    }
}

/// Appends `rows` placeholder tuples of `cols` parameters to a multi-row
/// INSERT: `($1,$2),($3,$4)…`.
pub(crate) fn push_values(sql: &mut String, rows: usize, cols: usize) {
    use std::fmt::Write;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push(',');
            }
            let _ = write!(sql, "${}", r * cols + c + 1);
        }
        sql.push(')');
    }
}

/// The one of three names for an interface language (Russian when unknown).
pub fn localized<'a>(locale: &str, ru: &'a str, kk: &'a str, en: &'a str) -> &'a str {
    match locale {
        "kk" => kk,
        "en" => en,
        _ => ru,
    }
}

pub(crate) fn to_bool(v: i64) -> bool {
    v != 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_rows_then_columns() {
        let mut sql = String::from("VALUES ");
        super::push_values(&mut sql, 2, 3);
        assert_eq!(sql, "VALUES ($1,$2,$3),($4,$5,$6)");
    }
}
