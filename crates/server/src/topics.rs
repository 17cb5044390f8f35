//! The topic tree that classifies contacts: the admin room `/admin/topics`
//! (add a root or child topic; rename, move, retype, reorder, deactivate)
//! and the API (`GET /api/v1/topics` for anyone signed in, since operators
//! classify contacts; changes for those who manage queues — supervisors and
//! administrators, the people who already shape routing). The rules are
//! `domain::topic`'s, checked by the store inside its transaction.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::contact::ContactType;
use domain::validate::Invalid;
use serde::{Deserialize, Serialize};
use store::topics::{flatten, NewTopic, TopicChange};
use store::{StoreError, Topic, TopicNode};
use utoipa::ToSchema;

use crate::auth::{Caller, SignedInUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::pages::{chrome, form_number, render, Chrome, PageForm};
use crate::AppState;

/// The name of the topic with `code` in `lang` for people to read: `—` when
/// the contact has no topic, the code itself if no topic has it.
pub async fn label(st: &AppState, code: &str, lang: &str) -> Result<String, StoreError> {
    if code.is_empty() {
        return Ok("—".into());
    }
    Ok(st.store.topic_by_code(code).await?.map(|t| t.name(lang).to_string()).unwrap_or_else(|| code.to_string()))
}

// ---------------------------------------------------------------- API

/// A topic with the topics under it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TopicOut {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// Stable code contacts carry in `topic`.
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    /// The contact type this topic suggests, if any.
    pub contact_type: Option<ContactType>,
    /// Inactive topics are kept for past contacts but refused for new ones.
    pub active: bool,
    /// Order among siblings.
    pub position: i64,
    #[schema(no_recursion)]
    pub children: Vec<TopicOut>,
}

fn topic_out(t: Topic, children: Vec<TopicOut>) -> TopicOut {
    TopicOut {
        id: t.id,
        parent_id: t.parent_id,
        code: t.code,
        name_ru: t.name_ru,
        name_kk: t.name_kk,
        name_en: t.name_en,
        contact_type: t.contact_type,
        active: t.active,
        position: t.position,
        children,
    }
}

fn node_out(n: TopicNode) -> TopicOut {
    topic_out(n.topic, n.children.into_iter().map(node_out).collect())
}

