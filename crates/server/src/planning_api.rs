//! The planner's work over the API (`/api/v1/planning/…`, `UsePlanning`)
//! and the operations the room shares with it: import a history (CSV or
//! XLSX, or counted from the centre's contacts), run a forecast, staff it, draft a
//! schedule (generated, or an uploaded `wfm::roster::Roster`), publish it.
//! `GET /api/v1/planning/my-schedule` (`UseDesk`) answers an operator with
//! their own published shifts and nobody else's.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::Role;
use serde::{Deserialize, Serialize};
use store::planning::{NewForecast, NewSchedule, NewSeries, Schedule, Series, SOURCE_CENTRE, SOURCE_UPLOAD};
use store::{AuditActor, Store, StoreError, User};
use utoipa::ToSchema;
use wfm::roster::Roster;

use crate::auth::SignedInUser;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::planning::{self, Refusal, StaffRow, Targets};
use crate::AppState;

/// A refused input as an API error: 422 with `code` and the reason (with its line).
pub fn refused(code: &'static str, r: Refusal) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, r.to_string())
}

// ---------------------------------------------------------------- operations

/// Imports a `timestamp,calls[,aht_s]` history file, CSV or a workbook
/// (XLSX, …): all rows or none (422 `invalid_history` naming the line or
/// sheet row).
pub async fn import_history(store: &Store, actor: &AuditActor, name: &str, file: &[u8]) -> Result<Series, ApiError> {
    let name = series_name(name)?;
    let (interval_s, points) = planning::parse_history(file).map_err(|r| refused("invalid_history", r))?;
    Ok(store.create_series(&NewSeries { name, source: SOURCE_UPLOAD, interval_s, points }, actor).await?)
}

fn series_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(domain::validate::Invalid { field: "name", code: "invalid-series-name" }.into());
    }
    Ok(name.to_string())
}

/// A history to count from the centre's own contacts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CentreIn {
    pub name: String,
    /// First day, `YYYY-MM-DD` (centre time, Almaty).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// Interval length in minutes: 5, 10, 15, 30 or 60.
    pub interval_min: i64,
    /// Only this channel (`voice`, `chat`, …) when given.
    pub channel: Option<String>,
    /// Only this queue when given.
    pub queue_id: Option<i64>,
}

/// Counts contacts created per interval over a date range (the centre's
/// wall clock) and stores them as a history of source `centre`.
pub async fn import_centre(store: &Store, actor: &AuditActor, input: &CentreIn) -> Result<Series, ApiError> {
    let name = series_name(&input.name)?;
    let invalid = |field: &'static str, code: &'static str| ApiError::from(domain::validate::Invalid { field, code });
    if ![5, 10, 15, 30, 60].contains(&input.interval_min) {
        return Err(invalid("interval_min", "invalid-interval"));
    }
    let day = |s: &str| wfm::forecast::time::parse_timestamp(&format!("{} 00:00", s.trim())).ok().map(|t| t.0);
    let (Some(from), Some(to)) = (day(&input.from), day(&input.to)) else {
        return Err(invalid("from", "invalid-date"));
    };
    if to < from || (to - from) / 86_400 >= planning::MAX_CENTRE_DAYS {
        return Err(invalid("to", "invalid-date-range"));
    }
    let channel = input.channel.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = channel {
        if domain::contact::Channel::parse(c).is_none() {
            return Err(invalid("channel", "invalid-channel"));
        }
    }
    let offset_min = i64::from(crate::clocks::calendar().offset.minutes());
    let (from_ms, to_ms) = ((from - offset_min * 60) * 1000, (to + 86_400 - offset_min * 60) * 1000);
    let counts = store.arrivals(from_ms, to_ms, input.interval_min * 60_000, channel, input.queue_id).await?;
    let points = planning::centre_points(&counts, input.interval_min * 60, offset_min);
    // The same checks as an upload: enough rows to find a calendar.
    planning::wfm_series(&points).map_err(|r| refused("invalid_history", r))?;
    let new = NewSeries { name, source: SOURCE_CENTRE, interval_s: input.interval_min * 60, points };
    Ok(store.create_series(&new, actor).await?)
}

