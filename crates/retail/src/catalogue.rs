//! The assortment matrix: items, the price list with a column per client
//! type and quantity tiers (004:235), stock per warehouse with reservations,
//! promotions, and the all-or-nothing import of a CSV/XLSX file with a
//! report of every bad row, plus the CSV export that reads back the same.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::customer::CLIENT_TYPES;
use serde::{Deserialize, Serialize};

use crate::money::{format_amount, parse_amount, Bp, Money};
use crate::table::{csv_field, Cell, Table};
use crate::Error;

/// Longest name accepted in any language.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest SKU accepted.
pub const MAX_SKU_CHARS: usize = 64;

/// A text in the three UI languages; `ru` is required, the others fall back to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub ru: String,
    pub kk: String,
    pub en: String,
}

impl Names {
    /// The text in `lang` (`ru`, `kk`, `en`), falling back to Russian.
    pub fn get(&self, lang: &str) -> &str {
        let s = match lang {
            "kk" => &self.kk,
            "en" => &self.en,
            _ => &self.ru,
        };
        if s.is_empty() {
            &self.ru
        } else {
            s
        }
    }
}

/// Goods classes that the return rules care about (see `returns`).
pub const GOODS_CLASSES: [&str; 6] =
    ["non_food", "food", "hygiene", "medicine", "perfume_cosmetics", "technically_complex"];

/// One item of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub sku: String,
    pub name: Names,
    pub description: Names,
    /// Category path from the root, e.g. `["Продукты", "Молочные"]`.
    pub category: Vec<String>,
    /// Attributes in file order, e.g. `("объём", "1 л")`.
    pub attributes: Vec<(String, String)>,
    pub unit: String,
    /// VAT rate in basis points (`1200` = 12 %); prices include it.
    pub vat_bp: Bp,
    /// Listed (sold) or delisted (kept for history, not offered).
    pub listed: bool,
    /// Goods class for the return rules (one of [`GOODS_CLASSES`]).
    pub goods_class: String,
    pub warranty_months: u32,
    pub alternatives: Vec<String>,
    pub complements: Vec<String>,
    pub competitor_note: String,
    pub photos: Vec<String>,
}

impl Item {
    /// The category path joined as it is written in files: `A > B > C`.
    pub fn category_path(&self) -> String {
        self.category.join(" > ")
    }

    /// Whether the item is in category `path` or below it.
    pub fn in_category(&self, path: &[String]) -> bool {
        self.category.len() >= path.len() && self.category[..path.len()] == *path
    }
}

/// A discount for buying at least `min_qty` units: `bp` off the unit price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub min_qty: i64,
    pub bp: Bp,
}

/// One item's row of the price list: a price per client type (VAT included)
/// and the quantity tiers, ascending by `min_qty`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    /// Client type → unit price. `retail` is always present and is the
    /// fallback for a type without its own column value.
    pub by_client_type: BTreeMap<String, Money>,
    pub tiers: Vec<Tier>,
}

impl Price {
    /// The unit price for a client type (falls back to `retail`).
    pub fn unit_price(&self, client_type: &str) -> Money {
        self.by_client_type.get(client_type).or_else(|| self.by_client_type.get("retail")).copied().unwrap_or(0)
    }

    /// The tier discount for a quantity: the highest tier reached, or 0.
    pub fn tier_bp(&self, qty: i64) -> Bp {
        self.tiers.iter().rev().find(|t| qty >= t.min_qty).map_or(0, |t| t.bp)
    }
}

/// Stock per (item, warehouse): on hand and reserved for open orders.
/// Available = on hand − reserved, and every operation keeps it ≥ 0.
/// Serialised as a list of [`StockRow`]s (JSON maps need string keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Vec<StockRow>", from = "Vec<StockRow>")]
pub struct Stock {
    levels: BTreeMap<(String, String), Level>,
}

/// One (item, warehouse) level, as stored or sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRow {
    pub sku: String,
    pub warehouse: String,
    pub on_hand: i64,
    pub reserved: i64,
}

impl From<Stock> for Vec<StockRow> {
    fn from(s: Stock) -> Vec<StockRow> {
        s.levels
            .into_iter()
            .map(|((sku, warehouse), l)| StockRow { sku, warehouse, on_hand: l.on_hand, reserved: l.reserved })
            .collect()
    }
}

impl From<Vec<StockRow>> for Stock {
    /// Negative numbers become 0 and reserved is capped at on hand, so a
    /// loaded stock keeps the invariants.
    fn from(rows: Vec<StockRow>) -> Stock {
        let mut s = Stock::default();
        for r in rows {
            let on_hand = r.on_hand.max(0);
            s.levels.insert((r.sku, r.warehouse), Level { on_hand, reserved: r.reserved.clamp(0, on_hand) });
        }
        s
    }
}

/// On hand and reserved for one item in one warehouse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub on_hand: i64,
    pub reserved: i64,
}

impl Level {
    pub fn available(&self) -> i64 {
        (self.on_hand - self.reserved).max(0)
    }
}

impl Stock {
    pub fn level(&self, sku: &str, warehouse: &str) -> Level {
        self.levels.get(&(sku.to_string(), warehouse.to_string())).copied().unwrap_or_default()
    }

    /// Available over all warehouses.
    pub fn available(&self, sku: &str) -> i64 {
        self.levels.iter().filter(|((s, _), _)| s == sku).map(|(_, l)| l.available()).sum()
    }

