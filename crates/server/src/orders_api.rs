//! Orders in the JSON API (docs/ORDERS.md): catalogue search for the desk,
//! quote, create, list, read, actions, customer accounts, the credit
//! redirect and the order settings. Thin: the rules are `crates/retail`, the
//! data `store::orders`.
//!
//! Order errors answer `{error: CODE, message, errors?: [{field, code}],
//! gate?}` as the contract says (not the `{error: {code, message}}` of the
//! other routes).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::Permission;
use retail::order::{
    Action, DeliveryMethod, FieldError, LifecycleError, NewOrder, PaymentMethod, Receiver, Source, Terms,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::orders::{self as so, Created, Draft, OfferIn, OrderFilter, OrderSettings, Refusal};

use crate::auth::SignedInUser;
use crate::error::{ApiError, ApiJson};
use crate::AppState;

/// An order error as the contract says.
pub struct OrderError {
    pub status: StatusCode,
    pub body: serde_json::Value,
}

impl OrderError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> OrderError {
        OrderError { status, body: json!({"error": code, "message": message.into()}) }
    }

    fn invalid(errors: &[FieldError]) -> OrderError {
        let errors: Vec<_> = errors.iter().map(|e| json!({"field": e.field, "code": e.code})).collect();
        OrderError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({"error": "invalid", "message": "the order has errors", "errors": errors}),
        }
    }

    fn field(field: &str, code: &'static str) -> OrderError {
        OrderError::invalid(&[FieldError { field: field.to_string(), code }])
    }
}

impl IntoResponse for OrderError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<ApiError> for OrderError {
    fn from(e: ApiError) -> OrderError {
        OrderError::new(e.status, e.code, e.message)
    }
}

impl From<store::StoreError> for OrderError {
    fn from(e: store::StoreError) -> OrderError {
        ApiError::from(e).into()
    }
}

