//! The order room (`/orders`, `/orders/{id}`) and the desk's order panel
//! (`static/order-desk.js`). The pages are thin shells: the scripts read and
//! change orders through the JSON API of docs/ORDERS.md, so the room and the
//! API can never disagree. Texts the scripts need come with the page, already
//! in the viewer's language (`data-texts`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use store::User;

use crate::auth::Caller;
use crate::pages::{chrome, render, Chrome, Tr};
use crate::AppState;

/// Order statuses in lifecycle order (`retail::order::Status`).
pub const STATUSES: [&str; 9] =
    ["new", "confirmed", "paid", "picked", "packed", "shipped", "delivered", "closed", "cancelled"];

/// Every text the order scripts show, by key (`ord-*`, `od-*` in the ftl files).
const SCRIPT_KEYS: &[&str] = &[
    "ord-status-new",
    "ord-status-confirmed",
    "ord-status-paid",
    "ord-status-picked",
    "ord-status-packed",
    "ord-status-shipped",
    "ord-status-delivered",
    "ord-status-closed",
    "ord-status-cancelled",
    "ord-delivery-courier",
    "ord-delivery-post",
    "ord-delivery-pickup_point",
    "ord-delivery-self_pickup",
    "ord-payment-card_link",
    "ord-payment-cash_on_delivery",
    "ord-payment-bank_transfer",
    "ord-terms-prepaid",
    "ord-terms-on_delivery",
    "ord-terms-deferred",
    "ord-why-special",
    "ord-why-new",
    "ord-why-usual",
    "ord-why-complement",
    "ord-why-alternative",
    "ord-action-confirm",
    "ord-action-pay",
    "ord-action-pick",
    "ord-action-pack",
    "ord-action-ship",
    "ord-action-deliver",
    "ord-action-close",
    "ord-action-cancel",
    "ord-reason-customer",
    "ord-reason-stock",
    "ord-reason-delivery_problem",
    "ord-gate-overdue",
    "ord-gate-over-limit",
    "ord-err-required",
    "ord-err-out-of-stock",
    "ord-err-invalid-phone",
    "ord-err-no-lines",
    "ord-err-slot-in-past",
    "ord-err-bad-slot",
    "ord-err-terms-not-allowed",
    "ord-err-bad-quantity",
    "ord-err-unknown-item",
    "ord-err-delisted",
    "ord-failed",
    "ord-none",
    "ord-carrier",
    "ord-tracking",
    "ord-amount",
    "ord-cancel-reason",
    "ord-call-done",
    "ord-paid",
    "ord-receiver",
    "ord-payment",
    "ord-refunded",
    "ord-goods-total",
    "ord-discount-total",
    "ord-delivery-cost",
    "ord-vat-total",
    "ord-total",
    "od-add",
    "od-remove",
    "od-replace",
    "od-alternatives",
    "od-offered",
    "od-offered-count",
    "od-gate-blocked",
    "od-gate-redirect-manager",
    "od-gate-redirect-finance",
    "od-gate-redirected",
    "od-offers-confirm",
    "od-created",
    "od-open-order",
    "od-empty",
    "od-no-results",
    "od-promo",
    "od-tier",
    "od-readback-lines",
];

/// The scripts' texts as a JSON object, for a `data-texts` attribute.
pub fn script_texts(t: &Tr) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        SCRIPT_KEYS.iter().map(|k| ((*k).to_string(), serde_json::Value::String(t.get(k)))).collect();
    serde_json::Value::Object(map).to_string()
}

/// Whether the user may run fulfilment (pick … close): `ManageOrders`.
pub fn can_manage_orders(user: &User) -> bool {
    user.active && user.can(domain::Permission::ManageOrders)
}

