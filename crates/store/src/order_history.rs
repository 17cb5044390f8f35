//! Past orders loaded in bulk (the demo's year of trade, a migration from
//! another system), next to `contacts::import_history` for past contacts.
//! Orders are taken as they were, already priced and finished: no
//! validation against today's catalogue, no stock movement, no notices. Live
//! orders go through `store::orders` instead.

use serde::{Deserialize, Serialize};

use crate::events::{self, NewEvent};
use crate::{Result, Store, StoreError};

/// One line of a past order, priced as it was sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastOrderLine {
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub qty: i64,
    pub unit_price: i64,
    pub unit_cost: i64,
    pub tier_discount: i64,
    pub promotion_id: Option<String>,
    pub promotion_discount: i64,
    pub total: i64,
    pub vat_bp: i64,
    pub vat: i64,
}

/// A past order with the id its events and contact refer to. Field values
/// use the words of migration 0021 (`source`, `status`, `delivery_method`,
/// `payment_method`, `terms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastOrder {
    pub id: i64,
    pub customer_id: i64,
    /// An existing contact (e.g. imported with `Store::import_history`).
    pub contact_id: i64,
    pub operator_id: Option<i64>,
    pub source: String,
    pub client_type: String,
    pub status: String,
    pub delivery_method: String,
    pub address: String,
    pub receiver_name: String,
    pub receiver_phone: String,
    pub payment_method: String,
    pub terms: String,
    pub delivery_cost: i64,
    pub paid: i64,
    pub refunded: i64,
    pub cancel_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub delivered_at: Option<i64>,
    pub lines: Vec<PastOrderLine>,
}

/// Receivables of a customer as of the import (`customer_accounts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastAccount {
    pub customer_id: i64,
    pub balance: i64,
    pub overdue: i64,
    pub credit_limit: Option<i64>,
}

/// Orders per multi-row INSERT (24 parameters each).
const ORDER_ROWS: usize = 200;
/// Lines per multi-row INSERT (13 parameters each).
const LINE_ROWS: usize = 500;

impl Store {
    /// Imports past orders, their lines, the customers' receivables and the
    /// given events in ONE transaction; ids are kept and new orders number
    /// after them. Totals are computed from the lines (goods, discounts, VAT)
    /// so a past order cannot disagree with itself. An unknown customer,
    /// contact or SKU, or an order id already taken, rolls everything back.
    pub async fn import_order_history(
        &self,
        orders: &[PastOrder],
        accounts: &[PastAccount],
        history: &[NewEvent],
        at: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        for chunk in orders.chunks(ORDER_ROWS) {
            let mut sql = String::from(
                "INSERT INTO orders (id, customer_id, contact_id, operator_id, source, client_type, status, \
                 delivery_method, address, pickup_point, receiver_name, receiver_phone, payment_method, terms, \
                 goods_total, discount_total, delivery_cost, vat_total, total, paid, refunded, cancel_reason, \
                 created_at, updated_at, delivered_at) VALUES ",
            );
            crate::push_values(&mut sql, chunk.len(), 25);
            let mut q = sqlx::query(&sql);
            for o in chunk {
                let goods: i64 = o.lines.iter().map(|l| l.total).sum();
                let discount: i64 = o.lines.iter().map(|l| l.tier_discount + l.promotion_discount).sum();
                let vat: i64 = o.lines.iter().map(|l| l.vat).sum();
                q = q
                    .bind(o.id)
                    .bind(o.customer_id)
                    .bind(o.contact_id)
                    .bind(o.operator_id)
                    .bind(&o.source)
                    .bind(&o.client_type)
                    .bind(&o.status)
                    .bind(&o.delivery_method)
                    .bind(&o.address)
                    .bind("")
                    .bind(&o.receiver_name)
                    .bind(&o.receiver_phone)
                    .bind(&o.payment_method)
                    .bind(&o.terms)
                    .bind(goods)
                    .bind(discount)
                    .bind(o.delivery_cost)
                    .bind(vat)
                    .bind(goods + o.delivery_cost)
                    .bind(o.paid)
                    .bind(o.refunded)
                    .bind(&o.cancel_reason)
                    .bind(o.created_at)
                    .bind(o.updated_at)
                    .bind(o.delivered_at);
            }
            q.execute(&mut *tx).await.map_err(import_error("order"))?;
        }
        let lines: Vec<(i64, usize, &PastOrderLine)> =
            orders.iter().flat_map(|o| o.lines.iter().enumerate().map(move |(i, l)| (o.id, i + 1, l))).collect();
        for chunk in lines.chunks(LINE_ROWS) {
            let mut sql = String::from(
                "INSERT INTO order_lines (order_id, line_no, sku, name, unit, qty, unit_price, unit_cost, \
                 tier_discount, promotion_id, promotion_discount, total, vat_bp, vat) VALUES ",
            );
            crate::push_values(&mut sql, chunk.len(), 14);
            let mut q = sqlx::query(&sql);
            for (order_id, line_no, l) in chunk {
                q = q
                    .bind(*order_id)
                    .bind(*line_no as i64)
                    .bind(&l.sku)
                    .bind(&l.name)
                    .bind(&l.unit)
                    .bind(l.qty)
                    .bind(l.unit_price)
                    .bind(l.unit_cost)
                    .bind(l.tier_discount)
                    .bind(&l.promotion_id)
                    .bind(l.promotion_discount)
                    .bind(l.total)
                    .bind(l.vat_bp)
                    .bind(l.vat);
            }
            q.execute(&mut *tx).await.map_err(import_error("order line"))?;
        }
        for a in accounts {
            sqlx::query(
                "INSERT INTO customer_accounts (customer_id, balance, overdue, credit_limit, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (customer_id) DO UPDATE SET balance = excluded.balance, \
                 overdue = excluded.overdue, credit_limit = excluded.credit_limit, updated_at = excluded.updated_at",
            )
            .bind(a.customer_id)
            .bind(a.balance)
            .bind(a.overdue)
            .bind(a.credit_limit)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(import_error("customer account"))?;
        }
        events::append_all(&mut tx, history).await?;
        if self.backend() == crate::Backend::Postgres {
            // Explicit ids do not move an identity sequence; new orders must number after them.
            sqlx::query(
                "SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT COALESCE(MAX(id), 1) FROM orders))",
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Number of stored orders (any status).
    pub async fn count_orders(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(self.reader()).await?)
    }
}

/// A unique violation is an id taken twice; a foreign-key violation is an
/// unknown customer, contact or SKU.
fn import_error(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound(what),
        _ => StoreError::Db(e),
    }
}
