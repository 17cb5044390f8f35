//! The event log: every change of state appends one row here, in the same
//! transaction as the change. Statistics and planning read it; nothing else
//! writes it.

use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::{Result, Store};

/// The entities an event is about; all optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EventRefs {
    pub contact_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub order_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub customer_id: Option<i64>,
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub at: i64,
    pub kind: &'static str,
    pub refs: EventRefs,
    pub payload: serde_json::Value,
}

/// An event as stored.
#[derive(Debug, Clone, Serialize)]
pub struct EventRecord {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub refs: EventRefs,
    pub payload: serde_json::Value,
}

/// Appends one event inside the caller's transaction.
pub async fn append(tx: &mut Transaction<'static, Any>, e: &NewEvent) -> Result<()> {
    append_all(tx, std::slice::from_ref(e)).await
}

/// Appends events inside the caller's transaction, many rows per INSERT.
pub async fn append_all(tx: &mut Transaction<'static, Any>, events: &[NewEvent]) -> Result<()> {
    for chunk in events.chunks(BULK_ROWS) {
        let mut sql = String::from(
            "INSERT INTO events (at, kind, contact_id, agent_id, order_id, queue_id, customer_id, payload) VALUES ",
        );
        crate::push_values(&mut sql, chunk.len(), 8);
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.at)
                .bind(e.kind)
                .bind(e.refs.contact_id)
                .bind(e.refs.agent_id)
                .bind(e.refs.order_id)
                .bind(e.refs.queue_id)
                .bind(e.refs.customer_id)
                .bind(e.payload.to_string());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

pub(crate) fn record_from_row(r: &sqlx::any::AnyRow) -> Result<EventRecord> {
    let payload: String = r.try_get("payload")?;
    Ok(EventRecord {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        kind: r.try_get("kind")?,
        refs: EventRefs {
            contact_id: r.try_get("contact_id")?,
            agent_id: r.try_get("agent_id")?,
            order_id: r.try_get("order_id")?,
            queue_id: r.try_get("queue_id")?,
            customer_id: r.try_get("customer_id")?,
        },
        payload: serde_json::from_str(&payload).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
    })
}

/// Rows per multi-row INSERT when loading history in bulk.
const BULK_ROWS: usize = 500;

impl Store {
    /// Appends many events in one transaction (history import, demo seeding).
    pub async fn append_events(&self, events: &[NewEvent]) -> Result<()> {
        let mut tx = self.begin().await?;
        append_all(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Events of `kind` (or all) with id greater than `after_id`, oldest first.
    pub async fn events_after(&self, kind: Option<&str>, after_id: i64, limit: i64) -> Result<Vec<EventRecord>> {
        let rows = sqlx::query(
            "SELECT id, at, kind, contact_id, agent_id, order_id, queue_id, customer_id, payload FROM events \
             WHERE id > $1 AND ($2 IS NULL OR kind = $2) ORDER BY id LIMIT $3",
        )
        .bind(after_id)
        .bind(kind)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// Every event of one contact, oldest first.
    pub async fn contact_events(&self, contact_id: i64) -> Result<Vec<EventRecord>> {
        let rows = sqlx::query(
            "SELECT id, at, kind, contact_id, agent_id, order_id, queue_id, customer_id, payload FROM events \
             WHERE contact_id = $1 ORDER BY id",
        )
        .bind(contact_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// Number of events of a kind (all kinds when `None`).
    pub async fn count_events(&self, kind: Option<&str>) -> Result<i64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE ($1 IS NULL OR kind = $1)")
            .bind(kind)
            .fetch_one(self.reader())
            .await?;
        Ok(n)
    }
}
