//! Returns, exchanges and claims of orders (migration 0022; docs/ORDERS.md
//! "Returns and claims"). The rules are `retail::returns`; this module
//! loads the order, decides every requested line under the presets in force
//! and writes the outcome in ONE transaction:
//!
//! - refused (any line refused: the whole request is, with that line's
//!   reason): the request and its lines, event `order.return_refused`, the
//!   customer notice `return-refused`;
//! - accepted: the request and its lines; goods of proper quality back on
//!   hand in the warehouse they left (`catalogue_stock.on_hand += qty`);
//!   defective goods are NOT put back into any stock row (sellable stock is
//!   the sum over warehouses): they are recorded in `order_return_lines`
//!   with `stock_to = 'defective'`, the register of defective returns; an
//!   exchange reserves the same quantity of the same SKU for the
//!   replacement (`catalogue_stock.reserved`, 409 `out-of-stock` and nothing
//!   written when there is none); the refund: for deferred terms first
//!   written off the unpaid part of the order (`customer_accounts.balance`),
//!   the rest (at most what was paid and not yet refunded) as an
//!   `order_payments` row `refund` with `return_id`, added to
//!   `orders.refunded`; event `order.return_accepted`, notice `return-accepted`.
//!
//! A quantity beyond what was delivered less earlier accepted returns is
//! refused as invalid with nothing written. Presets: the shipped
//! `return_windows.toml` unless an administrator saved an edited copy
//! (settings document `return_windows`); the jurisdiction is the `orders`
//! settings document's `jurisdiction` (default `KZ`).
//!
//! A claim (претензия) opens a complaint contact for the order's customer,
//! linked to the order (`contact_links.order_ref` = the order id), with the
//! answer deadline of the jurisdiction's `consumer_claim` legal preset.

use std::collections::HashSet;

use domain::calendar::HolidaySet;
use domain::contact::{Channel, ContactType, Direction};
use domain::contact_work::LinkKind;
use domain::events as ev;
use domain::time::{Date, UtcOffset};
use domain::validate::Invalid;
use retail::returns::{decide, Decision, ReturnRequest, StockTo};
/// The rules' types the server needs (it does not depend on `retail` itself).
pub use retail::returns::{RequestKind, ReturnPresets, Term, RETURN_PRESETS};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{Any, Row, Transaction};

use crate::audit::AuditActor;
use crate::contacts::{Contact, NewContact};
use crate::events::{self, EventRefs, NewEvent};
use crate::settings::SettingsChange;
use crate::{now_ms, Result, Store, StoreError};

/// Settings key of the administrator's copy of the return presets.
pub const RETURN_WINDOWS_KEY: &str = "return_windows";
/// Settings key of the order settings (its `jurisdiction` field is read here).
pub const ORDER_SETTINGS_KEY: &str = "orders";
/// The jurisdiction when the order settings name none.
pub const DEFAULT_JURISDICTION: &str = "KZ";
/// Longest reason or claim text, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredPresets {
    text: String,
}

/// The return presets in force, with the text they were read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnWindows {
    pub text: String,
    pub presets: ReturnPresets,
    /// An administrator's copy (false: the shipped file).
    pub edited: bool,
}

/// A return or exchange request as registered by an operator or the API.
#[derive(Debug, Clone)]
pub struct NewReturn {
    pub kind: RequestKind,
    pub reason: String,
    pub defective: bool,
    /// Whether written return terms were handed over at delivery.
    pub written_terms_given: bool,
    /// The seller's cost of getting goods of proper quality back (deducted from a refund).
    pub return_shipping: i64,
    /// (SKU, quantity).
    pub lines: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnLine {
    pub sku: String,
    pub qty: i64,
    pub unit_paid: i64,
    /// `sellable`, `defective`, or `None` when refused.
    pub stock_to: Option<String>,
    pub warehouse: String,
    pub replacement_reserved: i64,
    pub replacement_warehouse: String,
    pub refund: i64,
}

/// A stored return or exchange request with its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderReturn {
    pub id: i64,
    pub order_id: i64,
    /// `return` or `exchange`.
    pub kind: String,
    pub reason: String,
    /// `proper` or `defective`.
    pub quality: String,
    pub written_terms_given: bool,
    pub jurisdiction: String,
    pub requested_at: i64,
    /// `accepted` or `refused`.
    pub decision: String,
    pub refusal_code: Option<String>,
    /// The legal basis quoted to the customer when refused.
    pub refusal_text: String,
    pub basis: String,
    pub last_day: Option<String>,
    pub decided_by: Option<i64>,
    pub refund: i64,
    pub refund_paid: i64,
    pub debt_reduced: i64,
    pub return_shipping: i64,
    pub lines: Vec<ReturnLine>,
}

/// A claim about an order: its complaint contact and legal deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderClaim {
    pub id: i64,
    pub order_id: i64,
    pub contact_id: i64,
    pub text: String,
    pub preset_id: String,
    pub due_at: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// A claim as filed.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub text: String,
    /// The channel it came by; the order contact's when `None`.
    pub channel: Option<Channel>,
}

