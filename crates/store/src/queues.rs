//! Queues contacts wait in (sales, support, complaints, …): a code, names in
//! three languages and the routing rules a supervisor sets.

use domain::queue::QueueRules;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::{conflict_as, now_ms, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queue {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    pub rules: QueueRules,
}

const COLUMNS: &str = "id, code, name_ru, name_kk, name_en, priority, mode, aging_s_per_level, aht_s, \
                       overflow_queue_id, overflow_after_s, key_client_wait_s";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Queue> {
    Ok(Queue {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name_ru: r.try_get("name_ru")?,
        name_kk: r.try_get("name_kk")?,
        name_en: r.try_get("name_en")?,
        rules: QueueRules {
            priority: r.try_get("priority")?,
            mode: r.try_get("mode")?,
            aging_s_per_level: r.try_get("aging_s_per_level")?,
            aht_s: r.try_get("aht_s")?,
            overflow_queue_id: r.try_get("overflow_queue_id")?,
            overflow_after_s: r.try_get("overflow_after_s")?,
            key_client_wait_s: r.try_get("key_client_wait_s")?,
        },
    })
}

impl Queue {
    /// The queue's name in an interface language (Russian when unknown).
    pub fn name(&self, locale: &str) -> &str {
        match locale {
            "kk" => &self.name_kk,
            "en" => &self.name_en,
            _ => &self.name_ru,
        }
    }
}

impl Store {
    pub async fn create_queue(&self, code: &str, name_ru: &str, name_kk: &str, name_en: &str) -> Result<Queue> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO queues (code, name_ru, name_kk, name_en, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(code)
        .bind(name_ru)
        .bind(name_kk)
        .bind(name_en)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_as("queue"))?;
        events::append(
            &mut tx,
            &NewEvent {
                at,
                kind: domain::events::QUEUE_CREATED,
                refs: EventRefs { queue_id: Some(id), ..Default::default() },
                payload: serde_json::json!({"code": code}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Queue {
            id,
            code: code.into(),
            name_ru: name_ru.into(),
            name_kk: name_kk.into(),
            name_en: name_en.into(),
            rules: QueueRules::default(),
        })
    }

    pub async fn list_queues(&self) -> Result<Vec<Queue>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM queues ORDER BY id")).fetch_all(self.reader()).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn queue(&self, id: i64) -> Result<Option<Queue>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM queues WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Replaces a queue's routing rules (validated; the backup queue must
    /// exist), with its event and audit row. The caller reloads routing.
    pub async fn set_queue_rules(&self, id: i64, rules: &QueueRules, actor: &AuditActor) -> Result<Queue> {
        rules.validate(id).map_err(StoreError::Invalid)?;
        let at = now_ms();
        let mut tx = self.begin().await?;
        if let Some(to) = rules.overflow_queue_id {
            let exists = sqlx::query("SELECT id FROM queues WHERE id = $1").bind(to).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound("overflow queue"));
            }
        }
        let row = sqlx::query(&format!(
            "UPDATE queues SET priority = $1, mode = $2, aging_s_per_level = $3, aht_s = $4, overflow_queue_id = $5, \
             overflow_after_s = $6, key_client_wait_s = $7 WHERE id = $8 RETURNING {COLUMNS}"
        ))
        .bind(rules.priority)
        .bind(&rules.mode)
        .bind(rules.aging_s_per_level)
        .bind(rules.aht_s)
        .bind(rules.overflow_queue_id)
        .bind(rules.overflow_after_s)
        .bind(rules.key_client_wait_s)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let queue = from_row(&row.ok_or(StoreError::NotFound("queue"))?)?;
        let payload = serde_json::to_value(rules).unwrap_or_default();
        let refs = EventRefs { queue_id: Some(id), ..Default::default() };
        events::append(
            &mut tx,
            &NewEvent { at, kind: domain::events::QUEUE_RULES_CHANGED, refs, payload: payload.clone() },
        )
        .await?;
        audit::record_in(&mut tx, actor, "queue.rules_changed", &format!("queue:{id}"), &payload.to_string(), at)
            .await?;
        tx.commit().await?;
        Ok(queue)
    }
}