/// The topic tree, roots first, siblings in order; inactive topics included
/// with `active: false`.
#[utoipa::path(get, path = "/api/v1/topics", tag = "contacts",
    responses((status = 200, body = Vec<TopicOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(State(st): State<AppState>) -> Result<Json<Vec<TopicOut>>, ApiError> {
    Ok(Json(st.store.topic_tree().await?.into_iter().map(node_out).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTopicIn {
    /// The parent topic; absent for a root. At most three levels.
    pub parent_id: Option<i64>,
    /// 2–64 lower-case Latin letters, digits, `.`, `_`, `-`; never changes.
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    pub contact_type: Option<ContactType>,
    #[serde(default)]
    pub position: i64,
}

/// Adds a topic to the tree.
#[utoipa::path(post, path = "/api/v1/topics", tag = "contacts", request_body = NewTopicIn,
    responses((status = 201, body = TopicOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<NewTopicIn>,
) -> Result<(StatusCode, Json<TopicOut>), ApiError> {
    let new = NewTopic {
        parent_id: input.parent_id,
        code: input.code,
        name_ru: input.name_ru,
        name_kk: input.name_kk,
        name_en: input.name_en,
        contact_type: input.contact_type,
        position: input.position,
    };
    let t = st.store.create_topic(&new, &caller.actor()).await.map_err(refusal)?;
    Ok((StatusCode::CREATED, Json(topic_out(t, Vec::new()))))
}

/// A topic as it should be from now on (everything but its code).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicIn {
    /// The new parent; absent or null makes it a root.
    pub parent_id: Option<i64>,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    pub contact_type: Option<ContactType>,
    /// false deactivates: refused for new contacts, kept for past ones.
    pub active: bool,
    #[serde(default)]
    pub position: i64,
}

/// Replaces a topic's names, parent, suggested type, order and active flag.
#[utoipa::path(put, path = "/api/v1/topics/{id}", tag = "contacts", request_body = TopicIn,
    params(("id" = i64, Path, description = "Topic id")),
    responses((status = 200, body = TopicOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TopicIn>,
) -> Result<Json<TopicOut>, ApiError> {
    let change = TopicChange {
        parent_id: input.parent_id,
        name_ru: input.name_ru,
        name_kk: input.name_kk,
        name_en: input.name_en,
        contact_type: input.contact_type,
        active: input.active,
        position: input.position,
    };
    let t = st.store.update_topic(id, &change, &caller.actor()).await.map_err(refusal)?;
    Ok(Json(topic_out(t, Vec::new())))
}

/// A taken code is a conflict with its own message; the rest as usual.
fn refusal(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", "topic code already exists"),
        other => other.into(),
    }
}

// ---------------------------------------------------------------- room

/// One topic as the room lists it, indented by level.
pub struct TopicRow {
    pub id: i64,
    pub level: usize,
    pub code: String,
    pub name: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    pub active: bool,
    pub position: i64,
    pub type_label: String,
    /// (value, label, selected); the first is "no suggestion".
    pub types: Vec<(&'static str, String, bool)>,
    /// Possible parents: (id, label, selected); the store refuses cycles and depth.
    pub parents: Vec<(i64, String, bool)>,
}

#[derive(Template)]
#[template(path = "topics.html")]
struct TopicsPage {
    chrome: Chrome,
    topics: Vec<TopicRow>,
    /// Parents a new topic may take (levels 1 and 2): (id, label).
    new_parents: Vec<(i64, String)>,
    types: Vec<(&'static str, String, bool)>,
    error: Option<String>,
}

fn type_options(chrome: &Chrome, selected: Option<ContactType>) -> Vec<(&'static str, String, bool)> {
    let mut out = vec![("", chrome.t.get("topic-type-none"), selected.is_none())];
    out.extend(
        ContactType::ALL
            .iter()
            .map(|t| (t.as_str(), chrome.t.get(&format!("ctype-{}", t.as_str())), selected == Some(*t))),
    );
    out
}

async fn page(st: &AppState, caller: &Caller, status: StatusCode, error: Option<String>) -> Response {
    let chrome = chrome(st, caller, "topics", "topics-title");
    let tree = match st.store.topic_tree().await {
        Ok(t) => t,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let flat = flatten(&tree);
    let indent = |level: usize, t: &Topic| format!("{}{}", "— ".repeat(level - 1), t.name(chrome.lang));
    let topics = flat
        .iter()
        .map(|(level, t)| TopicRow {
            id: t.id,
            level: *level,
            code: t.code.clone(),
            name: t.name(chrome.lang).to_string(),
            name_ru: t.name_ru.clone(),
            name_kk: t.name_kk.clone(),
            name_en: t.name_en.clone(),
            active: t.active,
            position: t.position,
            type_label: t
                .contact_type
                .map(|c| chrome.t.get(&format!("ctype-{}", c.as_str())))
                .unwrap_or_else(|| "—".into()),
            types: type_options(&chrome, t.contact_type),
            parents: flat
                .iter()
                .filter(|(l, p)| *l < domain::topic::MAX_DEPTH && p.id != t.id)
                .map(|(l, p)| (p.id, indent(*l, p), t.parent_id == Some(p.id)))
                .collect(),
        })
        .collect();
    let new_parents = flat
        .iter()
        .filter(|(l, t)| *l < domain::topic::MAX_DEPTH && t.active)
        .map(|(l, t)| (t.id, indent(*l, t)))
        .collect();
    let types = type_options(&chrome, None);
    render(status, &TopicsPage { chrome, topics, new_parents, types, error })
}

/// `GET /admin/topics`.
pub async fn room(State(st): State<AppState>, caller: Caller) -> Response {
    page(&st, &caller, StatusCode::OK, None).await
}

/// The add form; empty `parent_id` / `contact_type` mean none.
#[derive(Deserialize)]
pub struct NewTopicForm {
    #[serde(default)]
    parent_id: String,
    code: String,
    name_ru: String,
    name_kk: String,
    name_en: String,
    #[serde(default)]
    contact_type: String,
    #[serde(default)]
    position: String,
}

/// The per-topic form; `active` is a checkbox (absent when unticked).
#[derive(Deserialize)]
pub struct TopicForm {
    #[serde(default)]
    parent_id: String,
    name_ru: String,
    name_kk: String,
    name_en: String,
    #[serde(default)]
    contact_type: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    active: Option<String>,
}

fn optional_id(s: &str) -> Result<Option<i64>, Invalid> {
    form_number(s, Invalid { field: "parent_id", code: "unknown-topic-parent" })
}

fn position(s: &str) -> Result<i64, Invalid> {
    Ok(form_number(s, Invalid { field: "position", code: "invalid-topic-position" })?.unwrap_or(0))
}

/// After a form: back to the room, or the room again with the reason.
async fn answer(st: &AppState, caller: &Caller, saved: Result<Topic, StoreError>) -> Response {
    let say = |key: &str| Some(st.catalog.get(caller.locale, key));
    match saved {
        Ok(t) => Redirect::to(&format!("/admin/topics#topic-{}", t.id)).into_response(),
        Err(StoreError::Invalid(inv)) => page(st, caller, StatusCode::UNPROCESSABLE_ENTITY, say(inv.code)).await,
        Err(StoreError::Conflict(_)) => page(st, caller, StatusCode::CONFLICT, say("topic-code-taken")).await,
        Err(StoreError::NotFound(_)) => page(st, caller, StatusCode::NOT_FOUND, say("error-not-found")).await,
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// `POST /admin/topics`: adds a root or child topic.
pub async fn create_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    PageForm(f): PageForm<NewTopicForm>,
) -> Response {
    let parsed = (|| {
        Ok::<_, Invalid>(NewTopic {
            parent_id: optional_id(&f.parent_id)?,
            code: f.code.trim().to_string(),
            name_ru: f.name_ru.clone(),
            name_kk: f.name_kk.clone(),
            name_en: f.name_en.clone(),
            contact_type: domain::topic::contact_type(Some(&f.contact_type))?,
            position: position(&f.position)?,
        })
    })();
    let saved = match parsed {
        Ok(new) => st.store.create_topic(&new, &caller.actor()).await,
        Err(inv) => Err(StoreError::Invalid(inv)),
    };
    answer(&st, &caller, saved).await
}

/// `POST /admin/topics/{id}`: renames, moves, retypes, reorders,
/// deactivates or reactivates a topic.
pub async fn update_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<TopicForm>,
) -> Response {
    let parsed = (|| {
        Ok::<_, Invalid>(TopicChange {
            parent_id: optional_id(&f.parent_id)?,
            name_ru: f.name_ru.clone(),
            name_kk: f.name_kk.clone(),
            name_en: f.name_en.clone(),
            contact_type: domain::topic::contact_type(Some(&f.contact_type))?,
            active: f.active.is_some(),
            position: position(&f.position)?,
        })
    })();
    let saved = match parsed {
        Ok(change) => st.store.update_topic(id, &change, &caller.actor()).await,
        Err(inv) => Err(StoreError::Invalid(inv)),
    };
    answer(&st, &caller, saved).await
}