    /// Warehouses holding the item, with their levels.
    pub fn warehouses<'a>(&'a self, sku: &'a str) -> impl Iterator<Item = (&'a str, Level)> + 'a {
        self.levels.iter().filter(move |((s, _), _)| s == sku).map(|((_, w), l)| (w.as_str(), *l))
    }

    fn entry(&mut self, sku: &str, warehouse: &str) -> &mut Level {
        self.levels.entry((sku.to_string(), warehouse.to_string())).or_default()
    }

    /// Goods received (or set by an import): `qty` more on hand.
    pub fn receive(&mut self, sku: &str, warehouse: &str, qty: i64) -> Result<(), Error> {
        if qty <= 0 {
            return Err(Error::BadQuantity(qty));
        }
        self.entry(sku, warehouse).on_hand += qty;
        Ok(())
    }

    /// Reserves `qty` for an order; refused when fewer are available.
    pub fn reserve(&mut self, sku: &str, warehouse: &str, qty: i64) -> Result<(), Error> {
        if qty <= 0 {
            return Err(Error::BadQuantity(qty));
        }
        let l = self.level(sku, warehouse);
        if l.available() < qty {
            return Err(Error::NotEnoughStock {
                sku: sku.into(),
                warehouse: warehouse.into(),
                available: l.available(),
                wanted: qty,
            });
        }
        self.entry(sku, warehouse).reserved += qty;
        Ok(())
    }

    /// Reserves every line of an order or nothing: each line is taken from
    /// the warehouses in `preference` order (then any other holding it, by
    /// name), split when one is not enough. Returns the reservations made as
    /// `(sku, warehouse, qty)`; on a shortage nothing is reserved.
    pub fn reserve_all(
        &mut self,
        lines: &[(&str, i64)],
        preference: &[&str],
    ) -> Result<Vec<(String, String, i64)>, Error> {
        // Plan first (nothing changes), then apply.
        let mut plan: Vec<(String, String, i64)> = Vec::with_capacity(lines.len());
        for &(sku, qty) in lines {
            if qty <= 0 {
                return Err(Error::BadQuantity(qty));
            }
            let others = self.warehouses(sku).map(|(w, _)| w).filter(|w| !preference.contains(w));
            let mut left = qty;
            for w in preference.iter().copied().chain(others) {
                let planned: i64 = plan.iter().filter(|(s, pw, _)| s == sku && pw == w).map(|p| p.2).sum();
                let take = (self.level(sku, w).available() - planned).min(left);
                if take > 0 {
                    plan.push((sku.to_string(), w.to_string(), take));
                    left -= take;
                }
                if left == 0 {
                    break;
                }
            }
            if left > 0 {
                return Err(Error::NotEnoughStock {
                    sku: sku.into(),
                    warehouse: "*".into(),
                    available: qty - left,
                    wanted: qty,
                });
            }
        }
        for (sku, w, q) in &plan {
            self.entry(sku, w).reserved += q;
        }
        Ok(plan)
    }

    /// Releases a reservation (order cancelled before shipping).
    pub fn release(&mut self, sku: &str, warehouse: &str, qty: i64) -> Result<(), Error> {
        if qty <= 0 {
            return Err(Error::BadQuantity(qty));
        }
        let l = self.entry(sku, warehouse);
        l.reserved = (l.reserved - qty).max(0);
        Ok(())
    }

    /// Ships reserved goods: both on hand and reserved drop by `qty`.
    pub fn ship(&mut self, sku: &str, warehouse: &str, qty: i64) -> Result<(), Error> {
        if qty <= 0 {
            return Err(Error::BadQuantity(qty));
        }
        let l = self.level(sku, warehouse);
        if l.reserved < qty || l.on_hand < qty {
            return Err(Error::NotEnoughStock {
                sku: sku.into(),
                warehouse: warehouse.into(),
                available: l.reserved.min(l.on_hand),
                wanted: qty,
            });
        }
        let e = self.entry(sku, warehouse);
        e.on_hand -= qty;
        e.reserved -= qty;
        Ok(())
    }
}

/// What a promotion gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    /// A percentage off the line (basis points).
    Percent(Bp),
    /// A fixed amount off each unit (capped at the line's amount).
    FixedPerUnit(Money),
    /// Buy `n`, pay for `m` (`m < n`): of every full `n` units, `n − m` are free.
    NForM { n: i64, m: i64 },
}

/// A promotion with its validity window and conditions; shown to operators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub id: String,
    pub title: Names,
    /// Valid from (inclusive) until (exclusive), Unix seconds.
    pub from: i64,
    pub until: i64,
    /// Minimum quantity of the line.
    pub min_qty: i64,
    /// Minimum order sum (after tiers, before promotions); 0 = none.
    pub min_order_sum: Money,
    /// Items it applies to; empty together with `categories` = every item.
    pub skus: Vec<String>,
    /// Category paths it applies to (an item in the category or below).
    pub categories: Vec<Vec<String>>,
    /// Client types it is for; empty = every type.
    pub client_types: Vec<String>,
    pub benefit: Benefit,
}

impl Promotion {
    pub fn active_at(&self, at: i64) -> bool {
        self.from <= at && at < self.until
    }

    /// Whether the promotion covers an item for a client type at a time
    /// (the quantity and order-sum conditions are checked in pricing).
    pub fn covers(&self, item: &Item, client_type: &str, at: i64) -> bool {
        self.active_at(at)
            && (self.client_types.is_empty() || self.client_types.iter().any(|c| c == client_type))
            && ((self.skus.is_empty() && self.categories.is_empty())
                || self.skus.contains(&item.sku)
                || self.categories.iter().any(|c| item.in_category(c)))
    }
}

