//! Skills and capacity: the skills room `/admin/skills` (the catalogue —
//! add, rename, deactivate — and a per-operator form of skill levels and
//! capacity per channel), the queue requirement form of the queue room, and
//! the API (`GET/POST /api/v1/skills`, `PUT /api/v1/skills/{id}`,
//! `PUT /api/v1/operators/{id}/skills`, `…/capacity`,
//! `PUT /api/v1/queues/{id}/skills`, `PUT /api/v1/contacts/{id}/skills`).
//! Changes need `ManageQueues` (supervisors and administrators: who shapes
//! routing also says who can take what). Every saved change reloads routing,
//! so it is in force at once.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::contact::Channel;
use domain::skill::{self, SkillLevel};
use domain::validate::Invalid;
use domain::Permission;
use serde::{Deserialize, Serialize};
use store::{Leveled, Skill, StoreError};
use utoipa::ToSchema;

use crate::auth::{Caller, SignedInUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::pages::{chrome, form_number, render, Chrome, PageForm};
use crate::AppState;

// ---------------------------------------------------------------- API

/// A skill of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillOut {
    pub id: i64,
    /// Stable code, e.g. `lang_kk`, used in requirements and operator skills.
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    /// Inactive skills cannot be given or required anew.
    pub active: bool,
}

fn skill_out(s: Skill) -> SkillOut {
    SkillOut { id: s.id, code: s.code, name_ru: s.name_ru, name_kk: s.name_kk, name_en: s.name_en, active: s.active }
}

