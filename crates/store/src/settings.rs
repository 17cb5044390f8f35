//! Centre-wide settings: one JSON document per key. Today the service
//! levels (SLA targets and legal deadline presets); absent means the shipped
//! defaults.

use domain::service_levels::ServiceLevels;
use sqlx::Row;

use crate::audit::{self, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

const SERVICE_LEVELS: &str = "service_levels";

impl Store {
    /// The service levels in force: the stored document, else the defaults.
    pub async fn service_levels(&self) -> Result<ServiceLevels> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(SERVICE_LEVELS)
            .fetch_optional(self.reader())
            .await?;
        match row {
            None => Ok(ServiceLevels::default()),
            Some(r) => {
                let text: String = r.try_get("value")?;
                serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("service levels: {e}")))
            }
        }
    }

    /// Replaces the service levels (validated), with event and audit row.
    pub async fn set_service_levels(&self, levels: &ServiceLevels, actor: &AuditActor) -> Result<()> {
        levels.validate().map_err(StoreError::Invalid)?;
        let text = serde_json::to_string(levels).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(SERVICE_LEVELS)
        .bind(&text)
        .bind(at)
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        let payload = serde_json::json!({"key": SERVICE_LEVELS});
        let refs = EventRefs { agent_id: actor.user_id, ..EventRefs::default() };
        events::append(&mut tx, &NewEvent { at, kind: domain::events::SERVICE_LEVELS_CHANGED, refs, payload }).await?;
        audit::record_in(&mut tx, actor, "settings.service_levels", SERVICE_LEVELS, &text, at).await?;
        tx.commit().await?;
        Ok(())
    }
}
