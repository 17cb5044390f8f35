//! The public order form `/shop/order` (issue 6): no sign-in, CSRF-checked
//! like `/request`. A customer searches the catalogue, gives up to five
//! SKU + quantity lines, their name, phone, e-mail, delivery and payment; the
//! customer is found by phone or e-mail (else registered, with consent), the
//! order is created with source `web_form` in a contact of its own, and the
//! page shows the order number and the status link.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::customer::{Identity, IdentityKind, SearchQuery};
use retail::order::{DeliveryMethod, NewOrder, PaymentMethod, Receiver, Source};
use serde::Deserialize;
use store::orders::{self as so, Created, Refusal};

use crate::auth::Caller;
use crate::pages::{chrome, render, Chrome, PageForm};
use crate::AppState;

/// Lines the form offers.
pub const LINES: usize = 5;

#[derive(Template)]
#[template(path = "shop_order.html")]
struct ShopPage {
    chrome: Chrome,
    q: String,
    /// (sku, name, price as text, available)
    items: Vec<(String, String, String, i64)>,
    messages: Vec<String>,
    /// (index, sku, qty)
    lines: Vec<(usize, String, String)>,
    name: String,
    phone: String,
    email: String,
    address: String,
    slot: String,
    /// (code, label)
    methods: Vec<(&'static str, String)>,
    points: Vec<String>,
    /// The created order's number (0: the form).
    number: i64,
    contact: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct ShopForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub sku1: String,
    #[serde(default)]
    pub qty1: String,
    #[serde(default)]
    pub sku2: String,
    #[serde(default)]
    pub qty2: String,
    #[serde(default)]
    pub sku3: String,
    #[serde(default)]
    pub qty3: String,
    #[serde(default)]
    pub sku4: String,
    #[serde(default)]
    pub qty4: String,
    #[serde(default)]
    pub sku5: String,
    #[serde(default)]
    pub qty5: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub delivery: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub pickup_point: String,
    #[serde(default)]
    pub slot: String,
    #[serde(default)]
    pub payment: String,
    #[serde(default)]
    pub consent: String,
}

impl ShopForm {
    fn lines(&self) -> [(&str, &str); LINES] {
        [
            (&self.sku1, &self.qty1),
            (&self.sku2, &self.qty2),
            (&self.sku3, &self.qty3),
            (&self.sku4, &self.qty4),
            (&self.sku5, &self.qty5),
        ]
    }
}

async fn page(
    st: &AppState,
    caller: &Caller,
    status: StatusCode,
    q: &str,
    form: &ShopForm,
    messages: Vec<String>,
    done: Option<(i64, i64)>,
) -> Response {
    let chrome = chrome(st, caller, "", "shop-title");
    let settings = st.store.order_settings().await.unwrap_or_default();
    let items = match st.store.catalogue_search(q, "retail", chrome.lang, 20).await {
        Ok(hits) => hits
            .into_iter()
            .map(|h| (h.sku, h.name, h.price.map(retail::money::format_amount).unwrap_or_default(), h.available))
            .collect(),
        Err(e) => {
            tracing::error!("shop search: {e}");
            vec![]
        }
    };
    let methods = settings
        .tariffs
        .iter()
        .map(|t| {
            let code = match t.method {
                DeliveryMethod::Courier => "courier",
                DeliveryMethod::Post => "post",
                DeliveryMethod::PickupPoint => "pickup_point",
                DeliveryMethod::SelfPickup => "self_pickup",
            };
            (code, chrome.t.get(&format!("shop-delivery-{}", code.replace('_', "-"))))
        })
        .collect();
    let lines = form.lines().iter().enumerate().map(|(i, (s, n))| (i + 1, s.to_string(), n.to_string())).collect();
    let (number, contact) = done.unwrap_or((0, 0));
    let p = ShopPage {
        chrome,
        q: q.to_string(),
        items,
        messages,
        lines,
        name: form.name.clone(),
        phone: form.phone.clone(),
        email: form.email.clone(),
        address: form.address.clone(),
        slot: form.slot.clone(),
        methods,
        points: settings.pickup_points,
        number,
        contact,
    };
    render(status, &p)
}

/// `GET /shop/order`: the form with a catalogue search.
pub async fn form(State(st): State<AppState>, mut caller: Caller, Query(p): Query<SearchParams>) -> Response {
    let cookie = crate::public_pages::with_csrf(&st, &mut caller);
    let q: String = p.q.unwrap_or_default().chars().take(100).collect();
    let resp = page(&st, &caller, StatusCode::OK, &q, &ShopForm::default(), vec![], None).await;
    crate::public_pages::with_cookie(resp, cookie)
}

/// What is wrong with the form before any order logic runs (message keys).
/// The form's lines and the customer's identities.
type Checked = (Vec<(String, i64)>, Vec<Identity>);

fn check(f: &ShopForm) -> Result<Checked, Vec<&'static str>> {
    let mut errs = Vec::new();
    let mut lines = Vec::new();
    for (sku, qty) in f.lines() {
        if sku.trim().is_empty() {
            continue;
        }
        match qty.trim().parse::<i64>() {
            Ok(q) if q > 0 => lines.push((sku.trim().to_string(), q)),
            _ => errs.push("shop-invalid-qty"),
        }
    }
    if lines.is_empty() {
        errs.push("shop-no-lines");
    }
    if f.name.trim().is_empty() || f.name.chars().count() > 200 {
        errs.push("request-invalid-name");
    }
    let mut ids = Vec::new();
    match domain::customer::normalize_phone(&f.phone) {
        Ok(p) => ids.push(Identity { kind: IdentityKind::Phone, value: p }),
        Err(_) => errs.push("request-invalid-phone"),
    }
    if !f.email.trim().is_empty() {
        match domain::customer::normalize_email(&f.email) {
            Ok(e) => ids.push(Identity { kind: IdentityKind::Email, value: e }),
            Err(_) => errs.push("request-invalid-email"),
        }
    }
    if f.consent != "yes" {
        errs.push("request-consent-required");
    }
    if f.address.chars().count() > 300 {
        errs.push("shop-invalid-address");
    }
    if errs.is_empty() {
        Ok((lines, ids))
    } else {
        Err(errs)
    }
}

