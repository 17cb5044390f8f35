//! The catalogue (migration 0020): items keyed by SKU, their prices per
//! client type with tiers, stock per (SKU, warehouse) and promotions. The
//! rules (parsing, validation, pricing) are `retail::catalogue`; this module
//! stores a checked [`Catalogue`] and reads it back.
//!
//! An item row keeps the columns queries filter by (names, category path,
//! unit, listed, retail price) next to the whole `Item` and `Price` as JSON,
//! so nothing of them is lost. [`Store::apply_catalogue_import`] upserts a
//! whole catalogue in one transaction with one `catalogue.imported` event
//! and an audit row: all or nothing.

use std::collections::{BTreeMap, HashSet};

use retail::catalogue::{Catalogue, Item, Price, Promotion, Stock, StockRow};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{self, AuditActor};
use crate::events::{self, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};
use domain::events as kinds;

/// Rows per multi-row INSERT (12 parameters each: far below both databases' limits).
const BATCH_ROWS: usize = 500;

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// Items whose SKU was new.
    pub created: usize,
    /// Items whose SKU was already stored (rewritten, changed or not).
    pub updated: usize,
    /// (SKU, warehouse) stock rows written.
    pub stock_rows: usize,
    pub promotions: usize,
}

/// One stored item with its price and stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueEntry {
    pub item: Item,
    pub price: Option<Price>,
    pub stock: Vec<StockRow>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

