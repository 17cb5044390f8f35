//! Order documents and the seller's details over HTTP.
//!
//! `GET /orders/{id}/documents/{invoice|delivery-note|confirmation}.{html|pdf}?lang=ru|kk|en`
//! reads the order (`store::order_documents`) and the seller's details,
//! builds a `documents::Document` and answers the printable HTML page or the
//! PDF. The document shows the buyer's personal data in full, so every view
//! is audited (`order.document_viewed`, like the customer card's views).
//! `GET/PUT /api/v1/seller` and the page `/admin/seller` keep the seller's
//! legal details (validated in `documents::seller`, audited by the store).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use documents::{Document, Kind, Lang, Line, Party, Seller};
use domain::time::UtcOffset;
use serde::Deserialize;
use store::order_documents::DocumentOrder;
use store::StoreError;

use crate::auth::{Caller, SignedInUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::pages::{chrome, error_page, render, Chrome, PageForm};
use crate::AppState;

/// `invoice.pdf` → (kind, pdf?); `None` for anything else.
pub fn parse_file(file: &str) -> Option<(Kind, bool)> {
    let (kind, ext) = file.rsplit_once('.')?;
    let pdf = match ext {
        "pdf" => true,
        "html" => false,
        _ => return None,
    };
    Some((Kind::parse(kind)?, pdf))
}

/// The document of `kind` in `lang` for an order as the store read it.
pub fn document(o: &DocumentOrder, seller: Seller, kind: Kind, lang: Lang) -> Document {
    let offset = if seller.jurisdiction == "RU" { UtcOffset::MOSCOW } else { UtcOffset::ALMATY };
    let address = if o.delivery_method == "pickup_point" { o.pickup_point.clone() } else { o.address.clone() };
    Document {
        kind,
        lang,
        seller,
        number: o.id.to_string(),
        created_at: o.created_at,
        offset,
        buyer: Party {
            name: o.customer_name.clone(),
            phone: o.customer_phone.clone(),
            email: o.customer_email.clone(),
            address: o.address.clone(),
        },
        receiver: Party {
            name: o.receiver_name.clone(),
            phone: o.receiver_phone.clone(),
            email: String::new(),
            address,
        },
        lines: o
            .lines
            .iter()
            .map(|l| Line {
                sku: l.sku.clone(),
                name: l.name.clone(),
                unit: l.unit.clone(),
                qty: l.qty,
                unit_price: l.unit_price,
                discount: l.discount,
                vat_bp: u32::try_from(l.vat_bp).unwrap_or(0),
                vat: l.vat,
                total: l.total,
            })
            .collect(),
        goods_total: o.goods_total,
        discount_total: o.discount_total,
        delivery_cost: o.delivery_cost,
        vat_total: o.vat_total,
        total: o.total,
        paid: o.paid,
        delivery_method: o.delivery_method.clone(),
        pickup_point: o.pickup_point.clone(),
        slot: o.slot_from.zip(o.slot_until),
        payment_method: o.payment_method.clone(),
        terms: o.terms.clone(),
        carrier: o.carrier.clone(),
        tracking: o.tracking.clone(),
        status: o.status.clone(),
    }
}

#[derive(Deserialize)]
pub struct DocQuery {
    lang: Option<String>,
}

/// `GET /orders/{id}/documents/{file}`: the document as HTML or PDF.
pub async fn view(
    State(st): State<AppState>,
    caller: Caller,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<DocQuery>,
) -> Response {
    let (Ok(id), Some((kind, pdf))) = (id.parse::<i64>(), parse_file(&file)) else {
        return error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found");
    };
    let lang = match q.lang.as_deref() {
        None | Some("") => Lang::parse(caller.locale.code()).unwrap_or(Lang::Ru),
        Some(l) => match Lang::parse(l) {
            Some(l) => l,
            None => return error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "doc-bad-lang"),
        },
    };
    let order = match st.store.order_for_documents(id).await {
        Ok(Some(o)) => o,
        Ok(None) => return error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let seller = match st.store.seller().await {
        Ok(s) => s,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let detail = format!("{file} {}", lang.as_str());
    if let Err(e) = st.store.audit(&caller.actor(), "order.document_viewed", &format!("order:{id}"), &detail).await {
        return ApiError::internal(e).into_response();
    }
    let doc = document(&order, seller, kind, lang);
    let name = format!("{}-{id}-{}", kind.as_str(), lang.as_str());
    let private = (header::CACHE_CONTROL, "private, no-store".to_string());
    if pdf {
        match documents::pdf::render(&doc) {
            Ok(bytes) => (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_string()),
                    (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}.pdf\"")),
                    private,
                ],
                bytes,
            )
                .into_response(),
            Err(e) => ApiError::internal(e).into_response(),
        }
    } else {
        let html = documents::html::render(&doc);
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()), private], html).into_response()
    }
}