/// Runs a forecast of a stored history off the async workers and stores it.
pub async fn forecast_series(
    store: &Store,
    actor: &AuditActor,
    series_id: i64,
    method: &str,
    horizon_days: usize,
) -> Result<store::planning::Forecast, ApiError> {
    let series = store.series(series_id).await?;
    let method_owned = method.to_string();
    let run = tokio::task::spawn_blocking(move || planning::run_forecast(&series.points, &method_owned, horizon_days))
        .await
        .map_err(ApiError::internal)?
        .map_err(|r| refused("invalid_forecast", r))?;
    let new = NewForecast {
        series_id,
        method: method.to_string(),
        chosen: run.chosen,
        horizon_days: horizon_days as i64,
        report: run.report,
        points: run.points,
    };
    Ok(store.create_forecast(&new, actor).await?)
}

/// Staffing targets; absent values take the defaults (80/20, occupancy
/// ≤ 85 %, shrinkage 30 %, the history's mean handling time or 180 s).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffingIn {
    pub service_level: Option<f64>,
    pub answer_time_s: Option<f64>,
    pub max_occupancy: Option<f64>,
    pub shrinkage: Option<f64>,
    pub aht_s: Option<f64>,
}

/// The targets a staffing request means for a forecast of `series`.
pub fn targets_for(input: &StaffingIn, series: &Series) -> Targets {
    Targets {
        service_level: input.service_level.unwrap_or(0.8),
        answer_time_s: input.answer_time_s.unwrap_or(20.0),
        max_occupancy: input.max_occupancy.or(Some(0.85)),
        shrinkage: input.shrinkage.unwrap_or(0.3),
        aht_s: input.aht_s.or_else(|| planning::mean_aht(&series.points)).unwrap_or(180.0),
        interval_s: series.interval_s as f64,
    }
}

/// Staffs every interval of a forecast with Erlang C and stores the plan.
pub async fn staff_forecast(
    store: &Store,
    actor: &AuditActor,
    forecast_id: i64,
    input: &StaffingIn,
) -> Result<store::planning::Staffing, ApiError> {
    let f = store.forecast(forecast_id).await?;
    let series = store.series(f.series_id).await?;
    let t = targets_for(input, &series);
    let rows = planning::staff_plan(&f.points, &t).map_err(|r| refused("invalid_targets", r))?;
    let (targets, rows) = (json(&t)?, json(&rows)?);
    Ok(store.create_staffing(forecast_id, &targets, &rows, actor).await?)
}

fn json<T: Serialize>(v: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(v).map_err(ApiError::internal)
}

/// A stored staffing plan's targets and rows.
pub fn staffing_parts(s: &store::planning::Staffing) -> Result<(Targets, Vec<StaffRow>), ApiError> {
    let t = serde_json::from_value(s.targets.clone()).map_err(ApiError::internal)?;
    let rows = serde_json::from_value(s.rows.clone()).map_err(ApiError::internal)?;
    Ok((t, rows))
}

/// The people a generated schedule is for: active operators and senior operators.
async fn desk_operators(store: &Store) -> Result<Vec<User>, ApiError> {
    let mut users = store.list_users().await?;
    users.retain(|u| u.active && u.roles.iter().any(|r| matches!(r, Role::Operator | Role::SeniorOperator)));
    Ok(users)
}

/// Drafts a schedule for the centre's operators from a staffing plan
/// ([`planning::build_schedule`]).
pub async fn generate_schedule(
    store: &Store,
    actor: &AuditActor,
    staffing_id: i64,
    name: &str,
) -> Result<Schedule, ApiError> {
    let s = store.staffing(staffing_id).await?;
    let (t, rows) = staffing_parts(&s)?;
    let users = desk_operators(store).await?;
    if users.is_empty() {
        return Err(refused("invalid_roster", Refusal::plain("no active operators to schedule")));
    }
    let ops: Vec<(String, String)> = users.iter().map(|u| (u.login.clone(), u.name.clone())).collect();
    let roster = planning::build_schedule(&rows, t.interval_s as i64, &ops);
    let operators = users.iter().map(|u| (u.login.clone(), u.id)).collect();
    let name = if name.trim().is_empty() { format!("#{staffing_id}") } else { series_name(name)? };
    let roster = serde_json::to_string(&roster).map_err(ApiError::internal)?;
    Ok(store.create_schedule(&NewSchedule { name, staffing_id: Some(staffing_id), roster, operators }, actor).await?)
}