/// The catalogue: items by SKU, their prices, stock and promotions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub items: BTreeMap<String, Item>,
    pub prices: BTreeMap<String, Price>,
    pub stock: Stock,
    pub promotions: Vec<Promotion>,
}

impl Catalogue {
    pub fn item(&self, sku: &str) -> Option<&Item> {
        self.items.get(sku)
    }

    pub fn price(&self, sku: &str) -> Option<&Price> {
        self.prices.get(sku)
    }

    /// Promotions an operator should see for an item and client type now.
    pub fn promotions_for<'a>(
        &'a self,
        item: &'a Item,
        client_type: &'a str,
        at: i64,
    ) -> impl Iterator<Item = &'a Promotion> + 'a {
        self.promotions.iter().filter(move |p| p.covers(item, client_type, at))
    }

    /// The category tree: every path used by an item and all its prefixes,
    /// written `A > B`, sorted.
    pub fn category_tree(&self) -> BTreeSet<String> {
        let mut t = BTreeSet::new();
        for i in self.items.values() {
            for n in 1..=i.category.len() {
                t.insert(i.category[..n].join(" > "));
            }
        }
        t
    }

    /// Search by SKU prefix, by a word of the name (any language, case
    /// insensitive) or by an attribute value. Listed items only, SKU order.
    pub fn search(&self, query: &str) -> Vec<&Item> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        self.items
            .values()
            .filter(|i| i.listed)
            .filter(|i| {
                i.sku.to_lowercase().starts_with(&q)
                    || [&i.name.ru, &i.name.kk, &i.name.en].iter().any(|n| n.to_lowercase().contains(&q))
                    || i.attributes.iter().any(|(_, v)| v.to_lowercase().contains(&q))
            })
            .collect()
    }
}

// ---------------------------------------------------------------- import

/// What an import checks against: the category tree and units of the
/// installation, the VAT rates in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRules {
    /// Known category paths (`A > B`); every prefix of a path is known too.
    /// Empty = any category is accepted.
    pub categories: BTreeSet<String>,
    pub units: BTreeSet<String>,
    pub vat_rates_bp: BTreeSet<Bp>,
}

impl ImportRules {
    /// Whether a category path is in the tree (a known path or a prefix of
    /// one); any path is accepted when no tree is given.
    pub fn knows_category(&self, path: &[String]) -> bool {
        if self.categories.is_empty() {
            return true;
        }
        let joined = path.join(" > ");
        !joined.is_empty() && self.categories.iter().any(|c| *c == joined || c.starts_with(&format!("{joined} > ")))
    }
}

impl Default for ImportRules {
    fn default() -> ImportRules {
        ImportRules {
            categories: BTreeSet::new(),
            units: ["pcs", "kg", "g", "l", "ml", "m", "pack", "box", "set"].iter().map(|s| s.to_string()).collect(),
            // 0 %; RU 10 %, 20 %, 22 % (from 2026); KZ 12 %, 16 % (from 2026).
            vat_rates_bp: [0, 1000, 1200, 1600, 2000, 2200].into_iter().collect(),
        }
    }
}

/// One fault of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Fault {
    MissingSku,
    BadSku { value: String },
    DuplicateSku { first_row: usize },
    MissingName,
    NameTooLong { column: String, chars: usize },
    MissingPrice,
    BadPrice { column: String, value: String },
    BadStock { value: String },
    NegativeStock { warehouse: String, qty: i64 },
    UnknownCategory { value: String },
    UnknownUnit { value: String },
    BadVat { value: String },
    BadListed { value: String },
    BadWarranty { value: String },
    BadTiers { value: String },
    BadGoodsClass { value: String },
    BadAttributes { value: String },
    UnknownReference { column: String, sku: String },
    BadPhoto { value: String },
}

impl Fault {
    /// A stable code for the UI and the report (`duplicate-sku`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Fault::MissingSku => "missing-sku",
            Fault::BadSku { .. } => "bad-sku",
            Fault::DuplicateSku { .. } => "duplicate-sku",
            Fault::MissingName => "missing-name",
            Fault::NameTooLong { .. } => "name-too-long",
            Fault::MissingPrice => "missing-price",
            Fault::BadPrice { .. } => "bad-price",
            Fault::BadStock { .. } => "bad-stock",
            Fault::NegativeStock { .. } => "negative-stock",
            Fault::UnknownCategory { .. } => "unknown-category",
            Fault::UnknownUnit { .. } => "unknown-unit",
            Fault::BadVat { .. } => "bad-vat",
            Fault::BadListed { .. } => "bad-listed",
            Fault::BadWarranty { .. } => "bad-warranty",
            Fault::BadTiers { .. } => "bad-tiers",
            Fault::BadGoodsClass { .. } => "bad-goods-class",
            Fault::BadAttributes { .. } => "bad-attributes",
            Fault::UnknownReference { .. } => "unknown-reference",
            Fault::BadPhoto { .. } => "bad-photo",
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::MissingSku => write!(f, "the SKU is empty"),
            Fault::BadSku { value } => write!(f, "SKU \"{value}\" has spaces or is longer than {MAX_SKU_CHARS}"),
            Fault::DuplicateSku { first_row } => write!(f, "the SKU is already on row {first_row}"),
            Fault::MissingName => write!(f, "name_ru is empty"),
            Fault::NameTooLong { column, chars } => {
                write!(f, "{column} has {chars} characters, at most {MAX_NAME_CHARS}")
            }
            Fault::MissingPrice => write!(f, "price_retail is empty"),
            Fault::BadPrice { column, value } => write!(f, "{column} \"{value}\" is not an amount like 1234.50"),
            Fault::BadStock { value } => write!(f, "stock \"{value}\" is not like main:10;almaty:5"),
            Fault::NegativeStock { warehouse, qty } => write!(f, "stock in {warehouse} is negative ({qty})"),
            Fault::UnknownCategory { value } => write!(f, "category \"{value}\" is not in the category tree"),
            Fault::UnknownUnit { value } => write!(f, "unit \"{value}\" is unknown"),
            Fault::BadVat { value } => write!(f, "VAT \"{value}\" is not a rate in force (percent)"),
            Fault::BadListed { value } => write!(f, "listed \"{value}\" must be yes or no"),
            Fault::BadWarranty { value } => write!(f, "warranty_months \"{value}\" is not a whole number 0–600"),
            Fault::BadTiers { value } => {
                write!(f, "tiers \"{value}\" are not like 10:3;50:5 (ascending quantities, percent < 100)")
            }
            Fault::BadGoodsClass { value } => write!(f, "goods_class \"{value}\" is unknown"),
            Fault::BadAttributes { value } => write!(f, "attributes \"{value}\" are not like colour=red;size=L"),
            Fault::UnknownReference { column, sku } => write!(f, "{column} names SKU {sku}, which is not in the file"),
            Fault::BadPhoto { value } => write!(f, "photo \"{value}\" is not an http(s) URL"),
        }
    }
}

