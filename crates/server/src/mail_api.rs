//! Mailboxes in the API (`ManageChannels`: administrators) and the letters of
//! a contact (`UseDesk`). Passwords are sealed with the server's secret key
//! before the store sees them and are never returned.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::contact::ContactType;
use serde::{Deserialize, Serialize};
use store::mail::{EmailRecord, Mailbox, MailboxSettings};
use store::StoreError;
use utoipa::ToSchema;

use crate::auth::SignedInUser;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::AppState;

/// A mailbox as the API shows it (no passwords).
#[derive(Debug, Serialize, ToSchema)]
pub struct MailboxOut {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub imap_host: String,
    pub imap_port: i64,
    /// `tls`, `starttls` or `none`.
    pub imap_tls: String,
    pub imap_user: String,
    pub imap_password_set: bool,
    pub imap_folder: String,
    pub smtp_host: String,
    pub smtp_port: i64,
    pub smtp_tls: String,
    pub smtp_user: String,
    pub smtp_password_set: bool,
    pub queue_id: i64,
    pub topic: String,
    pub contact_type: ContactType,
    pub signature: String,
    pub active: bool,
    /// The ingestion cursor: UIDVALIDITY and the highest processed UID.
    pub uid_validity: i64,
    pub last_uid: i64,
}

fn out(m: Mailbox) -> MailboxOut {
    MailboxOut {
        id: m.id,
        imap_password_set: !m.imap_password_sealed.is_empty(),
        smtp_password_set: !m.smtp_password_sealed.is_empty(),
        name: m.name,
        address: m.address,
        imap_host: m.imap_host,
        imap_port: m.imap_port,
        imap_tls: m.imap_tls,
        imap_user: m.imap_user,
        imap_folder: m.imap_folder,
        smtp_host: m.smtp_host,
        smtp_port: m.smtp_port,
        smtp_tls: m.smtp_tls,
        smtp_user: m.smtp_user,
        queue_id: m.queue_id,
        topic: m.topic,
        contact_type: m.contact_type,
        signature: m.signature,
        active: m.active,
        uid_validity: m.uid_validity,
        last_uid: m.last_uid,
    }
}

fn default_folder() -> String {
    "INBOX".into()
}
fn default_tls() -> String {
    "tls".into()
}
fn default_true() -> bool {
    true
}
fn default_type() -> ContactType {
    ContactType::Information
}

/// A mailbox's settings. On update an absent password keeps the stored one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxIn {
    pub name: String,
    /// The from-address of replies.
    pub address: String,
    pub imap_host: String,
    pub imap_port: i64,
    #[serde(default = "default_tls")]
    pub imap_tls: String,
    pub imap_user: String,
    pub imap_password: Option<String>,
    #[serde(default = "default_folder")]
    pub imap_folder: String,
    pub smtp_host: String,
    pub smtp_port: i64,
    #[serde(default = "default_tls")]
    pub smtp_tls: String,
    #[serde(default)]
    pub smtp_user: String,
    pub smtp_password: Option<String>,
    /// Where new contacts from this mailbox queue.
    pub queue_id: i64,
    #[serde(default)]
    pub topic: String,
    #[serde(default = "default_type")]
    pub contact_type: ContactType,
    #[serde(default)]
    pub signature: String,
    #[serde(default = "default_true")]
    pub active: bool,
}

impl MailboxIn {
    fn settings(self, st: &AppState) -> MailboxSettings {
        let seal = |p: Option<String>| p.map(|p| st.secrets.seal(&p));
        MailboxSettings {
            name: self.name,
            address: self.address,
            imap_host: self.imap_host,
            imap_port: self.imap_port,
            imap_tls: self.imap_tls,
            imap_user: self.imap_user,
            imap_password_sealed: seal(self.imap_password),
            imap_folder: self.imap_folder,
            smtp_host: self.smtp_host,
            smtp_port: self.smtp_port,
            smtp_tls: self.smtp_tls,
            smtp_user: self.smtp_user,
            smtp_password_sealed: seal(self.smtp_password),
            queue_id: self.queue_id,
            topic: self.topic,
            contact_type: self.contact_type,
            signature: self.signature,
            active: self.active,
        }
    }
}

fn refusal(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(_) => {
            ApiError::new(StatusCode::CONFLICT, "conflict", "a mailbox with that address already exists")
        }
        other => other.into(),
    }
}

