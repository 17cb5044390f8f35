//! The operator's side of the web chat: the conversation of a chat contact
//! in the API (`GET/POST /api/v1/contacts/{id}/chat`) and in the contact
//! window (the composer's form post `POST /desk/contacts/{id}/chat`, which
//! `static/chat-desk.js` sends by fetch, and the debounced typing signal
//! `POST /desk/contacts/{id}/chat/typing`). All need `UseDesk`; sending is
//! for the operator who holds the contact or a supervisor (`ManageQueues`),
//! and not after the contact was resolved.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::contact::Status;
use domain::Permission;
use serde::Deserialize;
use serde_json::{json, Value};
use store::chat::ChatSession;
use store::User;

use crate::auth::SignedInUser;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::pages::{error_page, PageForm};
use crate::AppState;

async fn session_of_contact(st: &AppState, id: i64) -> Result<(store::Contact, ChatSession), ApiError> {
    let c = st.store.contact(id).await?.ok_or_else(|| ApiError::not_found("contact"))?;
    let s = st
        .store
        .chat_session_of_contact(id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::CONFLICT, "not_a_chat", "the contact is not a web chat"))?;
    Ok((c, s))
}

/// Whether `user` may write in the chat of `c`.
fn may_send(c: &store::Contact, user: &User) -> Result<(), ApiError> {
    if matches!(c.status, Status::Resolved | Status::Closed) {
        return Err(ApiError::new(StatusCode::CONFLICT, "chat_over", "the contact is resolved"));
    }
    if c.operator_id != Some(user.id) && !user.can(Permission::ManageQueues) {
        return Err(ApiError::new(StatusCode::CONFLICT, "not_yours", "the contact is held by someone else"));
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct AfterQuery {
    #[serde(default)]
    after: i64,
}

/// The conversation of a chat contact: messages with `seq > after`.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/chat", tag = "contact work",
    params(("id" = i64, Path, description = "Contact id"), ("after" = Option<i64>, Query, description = "Only messages after this seq")),
    responses((status = 200, description = "{session: {visitor_name, locale, page_url, ended}, messages: [{seq, from, name, text, file, at, cid}]}"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(st): State<AppState>,
    SignedInUser(_user, _caller): SignedInUser,
    Path(id): Path<i64>,
    Query(q): Query<AfterQuery>,
) -> Result<Json<Value>, ApiError> {
    let (_, s) = session_of_contact(&st, id).await?;
    let messages: Vec<Value> =
        st.store.chat_messages(s.id, q.after.max(0)).await?.iter().map(crate::chat::msg_frame).collect();
    Ok(Json(json!({
        "session": {"visitor_name": s.visitor_name, "locale": s.locale, "page_url": s.page_url,
            "ended": s.ended_at.is_some()},
        "messages": messages,
    })))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    text: String,
}

async fn send_checked(st: &AppState, user: &User, id: i64, text: &str) -> Result<store::chat::ChatMessage, ApiError> {
    let (c, s) = session_of_contact(st, id).await?;
    may_send(&c, user)?;
    let text = domain::chat::check_text(text)
        .map_err(|code| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", format!("text: {code}")))?;
    crate::chat::operator_typing(st, s.id, false);
    Ok(crate::chat::send_operator_message(st, &s, user.id, text).await?)
}

/// The operator writes to the visitor.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/chat", tag = "contact work",
    params(("id" = i64, Path, description = "Contact id")), request_body = SendBody,
    responses((status = 201, description = "the stored message frame"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn send(
    State(st): State<AppState>,
    SignedInUser(user, _caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SendBody>,
) -> Result<Response, ApiError> {
    let m = send_checked(&st, &user, id, &b.text).await?;
    Ok((StatusCode::CREATED, Json(crate::chat::msg_frame(&m))).into_response())
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

/// The contact window's composer (without JavaScript: a normal post and back).
pub async fn send_form(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<TextForm>,
) -> Response {
    match send_checked(&st, &user, id, &f.text).await {
        Ok(_) => Redirect::to(&format!("/desk/contacts/{id}#chat")).into_response(),
        Err(e) if e.status == StatusCode::INTERNAL_SERVER_ERROR => e.into_response(),
        Err(e) => {
            let key = match e.code {
                "not_yours" => "error-not-yours",
                "chat_over" | "not_a_chat" => "chat-ended",
                "not_found" => "error-not-found",
                _ => "error-bad-request",
            };
            error_page(&st, caller.locale, e.status, key)
        }
    }
}

#[derive(Deserialize)]
pub struct TypingForm {
    #[serde(default)]
    on: String,
}

/// The operator is (not) typing: forwarded to the visitor's socket.
pub async fn typing(
    State(st): State<AppState>,
    SignedInUser(user, _caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<TypingForm>,
) -> Result<StatusCode, ApiError> {
    let (c, s) = session_of_contact(&st, id).await?;
    may_send(&c, &user)?;
    crate::chat::operator_typing(&st, s.id, matches!(f.on.as_str(), "1" | "true" | "on"));
    Ok(StatusCode::NO_CONTENT)
}
