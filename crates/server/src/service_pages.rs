//! Service levels in the browser and the API: SLA targets per (contact type
//! × priority) in minutes of working time, the legal deadline presets with
//! their sources, and which preset complaints are held to. Saving puts the
//! change in force at once (`AppState::set_service_levels`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::contact::ContactType;
use domain::legal::DayCount;
use domain::service_levels::{ServiceLevels, CENTRE_CALENDAR, PRIORITIES};
use domain::sla::SlaPolicy;
use domain::time::MS_PER_MINUTE;
use domain::validate::Invalid;
use serde::Deserialize;
use store::StoreError;

use crate::auth::{Caller, SignedInUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::pages::{chrome, form_number, render, Chrome, PageForm};
use crate::AppState;

/// The service levels in force (SLA policies, legal presets, complaint preset).
#[utoipa::path(get, path = "/api/v1/service-levels", tag = "contacts",
    responses((status = 200, body = serde_json::Value), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_levels(State(st): State<AppState>) -> Json<ServiceLevels> {
    Json((*st.service_levels()).clone())
}

/// Replaces the service levels as a whole; refused (422) with nothing
/// changed if any policy or preset is invalid.
#[utoipa::path(put, path = "/api/v1/service-levels", tag = "contacts", request_body = serde_json::Value,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn put_levels(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    ApiJson(levels): ApiJson<ServiceLevels>,
) -> Result<StatusCode, ApiError> {
    st.set_service_levels(levels, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub struct PolicyRow {
    pub contact_type: String,
    pub type_label: String,
    pub priority: String,
    pub priority_label: String,
    pub first: String,
    pub next: String,
    pub resolution: String,
    pub at_risk: u8,
}

pub struct PresetRow {
    pub id: String,
    pub jurisdiction: String,
    pub title: String,
    pub days: u32,
    pub working: bool,
    pub roll_forward: bool,
    pub source: String,
    pub note: String,
    pub for_complaints: bool,
}

#[derive(Template)]
#[template(path = "service_levels.html")]
struct LevelsPage {
    chrome: Chrome,
    policies: Vec<PolicyRow>,
    presets: Vec<PresetRow>,
    /// (value, label) choices for a new policy.
    types: Vec<(String, String)>,
    priorities: Vec<(&'static str, String)>,
    error: Option<String>,
}

fn minutes(ms: Option<i64>) -> String {
    ms.map(|v| (v / MS_PER_MINUTE).to_string()).unwrap_or_default()
}

fn priority_label(chrome: &Chrome, p: &str) -> String {
    chrome.t.get(&format!("sla-priority-{}", if p == "*" { "any" } else { p }))
}

async fn page(st: &AppState, caller: &Caller, status: StatusCode, error: Option<String>) -> Response {
    let chrome = chrome(st, caller, "service-levels", "nav-service-levels");
    let levels = st.service_levels();
    let type_label =
        |t: &str| if t == "*" { chrome.t.get("sla-type-any") } else { chrome.t.get(&format!("ctype-{t}")) };
    let policies = levels
        .sla
        .all()
        .iter()
        .map(|p| PolicyRow {
            contact_type: p.contact_type.clone(),
            type_label: type_label(&p.contact_type),
            priority: p.priority.clone(),
            priority_label: priority_label(&chrome, &p.priority),
            first: minutes(p.first_response),
            next: minutes(p.next_response),
            resolution: minutes(p.resolution),
            at_risk: p.at_risk_percent,
        })
        .collect();
    let presets = levels
        .legal
        .all()
        .iter()
        .map(|p| PresetRow {
            id: p.id.clone(),
            jurisdiction: p.jurisdiction.clone(),
            title: p.title.clone(),
            days: p.days,
            working: p.counting == DayCount::Working,
            roll_forward: p.roll_forward,
            source: p.source.clone(),
            note: p.note.clone(),
            for_complaints: p.id == levels.complaint_preset,
        })
        .collect();
    let mut types = vec![("*".to_string(), type_label("*"))];
    types.extend(ContactType::ALL.iter().map(|t| (t.as_str().to_string(), type_label(t.as_str()))));
    let priorities = PRIORITIES.iter().map(|p| (*p, priority_label(&chrome, p))).collect();
    render(status, &LevelsPage { chrome, policies, presets, types, priorities, error })
}

/// `GET /admin/service-levels`.
pub async fn levels_page(State(st): State<AppState>, caller: Caller) -> Response {
    page(&st, &caller, StatusCode::OK, None).await
}

/// One SLA policy row as typed: targets in minutes, empty for none.
#[derive(Deserialize)]
pub struct PolicyForm {
    contact_type: String,
    priority: String,
    #[serde(default)]
    first_response_min: String,
    #[serde(default)]
    next_response_min: String,
    #[serde(default)]
    resolution_min: String,
    at_risk_percent: String,
}

/// A target typed in minutes, as milliseconds.
fn target(s: &str) -> Result<Option<i64>, Invalid> {
    let minutes = form_number(s, Invalid { field: "target", code: "invalid-sla-target" })?;
    Ok(minutes.map(|m| m.saturating_mul(MS_PER_MINUTE)))
}

impl PolicyForm {
    fn policy(&self) -> Result<SlaPolicy, Invalid> {
        let mut p = SlaPolicy::new(&self.contact_type, &self.priority, CENTRE_CALENDAR);
        p.first_response = target(&self.first_response_min)?;
        p.next_response = target(&self.next_response_min)?;
        p.resolution = target(&self.resolution_min)?;
        p.at_risk_percent = self
            .at_risk_percent
            .trim()
            .parse()
            .map_err(|_| Invalid { field: "at_risk_percent", code: "invalid-sla-at-risk" })?;
        Ok(p)
    }
}

async fn save(st: &AppState, caller: &Caller, change: Result<ServiceLevels, Invalid>) -> Response {
    let saved = match change {
        Ok(levels) => st.set_service_levels(levels, &caller.actor()).await,
        Err(inv) => Err(StoreError::Invalid(inv)),
    };
    match saved {
        Ok(()) => Redirect::to("/admin/service-levels").into_response(),
        Err(StoreError::Invalid(inv)) => {
            page(st, caller, StatusCode::UNPROCESSABLE_ENTITY, Some(st.catalog.get(caller.locale, inv.code))).await
        }
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// `POST /admin/service-levels/sla`: adds or replaces one policy.
pub async fn save_policy(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    PageForm(form): PageForm<PolicyForm>,
) -> Response {
    let change = form.policy().map(|p| {
        let mut levels = (*st.service_levels()).clone();
        levels.sla.upsert(p);
        levels
    });
    save(&st, &caller, change).await
}

/// One legal preset's editable terms.
#[derive(Deserialize)]
pub struct PresetForm {
    id: String,
    days: String,
    counting: String,
    #[serde(default)]
    roll_forward: Option<String>,
    #[serde(default)]
    for_complaints: Option<String>,
}

/// `POST /admin/service-levels/legal`: edits a preset's term and counting,
/// and whether complaints are held to it.
pub async fn save_preset(
    State(st): State<AppState>,
    SignedInUser(_user, caller): SignedInUser,
    PageForm(form): PageForm<PresetForm>,
) -> Response {
    let mut levels = (*st.service_levels()).clone();
    let change = (|| {
        let mut preset =
            levels.legal.get(&form.id).cloned().ok_or(Invalid { field: "id", code: "invalid-legal-id" })?;
        preset.days = form.days.trim().parse().map_err(|_| Invalid { field: "days", code: "invalid-legal-days" })?;
        preset.counting = match form.counting.as_str() {
            "calendar" => DayCount::Calendar,
            "working" => DayCount::Working,
            _ => return Err(Invalid { field: "counting", code: "invalid-legal-days" }),
        };
        preset.roll_forward = form.roll_forward.is_some();
        levels.legal.upsert(preset);
        if form.for_complaints.is_some() {
            levels.complaint_preset = form.id.clone();
        }
        Ok(levels)
    })();
    save(&st, &caller, change).await
}