/// Lists the configured mailboxes.
#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "channels",
    responses((status = 200, body = Vec<MailboxOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(State(st): State<AppState>) -> Result<Json<Vec<MailboxOut>>, ApiError> {
    Ok(Json(st.store.mailboxes().await?.into_iter().map(out).collect()))
}

/// One mailbox.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}", tag = "channels",
    params(("id" = i64, Path, description = "Mailbox id")),
    responses((status = 200, body = MailboxOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_one(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<MailboxOut>, ApiError> {
    let m = st.store.mailbox(id).await?.ok_or_else(|| ApiError::not_found("mailbox"))?;
    Ok(Json(out(m)))
}

/// Adds a mailbox; its poller starts within seconds.
#[utoipa::path(post, path = "/api/v1/mailboxes", tag = "channels", request_body = MailboxIn,
    responses((status = 201, body = MailboxOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<MailboxIn>,
) -> Result<(StatusCode, Json<MailboxOut>), ApiError> {
    let settings = input.settings(&st);
    let m = st.store.create_mailbox(&settings, &caller.actor()).await.map_err(refusal)?;
    Ok((StatusCode::CREATED, Json(out(m))))
}

/// Replaces a mailbox's settings (absent passwords are kept). A new IMAP
/// server, user or folder starts its cursor again.
#[utoipa::path(put, path = "/api/v1/mailboxes/{id}", tag = "channels", request_body = MailboxIn,
    params(("id" = i64, Path, description = "Mailbox id")),
    responses((status = 200, body = MailboxOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MailboxIn>,
) -> Result<Json<MailboxOut>, ApiError> {
    let settings = input.settings(&st);
    let m = st.store.update_mailbox(id, &settings, &caller.actor()).await.map_err(refusal)?;
    Ok(Json(out(m)))
}

/// A letter of a contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailOut {
    pub id: i64,
    /// `in` or `out`.
    pub direction: String,
    pub message_id: String,
    pub in_reply_to: String,
    pub references: Vec<String>,
    pub from_address: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    /// Sanitised HTML (safe to show).
    pub body_html: Option<String>,
    /// In: `accepted`, `threaded`, `bounce`. Out: `sending`, `sent`, `failed`.
    pub disposition: String,
    pub detail: String,
    pub created_at: i64,
}

fn email_out(e: EmailRecord) -> EmailOut {
    EmailOut {
        id: e.id,
        direction: e.direction,
        message_id: e.message_id,
        in_reply_to: e.in_reply_to,
        references: e.references,
        from_address: e.from_address,
        to_address: e.to_address,
        subject: e.subject,
        body_text: e.body_text,
        body_html: e.body_html,
        disposition: e.disposition,
        detail: e.detail,
        created_at: e.created_at,
    }
}

/// The letters of a contact, in and out, oldest first.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/emails", tag = "contact work",
    params(("id" = i64, Path, description = "Contact id")),
    responses((status = 200, body = Vec<EmailOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn contact_emails(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<Vec<EmailOut>>, ApiError> {
    st.store.contact(id).await?.ok_or_else(|| ApiError::not_found("contact"))?;
    Ok(Json(st.store.contact_emails(id).await?.into_iter().map(email_out).collect()))
}

// ---------------------------------------------------------------- room

/// One mailbox's form in the room (`id` 0: the new one).
pub struct MailboxRow {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub imap_host: String,
    pub imap_port: String,
    pub imap_user: String,
    pub imap_folder: String,
    pub smtp_host: String,
    pub smtp_port: String,
    pub smtp_user: String,
    pub topic: String,
    pub signature: String,
    pub active: bool,
    pub imap_password_set: bool,
    pub smtp_password_set: bool,
    /// (mode, selected)
    pub imap_tls: Vec<(&'static str, bool)>,
    pub smtp_tls: Vec<(&'static str, bool)>,
    /// (queue id, name, selected)
    pub queues: Vec<(i64, String, bool)>,
    pub cursor: String,
}

#[derive(askama::Template)]
#[template(path = "mailboxes.html")]
struct MailboxesPage {
    chrome: crate::pages::Chrome,
    mailboxes: Vec<MailboxRow>,
    error: Option<String>,
}

fn tls_options(selected: &str) -> Vec<(&'static str, bool)> {
    store::mail::TLS_MODES.iter().map(|m| (*m, *m == selected)).collect()
}

async fn room_page(st: &AppState, caller: &crate::auth::Caller, status: StatusCode, error: Option<String>) -> Response {
    let chrome = crate::pages::chrome(st, caller, "mailboxes", "mailboxes-title");
    let (list, queues) = match (st.store.mailboxes().await, st.store.list_queues().await) {
        (Ok(l), Ok(q)) => (l, q),
        (Err(e), _) | (_, Err(e)) => return ApiError::internal(e).into_response(),
    };
    let queue_options = |selected: i64| -> Vec<(i64, String, bool)> {
        queues.iter().map(|q| (q.id, q.name(chrome.lang).to_string(), q.id == selected)).collect()
    };
    let mut rows: Vec<MailboxRow> = list
        .into_iter()
        .map(|m| MailboxRow {
            id: m.id,
            imap_password_set: !m.imap_password_sealed.is_empty(),
            smtp_password_set: !m.smtp_password_sealed.is_empty(),
            imap_tls: tls_options(&m.imap_tls),
            smtp_tls: tls_options(&m.smtp_tls),
            queues: queue_options(m.queue_id),
            cursor: format!("{}/{}", m.uid_validity, m.last_uid),
            name: m.name,
            address: m.address,
            imap_host: m.imap_host,
            imap_port: m.imap_port.to_string(),
            imap_user: m.imap_user,
            imap_folder: m.imap_folder,
            smtp_host: m.smtp_host,
            smtp_port: m.smtp_port.to_string(),
            smtp_user: m.smtp_user,
            topic: m.topic,
            signature: m.signature,
            active: m.active,
        })
        .collect();
    rows.push(MailboxRow {
        id: 0,
        name: String::new(),
        address: String::new(),
        imap_host: String::new(),
        imap_port: "993".into(),
        imap_user: String::new(),
        imap_folder: "INBOX".into(),
        smtp_host: String::new(),
        smtp_port: "465".into(),
        smtp_user: String::new(),
        topic: String::new(),
        signature: String::new(),
        active: true,
        imap_password_set: false,
        smtp_password_set: false,
        imap_tls: tls_options("tls"),
        smtp_tls: tls_options("tls"),
        queues: queue_options(queues.first().map(|q| q.id).unwrap_or_default()),
        cursor: String::new(),
    });
    crate::pages::render(status, &MailboxesPage { chrome, mailboxes: rows, error })
}

use axum::response::{IntoResponse, Redirect, Response};

/// `GET /admin/mailboxes`: every mailbox as a form, and one for a new mailbox.
pub async fn room(State(st): State<AppState>, caller: crate::auth::Caller) -> Response {
    room_page(&st, &caller, StatusCode::OK, None).await
}

/// A mailbox form; empty passwords keep the stored ones, `active` is a checkbox.
#[derive(Deserialize)]
pub struct MailboxForm {
    name: String,
    address: String,
    imap_host: String,
    imap_port: String,
    imap_tls: String,
    imap_user: String,
    #[serde(default)]
    imap_password: String,
    imap_folder: String,
    smtp_host: String,
    smtp_port: String,
    smtp_tls: String,
    #[serde(default)]
    smtp_user: String,
    #[serde(default)]
    smtp_password: String,
    queue_id: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    signature: String,
    active: Option<String>,
}

impl MailboxForm {
    fn input(self) -> Result<MailboxIn, domain::validate::Invalid> {
        let port = |v: &str, field: &'static str| {
            crate::pages::form_required(v, domain::validate::Invalid { field, code: "invalid-port" })
        };
        let password = |p: String| (!p.is_empty()).then_some(p);
        Ok(MailboxIn {
            imap_port: port(&self.imap_port, "imap_port")?,
            smtp_port: port(&self.smtp_port, "smtp_port")?,
            queue_id: crate::pages::form_required(
                &self.queue_id,
                domain::validate::Invalid { field: "queue_id", code: "error-not-found" },
            )?,
            name: self.name,
            address: self.address,
            imap_host: self.imap_host,
            imap_tls: self.imap_tls,
            imap_user: self.imap_user,
            imap_password: password(self.imap_password),
            imap_folder: self.imap_folder,
            smtp_host: self.smtp_host,
            smtp_tls: self.smtp_tls,
            smtp_user: self.smtp_user,
            smtp_password: password(self.smtp_password),
            topic: self.topic.trim().to_string(),
            contact_type: ContactType::Information,
            signature: self.signature,
            active: self.active.is_some(),
        })
    }
}

async fn room_answer(st: &AppState, caller: &crate::auth::Caller, saved: Result<Mailbox, StoreError>) -> Response {
    let say = |key: &str| Some(st.catalog.get(caller.locale, key));
    match saved {
        Ok(m) => Redirect::to(&format!("/admin/mailboxes#mailbox-{}", m.id)).into_response(),
        Err(StoreError::Invalid(inv)) => room_page(st, caller, StatusCode::UNPROCESSABLE_ENTITY, say(inv.code)).await,
        Err(StoreError::Conflict(_)) => room_page(st, caller, StatusCode::CONFLICT, say("mailbox-address-taken")).await,
        Err(StoreError::NotFound(_)) => room_page(st, caller, StatusCode::NOT_FOUND, say("error-not-found")).await,
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// `POST /admin/mailboxes`: adds a mailbox.
pub async fn create_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    crate::pages::PageForm(f): crate::pages::PageForm<MailboxForm>,
) -> Response {
    let saved = match f.input() {
        Ok(input) => st.store.create_mailbox(&input.settings(&st), &caller.actor()).await,
        Err(inv) => Err(StoreError::Invalid(inv)),
    };
    room_answer(&st, &caller, saved).await
}

/// `POST /admin/mailboxes/{id}`: changes a mailbox (empty passwords are kept).
pub async fn update_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    crate::pages::PageForm(f): crate::pages::PageForm<MailboxForm>,
) -> Response {
    let saved = match f.input() {
        Ok(input) => st.store.update_mailbox(id, &input.settings(&st), &caller.actor()).await,
        Err(inv) => Err(StoreError::Invalid(inv)),
    };
    room_answer(&st, &caller, saved).await
}
