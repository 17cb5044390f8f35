//! The planner's room in the browser (`/planning`, `UsePlanning`): import a
//! history (CSV or XLSX upload, or counted from the centre's contacts), see it by day
//! with the days the models leave out and the closed days marked, run and
//! compare forecasts, staff a forecast (table per interval and a what-if
//! curve), draft a schedule (generated or an uploaded roster), see it as a
//! grid per operator with its coverage, publish it, and export each to XLSX.
//! "My schedule" (`/desk/schedule`, `UseDesk`) shows an operator their own
//! published shifts. Charts are inline SVG drawn here; no scripts.

use std::fmt::Write;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wfm::roster::Roster;

use crate::auth::{Caller, SignedInUser};
use crate::error::ApiError;
use crate::pages::{chrome, error_page, form_number, format_utc, render, Chrome, PageForm};
use crate::planning::{self, hm, wall_clock, StaffRow, Targets};
use crate::planning_api::{self as ops, CentreIn, StaffingIn};
use crate::planning_xlsx::{self as xlsx, cell_code, state_at};
use crate::AppState;

// ---------------------------------------------------------------- charts

/// A small SVG chart: lines and bars over x in `[0, x_max]`, y in `[0, y_max]`.
pub struct Chart {
    w: f64,
    h: f64,
    x_max: f64,
    y_max: f64,
    body: String,
}

impl Chart {
    pub fn new(x_max: f64, y_max: f64) -> Chart {
        let y_max = if y_max > 0.0 && y_max.is_finite() { y_max * 1.05 } else { 1.0 };
        Chart { w: 900.0, h: 220.0, x_max: x_max.max(1.0), y_max, body: String::new() }
    }

    fn x(&self, x: f64) -> f64 {
        30.0 + x / self.x_max * (self.w - 40.0)
    }

    fn y(&self, y: f64) -> f64 {
        self.h - 20.0 - y.max(0.0) / self.y_max * (self.h - 30.0)
    }