// ---------------------------------------------------------------- input

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineIn {
    pub sku: String,
    pub qty: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiverIn {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryIn {
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub pickup_point: String,
    /// Unix ms.
    pub slot_from: Option<i64>,
    pub slot_until: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentIn {
    #[serde(default)]
    pub method: String,
    /// `prepaid`, `on_delivery`, `deferred:DAYS`; default from the method.
    pub terms: Option<String>,
}

/// A draft (quote) or a new order (create).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftIn {
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    #[serde(default)]
    pub lines: Vec<LineIn>,
    pub receiver: Option<ReceiverIn>,
    pub delivery: Option<DeliveryIn>,
    pub payment: Option<PaymentIn>,
    #[serde(default)]
    pub offers: Vec<OfferIn>,
    #[serde(default)]
    pub read_back: bool,
    pub request_key: Option<String>,
}

fn default_terms(m: PaymentMethod) -> Terms {
    match m {
        PaymentMethod::CashOnDelivery => Terms::OnDelivery,
        _ => Terms::Prepaid,
    }
}

/// The typed order of a draft, or every field error of its shape.
pub fn new_order(d: &DraftIn) -> Result<NewOrder, Vec<FieldError>> {
    let mut errs = Vec::new();
    let fe = |field: &str, code: &'static str| FieldError { field: field.to_string(), code };
    let delivery = d.delivery.as_ref();
    let method = match delivery.map(|x| x.method.as_str()).unwrap_or("") {
        "" => {
            errs.push(fe("delivery.method", "required"));
            None
        }
        m => {
            let p = so::parse_enum::<DeliveryMethod>(m);
            if p.is_none() {
                errs.push(fe("delivery.method", "unknown-method"));
            }
            p
        }
    };
    let payment = match d.payment.as_ref().map(|x| x.method.as_str()).unwrap_or("") {
        "" => {
            errs.push(fe("payment.method", "required"));
            None
        }
        m => {
            let p = so::parse_enum::<PaymentMethod>(m);
            if p.is_none() {
                errs.push(fe("payment.method", "unknown-method"));
            }
            p
        }
    };
    let terms = match (payment, d.payment.as_ref().and_then(|p| p.terms.as_deref())) {
        (_, Some(t)) => {
            let p = so::parse_terms(t);
            if p.is_none() {
                errs.push(fe("terms", "bad-terms"));
            }
            p
        }
        (Some(m), None) => Some(default_terms(m)),
        (None, None) => None,
    };
    let slot = match delivery.map(|x| (x.slot_from, x.slot_until)) {
        Some((Some(f), Some(u))) => Some((f / 1000, u / 1000)),
        Some((None, None)) | None => None,
        Some(_) => {
            errs.push(fe("slot", "bad-slot"));
            None
        }
    };
    if d.lines.len() > 200 {
        errs.push(fe("lines", "too-many-lines"));
    }
    if d.request_key.as_ref().is_some_and(|k| k.trim().is_empty() || k.chars().count() > 100) {
        errs.push(fe("request_key", "bad-key"));
    }
    if d.offers.len() > 100 || d.offers.iter().any(|o| o.sku.chars().count() > 64 || o.why.chars().count() > 20) {
        errs.push(fe("offers", "bad-offers"));
    }
    let (Some(delivery_m), Some(payment), Some(terms)) = (method, payment, terms) else { return Err(errs) };
    if !errs.is_empty() {
        return Err(errs);
    }
    let receiver = d.receiver.as_ref();
    Ok(NewOrder {
        lines: d.lines.iter().map(|l| (l.sku.trim().to_string(), l.qty)).collect(),
        receiver: Receiver {
            name: receiver.map(|r| r.name.clone()).unwrap_or_default(),
            phone: receiver.map(|r| r.phone.clone()).unwrap_or_default(),
        },
        delivery: delivery_m,
        address: delivery.map(|x| x.address.clone()).unwrap_or_default(),
        pickup_point: delivery.map(|x| x.pickup_point.clone()).unwrap_or_default(),
        slot,
        payment,
        terms,
    })
}

fn user_id(caller: &crate::auth::Caller) -> Option<i64> {
    caller.user().map(|u| u.id)
}

// ---------------------------------------------------------------- search

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
    pub customer_id: Option<i64>,
    pub limit: Option<usize>,
}

/// `GET /api/v1/catalogue/search`: items by name form, SKU or attribute value.
pub async fn search(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Query(p): Query<SearchParams>,
) -> Result<Json<Vec<so::SearchHit>>, OrderError> {
    let q = p.q.unwrap_or_default();
    if q.chars().count() > 100 {
        return Err(OrderError::field("q", "too-long"));
    }
    let client_type = match p.customer_id {
        Some(id) => st.store.customer(id).await?.ok_or_else(|| ApiError::not_found("customer"))?.client_type,
        None => "retail".to_string(),
    };
    let limit = p.limit.unwrap_or(20).clamp(1, 50);
    Ok(Json(st.store.catalogue_search(&q, &client_type, caller.locale.code(), limit).await?))
}

// ---------------------------------------------------------------- quote

/// `POST /api/v1/orders/quote`: prices a draft; nothing is written.
pub async fn quote(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(d): ApiJson<DraftIn>,
) -> Result<Json<so::Quote>, OrderError> {
    let settings = st.store.order_settings().await?;
    let mut shape_errors = Vec::new();
    let delivery = d.delivery.as_ref().and_then(|x| so::parse_enum::<DeliveryMethod>(&x.method));
    if d.delivery.as_ref().is_some_and(|x| !x.method.is_empty()) && delivery.is_none() {
        shape_errors.push(so::FieldErrorOut { field: "delivery.method".into(), code: "unknown-method".into() });
    }
    let payment = d.payment.as_ref().and_then(|x| so::parse_enum::<PaymentMethod>(&x.method));
    let terms = match d.payment.as_ref().and_then(|p| p.terms.as_deref()) {
        Some(t) => so::parse_terms(t),
        None => payment.map(default_terms),
    };
    if d.lines.len() > 200 {
        return Err(OrderError::field("lines", "too-many-lines"));
    }
    let draft = Draft {
        customer_id: d.customer_id,
        lines: d.lines.iter().map(|l| (l.sku.trim().to_string(), l.qty)).collect(),
        delivery,
        payment,
        terms,
        offered: d.offers.iter().take(100).map(|o| o.sku.clone()).collect(),
        locale: caller.locale.code().to_string(),
    };
    let mut q = st.store.quote_order(&draft, &settings).await?.ok_or_else(|| ApiError::not_found("customer"))?;
    q.errors.extend(shape_errors);
    Ok(Json(q))
}

// ---------------------------------------------------------------- create

/// `POST /api/v1/orders`: 201 with the order; 200 with the first one for a repeated request key.
pub async fn create(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(d): ApiJson<DraftIn>,
) -> Result<Response, OrderError> {
    let order = new_order(&d).map_err(|e| OrderError::invalid(&e))?;
    let source = if d.contact_id.is_none() { Some(Source::Api) } else { None };
    let input = so::CreateOrder {
        customer_id: d.customer_id,
        contact_id: d.contact_id,
        operator_id: if d.contact_id.is_some() { user_id(&caller) } else { None },
        source,
        order,
        offers: d.offers,
        read_back: d.read_back,
        request_key: d.request_key.map(|k| k.trim().to_string()),
    };
    let settings = st.store.order_settings().await?;
    let created = st.store.create_order(&input, &settings).await?;
    route_opened(&st, &input, &created).await;
    created_response(created)
}

/// Routes the contact an API or web-form order opened (the store registered it queued).
pub async fn route_opened(st: &AppState, input: &so::CreateOrder, created: &Created) {
    let Created::New(o) = created else { return };
    if input.contact_id.is_some() {
        return;
    }
    match st.store.contact(o.contact_id).await {
        Ok(Some(c)) => {
            if let Some(q) = c.queue_id {
                st.dispatch.route_registered(&st.store, &c, q).await;
            }
        }
        Ok(None) => {}
        Err(e) => tracing::error!("order {} contact not routed: {e}", o.id),
    }
}

/// The answer to a create: 201, 200 (repeated key), 409 or 422.
pub fn created_response(c: Created) -> Result<Response, OrderError> {
    match c {
        Created::New(o) => Ok((StatusCode::CREATED, Json(*o)).into_response()),
        Created::Repeated(o) => Ok((StatusCode::OK, Json(*o)).into_response()),
        Created::Refused(Refusal::Invalid(errs)) => Err(OrderError::invalid(&errs)),
        Created::Refused(Refusal::OutOfStock(errs)) => {
            let errors: Vec<_> = errs.iter().map(|e| json!({"field": e.field, "code": e.code})).collect();
            Err(OrderError {
                status: StatusCode::CONFLICT,
                body: json!({"error": "out-of-stock", "message": "not enough stock any more", "errors": errors}),
            })
        }
        Created::Refused(Refusal::CreditBlocked(gate)) => Err(OrderError {
            status: StatusCode::CONFLICT,
            body: json!({"error": "credit-blocked", "message": "the client has overdue debt or is over the credit limit",
                "gate": gate}),
        }),
    }
}

// ---------------------------------------------------------------- read

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub status: Option<String>,
    pub customer_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    pub limit: Option<i64>,
}