/// Stores an uploaded roster as a draft after `planning::check_roster`
/// (422 `invalid_roster`, unknown operators listed by row).
pub async fn upload_schedule(store: &Store, actor: &AuditActor, name: &str, json: &str) -> Result<Schedule, ApiError> {
    let name = series_name(name)?;
    let users = store.list_users().await?;
    let known = |login: &str| users.iter().find(|u| u.login == login && u.active).map(|u| u.id);
    let (roster, operators) = planning::check_roster(json, &known).map_err(|r| refused("invalid_roster", r))?;
    let roster = serde_json::to_string(&roster).map_err(ApiError::internal)?;
    Ok(store.create_schedule(&NewSchedule { name, staffing_id: None, roster, operators }, actor).await?)
}

/// Publishes a draft (409 `conflict` when it already is).
pub async fn publish(store: &Store, actor: &AuditActor, id: i64) -> Result<Schedule, ApiError> {
    store.publish_schedule(id, actor).await.map_err(|e| match e {
        StoreError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", "the schedule is already published"),
        other => other.into(),
    })
}

/// A stored roster.
pub fn roster_of(s: &Schedule) -> Result<Roster, ApiError> {
    serde_json::from_str(&s.roster).map_err(ApiError::internal)
}

/// One of my shifts.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyShift {
    pub schedule_id: i64,
    pub schedule: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM` (past 24:00 for a night shift).
    pub start: String,
    pub end: String,
    /// Breaks, lunches and other off-line periods: `kind HH:MM–HH:MM`.
    pub activities: Vec<String>,
}

/// The caller's own shifts in every published schedule that names them.
pub async fn my_shifts(store: &Store, user: &User) -> Result<Vec<MyShift>, ApiError> {
    let mut out = Vec::new();
    for (s, login) in store.published_schedules_of(user.id).await? {
        let roster = roster_of(&s)?;
        let first = wfm::forecast::time::parse_timestamp(&format!("{} 00:00", roster.start_date))
            .map(|t| t.0.div_euclid(86_400))
            .map_err(ApiError::internal)?;
        for op in roster.operators.iter().filter(|o| o.id == login) {
            for sh in &op.shifts {
                out.push(MyShift {
                    schedule_id: s.id,
                    schedule: s.name.clone(),
                    date: wfm::forecast::Date::from_days(first + i64::from(sh.day)).to_string(),
                    start: planning::hm(sh.start_min),
                    end: planning::hm(sh.end_min),
                    activities: sh
                        .activities
                        .iter()
                        .map(|a| {
                            let kind = serde_json::to_value(a.kind).ok().and_then(|v| v.as_str().map(String::from));
                            format!(
                                "{} {}–{}",
                                kind.unwrap_or_default(),
                                planning::hm(a.start_min),
                                planning::hm(a.end_min)
                            )
                        })
                        .collect(),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.date, &a.start).cmp(&(&b.date, &b.start)));
    Ok(out)
}

/// What [`seed_demo`] stored.
#[derive(Debug, Clone, Copy)]
pub struct DemoPlanning {
    pub series: i64,
    pub forecast: i64,
    pub staffing: i64,
    pub schedule: i64,
}

/// The planner's room as a demo visitor finds it, built the way a planner
/// would: a history counted from the centre's own contacts of the last four
/// weeks (30-minute intervals), a forecast of the next five operating days
/// (model chosen by backtest), its staffing at 80/20 with 30 % shrinkage, and
/// a generated schedule for the demo operators, published. `switchboard
/// demo` calls it right after `demo::seed`, whose 90 days of contacts follow
/// the bank's arrival pattern.
pub async fn seed_demo(store: &Store, now_ms: i64) -> Result<DemoPlanning, ApiError> {
    let actor = AuditActor::demo();
    let day = |ms: i64| crate::pages::format_utc(ms)[..10].to_string();
    let input = CentreIn {
        name: "Обращения центра за 4 недели".into(),
        from: day(now_ms - 28 * 86_400_000),
        to: day(now_ms - 86_400_000),
        interval_min: 30,
        channel: None,
        queue_id: None,
    };
    let series = import_centre(store, &actor, &input).await?;
    let forecast = forecast_series(store, &actor, series.id, "auto", 5).await?;
    let targets = StaffingIn { aht_s: Some(240.0), ..StaffingIn::default() };
    let staffing = staff_forecast(store, &actor, forecast.id, &targets).await?;
    let schedule = generate_schedule(store, &actor, staffing.id, "График на неделю / Апталық кесте").await?;
    publish(store, &actor, schedule.id).await?;
    Ok(DemoPlanning { series: series.id, forecast: forecast.id, staffing: staffing.id, schedule: schedule.id })
}

