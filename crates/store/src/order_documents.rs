//! What the order documents (invoice, delivery note, confirmation) need:
//! one order of migration 0021 with its lines and its customer's name and
//! contacts, read in one go; and the seller's legal details, the settings
//! document `seller` (validated with `documents::Seller::validate`, event
//! `settings.seller_changed` and an audit row on every save).
//!
//! This reader is deliberately small and independent of `store::orders`
//! (the order desk's writer): it reads columns of 0021 only.

use documents::Seller;
use domain::validate::Invalid;
use sqlx::Row;

use crate::audit::AuditActor;
use crate::settings::SettingsChange;
use crate::{Result, Store, StoreError};

const SELLER: &str = "seller";

/// One order as documents print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOrder {
    pub id: i64,
    pub status: String,
    pub customer_id: i64,
    pub contact_id: i64,
    pub customer_name: String,
    pub customer_phone: String,
    pub customer_email: String,
    pub delivery_method: String,
    pub address: String,
    pub pickup_point: String,
    pub slot_from: Option<i64>,
    pub slot_until: Option<i64>,
    pub receiver_name: String,
    pub receiver_phone: String,
    pub payment_method: String,
    pub terms: String,
    pub goods_total: i64,
    pub discount_total: i64,
    pub delivery_cost: i64,
    pub vat_total: i64,
    pub total: i64,
    pub paid: i64,
    pub carrier: String,
    pub tracking: String,
    pub created_at: i64,
    pub lines: Vec<DocumentLine>,
}

/// One order line as ordered (name and unit as they were then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    pub line_no: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub qty: i64,
    pub unit_price: i64,
    /// Tier plus promotion discount of the line.
    pub discount: i64,
    pub vat_bp: i64,
    pub vat: i64,
    pub total: i64,
}

