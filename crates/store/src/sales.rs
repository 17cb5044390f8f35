//! What the shop manager's analytics read (issue 6): sold order lines of a
//! period, customers with their last order, the catalogue's items, and the
//! room's settings document. One query each, no per-row queries, so a year
//! of orders (tens of thousands of lines) reads in one pass.

use domain::time::UtcOffset;
use retail::analytics::SaleLine;
use retail::analytics_report::{Item, Settings};
use sqlx::Row;

use crate::audit::AuditActor;
use crate::settings::SettingsChange;
use crate::{Result, Store, StoreError};

const SALES_ANALYTICS: &str = "sales_analytics";

/// A customer and their last (not cancelled) order, ms; `None`: never ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientLast {
    pub id: i64,
    pub full_name: String,
    pub phone: String,
    pub client_type: String,
    pub last_order_at: Option<i64>,
}

impl Store {
    /// Lines of orders created in `[from_ms, until_ms)` and not cancelled;
    /// `day` is the order's creation day at `offset` (the installation's
    /// local time), `channel` its source, revenue the line total and cost
    /// `unit_cost × qty`.
    pub async fn sale_lines(&self, from_ms: i64, until_ms: i64, offset: UtcOffset) -> Result<Vec<SaleLine>> {
        let rows = sqlx::query(
            "SELECT o.id, o.customer_id, o.created_at, o.source, o.operator_id, o.client_type, l.sku, l.qty, \
             l.total, l.unit_cost FROM orders o JOIN order_lines l ON l.order_id = o.id \
             WHERE o.created_at >= $1 AND o.created_at < $2 AND o.status <> 'cancelled' ORDER BY o.id, l.line_no",
        )
        .bind(from_ms)
        .bind(until_ms)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let qty: i64 = r.try_get("qty")?;
                let unit_cost: i64 = r.try_get("unit_cost")?;
                Ok(SaleLine {
                    order: r.try_get("id")?,
                    customer: r.try_get("customer_id")?,
                    day: offset.local_date(r.try_get("created_at")?),
                    channel: r.try_get("source")?,
                    operator: r.try_get("operator_id")?,
                    client_type: r.try_get("client_type")?,
                    sku: r.try_get("sku")?,
                    units: qty,
                    revenue: r.try_get("total")?,
                    cost: unit_cost.saturating_mul(qty),
                })
            })
            .collect()
    }

    /// Every customer not merged into another, with their last order that
    /// was not cancelled (for the dormant list and the RFM names), by id.
    pub async fn clients_last_order(&self) -> Result<Vec<ClientLast>> {
        self.clients_where("c.id > $1", 0).await
    }

    /// One customer's row as [`Store::clients_last_order`] gives it.
    pub async fn client_last_order(&self, id: i64) -> Result<Option<ClientLast>> {
        Ok(self.clients_where("c.id = $1", id).await?.pop())
    }

    async fn clients_where(&self, filter: &str, arg: i64) -> Result<Vec<ClientLast>> {
        let sql = format!(
            "SELECT c.id, c.full_name, c.phone, c.client_type, \
             (SELECT MAX(o.created_at) FROM orders o WHERE o.customer_id = c.id AND o.status <> 'cancelled') AS last_at \
             FROM customers c WHERE c.merged_into IS NULL AND {filter} ORDER BY c.id"
        );
        let rows = sqlx::query(&sql).bind(arg).fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                Ok(ClientLast {
                    id: r.try_get("id")?,
                    full_name: r.try_get("full_name")?,
                    phone: r.try_get("phone")?,
                    client_type: r.try_get("client_type")?,
                    last_order_at: r.try_get("last_at")?,
                })
            })
            .collect()
    }

    /// The catalogue's items (Russian names) for the analytics, by SKU.
    pub async fn analytics_items(&self) -> Result<Vec<Item>> {
        let rows = sqlx::query("SELECT sku, name_ru, listed FROM catalogue_items ORDER BY sku")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                let listed: i64 = r.try_get("listed")?;
                Ok(Item { sku: r.try_get("sku")?, name: r.try_get("name_ru")?, listed: listed != 0 })
            })
            .collect()
    }

    /// The analytics settings in force: the stored document, else the defaults.
    pub async fn sales_analytics_settings(&self) -> Result<Settings> {
        Ok(self.settings_document(SALES_ANALYTICS, "sales analytics").await?.unwrap_or_default())
    }

    /// Replaces the analytics settings (validated), with event and audit row.
    pub async fn set_sales_analytics_settings(&self, s: &Settings, actor: &AuditActor) -> Result<()> {
        s.validate().map_err(StoreError::Invalid)?;
        let change = SettingsChange {
            key: SALES_ANALYTICS,
            event: domain::events::SALES_ANALYTICS_CHANGED,
            audit_action: "settings.sales_analytics",
        };
        self.put_settings_document(&change, s, actor).await
    }
}
