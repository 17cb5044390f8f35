//! SLA and legal-deadline alerts on contacts. Each (contact, clock, level)
//! is raised once, with its event, in one transaction; supervisors
//! acknowledge them. Deciding *when* a clock is at risk is not the store's
//! business: the server's scanner computes clocks and calls [`Store::raise_alert`].

use domain::events as ev;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub id: i64,
    pub contact_id: i64,
    /// first_response, next_response, resolution or legal.
    pub clock: String,
    /// at_risk or breached.
    pub level: String,
    /// When the clock is (or was) due, ms since the epoch.
    pub due_at: Option<i64>,
    pub raised_at: i64,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<i64>,
}

/// Levels an alert can have.
pub const LEVELS: [&str; 2] = ["at_risk", "breached"];

const COLUMNS: &str = "id, contact_id, clock, level, due_at, raised_at, acknowledged_by, acknowledged_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Alert> {
    Ok(Alert {
        id: r.try_get("id")?,
        contact_id: r.try_get("contact_id")?,
        clock: r.try_get("clock")?,
        level: r.try_get("level")?,
        due_at: r.try_get("due_at")?,
        raised_at: r.try_get("raised_at")?,
        acknowledged_by: r.try_get("acknowledged_by")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
    })
}

impl Store {
    /// Raises an alert unless this contact already has one for the clock at
    /// that level. Returns the new alert, or `None` when it was raised before.
    pub async fn raise_alert(
        &self,
        contact_id: i64,
        clock: &str,
        level: &str,
        due_at: Option<i64>,
        at: i64,
    ) -> Result<Option<Alert>> {
        if !LEVELS.contains(&level) {
            return Err(StoreError::Invalid(domain::validate::Invalid { field: "level", code: "invalid-level" }));
        }
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO contact_alerts (contact_id, clock, level, due_at, raised_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (contact_id, clock, level) DO NOTHING RETURNING {COLUMNS}"
        ))
        .bind(contact_id)
        .bind(clock)
        .bind(level)
        .bind(due_at)
        .bind(at)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let alert = from_row(&row)?;
        let refs = EventRefs { contact_id: Some(contact_id), ..EventRefs::default() };
        let payload = json!({"alert_id": alert.id, "clock": clock, "level": level, "due_at": due_at});
        events::append(&mut tx, &NewEvent { at, kind: ev::CONTACT_SLA_ALERT, refs, payload }).await?;
        tx.commit().await?;
        Ok(Some(alert))
    }

    /// Alerts nobody has acknowledged yet, newest first.
    pub async fn open_alerts(&self, limit: i64) -> Result<Vec<Alert>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM contact_alerts WHERE acknowledged_at IS NULL ORDER BY raised_at DESC, id DESC \
             LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The alerts of one contact, oldest first.
    pub async fn contact_alerts(&self, contact_id: i64) -> Result<Vec<Alert>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM contact_alerts WHERE contact_id = $1 ORDER BY id"))
            .bind(contact_id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// A supervisor has seen the alert and acts on it. Acknowledging twice is
    /// a conflict; an unknown alert is not found.
    pub async fn acknowledge_alert(&self, id: i64, user_id: i64) -> Result<Alert> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE contact_alerts SET acknowledged_by = $1, acknowledged_at = $2 \
             WHERE id = $3 AND acknowledged_at IS NULL RETURNING {COLUMNS}"
        ))
        .bind(user_id)
        .bind(at)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            let exists = sqlx::query("SELECT id FROM contact_alerts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            tx.rollback().await?;
            return Err(if exists {
                StoreError::Conflict("alert acknowledged")
            } else {
                StoreError::NotFound("alert")
            });
        };
        let alert = from_row(&row)?;
        let refs = EventRefs { contact_id: Some(alert.contact_id), agent_id: Some(user_id), ..EventRefs::default() };
        let payload = json!({"alert_id": id, "clock": alert.clock, "level": alert.level});
        events::append(&mut tx, &NewEvent { at, kind: ev::CONTACT_SLA_ALERT_ACKNOWLEDGED, refs, payload }).await?;
        tx.commit().await?;
        Ok(alert)
    }
}
