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
pub(crate) fn with_csrf(st: &AppState, caller: &mut Caller) -> Option<String> {
    if caller.csrf.is_empty() {
        caller.csrf = random_token();
        return Some(set_cookie(PRE_SESSION_CSRF_COOKIE, &caller.csrf, 86400, st.config.secure_cookies));
    }
    None
}

fn page(status: StatusCode, p: StatusPage, cookie: Option<String>) -> Response {
    with_cookie(render(status, &p), cookie)
}

/// Adds a `Set-Cookie` header when there is one to set.
pub(crate) fn with_cookie(mut resp: Response, cookie: Option<String>) -> Response {
    if let Some(v) = cookie.and_then(|c| c.parse().ok()) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

/// `GET /status`: the lookup form (the number filled in from `?number=`,
/// digits only, as the link in customer notices gives it).
pub async fn status_form(
    State(st): State<AppState>,
    mut caller: Caller,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let cookie = with_csrf(&st, &mut caller);
    let number = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "number")
        .map(|(_, n)| n.trim().to_string())
        .filter(|n| !n.is_empty() && n.len() <= 18 && n.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or_default();
    let p = StatusPage {
        chrome: chrome(&st, &caller, "", "status-title"),
        number,
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

/// Requests accepted per address in [`REQUEST_WINDOW_MS`].
pub const MAX_REQUESTS: i64 = 5;
pub const REQUEST_WINDOW_MS: i64 = 60 * 60 * 1000;
/// Files one request may carry.
pub const MAX_REQUEST_FILES: usize = 5;
const REQUEST_SUBMITTED: &str = "request.submitted";

/// The request form as typed (echoed back when something is wrong).
#[derive(Default, Clone)]
pub struct RequestDraft {
    pub contact_type: String,
    pub topic: String,
    pub text: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// "Request a call" (004:397) and when, `YYYY-MM-DDTHH:MM` in the centre's time (empty: now).
    pub call_me: bool,
    pub call_at: String,
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    chrome: Chrome,
    draft: RequestDraft,
    /// (code, label, selected)
    types: Vec<(&'static str, String, bool)>,
    /// (code, label, selected) of active topics.
    topics: Vec<(String, String, bool)>,
    message: Option<String>,
    /// The thanks page.
    done: bool,
    /// The registered contact's number on the thanks page; 0 for a request not stored.
    number: i64,
}

async fn request_page(
    st: &AppState,
    caller: &Caller,
    status: StatusCode,
    draft: RequestDraft,
    message: Option<&str>,
    done: Option<i64>,
    cookie: Option<String>,
) -> Response {
    let chrome = chrome(st, caller, "", "request-title");
    let t = &chrome.t;
    let types = domain::contact::ContactType::ALL
        .iter()
        .map(|c| (c.as_str(), t.get(&format!("ctype-{}", c.as_str())), c.as_str() == draft.contact_type))
        .collect();
    let topics = match st.store.list_topics().await {
        Ok(all) => all
            .into_iter()
            .filter(|x| x.active)
            .map(|x| {
                let name = store::localized(chrome.lang, &x.name_ru, &x.name_kk, &x.name_en).to_string();
                let selected = x.code == draft.topic;
                (x.code, name, selected)
            })
            .collect(),
        Err(e) => return axum::response::IntoResponse::into_response(ApiError::internal(e)),
    };
    let message = message.map(|m| t.get(m));
    let page = RequestPage { chrome, draft, types, topics, message, done: done.is_some(), number: done.unwrap_or(0) };
    with_cookie(render(status, &page), cookie)
}

/// `GET /request`: the public request form.
pub async fn request_form(State(st): State<AppState>, mut caller: Caller) -> Response {
    let cookie = with_csrf(&st, &mut caller);
    request_page(&st, &caller, StatusCode::OK, RequestDraft::default(), None, None, cookie).await
}

/// A checked request, ready to store.
struct Checked {
    contact_type: domain::contact::ContactType,
    identities: Vec<Identity>,
    files: Vec<(String, String, axum::body::Bytes)>,
    /// When to call the customer back, if they asked.
    callback: Option<i64>,
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM`) on the centre's clock.
pub(crate) fn centre_time(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once('T')?;
    let date = domain::time::Date::parse(date)?;
    let (h, m) = time.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    (h < 24 && m < 60).then(|| domain::time::UtcOffset::ALMATY.at(date, h, m))
}

fn check(
    d: &RequestDraft,
    consent: bool,
    files: Vec<(String, String, axum::body::Bytes)>,
) -> Result<Checked, &'static str> {
    let contact_type = domain::contact::ContactType::parse(&d.contact_type).ok_or("request-invalid-type")?;
    let text = d.text.trim();
    if text.is_empty() || text.chars().count() > domain::contact_work::MAX_NOTE_CHARS {
        return Err("request-invalid-text");
    }
    let name = d.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err("request-invalid-name");
    }
    let mut identities = Vec::new();
    if !d.email.trim().is_empty() {
        identities.push(Identity::new(IdentityKind::Email, &d.email).map_err(|_| "request-invalid-email")?);
    }
    if !d.phone.trim().is_empty() {
        identities.push(Identity::new(IdentityKind::Phone, &d.phone).map_err(|_| "request-invalid-phone")?);
    }
    if identities.is_empty() {
        return Err("request-contact-required");
    }
    if !consent {
        return Err("request-consent-required");
    }
    // A file input left empty still sends an empty part.
    let files: Vec<_> = files.into_iter().filter(|(n, _, b)| !(n.is_empty() && b.is_empty())).collect();
    if files.len() > MAX_REQUEST_FILES {
        return Err("request-too-many-files");
    }
    for (n, _, b) in &files {
        domain::contact_work::validate_attachment(n, b.len()).map_err(|_| "request-invalid-file")?;
    }
    let callback = match (d.call_me, d.call_at.trim()) {
        (false, _) => None,
        (true, _) if !identities.iter().any(|i| i.kind == IdentityKind::Phone) => return Err("request-callback-phone"),
        (true, "") => Some(store::now_ms()),
        (true, at) => Some(centre_time(at).ok_or("request-invalid-call-time")?),
    };
    Ok(Checked { contact_type, identities, files, callback })
}

/// `POST /request`: registers the request as a web-form contact. Spam
/// protection without third parties: a hidden honeypot field (a filled one
/// is thanked and dropped) and a limit of requests per address.
pub async fn request_submit(State(st): State<AppState>, caller: Caller, req: axum::extract::Request) -> Response {
    let limit = crate::routes::body_limit("/request", st.config.body_limit);
    let (fields, files) = match crate::cti::read_fields(req, limit).await {
        Ok(v) => v,
        Err(_) => return crate::pages::error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request"),
    };
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let draft = RequestDraft {
        contact_type: get("type"),
        topic: get("topic"),
        text: get("text"),
        name: get("name"),
        email: get("email"),
        phone: get("phone"),
        call_me: get("call_me") == "yes",
        call_at: get("call_at"),
    };
    if !get("website").is_empty() {
        // The honeypot: people never see this field; bots fill it.
        return request_page(&st, &caller, StatusCode::OK, RequestDraft::default(), None, Some(0), None).await;
    }
    let since = store::now_ms() - REQUEST_WINDOW_MS;
    match st.store.recent_actions_from(REQUEST_SUBMITTED, &caller.ip, since).await {
        Ok(n) if n >= MAX_REQUESTS => {
            return request_page(
                &st,
                &caller,
                StatusCode::TOO_MANY_REQUESTS,
                draft,
                Some("request-rate-limited"),
                None,
                None,
            )
            .await
        }
        Ok(_) => {}
        Err(e) => return axum::response::IntoResponse::into_response(ApiError::internal(e)),
    }
    let checked = match check(&draft, get("consent") == "yes", files) {
        Ok(c) => c,
        Err(key) => {
            return request_page(&st, &caller, StatusCode::UNPROCESSABLE_ENTITY, draft, Some(key), None, None).await
        }
    };
    // The topic before anything is written: a refused request leaves no customer behind.
    let topic = draft.topic.trim();
    if !topic.is_empty() {
        match st.store.topic_by_code(topic).await {
            Ok(Some(t)) if t.active => {}
            Ok(_) => {
                let key = Some("request-invalid-topic");
                return request_page(&st, &caller, StatusCode::UNPROCESSABLE_ENTITY, draft, key, None, None).await;
            }
            Err(e) => return axum::response::IntoResponse::into_response(ApiError::internal(e)),
        }
    }
    match register(&st, &caller, &draft, checked).await {
        Ok(id) => request_page(&st, &caller, StatusCode::OK, RequestDraft::default(), None, Some(id), None).await,
        Err(store::StoreError::Invalid(_)) => {
            request_page(
                &st,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                draft,
                Some("request-invalid-topic"),
                None,
                None,
            )
            .await
        }
        Err(e) => axum::response::IntoResponse::into_response(ApiError::internal(e)),
    }
}

/// Finds or registers the customer (with their consent), registers the
/// contact in the first queue, keeps the text as its first note and the files
/// as attachments. Returns the contact's number.
async fn register(st: &AppState, caller: &Caller, d: &RequestDraft, c: Checked) -> Result<i64, store::StoreError> {
    let actor = store::AuditActor { user_id: None, login: "web_form".into(), ip: Some(caller.ip.clone()) };
    let now = store::now_ms();
    let mut customer = None;
    for i in &c.identities {
        let q = match i.kind {
            IdentityKind::Email => domain::customer::SearchQuery::Email(i.value.clone()),
            _ => domain::customer::SearchQuery::Phone(i.value.clone()),
        };
        if let Some(found) = st.store.search_customers(&q, 1).await?.into_iter().next() {
            customer = Some(found.id);
            break;
        }
    }
    let customer = match customer {
        Some(id) => id,
        None => {
            let new = store::NewCustomer {
                full_name: d.name.trim().to_string(),
                phone: String::new(),
                email: String::new(),
                client_type: "new".into(),
                locale: caller.locale.code().into(),
                created_at: now,
                consent_at: Some(now),
            };
            st.store.register_customer(&new, &c.identities, &actor).await?
        }
    };
    st.store.set_customer_consent(customer, true, now, &actor).await?;
    let queue = st.store.list_queues().await?.into_iter().next().ok_or(store::StoreError::NotFound("queue"))?;
    let subject: String = d.text.trim().chars().take(120).collect();
    let new = store::contacts::NewContact {
        channel: domain::contact::Channel::WebForm,
        direction: domain::contact::Direction::Inbound,
        contact_type: c.contact_type,
        topic: d.topic.trim().to_string(),
        priority: 0,
        subject,
        customer_id: Some(customer),
        queue_id: queue.id,
    };
    let contact = st.dispatch.create_contact(&st.store, &new, &actor).await?;
    st.store.add_note(contact.id, &actor, d.text.trim()).await?;
    for (name, ct, bytes) in &c.files {
        st.store.add_attachment(contact.id, &actor, name, ct, bytes).await?;
    }
    if let (Some(due_at), Some(phone)) = (c.callback, c.identities.iter().find(|i| i.kind == IdentityKind::Phone)) {
        let cb = store::cti::NewCallback {
            number: phone.value.clone(),
            queue: queue.code.clone(),
            due_at,
            source: "web_form",
            key: contact.id.to_string(),
        };
        st.store.request_callback(&cb).await?;
        crate::cti::release_due_callbacks(st, store::now_ms()).await;
    }
    st.store.audit(&actor, REQUEST_SUBMITTED, &format!("contact:{}", contact.id), "").await?;
    Ok(contact.id)
}