/// The offset and holidays of a jurisdiction (KZ: Almaty; RU: Moscow).
pub fn jurisdiction_calendar(jurisdiction: &str) -> (UtcOffset, HolidaySet) {
    if jurisdiction.eq_ignore_ascii_case("RU") {
        (UtcOffset::MOSCOW, HolidaySet::ru())
    } else {
        (UtcOffset::ALMATY, HolidaySet::kz())
    }
}

/// How a refund of `refund` is given back: `(money, debt written off)`.
/// Under deferred terms it first cancels what is still owed on the order
/// (`total − paid − debt written off before`); money never exceeds what was
/// paid and not yet refunded.
pub fn split_refund(refund: i64, terms: &str, total: i64, paid: i64, refunded: i64, debt_before: i64) -> (i64, i64) {
    let refund = refund.max(0);
    let debt = if terms.starts_with("deferred:") { refund.min((total - paid - debt_before).max(0)) } else { 0 };
    let money = (refund - debt).min((paid - refunded).max(0));
    (money, debt)
}

fn invalid(field: &'static str, code: &'static str) -> StoreError {
    StoreError::Invalid(Invalid { field, code })
}

/// Checks a request before anything is read: lines present, positive, not repeated; text bounded.
pub fn validate_return(new: &NewReturn) -> Result<(), Invalid> {
    if new.lines.is_empty() {
        return Err(Invalid { field: "lines", code: "return-lines-required" });
    }
    let mut seen = HashSet::new();
    for (sku, qty) in &new.lines {
        if *qty <= 0 {
            return Err(Invalid { field: "lines", code: "return-qty-invalid" });
        }
        if !seen.insert(sku.as_str()) {
            return Err(Invalid { field: "lines", code: "return-sku-repeated" });
        }
    }
    if new.reason.trim().is_empty() {
        return Err(Invalid { field: "reason", code: "return-reason-required" });
    }
    if new.reason.chars().count() > MAX_TEXT_CHARS {
        return Err(Invalid { field: "reason", code: "return-reason-too-long" });
    }
    if new.return_shipping < 0 {
        return Err(Invalid { field: "return_shipping", code: "return-shipping-invalid" });
    }
    Ok(())
}

struct OrderRow {
    status: String,
    customer_id: i64,
    contact_id: i64,
    delivered_at: Option<i64>,
    terms: String,
    payment_method: String,
    total: i64,
    paid: i64,
    refunded: i64,
}