/// The skill catalogue, by code (inactive skills included).
#[utoipa::path(get, path = "/api/v1/skills", tag = "routing",
    responses((status = 200, body = Vec<SkillOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(State(st): State<AppState>) -> Result<Json<Vec<SkillOut>>, ApiError> {
    Ok(Json(st.store.list_skills().await?.into_iter().map(skill_out).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSkillIn {
    /// 2–64 lower-case Latin letters, digits, `.`, `_`, `-`; never changes.
    pub code: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
}

/// Adds a skill to the catalogue.
#[utoipa::path(post, path = "/api/v1/skills", tag = "routing", request_body = NewSkillIn,
    responses((status = 201, body = SkillOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(input): ApiJson<NewSkillIn>,
) -> Result<(StatusCode, Json<SkillOut>), ApiError> {
    let s = st
        .store
        .create_skill(input.code.trim(), &input.name_ru, &input.name_kk, &input.name_en, &caller.actor())
        .await
        .map_err(refusal)?;
    Ok((StatusCode::CREATED, Json(skill_out(s))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillIn {
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    /// false deactivates: no longer given or required anew.
    pub active: bool,
}

/// Renames, deactivates or reactivates a skill.
#[utoipa::path(put, path = "/api/v1/skills/{id}", tag = "routing", request_body = SkillIn,
    params(("id" = i64, Path, description = "Skill id")),
    responses((status = 200, body = SkillOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SkillIn>,
) -> Result<Json<SkillOut>, ApiError> {
    let s = st
        .store
        .update_skill(id, &input.name_ru, &input.name_kk, &input.name_en, input.active, &caller.actor())
        .await?;
    Ok(Json(skill_out(s)))
}

fn refusal(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", "skill code already exists"),
        other => other.into(),
    }
}

/// An operator's skill and level (1–5).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeldSkillIn {
    /// Code of an active skill.
    pub skill: String,
    pub level: i64,
}

/// The complete new set of an operator's skills.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorSkillsIn {
    pub skills: Vec<HeldSkillIn>,
}

/// A skill a contact or queue requires, at a minimum level (1–5).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementIn {
    /// Code of an active skill.
    pub skill: String,
    pub min_level: i64,
}

/// The complete new set of requirements.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementsIn {
    pub skills: Vec<RequirementIn>,
}

/// Requirements as the domain checks them.
pub fn requirements(set: &[RequirementIn]) -> Vec<SkillLevel> {
    set.iter().map(|r| SkillLevel { skill: r.skill.clone(), level: r.min_level }).collect()
}

/// A skill with a level (held) or a minimum level (required).
#[derive(Debug, Serialize, ToSchema)]
pub struct LeveledOut {
    pub skill: String,
    pub level: i64,
}

fn leveled_out(set: Vec<Leveled>) -> Vec<LeveledOut> {
    set.into_iter().map(|l| LeveledOut { skill: l.code, level: l.level }).collect()
}

/// An operator's skills and capacity per channel (every channel, defaults included).
#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorOut {
    pub user_id: i64,
    pub skills: Vec<LeveledOut>,
    /// Channel → most contacts held at once.
    pub capacity: HashMap<Channel, i64>,
}

async fn operator_out(st: &AppState, user_id: i64) -> Result<OperatorOut, ApiError> {
    let skills = leveled_out(st.store.operator_skills(user_id).await?);
    let set = st.store.operator_capacity(user_id).await?;
    Ok(OperatorOut { user_id, skills, capacity: skill::effective_capacity(&set).into_iter().collect() })
}

/// Replaces an operator's skills; routing uses them at once.
#[utoipa::path(put, path = "/api/v1/operators/{id}/skills", tag = "routing", request_body = OperatorSkillsIn,
    params(("id" = i64, Path, description = "User id of the operator")),
    responses((status = 200, body = OperatorOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_operator_skills(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OperatorSkillsIn>,
) -> Result<Json<OperatorOut>, ApiError> {
    let set: Vec<SkillLevel> =
        input.skills.into_iter().map(|s| SkillLevel { skill: s.skill, level: s.level }).collect();
    st.store.set_operator_skills(id, &set, &caller.actor()).await?;
    st.dispatch.reload(&st.store).await?;
    Ok(Json(operator_out(&st, id).await?))
}

/// An operator's capacity: channels given get their value (0–20), the
/// others the default (1 call, 3 chats, 8 letters, 8 web forms, 3
/// messenger dialogues, 1 visitor).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityIn {
    pub capacity: HashMap<Channel, i64>,
}

/// Replaces an operator's capacity per channel; routing uses it at once.
#[utoipa::path(put, path = "/api/v1/operators/{id}/capacity", tag = "routing", request_body = CapacityIn,
    params(("id" = i64, Path, description = "User id of the operator")),
    responses((status = 200, body = OperatorOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_operator_capacity(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CapacityIn>,
) -> Result<Json<OperatorOut>, ApiError> {
    let mut set: Vec<(Channel, i64)> = input.capacity.into_iter().collect();
    set.sort_by_key(|(ch, _)| ch.as_str());
    st.store.set_operator_capacity(id, &set, &caller.actor()).await?;
    st.dispatch.reload(&st.store).await?;
    Ok(Json(operator_out(&st, id).await?))
}

/// Replaces the skills every contact of a queue requires (merged with each
/// contact's own); waiting contacts are routed by them at once.
#[utoipa::path(put, path = "/api/v1/queues/{id}/skills", tag = "routing", request_body = RequirementsIn,
    params(("id" = i64, Path, description = "Queue id")),
    responses((status = 200, body = Vec<LeveledOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_queue_skills(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RequirementsIn>,
) -> Result<Json<Vec<LeveledOut>>, ApiError> {
    st.store.set_queue_skills(id, &requirements(&input.skills), &caller.actor()).await?;
    st.dispatch.reload(&st.store).await?;
    Ok(Json(leveled_out(st.store.queue_skills(id).await?)))
}

/// Replaces the skills a contact itself requires (its queue's still apply).
#[utoipa::path(put, path = "/api/v1/contacts/{id}/skills", tag = "routing", request_body = RequirementsIn,
    params(("id" = i64, Path, description = "Contact number")),
    responses((status = 200, body = Vec<LeveledOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_contact_skills(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RequirementsIn>,
) -> Result<Json<Vec<LeveledOut>>, ApiError> {
    st.store.set_contact_skills(id, &requirements(&input.skills), &caller.actor()).await?;
    st.dispatch.reload(&st.store).await?;
    Ok(Json(leveled_out(st.store.contact_skills(id).await?)))
}

// ---------------------------------------------------------------- room

pub struct SkillRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_ru: String,
    pub name_kk: String,
    pub name_en: String,
    pub active: bool,
}

/// One operator's row of the matrix.
pub struct OperatorRow {
    pub id: i64,
    pub name: String,
    pub login: String,
    /// (code, skill name, level or empty) for every active skill.
    pub levels: Vec<(String, String, String)>,
    /// (channel, label, capacity) for every channel.
    pub capacity: Vec<(&'static str, String, i64)>,
}

#[derive(Template)]
#[template(path = "skills.html")]
struct SkillsPage {
    chrome: Chrome,
    skills: Vec<SkillRow>,
    operators: Vec<OperatorRow>,
    error: Option<String>,
}

async fn page(st: &AppState, caller: &Caller, status: StatusCode, error: Option<String>) -> Response {
    let chrome = chrome(st, caller, "skills", "skills-title");
    let load = async {
        let skills = st.store.list_skills().await?;
        let users = st.store.list_users().await?;
        let routing = st.store.routing_skills().await?;
        Ok::<_, StoreError>((skills, users, routing))
    };
    let (skills, users, routing) = match load.await {
        Ok(v) => v,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let operators = users
        .iter()
        .filter(|u| u.active && u.can(Permission::UseDesk))
        .map(|u| {
            let held = routing.operators.get(&u.id);
            let set = routing.capacity.get(&u.id).cloned().unwrap_or_default();
            OperatorRow {
                id: u.id,
                name: u.name.clone(),
                login: u.login.clone(),
                levels: skills
                    .iter()
                    .filter(|s| s.active)
                    .map(|s| {
                        let level = held
                            .and_then(|h| h.iter().find(|(id, _)| *id == s.id))
                            .map(|(_, l)| l.to_string())
                            .unwrap_or_default();
                        (s.code.clone(), s.name(chrome.lang).to_string(), level)
                    })
                    .collect(),
                capacity: skill::effective_capacity(&set)
                    .into_iter()
                    .map(|(ch, max)| (ch.as_str(), chrome.t.get(&format!("channel-{}", ch.as_str())), max))
                    .collect(),
            }
        })
        .collect();
    let skills = skills
        .into_iter()
        .map(|s| SkillRow {
            id: s.id,
            name: s.name(chrome.lang).to_string(),
            code: s.code,
            name_ru: s.name_ru,
            name_kk: s.name_kk,
            name_en: s.name_en,
            active: s.active,
        })
        .collect();
    render(status, &SkillsPage { chrome, skills, operators, error })
}

/// `GET /admin/skills`.
pub async fn room(State(st): State<AppState>, caller: Caller) -> Response {
    page(&st, &caller, StatusCode::OK, None).await
}

/// After a form: back to `to`, or the room again with the reason.
async fn answer(st: &AppState, caller: &Caller, saved: Result<(), StoreError>, to: String) -> Response {
    let saved = match saved {
        Ok(()) => st.dispatch.reload(&st.store).await,
        Err(e) => Err(e),
    };
    let say = |key: &str| Some(st.catalog.get(caller.locale, key));
    match saved {
        Ok(()) => Redirect::to(&to).into_response(),
        Err(StoreError::Invalid(inv)) => page(st, caller, StatusCode::UNPROCESSABLE_ENTITY, say(inv.code)).await,
        Err(StoreError::Conflict(_)) => page(st, caller, StatusCode::CONFLICT, say("skill-code-taken")).await,
        Err(StoreError::NotFound(_)) => page(st, caller, StatusCode::NOT_FOUND, say("error-not-found")).await,
        Err(e) => ApiError::internal(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct NewSkillForm {
    code: String,
    name_ru: String,
    name_kk: String,
    name_en: String,
}

/// `POST /admin/skills`: adds a skill.
pub async fn create_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    PageForm(f): PageForm<NewSkillForm>,
) -> Response {
    let saved = st.store.create_skill(f.code.trim(), &f.name_ru, &f.name_kk, &f.name_en, &caller.actor()).await;
    let to = match &saved {
        Ok(s) => format!("/admin/skills#skill-{}", s.id),
        Err(_) => String::new(),
    };
    answer(&st, &caller, saved.map(|_| ()), to).await
}

/// The per-skill form; `active` is a checkbox (absent when unticked).
#[derive(Deserialize)]
pub struct SkillForm {
    name_ru: String,
    name_kk: String,
    name_en: String,
    #[serde(default)]
    active: Option<String>,
}

/// `POST /admin/skills/{id}`: renames, deactivates or reactivates a skill.
pub async fn update_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<SkillForm>,
) -> Response {
    let saved =
        st.store.update_skill(id, &f.name_ru, &f.name_kk, &f.name_en, f.active.is_some(), &caller.actor()).await;
    answer(&st, &caller, saved.map(|_| ()), format!("/admin/skills#skill-{id}")).await
}

/// Form fields `<prefix><code>` with a number: (code, value); blank fields are left out.
fn prefixed(fields: &[(String, String)], prefix: &str, invalid: Invalid) -> Result<Vec<(String, i64)>, Invalid> {
    let mut out = Vec::new();
    for (name, value) in fields {
        if let Some(code) = name.strip_prefix(prefix) {
            if let Some(v) = form_number(value, invalid.clone())? {
                out.push((code.to_string(), v));
            }
        }
    }
    Ok(out)
}

/// Skill levels from form fields `<prefix><code>`.
fn form_levels(fields: &[(String, String)], prefix: &str) -> Result<Vec<SkillLevel>, Invalid> {
    let invalid = Invalid { field: "skills", code: "invalid-skill-level" };
    Ok(prefixed(fields, prefix, invalid)?.into_iter().map(|(skill, level)| SkillLevel { skill, level }).collect())
}

/// `POST /admin/operators/{id}/skills`: an operator's skill levels
/// (`level_<code>`, blank for none) and capacity (`cap_<channel>`), saved
/// together or not at all. Capacities equal to the default are not stored.
pub async fn operator_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Response {
    let parsed = (|| {
        let levels = form_levels(&fields, "level_")?;
        let mut capacity = Vec::new();
        for (ch, max) in prefixed(&fields, "cap_", Invalid { field: "capacity", code: "invalid-capacity" })? {
            let ch = Channel::parse(&ch).ok_or(Invalid { field: "capacity", code: "invalid-capacity" })?;
            if max != skill::default_capacity(ch) {
                capacity.push((ch, max));
            }
        }
        Ok::<_, Invalid>((levels, capacity))
    })();
    let saved = match parsed {
        Ok((levels, capacity)) => {
            st.store.set_operator_profile(id, Some(&levels), Some(&capacity), &caller.actor()).await
        }
        Err(inv) => Err(StoreError::Invalid(inv)),
    };
    answer(&st, &caller, saved, format!("/admin/skills#operator-{id}")).await
}

/// `POST /admin/queues/{id}/skills`: the queue's required skills
/// (`min_<code>`, blank for not required), from the queue room.
pub async fn queue_form(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(fields): PageForm<Vec<(String, String)>>,
) -> Response {
    let saved = match form_levels(&fields, "min_") {
        Ok(set) => st.store.set_queue_skills(id, &set, &caller.actor()).await,
        Err(inv) => Err(StoreError::Invalid(inv)),
    };
    let saved = match saved {
        Ok(()) => st.dispatch.reload(&st.store).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Redirect::to(&format!("/admin/queues#queue-{id}")).into_response(),
        Err(e) => crate::queue_pages::refused(&st, &caller, e).await,
    }
}
