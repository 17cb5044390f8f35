//! Work on a contact in the JSON API: internal notes, attachments (multipart
//! upload, download), links, close / reopen, waiting on the customer or a
//! department, written replies from templates, and the notices the customer
//! was sent. Also the pieces the desk pages share with it: the notice
//! renderer installed on the store, the close rule, template variables.
//!
//! Who may do what: every route needs `UseDesk` (operators, senior operators,
//! supervisors). Closing a resolved contact is for the operator who resolved
//! it or a supervisor ([`domain::contact_work::may_close`]); reopening is for
//! any desk user, since the customer may come back to anyone.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::contact::Status;
use domain::contact_work::{self as work, LinkKind, Notice};
use domain::Permission;
use i18n::{Catalog, Locale};
use serde::{Deserialize, Serialize};
use store::contact_work::{Attachment, AttachmentMeta, Link, Note, Notification, Reply};
use store::{Contact, StoreError, User};
use utoipa::ToSchema;

use crate::auth::{Caller, SignedInUser};
use crate::desk_api::{contact_out, ContactOut};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::AppState;

/// Renders customer notices from the message catalogue (installed on the store at start).
pub struct CatalogNotices(pub Arc<Catalog>);

impl store::NoticeText for CatalogNotices {
    fn text(&self, locale: &str, notice: Notice, contact_id: i64) -> String {
        self.0.get_args(Locale::or_default(locale), notice.key(), &[("number", &contact_id.to_string())])
    }

    fn text_for(&self, locale: &str, key: &str, args: &[(&str, String)]) -> String {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.0.get_args(Locale::or_default(locale), key, &args)
    }
}

/// Installs the catalogue's notice texts on a store used before the server
/// starts (the demo seeds contacts, whose customers are told in their language).
pub fn install_catalog_notices(store: &store::Store) -> Result<(), i18n::CatalogError> {
    store.set_notice_text(Arc::new(CatalogNotices(Arc::new(Catalog::load()?))));
    Ok(())
}

/// Store errors of contact work as API errors, with codes a client can act on.
pub fn api_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict("not_yours") => ApiError::new(
            StatusCode::CONFLICT,
            "not_yours",
            "only the operator who resolved the contact or a supervisor may close it",
        ),
        StoreError::Conflict("link") => ApiError::new(StatusCode::CONFLICT, "link_exists", "that link already exists"),
        StoreError::Conflict("contact status") => ApiError::new(
            StatusCode::CONFLICT,
            "wrong_status",
            "the contact's status does not allow this (it may have changed meanwhile)",
        ),
        other => other.into(),
    }
}

async fn existing(st: &AppState, id: i64) -> Result<Contact, StoreError> {
    st.store.contact(id).await?.ok_or(StoreError::NotFound("contact"))
}

/// Closes a resolved contact if `user` may (see the module docs).
pub async fn close_contact(st: &AppState, user: &User, caller: &Caller, id: i64) -> Result<(), StoreError> {
    let c = existing(st, id).await?;
    if c.status == Status::Resolved && !work::may_close(c.operator_id, user.id, user.can(Permission::ManageQueues)) {
        return Err(StoreError::Conflict("not_yours"));
    }
    st.store.close_contact(id, &caller.actor()).await
}

/// Puts a contact held by `user` to waiting on the customer or a department,
/// or back in work.
pub async fn set_waiting(st: &AppState, user: &User, id: i64, status: &str) -> Result<(), StoreError> {
    let to = Status::parse(status)
        .filter(|s| matches!(s, Status::WaitingCustomer | Status::WaitingDepartment | Status::InWork))
        .ok_or(domain::validate::Invalid { field: "status", code: "invalid-status" })?;
    existing(st, id).await?;
    st.store.set_contact_waiting(id, user.id, to).await
}