impl Store {
    /// The order `id` with its lines (by line number) and customer, `None`
    /// when there is no such order.
    pub async fn order_for_documents(&self, id: i64) -> Result<Option<DocumentOrder>> {
        let row = sqlx::query(
            "SELECT o.id, o.status, o.customer_id, o.contact_id, c.full_name, c.phone, c.email, \
             o.delivery_method, o.address, o.pickup_point, o.slot_from, o.slot_until, o.receiver_name, \
             o.receiver_phone, o.payment_method, o.terms, o.goods_total, o.discount_total, o.delivery_cost, \
             o.vat_total, o.total, o.paid, o.carrier, o.tracking, o.created_at \
             FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let lines = sqlx::query(
            "SELECT line_no, sku, name, unit, qty, unit_price, tier_discount, promotion_discount, vat_bp, vat, total \
             FROM order_lines WHERE order_id = $1 ORDER BY line_no",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|l| {
            let tier: i64 = l.try_get("tier_discount")?;
            let promo: i64 = l.try_get("promotion_discount")?;
            Ok(DocumentLine {
                line_no: l.try_get("line_no")?,
                sku: l.try_get("sku")?,
                name: l.try_get("name")?,
                unit: l.try_get("unit")?,
                qty: l.try_get("qty")?,
                unit_price: l.try_get("unit_price")?,
                discount: tier + promo,
                vat_bp: l.try_get("vat_bp")?,
                vat: l.try_get("vat")?,
                total: l.try_get("total")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(DocumentOrder {
            id: r.try_get("id")?,
            status: r.try_get("status")?,
            customer_id: r.try_get("customer_id")?,
            contact_id: r.try_get("contact_id")?,
            customer_name: r.try_get("full_name")?,
            customer_phone: r.try_get("phone")?,
            customer_email: r.try_get("email")?,
            delivery_method: r.try_get("delivery_method")?,
            address: r.try_get("address")?,
            pickup_point: r.try_get("pickup_point")?,
            slot_from: r.try_get("slot_from")?,
            slot_until: r.try_get("slot_until")?,
            receiver_name: r.try_get("receiver_name")?,
            receiver_phone: r.try_get("receiver_phone")?,
            payment_method: r.try_get("payment_method")?,
            terms: r.try_get("terms")?,
            goods_total: r.try_get("goods_total")?,
            discount_total: r.try_get("discount_total")?,
            delivery_cost: r.try_get("delivery_cost")?,
            vat_total: r.try_get("vat_total")?,
            total: r.try_get("total")?,
            paid: r.try_get("paid")?,
            carrier: r.try_get("carrier")?,
            tracking: r.try_get("tracking")?,
            created_at: r.try_get("created_at")?,
            lines,
        }))
    }

    /// The seller's details: the stored document, else empty details (the
    /// documents then say they are not filled in).
    pub async fn seller(&self) -> Result<Seller> {
        Ok(self.settings_document(SELLER, "seller").await?.unwrap_or_default())
    }

    /// Replaces the seller's details (normalised, then validated: 422 names
    /// the field), with event and audit row; answers what was stored.
    pub async fn set_seller(&self, seller: &Seller, actor: &AuditActor) -> Result<Seller> {
        let s = seller.normalized();
        s.validate().map_err(|e| StoreError::Invalid(Invalid { field: e.field, code: e.code }))?;
        let change =
            SettingsChange { key: SELLER, event: domain::events::SELLER_CHANGED, audit_action: "settings.seller" };
        self.put_settings_document(&change, &s, actor).await?;
        Ok(s)
    }
}

/// A raw order of migration 0021 for tests of the documents, written
/// without any of the order desk's rules, events or stock (those belong to
/// `store::orders`). Only with the `test-fixtures` feature.
#[cfg(feature = "test-fixtures")]
pub mod test_fixture {
    use super::*;

    /// The order to insert; its lines' SKUs must be in the catalogue.
    #[derive(Debug, Clone)]
    pub struct RawOrder {
        pub customer_id: i64,
        pub contact_id: i64,
        pub status: String,
        pub address: String,
        pub receiver_name: String,
        pub receiver_phone: String,
        pub payment_method: String,
        pub terms: String,
        pub delivery_cost: i64,
        pub created_at: i64,
        /// (sku, name, unit, qty, unit price, discount, VAT bp); totals and
        /// VAT are computed as the pricing does (VAT included, half-up).
        pub lines: Vec<(String, String, String, i64, i64, i64, u32)>,
    }

    impl Store {
        /// TEST FIXTURE: inserts `o` as raw 0021 rows (orders + order_lines)
        /// and answers its id.
        pub async fn insert_raw_order_fixture(&self, o: &RawOrder) -> Result<i64> {
            let mut goods = 0;
            let mut discount = 0;
            let mut vat = retail::money::vat_included(o.delivery_cost, 1200);
            let mut lines = Vec::new();
            for (sku, name, unit, qty, price, disc, bp) in &o.lines {
                let total = price * qty - disc;
                let line_vat = retail::money::vat_included(total, *bp);
                goods += total;
                discount += disc;
                vat += line_vat;
                lines.push((sku, name, unit, *qty, *price, *disc, *bp as i64, line_vat, total));
            }
            let mut tx = self.begin().await?;
            let id: i64 = sqlx::query(
                "INSERT INTO orders (customer_id, contact_id, source, client_type, status, delivery_method, \
                 address, pickup_point, receiver_name, receiver_phone, payment_method, terms, goods_total, \
                 discount_total, delivery_cost, vat_total, total, created_at, updated_at) \
                 VALUES ($1, $2, 'call', 'key', $3, 'courier', $4, '', $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                 $14, $14) RETURNING id",
            )
            .bind(o.customer_id)
            .bind(o.contact_id)
            .bind(&o.status)
            .bind(&o.address)
            .bind(&o.receiver_name)
            .bind(&o.receiver_phone)
            .bind(&o.payment_method)
            .bind(&o.terms)
            .bind(goods)
            .bind(discount)
            .bind(o.delivery_cost)
            .bind(vat)
            .bind(goods + o.delivery_cost)
            .bind(o.created_at)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            for (n, (sku, name, unit, qty, price, disc, bp, line_vat, total)) in lines.into_iter().enumerate() {
                sqlx::query(
                    "INSERT INTO order_lines (order_id, line_no, sku, name, unit, qty, unit_price, tier_discount, \
                     promotion_discount, total, vat_bp, vat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11)",
                )
                .bind(id)
                .bind(n as i64 + 1)
                .bind(sku)
                .bind(name)
                .bind(unit)
                .bind(qty)
                .bind(price)
                .bind(disc)
                .bind(total)
                .bind(bp)
                .bind(line_vat)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        }
    }
}
