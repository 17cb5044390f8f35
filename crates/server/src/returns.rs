//! Returns, exchanges and claims of orders over HTTP (docs/ORDERS.md
//! "Returns and claims"): the JSON API, the returns list `/orders/returns`
//! and the return-window presets page. The decision is automatic by the
//! rules (`store::returns`, `retail::returns`); handlers only parse.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::contact::Channel;
use serde::Deserialize;
use store::returns::{NewClaim, NewReturn, OrderReturn, RequestKind, ReturnPresets, Term};
use store::StoreError;

use crate::auth::{Caller, SignedInUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::pages::{chrome, format_utc, render, Chrome, PageForm};
use crate::AppState;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    Proper,
    Defective,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineIn {
    pub sku: String,
    pub qty: i64,
}

/// `POST /api/v1/orders/{id}/returns`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnIn {
    /// `return` (default) or `exchange`.
    #[serde(default = "default_kind")]
    pub kind: RequestKind,
    pub reason: String,
    /// `proper` (default) or `defective`.
    #[serde(default = "default_quality")]
    pub quality: Quality,
    /// Whether written return terms were handed over at delivery (default true).
    #[serde(default = "yes")]
    pub written_terms_given: bool,
    /// The seller's cost of getting goods of proper quality back, minor units.
    #[serde(default)]
    pub return_shipping: i64,
    pub lines: Vec<ReturnLineIn>,
}

fn default_kind() -> RequestKind {
    RequestKind::Return
}
fn default_quality() -> Quality {
    Quality::Proper
}
fn yes() -> bool {
    true
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict("order-not-delivered") => {
            ApiError::new(StatusCode::CONFLICT, "not-delivered", "the order has not been delivered")
        }
        StoreError::Conflict("out-of-stock") => ApiError::new(
            StatusCode::CONFLICT,
            "out-of-stock",
            "no stock of the item for the replacement; register a return instead",
        ),
        e => ApiError::from(e),
    }
}