/// Template variables known from the contact, its customer, its order link
/// and the operator writing.
pub async fn template_vars(st: &AppState, c: &Contact, operator: &User) -> Result<HashMap<String, String>, StoreError> {
    let mut vars = HashMap::new();
    vars.insert("contact_number".to_string(), c.id.to_string());
    vars.insert("operator_name".to_string(), operator.name.clone());
    if let Some(cu) = match c.customer_id {
        Some(cid) => st.store.customer(cid).await?,
        None => None,
    } {
        vars.insert("customer_name".to_string(), cu.full_name);
    }
    let order =
        st.store.contact_links(c.id).await?.into_iter().filter(|l| l.contact_id == c.id).find_map(|l| l.order_ref);
    if let Some(o) = order {
        vars.insert("order_number".to_string(), o);
    }
    // The date the centre owes an answer by: the legal deadline of a complaint, else the
    // resolution SLA.
    let events = st.store.contact_events(c.id).await?;
    let clocks = crate::clocks::contact_clocks(&st.service_levels(), c, &events, store::now_ms());
    let due = ["legal", "resolution"].iter().find_map(|name| clocks.iter().find(|k| k.name == *name)?.due.clone());
    if let Some(d) = due {
        vars.insert("due_date".to_string(), d);
    }
    Ok(vars)
}

/// Decides the text of a reply: the operator's own text, or a template filled
/// from the contact (and `extra` values for the blanks it cannot fill). A
/// reply with blanks left is refused.
pub async fn reply_text(
    st: &AppState,
    c: &Contact,
    operator: &User,
    template_id: Option<i64>,
    text: Option<String>,
    extra: BTreeMap<String, String>,
) -> Result<String, StoreError> {
    let template = match template_id {
        Some(tid) => Some(
            crate::kb_edit::active_templates(st)
                .await?
                .into_iter()
                .find(|t| t.id == tid)
                .ok_or(StoreError::NotFound("template"))?,
        ),
        None => None,
    };
    let text = match (text.filter(|t| !t.trim().is_empty()), template) {
        (Some(t), _) => t,
        (None, Some(t)) => {
            let mut vars = template_vars(st, c, operator).await?;
            vars.extend(extra);
            kb::template::fill(&t.body, &vars)
                .map_err(|_| StoreError::Corrupt(format!("template {} does not render", t.id)))?
                .0
        }
        (None, None) => return Err(domain::validate::Invalid { field: "text", code: "reply-required" }.into()),
    };
    if kb::template::variables(&text).is_ok_and(|v| !v.is_empty()) {
        return Err(domain::validate::Invalid { field: "text", code: "reply-unfilled" }.into());
    }
    work::validate_reply(&text)?;
    Ok(text)
}

/// The first file of an upload form: (file name, content type, bytes).
pub async fn read_upload(form: &mut Multipart) -> Result<Option<(String, String, Bytes)>, MultipartError> {
    while let Some(field) = form.next_field().await? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let ctype = field.content_type().unwrap_or("application/octet-stream").to_string();
            let bytes = field.bytes().await?;
            return Ok(Some((name, ctype, bytes)));
        }
    }
    Ok(None)
}

/// An attachment as a download: its type, never shown inline (no stored page
/// can run in our origin).
pub fn download_response(a: Attachment) -> Response {
    let ctype = HeaderValue::from_str(&a.meta.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let ascii: String =
        a.meta.filename.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let encoded: String = a
        .meta
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox")),
        ],
        a.content,
    )
        .into_response()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    /// Up to 4000 characters; seen by staff only.
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteOut {
    pub id: i64,
    pub contact_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub text: String,
    pub created_at: i64,
}

impl From<Note> for NoteOut {
    fn from(n: Note) -> NoteOut {
        NoteOut {
            id: n.id,
            contact_id: n.contact_id,
            author_id: n.author_id,
            author_name: n.author_name,
            text: n.body,
            created_at: n.created_at,
        }
    }
}

/// Adds an internal note to a contact.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/notes", tag = "contact work", request_body = NoteIn,
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 201, body = NoteOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_note(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NoteIn>,
) -> Result<(StatusCode, Json<NoteOut>), ApiError> {
    let note = st.store.add_note(id, &caller.actor(), &input.text).await.map_err(api_error)?;
    Ok((StatusCode::CREATED, Json(note.into())))
}