/// Finds the customer by phone or e-mail (the existing matching), else registers one.
async fn customer(st: &AppState, f: &ShopForm, ids: &[Identity], caller: &Caller) -> Result<i64, store::StoreError> {
    let actor = store::AuditActor { user_id: None, login: "web_form".into(), ip: Some(caller.ip.clone()) };
    let now = store::now_ms();
    for i in ids {
        let q = match i.kind {
            IdentityKind::Email => SearchQuery::Email(i.value.clone()),
            _ => SearchQuery::Phone(i.value.clone()),
        };
        if let Some(found) = st.store.search_customers(&q, 1).await?.into_iter().next() {
            st.store.set_customer_consent(found.id, true, now, &actor).await?;
            return Ok(found.id);
        }
    }
    let new = store::NewCustomer {
        full_name: f.name.trim().to_string(),
        phone: String::new(),
        email: String::new(),
        client_type: "new".into(),
        locale: caller.locale.code().into(),
        created_at: now,
        consent_at: Some(now),
    };
    st.store.register_customer(&new, ids, &actor).await
}

/// `POST /shop/order`: creates the order or shows what is wrong (422). A form
/// refused by the order rules has still found or registered its customer.
pub async fn submit(State(st): State<AppState>, caller: Caller, PageForm(f): PageForm<ShopForm>) -> Response {
    let t = crate::pages::chrome(&st, &caller, "", "shop-title").t;
    let (lines, ids) = match check(&f) {
        Ok(x) => x,
        Err(keys) => {
            let msgs = keys.iter().map(|k| t.get(k)).collect();
            return page(&st, &caller, StatusCode::UNPROCESSABLE_ENTITY, "", &f, msgs, None).await;
        }
    };
    let delivery = so::parse_enum::<DeliveryMethod>(&f.delivery);
    let payment = so::parse_enum::<PaymentMethod>(&f.payment).filter(|p| *p != PaymentMethod::BankTransfer);
    let (Some(delivery), Some(payment)) = (delivery, payment) else {
        let msgs = vec![t.get("shop-invalid-delivery")];
        return page(&st, &caller, StatusCode::UNPROCESSABLE_ENTITY, "", &f, msgs, None).await;
    };
    let slot = crate::public_pages::centre_time(&f.slot).map(|from_ms| (from_ms / 1000, from_ms / 1000 + 7_200));
    let order = NewOrder {
        lines,
        receiver: Receiver { name: f.name.trim().to_string(), phone: f.phone.clone() },
        delivery,
        address: f.address.clone(),
        pickup_point: f.pickup_point.clone(),
        slot,
        payment,
        terms: if payment == PaymentMethod::CashOnDelivery {
            retail::order::Terms::OnDelivery
        } else {
            retail::order::Terms::Prepaid
        },
    };
    let settings = match st.store.order_settings().await {
        Ok(s) => s,
        Err(e) => return axum::response::IntoResponse::into_response(crate::error::ApiError::internal(e)),
    };
    let customer_id = match customer(&st, &f, &ids, &caller).await {
        Ok(id) => id,
        Err(e) => return axum::response::IntoResponse::into_response(crate::error::ApiError::from(e)),
    };
    let input = so::CreateOrder {
        customer_id,
        contact_id: None,
        operator_id: None,
        source: Some(Source::WebForm),
        order,
        offers: vec![],
        read_back: false,
        request_key: None,
    };
    let created = match st.store.create_order(&input, &settings).await {
        Ok(c) => c,
        Err(e) => return axum::response::IntoResponse::into_response(crate::error::ApiError::from(e)),
    };
    crate::orders_api::route_opened(&st, &input, &created).await;
    match created {
        Created::New(o) | Created::Repeated(o) => {
            page(&st, &caller, StatusCode::OK, "", &f, vec![], Some((o.id, o.contact_id))).await
        }
        Created::Refused(r) => {
            let errs = match r {
                Refusal::Invalid(e) | Refusal::OutOfStock(e) => e,
                Refusal::CreditBlocked(_) => vec![],
            };
            let mut msgs: Vec<String> = errs.iter().map(|e| format!("{}: {}", e.field, e.code)).collect();
            if msgs.is_empty() {
                msgs.push(t.get("shop-blocked"));
            }
            page(&st, &caller, StatusCode::UNPROCESSABLE_ENTITY, "", &f, msgs, None).await
        }
    }
}