/// Registers a return or exchange request; the rules decide it at once.
/// 201 with the request (`decision` `accepted` or `refused` with
/// `refusal_code`, `refusal_text` = the legal basis, `last_day`).
#[utoipa::path(post, path = "/api/v1/orders/{id}/returns", tag = "orders", request_body = serde_json::Value,
    params(("id" = i64, Path, description = "Order number")),
    responses((status = 201, body = serde_json::Value), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_return(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReturnIn>,
) -> Result<(StatusCode, Json<OrderReturn>), ApiError> {
    let new = NewReturn {
        kind: body.kind,
        reason: body.reason,
        defective: body.quality == Quality::Defective,
        written_terms_given: body.written_terms_given,
        return_shipping: body.return_shipping,
        lines: body.lines.into_iter().map(|l| (l.sku.trim().to_string(), l.qty)).collect(),
    };
    let r = st.store.request_return(id, &new, &caller.actor(), store::now_ms()).await.map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The return requests of an order, oldest first.
#[utoipa::path(get, path = "/api/v1/orders/{id}/returns", tag = "orders",
    params(("id" = i64, Path, description = "Order number")),
    responses((status = 200, body = serde_json::Value), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn order_returns(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<OrderReturn>>, ApiError> {
    if !st.store.order_exists(id).await? {
        return Err(ApiError::not_found("order"));
    }
    Ok(Json(st.store.order_returns(id).await?))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub decision: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

fn decision_filter(q: &ListQuery) -> Result<Option<&str>, ApiError> {
    match q.decision.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(d @ ("accepted" | "refused")) => Ok(Some(d)),
        Some(_) => {
            Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "decision: accepted or refused"))
        }
    }
}

/// Return requests of every order, newest first (`?decision=accepted|refused&limit=`).
#[utoipa::path(get, path = "/api/v1/returns", tag = "orders",
    params(("decision" = Option<String>, Query, description = "accepted or refused"),
        ("limit" = Option<i64>, Query, description = "at most 500, default 100")),
    responses((status = 200, body = serde_json::Value), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_returns(
    State(st): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<OrderReturn>>, ApiError> {
    let decision = decision_filter(&q)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    Ok(Json(st.store.list_returns(decision, limit).await?))
}

/// `POST /api/v1/orders/{id}/claims`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimIn {
    pub text: String,
    /// The channel the claim came by (`voice`, `email`, …); the order contact's by default.
    #[serde(default)]
    pub channel: Option<String>,
}

/// Files a claim (претензия): a complaint contact for the order's customer,
/// linked to the order, with the legal answer deadline. 201
/// `{claim:{id, order_id, contact_id, text, preset_id, due_at, …}, contact_id, due_at, preset_id}`.
#[utoipa::path(post, path = "/api/v1/orders/{id}/claims", tag = "orders", request_body = serde_json::Value,
    params(("id" = i64, Path, description = "Order number")),
    responses((status = 201, body = serde_json::Value), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_claim(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ClaimIn>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let channel = match body.channel.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(Channel::parse(c).ok_or_else(|| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "channel: unknown channel")
        })?),
    };
    let (claim, contact) = st.store.file_claim(id, &NewClaim { text: body.text, channel }, &caller.actor()).await?;
    if let Some(queue) = contact.queue_id {
        st.dispatch.route_registered(&st.store, &contact, queue).await;
    }
    let out = serde_json::json!({
        "contact_id": claim.contact_id, "preset_id": claim.preset_id, "due_at": claim.due_at,
        "due": format_utc(claim.due_at), "claim": claim,
    });
    Ok((StatusCode::CREATED, Json(out)))
}

/// The return-window presets in force: `{text, edited, presets:{windows, non_returnable}}`.
#[utoipa::path(get, path = "/api/v1/return-windows", tag = "orders",
    responses((status = 200, body = serde_json::Value), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_windows(State(st): State<AppState>) -> Result<Json<store::returns::ReturnWindows>, ApiError> {
    Ok(Json(st.store.return_windows().await?))
}

/// `PUT /api/v1/return-windows`: the whole presets file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsIn {
    pub text: String,
}

/// Checks an edited presets file: it must parse (`ReturnPresets::parse`,
/// every entry with its source) and keep at least one window.
pub fn check_windows(text: &str) -> Result<ReturnPresets, String> {
    let p = ReturnPresets::parse(text).map_err(|e| e.to_string())?;
    if p.windows.is_empty() {
        return Err("at least one [[window]] is needed".into());
    }
    Ok(p)
}

/// Replaces the return-window presets; 422 with the line of the first error
/// and nothing changed when the file does not parse.
#[utoipa::path(put, path = "/api/v1/return-windows", tag = "orders", request_body = serde_json::Value,
    responses((status = 200, body = serde_json::Value), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn put_windows(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(body): ApiJson<WindowsIn>,
) -> Result<Json<store::returns::ReturnWindows>, ApiError> {
    check_windows(&body.text).map_err(|m| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-presets", m))?;
    st.store.set_return_windows(&body.text, &caller.actor()).await?;
    Ok(Json(st.store.return_windows().await?))
}

// ---------------------------------------------------------------- pages

pub struct ReturnRow {
    pub id: i64,
    pub order_id: i64,
    pub kind: String,
    pub quality: String,
    pub requested: String,
    pub accepted: bool,
    pub decision: String,
    pub why: String,
    pub refund: String,
    pub lines: String,
}

#[derive(Template)]
#[template(path = "returns.html")]
struct ReturnsPage {
    chrome: Chrome,
    return_rows: Vec<ReturnRow>,
    filter: String,
}

fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

/// The rows of `templates/returns_section.html` (the order page includes it
/// with `return_rows` for one order's `Store::order_returns`).
pub fn rows(t: &crate::pages::Tr, returns: &[OrderReturn]) -> Vec<ReturnRow> {
    returns
        .iter()
        .map(|r| {
            let accepted = r.decision == "accepted";
            let why = if accepted {
                r.basis.clone()
            } else {
                let code = r.refusal_code.clone().unwrap_or_default();
                let day = r.last_day.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
                format!("{}{day}. {}", t.get(&format!("return-refusal-{code}")), r.refusal_text)
            };
            ReturnRow {
                id: r.id,
                order_id: r.order_id,
                kind: t.get(&format!("return-kind-{}", r.kind)),
                quality: t.get(&format!("return-quality-{}", r.quality)),
                requested: format_utc(r.requested_at),
                accepted,
                decision: t.get(&format!("return-decision-{}", r.decision)),
                why,
                refund: money(r.refund),
                lines: r.lines.iter().map(|l| format!("{} × {}", l.sku, l.qty)).collect::<Vec<_>>().join(", "),
            }
        })
        .collect()
}

/// `GET /orders/returns`: every return request, newest first.
pub async fn returns_page(State(st): State<AppState>, caller: Caller, Query(q): Query<ListQuery>) -> Response {
    let chrome = chrome(&st, &caller, "returns", "returns-title");
    let decision = match decision_filter(&q) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    match st.store.list_returns(decision, 500).await {
        Ok(list) => {
            let return_rows = rows(&chrome.t, &list);
            let filter = decision.unwrap_or_default().to_string();
            render(StatusCode::OK, &ReturnsPage { chrome, return_rows, filter })
        }
        Err(e) => ApiError::internal(e).into_response(),
    }
}

pub struct WindowRow {
    pub id: String,
    pub jurisdiction: String,
    pub kind: String,
    pub term: String,
    pub source: String,
    pub confidence: String,
}

#[derive(Template)]
#[template(path = "return_windows.html")]
struct WindowsPage {
    chrome: Chrome,
    text: String,
    edited: bool,
    windows: Vec<WindowRow>,
    /// (jurisdiction, classes, source)
    non_returnable: Vec<(String, String, String)>,
    error: Option<String>,
}

async fn windows_page(
    st: &AppState,
    caller: &Caller,
    status: StatusCode,
    text: Option<String>,
    error: Option<String>,
) -> Response {
    let chrome = chrome(st, caller, "returns", "return-windows-title");
    let w = match st.store.return_windows().await {
        Ok(w) => w,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let windows = w
        .presets
        .windows
        .iter()
        .map(|x| WindowRow {
            id: x.id.clone(),
            jurisdiction: x.jurisdiction.clone(),
            kind: chrome.t.get(&format!(
                "return-window-{}",
                serde_json::to_value(x.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
            )),
            term: match x.term {
                Term::Days(d) => format!("{d} {}", chrome.t.get("return-days")),
                Term::Months(m) => format!("{m} {}", chrome.t.get("return-months")),
            },
            source: x.source.clone(),
            confidence: x.confidence.clone(),
        })
        .collect();
    let non_returnable = w
        .presets
        .non_returnable
        .iter()
        .map(|n| (n.jurisdiction.clone(), n.classes.join(", "), n.source.clone()))
        .collect();
    let page = WindowsPage { chrome, text: text.unwrap_or(w.text), edited: w.edited, windows, non_returnable, error };
    render(status, &page)
}

/// `GET /admin/return-windows`.
pub async fn windows_room(State(st): State<AppState>, caller: Caller) -> Response {
    windows_page(&st, &caller, StatusCode::OK, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct WindowsForm {
    pub text: String,
}

/// `POST /admin/return-windows`: saves the edited file, or shows it again with the error.
pub async fn windows_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    PageForm(form): PageForm<WindowsForm>,
) -> Response {
    let text = form.text.replace("\r\n", "\n");
    if let Err(m) = check_windows(&text) {
        let msg = format!("{}: {m}", st.catalog.get(caller.locale, "return-windows-invalid"));
        return windows_page(&st, &caller, StatusCode::UNPROCESSABLE_ENTITY, Some(text), Some(msg)).await;
    }
    match st.store.set_return_windows(&text, &caller.actor()).await {
        Ok(()) => Redirect::to("/admin/return-windows").into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edited_presets_must_parse_keep_sources_and_a_window() {
        assert!(check_windows(store::returns::RETURN_PRESETS).is_ok());
        let no_source =
            "[[window]]\nid = \"x\"\njurisdiction = \"KZ\"\nkind = \"proper_quality\"\ndays = 14\nsource = \" \"\n";
        assert!(check_windows(no_source).unwrap_err().contains("source"), "{no_source}");
        assert_eq!(check_windows("# nothing\n").unwrap_err(), "at least one [[window]] is needed");
    }
}