/// The desk's order panel in a contact window: who the order is for.
pub struct OrderPanel {
    pub customer_id: i64,
    /// Receiver prefilled from the customer (the operator serves them).
    pub receiver_name: String,
    pub receiver_phone: String,
    pub texts: String,
    /// (value, label) of the delivery methods, payment methods and terms.
    pub deliveries: Vec<(&'static str, String)>,
    pub payments: Vec<(&'static str, String)>,
    pub terms: Vec<(&'static str, String)>,
}

/// `retail::order::DeliveryMethod`, `PaymentMethod` and the kinds of `Terms`, as the API spells them.
const DELIVERIES: [&str; 4] = ["courier", "post", "pickup_point", "self_pickup"];
const PAYMENTS: [&str; 3] = ["card_link", "cash_on_delivery", "bank_transfer"];
const TERMS: [&str; 3] = ["prepaid", "on_delivery", "deferred"];

fn labelled(t: &Tr, prefix: &str, values: &[&'static str]) -> Vec<(&'static str, String)> {
    values.iter().map(|v| (*v, t.get(&format!("{prefix}{v}")))).collect()
}

impl OrderPanel {
    /// The panel for an order of `customer` taken in a contact the viewer holds.
    pub fn new(t: &Tr, customer: &store::Customer) -> OrderPanel {
        OrderPanel {
            customer_id: customer.id,
            receiver_name: customer.full_name.clone(),
            receiver_phone: customer.phone.clone(),
            texts: script_texts(t),
            deliveries: labelled(t, "ord-delivery-", &DELIVERIES),
            payments: labelled(t, "ord-payment-", &PAYMENTS),
            terms: labelled(t, "ord-terms-", &TERMS),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    chrome: Chrome,
    /// (status, label, selected)
    statuses: Vec<(&'static str, String, bool)>,
    customer_id: String,
    from: String,
    until: String,
    texts: String,
}

/// Keeps only what a filter field may hold: digits, or a `YYYY-MM-DD` date.
fn clean(s: &str, date: bool) -> String {
    let ok = |c: char| c.is_ascii_digit() || (date && c == '-');
    if s.len() <= 10 && s.chars().all(ok) {
        s.to_string()
    } else {
        String::new()
    }
}

/// `GET /orders`: the order room's list; the filters go to the page's script.
pub async fn room(State(st): State<AppState>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let chrome = chrome(&st, &caller, "orders", "nav-orders");
    let statuses = STATUSES.iter().map(|s| (*s, chrome.t.get(&format!("ord-status-{s}")), q.status == *s)).collect();
    let texts = script_texts(&chrome.t);
    let page = OrdersPage {
        statuses,
        customer_id: clean(&q.customer_id, false),
        from: clean(&q.from, true),
        until: clean(&q.until, true),
        texts,
        chrome,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    chrome: Chrome,
    id: i64,
    can_manage: bool,
    texts: String,
    /// (document, label): docs/ORDERS.md `/orders/{id}/documents/…`.
    docs: Vec<(&'static str, String)>,
}

/// `GET /orders/{id}`: one order; the script reads it from the API (which
/// answers 404 for an order that does not exist or 403 for one not served).
pub async fn order(State(st): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let chrome = chrome(&st, &caller, "orders", "ord-order-title");
    let can_manage = caller.user().is_some_and(can_manage_orders);
    let texts = script_texts(&chrome.t);
    let docs = labelled(&chrome.t, "ord-doc-", &["invoice", "delivery-note", "confirmation"]);
    render(StatusCode::OK, &OrderPage { chrome, id, can_manage, texts, docs })
}

/// `GET /static/order-desk.js`: the desk's order panel.
pub async fn order_desk_js() -> Response {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../static/order-desk.js")).into_response()
}

/// `GET /static/orders.js`: the order room's list and order page.
pub async fn orders_js() -> Response {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../static/orders.js")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_keep_only_digits_and_dates() {
        assert_eq!(clean("42", false), "42");
        assert_eq!(clean("4x2", false), "");
        assert_eq!(clean("2026-12-01", true), "2026-12-01");
        assert_eq!(clean("2026-12-01", false), "");
        assert_eq!(clean("\"><script>", true), "");
    }
}
