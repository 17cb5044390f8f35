//! Work on a contact from the contact window: the forms behind notes,
//! attachments (multipart upload, download), links, close / reopen, waiting
//! and the reply composer. Plain forms with the CSRF field like every other;
//! each redirects back to the contact window. The rules are those of the API
//! (`work_api`), so both answer alike.

use std::collections::BTreeMap;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::contact_work::{self as work, LinkKind};
use serde::Deserialize;
use store::StoreError;

use crate::auth::{Caller, SignedInUser};
use crate::error::ApiError;
use crate::pages::{error_page, PageForm};
use crate::work_api;
use crate::AppState;

/// Maps a store error from contact work to a page in the caller's language.
fn failed(st: &AppState, caller: &Caller, e: StoreError) -> Response {
    let page = |status, key: &str| error_page(st, caller.locale, status, key);
    match e {
        StoreError::Conflict("not_yours") => page(StatusCode::CONFLICT, "error-not-yours"),
        StoreError::Conflict("link") => page(StatusCode::CONFLICT, "link-exists"),
        StoreError::Conflict(_) => page(StatusCode::CONFLICT, "error-contact-changed"),
        StoreError::NotFound("linked contact") => page(StatusCode::NOT_FOUND, "link-missing"),
        StoreError::NotFound(_) => page(StatusCode::NOT_FOUND, "error-not-found"),
        StoreError::Invalid(inv) => page(StatusCode::UNPROCESSABLE_ENTITY, inv.code),
        other => ApiError::internal(other).into_response(),
    }
}

fn back(id: i64, anchor: &str) -> Response {
    Redirect::to(&format!("/desk/contacts/{id}#{anchor}")).into_response()
}

#[derive(Deserialize)]
pub struct NoteForm {
    text: String,
}

pub async fn add_note(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<NoteForm>,
) -> Response {
    match st.store.add_note(id, &caller.actor(), &f.text).await {
        Ok(_) => back(id, "notes"),
        Err(e) => failed(&st, &caller, e),
    }
}

pub async fn upload(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(mut form) = form else {
        return error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request");
    };
    let (name, ctype, bytes) = match work_api::read_upload(&mut form).await {
        Ok(Some(file)) => file,
        Ok(None) => return error_page(&st, caller.locale, StatusCode::UNPROCESSABLE_ENTITY, "attachment-required"),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error_page(&st, caller.locale, StatusCode::PAYLOAD_TOO_LARGE, "attachment-too-large")
        }
        Err(_) => return error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request"),
    };
    match st.store.add_attachment(id, &caller.actor(), &name, &ctype, &bytes).await {
        Ok(_) => back(id, "attachments"),
        Err(e) => failed(&st, &caller, e),
    }
}

pub async fn download(State(st): State<AppState>, caller: Caller, Path((id, aid)): Path<(i64, i64)>) -> Response {
    match st.store.attachment(id, aid).await {
        Ok(Some(a)) => work_api::download_response(a),
        Ok(None) => error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => failed(&st, &caller, e),
    }
}

#[derive(Deserialize)]
pub struct LinkForm {
    kind: String,
    /// A contact number (related, duplicate of) or an order number.
    target: String,
}

pub async fn link(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<LinkForm>,
) -> Response {
    let Some(kind) = LinkKind::parse(&f.kind) else {
        return error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request");
    };
    let number = f.target.trim().trim_start_matches('№').trim().parse::<i64>().ok();
    let target = match work::link_target(id, kind, number, Some(&f.target)) {
        Ok(t) => t,
        Err(inv) => return failed(&st, &caller, inv.into()),
    };
    match st.store.link_contact(id, &target, &caller.actor()).await {
        Ok(_) => back(id, "links"),
        Err(e) => failed(&st, &caller, e),
    }
}

pub async fn close(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Response {
    match work_api::close_contact(&st, &user, &caller, id).await {
        Ok(()) => back(id, "contact"),
        Err(e) => failed(&st, &caller, e),
    }
}

#[derive(Deserialize)]
pub struct ReopenForm {
    reason: String,
}

pub async fn reopen(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ReopenForm>,
) -> Response {
    match st.dispatch.reopen(&st.store, id, None, &f.reason, &caller.actor()).await {
        Ok(_) => back(id, "contact"),
        Err(e) => failed(&st, &caller, e),
    }
}

#[derive(Deserialize)]
pub struct WaitingForm {
    status: String,
}

pub async fn waiting(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<WaitingForm>,
) -> Response {
    match work_api::set_waiting(&st, &user, id, &f.status).await {
        Ok(()) => back(id, "contact"),
        Err(e) => failed(&st, &caller, e),
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    text: String,
    #[serde(default)]
    template_id: String,
}

pub async fn reply(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ReplyForm>,
) -> Response {
    let template_id = f.template_id.trim().parse::<i64>().ok();
    let result = async {
        let c = st.store.contact(id).await?.ok_or(StoreError::NotFound("contact"))?;
        let text = work_api::reply_text(&st, &c, &user, template_id, Some(f.text), BTreeMap::new()).await?;
        st.store.record_reply(id, &caller.actor(), template_id, &text).await
    };
    match result.await {
        Ok(_) => back(id, "replies"),
        Err(e) => failed(&st, &caller, e),
    }
}
