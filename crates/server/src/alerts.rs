//! SLA and legal-deadline alerts: a scanner that computes the clocks of open
//! contacts every few seconds and raises an alert (once) when one is at risk
//! or breached, announcing it to supervisors live (escalation); the alert
//! list on the wallboard and in the API, where a supervisor acknowledges one.

use std::time::Duration;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use domain::Permission;
use serde::Serialize;
use store::{Alert, StoreError};
use utoipa::ToSchema;

use crate::auth::SignedInUser;
use crate::error::{ApiError, ErrorBody};
use crate::live::LiveEvent;
use crate::pages::{chrome, error_page, format_utc, render, Chrome};
use crate::AppState;

/// How often the scanner looks at the clocks.
pub const SCAN_EVERY: Duration = Duration::from_secs(30);

/// Looks at every open contact's clocks at `now` and raises the alerts that
/// are due. Returns how many new alerts were raised.
pub async fn scan(st: &AppState, now: i64) -> Result<usize, StoreError> {
    let mut raised = 0;
    let levels = st.service_levels();
    for c in st.store.open_contacts().await? {
        let events = st.store.contact_events(c.id).await?;
        for clock in crate::clocks::contact_clocks(&levels, &c, &events, now) {
            let level = match clock.state {
                "at_risk" => "at_risk",
                "breached" => "breached",
                _ => continue,
            };
            if st.store.raise_alert(c.id, clock.name, level, clock.due_at, now).await?.is_some() {
                raised += 1;
                st.live.publish(LiveEvent::Alert { contact: c.id, clock: clock.name, level });
            }
        }
    }
    Ok(raised)
}

/// Runs [`scan`] every `every` until the process ends.
pub fn spawn_scanner(st: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = scan(&st, store::now_ms()).await {
                tracing::warn!("SLA alert scan failed: {e}");
            }
        }
    })
}

/// An alert in the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertOut {
    pub id: i64,
    pub contact_id: i64,
    /// first_response, next_response, resolution or legal.
    pub clock: String,
    /// at_risk or breached.
    pub level: String,
    pub due_at: Option<i64>,
    pub raised_at: i64,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<i64>,
}

impl From<Alert> for AlertOut {
    fn from(a: Alert) -> AlertOut {
        AlertOut {
            id: a.id,
            contact_id: a.contact_id,
            clock: a.clock,
            level: a.level,
            due_at: a.due_at,
            raised_at: a.raised_at,
            acknowledged_by: a.acknowledged_by,
            acknowledged_at: a.acknowledged_at,
        }
    }
}

/// Alerts nobody has acknowledged yet, newest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "contacts",
    responses((status = 200, body = Vec<AlertOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(State(st): State<AppState>) -> Result<Json<Vec<AlertOut>>, ApiError> {
    Ok(Json(st.store.open_alerts(200).await?.into_iter().map(AlertOut::from).collect()))
}

/// A supervisor acknowledges an alert.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/ack", tag = "contacts",
    params(("id" = i64, Path, description = "Alert id")),
    responses((status = 200, body = AlertOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn acknowledge(
    State(st): State<AppState>,
    SignedInUser(user, _): SignedInUser,
    Path(id): Path<i64>,
) -> Result<Json<AlertOut>, ApiError> {
    Ok(Json(st.store.acknowledge_alert(id, user.id).await?.into()))
}

/// An alert line on the wallboard.
pub struct AlertRow {
    pub id: i64,
    pub contact_id: i64,
    pub subject: String,
    pub clock: String,
    pub level: String,
    pub level_label: String,
    pub due: String,
    pub raised: String,
}

#[derive(Template)]
#[template(path = "wallboard.html")]
struct WallboardPage {
    chrome: Chrome,
    alerts: Vec<AlertRow>,
    /// The viewer may open contacts (a link is useless otherwise).
    desk: bool,
}

/// `GET /wallboard`: for now the live list of SLA alerts.
pub async fn wallboard(State(st): State<AppState>, SignedInUser(user, caller): SignedInUser) -> Response {
    let chrome = chrome(&st, &caller, "wallboard", "nav-wallboard");
    let alerts = match st.store.open_alerts(200).await {
        Ok(a) => a,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let mut rows = Vec::with_capacity(alerts.len());
    for a in alerts {
        let subject = match st.store.contact(a.contact_id).await {
            Ok(c) => c.map(|c| c.subject).unwrap_or_default(),
            Err(e) => return ApiError::internal(e).into_response(),
        };
        rows.push(AlertRow {
            id: a.id,
            contact_id: a.contact_id,
            subject,
            clock: chrome.t.get(&format!("clock-{}", a.clock)),
            level_label: chrome.t.get(&format!("clock-state-{}", a.level)),
            level: a.level,
            due: a.due_at.map(format_utc).unwrap_or_else(|| "—".into()),
            raised: format_utc(a.raised_at),
        });
    }
    let desk = user.can(Permission::UseDesk);
    render(StatusCode::OK, &WallboardPage { chrome, alerts: rows, desk })
}

/// `POST /wallboard/alerts/{id}/ack` from the wallboard's form.
pub async fn acknowledge_form(
    State(st): State<AppState>,
    SignedInUser(user, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Response {
    match st.store.acknowledge_alert(id, user.id).await {
        Ok(_) => Redirect::to("/wallboard").into_response(),
        Err(StoreError::NotFound(_)) => error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        // Acknowledged by someone else meanwhile: the list is what matters.
        Err(StoreError::Conflict(_)) => Redirect::to("/wallboard").into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}
