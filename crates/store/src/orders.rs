//! Orders (migration 0021, docs/ORDERS.md): creating an order in one
//! transaction (validate, price, credit gate, reserve, insert, event,
//! notice, confirmation call), reading orders back, status changes with
//! their stock and money effects, customer accounts, the credit redirect
//! and the order settings. The rules are `crates/retail`.
//!
//! Only the order's SKUs are read from the catalogue (items, prices, stock
//! rows) with the promotions: never the whole catalogue per request.

use std::collections::{BTreeMap, BTreeSet};

use domain::contact::{Channel, ContactType, Direction};
use domain::events as ev;
use retail::catalogue::{Catalogue, Item, Price, Promotion, Stock, StockRow};
use retail::credit::{self, Gate, Receivables, Redirect};
use retail::order::{
    self as rules, Action, CancelReason, DeliveryMethod, DeliveryTariff, FieldError, LifecycleError, NewOrder,
    OrderState, PaymentMethod, Source, Status, StockEffect, Terms,
};
use retail::pricing::{self, LineRequest};
use retail::Money;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, AuditActor};
use crate::contact_work::OrderNotice;
use crate::events::{self, EventRecord, EventRefs, NewEvent};
use crate::{now_ms, Result, Store, StoreError};

// ---------------------------------------------------------------- settings

/// The order settings (settings document `orders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderSettings {
    /// Extra items to offer before an order is closed (004:229).
    pub offer_threshold: u32,
    /// Delivery price per method; a method without a tariff is not offered.
    pub tariffs: Vec<DeliveryTariff>,
    /// VAT rate of delivery, basis points.
    pub delivery_vat_bp: u32,
    pub pickup_points: Vec<String>,
    /// The queue whose operators make confirmation calls.
    pub confirmation_queue: String,
    /// Where a blocked contact goes when the client has no manager.
    pub finance_queue: String,
    /// The queue API and web-form orders open their contact in.
    pub sales_queue: String,
    /// `kz` or `ru`: the return rules and legal texts.
    pub jurisdiction: String,
}

impl Default for OrderSettings {
    fn default() -> OrderSettings {
        OrderSettings {
            offer_threshold: 3,
            tariffs: vec![
                DeliveryTariff { method: DeliveryMethod::Courier, price: 150_000, free_from: Some(2_000_000) },
                DeliveryTariff { method: DeliveryMethod::Post, price: 120_000, free_from: None },
                DeliveryTariff { method: DeliveryMethod::PickupPoint, price: 80_000, free_from: Some(1_000_000) },
                DeliveryTariff { method: DeliveryMethod::SelfPickup, price: 0, free_from: None },
            ],
            delivery_vat_bp: 1200,
            pickup_points: vec!["Алматы, Абая 10".into(), "Астана, Кенесары 40".into()],
            confirmation_queue: "sales".into(),
            finance_queue: "finance".into(),
            sales_queue: "sales".into(),
            jurisdiction: "kz".into(),
        }
    }
}

impl OrderSettings {
    /// Every problem at once as (field, code).
    pub fn check(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let mut err = |field: &str, code: &'static str| errs.push(FieldError { field: field.to_string(), code });
        if self.offer_threshold > 20 {
            err("offer_threshold", "out-of-range");
        }
        for (i, t) in self.tariffs.iter().enumerate() {
            if t.price < 0 || t.free_from.is_some_and(|f| f < 0) {
                err(&format!("tariffs[{i}].price"), "bad-amount");
            }
            if self.tariffs[..i].iter().any(|o| o.method == t.method) {
                err(&format!("tariffs[{i}].method"), "duplicate");
            }
        }
        if self.delivery_vat_bp > 10_000 {
            err("delivery_vat_bp", "out-of-range");
        }
        for (i, p) in self.pickup_points.iter().enumerate() {
            if p.trim().is_empty() || p.chars().count() > 200 {
                err(&format!("pickup_points[{i}]"), "required");
            }
        }
        for (field, code) in [
            ("confirmation_queue", &self.confirmation_queue),
            ("finance_queue", &self.finance_queue),
            ("sales_queue", &self.sales_queue),
        ] {
            if code.trim().is_empty() {
                err(field, "required");
            }
        }
        if !matches!(self.jurisdiction.as_str(), "kz" | "ru") {
            err("jurisdiction", "unknown-jurisdiction");
        }
        errs
    }
}

const ORDER_SETTINGS: &str = "orders";

// ---------------------------------------------------------------- input and output

/// An offered item as the desk records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferIn {
    pub sku: String,
    /// special, new, usual, complement, alternative.
    pub why: String,
    pub accepted: bool,
}

/// An order to create (the server maps the JSON draft onto it).
#[derive(Debug, Clone)]
pub struct CreateOrder {
    pub customer_id: i64,
    /// The contact it is taken in; `None` opens one (channel web, the sales queue).
    pub contact_id: Option<i64>,
    /// The operator taking it (`None` for API and web-form orders).
    pub operator_id: Option<i64>,
    /// `None`: from the contact's channel (voice → call), `api` without a contact.
    pub source: Option<Source>,
    pub order: NewOrder,
    pub offers: Vec<OfferIn>,
    pub read_back: bool,
    pub request_key: Option<String>,
}

/// The credit gate as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateOut {
    pub open: bool,
    pub reasons: Vec<&'static str>,
    pub overdue: Money,
    pub over_by: Money,
    /// `manager`, `finance` or none.
    pub redirect: Option<&'static str>,
    pub manager_id: Option<i64>,
}

impl GateOut {
    fn from_gate(g: &Gate, r: &Receivables) -> GateOut {
        match g {
            Gate::Open => GateOut {
                open: true,
                reasons: vec![],
                overdue: r.overdue,
                over_by: 0,
                redirect: None,
                manager_id: r.manager,
            },
            Gate::Blocked { reasons, redirect, over_by } => GateOut {
                open: false,
                reasons: reasons.iter().map(|r| r.as_str()).collect(),
                overdue: r.overdue,
                over_by: *over_by,
                redirect: Some(match redirect {
                    Redirect::Manager(_) => "manager",
                    Redirect::Finance => "finance",
                }),
                manager_id: r.manager,
            },
        }
    }
}

/// Why an order was not created; nothing was written.
#[derive(Debug)]
pub enum Refusal {
    Invalid(Vec<FieldError>),
    CreditBlocked(GateOut),
    OutOfStock(Vec<FieldError>),
}