    /// A polyline through `(x, y)` points with CSS class `class`.
    pub fn line(mut self, class: &str, pts: &[(f64, f64)]) -> Chart {
        let mut d = String::new();
        for &(x, y) in pts {
            let _ = write!(d, "{:.1},{:.1} ", self.x(x), self.y(y));
        }
        let _ = write!(self.body, r#"<polyline class="{class}" fill="none" points="{}"/>"#, d.trim_end());
        self
    }

    /// A bar at `x` (width one unit) of height `y`.
    pub fn bar(mut self, class: &str, x: f64, y: f64, title: &str) -> Chart {
        let (x0, x1, y0) = (self.x(x), self.x(x + 0.8), self.y(y));
        let _ = write!(
            self.body,
            r#"<rect class="{class}" x="{x0:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}"><title>{}</title></rect>"#,
            (x1 - x0).max(1.0),
            (self.h - 20.0 - y0).max(0.0),
            escape(title)
        );
        self
    }

    /// A dot at a point.
    pub fn dot(mut self, class: &str, x: f64, y: f64) -> Chart {
        let _ = write!(self.body, r#"<circle class="{class}" cx="{:.1}" cy="{:.1}" r="4"/>"#, self.x(x), self.y(y));
        self
    }

    /// A horizontal rule at `y`.
    pub fn rule(mut self, class: &str, y: f64) -> Chart {
        let (x0, x1, yy) = (self.x(0.0), self.x(self.x_max), self.y(y));
        let _ = write!(self.body, r#"<line class="{class}" x1="{x0:.1}" x2="{x1:.1}" y1="{yy:.1}" y2="{yy:.1}"/>"#);
        self
    }

    /// A text label under the axis at `x`.
    pub fn label(mut self, x: f64, text: &str) -> Chart {
        let _ = write!(self.body, r#"<text x="{:.1}" y="{:.1}">{}</text>"#, self.x(x), self.h - 4.0, escape(text));
        self
    }

    pub fn svg(self, id: &str) -> String {
        format!(
            r#"<svg class="chart" id="{id}" viewBox="0 0 {} {}" role="img"><text x="2" y="12">{:.0}</text><line class="axis" x1="30" x2="{}" y1="{}" y2="{}"/>{}</svg>"#,
            self.w,
            self.h,
            self.y_max,
            self.w - 10.0,
            self.h - 20.0,
            self.h - 20.0,
            self.body
        )
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

// ---------------------------------------------------------------- the room

struct SeriesRow {
    id: i64,
    name: String,
    source: String,
    interval_min: i64,
    created: String,
}

struct ForecastRow {
    id: i64,
    series_id: i64,
    chosen: String,
    horizon_days: i64,
    created: String,
}

struct ScheduleRow {
    id: i64,
    name: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "planning.html")]
struct RoomPage {
    chrome: Chrome,
    error: Option<String>,
    series: Vec<SeriesRow>,
    forecasts: Vec<ForecastRow>,
    schedules: Vec<ScheduleRow>,
    channels: Vec<(&'static str, String)>,
    today: String,
    month_ago: String,
}

async fn room_page(st: &AppState, caller: &Caller, status: StatusCode, error: Option<String>) -> Response {
    let chrome = chrome(st, caller, "planning", "nav-planning");
    let data = async {
        let series = st.store.list_series().await?;
        let forecasts = st.store.list_forecasts(None).await?;
        let schedules = st.store.list_schedules().await?;
        Ok::<_, store::StoreError>((series, forecasts, schedules))
    };
    let (series, forecasts, schedules) = match data.await {
        Ok(d) => d,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let series = series
        .into_iter()
        .map(|s| SeriesRow {
            id: s.id,
            name: s.name,
            source: chrome.t.get(&format!("plan-source-{}", s.source)),
            interval_min: s.interval_s / 60,
            created: format_utc(s.created_at),
        })
        .collect();
    let forecasts = forecasts
        .into_iter()
        .map(|f| ForecastRow {
            id: f.id,
            series_id: f.series_id,
            chosen: f.chosen,
            horizon_days: f.horizon_days,
            created: format_utc(f.created_at),
        })
        .collect();
    let schedules = schedules
        .into_iter()
        .map(|s| ScheduleRow {
            id: s.id,
            name: s.name,
            status: chrome.t.get(&format!("plan-status-{}", s.status)),
            created: format_utc(s.created_at),
        })
        .collect();
    let channels = domain::contact::Channel::ALL
        .iter()
        .map(|c| (c.as_str(), chrome.t.get(&format!("channel-{}", c.as_str()))))
        .collect();
    let now = store::now_ms();
    let today = format_utc(now)[..10].to_string();
    let month_ago = format_utc(now - 28 * 86_400_000)[..10].to_string();
    render(status, &RoomPage { chrome, error, series, forecasts, schedules, channels, today, month_ago })
}

/// `GET /planning`.
pub async fn room(State(st): State<AppState>, caller: Caller) -> Response {
    room_page(&st, &caller, StatusCode::OK, None).await
}

/// A page whose record could not be read: 404 page when it does not exist.
fn load_failed(st: &AppState, caller: &Caller, e: store::StoreError) -> Response {
    match e {
        store::StoreError::NotFound(_) => error_page(st, caller.locale, StatusCode::NOT_FOUND, "error-not-found"),
        e => ApiError::internal(e).into_response(),
    }
}

/// After a form: to the new page, or the room again with the reason.
async fn answer(st: &AppState, caller: &Caller, done: Result<String, ApiError>) -> Response {
    match done {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) if e.status.is_server_error() => e.into_response(),
        Err(e) => {
            // A field refusal ("field: code") reads as its message; the rest as said.
            let message = match (e.code, e.message.split_once(": ")) {
                ("invalid_field", Some((_, code))) => st.catalog.get(caller.locale, code),
                _ => e.message,
            };
            room_page(st, caller, e.status, Some(message)).await
        }
    }
}

/// `POST /planning/series`: a history upload, CSV or a workbook (multipart
/// field `file`; the file name without its extension names the history).
pub async fn upload_history(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(mut form) = form else {
        return error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request");
    };
    let done = async {
        let (name, _ctype, bytes) = crate::work_api::read_upload(&mut form)
            .await
            .map_err(|e| ApiError::new(e.status(), "bad_multipart", e.body_text()))?
            .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_history", "no file"))?;
        let name = match name.rsplit_once('.') {
            Some((stem, ext))
                if ["csv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods"]
                    .contains(&ext.to_ascii_lowercase().as_str()) =>
            {
                stem
            }
            _ => name.as_str(),
        };
        let name = if name.trim().is_empty() { "history" } else { name };
        let s = ops::import_history(&st.store, &caller.actor(), name, &bytes).await?;
        Ok(format!("/planning/series/{}", s.id))
    };
    answer(&st, &caller, done.await).await
}

#[derive(Deserialize)]
pub struct CentreForm {
    name: String,
    from: String,
    to: String,
    interval_min: String,
    #[serde(default)]
    channel: String,
}

/// `POST /planning/series/centre`: a history counted from the centre's contacts.
pub async fn centre_history(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    PageForm(f): PageForm<CentreForm>,
) -> Response {
    let done = async {
        let interval_min = form_number(
            &f.interval_min,
            domain::validate::Invalid { field: "interval_min", code: "invalid-interval" },
        )?
        .unwrap_or(15);
        let input = CentreIn {
            name: f.name.clone(),
            from: f.from.clone(),
            to: f.to.clone(),
            interval_min,
            channel: Some(f.channel.clone()),
            queue_id: None,
        };
        let s = ops::import_centre(&st.store, &caller.actor(), &input).await?;
        Ok(format!("/planning/series/{}", s.id))
    };
    answer(&st, &caller, done.await).await
}

// ---------------------------------------------------------------- a history

struct DayMark {
    date: String,
    total: f64,
    reason: String,
}

#[derive(Template)]
#[template(path = "planning_series.html")]
struct SeriesPage {
    chrome: Chrome,
    id: i64,
    name: String,
    source: String,
    interval_min: i64,
    rows: usize,
    days: usize,
    missing: usize,
    chart: String,
    marks: Vec<DayMark>,
    methods: Vec<&'static str>,
    forecasts: Vec<ForecastRow>,
}

/// `GET /planning/series/{id}`: daily totals with the days the forecast
/// models leave out (anomalous, e.g. after a holiday) and the closed days
/// (open weekdays without data) marked; the forecast form.
pub async fn series(State(st): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let chrome = chrome(&st, &caller, "planning", "plan-series-title");
    let s = match st.store.series(id).await {
        Ok(s) => s,
        Err(e) => return load_failed(&st, &caller, e),
    };
    let forecasts = match st.store.list_forecasts(Some(id)).await {
        Ok(f) => f,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let (mut chart_html, mut marks, mut days, mut missing) = (String::new(), Vec::new(), 0, 0);
    if let Ok(w) = planning::wfm_series(&s.points) {
        let flags = wfm::forecast::models::anomalous_days(&w.days);
        let first = w.days.first().map(|d| d.date.days()).unwrap_or(0);
        let last = w.days.last().map(|d| d.date.days()).unwrap_or(first);
        let y_max = w.days.iter().map(|d| d.total()).fold(0.0, f64::max);
        let mut chart = Chart::new((last - first + 1) as f64, y_max);
        for (d, out) in w.days.iter().zip(&flags) {
            let x = (d.date.days() - first) as f64;
            let class = if *out { "bar-out" } else { "bar" };
            chart = chart.bar(class, x, d.total(), &format!("{} {:.0}", d.date, d.total()));
            if *out {
                marks.push(DayMark {
                    date: d.date.to_string(),
                    total: d.total().round(),
                    reason: chrome.t.get("plan-day-excluded"),
                });
            }
        }
        for d in &w.closed_days {
            chart = chart.bar("bar-closed", (d.days() - first) as f64, y_max * 0.05, &d.to_string());
            marks.push(DayMark { date: d.to_string(), total: 0.0, reason: chrome.t.get("plan-day-closed") });
        }
        if let (Some(a), Some(b)) = (w.days.first(), w.days.last()) {
            chart = chart.label(0.0, &a.date.to_string()).label((last - first) as f64 - 2.0, &b.date.to_string());
        }
        marks.sort_by(|a, b| a.date.cmp(&b.date));
        chart_html = chart.svg("history-chart");
        days = w.days.len();
        missing = w.missing.len();
    }
    let forecasts = forecasts
        .into_iter()
        .map(|f| ForecastRow {
            id: f.id,
            series_id: f.series_id,
            chosen: f.chosen,
            horizon_days: f.horizon_days,
            created: format_utc(f.created_at),
        })
        .collect();
    let page = SeriesPage {
        id,
        source: chrome.t.get(&format!("plan-source-{}", s.source)),
        name: s.name,
        interval_min: s.interval_s / 60,
        rows: s.points.len(),
        days,
        missing,
        chart: chart_html,
        marks,
        methods: wfm::forecast::Method::names(),
        forecasts,
        chrome,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct ForecastForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    horizon_days: String,
}

/// `POST /planning/series/{id}/forecasts`.
pub async fn run_forecast(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<ForecastForm>,
) -> Response {
    let done = async {
        let horizon =
            form_number(&f.horizon_days, domain::validate::Invalid { field: "horizon_days", code: "invalid-horizon" })?
                .unwrap_or(7);
        let method = if f.method.is_empty() { "auto" } else { f.method.as_str() };
        let fc = ops::forecast_series(&st.store, &caller.actor(), id, method, horizon.clamp(0, 1000) as usize).await?;
        Ok(format!("/planning/forecasts/{}", fc.id))
    };
    answer(&st, &caller, done.await).await
}

// ---------------------------------------------------------------- a forecast

struct ModelRow {
    model: String,
    wape: String,
    mase: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "planning_forecast.html")]
struct ForecastPage {
    chrome: Chrome,
    id: i64,
    series_id: i64,
    method: String,
    chosen: String,
    horizon_days: i64,
    models: Vec<ModelRow>,
    excluded: Vec<String>,
    chart: String,
    points: usize,
    total: f64,
    staffing: Vec<(i64, String)>,
}

/// The chosen model's backtest forecasts kept in a forecast's report
/// (`backtest_points`: `[[ts, calls]]`; none in reports from before they were kept).
fn backtest_points(report: &serde_json::Value) -> Vec<(i64, f64)> {
    report["backtest_points"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| Some((p[0].as_i64()?, p[1].as_f64()?))).collect())
        .unwrap_or_default()
}

fn percent(v: &serde_json::Value) -> String {
    v.as_f64().map(|x| format!("{:.1} %", x * 100.0)).unwrap_or_else(|| "—".into())
}

/// `GET /planning/forecasts/{id}`: each model's backtest WAPE/MASE, the
/// history's last operating week with the chosen model's backtest forecasts
/// over it, and the forecast after it; the staffing form.
pub async fn forecast(State(st): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let chrome = chrome(&st, &caller, "planning", "plan-forecast-title");
    let loaded = async {
        let f = st.store.forecast(id).await?;
        let s = st.store.series(f.series_id).await?;
        let plans = st.store.list_staffing(Some(id)).await?;
        Ok::<_, store::StoreError>((f, s, plans))
    };
    let (f, s, plans) = match loaded.await {
        Ok(x) => x,
        Err(e) => return load_failed(&st, &caller, e),
    };
    let models = f.report["backtest"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| ModelRow {
                    model: m["model"].as_str().unwrap_or_default().to_string(),
                    wape: percent(&m["wape"]),
                    mase: m["mase"].as_f64().map(|x| format!("{x:.3}")).unwrap_or_else(|| "—".into()),
                    chosen: m["model"].as_str() == Some(f.chosen.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    let excluded = f.report["excluded_days"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d.as_str().map(String::from)).collect())
        .unwrap_or_default();
    // The last week of history (as many intervals as the forecast's first
    // week) then the forecast, on one axis of interval numbers.
    let tail_len = f.points.len().min(s.points.len()).min(7 * 24 * 3600 / s.interval_s.max(60) as usize);
    let tail = &s.points[s.points.len() - tail_len..];
    let y_max = tail.iter().map(|p| p.calls).chain(f.points.iter().map(|p| p.1)).fold(0.0, f64::max);
    let hist: Vec<(f64, f64)> = tail.iter().enumerate().map(|(i, p)| (i as f64, p.calls)).collect();
    let fc: Vec<(f64, f64)> = f.points.iter().enumerate().map(|(i, p)| ((tail_len + i) as f64, p.1)).collect();
    // The chosen model's backtest forecasts over the same intervals of history.
    let at: std::collections::HashMap<i64, usize> = tail.iter().enumerate().map(|(i, p)| (p.ts, i)).collect();
    let bt: Vec<(f64, f64)> =
        backtest_points(&f.report).into_iter().filter_map(|(ts, v)| at.get(&ts).map(|&i| (i as f64, v))).collect();
    let y_max = bt.iter().map(|p| p.1).fold(y_max, f64::max);
    let mut chart =
        Chart::new((tail_len + f.points.len()) as f64, y_max).line("hist", &hist).line("bt", &bt).line("fc", &fc);
    if let (Some(a), Some(b)) = (tail.first(), f.points.first()) {
        chart = chart.label(0.0, &wall_clock(a.ts)).label(tail_len as f64, &wall_clock(b.0));
    }
    let page = ForecastPage {
        id,
        series_id: f.series_id,
        method: f.method,
        chosen: f.chosen,
        horizon_days: f.horizon_days,
        models,
        excluded,
        chart: chart.svg("forecast-chart"),
        points: f.points.len(),
        total: f.points.iter().map(|p| p.1).sum::<f64>().round(),
        staffing: plans.into_iter().map(|p| (p.id, format_utc(p.created_at))).collect(),
        chrome,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct StaffingForm {
    #[serde(default)]
    service_level: String,
    #[serde(default)]
    answer_time_s: String,
    #[serde(default)]
    max_occupancy: String,
    #[serde(default)]
    shrinkage: String,
    #[serde(default)]
    aht_s: String,
}

/// `POST /planning/forecasts/{id}/staffing`: percentages and seconds as
/// whole numbers; empty fields take the defaults.
pub async fn staff(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<StaffingForm>,
) -> Response {
    let done = async {
        let num = |s: &str, field: &'static str| {
            form_number(s, domain::validate::Invalid { field, code: "invalid-number" }).map(|v| v.map(|x| x as f64))
        };
        let input = StaffingIn {
            service_level: num(&f.service_level, "service_level")?.map(|x| x / 100.0),
            answer_time_s: num(&f.answer_time_s, "answer_time_s")?,
            max_occupancy: num(&f.max_occupancy, "max_occupancy")?.map(|x| x / 100.0),
            shrinkage: num(&f.shrinkage, "shrinkage")?.map(|x| x / 100.0),
            aht_s: num(&f.aht_s, "aht_s")?,
        };
        let s = ops::staff_forecast(&st.store, &caller.actor(), id, &input).await?;
        Ok::<_, ApiError>(format!("/planning/staffing/{}", s.id))
    };
    answer(&st, &caller, done.await).await
}

/// `GET /planning/forecasts/{id}/xlsx`.
pub async fn forecast_xlsx(State(st): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let f = match st.store.forecast(id).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let t = |k: &str| st.catalog.get(caller.locale, k);
    attachment(xlsx::forecast(&f.points, [t("plan-col-time"), t("plan-col-calls")]), &format!("forecast-{id}.xlsx"))
}

/// An XLSX file as a download.
fn attachment(bytes: Result<Vec<u8>, rust_xlsxwriter::XlsxError>, name: &str) -> Response {
    match bytes {
        Ok(b) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            b,
        )
            .into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

// ---------------------------------------------------------------- staffing

#[derive(Deserialize)]
pub struct DayQuery {
    day: Option<usize>,
    at: Option<i64>,
}

struct StaffLine {
    ts: i64,
    time: String,
    calls: String,
    on_line: u32,
    scheduled: u32,
    sl: String,
    asa: String,
    occupancy: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "planning_staffing.html")]
struct StaffingPage {
    chrome: Chrome,
    id: i64,
    forecast_id: i64,
    targets: Targets,
    days: Vec<(usize, String, bool)>,
    lines: Vec<StaffLine>,
    day_chart: String,
    curve: String,
    curve_rows: Vec<(u32, String, bool)>,
    at_time: String,
    schedules: Vec<ScheduleRow>,
}

/// The distinct days of rows (wall-clock day numbers), in order.
fn row_days(rows: &[StaffRow]) -> Vec<i64> {
    let mut d: Vec<i64> = rows.iter().map(|r| r.ts.div_euclid(86_400)).collect();
    d.dedup();
    d
}

fn day_query(q: Result<Query<DayQuery>, QueryRejection>) -> DayQuery {
    q.map(|Query(q)| q).unwrap_or(DayQuery { day: None, at: None })
}

/// `GET /planning/staffing/{id}?day=N&at=TS`: the plan of one day (table and
/// chart of agents per interval) and the what-if curve of one interval
/// (service level against agents on line, Erlang C), by default the busiest.
pub async fn staffing(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    q: Result<Query<DayQuery>, QueryRejection>,
) -> Response {
    let q = day_query(q);
    let chrome = chrome(&st, &caller, "planning", "plan-staffing-title");
    let s = match st.store.staffing(id).await {
        Ok(s) => s,
        Err(e) => return load_failed(&st, &caller, e),
    };
    let (targets, rows) = match ops::staffing_parts(&s) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let all_days = row_days(&rows);
    let day_i = q.day.unwrap_or(0).min(all_days.len().saturating_sub(1));
    let day = all_days.get(day_i).copied().unwrap_or(0);
    let today: Vec<&StaffRow> = rows.iter().filter(|r| r.ts.div_euclid(86_400) == day).collect();
    let busiest = today.iter().max_by(|a, b| a.calls.total_cmp(&b.calls)).map(|r| r.ts);
    let at = q.at.filter(|t| today.iter().any(|r| r.ts == *t)).or(busiest).unwrap_or(0);
    let lines = today
        .iter()
        .map(|r| StaffLine {
            ts: r.ts,
            time: hm((r.ts.rem_euclid(86_400) / 60) as u32),
            calls: format!("{:.1}", r.calls),
            on_line: r.on_line,
            scheduled: r.scheduled,
            sl: format!("{:.1} %", r.service_level * 100.0),
            asa: format!("{:.1}", r.asa_s),
            occupancy: format!("{:.1} %", r.occupancy * 100.0),
            current: r.ts == at,
        })
        .collect();
    let y_max = today.iter().map(|r| f64::from(r.scheduled)).fold(0.0, f64::max);
    let on: Vec<(f64, f64)> = today.iter().enumerate().map(|(i, r)| (i as f64, f64::from(r.on_line))).collect();
    let sch: Vec<(f64, f64)> = today.iter().enumerate().map(|(i, r)| (i as f64, f64::from(r.scheduled))).collect();
    let day_chart =
        Chart::new(today.len() as f64, y_max).line("on-line", &on).line("scheduled", &sch).svg("staff-chart");
    let (curve, curve_rows) = match today.iter().find(|r| r.ts == at) {
        Some(r) => {
            let pts = planning::sl_curve(r.calls, &targets, r.on_line);
            let x_max = pts.last().map(|p| f64::from(p.0)).unwrap_or(1.0);
            let line: Vec<(f64, f64)> = pts.iter().map(|&(n, sl)| (f64::from(n), sl * 100.0)).collect();
            let mut c = Chart::new(x_max, 100.0 / 1.05)
                .rule("target", targets.service_level * 100.0)
                .line("curve", &line)
                .dot("planned", f64::from(r.on_line), r.service_level * 100.0);
            for &(n, _) in pts.iter().step_by(2) {
                c = c.label(f64::from(n), &n.to_string());
            }
            let rows = pts.iter().map(|&(n, sl)| (n, format!("{:.1} %", sl * 100.0), n == r.on_line)).collect();
            (c.svg("sl-curve"), rows)
        }
        None => (String::new(), Vec::new()),
    };
    let schedules = match st.store.list_schedules().await {
        Ok(v) => v
            .into_iter()
            .filter(|x| x.staffing_id == Some(id))
            .map(|x| ScheduleRow {
                id: x.id,
                name: x.name,
                status: chrome.t.get(&format!("plan-status-{}", x.status)),
                created: format_utc(x.created_at),
            })
            .collect(),
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let days = all_days
        .iter()
        .enumerate()
        .map(|(i, d)| (i, wfm::forecast::Date::from_days(*d).to_string(), i == day_i))
        .collect();
    let page = StaffingPage {
        id,
        forecast_id: s.forecast_id,
        targets,
        days,
        lines,
        day_chart,
        curve,
        curve_rows,
        at_time: wall_clock(at),
        schedules,
        chrome,
    };
    render(StatusCode::OK, &page)
}

/// `GET /planning/staffing/{id}/xlsx`.
pub async fn staffing_xlsx(State(st): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let rows = match st.store.staffing(id).await.map_err(ApiError::from).and_then(|s| ops::staffing_parts(&s)) {
        Ok((_, rows)) => rows,
        Err(e) => return e.into_response(),
    };
    let t = |k: &str| st.catalog.get(caller.locale, k);
    let cols = [
        t("plan-col-time"),
        t("plan-col-calls"),
        t("plan-col-on-line"),
        t("plan-col-scheduled"),
        t("plan-col-sl"),
        t("plan-col-asa"),
        t("plan-col-occupancy"),
    ];
    attachment(xlsx::staffing(&rows, cols), &format!("staffing-{id}.xlsx"))
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// `POST /planning/staffing/{id}/schedules`: a generated draft.
pub async fn generate(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    Path(id): Path<i64>,
    PageForm(f): PageForm<NameForm>,
) -> Response {
    let done = ops::generate_schedule(&st.store, &caller.actor(), id, &f.name)
        .await
        .map(|s| format!("/planning/schedules/{}", s.id));
    answer(&st, &caller, done).await
}

#[derive(Deserialize)]
pub struct RosterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    roster: String,
}

/// `POST /planning/schedules`: an uploaded roster (`switchboard wfm schedule` JSON).
pub async fn upload_roster(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    PageForm(f): PageForm<RosterForm>,
) -> Response {
    let done = ops::upload_schedule(&st.store, &caller.actor(), &f.name, &f.roster)
        .await
        .map(|s| format!("/planning/schedules/{}", s.id));
    answer(&st, &caller, done).await
}

// ---------------------------------------------------------------- a schedule

struct GridRow {
    login: String,
    name: String,
    cells: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "planning_schedule.html")]
struct SchedulePage {
    chrome: Chrome,
    id: i64,
    name: String,
    status: String,
    draft: bool,
    published: String,
    days: Vec<(usize, String, bool)>,
    /// One header per grid column: `HH:MM` on the hour, empty between.
    hours: Vec<String>,
    grid: Vec<GridRow>,
    coverage: String,
    short: usize,
}

/// Required agents per roster day and interval from the schedule's staffing plan.
async fn requirement(st: &AppState, roster: &Roster, staffing_id: Option<i64>) -> Result<Vec<Vec<f64>>, ApiError> {
    let per_day = roster.intervals_per_day();
    let mut req = vec![vec![0.0; per_day]; roster.days as usize];
    let Some(sid) = staffing_id else { return Ok(req) };
    let (_, rows) = ops::staffing_parts(&st.store.staffing(sid).await?)?;
    let first = wfm::forecast::time::parse_timestamp(&format!("{} 00:00", roster.start_date))
        .map(|t| t.0.div_euclid(86_400))
        .map_err(ApiError::internal)?;
    let step = i64::from(roster.interval_min.max(1)) * 60;
    for r in rows {
        let day = r.ts.div_euclid(86_400) - first;
        let slot = r.ts.rem_euclid(86_400) / step;
        if let Some(x) = usize::try_from(day).ok().and_then(|d| req.get_mut(d)).and_then(|d| d.get_mut(slot as usize)) {
            *x = x.max(f64::from(r.scheduled));
        }
    }
    Ok(req)
}

/// `GET /planning/schedules/{id}?day=N`: the grid of one day (rows
/// operators, columns intervals, cells on line / break / lunch) over the
/// hours anyone works or anyone is needed, and the coverage chart (required
/// vs on line, `Roster::coverage`).
pub async fn schedule(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    q: Result<Query<DayQuery>, QueryRejection>,
) -> Response {
    let q = day_query(q);
    let chrome = chrome(&st, &caller, "planning", "plan-schedule-title");
    let s = match st.store.schedule(id).await {
        Ok(s) => s,
        Err(e) => return load_failed(&st, &caller, e),
    };
    let roster = match ops::roster_of(&s) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let req = match requirement(&st, &roster, s.staffing_id).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let cov = roster.coverage();
    let day = q.day.unwrap_or(0).min(roster.days.saturating_sub(1) as usize);
    let step = roster.interval_min.max(1);
    let per_day = roster.intervals_per_day();
    let zero = vec![0.0; per_day];
    let (need, have) = (req.get(day).unwrap_or(&zero), cov.get(day).unwrap_or(&zero));
    let busy: Vec<usize> = (0..per_day).filter(|&i| need[i] > 0.0 || have[i] > 0.0).collect();
    let (lo, hi) = (busy.first().copied().unwrap_or(0), busy.last().copied().unwrap_or(0) + 1);
    let grid = roster
        .operators
        .iter()
        .filter(|o| o.shifts.iter().any(|sh| sh.day as usize == day))
        .map(|o| GridRow {
            login: o.id.clone(),
            name: if o.name.is_empty() { o.id.clone() } else { o.name.clone() },
            cells: (lo..hi).map(|i| state_at(o, day as u32, i as u32 * step).map(cell_code).unwrap_or("")).collect(),
        })
        .collect();
    let hours = (lo..hi)
        .map(|i| if (i as u32 * step).rem_euclid(60) == 0 { hm(i as u32 * step) } else { String::new() })
        .collect();
    let span = (hi - lo) as f64;
    let y_max = need[lo..hi].iter().chain(&have[lo..hi]).fold(0.0f64, |a, b| a.max(*b));
    let pts = |v: &[f64]| -> Vec<(f64, f64)> { v[lo..hi].iter().enumerate().map(|(i, y)| (i as f64, *y)).collect() };
    let mut chart = Chart::new(span, y_max).line("required", &pts(need)).line("scheduled", &pts(have));
    for (i, h) in (lo..hi).enumerate().filter(|(_, s)| (*s as u32 * step).rem_euclid(120) == 0) {
        chart = chart.label(i as f64, &hm(h as u32 * step));
    }
    let short = (lo..hi).filter(|&i| have[i] + 1e-9 < need[i]).count();
    let first = wfm::forecast::time::parse_timestamp(&format!("{} 00:00", roster.start_date))
        .map(|t| t.0.div_euclid(86_400))
        .unwrap_or(0);
    let days = (0..roster.days as usize)
        .map(|d| (d, wfm::forecast::Date::from_days(first + d as i64).to_string(), d == day))
        .collect();
    let page = SchedulePage {
        id,
        name: s.name,
        status: chrome.t.get(&format!("plan-status-{}", s.status)),
        draft: s.status == store::planning::DRAFT,
        published: s.published_at.map(format_utc).unwrap_or_default(),
        days,
        hours,
        grid,
        coverage: chart.svg("coverage-chart"),
        short,
        chrome,
    };
    render(StatusCode::OK, &page)
}

/// `POST /planning/schedules/{id}/publish`.
pub async fn publish(
    State(st): State<AppState>,
    SignedInUser(_u, caller): SignedInUser,
    Path(id): Path<i64>,
) -> Response {
    let done = ops::publish(&st.store, &caller.actor(), id).await.map(|s| format!("/planning/schedules/{}", s.id));
    answer(&st, &caller, done).await
}

/// `GET /planning/schedules/{id}/xlsx`: grid and coverage sheets.
pub async fn schedule_xlsx(State(st): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let loaded = async {
        let s = st.store.schedule(id).await?;
        let roster = ops::roster_of(&s)?;
        let req = requirement(&st, &roster, s.staffing_id).await?;
        Ok::<_, ApiError>((roster, req))
    };
    let (roster, req) = match loaded.await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let t = |k: &str| st.catalog.get(caller.locale, k);
    let cols =
        [t("plan-col-day"), t("plan-col-operator"), t("plan-col-time"), t("plan-col-required"), t("plan-col-covered")];
    attachment(xlsx::schedule(&roster, &req, cols), &format!("schedule-{id}.xlsx"))
}

// ---------------------------------------------------------------- my schedule

#[derive(Template)]
#[template(path = "my_schedule.html")]
struct MySchedulePage {
    chrome: Chrome,
    shifts: Vec<ops::MyShift>,
}

/// `GET /desk/schedule`: the operator's own published shifts.
pub async fn my_schedule(State(st): State<AppState>, SignedInUser(user, caller): SignedInUser) -> Response {
    let chrome = chrome(&st, &caller, "desk", "plan-my-title");
    match ops::my_shifts(&st.store, &user).await {
        Ok(shifts) => render(StatusCode::OK, &MySchedulePage { chrome, shifts }),
        Err(e) => e.into_response(),
    }
}
