//! Queues contacts wait in (sales, support, complaints, …). Routing rules come
//! with the contacts work; here a queue is a code and its names.

use serde::Serialize;
use sqlx::Row;

use crate::events::{self, EventRefs, NewEvent};
use crate::{conflict_as, now_ms, Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queue {
    pub id: i64,
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
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
        Ok(Queue { id, code: code.into(), name_ru: name_ru.into(), name_kk: name_kk.into(), name_en: name_en.into() })
    }

    pub async fn list_queues(&self) -> Result<Vec<Queue>> {
        let rows = sqlx::query("SELECT id, code, name_ru, name_kk, name_en FROM queues ORDER BY id")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Queue {
                    id: r.try_get("id")?,
                    code: r.try_get("code")?,
                    name_ru: r.try_get("name_ru")?,
                    name_kk: r.try_get("name_kk")?,
                    name_en: r.try_get("name_en")?,
                })
            })
            .collect()
    }
}