/// The outcome of [`Store::create_order`].
#[derive(Debug)]
pub enum Created {
    /// A new order.
    New(Box<Order>),
    /// The request key was seen: the first order, nothing written.
    Repeated(Box<Order>),
    Refused(Refusal),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderLine {
    pub line_no: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub qty: i64,
    pub unit_price: Money,
    pub unit_cost: Money,
    pub tier_discount: Money,
    pub promotion_id: Option<String>,
    pub promotion_discount: Money,
    pub total: Money,
    pub vat_bp: i64,
    pub vat: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderPayment {
    pub id: i64,
    /// `payment` or `refund`.
    pub kind: String,
    pub amount: Money,
    pub method: String,
    pub note: String,
    pub return_id: Option<i64>,
    pub by_user: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderOffer {
    pub sku: String,
    pub why: String,
    pub accepted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryOut {
    pub method: String,
    pub address: String,
    pub pickup_point: String,
    pub slot_from: Option<i64>,
    pub slot_until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiverOut {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentOut {
    pub method: String,
    pub terms: String,
}

/// A notice the customer was sent (or is being sent) about the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderNoticeOut {
    pub id: i64,
    pub template_key: String,
    pub channel: String,
    pub body: String,
    pub status: String,
    pub created_at: i64,
}

/// An order in full (docs/ORDERS.md `Order`).
#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub id: i64,
    pub status: String,
    pub source: String,
    pub customer_id: i64,
    pub contact_id: i64,
    pub operator_id: Option<i64>,
    pub client_type: String,
    pub delivery: DeliveryOut,
    pub receiver: ReceiverOut,
    pub payment: PaymentOut,
    pub goods_total: Money,
    pub discount_total: Money,
    pub delivery_cost: Money,
    pub vat_total: Money,
    pub total: Money,
    pub paid: Money,
    pub refunded: Money,
    pub carrier: String,
    pub tracking: String,
    pub cancel_reason: Option<String>,
    pub read_back_at: Option<i64>,
    pub confirmation_contact_id: Option<i64>,
    pub offers_count: i64,
    pub offers_threshold: i64,
    pub request_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub delivered_at: Option<i64>,
    pub lines: Vec<OrderLine>,
    pub payments: Vec<OrderPayment>,
    pub offers: Vec<OrderOffer>,
    pub history: Vec<EventRecord>,
    pub notices: Vec<OrderNoticeOut>,
}

/// An order in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderSummary {
    pub id: i64,
    pub status: String,
    pub source: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub contact_id: i64,
    pub operator_id: Option<i64>,
    pub delivery_method: String,
    pub payment_method: String,
    pub total: Money,
    pub paid: Money,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Which orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<String>,
    pub customer_id: Option<i64>,
    pub contact_id: Option<i64>,
    /// Created at or after / before (ms).
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub limit: i64,
}

/// Why an action on an order was refused.
#[derive(Debug)]
pub enum ActionRefused {
    NotFound,
    /// From `retail::order::apply`.
    Lifecycle(LifecycleError),
    /// Someone else changed the order since it was read.
    Stale,
}

/// A customer's account (receivables and credit terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub balance: Money,
    pub overdue: Money,
    pub credit_limit: Option<Money>,
    pub manager_id: Option<i64>,
}

/// A priced draft (`quote`): nothing written.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    pub goods_total: Money,
    pub discount_total: Money,
    pub delivery_cost: Money,
    pub vat_total: Money,
    pub total: Money,
    pub gate: GateOut,
    pub promotions: Vec<PromotionRef>,
    pub suggestions: Vec<SuggestionOut>,
    pub alternatives: BTreeMap<String, Vec<AlternativeOut>>,
    pub offers: OffersOut,
    pub errors: Vec<FieldErrorOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuoteLine {
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub qty: i64,
    pub unit_price: Money,
    pub list_amount: Money,
    pub tier_bp: u32,
    pub tier_discount: Money,
    pub promotion: Option<String>,
    pub promotion_discount: Money,
    pub total: Money,
    pub vat_bp: u32,
    pub vat: Money,
    pub available: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PromotionRef {
    pub id: String,
    pub name: String,
    pub sku: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SuggestionOut {
    pub sku: String,
    pub name: String,
    pub why: String,
    pub price: Money,
    pub available: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlternativeOut {
    pub sku: String,
    pub name: String,
    pub available: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OffersOut {
    pub count: usize,
    pub threshold: u32,
    pub enough: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldErrorOut {
    pub field: String,
    pub code: String,
}

impl From<&FieldError> for FieldErrorOut {
    fn from(e: &FieldError) -> FieldErrorOut {
        FieldErrorOut { field: e.field.clone(), code: e.code.to_string() }
    }
}

/// A catalogue search hit for the desk.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub category: String,
    pub listed: bool,
    pub price: Option<Money>,
    pub available: i64,
    pub promotions: Vec<PromotionName>,
    pub alternatives: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PromotionName {
    pub id: String,
    pub name: String,
}

/// A draft to quote: like [`CreateOrder`] with everything optional.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub customer_id: i64,
    pub lines: Vec<(String, i64)>,
    pub delivery: Option<DeliveryMethod>,
    pub payment: Option<PaymentMethod>,
    pub terms: Option<Terms>,
    pub offered: Vec<String>,
    /// Locale of item names (`ru`, `kk`, `en`).
    pub locale: String,
}

// ---------------------------------------------------------------- text forms

pub fn terms_str(t: Terms) -> String {
    match t {
        Terms::Prepaid => "prepaid".into(),
        Terms::OnDelivery => "on_delivery".into(),
        Terms::Deferred { days } => format!("deferred:{days}"),
    }
}

pub fn parse_terms(s: &str) -> Option<Terms> {
    match s {
        "prepaid" => Some(Terms::Prepaid),
        "on_delivery" => Some(Terms::OnDelivery),
        _ => {
            let days: u32 = s.strip_prefix("deferred:")?.parse().ok()?;
            (1..=365).contains(&days).then_some(Terms::Deferred { days })
        }
    }
}

fn enum_str<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

pub fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

pub fn source_str(s: Source) -> String {
    enum_str(&s)
}

/// The source of an order taken in a contact of this channel.
pub fn source_of_channel(c: Channel) -> Source {
    match c {
        Channel::Voice => Source::Call,
        Channel::Chat => Source::Chat,
        Channel::Email => Source::Email,
        Channel::WebForm => Source::WebForm,
        Channel::Messenger => Source::Messenger,
        Channel::WalkIn => Source::Call,
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("order: {what}"))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn event_kind(s: Status) -> &'static str {
    match s {
        Status::New => ev::ORDER_CREATED,
        Status::Confirmed => ev::ORDER_CONFIRMED,
        Status::Paid => ev::ORDER_PAID,
        Status::Picked => ev::ORDER_PICKED,
        Status::Packed => ev::ORDER_PACKED,
        Status::Shipped => ev::ORDER_SHIPPED,
        Status::Delivered => ev::ORDER_DELIVERED,
        Status::Closed => ev::ORDER_CLOSED,
        Status::Cancelled => ev::ORDER_CANCELLED,
    }
}

// ---------------------------------------------------------------- catalogue reads

/// Reads the items, prices and stock rows of `skus` and every promotion
/// into a partial catalogue.
async fn load_partial(conn: &mut sqlx::AnyConnection, skus: &BTreeSet<String>, promotions: bool) -> Result<Catalogue> {
    let mut cat = Catalogue::default();
    if !skus.is_empty() {
        let list: Vec<&String> = skus.iter().collect();
        for chunk in list.chunks(400) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let marks = marks.join(",");
            let sql = format!("SELECT sku, item, price FROM catalogue_items WHERE sku IN ({marks})");
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q.bind(s.as_str());
            }
            for r in q.fetch_all(&mut *conn).await? {
                let sku: String = r.try_get("sku")?;
                let item: String = r.try_get("item")?;
                let price: Option<String> = r.try_get("price")?;
                if let Some(p) = price {
                    cat.prices.insert(sku.clone(), from_json::<Price>(&p, "catalogue price")?);
                }
                cat.items.insert(sku, from_json::<Item>(&item, "catalogue item")?);
            }
            let sql = format!(
                "SELECT sku, warehouse, on_hand, reserved FROM catalogue_stock WHERE sku IN ({marks}) \
                 ORDER BY sku, warehouse"
            );
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q.bind(s.as_str());
            }
            let mut rows = Vec::new();
            for r in q.fetch_all(&mut *conn).await? {
                rows.push(StockRow {
                    sku: r.try_get("sku")?,
                    warehouse: r.try_get("warehouse")?,
                    on_hand: r.try_get("on_hand")?,
                    reserved: r.try_get("reserved")?,
                });
            }
            let mut all: Vec<StockRow> = std::mem::take(&mut cat.stock).into();
            all.extend(rows);
            cat.stock = Stock::from(all);
        }
    }
    if promotions {
        cat.promotions = load_promotions(conn).await?;
    }
    Ok(cat)
}

async fn load_promotions(conn: &mut sqlx::AnyConnection) -> Result<Vec<Promotion>> {
    let rows = sqlx::query("SELECT promotion FROM catalogue_promotions ORDER BY id").fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let p: String = r.try_get("promotion")?;
            from_json(&p, "catalogue promotion")
        })
        .collect()
}

fn merge(into: &mut Catalogue, more: Catalogue) {
    into.items.extend(more.items);
    into.prices.extend(more.prices);
    let mut rows: Vec<StockRow> = std::mem::take(&mut into.stock).into();
    let extra: Vec<StockRow> = more.stock.into();
    rows.retain(|r| !extra.iter().any(|e| e.sku == r.sku && e.warehouse == r.warehouse));
    rows.extend(extra);
    into.stock = Stock::from(rows);
}

// ---------------------------------------------------------------- rows

const ORDER_COLUMNS: &str = "id, customer_id, contact_id, operator_id, source, client_type, status, \
    delivery_method, address, pickup_point, slot_from, slot_until, receiver_name, receiver_phone, payment_method, \
    terms, goods_total, discount_total, delivery_cost, vat_total, total, paid, refunded, carrier, tracking, \
    cancel_reason, read_back_at, confirmation_contact_id, offers_count, offers_threshold, request_key, created_at, \
    updated_at, delivered_at";

fn order_from_row(r: &sqlx::any::AnyRow) -> Result<Order> {
    Ok(Order {
        id: r.try_get("id")?,
        status: r.try_get("status")?,
        source: r.try_get("source")?,
        customer_id: r.try_get("customer_id")?,
        contact_id: r.try_get("contact_id")?,
        operator_id: r.try_get("operator_id")?,
        client_type: r.try_get("client_type")?,
        delivery: DeliveryOut {
            method: r.try_get("delivery_method")?,
            address: r.try_get("address")?,
            pickup_point: r.try_get("pickup_point")?,
            slot_from: r.try_get("slot_from")?,
            slot_until: r.try_get("slot_until")?,
        },
        receiver: ReceiverOut { name: r.try_get("receiver_name")?, phone: r.try_get("receiver_phone")? },
        payment: PaymentOut { method: r.try_get("payment_method")?, terms: r.try_get("terms")? },
        goods_total: r.try_get("goods_total")?,
        discount_total: r.try_get("discount_total")?,
        delivery_cost: r.try_get("delivery_cost")?,
        vat_total: r.try_get("vat_total")?,
        total: r.try_get("total")?,
        paid: r.try_get("paid")?,
        refunded: r.try_get("refunded")?,
        carrier: r.try_get("carrier")?,
        tracking: r.try_get("tracking")?,
        cancel_reason: r.try_get("cancel_reason")?,
        read_back_at: r.try_get("read_back_at")?,
        confirmation_contact_id: r.try_get("confirmation_contact_id")?,
        offers_count: r.try_get("offers_count")?,
        offers_threshold: r.try_get("offers_threshold")?,
        request_key: r.try_get("request_key")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        delivered_at: r.try_get("delivered_at")?,
        lines: vec![],
        payments: vec![],
        offers: vec![],
        history: vec![],
        notices: vec![],
    })
}

fn state_of(o: &Order) -> Result<OrderState> {
    Ok(OrderState {
        status: Status::parse(&o.status).ok_or_else(|| corrupt("status"))?,
        source: parse_enum(&o.source).ok_or_else(|| corrupt("source"))?,
        delivery: parse_enum(&o.delivery.method).ok_or_else(|| corrupt("delivery method"))?,
        payment: parse_enum(&o.payment.method).ok_or_else(|| corrupt("payment method"))?,
        terms: parse_terms(&o.payment.terms).ok_or_else(|| corrupt("terms"))?,
        total: o.total,
        paid: o.paid,
    })
}

fn order_refs(o: &Order, by: &AuditActor) -> EventRefs {
    EventRefs {
        contact_id: Some(o.contact_id),
        agent_id: by.user_id,
        order_id: Some(o.id),
        customer_id: Some(o.customer_id),
        queue_id: None,
    }
}

async fn receivables(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    manager: Option<i64>,
) -> Result<Receivables> {
    let row = sqlx::query("SELECT balance, overdue, credit_limit FROM customer_accounts WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(r) => Receivables {
            balance: r.try_get("balance")?,
            overdue: r.try_get("overdue")?,
            credit_limit: r.try_get("credit_limit")?,
            manager,
        },
        None => Receivables { balance: 0, overdue: 0, credit_limit: None, manager },
    })
}

