//! User accounts and their roles. Password hashing happens before the store:
//! it only ever sees hashes.

use domain::events as ev;
use domain::Role;
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::{conflict_as, now_ms, to_bool, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub locale: String,
    pub active: bool,
    pub roles: Vec<Role>,
    pub created_at: i64,
}

impl User {
    pub fn can(&self, p: domain::Permission) -> bool {
        self.active && domain::access::roles_grant(&self.roles, p)
    }
}

/// A user to create. `password_hash` is a PHC string (argon2).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub password_hash: String,
    pub locale: String,
    pub roles: Vec<Role>,
}

const USER_COLUMNS: &str = "id, login, name, locale, active, created_at";

fn user_from_row(r: &sqlx::any::AnyRow, roles: Vec<Role>) -> Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        login: r.try_get("login")?,
        name: r.try_get("name")?,
        locale: r.try_get("locale")?,
        active: to_bool(r.try_get("active")?),
        roles,
        created_at: r.try_get("created_at")?,
    })
}

fn parse_roles(raw: Vec<String>) -> Result<Vec<Role>> {
    let mut roles = raw
        .iter()
        .map(|s| Role::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown role {s}"))))
        .collect::<Result<Vec<_>>>()?;
    roles.sort();
    Ok(roles)
}

fn role_names(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.as_str()).collect()
}

async fn insert_roles(tx: &mut Transaction<'static, Any>, user_id: i64, roles: &[Role]) -> Result<()> {
    for r in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(user_id)
            .bind(r.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Appends the event of a change to a user and, for administrative changes,
/// its audit row (with the event's payload as the detail).
async fn record_user_change(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    kind: &'static str,
    payload: serde_json::Value,
    audit: Option<(&AuditActor, &str)>,
    at: i64,
) -> Result<()> {
    if let Some((actor, action)) = audit {
        audit::record_in(tx, actor, action, &format!("user:{user_id}"), &payload.to_string(), at).await?;
    }
    let refs = EventRefs { agent_id: Some(user_id), ..Default::default() };
    events::append(tx, &NewEvent { at, kind, refs, payload }).await
}

impl Store {
    /// Creates a user with roles; appends `user.created` and audits who did it.
    pub async fn create_user(&self, new: &NewUser, actor: &AuditActor) -> Result<User> {
        domain::validate::login(&new.login)?;
        domain::validate::display_name(&new.name)?;
        domain::validate::locale(&new.locale)?;
        let at = now_ms();
        let mut roles = new.roles.clone();
        roles.sort();
        roles.dedup();
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (login, name, password_hash, locale, active, created_at) \
             VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
        )
        .bind(&new.login)
        .bind(new.name.trim())
        .bind(&new.password_hash)
        .bind(&new.locale)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_as("login"))?;
        insert_roles(&mut tx, id, &roles).await?;
        let payload = json!({"login": new.login, "roles": role_names(&roles)});
        record_user_change(&mut tx, id, ev::USER_CREATED, payload, Some((actor, "user.create")), at).await?;
        tx.commit().await?;
        Ok(User {
            id,
            login: new.login.clone(),
            name: new.name.trim().to_string(),
            locale: new.locale.clone(),
            active: true,
            roles,
            created_at: at,
        })
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some(r) => Ok(Some(user_from_row(&r, self.roles_of(id).await?)?)),
            None => Ok(None),
        }
    }

    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        Ok(self.credentials(login).await?.map(|(u, _)| u))
    }

    /// The user and their password hash, for signing in.
    pub async fn credentials(&self, login: &str) -> Result<Option<(User, String)>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE login = $1"))
            .bind(login)
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some(r) => {
                let id: i64 = r.try_get("id")?;
                let hash: String = r.try_get("password_hash")?;
                Ok(Some((user_from_row(&r, self.roles_of(id).await?)?, hash)))
            }
            None => Ok(None),
        }
    }

    async fn roles_of(&self, user_id: i64) -> Result<Vec<Role>> {
        let raw: Vec<String> = sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(self.reader())
            .await?;
        parse_roles(raw)
    }

    /// All users with their roles, ordered by login.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        let rows =
            sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY login")).fetch_all(self.reader()).await?;
        let role_rows = sqlx::query("SELECT user_id, role FROM user_roles").fetch_all(self.reader()).await?;
        let mut by_user: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
        for r in &role_rows {
            by_user.entry(r.try_get("user_id")?).or_default().push(r.try_get("role")?);
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                user_from_row(r, parse_roles(by_user.remove(&id).unwrap_or_default())?)
            })
            .collect()
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(self.reader()).await?)
    }

    /// Replaces a user's roles; the change is an event and an audit record.
    pub async fn set_roles(&self, user_id: i64, roles: &[Role], actor: &AuditActor) -> Result<User> {
        let before = self.user_by_id(user_id).await?.ok_or(StoreError::NotFound("user"))?;
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        let at = now_ms();
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        insert_roles(&mut tx, user_id, &roles).await?;
        let payload = json!({"login": before.login, "before": role_names(&before.roles), "after": role_names(&roles)});
        record_user_change(&mut tx, user_id, ev::USER_ROLES_CHANGED, payload, Some((actor, "user.roles")), at).await?;
        tx.commit().await?;
        Ok(User { roles, ..before })
    }

    /// Stores a new password hash and ends the user's sessions.
    pub async fn set_password_hash(&self, user_id: i64, hash: &str, actor: &AuditActor) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("user"));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        record_user_change(&mut tx, user_id, ev::USER_PASSWORD_CHANGED, json!({}), Some((actor, "user.password")), at)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the interface language of a user.
    pub async fn set_locale(&self, user_id: i64, locale: &str) -> Result<()> {
        domain::validate::locale(locale)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("user"));
        }
        record_user_change(&mut tx, user_id, ev::USER_LOCALE_CHANGED, json!({"locale": locale}), None, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deactivates (or reactivates) a user; a deactivated user cannot sign in
    /// and their sessions and tokens stop working.
    pub async fn set_active(&self, user_id: i64, active: bool, actor: &AuditActor) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("user"));
        }
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        }
        let payload = json!({"active": active});
        record_user_change(&mut tx, user_id, ev::USER_ACTIVE_CHANGED, payload, Some((actor, "user.active")), at)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
