//! Browser sessions and API bearer tokens. Only SHA-256 hashes of the secrets
//! are stored, so a copy of the database does not let anyone sign in.

use sqlx::Row;

use crate::audit::{self, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, to_bool, Result, Store, StoreError};

/// A live session found by its token hash.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user_id: i64,
    pub csrf_token: String,
    pub expires_at: i64,
}

impl Store {
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        ttl_ms: i64,
        ip: Option<&str>,
    ) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        // Expired sessions are swept here rather than by a timer.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(at).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(at)
        .bind(at + ttl_ms)
        .bind(ip)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session for this token hash if it is unexpired and its user active.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionInfo>> {
        let row = sqlx::query(
            "SELECT s.user_id, s.csrf_token, s.expires_at, u.active FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(self.reader())
        .await?;
        match row {
            Some(r) if to_bool(r.try_get("active")?) => Ok(Some(SessionInfo {
                user_id: r.try_get("user_id")?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: r.try_get("expires_at")?,
            })),
            _ => Ok(None),
        }
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues an API token for a user; returns its id.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        actor: &AuditActor,
    ) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid(domain::validate::Invalid { field: "name", code: "invalid-name" }));
        }
        let at = now_ms();
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(name)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let payload = serde_json::json!({"token_id": id, "name": name});
        events::append(
            &mut tx,
            &NewEvent {
                at,
                kind: domain::events::API_TOKEN_ISSUED,
                refs: EventRefs { agent_id: Some(user_id), ..Default::default() },
                payload: payload.clone(),
            },
        )
        .await?;
        audit::record_in(&mut tx, actor, "api_token.issue", &format!("user:{user_id}"), &payload.to_string(), at)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The active user owning the API token with this hash.
    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT t.user_id, u.active FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.reader())
        .await?;
        match row {
            Some(r) if to_bool(r.try_get("active")?) => Ok(Some(r.try_get("user_id")?)),
            _ => Ok(None),
        }
    }
}