impl Store {
    // ------------------------------------------------------------ settings

    /// The order settings in force (the defaults when never saved).
    pub async fn order_settings(&self) -> Result<OrderSettings> {
        Ok(self.settings_document(ORDER_SETTINGS, "order settings").await?.unwrap_or_default())
    }

    /// Replaces the order settings (checked by the caller with
    /// [`OrderSettings::check`]; refused here too), event and audit row.
    pub async fn set_order_settings(&self, s: &OrderSettings, actor: &AuditActor) -> Result<()> {
        if let Some(e) = s.check().first() {
            return Err(StoreError::Invalid(domain::validate::Invalid { field: "settings", code: e.code }));
        }
        let change = crate::settings::SettingsChange {
            key: ORDER_SETTINGS,
            event: ev::ORDER_SETTINGS_CHANGED,
            audit_action: "settings.orders",
        };
        self.put_settings_document(&change, s, actor).await
    }

    // ------------------------------------------------------------ create

    /// Creates an order in ONE transaction (docs/ORDERS.md "Invariants").
    /// A refusal writes nothing and says why; a repeated `request_key`
    /// answers the first order.
    pub async fn create_order(&self, input: &CreateOrder, settings: &OrderSettings) -> Result<Created> {
        let at = now_ms();
        let at_s = at / 1000;
        let mut tx = self.begin().await?;
        if let Some(key) = &input.request_key {
            let known: Option<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE request_key = $1")
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(id) = known {
                drop(tx);
                let o = self.order(id).await?.ok_or(StoreError::NotFound("order"))?;
                return Ok(Created::Repeated(Box::new(o)));
            }
        }
        let refuse = |errs: Vec<FieldError>| Ok(Created::Refused(Refusal::Invalid(errs)));
        let fe = |field: &str, code: &'static str| FieldError { field: field.to_string(), code };
        let customer = sqlx::query("SELECT client_type, manager_id, phone, merged_into FROM customers WHERE id = $1")
            .bind(input.customer_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(customer) = customer else { return refuse(vec![fe("customer_id", "unknown-customer")]) };
        let merged: Option<i64> = customer.try_get("merged_into")?;
        if merged.is_some() {
            return refuse(vec![fe("customer_id", "merged-customer")]);
        }
        let client_type: String = customer.try_get("client_type")?;
        let manager: Option<i64> = customer.try_get("manager_id")?;

        // The contact and the source.
        let (contact_id, source) = match input.contact_id {
            Some(cid) => {
                let row = sqlx::query("SELECT channel, customer_id FROM contacts WHERE id = $1")
                    .bind(cid)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(row) = row else { return refuse(vec![fe("contact_id", "unknown-contact")]) };
                let owner: Option<i64> = row.try_get("customer_id")?;
                if owner.is_some_and(|o| o != input.customer_id) {
                    return refuse(vec![fe("contact_id", "other-customer")]);
                }
                let channel: String = row.try_get("channel")?;
                let channel = Channel::parse(&channel).ok_or_else(|| corrupt("contact channel"))?;
                (Some(cid), input.source.unwrap_or_else(|| source_of_channel(channel)))
            }
            None => (None, input.source.unwrap_or(Source::Api)),
        };

        // Only this order's SKUs.
        let skus: BTreeSet<String> = input.order.lines.iter().map(|(s, _)| s.clone()).collect();
        let cat = load_partial(&mut tx, &skus, true).await?;
        let mut errs = rules::validate(&input.order, &cat, at_s);
        if input.order.delivery == DeliveryMethod::PickupPoint
            && !input.order.pickup_point.trim().is_empty()
            && !settings.pickup_points.iter().any(|p| p == input.order.pickup_point.trim())
        {
            errs.push(fe("pickup_point", "unknown-pickup-point"));
        }
        let out_of_stock: Vec<FieldError> = errs.iter().filter(|e| e.code == "out-of-stock").cloned().collect();
        if !errs.is_empty() {
            if out_of_stock.len() == errs.len() {
                return Ok(Created::Refused(Refusal::OutOfStock(out_of_stock)));
            }
            return refuse(errs);
        }
        let reqs: Vec<LineRequest<'_>> =
            input.order.lines.iter().map(|(s, q)| LineRequest { sku: s.as_str(), qty: *q }).collect();
        let priced = match pricing::price_order(&cat, &client_type, &reqs, 0, 0, at_s) {
            Ok(t) => t,
            Err(_) => return refuse(vec![fe("lines", "no-price")]),
        };
        let Some(delivery_cost) = rules::delivery_cost(&settings.tariffs, input.order.delivery, priced.goods_total)
        else {
            return refuse(vec![fe("delivery.method", "method-not-offered")]);
        };
        let delivery_vat = retail::money::vat_included(delivery_cost, settings.delivery_vat_bp);
        let total = priced.goods_total + delivery_cost;
        let vat_total = priced.vat + delivery_vat;

        // The credit gate.
        let r = receivables(&mut tx, input.customer_id, manager).await?;
        let gate = credit::gate(&r, total, input.order.terms.on_credit());
        if gate != Gate::Open {
            return Ok(Created::Refused(Refusal::CreditBlocked(GateOut::from_gate(&gate, &r))));
        }

        // Reserve: plan on what was read, then guarded UPDATEs.
        let mut plan_stock = cat.stock.clone();
        let lines: Vec<(&str, i64)> = input.order.lines.iter().map(|(s, q)| (s.as_str(), *q)).collect();
        let Ok(plan) = plan_stock.reserve_all(&lines, &[]) else {
            return Ok(Created::Refused(Refusal::OutOfStock(vec![fe("lines", "out-of-stock")])));
        };
        for (sku, w, q) in &plan {
            let n = sqlx::query(
                "UPDATE catalogue_stock SET reserved = reserved + $1 WHERE sku = $2 AND warehouse = $3 \
                 AND on_hand - reserved >= $1",
            )
            .bind(*q)
            .bind(sku)
            .bind(w)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                let i = input.order.lines.iter().position(|(s, _)| s == sku).unwrap_or(0);
                return Ok(Created::Refused(Refusal::OutOfStock(vec![fe(&format!("lines[{i}].qty"), "out-of-stock")])));
            }
        }

        // The contact API and web-form orders open.
        let contact_id = match contact_id {
            Some(c) => c,
            None => {
                let queue: Option<i64> = sqlx::query_scalar("SELECT id FROM queues WHERE code = $1")
                    .bind(&settings.sales_queue)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(queue_id) = queue else { return refuse(vec![fe("contact_id", "no-sales-queue")]) };
                let new = crate::contacts::NewContact {
                    channel: Channel::WebForm,
                    direction: Direction::Inbound,
                    contact_type: ContactType::SaleOrder,
                    topic: String::new(),
                    priority: 0,
                    subject: String::new(),
                    customer_id: Some(input.customer_id),
                    queue_id,
                };
                let actor = AuditActor { user_id: input.operator_id, login: "orders".into(), ip: None };
                self.insert_contact(&mut tx, &new, &[], &actor, at).await?
            }
        };

        // Offers: distinct SKUs.
        let mut offers: Vec<&OfferIn> = Vec::new();
        for o in &input.offers {
            if !offers.iter().any(|x| x.sku == o.sku) {
                offers.push(o);
            }
        }
        let o = &input.order;
        let (slot_from, slot_until) = match o.slot {
            Some((f, u)) => (Some(f * 1000), Some(u * 1000)),
            None => (None, None),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO orders (customer_id, contact_id, operator_id, source, client_type, status, delivery_method, \
             address, pickup_point, slot_from, slot_until, receiver_name, receiver_phone, payment_method, terms, \
             goods_total, discount_total, delivery_cost, vat_total, total, read_back_at, offers_count, \
             offers_threshold, request_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'new', $6, $7, $8, \
             $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $24) RETURNING id",
        )
        .bind(input.customer_id)
        .bind(contact_id)
        .bind(input.operator_id)
        .bind(source_str(source))
        .bind(&client_type)
        .bind(enum_str(&o.delivery))
        .bind(o.address.trim())
        .bind(o.pickup_point.trim())
        .bind(slot_from)
        .bind(slot_until)
        .bind(o.receiver.name.trim())
        .bind(o.receiver.phone.trim())
        .bind(enum_str(&o.payment))
        .bind(terms_str(o.terms))
        .bind(priced.goods_total)
        .bind(priced.discount)
        .bind(delivery_cost)
        .bind(vat_total)
        .bind(total)
        .bind(input.read_back.then_some(at))
        .bind(offers.len() as i64)
        .bind(i64::from(settings.offer_threshold))
        .bind(input.request_key.as_deref())
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::conflict_as("order request key"))?;