// ---------------------------------------------------------------- API

/// A stored history.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesOut {
    pub id: i64,
    pub name: String,
    /// `upload` or `centre`.
    pub source: String,
    pub interval_s: i64,
    pub created_at: i64,
    /// `[{ts, calls, aht_s?}]`, wall-clock seconds; only when one history is asked for.
    #[schema(value_type = Vec<Object>)]
    pub points: Vec<store::planning::SeriesPoint>,
}

impl From<Series> for SeriesOut {
    fn from(s: Series) -> SeriesOut {
        SeriesOut {
            id: s.id,
            name: s.name,
            source: s.source,
            interval_s: s.interval_s,
            created_at: s.created_at,
            points: s.points,
        }
    }
}

/// A history: CSV text or a workbook in base64 (exactly one of the two).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportIn {
    pub name: String,
    /// `timestamp,calls[,aht_s]` with a header; RFC 3339 or `YYYY-MM-DD HH:MM`.
    pub csv: Option<String>,
    /// A workbook (`.xlsx`, `.xls`, `.ods`, …), standard base64: the first
    /// sheet, the same columns in its first row; date-time or text timestamps.
    pub xlsx_base64: Option<String>,
}

impl ImportIn {
    /// The file's bytes (422 `invalid_field` unless exactly one of `csv`
    /// and `xlsx_base64` is given and the base64 is valid).
    fn file(&self) -> Result<Vec<u8>, ApiError> {
        use base64::Engine;
        match (&self.csv, &self.xlsx_base64) {
            (Some(csv), None) => Ok(csv.as_bytes().to_vec()),
            (None, Some(b64)) => base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| domain::validate::Invalid { field: "xlsx_base64", code: "invalid-base64" }.into()),
            _ => Err(domain::validate::Invalid { field: "csv", code: "invalid-history-file" }.into()),
        }
    }
}

