//! Centre-wide settings: one JSON document per key. Today the service
//! levels (SLA targets and legal deadline presets); absent means the shipped
//! defaults.

use domain::service_levels::ServiceLevels;
use serde::{de::DeserializeOwned, Serialize};
use sqlx::Row;

use crate::audit::{self, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

const SERVICE_LEVELS: &str = "service_levels";

impl Store {
    /// The service levels in force: the stored document, else the defaults.
    pub async fn service_levels(&self) -> Result<ServiceLevels> {
        Ok(self.settings_document(SERVICE_LEVELS, "service levels").await?.unwrap_or_default())
    }

    /// Replaces the service levels (validated), with event and audit row.
    pub async fn set_service_levels(&self, levels: &ServiceLevels, actor: &AuditActor) -> Result<()> {
        levels.validate().map_err(StoreError::Invalid)?;
        let change = SettingsChange {
            key: SERVICE_LEVELS,
            event: domain::events::SERVICE_LEVELS_CHANGED,
            audit_action: "settings.service_levels",
        };
        self.put_settings_document(&change, levels, actor).await
    }

    /// One settings document by key, `None` when never saved. `what` names it in a
    /// corruption error.
    pub(crate) async fn settings_document<T: DeserializeOwned>(&self, key: &str, what: &str) -> Result<Option<T>> {
        let row =
            sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(self.reader()).await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let text: String = r.try_get("value")?;
                serde_json::from_str(&text).map(Some).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
            }
        }
    }

    /// Writes one settings document (already validated by the caller) with its event
    /// `{"key": …}` and its audit row (the whole document) in one transaction.
    pub(crate) async fn put_settings_document<T: Serialize>(
        &self,
        change: &SettingsChange,
        value: &T,
        actor: &AuditActor,
    ) -> Result<()> {
        let text = serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(change.key)
        .bind(&text)
        .bind(at)
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        let payload = serde_json::json!({"key": change.key});
        let refs = EventRefs { agent_id: actor.user_id, ..EventRefs::default() };
        events::append(&mut tx, &NewEvent { at, kind: change.event, refs, payload }).await?;
        audit::record_in(&mut tx, actor, change.audit_action, change.key, &text, at).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Which settings document changes, and the event kind and audit action it is logged as.
pub(crate) struct SettingsChange {
    pub key: &'static str,
    pub event: &'static str,
    pub audit_action: &'static str,
}