/// A bad row: its number in the file, its SKU as written, every fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    pub row: usize,
    pub sku: String,
    pub faults: Vec<Fault>,
}

/// The outcome of checking a file: every bad row, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub rows_read: usize,
    pub bad: Vec<BadRow>,
}

/// A file that passed every check: the catalogue it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub catalogue: Catalogue,
    pub rows_read: usize,
}

/// The columns of a catalogue file, in export order (see docs/RETAIL.md).
pub fn columns() -> Vec<String> {
    let mut c: Vec<String> = [
        "sku",
        "name_ru",
        "name_kk",
        "name_en",
        "description_ru",
        "description_kk",
        "description_en",
        "category",
        "unit",
        "vat",
        "listed",
        "goods_class",
        "warranty_months",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    c.extend(CLIENT_TYPES.iter().map(|t| format!("price_{t}")));
    c.extend(
        ["tiers", "stock", "attributes", "alternatives", "complements", "competitor_note", "photos"]
            .iter()
            .map(|s| s.to_string()),
    );
    c
}

const REQUIRED: [&str; 3] = ["sku", "name_ru", "price_retail"];

/// Checks a CSV or XLSX file (bytes) and, only when every row is clean,
/// returns the catalogue. The outer `Err` is a file that cannot be read at
/// all (encoding, header); the inner `Err` is the report of every bad row —
/// with it nothing of the file is usable.
pub fn import(bytes: &[u8], rules: &ImportRules) -> Result<Result<Imported, ImportReport>, Error> {
    let table = Table::read(bytes)?;
    let header: Vec<String> = table.header.iter().map(|h| h.trim().to_lowercase()).collect();
    let known = columns();
    for r in REQUIRED {
        if !header.iter().any(|h| h == r) {
            return Err(Error::File(format!("the header has no `{r}` column")));
        }
    }
    if let Some(u) = header.iter().find(|h| !h.is_empty() && !known.contains(h)) {
        return Err(Error::File(format!("unknown column `{u}`")));
    }
    let col: HashMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(table.rows.len());
    let mut bad: Vec<BadRow> = Vec::new();
    let mut cat = Catalogue::default();
    let mut refs: Vec<(usize, String, &'static str, Vec<String>)> = Vec::new();
    for (row, cells) in &table.rows {
        let get = |name: &str| -> Option<&Cell> { col.get(name).and_then(|&i| cells.get(i)) };
        let text = |name: &str| get(name).map(Cell::text).unwrap_or_default();
        let mut faults = Vec::new();
        let sku = text("sku");
        if sku.is_empty() {
            faults.push(Fault::MissingSku);
        } else if sku.chars().count() > MAX_SKU_CHARS || sku.chars().any(|c| c.is_whitespace() || c == ';') {
            faults.push(Fault::BadSku { value: sku.clone() });
        } else if let Some(&first_row) = seen.get(&sku) {
            faults.push(Fault::DuplicateSku { first_row });
        } else {
            seen.insert(sku.clone(), *row);
        }
        let name = Names { ru: text("name_ru"), kk: text("name_kk"), en: text("name_en") };
        if name.ru.is_empty() {
            faults.push(Fault::MissingName);
        }
        for (column, v) in [("name_ru", &name.ru), ("name_kk", &name.kk), ("name_en", &name.en)] {
            let chars = v.chars().count();
            if chars > MAX_NAME_CHARS {
                faults.push(Fault::NameTooLong { column: column.into(), chars });
            }
        }
        let description = Names { ru: text("description_ru"), kk: text("description_kk"), en: text("description_en") };
        let category_text = text("category");
        let category: Vec<String> =
            category_text.split('>').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        if !rules.knows_category(&category) {
            faults.push(Fault::UnknownCategory { value: category_text.clone() });
        }
        let unit = text("unit");
        let unit = if unit.is_empty() { "pcs".to_string() } else { unit };
        if !rules.units.contains(&unit) {
            faults.push(Fault::UnknownUnit { value: unit.clone() });
        }
        let vat_bp = match get("vat") {
            None | Some(Cell::Empty) => None,
            Some(Cell::Number(n)) => {
                // A percent-formatted cell holds 0.12 for 12 %.
                let pct = if *n > 0.0 && *n < 1.0 { n * 100.0 } else { *n };
                let bp = (pct * 100.0).round();
                ((bp - pct * 100.0).abs() < 1e-6 && (0.0..=10_000.0).contains(&bp)).then_some(bp as Bp)
            }
            Some(c) => {
                let t = c.text();
                let t = t.trim_end_matches('%').trim();
                parse_amount(t).and_then(|m| Bp::try_from(m).ok())
            }
        };
        let vat_bp = match vat_bp {
            Some(v) if rules.vat_rates_bp.contains(&v) => v,
            _ if text("vat").is_empty() => 0,
            _ => {
                faults.push(Fault::BadVat { value: text("vat") });
                0
            }
        };
        let listed = match text("listed").to_lowercase().as_str() {
            "" | "yes" | "y" | "true" | "1" | "да" | "иә" => true,
            "no" | "n" | "false" | "0" | "нет" | "жоқ" => false,
            other => {
                faults.push(Fault::BadListed { value: other.into() });
                true
            }
        };
        let goods_class = text("goods_class");
        let goods_class = if goods_class.is_empty() { "non_food".to_string() } else { goods_class };
        if !GOODS_CLASSES.contains(&goods_class.as_str()) {
            faults.push(Fault::BadGoodsClass { value: goods_class.clone() });
        }
        let warranty = text("warranty_months");
        let warranty_months = if warranty.is_empty() {
            0
        } else {
            match warranty.parse::<u32>() {
                Ok(w) if w <= 600 => w,
                _ => {
                    faults.push(Fault::BadWarranty { value: warranty });
                    0
                }
            }
        };
        let mut by_client_type = BTreeMap::new();
        for t in CLIENT_TYPES {
            let column = format!("price_{t}");
            let v = match get(&column) {
                None | Some(Cell::Empty) => None,
                Some(Cell::Number(n)) => {
                    let m = (n * 100.0).round();
                    if *n >= 0.0 && (m - n * 100.0).abs() < 1e-6 && m < 9e15 {
                        Some(Ok(m as Money))
                    } else {
                        Some(Err(Cell::Number(*n).text()))
                    }
                }
                Some(c) if c.text().is_empty() => None,
                Some(c) => Some(parse_amount(&c.text()).ok_or_else(|| c.text())),
            };
            match v {
                None if t == "retail" => faults.push(Fault::MissingPrice),
                None => {}
                Some(Ok(m)) => {
                    by_client_type.insert(t.to_string(), m);
                }
                Some(Err(value)) => faults.push(Fault::BadPrice { column, value }),
            }
        }
        let tiers_text = text("tiers");
        let tiers = parse_tiers(&tiers_text).unwrap_or_else(|| {
            faults.push(Fault::BadTiers { value: tiers_text.clone() });
            Vec::new()
        });
        let stock_text = text("stock");
        let mut stock_levels = Vec::new();
        for part in stock_text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let parsed = part.split_once(':').and_then(|(w, q)| {
                let w = w.trim();
                (!w.is_empty()).then_some(())?;
                q.trim().parse::<i64>().ok().map(|q| (w.to_string(), q))
            });
            match parsed {
                Some((w, q)) if q < 0 => faults.push(Fault::NegativeStock { warehouse: w, qty: q }),
                Some(level) => stock_levels.push(level),
                None => {
                    faults.push(Fault::BadStock { value: stock_text.clone() });
                    break;
                }
            }
        }
        let attr_text = text("attributes");
        let mut attributes = Vec::new();
        for part in attr_text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => attributes.push((k.trim().to_string(), v.trim().to_string())),
                _ => {
                    faults.push(Fault::BadAttributes { value: attr_text.clone() });
                    break;
                }
            }
        }
        let list = |name: &str| -> Vec<String> {
            text(name).split(';').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
        };
        let alternatives = list("alternatives");
        let complements = list("complements");
        let photos = list("photos");
        if let Some(p) = photos
            .iter()
            .find(|p| !(p.starts_with("https://") || p.starts_with("http://")) || p.contains(char::is_whitespace))
        {
            faults.push(Fault::BadPhoto { value: p.clone() });
        }
        refs.push((*row, sku.clone(), "alternatives", alternatives.clone()));
        refs.push((*row, sku.clone(), "complements", complements.clone()));
        if !faults.is_empty() {
            bad.push(BadRow { row: *row, sku, faults });
            continue;
        }
        for (w, q) in stock_levels {
            if q > 0 {
                let _ = cat.stock.receive(&sku, &w, q);
            }
        }
        cat.prices.insert(sku.clone(), Price { by_client_type, tiers });
        cat.items.insert(
            sku.clone(),
            Item {
                sku,
                name,
                description,
                category,
                attributes,
                unit,
                vat_bp,
                listed,
                goods_class,
                warranty_months,
                alternatives,
                complements,
                competitor_note: text("competitor_note"),
                photos,
            },
        );
    }
    for (row, sku, column, skus) in refs {
        for s in skus {
            if !seen.contains_key(&s) {
                let fault = Fault::UnknownReference { column: column.into(), sku: s };
                match bad.iter_mut().find(|b| b.row == row) {
                    Some(b) => b.faults.push(fault),
                    None => bad.push(BadRow { row, sku: sku.clone(), faults: vec![fault] }),
                }
            }
        }
    }
    bad.sort_by_key(|b| b.row);
    let rows_read = table.rows.len();
    if bad.is_empty() {
        Ok(Ok(Imported { catalogue: cat, rows_read }))
    } else {
        Ok(Err(ImportReport { rows_read, bad }))
    }
}