impl Store {
    /// Applies a checked catalogue (see `retail::catalogue::import`) in ONE
    /// transaction: every item is upserted by SKU with its price; every
    /// stock row sets the on-hand of its (SKU, warehouse), keeping the
    /// stored reservation (capped at the new on-hand) and leaving warehouses
    /// the catalogue does not name as they are; promotions are upserted by
    /// id. One `catalogue.imported` event and one audit row. Any failing
    /// statement (e.g. stock for a SKU that is neither stored nor in the
    /// catalogue) rolls everything back.
    ///
    /// `progress(done, total)` is called after each batch of items.
    pub async fn apply_catalogue_import(
        &self,
        cat: &Catalogue,
        actor: &AuditActor,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportOutcome> {
        let at = now_ms();
        // Serialise everything before the transaction opens.
        let mut rows: Vec<(&Item, String, Option<String>, Option<i64>)> = Vec::with_capacity(cat.items.len());
        for item in cat.items.values() {
            let price = cat.prices.get(&item.sku);
            let retail = price.and_then(|p| p.by_client_type.get("retail").copied());
            rows.push((item, to_json(item)?, price.map(to_json).transpose()?, retail));
        }
        let promotions: Vec<(&Promotion, String)> =
            cat.promotions.iter().map(|p| Ok((p, to_json(p)?))).collect::<Result<_>>()?;
        let stock: Vec<StockRow> = cat.stock.clone().into();

        let mut tx = self.begin().await?;
        let existing: HashSet<String> =
            sqlx::query_scalar("SELECT sku FROM catalogue_items").fetch_all(&mut *tx).await?.into_iter().collect();
        let updated = cat.items.keys().filter(|s| existing.contains(*s)).count();
        let total = rows.len();
        let mut done = 0;
        for chunk in rows.chunks(BATCH_ROWS) {
            let mut sql = String::from(
                "INSERT INTO catalogue_items (sku, name_ru, name_kk, name_en, category, unit, listed, price_retail, \
                 item, price, created_at, updated_at) VALUES ",
            );
            crate::push_values(&mut sql, chunk.len(), 12);
            sql.push_str(
                " ON CONFLICT (sku) DO UPDATE SET name_ru = excluded.name_ru, name_kk = excluded.name_kk, \
                 name_en = excluded.name_en, category = excluded.category, unit = excluded.unit, \
                 listed = excluded.listed, price_retail = excluded.price_retail, item = excluded.item, \
                 price = excluded.price, updated_at = excluded.updated_at",
            );
            let mut q = sqlx::query(&sql);
            for (item, item_json, price_json, retail) in chunk {
                q = q
                    .bind(&item.sku)
                    .bind(&item.name.ru)
                    .bind(&item.name.kk)
                    .bind(&item.name.en)
                    .bind(item.category_path())
                    .bind(&item.unit)
                    .bind(i64::from(item.listed))
                    .bind(*retail)
                    .bind(item_json)
                    .bind(price_json.as_deref())
                    .bind(at)
                    .bind(at);
            }
            q.execute(&mut *tx).await?;
            done += chunk.len();
            progress(done, total);
        }
        for chunk in stock.chunks(BATCH_ROWS) {
            let mut sql = String::from("INSERT INTO catalogue_stock (sku, warehouse, on_hand, reserved) VALUES ");
            crate::push_values(&mut sql, chunk.len(), 4);
            sql.push_str(
                " ON CONFLICT (sku, warehouse) DO UPDATE SET on_hand = excluded.on_hand, \
                 reserved = CASE WHEN catalogue_stock.reserved > excluded.on_hand THEN excluded.on_hand \
                 ELSE catalogue_stock.reserved END",
            );
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q.bind(&r.sku).bind(&r.warehouse).bind(r.on_hand).bind(r.reserved);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in promotions.chunks(BATCH_ROWS) {
            let mut sql = String::from("INSERT INTO catalogue_promotions (id, promotion, updated_at) VALUES ");
            crate::push_values(&mut sql, chunk.len(), 3);
            sql.push_str(
                " ON CONFLICT (id) DO UPDATE SET promotion = excluded.promotion, updated_at = excluded.updated_at",
            );
            let mut q = sqlx::query(&sql);
            for (p, json) in chunk {
                q = q.bind(&p.id).bind(json).bind(at);
            }
            q.execute(&mut *tx).await?;
        }
        let outcome =
            ImportOutcome { created: total - updated, updated, stock_rows: stock.len(), promotions: promotions.len() };
        let payload = serde_json::json!({
            "created": outcome.created,
            "updated": outcome.updated,
            "stock_rows": outcome.stock_rows,
            "promotions": outcome.promotions,
        });
        let refs = EventRefs { agent_id: actor.user_id, ..EventRefs::default() };
        events::append(&mut tx, &NewEvent { at, kind: kinds::CATALOGUE_IMPORTED, refs, payload: payload.clone() })
            .await?;
        audit::record_in(&mut tx, actor, "catalogue.import", "catalogue", &payload.to_string(), at).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// One item by SKU with its price and stock rows (by warehouse).
    pub async fn catalogue_item(&self, sku: &str) -> Result<Option<CatalogueEntry>> {
        let Some(row) = sqlx::query("SELECT item, price, created_at, updated_at FROM catalogue_items WHERE sku = $1")
            .bind(sku)
            .fetch_optional(self.reader())
            .await?
        else {
            return Ok(None);
        };
        let item: String = row.try_get("item")?;
        let price: Option<String> = row.try_get("price")?;
        let stock = sqlx::query(
            "SELECT sku, warehouse, on_hand, reserved FROM catalogue_stock WHERE sku = $1 ORDER BY warehouse",
        )
        .bind(sku)
        .fetch_all(self.reader())
        .await?;
        Ok(Some(CatalogueEntry {
            item: from_json(&item, "catalogue item")?,
            price: price.as_deref().map(|p| from_json(p, "catalogue price")).transpose()?,
            stock: stock.iter().map(stock_from_row).collect::<Result<_>>()?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        }))
    }

    /// Number of stored items.
    pub async fn catalogue_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM catalogue_items").fetch_one(self.reader()).await?)
    }

    /// The whole stored catalogue (items, prices, stock, promotions), e.g. for an export.
    pub async fn catalogue(&self) -> Result<Catalogue> {
        let rows =
            sqlx::query("SELECT sku, item, price FROM catalogue_items ORDER BY sku").fetch_all(self.reader()).await?;
        let mut items = BTreeMap::new();
        let mut prices = BTreeMap::new();
        for r in &rows {
            let sku: String = r.try_get("sku")?;
            let item: String = r.try_get("item")?;
            let price: Option<String> = r.try_get("price")?;
            if let Some(p) = price {
                prices.insert(sku.clone(), from_json::<Price>(&p, "catalogue price")?);
            }
            items.insert(sku, from_json::<Item>(&item, "catalogue item")?);
        }
        let stock =
            sqlx::query("SELECT sku, warehouse, on_hand, reserved FROM catalogue_stock ORDER BY sku, warehouse")
                .fetch_all(self.reader())
                .await?;
        let stock: Vec<StockRow> = stock.iter().map(stock_from_row).collect::<Result<_>>()?;
        let promos =
            sqlx::query("SELECT promotion FROM catalogue_promotions ORDER BY id").fetch_all(self.reader()).await?;
        let promotions = promos
            .iter()
            .map(|r| {
                let p: String = r.try_get("promotion")?;
                from_json(&p, "catalogue promotion")
            })
            .collect::<Result<_>>()?;
        Ok(Catalogue { items, prices, stock: Stock::from(stock), promotions })
    }
}

fn stock_from_row(r: &sqlx::any::AnyRow) -> Result<StockRow> {
    Ok(StockRow {
        sku: r.try_get("sku")?,
        warehouse: r.try_get("warehouse")?,
        on_hand: r.try_get("on_hand")?,
        reserved: r.try_get("reserved")?,
    })
}
