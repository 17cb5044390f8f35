//! Customers in the browser: quick search from the desk (masked results
//! linking to cards), and the card's forms — merge a duplicate, assign the
//! manager, record consent. The card itself is `desk_pages::customer_card`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::customer::SearchQuery;
use serde::Deserialize;

use crate::auth::{Caller, SignedInUser};
use crate::customer_api::SEARCH_LIMIT;
use crate::desk_pages::{failed, CustomerRow};
use crate::error::ApiError;
use crate::pages::{chrome, render, Chrome, PageForm};
use crate::AppState;

#[derive(Deserialize)]
pub struct SearchParams {
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "customers.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    /// The translated key searched by (phone, e-mail, name, contact number).
    matched_by: String,
    error: Option<String>,
    searched: bool,
    customers: Vec<CustomerRow>,
}

/// `GET /desk/customers?q=`: matches masked, each linking to its (audited) card.
pub async fn search(State(st): State<AppState>, caller: Caller, Query(p): Query<SearchParams>) -> Response {
    let chrome = chrome(&st, &caller, "desk", "customer-search-title");
    let q = p.q.unwrap_or_default();
    let mut page = SearchPage {
        chrome,
        q: q.clone(),
        matched_by: String::new(),
        error: None,
        searched: false,
        customers: Vec::new(),
    };
    if q.trim().is_empty() {
        return render(StatusCode::OK, &page);
    }
    let query = match SearchQuery::parse(&q) {
        Ok(query) => query,
        Err(inv) => {
            page.error = Some(page.chrome.t.get(inv.code));
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    match st.store.search_customers(&query, SEARCH_LIMIT).await {
        Ok(found) => {
            page.searched = true;
            page.matched_by = page.chrome.t.get(&format!("customer-search-by-{}", query.key()));
            page.customers = found.iter().map(CustomerRow::masked).collect();
            render(StatusCode::OK, &page)
        }
        Err(e) => ApiError::internal(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct MergeForm {
    duplicate_id: i64,
}

pub async fn merge(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<MergeForm>,
) -> Response {
    match st.store.merge_customers(id, f.duplicate_id, &caller.actor()).await {
        Ok(_) => Redirect::to(&format!("/desk/customers/{id}#duplicates")).into_response(),
        Err(e) => failed(&st, &caller, e),
    }
}

#[derive(Deserialize)]
pub struct ManagerForm {
    /// A user id, or empty to clear.
    manager_id: String,
}

pub async fn set_manager(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ManagerForm>,
) -> Response {
    let manager = match f.manager_id.trim() {
        "" => None,
        m => match m.parse::<i64>() {
            Ok(m) => Some(m),
            Err(_) => {
                return crate::pages::error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request")
            }
        },
    };
    match st.store.set_customer_manager(id, manager, &caller.actor()).await {
        Ok(()) => Redirect::to(&format!("/desk/customers/{id}#card")).into_response(),
        Err(e) => failed(&st, &caller, e),
    }
}

#[derive(Deserialize)]
pub struct ConsentForm {
    /// `yes` or `no`.
    consent: String,
}

pub async fn set_consent(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ConsentForm>,
) -> Response {
    let consent = match f.consent.as_str() {
        "yes" => true,
        "no" => false,
        _ => return crate::pages::error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request"),
    };
    match st.store.set_customer_consent(id, consent, store::now_ms(), &caller.actor()).await {
        Ok(()) => Redirect::to(&format!("/desk/customers/{id}#card")).into_response(),
        Err(e) => failed(&st, &caller, e),
    }
}

/// Click-to-call from the card: the PBX rings the operator and dials the
/// customer's first phone; the new outbound contact opens.
pub async fn call(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Response {
    match crate::cti::dial(&st, &user, &caller.actor(), id, crate::cti::DialIn::default()).await {
        Ok(out) => Redirect::to(&format!("/desk/contacts/{}", out.contact_id)).into_response(),
        Err(e) => {
            let key = match e.status {
                StatusCode::BAD_GATEWAY => "error-pbx-failed",
                StatusCode::NOT_FOUND => "error-not-found",
                StatusCode::UNPROCESSABLE_ENTITY => "error-no-dial",
                _ => "error-bad-request",
            };
            crate::pages::error_page(&st, caller.locale, e.status, key)
        }
    }
}