async fn load_order(tx: &mut Transaction<'static, Any>, id: i64) -> Result<OrderRow> {
    let r = sqlx::query(
        "SELECT status, customer_id, contact_id, delivered_at, terms, payment_method, total, paid, refunded \
         FROM orders WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("order"))?;
    Ok(OrderRow {
        status: r.try_get("status")?,
        customer_id: r.try_get("customer_id")?,
        contact_id: r.try_get("contact_id")?,
        delivered_at: r.try_get("delivered_at")?,
        terms: r.try_get("terms")?,
        payment_method: r.try_get("payment_method")?,
        total: r.try_get("total")?,
        paid: r.try_get("paid")?,
        refunded: r.try_get("refunded")?,
    })
}

/// One requested line with what the order says of it.
struct Priced {
    sku: String,
    qty: i64,
    unit_paid: i64,
    decision: Decision,
}

fn order_refs(order_id: i64, o: &OrderRow, actor: &AuditActor) -> EventRefs {
    EventRefs {
        order_id: Some(order_id),
        contact_id: Some(o.contact_id),
        customer_id: Some(o.customer_id),
        agent_id: actor.user_id,
        ..Default::default()
    }
}

impl Store {
    /// The return presets in force: the administrator's copy, else the shipped file.
    pub async fn return_windows(&self) -> Result<ReturnWindows> {
        match self.settings_document::<StoredPresets>(RETURN_WINDOWS_KEY, "return windows").await? {
            Some(s) => {
                let presets = ReturnPresets::parse(&s.text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(ReturnWindows { text: s.text, presets, edited: true })
            }
            None => {
                let presets = ReturnPresets::shipped().map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(ReturnWindows { text: retail::returns::RETURN_PRESETS.to_string(), presets, edited: false })
            }
        }
    }

    /// Replaces the return presets with an edited copy, checked by
    /// `ReturnPresets::parse` (every entry keeps its source) by the caller;
    /// event and audit row.
    pub async fn set_return_windows(&self, text: &str, actor: &AuditActor) -> Result<()> {
        let change = SettingsChange {
            key: RETURN_WINDOWS_KEY,
            event: ev::RETURN_WINDOWS_CHANGED,
            audit_action: "settings.return_windows",
        };
        self.put_settings_document(&change, &StoredPresets { text: text.to_string() }, actor).await
    }

    /// The jurisdiction whose windows apply: the `orders` settings' `jurisdiction`, else KZ.
    pub async fn order_jurisdiction(&self) -> Result<String> {
        let doc = self.settings_document::<serde_json::Value>(ORDER_SETTINGS_KEY, "order settings").await?;
        let j = doc.as_ref().and_then(|d| d["jurisdiction"].as_str()).map(str::trim).unwrap_or_default();
        Ok(if j.is_empty() { DEFAULT_JURISDICTION.to_string() } else { j.to_ascii_uppercase() })
    }

    /// Registers a return or exchange request and decides it by the rules at
    /// `now` (see the module doc). Errors: `NotFound("order")`;
    /// `Conflict("order-not-delivered")`; `Invalid` for bad lines or a
    /// quantity beyond what is left to return; `Conflict("out-of-stock")`
    /// for an exchange without stock for the replacement. Nothing is
    /// written on an error.
    pub async fn request_return(
        &self,
        order_id: i64,
        new: &NewReturn,
        actor: &AuditActor,
        now: i64,
    ) -> Result<OrderReturn> {
        validate_return(new)?;
        let presets = self.return_windows().await?.presets;
        let jurisdiction = self.order_jurisdiction().await?;
        let (offset, holidays) = jurisdiction_calendar(&jurisdiction);
        let mut tx = self.begin().await?;
        // Lock the order's row first: two requests for one order run one after
        // the other, so "delivered less returned" cannot be counted twice.
        sqlx::query("UPDATE orders SET updated_at = updated_at WHERE id = $1").bind(order_id).execute(&mut *tx).await?;
        let o = load_order(&mut tx, order_id).await?;
        let delivered_at = match (o.status.as_str(), o.delivered_at) {
            ("delivered" | "closed", Some(at)) => at,
            _ => return Err(StoreError::Conflict("order-not-delivered")),
        };
        let (delivered_on, requested_on) = (offset.local_date(delivered_at), offset.local_date(now));
        let mut priced = Vec::with_capacity(new.lines.len());
        for (sku, qty) in &new.lines {
            let r = sqlx::query(
                "SELECT CAST(COALESCE(SUM(qty), 0) AS BIGINT) AS qty, CAST(COALESCE(SUM(total), 0) AS BIGINT) AS total \
                 FROM order_lines WHERE order_id = $1 AND sku = $2",
            )
            .bind(order_id)
            .bind(sku)
            .fetch_one(&mut *tx)
            .await?;
            let (delivered, paid_total): (i64, i64) = (r.try_get("qty")?, r.try_get("total")?);
            if delivered == 0 {
                return Err(invalid("lines", "return-sku-not-in-order"));
            }
            let returned: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(l.qty), 0) AS BIGINT) FROM order_return_lines l \
                 JOIN order_returns r ON r.id = l.return_id \
                 WHERE r.order_id = $1 AND l.sku = $2 AND r.decision = 'accepted'",
            )
            .bind(order_id)
            .bind(sku)
            .fetch_one(&mut *tx)
            .await?;
            if *qty > delivered - returned {
                return Err(invalid("lines", "return-qty-exceeds"));
            }
            let item: String = sqlx::query_scalar("SELECT item FROM catalogue_items WHERE sku = $1")
                .bind(sku)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound("catalogue item"))?;
            let item: retail::catalogue::Item =
                serde_json::from_str(&item).map_err(|e| StoreError::Corrupt(format!("catalogue item: {e}")))?;
            let unit_paid = paid_total / delivered;
            let req = ReturnRequest {
                jurisdiction: jurisdiction.clone(),
                kind: new.kind,
                defective: new.defective,
                goods_class: item.goods_class.clone(),
                warranty_months: item.warranty_months,
                written_terms_given: new.written_terms_given,
                delivered_on,
                requested_on,
                qty: *qty,
                unit_paid,
                return_shipping: 0,
            };
            let decision = decide(&presets, &req, Some(&holidays));
            priced.push(Priced { sku: sku.clone(), qty: *qty, unit_paid, decision });
        }
        let refused = priced.iter().find_map(|p| match &p.decision {
            Decision::Refused { reason, source } => Some((reason.clone(), source.clone())),
            Decision::Accepted { .. } => None,
        });
        let kind = match new.kind {
            RequestKind::Return => "return",
            RequestKind::Exchange => "exchange",
        };
        let quality = if new.defective { "defective" } else { "proper" };
        let refs = order_refs(order_id, &o, actor);
        let return_id: i64 = sqlx::query_scalar(
            "INSERT INTO order_returns (order_id, kind, reason, quality, written_terms_given, jurisdiction, \
             requested_at, decision, decided_by, return_shipping) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING id",
        )
        .bind(order_id)
        .bind(kind)
        .bind(new.reason.trim())
        .bind(quality)
        .bind(i64::from(new.written_terms_given))
        .bind(&jurisdiction)
        .bind(now)
        .bind(if refused.is_some() { "refused" } else { "accepted" })
        .bind(actor.user_id)
        .bind(new.return_shipping)
        .fetch_one(&mut *tx)
        .await?;
        if let Some((reason, source)) = refused {
            let last_day = match &reason {
                retail::returns::Refusal::OutsideWindow { last_day }
                | retail::returns::Refusal::WarrantyExpired { last_day } => Some(last_day.to_string()),
                _ => None,
            };
            sqlx::query("UPDATE order_returns SET refusal_code = $1, refusal_text = $2, last_day = $3 WHERE id = $4")
                .bind(reason.code())
                .bind(&source)
                .bind(last_day.as_deref())
                .bind(return_id)
                .execute(&mut *tx)
                .await?;
            for p in &priced {
                insert_line(&mut tx, return_id, p, None, "", 0, "", 0).await?;
            }
            let payload = json!({"return_id": return_id, "kind": kind, "code": reason.code(), "source": source,
                "last_day": last_day, "status": o.status});
            events::append(&mut tx, &NewEvent { at: now, kind: ev::ORDER_RETURN_REFUSED, refs, payload }).await?;
            let args = [
                ("number", order_id.to_string()),
                ("code", reason.code().to_string()),
                ("last_day", last_day.clone().unwrap_or_default()),
            ];
            self.notify_key(&mut tx, o.contact_id, "return-refused", &args, now).await?;
        } else {
            let mut refund = 0i64;
            let mut basis = String::new();
            let mut last_day = None;
            for p in &priced {
                let Decision::Accepted { basis: b, last_day: l, stock_in, stock_to, stock_out, refund: r } =
                    &p.decision
                else {
                    continue;
                };
                basis.clone_from(b);
                last_day = Some(*l);
                refund += *r;
                let (to, warehouse) = match stock_to {
                    StockTo::Sellable => {
                        let w = return_warehouse(&mut tx, order_id, &p.sku).await?;
                        sqlx::query(
                            "INSERT INTO catalogue_stock (sku, warehouse, on_hand, reserved) VALUES ($1, $2, $3, 0) \
                             ON CONFLICT (sku, warehouse) DO UPDATE SET on_hand = catalogue_stock.on_hand + excluded.on_hand",
                        )
                        .bind(&p.sku)
                        .bind(&w)
                        .bind(*stock_in)
                        .execute(&mut *tx)
                        .await?;
                        ("sellable", w)
                    }
                    StockTo::Defective => ("defective", String::new()),
                };
                let mut reserved_in = String::new();
                if *stock_out > 0 {
                    reserved_in = reserve_replacement(&mut tx, &p.sku, *stock_out).await?;
                }
                insert_line(&mut tx, return_id, p, Some(to), &warehouse, *stock_out, &reserved_in, *r).await?;
            }
            if !new.defective && new.kind == RequestKind::Return {
                refund = (refund - new.return_shipping).max(0);
            }
            let debt_before: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(debt_reduced), 0) AS BIGINT) FROM order_returns WHERE order_id = $1",
            )
            .bind(order_id)
            .fetch_one(&mut *tx)
            .await?;
            let (money, debt) = split_refund(refund, &o.terms, o.total, o.paid, o.refunded, debt_before);
            if money > 0 {
                sqlx::query(
                    "INSERT INTO order_payments (order_id, kind, amount, method, note, return_id, by_user, at) \
                     VALUES ($1, 'refund', $2, $3, $4, $5, $6, $7)",
                )
                .bind(order_id)
                .bind(money)
                .bind(&o.payment_method)
                .bind(format!("{kind} {return_id}"))
                .bind(return_id)
                .bind(actor.user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE orders SET refunded = refunded + $1, updated_at = $2 WHERE id = $3")
                    .bind(money)
                    .bind(now)
                    .bind(order_id)
                    .execute(&mut *tx)
                    .await?;
            }
            if debt > 0 {
                write_off(&mut tx, o.customer_id, debt, now).await?;
            }
            let last_day = last_day.map(|d: Date| d.to_string());
            sqlx::query(
                "UPDATE order_returns SET basis = $1, last_day = $2, refund = $3, refund_paid = $4, debt_reduced = $5 \
                 WHERE id = $6",
            )
            .bind(&basis)
            .bind(last_day.as_deref())
            .bind(refund)
            .bind(money)
            .bind(debt)
            .bind(return_id)
            .execute(&mut *tx)
            .await?;
            let lines: Vec<_> = priced.iter().map(|p| json!({"sku": p.sku, "qty": p.qty})).collect();
            let payload = json!({"return_id": return_id, "kind": kind, "quality": quality, "basis": basis,
                "refund": refund, "amount": money, "debt_reduced": debt, "lines": lines, "status": o.status});
            events::append(&mut tx, &NewEvent { at: now, kind: ev::ORDER_RETURN_ACCEPTED, refs, payload }).await?;
            let args = [("number", order_id.to_string()), ("kind", kind.to_string()), ("refund", money_text(refund))];
            self.notify_key(&mut tx, o.contact_id, "return-accepted", &args, now).await?;
        }
        tx.commit().await?;
        self.order_return(return_id).await?.ok_or(StoreError::NotFound("return"))
    }

    /// One return request with its lines.
    pub async fn order_return(&self, id: i64) -> Result<Option<OrderReturn>> {
        let rows = sqlx::query(&format!("SELECT {RETURN_COLUMNS} FROM order_returns WHERE id = $1"))
            .bind(id)
            .fetch_all(self.reader())
            .await?;
        Ok(self.with_lines(rows).await?.pop())
    }

    /// The return requests of an order, oldest first.
    pub async fn order_returns(&self, order_id: i64) -> Result<Vec<OrderReturn>> {
        let rows = sqlx::query(&format!("SELECT {RETURN_COLUMNS} FROM order_returns WHERE order_id = $1 ORDER BY id"))
            .bind(order_id)
            .fetch_all(self.reader())
            .await?;
        self.with_lines(rows).await
    }

    /// Return requests of every order, newest first; only `decision` when given.
    pub async fn list_returns(&self, decision: Option<&str>, limit: i64) -> Result<Vec<OrderReturn>> {
        let rows = sqlx::query(&format!(
            "SELECT {RETURN_COLUMNS} FROM order_returns WHERE ($1 IS NULL OR decision = $1) ORDER BY id DESC LIMIT $2"
        ))
        .bind(decision)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        self.with_lines(rows).await
    }

    /// Whether an order exists (for 404s before anything else).
    pub async fn order_exists(&self, id: i64) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE id = $1").bind(id).fetch_one(self.reader()).await?;
        Ok(n > 0)
    }

    async fn with_lines(&self, rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<OrderReturn>> {
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let lines = sqlx::query(
                "SELECT sku, qty, unit_paid, stock_to, warehouse, replacement_reserved, replacement_warehouse, refund \
                 FROM order_return_lines WHERE return_id = $1 ORDER BY sku",
            )
            .bind(id)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|l| {
                Ok(ReturnLine {
                    sku: l.try_get("sku")?,
                    qty: l.try_get("qty")?,
                    unit_paid: l.try_get("unit_paid")?,
                    stock_to: l.try_get("stock_to")?,
                    warehouse: l.try_get("warehouse")?,
                    replacement_reserved: l.try_get("replacement_reserved")?,
                    replacement_warehouse: l.try_get("replacement_warehouse")?,
                    refund: l.try_get("refund")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            let written: i64 = r.try_get("written_terms_given")?;
            out.push(OrderReturn {
                id,
                order_id: r.try_get("order_id")?,
                kind: r.try_get("kind")?,
                reason: r.try_get("reason")?,
                quality: r.try_get("quality")?,
                written_terms_given: written != 0,
                jurisdiction: r.try_get("jurisdiction")?,
                requested_at: r.try_get("requested_at")?,
                decision: r.try_get("decision")?,
                refusal_code: r.try_get("refusal_code")?,
                refusal_text: r.try_get("refusal_text")?,
                basis: r.try_get("basis")?,
                last_day: r.try_get("last_day")?,
                decided_by: r.try_get("decided_by")?,
                refund: r.try_get("refund")?,
                refund_paid: r.try_get("refund_paid")?,
                debt_reduced: r.try_get("debt_reduced")?,
                return_shipping: r.try_get("return_shipping")?,
                lines,
            });
        }
        Ok(out)
    }

    /// Files a claim (претензия) about an order: a complaint contact for the
    /// order's customer in the `complaints` queue (else the order contact's
    /// queue), linked to the order, with the legal answer deadline of the
    /// jurisdiction's `consumer_claim` preset (from the service levels in
    /// force); event `order.claim_filed`. Returns the claim and its contact
    /// (to be routed by the caller).
    pub async fn file_claim(&self, order_id: i64, new: &NewClaim, actor: &AuditActor) -> Result<(OrderClaim, Contact)> {
        let text = new.text.trim();
        if text.is_empty() {
            return Err(invalid("text", "claim-text-required"));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(invalid("text", "claim-text-too-long"));
        }
        let jurisdiction = self.order_jurisdiction().await?;
        let legal = self.service_levels().await?.legal;
        let (offset, holidays) = jurisdiction_calendar(&jurisdiction);
        let at = now_ms();
        let (preset_id, deadline) = retail::returns::claim_deadline(&legal, &jurisdiction, at, offset, &holidays)
            .ok_or(invalid("jurisdiction", "claim-no-legal-preset"))?;
        let mut tx = self.begin().await?;
        let o = load_order(&mut tx, order_id).await?;
        let row = sqlx::query(
            "SELECT c.channel, c.queue_id, (SELECT q.id FROM queues q WHERE q.code = 'complaints') AS complaints \
             FROM contacts c WHERE c.id = $1",
        )
        .bind(o.contact_id)
        .fetch_one(&mut *tx)
        .await?;
        let channel: String = row.try_get("channel")?;
        let queue: Option<i64> = row.try_get("complaints")?;
        let queue = match queue {
            Some(q) => q,
            None => row.try_get::<Option<i64>, _>("queue_id")?.ok_or(StoreError::NotFound("complaints queue"))?,
        };
        let channel = match new.channel {
            Some(c) => c,
            None => Channel::parse(&channel).ok_or_else(|| StoreError::Corrupt(format!("channel {channel:?}")))?,
        };
        let subject: String = format!("Претензия по заказу № {order_id}: {text}").chars().take(200).collect();
        let contact = NewContact {
            channel,
            direction: Direction::Inbound,
            contact_type: ContactType::Complaint,
            topic: String::new(),
            priority: 0,
            subject,
            customer_id: Some(o.customer_id),
            queue_id: queue,
        };
        let contact_id = self.insert_contact(&mut tx, &contact, &[], actor, at).await?;
        let order_ref = order_id.to_string();
        crate::contact_work::insert_link(&mut tx, contact_id, LinkKind::Order, None, Some(&order_ref), actor, at)
            .await?;
        let claim_id: i64 = sqlx::query_scalar(
            "INSERT INTO order_claims (order_id, contact_id, text, preset_id, due_at, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(order_id)
        .bind(contact_id)
        .bind(text)
        .bind(&preset_id)
        .bind(deadline.due_at)
        .bind(actor.user_id)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let refs = EventRefs { contact_id: Some(contact_id), ..order_refs(order_id, &o, actor) };
        let payload = json!({"claim_id": claim_id, "order_contact_id": o.contact_id, "preset_id": preset_id,
            "due_at": deadline.due_at, "last_day": deadline.last_day.to_string(), "status": o.status});
        events::append(&mut tx, &NewEvent { at, kind: ev::ORDER_CLAIM_FILED, refs, payload }).await?;
        tx.commit().await?;
        let claim = OrderClaim {
            id: claim_id,
            order_id,
            contact_id,
            text: text.to_string(),
            preset_id,
            due_at: deadline.due_at,
            created_by: actor.user_id,
            created_at: at,
        };
        let contact = self.contact(contact_id).await?.ok_or(StoreError::NotFound("contact"))?;
        Ok((claim, contact))
    }

    /// The claims of an order, oldest first.
    pub async fn order_claims(&self, order_id: i64) -> Result<Vec<OrderClaim>> {
        let rows = sqlx::query(
            "SELECT id, order_id, contact_id, text, preset_id, due_at, created_by, created_at FROM order_claims \
             WHERE order_id = $1 ORDER BY id",
        )
        .bind(order_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OrderClaim {
                    id: r.try_get("id")?,
                    order_id: r.try_get("order_id")?,
                    contact_id: r.try_get("contact_id")?,
                    text: r.try_get("text")?,
                    preset_id: r.try_get("preset_id")?,
                    due_at: r.try_get("due_at")?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// TEST FIXTURE: one catalogue item of `goods_class` with a warranty and
    /// `on_hand` units in warehouse `main` (a real `Item` document, written
    /// with the catalogue import). For tests of crates without `retail`.
    #[cfg(feature = "test-fixtures")]
    pub async fn test_fixture_item(
        &self,
        sku: &str,
        name: &str,
        goods_class: &str,
        warranty_months: u32,
        on_hand: i64,
    ) -> Result<()> {
        use retail::catalogue::{Catalogue, Item, Names, Stock, StockRow};
        let names = Names { ru: name.into(), kk: name.into(), en: name.into() };
        let item = Item {
            sku: sku.into(),
            name: names,
            description: Names::default(),
            category: vec!["Тест".into()],
            attributes: vec![],
            unit: "шт".into(),
            vat_bp: 1200,
            listed: true,
            goods_class: goods_class.into(),
            warranty_months,
            alternatives: vec![],
            complements: vec![],
            competitor_note: String::new(),
            photos: vec![],
        };
        let stock = vec![StockRow { sku: sku.into(), warehouse: "main".into(), on_hand, reserved: 0 }];
        let cat = Catalogue {
            items: [(sku.to_string(), item)].into_iter().collect(),
            prices: Default::default(),
            stock: Stock::from(stock),
            promotions: vec![],
        };
        self.apply_catalogue_import(&cat, &AuditActor::cli(), &|_, _| {}).await?;
        Ok(())
    }

    /// TEST FIXTURE until `store::orders::create_order` is merged: inserts a
    /// delivered order of the 0021 schema directly (lines priced at
    /// `unit_price` with no discount, `paid = total`, no reservations),
    /// its `order.delivered` event, and returns its id. `lines` are
    /// (SKU, qty, unit price); the SKUs must be in the catalogue.
    #[cfg(feature = "test-fixtures")]
    pub async fn test_fixture_delivered_order(
        &self,
        customer_id: i64,
        contact_id: i64,
        lines: &[(&str, i64, i64)],
        terms: &str,
        delivered_at: i64,
    ) -> Result<i64> {
        self.test_fixture_order(customer_id, contact_id, lines, terms, "delivered", Some(delivered_at)).await
    }

    /// TEST FIXTURE: the same with any status (`shipped` without `delivered_at`, …);
    /// deferred terms are unpaid, others fully paid.
    #[cfg(feature = "test-fixtures")]
    pub async fn test_fixture_order(
        &self,
        customer_id: i64,
        contact_id: i64,
        lines: &[(&str, i64, i64)],
        terms: &str,
        status: &str,
        delivered_at: Option<i64>,
    ) -> Result<i64> {
        let at = delivered_at.unwrap_or_else(now_ms);
        let total: i64 = lines.iter().map(|(_, q, p)| q * p).sum();
        let paid = if terms.starts_with("deferred:") { 0 } else { total };
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO orders (customer_id, contact_id, source, client_type, status, delivery_method, address, \
             pickup_point, receiver_name, receiver_phone, payment_method, terms, goods_total, discount_total, \
             delivery_cost, vat_total, total, paid, created_at, updated_at, delivered_at) \
             VALUES ($1, $2, 'call', 'retail', $7, 'courier', 'Алматы, Абая 10', '', 'Получатель', \
             '+77010000000', 'card_link', $3, $4, 0, 0, 0, $4, $5, $6, $6, $8) RETURNING id",
        )
        .bind(customer_id)
        .bind(contact_id)
        .bind(terms)
        .bind(total)
        .bind(paid)
        .bind(at)
        .bind(status)
        .bind(delivered_at)
        .fetch_one(&mut *tx)
        .await?;
        for (n, (sku, qty, price)) in lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO order_lines (order_id, line_no, sku, name, unit, qty, unit_price, tier_discount, \
                 promotion_discount, total, vat_bp, vat) VALUES ($1, $2, $3, $3, 'шт', $4, $5, 0, 0, $6, 0, 0)",
            )
            .bind(id)
            .bind(n as i64 + 1)
            .bind(*sku)
            .bind(*qty)
            .bind(*price)
            .bind(qty * price)
            .execute(&mut *tx)
            .await?;
        }
        let refs = EventRefs {
            order_id: Some(id),
            contact_id: Some(contact_id),
            customer_id: Some(customer_id),
            ..Default::default()
        };
        let payload = json!({"status": status, "fixture": true});
        events::append(&mut tx, &NewEvent { at, kind: "order.created", refs, payload }).await?;
        crate::audit::record_in(&mut tx, &AuditActor::cli(), "test.fixture_order", &id.to_string(), "", at).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// TEST FIXTURE until `store::orders` lands: sets a customer's account
    /// (receivables) when `set` is given and reads it back as `(balance, overdue)`.
    #[cfg(feature = "test-fixtures")]
    pub async fn test_fixture_account(&self, customer_id: i64, set: Option<(i64, i64)>) -> Result<Option<(i64, i64)>> {
        if let Some((balance, overdue)) = set {
            let mut tx = self.begin().await?;
            sqlx::query(
                "INSERT INTO customer_accounts (customer_id, balance, overdue, credit_limit, updated_at) \
                 VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (customer_id) DO UPDATE SET balance = excluded.balance, \
                 overdue = excluded.overdue, updated_at = excluded.updated_at",
            )
            .bind(customer_id)
            .bind(balance)
            .bind(overdue)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            let refs = EventRefs { customer_id: Some(customer_id), ..Default::default() };
            let payload = json!({"balance": balance, "overdue": overdue, "fixture": true});
            events::append(&mut tx, &NewEvent { at: now_ms(), kind: "customer.account_set", refs, payload }).await?;
            tx.commit().await?;
        }
        let row = sqlx::query("SELECT balance, overdue FROM customer_accounts WHERE customer_id = $1")
            .bind(customer_id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|r| Ok((r.try_get("balance")?, r.try_get("overdue")?))).transpose()
    }
}

const RETURN_COLUMNS: &str = "id, order_id, kind, reason, quality, written_terms_given, jurisdiction, requested_at, \
    decision, refusal_code, refusal_text, basis, last_day, decided_by, refund, refund_paid, debt_reduced, \
    return_shipping";

/// `123450` → `1234.50` (the notice's amount; the renderer does not format money).
fn money_text(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

#[allow(clippy::too_many_arguments)]
async fn insert_line(
    tx: &mut Transaction<'static, Any>,
    return_id: i64,
    p: &Priced,
    stock_to: Option<&str>,
    warehouse: &str,
    reserved: i64,
    reserved_in: &str,
    refund: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO order_return_lines (return_id, sku, qty, unit_paid, stock_to, warehouse, replacement_reserved, \
         replacement_warehouse, refund) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(return_id)
    .bind(&p.sku)
    .bind(p.qty)
    .bind(p.unit_paid)
    .bind(stock_to)
    .bind(warehouse)
    .bind(reserved)
    .bind(reserved_in)
    .bind(refund)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Where returned sellable goods go: the warehouse the order reserved them
/// in, else the SKU's first warehouse, else `main`.
async fn return_warehouse(tx: &mut Transaction<'static, Any>, order_id: i64, sku: &str) -> Result<String> {
    let reserved: Option<String> = sqlx::query_scalar(
        "SELECT warehouse FROM order_reservations WHERE order_id = $1 AND sku = $2 ORDER BY warehouse LIMIT 1",
    )
    .bind(order_id)
    .bind(sku)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(w) = reserved {
        return Ok(w);
    }
    let first: Option<String> =
        sqlx::query_scalar("SELECT warehouse FROM catalogue_stock WHERE sku = $1 ORDER BY warehouse LIMIT 1")
            .bind(sku)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(first.unwrap_or_else(|| "main".to_string()))
}

/// Reserves `qty` of `sku` for an exchange's replacement in the warehouse
/// with the most available; `Conflict("out-of-stock")` when none has enough.
async fn reserve_replacement(tx: &mut Transaction<'static, Any>, sku: &str, qty: i64) -> Result<String> {
    let w: Option<String> = sqlx::query_scalar(
        "SELECT warehouse FROM catalogue_stock WHERE sku = $1 AND on_hand - reserved >= $2 \
         ORDER BY on_hand - reserved DESC, warehouse LIMIT 1",
    )
    .bind(sku)
    .bind(qty)
    .fetch_optional(&mut **tx)
    .await?;
    let w = w.ok_or(StoreError::Conflict("out-of-stock"))?;
    let done = sqlx::query(
        "UPDATE catalogue_stock SET reserved = reserved + $1 WHERE sku = $2 AND warehouse = $3 \
         AND on_hand - reserved >= $1",
    )
    .bind(qty)
    .bind(sku)
    .bind(&w)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("out-of-stock"));
    }
    Ok(w)
}

/// Lowers what a customer owes by `debt` (never below zero; overdue capped at the balance).
async fn write_off(tx: &mut Transaction<'static, Any>, customer_id: i64, debt: i64, at: i64) -> Result<()> {
    let row = sqlx::query("SELECT balance, overdue FROM customer_accounts WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(()) };
    let (balance, overdue): (i64, i64) = (row.try_get("balance")?, row.try_get("overdue")?);
    let balance = (balance - debt).max(0);
    sqlx::query("UPDATE customer_accounts SET balance = $1, overdue = $2, updated_at = $3 WHERE customer_id = $4")
        .bind(balance)
        .bind(overdue.min(balance))
        .bind(at)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(lines: Vec<(&str, i64)>) -> NewReturn {
        NewReturn {
            kind: RequestKind::Return,
            reason: "не подошёл размер".into(),
            defective: false,
            written_terms_given: true,
            return_shipping: 0,
            lines: lines.into_iter().map(|(s, q)| (s.to_string(), q)).collect(),
        }
    }

    #[test]
    fn a_refund_for_deferred_terms_first_cancels_the_debt() {
        // Prepaid: money back, at most what was paid and not refunded.
        assert_eq!(split_refund(30_000, "prepaid", 100_000, 100_000, 0, 0), (30_000, 0));
        assert_eq!(split_refund(30_000, "prepaid", 100_000, 100_000, 80_000, 0), (20_000, 0));
        // Deferred, nothing paid: the whole refund is written off the debt.
        assert_eq!(split_refund(30_000, "deferred:14", 100_000, 0, 0, 0), (0, 30_000));
        // Deferred, 90 000 paid: 10 000 off the debt, 20 000 in money.
        assert_eq!(split_refund(30_000, "deferred:14", 100_000, 90_000, 0, 0), (20_000, 10_000));
        // A debt already written off by an earlier return is not written off twice.
        assert_eq!(split_refund(30_000, "deferred:14", 100_000, 90_000, 0, 10_000), (30_000, 0));
        assert_eq!(split_refund(-5, "prepaid", 100, 100, 0, 0), (0, 0));
    }

    #[test]
    fn requests_are_checked_before_anything_is_read() {
        assert!(validate_return(&req(vec![("SKU-1", 1), ("SKU-2", 3)])).is_ok());
        let code = |r: NewReturn| validate_return(&r).map_err(|e| e.code);
        assert_eq!(code(req(vec![])), Err("return-lines-required"));
        assert_eq!(code(req(vec![("SKU-1", 0)])), Err("return-qty-invalid"));
        assert_eq!(code(req(vec![("SKU-1", 1), ("SKU-1", 2)])), Err("return-sku-repeated"));
        assert_eq!(code(NewReturn { reason: " ".into(), ..req(vec![("SKU-1", 1)]) }), Err("return-reason-required"));
        assert_eq!(code(NewReturn { return_shipping: -1, ..req(vec![("SKU-1", 1)]) }), Err("return-shipping-invalid"));
    }

    #[test]
    fn jurisdictions_have_their_calendars_and_money_prints_plainly() {
        assert_eq!(jurisdiction_calendar("ru").0, UtcOffset::MOSCOW);
        assert_eq!(jurisdiction_calendar("KZ").0, UtcOffset::ALMATY);
        assert_eq!(money_text(123_450), "1234.50");
        assert_eq!(money_text(5), "0.05");
    }
}