        let mut sql = String::from(
            "INSERT INTO order_lines (order_id, line_no, sku, name, unit, qty, unit_price, unit_cost, tier_discount, \
             promotion_id, promotion_discount, total, vat_bp, vat) VALUES ",
        );
        crate::push_values(&mut sql, priced.lines.len(), 14);
        let mut q = sqlx::query(&sql);
        for (i, l) in priced.lines.iter().enumerate() {
            let item = cat.item(&l.sku).ok_or_else(|| corrupt("priced item"))?;
            q = q
                .bind(id)
                .bind(i as i64 + 1)
                .bind(&l.sku)
                .bind(&item.name.ru)
                .bind(&item.unit)
                .bind(l.qty)
                .bind(l.unit_price)
                .bind(0i64)
                .bind(l.tier_discount)
                .bind(l.promotion.as_deref())
                .bind(l.promotion_discount)
                .bind(l.total)
                .bind(i64::from(l.vat_bp))
                .bind(l.vat);
        }
        q.execute(&mut *tx).await?;
        if !plan.is_empty() {
            let mut sql = String::from("INSERT INTO order_reservations (order_id, sku, warehouse, qty) VALUES ");
            crate::push_values(&mut sql, plan.len(), 4);
            let mut q = sqlx::query(&sql);
            for (sku, w, qty) in &plan {
                q = q.bind(id).bind(sku).bind(w).bind(*qty);
            }
            q.execute(&mut *tx).await?;
        }
        if !offers.is_empty() {
            let mut sql = String::from("INSERT INTO order_offers (order_id, sku, why, accepted) VALUES ");
            crate::push_values(&mut sql, offers.len(), 4);
            let mut q = sqlx::query(&sql);
            for of in &offers {
                q = q.bind(id).bind(&of.sku).bind(&of.why).bind(i64::from(of.accepted));
            }
            q.execute(&mut *tx).await?;
        }
        let refs = EventRefs {
            contact_id: Some(contact_id),
            agent_id: input.operator_id,
            order_id: Some(id),
            customer_id: Some(input.customer_id),
            queue_id: None,
        };
        let payload = json!({"status": "new", "from": null, "source": source_str(source), "total": total,
            "lines": priced.lines.len(), "offers": offers.len()});
        events::append(&mut tx, &NewEvent { at, kind: ev::ORDER_CREATED, refs, payload }).await?;
        let notice = OrderNotice { key: rules::NOTICE_CREATED, order_id: id, carrier: "", tracking: "" };
        self.notify_order(&mut tx, contact_id, notice, at).await?;
        if rules::needs_confirmation_call(source) {
            let phone: String = customer.try_get("phone")?;
            let number = domain::customer::normalize_phone(&o.receiver.phone)
                .or_else(|_| domain::customer::normalize_phone(&phone))
                .map_err(|_| corrupt("receiver phone"))?;
            let cb = crate::cti::NewCallback {
                number: number.clone(),
                queue: settings.confirmation_queue.clone(),
                due_at: at,
                source: "order-confirmation",
                key: id.to_string(),
            };
            let call = match crate::cti::insert_callback(&mut tx, &cb, &number, Some(input.customer_id), at).await {
                Ok(c) => c,
                Err(StoreError::Invalid(_)) => return refuse(vec![fe("confirmation_queue", "unknown-queue")]),
                Err(e) => return Err(e),
            };
            sqlx::query("UPDATE orders SET confirmation_contact_id = $1 WHERE id = $2")
                .bind(call)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let o = self.order(id).await?.ok_or(StoreError::NotFound("order"))?;
        Ok(Created::New(Box::new(o)))
    }

