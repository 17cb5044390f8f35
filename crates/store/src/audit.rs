//! The audit log: who did what, when, from where. Administrators read it;
//! rows are only ever appended.

use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::{now_ms, Result, Store};

/// Who acted: a signed-in user, or the command line / system with a label.
#[derive(Debug, Clone, Default)]
pub struct AuditActor {
    pub user_id: Option<i64>,
    pub login: String,
    pub ip: Option<String>,
}

impl AuditActor {
    /// The command line run by an administrator on the server.
    pub fn cli() -> AuditActor {
        AuditActor { user_id: None, login: "cli".into(), ip: None }
    }

    /// The routing engine acting on its own (overflow).
    pub fn routing() -> AuditActor {
        AuditActor { user_id: None, login: "routing".into(), ip: None }
    }

    /// Data loaded by `switchboard demo`.
    pub fn demo() -> AuditActor {
        AuditActor { user_id: None, login: "demo".into(), ip: None }
    }

    /// The email channel acting on a letter it fetched.
    pub fn mail() -> AuditActor {
        AuditActor { user_id: None, login: "mail".into(), ip: None }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_login: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: Option<String>,
}

pub(crate) async fn record_in(
    tx: &mut Transaction<'static, Any>,
    actor: &AuditActor,
    action: &str,
    target: &str,
    detail: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_login, action, target, detail, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(at)
    .bind(actor.user_id)
    .bind(&actor.login)
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(actor.ip.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Records one audit entry in its own transaction (sign-ins, views of
    /// personal data). Changes of state record theirs inside their own
    /// transaction instead.
    pub async fn audit(&self, actor: &AuditActor, action: &str, target: &str, detail: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        record_in(&mut tx, actor, action, target, detail, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Newest first; `action` filters when given.
    pub async fn list_audit(&self, action: Option<&str>, limit: i64, offset: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor_id, actor_login, action, target, detail, ip FROM audit_log \
             WHERE ($1 IS NULL OR action = $1) ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(action)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor_id: r.try_get("actor_id")?,
                    actor_login: r.try_get("actor_login")?,
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    detail: r.try_get("detail")?,
                    ip: r.try_get("ip")?,
                })
            })
            .collect()
    }

    /// Failed sign-ins since `since_ms` for this login or from this address,
    /// whichever is larger: the basis of the sign-in rate limit.
    pub async fn recent_failed_sign_ins(&self, login: &str, ip: &str, since_ms: i64) -> Result<i64> {
        let by_login: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in.failed' AND at >= $1 AND target = $2",
        )
        .bind(since_ms)
        .bind(format!("login:{login}"))
        .fetch_one(self.reader())
        .await?;
        let by_ip: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in.failed' AND at >= $1 AND ip = $2",
        )
        .bind(since_ms)
        .bind(ip)
        .fetch_one(self.reader())
        .await?;
        Ok(by_login.max(by_ip))
    }
}