/// The internal notes of a contact, oldest first.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/notes", tag = "contact work",
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 200, body = Vec<NoteOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn notes(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<Vec<NoteOut>>, ApiError> {
    existing(&st, id).await.map_err(api_error)?;
    Ok(Json(st.store.contact_notes(id).await?.into_iter().map(NoteOut::from).collect()))
}

/// A file to attach (multipart form with one field `file`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// The file, at most 10 MiB, not empty.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub contact_id: i64,
    pub author_id: Option<i64>,
    /// Sanitised file name.
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
    /// Where to download it.
    pub href: String,
}

impl From<AttachmentMeta> for AttachmentOut {
    fn from(a: AttachmentMeta) -> AttachmentOut {
        AttachmentOut {
            href: format!("/api/v1/contacts/{}/attachments/{}", a.contact_id, a.id),
            id: a.id,
            contact_id: a.contact_id,
            author_id: a.author_id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            created_at: a.created_at,
        }
    }
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "the file is larger than 10 MiB")
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_multipart", e.body_text())
    }
}

/// Attaches a file to a contact (stored in the database).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/attachments", tag = "contact work",
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 201, body = AttachmentOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn upload(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentOut>), ApiError> {
    let mut form = form.map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "bad_multipart", r.body_text()))?;
    let (name, ctype, bytes) = read_upload(&mut form)
        .await
        .map_err(multipart_error)?
        .ok_or(domain::validate::Invalid { field: "file", code: "attachment-required" })?;
    let meta = st.store.add_attachment(id, &caller.actor(), &name, &ctype, &bytes).await.map_err(api_error)?;
    Ok((StatusCode::CREATED, Json(meta.into())))
}