/// The seller's legal details printed on order documents.
#[utoipa::path(get, path = "/api/v1/seller", tag = "orders",
    responses((status = 200, body = serde_json::Value), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_seller(State(st): State<AppState>) -> Result<Json<Seller>, ApiError> {
    Ok(Json(st.store.seller().await?))
}

/// Replaces the seller's details; answers them as stored (normalised). 422
/// names the wrong field (`tax_id: seller-invalid-bin`) and changes nothing.
#[utoipa::path(put, path = "/api/v1/seller", tag = "orders", request_body = serde_json::Value,
    responses((status = 200, body = serde_json::Value), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn put_seller(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(seller): ApiJson<Seller>,
) -> Result<Json<Seller>, ApiError> {
    Ok(Json(st.store.set_seller(&seller, &caller.actor()).await?))
}

#[derive(Template)]
#[template(path = "seller.html")]
struct SellerPage {
    chrome: Chrome,
    jurisdiction: String,
    /// (form name, label, value) of every text field.
    fields: Vec<(&'static str, String, String)>,
    error: Option<String>,
}

async fn page(
    st: &AppState,
    caller: &Caller,
    status: StatusCode,
    s: Option<Seller>,
    error: Option<String>,
) -> Response {
    let s = match s {
        Some(s) => s,
        None => match st.store.seller().await {
            Ok(s) => s,
            Err(e) => return ApiError::internal(e).into_response(),
        },
    };
    let chrome = chrome(st, caller, "seller", "nav-seller");
    let days = s.invoice_valid_days.to_string();
    let values: [(&'static str, &str); 15] = [
        ("name", &s.name),
        ("tax_id", &s.tax_id),
        ("kpp", &s.kpp),
        ("address", &s.address),
        ("phone", &s.phone),
        ("email", &s.email),
        ("bank_name", &s.bank_name),
        ("account", &s.account),
        ("bik", &s.bik),
        ("corr_account", &s.corr_account),
        ("kbe", &s.kbe),
        ("vat_registration", &s.vat_registration),
        ("director", &s.director),
        ("accountant", &s.accountant),
        ("invoice_valid_days", &days),
    ];
    let fields = values
        .iter()
        .map(|(name, value)| (*name, chrome.t.get(&format!("seller-{}", name.replace('_', "-"))), value.to_string()))
        .collect();
    render(status, &SellerPage { chrome, jurisdiction: s.jurisdiction.clone(), fields, error })
}

/// `GET /admin/seller`.
pub async fn seller_page(State(st): State<AppState>, caller: Caller) -> Response {
    page(&st, &caller, StatusCode::OK, None, None).await
}

/// The seller form as posted (every field text; the validity days a number).
#[derive(Deserialize)]
pub struct SellerForm {
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    tax_id: String,
    #[serde(default)]
    kpp: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    bank_name: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    bik: String,
    #[serde(default)]
    corr_account: String,
    #[serde(default)]
    kbe: String,
    #[serde(default)]
    vat_registration: String,
    #[serde(default)]
    director: String,
    #[serde(default)]
    accountant: String,
    #[serde(default)]
    invoice_valid_days: String,
}

/// `POST /admin/seller`: saves the details, or shows the form again with
/// what was typed and the reason (422).
pub async fn save_seller(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    PageForm(f): PageForm<SellerForm>,
) -> Response {
    let typed = Seller {
        jurisdiction: f.jurisdiction,
        name: f.name,
        tax_id: f.tax_id,
        kpp: f.kpp,
        address: f.address,
        phone: f.phone,
        email: f.email,
        bank_name: f.bank_name,
        account: f.account,
        bik: f.bik,
        corr_account: f.corr_account,
        kbe: f.kbe,
        vat_registration: f.vat_registration,
        director: f.director,
        accountant: f.accountant,
        // Out of range on purpose when not a number: validation names the field.
        invoice_valid_days: f.invoice_valid_days.trim().parse().unwrap_or(0),
    };
    match st.store.set_seller(&typed, &caller.actor()).await {
        Ok(_) => Redirect::to("/admin/seller").into_response(),
        Err(StoreError::Invalid(inv)) => {
            let field = st.catalog.get(caller.locale, &format!("seller-{}", inv.field.replace('_', "-")));
            let msg = format!("{field}: {}", st.catalog.get(caller.locale, inv.code));
            page(&st, &caller, StatusCode::UNPROCESSABLE_ENTITY, Some(typed), Some(msg)).await
        }
        Err(e) => ApiError::internal(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_parse() {
        assert_eq!(parse_file("invoice.pdf"), Some((Kind::Invoice, true)));
        assert_eq!(parse_file("delivery-note.html"), Some((Kind::DeliveryNote, false)));
        assert_eq!(parse_file("confirmation.html"), Some((Kind::Confirmation, false)));
        assert_eq!(parse_file("invoice.docx"), None);
        assert_eq!(parse_file("receipt.pdf"), None);
        assert_eq!(parse_file("invoice"), None);
    }
}