/// `GET /api/v1/orders`: newest first.
pub async fn list(
    State(st): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<so::OrderSummary>>, OrderError> {
    if let Some(s) = &p.status {
        if retail::order::Status::parse(s).is_none() {
            return Err(OrderError::field("status", "unknown-status"));
        }
    }
    let f = OrderFilter {
        status: p.status,
        customer_id: p.customer_id,
        contact_id: p.contact_id,
        from: p.from,
        until: p.until,
        limit: p.limit.unwrap_or(100),
    };
    Ok(Json(st.store.orders(&f).await?))
}

/// `GET /api/v1/orders/{id}`.
pub async fn get_order(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<so::Order>, OrderError> {
    Ok(Json(st.store.order(id).await?.ok_or_else(|| ApiError::not_found("order"))?))
}

// ---------------------------------------------------------------- actions

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    pub action: String,
    #[serde(default)]
    pub call_done: bool,
    pub amount: Option<i64>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    pub reason: Option<String>,
}

/// The lifecycle action of a request, or why it is malformed; and whether it is fulfilment.
pub fn parse_action(a: &ActionIn) -> Result<(Action, bool), OrderError> {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    Ok(match a.action.as_str() {
        "confirm" => (Action::Confirm { call_done: a.call_done }, false),
        "pay" => {
            let Some(amount) = a.amount.filter(|v| *v > 0) else { return Err(OrderError::field("amount", "required")) };
            (Action::Pay { amount }, false)
        }
        "cancel" => {
            let Some(reason) = a.reason.as_deref().and_then(so::parse_cancel_reason) else {
                return Err(OrderError::field("reason", "required"));
            };
            (Action::Cancel { reason }, false)
        }
        "pick" => (Action::Pick, true),
        "pack" => (Action::Pack, true),
        "ship" => {
            let (carrier, tracking) = (text(&a.carrier), text(&a.tracking));
            if carrier.chars().count() > 100 || tracking.chars().count() > 100 {
                return Err(OrderError::field("carrier", "too-long"));
            }
            (Action::Ship { carrier, tracking }, true)
        }
        "deliver" => (Action::Deliver, true),
        "close" => (Action::Close, true),
        _ => return Err(OrderError::field("action", "unknown-action")),
    })
}

/// `POST /api/v1/orders/{id}/actions`: one status change.
pub async fn action(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(a): ApiJson<ActionIn>,
) -> Result<Json<so::Order>, OrderError> {
    let (action, fulfilment) = parse_action(&a)?;
    if fulfilment && !user.can(Permission::ManageOrders) {
        return Err(ApiError::forbidden().into());
    }
    match st.store.transition_order(id, &action, &caller.actor()).await? {
        Ok(o) => Ok(Json(o)),
        Err(r) => Err(refused(r)),
    }
}

/// The HTTP answer to a refused action.
pub fn refused(r: so::ActionRefused) -> OrderError {
    use so::ActionRefused::*;
    match r {
        NotFound => ApiError::not_found("order").into(),
        Stale => OrderError::new(StatusCode::CONFLICT, "stale", "the order was changed meanwhile; reload it"),
        Lifecycle(e) => {
            let msg = e.to_string();
            match e {
                LifecycleError::NotAllowed { .. } => OrderError::new(StatusCode::CONFLICT, "not-allowed", msg),
                LifecycleError::ConfirmationCallNeeded(_) => {
                    OrderError::new(StatusCode::CONFLICT, "confirmation-call-needed", msg)
                }
                LifecycleError::WrongAmount { .. } => OrderError::new(StatusCode::CONFLICT, "wrong-amount", msg),
                LifecycleError::NotPaid => OrderError::new(StatusCode::CONFLICT, "not-paid", msg),
                LifecycleError::ShippingField(f) => {
                    OrderError::field(if f == "carrier" { "carrier" } else { "tracking" }, "required")
                }
            }
        }
    }
}

// ---------------------------------------------------------------- accounts

/// `GET /api/v1/customers/{id}/account`.
pub async fn get_account(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<so::Account>, OrderError> {
    Ok(Json(st.store.customer_account(id).await?.ok_or_else(|| ApiError::not_found("customer"))?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountIn {
    pub balance: i64,
    pub overdue: i64,
    pub credit_limit: Option<i64>,
}

/// `PUT /api/v1/customers/{id}/account` (audited).
pub async fn put_account(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(a): ApiJson<AccountIn>,
) -> Result<Json<so::Account>, OrderError> {
    st.store.set_customer_account(id, a.balance, a.overdue, a.credit_limit, &caller.actor()).await?;
    Ok(Json(st.store.customer_account(id).await?.ok_or_else(|| ApiError::not_found("customer"))?))
}

// ---------------------------------------------------------------- settings

/// `GET /api/v1/order-settings`.
pub async fn get_settings(State(st): State<AppState>) -> Result<Json<OrderSettings>, OrderError> {
    Ok(Json(st.store.order_settings().await?))
}

/// `PUT /api/v1/order-settings`: every problem at once, 422.
pub async fn put_settings(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(s): ApiJson<OrderSettings>,
) -> Result<Json<OrderSettings>, OrderError> {
    let errs = s.check();
    if !errs.is_empty() {
        return Err(OrderError::invalid(&errs));
    }
    st.store.set_order_settings(&s, &caller.actor()).await?;
    Ok(Json(st.store.order_settings().await?))
}

// ---------------------------------------------------------------- credit redirect

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedirectIn {
    /// The order's total (0: any order).
    #[serde(default)]
    pub total: i64,
    /// The order's terms (deferred ones use credit).
    pub terms: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RedirectOut {
    /// `manager` or `finance`.
    pub redirect: &'static str,
    pub queue_id: i64,
    pub gate: so::GateOut,
}

/// `POST /api/v1/contacts/{id}/credit-redirect`: the gate is checked again;
/// a blocked contact goes to a queue its manager serves or to finance, with
/// the reasons as the transfer's reason; event `order.blocked`.
pub async fn credit_redirect(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RedirectIn>,
) -> Result<Json<RedirectOut>, OrderError> {
    let contact = st.store.contact(id).await?.ok_or_else(|| ApiError::not_found("contact"))?;
    let Some(customer) = contact.customer_id else { return Err(OrderError::field("customer_id", "no-customer")) };
    let on_credit = match input.terms.as_deref() {
        None => false,
        Some(t) => so::parse_terms(t).ok_or_else(|| OrderError::field("terms", "bad-terms"))?.on_credit(),
    };
    let gate = st
        .store
        .credit_gate(customer, input.total.max(0), on_credit)
        .await?
        .ok_or_else(|| ApiError::not_found("customer"))?;
    if gate.open {
        return Err(OrderError::new(StatusCode::CONFLICT, "gate-open", "the credit gate is open: take the order"));
    }
    let settings = st.store.order_settings().await?;
    let Some((to, queue)) = st.store.credit_redirect_target(&gate, &settings).await? else {
        return Err(OrderError::new(StatusCode::CONFLICT, "no-finance-queue", "create the finance queue first"));
    };
    let reason = format!("credit gate: {} → {to}", gate.reasons.join(", "));
    st.dispatch.transfer(&st.store, id, queue, &reason, &caller.actor()).await?;
    st.store.record_order_blocked(id, customer, &gate, to, &caller.actor()).await?;
    Ok(Json(RedirectOut { redirect: to, queue_id: queue, gate }))
}