/// Histories, newest first (without points).
#[utoipa::path(get, path = "/api/v1/planning/series", tag = "planning",
    responses((status = 200, body = Vec<SeriesOut>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_series(State(st): State<AppState>) -> Result<Json<Vec<SeriesOut>>, ApiError> {
    Ok(Json(st.store.list_series().await?.into_iter().map(SeriesOut::from).collect()))
}

/// Imports a history (CSV or a base64 workbook): every row or none (422
/// `invalid_history` with the line or sheet row).
#[utoipa::path(post, path = "/api/v1/planning/series", tag = "planning", request_body = ImportIn,
    responses((status = 201, body = SeriesOut), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn import(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    ApiJson(input): ApiJson<ImportIn>,
) -> Result<(StatusCode, Json<SeriesOut>), ApiError> {
    let s = import_history(&st.store, &caller.actor(), &input.name, &input.file()?).await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

/// Builds a history from the centre's contacts (arrivals per interval).
#[utoipa::path(post, path = "/api/v1/planning/series/centre", tag = "planning", request_body = CentreIn,
    responses((status = 201, body = SeriesOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn import_from_centre(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    ApiJson(input): ApiJson<CentreIn>,
) -> Result<(StatusCode, Json<SeriesOut>), ApiError> {
    let s = import_centre(&st.store, &caller.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

/// One history with its points.
#[utoipa::path(get, path = "/api/v1/planning/series/{id}", tag = "planning",
    params(("id" = i64, Path, description = "History id")),
    responses((status = 200, body = SeriesOut), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_series(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<SeriesOut>, ApiError> {
    Ok(Json(st.store.series(id).await?.into()))
}

/// A forecast to run.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastIn {
    /// `auto` (lowest backtest WAPE; the default) or `seasonal_naive`, `profile`, `median`, `taylor`, `ensemble`.
    pub method: Option<String>,
    /// Operating days to forecast, 1–62.
    pub horizon_days: usize,
}

/// A stored forecast.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastOut {
    pub id: i64,
    pub series_id: i64,
    pub method: String,
    pub chosen: String,
    pub horizon_days: i64,
    /// `{chosen, backtest: [{model, wape, mase}], backtest_points: [[wall-clock seconds, calls]],
    /// backtest_horizon_days, excluded_days}`; `backtest_points` are the chosen model's
    /// rolling-origin backtest forecasts over the last weeks of the history.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
    /// `[[wall-clock seconds, calls]]`.
    #[schema(value_type = Vec<Object>)]
    pub points: Vec<(i64, f64)>,
    pub created_at: i64,
}

impl From<store::planning::Forecast> for ForecastOut {
    fn from(f: store::planning::Forecast) -> ForecastOut {
        ForecastOut {
            id: f.id,
            series_id: f.series_id,
            method: f.method,
            chosen: f.chosen,
            horizon_days: f.horizon_days,
            report: f.report,
            points: f.points,
            created_at: f.created_at,
        }
    }
}

/// Backtests every model on a history, forecasts with the chosen one, stores it.
#[utoipa::path(post, path = "/api/v1/planning/series/{id}/forecasts", tag = "planning", request_body = ForecastIn,
    params(("id" = i64, Path, description = "History id")),
    responses((status = 201, body = ForecastOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_forecast(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ForecastIn>,
) -> Result<(StatusCode, Json<ForecastOut>), ApiError> {
    let method = input.method.as_deref().unwrap_or("auto");
    let f = forecast_series(&st.store, &caller.actor(), id, method, input.horizon_days).await?;
    Ok((StatusCode::CREATED, Json(f.into())))
}

/// One forecast with its points and backtest report.
#[utoipa::path(get, path = "/api/v1/planning/forecasts/{id}", tag = "planning",
    params(("id" = i64, Path, description = "Forecast id")),
    responses((status = 200, body = ForecastOut), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_forecast(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<ForecastOut>, ApiError> {
    Ok(Json(st.store.forecast(id).await?.into()))
}

/// A stored staffing plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffingOut {
    pub id: i64,
    pub forecast_id: i64,
    /// `{service_level, answer_time_s, max_occupancy, shrinkage, aht_s, interval_s}`.
    #[schema(value_type = Object)]
    pub targets: serde_json::Value,
    /// `[{ts, calls, on_line, scheduled, service_level, asa_s, occupancy}]`.
    #[schema(value_type = Vec<Object>)]
    pub rows: serde_json::Value,
    pub created_at: i64,
}

impl From<store::planning::Staffing> for StaffingOut {
    fn from(s: store::planning::Staffing) -> StaffingOut {
        StaffingOut { id: s.id, forecast_id: s.forecast_id, targets: s.targets, rows: s.rows, created_at: s.created_at }
    }
}

/// Staffs a forecast per interval (Erlang C) and stores the plan.
#[utoipa::path(post, path = "/api/v1/planning/forecasts/{id}/staffing", tag = "planning", request_body = StaffingIn,
    params(("id" = i64, Path, description = "Forecast id")),
    responses((status = 201, body = StaffingOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_staffing(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StaffingIn>,
) -> Result<(StatusCode, Json<StaffingOut>), ApiError> {
    let s = staff_forecast(&st.store, &caller.actor(), id, &input).await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

/// One staffing plan.
#[utoipa::path(get, path = "/api/v1/planning/staffing/{id}", tag = "planning",
    params(("id" = i64, Path, description = "Staffing plan id")),
    responses((status = 200, body = StaffingOut), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_staffing(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<StaffingOut>, ApiError> {
    Ok(Json(st.store.staffing(id).await?.into()))
}

/// A stored schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleOut {
    pub id: i64,
    pub name: String,
    pub staffing_id: Option<i64>,
    /// `draft` or `published`.
    pub status: String,
    pub published_at: Option<i64>,
    /// The `wfm::roster::Roster` (as `switchboard wfm schedule` writes it).
    #[schema(value_type = Object)]
    pub roster: serde_json::Value,
}

fn schedule_out(s: Schedule) -> Result<ScheduleOut, ApiError> {
    let roster = serde_json::from_str(&s.roster).map_err(ApiError::internal)?;
    Ok(ScheduleOut {
        id: s.id,
        name: s.name,
        staffing_id: s.staffing_id,
        status: s.status,
        published_at: s.published_at,
        roster,
    })
}

/// A schedule to draft: a name and a roster whose operator ids are users' logins.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleIn {
    pub name: String,
    #[schema(value_type = Object)]
    pub roster: serde_json::Value,
}

/// Drafts a schedule from an uploaded roster (422 `invalid_roster`: shape,
/// `Roster::validate`, unknown operators by row).
#[utoipa::path(post, path = "/api/v1/planning/schedules", tag = "planning", request_body = ScheduleIn,
    responses((status = 201, body = ScheduleOut), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_schedule(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    ApiJson(input): ApiJson<ScheduleIn>,
) -> Result<(StatusCode, Json<ScheduleOut>), ApiError> {
    let s = upload_schedule(&st.store, &caller.actor(), &input.name, &input.roster.to_string()).await?;
    Ok((StatusCode::CREATED, Json(schedule_out(s)?)))
}

/// A name for a generated schedule.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateIn {
    #[serde(default)]
    pub name: String,
}

/// Drafts a schedule for the centre's operators meeting a staffing plan.
#[utoipa::path(post, path = "/api/v1/planning/staffing/{id}/schedules", tag = "planning", request_body = GenerateIn,
    params(("id" = i64, Path, description = "Staffing plan id")),
    responses((status = 201, body = ScheduleOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn generate(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<GenerateIn>,
) -> Result<(StatusCode, Json<ScheduleOut>), ApiError> {
    let s = generate_schedule(&st.store, &caller.actor(), id, &input.name).await?;
    Ok((StatusCode::CREATED, Json(schedule_out(s)?)))
}

/// One schedule with its roster.
#[utoipa::path(get, path = "/api/v1/planning/schedules/{id}", tag = "planning",
    params(("id" = i64, Path, description = "Schedule id")),
    responses((status = 200, body = ScheduleOut), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_schedule(State(st): State<AppState>, Path(id): Path<i64>) -> Result<Json<ScheduleOut>, ApiError> {
    Ok(Json(schedule_out(st.store.schedule(id).await?)?))
}

/// Publishes a draft schedule to the operators it names (audited; 409 when already published).
#[utoipa::path(post, path = "/api/v1/planning/schedules/{id}/publish", tag = "planning",
    params(("id" = i64, Path, description = "Schedule id")),
    responses((status = 200, body = ScheduleOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn publish_schedule(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Result<Json<ScheduleOut>, ApiError> {
    Ok(Json(schedule_out(publish(&st.store, &caller.actor(), id).await?)?))
}

/// The caller's own shifts in published schedules (never anyone else's).
#[utoipa::path(get, path = "/api/v1/planning/my-schedule", tag = "planning",
    responses((status = 200, body = Vec<MyShift>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn my_schedule(
    State(st): State<AppState>,
    SignedInUser(user, _caller): SignedInUser,
) -> Result<Json<Vec<MyShift>>, ApiError> {
    Ok(Json(my_shifts(&st.store, &user).await?))
}