    // ------------------------------------------------------------ read

    /// One order with its lines, payments, offers, history and notices.
    pub async fn order(&self, id: i64) -> Result<Option<Order>> {
        let row = sqlx::query(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut o = order_from_row(&row)?;
        let lines = sqlx::query(
            "SELECT line_no, sku, name, unit, qty, unit_price, unit_cost, tier_discount, promotion_id, \
             promotion_discount, total, vat_bp, vat FROM order_lines WHERE order_id = $1 ORDER BY line_no",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        for r in &lines {
            o.lines.push(OrderLine {
                line_no: r.try_get("line_no")?,
                sku: r.try_get("sku")?,
                name: r.try_get("name")?,
                unit: r.try_get("unit")?,
                qty: r.try_get("qty")?,
                unit_price: r.try_get("unit_price")?,
                unit_cost: r.try_get("unit_cost")?,
                tier_discount: r.try_get("tier_discount")?,
                promotion_id: r.try_get("promotion_id")?,
                promotion_discount: r.try_get("promotion_discount")?,
                total: r.try_get("total")?,
                vat_bp: r.try_get("vat_bp")?,
                vat: r.try_get("vat")?,
            });
        }
        let pays = sqlx::query(
            "SELECT id, kind, amount, method, note, return_id, by_user, at FROM order_payments WHERE order_id = $1 \
             ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        for r in &pays {
            o.payments.push(OrderPayment {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                amount: r.try_get("amount")?,
                method: r.try_get("method")?,
                note: r.try_get("note")?,
                return_id: r.try_get("return_id")?,
                by_user: r.try_get("by_user")?,
                at: r.try_get("at")?,
            });
        }
        let offers = sqlx::query("SELECT sku, why, accepted FROM order_offers WHERE order_id = $1 ORDER BY sku")
            .bind(id)
            .fetch_all(self.reader())
            .await?;
        for r in &offers {
            let accepted: i64 = r.try_get("accepted")?;
            o.offers.push(OrderOffer { sku: r.try_get("sku")?, why: r.try_get("why")?, accepted: accepted != 0 });
        }
        o.history = self.order_events(id).await?;
        // Notices of this contact about orders (or returns), from this order's creation on.
        let notes = sqlx::query(
            "SELECT id, template_key, channel, body, status, created_at FROM notifications WHERE contact_id = $1 \
             AND created_at >= $2 AND (template_key LIKE 'order-%' OR template_key LIKE 'return-%') ORDER BY id",
        )
        .bind(o.contact_id)
        .bind(o.created_at)
        .fetch_all(self.reader())
        .await?;
        for r in &notes {
            o.notices.push(OrderNoticeOut {
                id: r.try_get("id")?,
                template_key: r.try_get("template_key")?,
                channel: r.try_get("channel")?,
                body: r.try_get("body")?,
                status: r.try_get("status")?,
                created_at: r.try_get("created_at")?,
            });
        }
        Ok(Some(o))
    }

    /// The events of an order, oldest first.
    pub async fn order_events(&self, order_id: i64) -> Result<Vec<EventRecord>> {
        let rows = sqlx::query(
            "SELECT id, at, kind, contact_id, agent_id, order_id, queue_id, customer_id, payload FROM events \
             WHERE order_id = $1 ORDER BY id",
        )
        .bind(order_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(events::record_from_row).collect()
    }

    /// Orders, newest first.
    pub async fn orders(&self, f: &OrderFilter) -> Result<Vec<OrderSummary>> {
        let rows = sqlx::query(
            "SELECT o.id, o.status, o.source, o.customer_id, cu.full_name, o.contact_id, o.operator_id, \
             o.delivery_method, o.payment_method, o.total, o.paid, o.created_at, o.updated_at FROM orders o \
             JOIN customers cu ON cu.id = o.customer_id WHERE ($1 IS NULL OR o.status = $1) \
             AND ($2 IS NULL OR o.customer_id = $2) AND ($3 IS NULL OR o.contact_id = $3) \
             AND ($4 IS NULL OR o.created_at >= $4) AND ($5 IS NULL OR o.created_at < $5) \
             ORDER BY o.created_at DESC, o.id DESC LIMIT $6",
        )
        .bind(f.status.as_deref())
        .bind(f.customer_id)
        .bind(f.contact_id)
        .bind(f.from)
        .bind(f.until)
        .bind(f.limit.clamp(1, 500))
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OrderSummary {
                    id: r.try_get("id")?,
                    status: r.try_get("status")?,
                    source: r.try_get("source")?,
                    customer_id: r.try_get("customer_id")?,
                    customer_name: r.try_get("full_name")?,
                    contact_id: r.try_get("contact_id")?,
                    operator_id: r.try_get("operator_id")?,
                    delivery_method: r.try_get("delivery_method")?,
                    payment_method: r.try_get("payment_method")?,
                    total: r.try_get("total")?,
                    paid: r.try_get("paid")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    // ------------------------------------------------------------ transitions

    /// Applies an action (`retail::order::apply`) with its stock, money,
    /// account, event and notice in one transaction, guarded by the status
    /// read: a concurrent change makes this one [`ActionRefused::Stale`].
    pub async fn transition_order(
        &self,
        id: i64,
        action: &Action,
        by: &AuditActor,
    ) -> Result<std::result::Result<Order, ActionRefused>> {
        let Some(o) = self.order_head(id).await? else { return Ok(Err(ActionRefused::NotFound)) };
        let state = state_of(&o)?;
        let t = match rules::apply(&state, action) {
            Ok(t) => t,
            Err(e) => return Ok(Err(ActionRefused::Lifecycle(e))),
        };
        let at = now_ms();
        let (carrier, tracking) = match action {
            Action::Ship { carrier, tracking } => (carrier.trim().to_string(), tracking.trim().to_string()),
            _ => (o.carrier.clone(), o.tracking.clone()),
        };
        let reason = match action {
            Action::Cancel { reason } => Some(enum_str(reason)),
            _ => None,
        };
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE orders SET status = $1, paid = paid + $2, refunded = refunded + $3, carrier = $4, tracking = $5, \
             cancel_reason = COALESCE($6, cancel_reason), delivered_at = CASE WHEN $1 = 'delivered' THEN $7 \
             ELSE delivered_at END, updated_at = $7 WHERE id = $8 AND status = $9",
        )
        .bind(t.to.as_str())
        .bind(t.received)
        .bind(t.refund)
        .bind(&carrier)
        .bind(&tracking)
        .bind(reason.as_deref())
        .bind(at)
        .bind(id)
        .bind(t.from.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(Err(ActionRefused::Stale));
        }
        let mut moved = Vec::new();
        match t.stock {
            StockEffect::None => {}
            StockEffect::Release | StockEffect::Ship => {
                let held = sqlx::query("SELECT sku, warehouse, qty FROM order_reservations WHERE order_id = $1")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                for r in &held {
                    let (sku, w, q): (String, String, i64) =
                        (r.try_get("sku")?, r.try_get("warehouse")?, r.try_get("qty")?);
                    let sql = if t.stock == StockEffect::Ship {
                        "UPDATE catalogue_stock SET on_hand = on_hand - $1, reserved = reserved - $1 \
                         WHERE sku = $2 AND warehouse = $3 AND reserved >= $1 AND on_hand >= $1"
                    } else {
                        "UPDATE catalogue_stock SET reserved = CASE WHEN reserved >= $1 THEN reserved - $1 ELSE 0 END \
                         WHERE sku = $2 AND warehouse = $3"
                    };
                    sqlx::query(sql).bind(q).bind(&sku).bind(&w).execute(&mut *tx).await?;
                    moved.push(json!({"sku": sku, "warehouse": w, "qty": q}));
                }
                sqlx::query("DELETE FROM order_reservations WHERE order_id = $1").bind(id).execute(&mut *tx).await?;
            }
            StockEffect::Return => {
                // The warehouses the goods left from, as the shipping event recorded them.
                let shipped = self.order_events(id).await?;
                let last = shipped.iter().rev().find(|e| e.kind == ev::ORDER_SHIPPED || e.kind == ev::ORDER_DELIVERED);
                let rows =
                    last.and_then(|e| e.payload.get("stock").and_then(|s| s.as_array()).cloned()).unwrap_or_default();
                for r in rows {
                    let (Some(sku), Some(w), Some(q)) = (r["sku"].as_str(), r["warehouse"].as_str(), r["qty"].as_i64())
                    else {
                        continue;
                    };
                    sqlx::query("UPDATE catalogue_stock SET on_hand = on_hand + $1 WHERE sku = $2 AND warehouse = $3")
                        .bind(q)
                        .bind(sku)
                        .bind(w)
                        .execute(&mut *tx)
                        .await?;
                    moved.push(r.clone());
                }
            }
        }
        if t.received > 0 {
            insert_payment(&mut tx, id, "payment", t.received, &o.payment.method, "", by, at).await?;
        }
        if t.refund > 0 {
            let note = reason.clone().unwrap_or_default();
            insert_payment(&mut tx, id, "refund", t.refund, &o.payment.method, &note, by, at).await?;
        }
        // Deferred invoice: the debt is the customer's from delivery.
        if t.to == Status::Delivered && state.terms.on_credit() {
            let due = o.total - o.paid;
            sqlx::query(
                "INSERT INTO customer_accounts (customer_id, balance, overdue, credit_limit, updated_at) \
                 VALUES ($1, $2, 0, NULL, $3) ON CONFLICT (customer_id) DO UPDATE SET \
                 balance = customer_accounts.balance + excluded.balance, updated_at = excluded.updated_at",
            )
            .bind(o.customer_id)
            .bind(due)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        let mut payload = json!({"status": t.to.as_str(), "from": t.from.as_str()});
        if t.to == Status::Shipped {
            payload["carrier"] = json!(carrier);
            payload["tracking"] = json!(tracking);
        }
        if !moved.is_empty() {
            payload["stock"] = json!(moved);
        }
        if t.received > 0 {
            payload["amount"] = json!(t.received);
        }
        if let Some(r) = &reason {
            payload["reason"] = json!(r);
            payload["refund"] = json!(t.refund);
        }
        events::append(&mut tx, &NewEvent { at, kind: event_kind(t.to), refs: order_refs(&o, by), payload }).await?;
        let notice = OrderNotice { key: t.notice, order_id: id, carrier: &carrier, tracking: &tracking };
        self.notify_order(&mut tx, o.contact_id, notice, at).await?;
        tx.commit().await?;
        let o = self.order(id).await?.ok_or(StoreError::NotFound("order"))?;
        Ok(Ok(o))
    }

    /// The order row alone (no lines or history).
    async fn order_head(&self, id: i64) -> Result<Option<Order>> {
        let row = sqlx::query(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(order_from_row).transpose()
    }

    // ------------------------------------------------------------ accounts

    /// A customer's account: zeros and no limit when never set.
    pub async fn customer_account(&self, customer_id: i64) -> Result<Option<Account>> {
        let Some(c) = self.customer(customer_id).await? else { return Ok(None) };
        let row = sqlx::query("SELECT balance, overdue, credit_limit FROM customer_accounts WHERE customer_id = $1")
            .bind(customer_id)
            .fetch_optional(self.reader())
            .await?;
        Ok(Some(match row {
            Some(r) => Account {
                balance: r.try_get("balance")?,
                overdue: r.try_get("overdue")?,
                credit_limit: r.try_get("credit_limit")?,
                manager_id: c.manager_id,
            },
            None => Account { balance: 0, overdue: 0, credit_limit: None, manager_id: c.manager_id },
        }))
    }

    /// Sets a customer's balance, overdue part and credit limit (audited,
    /// event `customer_account.changed`). Negative amounts, or overdue above
    /// the balance, are refused.
    pub async fn set_customer_account(
        &self,
        customer_id: i64,
        balance: Money,
        overdue: Money,
        credit_limit: Option<Money>,
        actor: &AuditActor,
    ) -> Result<()> {
        let invalid = |field, code| StoreError::Invalid(domain::validate::Invalid { field, code });
        if balance < 0 {
            return Err(invalid("balance", "negative"));
        }
        if overdue < 0 || overdue > balance {
            return Err(invalid("overdue", "out-of-range"));
        }
        if credit_limit.is_some_and(|l| l < 0) {
            return Err(invalid("credit_limit", "negative"));
        }
        if self.customer(customer_id).await?.is_none() {
            return Err(StoreError::NotFound("customer"));
        }
        let at = now_ms();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO customer_accounts (customer_id, balance, overdue, credit_limit, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (customer_id) DO UPDATE SET balance = excluded.balance, \
             overdue = excluded.overdue, credit_limit = excluded.credit_limit, updated_at = excluded.updated_at",
        )
        .bind(customer_id)
        .bind(balance)
        .bind(overdue)
        .bind(credit_limit)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let payload = json!({"balance": balance, "overdue": overdue, "credit_limit": credit_limit});
        let refs = EventRefs { agent_id: actor.user_id, customer_id: Some(customer_id), ..Default::default() };
        events::append(&mut tx, &NewEvent { at, kind: ev::CUSTOMER_ACCOUNT_CHANGED, refs, payload: payload.clone() })
            .await?;
        audit::record_in(
            &mut tx,
            actor,
            "customer.account",
            &format!("customer:{customer_id}"),
            &payload.to_string(),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ credit redirect

    /// The credit gate for a customer and an order of `total` (0: any order).
    pub async fn credit_gate(&self, customer_id: i64, total: Money, on_credit: bool) -> Result<Option<GateOut>> {
        let Some(a) = self.customer_account(customer_id).await? else { return Ok(None) };
        let r =
            Receivables { balance: a.balance, overdue: a.overdue, credit_limit: a.credit_limit, manager: a.manager_id };
        Ok(Some(GateOut::from_gate(&credit::gate(&r, total, on_credit), &r)))
    }

    /// Where a blocked contact goes: (`manager` and a queue the manager
    /// serves, or `finance` and the finance queue); `None` when neither exists.
    pub async fn credit_redirect_target(
        &self,
        gate: &GateOut,
        settings: &OrderSettings,
    ) -> Result<Option<(&'static str, i64)>> {
        if let Some(m) = gate.manager_id {
            let served = self.queue_members().await?.into_iter().find(|(_, u)| *u == m).map(|(q, _)| q);
            if let Some(q) = served {
                return Ok(Some(("manager", q)));
            }
        }
        let finance = self.list_queues().await?.into_iter().find(|q| q.code == settings.finance_queue);
        Ok(finance.map(|q| ("finance", q.id)))
    }

    /// Records that the credit gate blocked an order in a contact and where
    /// the contact went (event `order.blocked`).
    pub async fn record_order_blocked(
        &self,
        contact_id: i64,
        customer_id: i64,
        gate: &GateOut,
        to: &str,
        by: &AuditActor,
    ) -> Result<()> {
        let at = now_ms();
        let mut tx = self.begin().await?;
        let refs = EventRefs {
            contact_id: Some(contact_id),
            agent_id: by.user_id,
            customer_id: Some(customer_id),
            ..Default::default()
        };
        let payload = json!({"reasons": gate.reasons, "overdue": gate.overdue, "over_by": gate.over_by, "redirect": to,
            "manager_id": gate.manager_id});
        events::append(&mut tx, &NewEvent { at, kind: ev::ORDER_BLOCKED, refs, payload }).await?;
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ quote and search

    /// Prices a draft, checks the gate and proposes offers; writes nothing.
    pub async fn quote_order(&self, d: &Draft, settings: &OrderSettings) -> Result<Option<Quote>> {
        let at = now_ms();
        let at_s = at / 1000;
        let Some(customer) = self.customer(d.customer_id).await? else { return Ok(None) };
        let client_type = customer.client_type.clone();
        let basket: BTreeSet<String> = d.lines.iter().map(|(s, _)| s.clone()).collect();
        let mut conn = self.reader().acquire().await?;
        let mut cat = load_partial(&mut conn, &basket, true).await?;
        // Candidates: special (promoted SKUs), new, usual for the client type, complements and alternatives.
        let special: Vec<String> = cat
            .promotions
            .iter()
            .filter(|p| p.active_at(at_s) && (p.client_types.is_empty() || p.client_types.contains(&client_type)))
            .flat_map(|p| p.skus.iter().cloned())
            .collect();
        let new_items: Vec<String> = sqlx::query_scalar(
            "SELECT sku FROM catalogue_items WHERE listed = 1 ORDER BY created_at DESC, sku LIMIT 10",
        )
        .fetch_all(self.reader())
        .await?;
        let usual: Vec<String> = sqlx::query_scalar(
            "SELECT l.sku FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.client_type = $1 \
             GROUP BY l.sku ORDER BY SUM(l.qty) DESC, l.sku LIMIT 10",
        )
        .bind(&client_type)
        .fetch_all(self.reader())
        .await?;
        let mut more: BTreeSet<String> = BTreeSet::new();
        more.extend(special.iter().cloned());
        more.extend(new_items.iter().cloned());
        more.extend(usual.iter().cloned());
        for s in &basket {
            if let Some(i) = cat.item(s) {
                more.extend(i.alternatives.iter().cloned());
                more.extend(i.complements.iter().cloned());
            }
        }
        more.extend(d.offered.iter().cloned());
        let more: BTreeSet<String> = more.difference(&basket).cloned().collect();
        let extra = load_partial(&mut conn, &more, false).await?;
        drop(conn);
        merge(&mut cat, extra);

        let mut errors: Vec<FieldErrorOut> = Vec::new();
        let mut priced_lines = Vec::new();
        let mut alternatives = BTreeMap::new();
        let mut ok_lines: Vec<LineRequest<'_>> = Vec::new();
        for (i, (sku, qty)) in d.lines.iter().enumerate() {
            match cat.item(sku) {
                None => errors.push(FieldErrorOut { field: format!("lines[{i}].sku"), code: "unknown-item".into() }),
                Some(item) if !item.listed => {
                    errors.push(FieldErrorOut { field: format!("lines[{i}].sku"), code: "delisted".into() })
                }
                Some(_) if cat.price(sku).is_none() => {
                    errors.push(FieldErrorOut { field: format!("lines[{i}].sku"), code: "no-price".into() })
                }
                Some(_) if *qty <= 0 || *qty > rules::MAX_QTY => {
                    errors.push(FieldErrorOut { field: format!("lines[{i}].qty"), code: "bad-quantity".into() })
                }
                Some(_) => {
                    if cat.stock.available(sku) < *qty {
                        errors.push(FieldErrorOut { field: format!("lines[{i}].qty"), code: "out-of-stock".into() });
                        let alts: Vec<AlternativeOut> = retail::offers::alternatives(&cat, sku)
                            .into_iter()
                            .map(|a| AlternativeOut {
                                name: cat.item(&a).map(|i| i.name.get(&d.locale).to_string()).unwrap_or_default(),
                                available: cat.stock.available(&a),
                                sku: a,
                            })
                            .collect();
                        alternatives.insert(sku.clone(), alts);
                    }
                    ok_lines.push(LineRequest { sku: sku.as_str(), qty: *qty });
                }
            }
        }
        let totals = pricing::price_order(&cat, &client_type, &ok_lines, 0, 0, at_s).ok();
        let goods_total = totals.as_ref().map_or(0, |t| t.goods_total);
        let delivery_cost = match d.delivery {
            Some(m) => match rules::delivery_cost(&settings.tariffs, m, goods_total) {
                Some(c) => c,
                None => {
                    errors.push(FieldErrorOut { field: "delivery.method".into(), code: "method-not-offered".into() });
                    0
                }
            },
            None => 0,
        };
        if let (Some(p), Some(t)) = (d.payment, d.terms) {
            if !p.allows(t) {
                errors.push(FieldErrorOut { field: "terms".into(), code: "terms-not-allowed".into() });
            }
        }
        let delivery_vat = retail::money::vat_included(delivery_cost, settings.delivery_vat_bp);
        let mut promotions = Vec::new();
        if let Some(t) = &totals {
            for l in &t.lines {
                let item = cat.item(&l.sku);
                if let (Some(pid), Some(_)) = (&l.promotion, item) {
                    let name = cat
                        .promotions
                        .iter()
                        .find(|p| &p.id == pid)
                        .map(|p| p.title.get(&d.locale).to_string())
                        .unwrap_or_default();
                    promotions.push(PromotionRef { id: pid.clone(), name, sku: l.sku.clone() });
                }
                priced_lines.push(QuoteLine {
                    sku: l.sku.clone(),
                    name: item.map(|i| i.name.get(&d.locale).to_string()).unwrap_or_default(),
                    unit: item.map(|i| i.unit.clone()).unwrap_or_default(),
                    qty: l.qty,
                    unit_price: l.unit_price,
                    list_amount: l.list_amount,
                    tier_bp: l.tier_bp,
                    tier_discount: l.tier_discount,
                    promotion: l.promotion.clone(),
                    promotion_discount: l.promotion_discount,
                    total: l.total,
                    vat_bp: l.vat_bp,
                    vat: l.vat,
                    available: cat.stock.available(&l.sku),
                });
            }
        }
        let total = goods_total + delivery_cost;
        let r = Receivables { balance: 0, overdue: 0, credit_limit: None, manager: customer.manager_id };
        let account = self.customer_account(d.customer_id).await?;
        let r = account.map_or(r, |a| Receivables {
            balance: a.balance,
            overdue: a.overdue,
            credit_limit: a.credit_limit,
            manager: a.manager_id,
        });
        let gate = credit::gate(&r, total, d.terms.is_some_and(|t| t.on_credit()));
        let basket_v: Vec<String> = basket.iter().cloned().collect();
        let input = retail::offers::OfferInput {
            special: &special,
            new_items: &new_items,
            usual: &usual,
            basket: &basket_v,
            already_offered: &d.offered,
        };
        let n = (settings.offer_threshold as usize).max(3) + 2;
        let suggestions = retail::offers::suggest(&cat, &input, n)
            .into_iter()
            .map(|s| SuggestionOut {
                name: cat.item(&s.sku).map(|i| i.name.get(&d.locale).to_string()).unwrap_or_default(),
                why: enum_str(&s.why),
                price: cat.price(&s.sku).map_or(0, |p| p.unit_price(&client_type)),
                available: cat.stock.available(&s.sku),
                sku: s.sku,
            })
            .collect();
        let mut log = retail::offers::OfferLog::default();
        for s in &d.offered {
            log.offered(s);
        }
        Ok(Some(Quote {
            lines: priced_lines,
            goods_total,
            discount_total: totals.as_ref().map_or(0, |t| t.discount),
            delivery_cost,
            vat_total: totals.as_ref().map_or(0, |t| t.vat) + delivery_vat,
            total,
            gate: GateOut::from_gate(&gate, &r),
            promotions,
            suggestions,
            alternatives,
            offers: OffersOut {
                count: log.count(),
                threshold: settings.offer_threshold,
                enough: log.enough_offered(settings.offer_threshold as usize),
            },
            errors,
        }))
    }

    /// Listed items matching `query` (SKU prefix, a word of a name in any
    /// language, an attribute value) with the price for `client_type`, the
    /// stock available and the promotions covering them now.
    pub async fn catalogue_search(
        &self,
        query: &str,
        client_type: &str,
        locale: &str,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Ok(vec![]);
        }
        // Name forms: the stored names, folded in Rust (SQL LOWER is ASCII-only on SQLite).
        let rows = sqlx::query(
            "SELECT sku, name_ru, name_kk, name_en, item FROM catalogue_items WHERE listed = 1 ORDER BY sku",
        )
        .fetch_all(self.reader())
        .await?;
        let mut skus = BTreeSet::new();
        for r in &rows {
            let sku: String = r.try_get("sku")?;
            let names: [String; 3] = [r.try_get("name_ru")?, r.try_get("name_kk")?, r.try_get("name_en")?];
            let hit = sku.to_lowercase().starts_with(&q) || names.iter().any(|n| n.to_lowercase().contains(&q)) || {
                let item: String = r.try_get("item")?;
                item.to_lowercase().contains(&q)
                    && from_json::<Item>(&item, "catalogue item")?
                        .attributes
                        .iter()
                        .any(|(_, v)| v.to_lowercase().contains(&q))
            };
            if hit {
                skus.insert(sku);
                if skus.len() >= limit {
                    break;
                }
            }
        }
        let mut conn = self.reader().acquire().await?;
        let cat = load_partial(&mut conn, &skus, true).await?;
        let at_s = now_ms() / 1000;
        Ok(cat
            .items
            .values()
            .map(|i| SearchHit {
                sku: i.sku.clone(),
                name: i.name.get(locale).to_string(),
                unit: i.unit.clone(),
                category: i.category_path(),
                listed: i.listed,
                price: cat.price(&i.sku).map(|p| p.unit_price(client_type)),
                available: cat.stock.available(&i.sku),
                promotions: cat
                    .promotions_for(i, client_type, at_s)
                    .map(|p| PromotionName { id: p.id.clone(), name: p.title.get(locale).to_string() })
                    .collect(),
                alternatives: i.alternatives.clone(),
            })
            .collect())
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_payment(
    tx: &mut Transaction<'static, Any>,
    order_id: i64,
    kind: &str,
    amount: Money,
    method: &str,
    note: &str,
    by: &AuditActor,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO order_payments (order_id, kind, amount, method, note, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(order_id)
    .bind(kind)
    .bind(amount)
    .bind(method)
    .bind(note)
    .bind(by.user_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Parses an action's name and fields (the API's `{action, …}`).
pub fn parse_cancel_reason(s: &str) -> Option<CancelReason> {
    parse_enum(s)
}