/// Downloads an attachment of a contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/attachments/{aid}", tag = "contact work",
    params(("id" = i64, Path, description = "Contact number"), ("aid" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The file, as an attachment", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn download(State(st): State<AppState>, Path((id, aid)): Path<(i64, i64)>) -> Result<Response, ApiError> {
    let a = st.store.attachment(id, aid).await?.ok_or_else(|| ApiError::not_found("attachment"))?;
    Ok(download_response(a))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIn {
    pub kind: LinkKind,
    /// The other contact (kinds `related`, `duplicate_of`).
    pub contact_id: Option<i64>,
    /// The order number (kind `order`).
    pub order_ref: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkOut {
    pub id: i64,
    /// The contact the link was made from.
    pub contact_id: i64,
    pub kind: LinkKind,
    pub target_contact_id: Option<i64>,
    pub order_ref: Option<String>,
    pub author_id: Option<i64>,
    pub created_at: i64,
}

impl From<Link> for LinkOut {
    fn from(l: Link) -> LinkOut {
        LinkOut {
            id: l.id,
            contact_id: l.contact_id,
            kind: l.kind,
            target_contact_id: l.target_contact_id,
            order_ref: l.order_ref,
            author_id: l.author_id,
            created_at: l.created_at,
        }
    }
}

/// Links a contact to another contact (related, duplicate of) or to an order.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/links", tag = "contact work", request_body = LinkIn,
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 201, body = LinkOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn link(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LinkIn>,
) -> Result<(StatusCode, Json<LinkOut>), ApiError> {
    let target = work::link_target(id, input.kind, input.contact_id, input.order_ref.as_deref())?;
    let link = st.store.link_contact(id, &target, &caller.actor()).await.map_err(api_error)?;
    Ok((StatusCode::CREATED, Json(link.into())))
}

/// Closes a resolved contact (the operator who resolved it, or a supervisor).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/close", tag = "contact work",
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn close(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    close_contact(&st, &user, &caller, id).await.map_err(api_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenIn {
    /// Why it is reopened (up to 500 characters).
    pub reason: String,
    /// Another queue to route it to; its last queue by default.
    pub queue_id: Option<i64>,
}

/// Reopens a resolved or closed contact: back to its queue and routed again.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/reopen", tag = "contact work", request_body = ReopenIn,
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 200, body = ContactOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn reopen(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReopenIn>,
) -> Result<Json<ContactOut>, ApiError> {
    let c =
        st.dispatch.reopen(&st.store, id, input.queue_id, &input.reason, &caller.actor()).await.map_err(api_error)?;
    Ok(Json(contact_out(&st, c).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitingIn {
    /// `waiting_customer`, `waiting_department`, or `in_work` to take it back.
    pub status: String,
}

/// The operator holding a contact parks it waiting on the customer or a
/// department, or takes it back in work.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/waiting", tag = "contact work", request_body = WaitingIn,
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn waiting(
    State(st): State<AppState>,
    SignedInUser(user, _caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<WaitingIn>,
) -> Result<StatusCode, ApiError> {
    set_waiting(&st, &user, id, &input.status).await.map_err(api_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyIn {
    /// The reply as written; when absent, the template is filled from the contact.
    pub text: Option<String>,
    /// A reply template (kb) the reply is made from.
    pub template_id: Option<i64>,
    /// Values for template blanks the contact cannot fill (e.g. `delivery_date`).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyOut {
    pub id: i64,
    pub contact_id: i64,
    pub author_id: Option<i64>,
    pub channel: String,
    pub template_id: Option<i64>,
    pub text: String,
    /// `pending` until the channel delivers it.
    pub status: String,
    pub created_at: i64,
}

impl From<Reply> for ReplyOut {
    fn from(r: Reply) -> ReplyOut {
        ReplyOut {
            id: r.id,
            contact_id: r.contact_id,
            author_id: r.author_id,
            channel: r.channel,
            template_id: r.template_id,
            text: r.body,
            status: r.status,
            created_at: r.created_at,
        }
    }
}

/// Records a written reply to the customer (delivered later by the contact's channel).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/replies", tag = "contact work", request_body = ReplyIn,
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 201, body = ReplyOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn reply(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReplyIn>,
) -> Result<(StatusCode, Json<ReplyOut>), ApiError> {
    let c = existing(&st, id).await.map_err(api_error)?;
    let text = reply_text(&st, &c, &user, input.template_id, input.text, input.variables).await.map_err(api_error)?;
    let r = st.store.record_reply(id, &caller.actor(), input.template_id, &text).await.map_err(api_error)?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    pub contact_id: i64,
    pub customer_id: i64,
    pub channel: String,
    /// Which notice: `notice-registered`, `notice-transferred`, `notice-waiting-customer`,
    /// `notice-resolved`, `notice-closed`, `notice-reopened`.
    pub template_key: String,
    /// The customer's language the text is in.
    pub locale: String,
    pub text: String,
    /// `pending` → `sending` → `sent` | `failed` | `undeliverable`.
    pub status: String,
    pub created_at: i64,
    /// How it went: `email`, `chat`, `sms`, `messenger` (empty until tried).
    pub via: String,
    /// The address used, masked.
    pub address: String,
    pub attempts: i64,
    /// When the next attempt is due (a pending notice after a failure).
    pub next_attempt_at: Option<i64>,
    /// The last error, or why it is undeliverable (`no-address`, `no-consent`, `no-sender`, `voice-channel`).
    pub error: String,
    pub sent_at: Option<i64>,
}

impl From<Notification> for NotificationOut {
    fn from(n: Notification) -> NotificationOut {
        NotificationOut {
            id: n.id,
            contact_id: n.contact_id,
            customer_id: n.customer_id,
            channel: n.channel,
            template_key: n.template_key,
            locale: n.locale,
            text: n.body,
            next_attempt_at: (n.status == "pending" && n.attempts > 0).then_some(n.next_attempt_at),
            status: n.status,
            created_at: n.created_at,
            address: domain::notice::masked_address(&n.via, &n.address),
            via: n.via,
            attempts: n.attempts,
            error: n.last_error,
            sent_at: n.sent_at,
        }
    }
}

/// What the customer was told about their contact, oldest first.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/notifications", tag = "contact work",
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 200, body = Vec<NotificationOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn notifications(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<NotificationOut>>, ApiError> {
    existing(&st, id).await.map_err(api_error)?;
    Ok(Json(st.store.contact_notifications(id).await?.into_iter().map(NotificationOut::from).collect()))
}