/// `10:3;50:5` → tiers (min quantity : percent off, ascending, percent
/// with up to two decimals, below 100). Empty text → no tiers.
fn parse_tiers(s: &str) -> Option<Vec<Tier>> {
    let mut tiers: Vec<Tier> = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (q, p) = part.split_once(':')?;
        let min_qty: i64 = q.trim().parse().ok()?;
        let bp = Bp::try_from(parse_amount(p.trim().trim_end_matches('%'))?).ok()?;
        if min_qty < 2 || bp >= 10_000 || tiers.last().is_some_and(|t| t.min_qty >= min_qty) {
            return None;
        }
        tiers.push(Tier { min_qty, bp });
    }
    Some(tiers)
}

fn percent(bp: Bp) -> String {
    let s = format_amount(bp as Money);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The catalogue's rows as text, one per item in SKU order, with the
/// columns of [`columns`] (the header is not included).
pub fn export_rows(cat: &Catalogue) -> Vec<Vec<String>> {
    let mut rows = Vec::with_capacity(cat.items.len());
    for item in cat.items.values() {
        let price = cat.prices.get(&item.sku);
        let mut f: Vec<String> = vec![
            item.sku.clone(),
            item.name.ru.clone(),
            item.name.kk.clone(),
            item.name.en.clone(),
            item.description.ru.clone(),
            item.description.kk.clone(),
            item.description.en.clone(),
            item.category_path(),
            item.unit.clone(),
            percent(item.vat_bp),
            if item.listed { "yes" } else { "no" }.into(),
            item.goods_class.clone(),
            item.warranty_months.to_string(),
        ];
        for t in CLIENT_TYPES {
            f.push(price.and_then(|p| p.by_client_type.get(t)).map(|m| format_amount(*m)).unwrap_or_default());
        }
        f.push(
            price
                .map(|p| {
                    p.tiers.iter().map(|t| format!("{}:{}", t.min_qty, percent(t.bp))).collect::<Vec<_>>().join(";")
                })
                .unwrap_or_default(),
        );
        f.push(
            cat.stock.warehouses(&item.sku).map(|(w, l)| format!("{w}:{}", l.on_hand)).collect::<Vec<_>>().join(";"),
        );
        f.push(item.attributes.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(";"));
        f.push(item.alternatives.join(";"));
        f.push(item.complements.join(";"));
        f.push(item.competitor_note.clone());
        f.push(item.photos.join(";"));
        rows.push(f);
    }
    rows
}

/// The catalogue as CSV with the columns of [`columns`]; importing the
/// output gives the same catalogue back (stock as on hand; reservations
/// and promotions are not part of the file).
pub fn export_csv(cat: &Catalogue) -> String {
    let mut out = String::with_capacity(cat.items.len() * 256);
    out.push_str(&columns().join(","));
    out.push('\n');
    for f in export_rows(cat) {
        let line: Vec<String> = f.iter().map(|s| csv_field(s)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// The catalogue as an XLSX workbook (one sheet, every cell text, same
/// columns as the CSV), built in memory.
pub fn export_xlsx(cat: &Catalogue) -> Result<Vec<u8>, Error> {
    crate::to_xlsx(&columns(), &export_rows(cat))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "sku,name_ru,name_kk,category,unit,vat,price_retail,price_key,tiers,stock,alternatives,complements,attributes,listed,warranty_months,goods_class
MILK-1,\"Молоко 3,2 %, 1 л\",Сүт 1 л,Продукты > Молочные,l,12,450.00,420,10:3;50:5,main:100;almaty:20,KEFIR-1,BREAD-1,жирность=3.2,yes,0,food
KEFIR-1,Кефир 1 л,Айран 1 л,Продукты > Молочные,l,12,\"390,50\",,,main:0,MILK-1,,,да,,food
BREAD-1,Хлеб,Нан,Продукты > Хлеб,pcs,0,150,,,,,,,no,,food
";

    fn ok(bytes: &[u8]) -> Imported {
        match import(bytes, &ImportRules::default()) {
            Ok(Ok(i)) => i,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_clean_file_imports_every_field() {
        let i = ok(GOOD.as_bytes());
        assert_eq!(i.rows_read, 3);
        let c = &i.catalogue;
        let milk = c.item("MILK-1").unwrap();
        assert_eq!(milk.name.ru, "Молоко 3,2 %, 1 л");
        assert_eq!(milk.name.get("en"), "Молоко 3,2 %, 1 л");
        assert_eq!(milk.category, vec!["Продукты", "Молочные"]);
        assert_eq!(milk.vat_bp, 1200);
        assert_eq!(milk.attributes, vec![("жирность".to_string(), "3.2".to_string())]);
        assert_eq!(milk.alternatives, vec!["KEFIR-1"]);
        let p = c.price("MILK-1").unwrap();
        assert_eq!(p.unit_price("key"), 42_000);
        assert_eq!(p.unit_price("regional"), 45_000);
        assert_eq!(p.tier_bp(9), 0);
        assert_eq!(p.tier_bp(10), 300);
        assert_eq!(p.tier_bp(500), 500);
        assert_eq!(c.price("KEFIR-1").unwrap().unit_price("retail"), 39_050);
        assert_eq!(c.stock.available("MILK-1"), 120);
        assert_eq!(c.stock.available("KEFIR-1"), 0);
        assert!(!c.item("BREAD-1").unwrap().listed);
        assert_eq!(c.search("молоко").len(), 1);
        assert_eq!(c.search("kef").len(), 1);
        assert_eq!(c.search("3.2").len(), 1);
        assert!(c.search("хлеб").is_empty(), "delisted items are not found");
        let tree: Vec<String> = c.category_tree().into_iter().collect();
        assert_eq!(tree, vec!["Продукты", "Продукты > Молочные", "Продукты > Хлеб"]);
        let rules = ImportRules { categories: c.category_tree(), ..ImportRules::default() };
        assert!(rules.knows_category(&["Продукты".to_string()]));
        assert!(!rules.knows_category(&["Прод".to_string()]));
        assert!(!rules.knows_category(&[]));
    }

    #[test]
    fn every_fault_of_every_row_is_reported_and_nothing_is_usable() {
        let long = "я".repeat(201);
        let csv = format!(
            "sku,name_ru,category,unit,vat,price_retail,price_key,stock,tiers,listed,alternatives
A,Товар,Еда,pcs,12,100,,main:1,,,
,Без артикула,Еда,pcs,12,100,,,,,
A,Дубль,Еда,pcs,12,100,,,,,
B,{long},Нет такой,bag,13,-5,abc,main:-3,5:1;3:2,maybe,ZZZ
C,Ок,Еда,pcs,12,100,,main:x,,,
"
        );
        let rules = ImportRules { categories: ["Еда".to_string()].into_iter().collect(), ..ImportRules::default() };
        let report = match import(csv.as_bytes(), &rules) {
            Ok(Err(r)) => r,
            other => panic!("{other:?}"),
        };
        assert_eq!(report.rows_read, 5);
        let rows: Vec<(usize, Vec<&str>)> =
            report.bad.iter().map(|b| (b.row, b.faults.iter().map(Fault::code).collect())).collect();
        assert_eq!(
            rows,
            vec![
                (3, vec!["missing-sku"]),
                (4, vec!["duplicate-sku"]),
                (
                    5,
                    vec![
                        "name-too-long",
                        "unknown-category",
                        "unknown-unit",
                        "bad-vat",
                        "bad-listed",
                        "bad-price",
                        "bad-price",
                        "bad-tiers",
                        "negative-stock",
                        "unknown-reference"
                    ]
                ),
                (6, vec!["bad-stock"]),
            ]
        );
        assert_eq!(report.bad[1].faults[0], Fault::DuplicateSku { first_row: 2 });
        assert!(report.bad[2].faults[0].to_string().contains("201 characters"));
    }

    #[test]
    fn unreadable_files_and_headers_are_refused() {
        assert!(
            matches!(import(b"name_ru,price_retail\nx,1\n", &ImportRules::default()), Err(Error::File(m)) if m.contains("sku"))
        );
        assert!(
            matches!(import(b"sku,name_ru,price_retail,colour\n", &ImportRules::default()), Err(Error::File(m)) if m.contains("colour"))
        );
        assert!(import(&[0xff, 0xfe, 0x00], &ImportRules::default()).is_err());
    }

    #[test]
    fn export_reads_back_the_same_catalogue() {
        let first = ok(GOOD.as_bytes()).catalogue;
        let csv = export_csv(&first);
        let second = ok(csv.as_bytes()).catalogue;
        assert_eq!(first, second);
        assert_eq!(export_csv(&second), csv);
        let third = ok(&export_xlsx(&first).unwrap()).catalogue;
        assert_eq!(first, third);
    }

    #[test]
    fn photos_must_be_urls_and_percent_cells_are_vat() {
        let bad = "sku,name_ru,price_retail,photos\nA,a,1,https://x/a.jpg;ftp://x\n";
        let Ok(Err(r)) = import(bad.as_bytes(), &ImportRules::default()) else { panic!() };
        assert_eq!(r.bad[0].faults, vec![Fault::BadPhoto { value: "ftp://x".into() }]);
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["sku", "name_ru", "price_retail", "vat"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "A").unwrap();
        sheet.write_string(1, 1, "a").unwrap();
        sheet.write_number(1, 2, 1234.5).unwrap();
        sheet.write_number(1, 3, 0.12).unwrap();
        let i = ok(&book.save_to_buffer().unwrap());
        assert_eq!(i.catalogue.items["A"].vat_bp, 1200);
        assert_eq!(i.catalogue.prices["A"].unit_price("retail"), 123_450);
    }

    #[test]
    fn stock_never_goes_negative() {
        let mut s = Stock::default();
        s.receive("A", "main", 5).unwrap();
        s.reserve("A", "main", 3).unwrap();
        assert_eq!(s.level("A", "main").available(), 2);
        assert!(matches!(s.reserve("A", "main", 3), Err(Error::NotEnoughStock { available: 2, wanted: 3, .. })));
        assert_eq!(s.reserve("A", "main", 0), Err(Error::BadQuantity(0)));
        s.ship("A", "main", 3).unwrap();
        assert_eq!(s.level("A", "main"), Level { on_hand: 2, reserved: 0 });
        assert!(s.ship("A", "main", 1).is_err(), "nothing reserved");
        s.reserve("A", "main", 2).unwrap();
        s.release("A", "main", 5).unwrap();
        assert_eq!(s.level("A", "main"), Level { on_hand: 2, reserved: 0 });
        assert_eq!(s.available("nothing"), 0);
    }

    #[test]
    fn an_order_reserves_all_lines_across_warehouses_or_nothing() {
        let mut s = Stock::default();
        s.receive("A", "almaty", 3).unwrap();
        s.receive("A", "main", 10).unwrap();
        s.receive("B", "main", 1).unwrap();
        let made = s.reserve_all(&[("A", 5), ("B", 1)], &["almaty"]).unwrap();
        assert_eq!(
            made,
            vec![("A".into(), "almaty".into(), 3), ("A".into(), "main".into(), 2), ("B".into(), "main".into(), 1)]
        );
        assert_eq!(s.available("A"), 8);
        let before = s.clone();
        assert!(matches!(
            s.reserve_all(&[("A", 1), ("B", 1)], &[]),
            Err(Error::NotEnoughStock { wanted: 1, available: 0, .. })
        ));
        assert_eq!(s, before, "a shortage reserves nothing");
        assert_eq!(s.reserve_all(&[("A", 0)], &[]), Err(Error::BadQuantity(0)));
        // The same item twice counts what the first line took.
        assert!(s.reserve_all(&[("A", 5), ("A", 4)], &[]).is_err());
        assert_eq!(s.reserve_all(&[("A", 5), ("A", 3)], &[]).unwrap().len(), 2);
        assert_eq!(s.available("A"), 0);
    }

    #[test]
    fn a_catalogue_survives_json() {
        let mut c = ok(GOOD.as_bytes()).catalogue;
        c.stock.reserve("MILK-1", "main", 7).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        let back: Catalogue = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        let rows: Vec<StockRow> = serde_json::from_str(r#"[{"sku":"A","warehouse":"w","on_hand":-2,"reserved":5},{"sku":"B","warehouse":"w","on_hand":3,"reserved":9}]"#).unwrap();
        let s = Stock::from(rows);
        assert_eq!((s.level("A", "w"), s.level("B", "w")), (Level::default(), Level { on_hand: 3, reserved: 3 }));
    }

    #[test]
    fn promotions_cover_by_window_item_category_and_client_type() {
        let milk = ok(GOOD.as_bytes()).catalogue.items["MILK-1"].clone();
        let mut p = Promotion {
            id: "p".into(),
            title: Names::default(),
            from: 100,
            until: 200,
            min_qty: 0,
            min_order_sum: 0,
            skus: vec![],
            categories: vec![vec!["Продукты".into()]],
            client_types: vec!["key".into()],
            benefit: Benefit::Percent(1000),
        };
        assert!(p.covers(&milk, "key", 100));
        assert!(!p.covers(&milk, "key", 200), "until is exclusive");
        assert!(!p.covers(&milk, "retail", 150));
        p.categories = vec![vec!["Продукты".into(), "Хлеб".into()]];
        assert!(!p.covers(&milk, "key", 150));
        p.skus = vec!["MILK-1".into()];
        assert!(p.covers(&milk, "key", 150));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Receive(i64),
        Reserve(i64),
        Release(i64),
        Ship(i64),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            (-3i64..20).prop_map(Op::Receive),
            (-3i64..20).prop_map(Op::Reserve),
            (-3i64..20).prop_map(Op::Release),
            (-3i64..20).prop_map(Op::Ship),
        ]
    }

    proptest::proptest! {
        #[test]
        fn stock_invariants_hold_under_any_operations(ops in proptest::collection::vec(op(), 0..60)) {
            let mut s = Stock::default();
            for o in ops {
                let before = s.level("A", "w");
                let r = match o {
                    Op::Receive(q) => s.receive("A", "w", q),
                    Op::Reserve(q) => s.reserve("A", "w", q),
                    Op::Release(q) => s.release("A", "w", q),
                    Op::Ship(q) => s.ship("A", "w", q),
                };
                let l = s.level("A", "w");
                proptest::prop_assert!(l.on_hand >= 0 && l.reserved >= 0 && l.reserved <= l.on_hand);
                if r.is_err() {
                    proptest::prop_assert_eq!(l, before, "a refused operation changes nothing");
                }
            }
        }

        #[test]
        fn any_names_survive_export_and_import(names in proptest::collection::vec("[a-zа-яё0-9 ,;\"\n]{1,24}", 1..8)) {
            let mut cat = Catalogue::default();
            for (i, n) in names.iter().enumerate() {
                let n = n.trim();
                let n = if n.is_empty() { "x" } else { n };
                let sku = format!("S{i}");
                cat.items.insert(sku.clone(), Item {
                    sku: sku.clone(),
                    name: Names { ru: n.to_string(), kk: format!("{n} kk"), en: String::new() },
                    description: Names { ru: format!("\"{n}\""), ..Names::default() },
                    category: vec!["A".into()],
                    attributes: vec![],
                    unit: "pcs".into(),
                    vat_bp: 1200,
                    listed: i % 2 == 0,
                    goods_class: "non_food".into(),
                    warranty_months: 0,
                    alternatives: vec![],
                    complements: vec![],
                    competitor_note: n.to_string(),
                    photos: vec![],
                });
                cat.prices.insert(sku, Price { by_client_type: [("retail".to_string(), i as i64 * 101)].into(), tiers: vec![] });
            }
            let back = import(export_csv(&cat).as_bytes(), &ImportRules::default());
            proptest::prop_assert_eq!(back.map(|r| r.map(|i| i.catalogue)), Ok(Ok(cat)));
        }
    }
}
