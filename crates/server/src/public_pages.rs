//! Public pages for customers, no sign-in: the status page (`/status`),
//! where a customer sees one contact of theirs — its status, the public
//! replies and the decision — by giving its number together with their
//! e-mail or phone. An unknown number and a wrong pair get the same answer,
//! and failed lookups from one address are limited (counted in the audit
//! log): the page reveals nothing to someone guessing.

use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::Response;
use domain::customer::{Identity, IdentityKind};
use serde::Deserialize;

use crate::auth::{random_token, set_cookie, Caller, PRE_SESSION_CSRF_COOKIE};
use crate::error::ApiError;
use crate::pages::{chrome, render, Chrome, PageForm};
use crate::AppState;

/// Failed status lookups allowed per address in [`LOOKUP_WINDOW_MS`].
pub const MAX_FAILED_LOOKUPS: i64 = 5;
pub const LOOKUP_WINDOW_MS: i64 = 15 * 60 * 1000;
const LOOKUP_FAILED: &str = "status.lookup_failed";

/// What the status page shows of a found contact.
pub struct Found {
    pub number: i64,
    pub status: String,
    pub created: String,
    /// (when, text) of each reply to the customer.
    pub replies: Vec<(String, String)>,
    /// The decision: the wrap-up's summary once resolved.
    pub decision: Option<String>,
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    chrome: Chrome,
    number: String,
    contact: String,
    message: Option<String>,
    found: Option<Found>,
}

/// Gives an anonymous browser its pre-session CSRF token (as the sign-in page does).
fn with_csrf(st: &AppState, caller: &mut Caller) -> Option<String> {
    if caller.csrf.is_empty() {
        caller.csrf = random_token();
        return Some(set_cookie(PRE_SESSION_CSRF_COOKIE, &caller.csrf, 86400, st.config.secure_cookies));
    }
    None
}

fn page(status: StatusCode, p: StatusPage, cookie: Option<String>) -> Response {
    let mut resp = render(status, &p);
    if let Some(v) = cookie.and_then(|c| c.parse().ok()) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

/// `GET /status`: the lookup form.
pub async fn status_form(State(st): State<AppState>, mut caller: Caller) -> Response {
    let cookie = with_csrf(&st, &mut caller);
    let p = StatusPage {
        chrome: chrome(&st, &caller, "", "status-title"),
        number: String::new(),
        contact: String::new(),
        message: None,
        found: None,
    };
    page(StatusCode::OK, p, cookie)
}

#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    contact: String,
}

/// What the customer typed as their e-mail or phone.
fn identity(raw: &str) -> Option<Identity> {
    let kind = if raw.contains('@') { IdentityKind::Email } else { IdentityKind::Phone };
    Identity::new(kind, raw).ok()
}

/// `POST /status`: one lookup.
pub async fn status_lookup(State(st): State<AppState>, caller: Caller, PageForm(f): PageForm<LookupForm>) -> Response {
    let t = chrome(&st, &caller, "", "status-title").t;
    let ip = caller.ip.clone();
    let since = store::now_ms() - LOOKUP_WINDOW_MS;
    let failures = match st.store.recent_actions_from(LOOKUP_FAILED, &ip, since).await {
        Ok(n) => n,
        Err(e) => return axum::response::IntoResponse::into_response(ApiError::internal(e)),
    };
    // Refusals echo nothing back, so every refusal reads the same.
    let blank = |message: &str, status: StatusCode| {
        let p = StatusPage {
            chrome: chrome(&st, &caller, "", "status-title"),
            number: String::new(),
            contact: String::new(),
            message: Some(t.get(message)),
            found: None,
        };
        page(status, p, None)
    };
    if failures >= MAX_FAILED_LOOKUPS {
        return blank("status-rate-limited", StatusCode::TOO_MANY_REQUESTS);
    }
    let number = f.number.trim().trim_start_matches(['№', '#']).trim().parse::<i64>().ok();
    let found = match (number, identity(&f.contact)) {
        (Some(n), Some(who)) => match st.store.contact_for_identity(n, &who).await {
            Ok(c) => c,
            Err(e) => return axum::response::IntoResponse::into_response(ApiError::internal(e)),
        },
        _ => None,
    };
    let Some(c) = found else {
        if let Err(e) = st.store.audit(&caller.actor(), LOOKUP_FAILED, "status", "").await {
            return axum::response::IntoResponse::into_response(ApiError::internal(e));
        }
        // The same answer whatever was wrong: number, pair, or format.
        return blank("status-not-found", StatusCode::OK);
    };
    let replies = match st.store.contact_replies(c.id).await {
        Ok(r) => r,
        Err(e) => return axum::response::IntoResponse::into_response(ApiError::internal(e)),
    };
    if let Err(e) = st.store.audit(&caller.actor(), "status.viewed", &format!("contact:{}", c.id), "").await {
        return axum::response::IntoResponse::into_response(ApiError::internal(e));
    }
    let decision = match c.status {
        domain::contact::Status::Resolved | domain::contact::Status::Closed => {
            c.wrapup.as_ref().map(|w| w.summary.clone())
        }
        _ => None,
    };
    let found = Found {
        number: c.id,
        status: t.get(&format!("status-{}", c.status.as_str())),
        created: crate::pages::format_utc(c.created_at),
        replies: replies.into_iter().map(|r| (crate::pages::format_utc(r.created_at), r.body)).collect(),
        decision,
    };
    let p = StatusPage {
        chrome: chrome(&st, &caller, "", "status-title"),
        number: f.number.clone(),
        contact: f.contact.clone(),
        message: None,
        found: Some(found),
    };
    page(StatusCode::OK, p, None)
}
