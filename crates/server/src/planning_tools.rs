//! The planner's tools (`/planning/tools…`, `UsePlanning`): the intraday
//! reforecast of a stored forecast from the centre's actual contacts, the
//! unplanned-shrinkage forecast from an uploaded `date,shrinkage` CSV, and
//! vacation planning from a `VacationInput` JSON. The maths and the file
//! checks are `wfm::forecast::tools`, `wfm::forecast::planning` and
//! `wfm::schedule::vacation` (the same as `switchboard wfm reforecast |
//! shrinkage | vacation`); this module reads the forms and draws the
//! tables. Nothing here is stored: each tool answers on its page.

use std::collections::HashMap;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wfm::forecast::time::parse_date;
use wfm::forecast::tools::{self, IntradayReforecast};
use wfm::forecast::Date;
use wfm::schedule::vacation::{self, VacationInput, VacationReport};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::{chrome, render, Chrome};
use crate::planning::{centre_points, wall_clock};
use crate::planning_pages::Chart;
use crate::AppState;

/// The largest tool input (a shrinkage CSV or a vacation JSON).
pub const MAX_TOOL_INPUT_BYTES: usize = 512 * 1024;
/// The longest shrinkage horizon on the page, in days.
pub const MAX_SHRINKAGE_DAYS: i64 = 366;
/// Bad lines listed on the page (the rest are counted).
const SHOWN_LINE_ERRORS: usize = 50;

// ---------------------------------------------------------------- views

struct ReforecastRow {
    time: String,
    forecast: String,
    actual: String,
    reforecast: String,
    elapsed: bool,
}

struct ReforecastView {
    date: String,
    until: String,
    level_factor: String,
    forecast_so_far: String,
    actual_so_far: String,
    remaining_forecast: String,
    remaining_reforecast: String,
    rows: Vec<ReforecastRow>,
    chart: String,
}

struct ShrinkageView {
    history_days: usize,
    history_from: String,
    history_to: String,
    rows: Vec<(String, String)>,
}

struct LeaveRow {
    id: String,
    leave_days: u32,
    blocks: String,
    wishes: String,
}

struct WeekRow {
    week: usize,
    required: String,
    available: String,
    on_leave: String,
    surplus: String,
    loss: String,
    short: bool,
}

struct VacationView {
    coverage_loss: String,
    weeks_short: usize,
    wishes_met: usize,
    wishes_total: usize,
    operators: Vec<LeaveRow>,
    weeks: Vec<WeekRow>,
}

#[derive(Template)]
#[template(path = "planning_tools.html")]
struct ToolsPage {
    chrome: Chrome,
    forecasts: Vec<(i64, String)>,
    channels: Vec<(&'static str, String)>,
    // the reforecast form and answer
    forecast_id: i64,
    date: String,
    until: String,
    channel: String,
    reforecast: Option<ReforecastView>,
    reforecast_error: Option<String>,
    // shrinkage
    shrinkage_from: String,
    shrinkage_days: String,
    shrinkage: Option<ShrinkageView>,
    shrinkage_errors: Vec<String>,
    // vacation
    vacation_input: String,
    vacation: Option<VacationView>,
    vacation_errors: Vec<String>,
}

impl ToolsPage {
    fn forecast_selected(&self, id: &i64) -> bool {
        *id == self.forecast_id
    }

    fn channel_selected(&self, value: &str) -> bool {
        value == self.channel
    }
}

/// The centre's offset east of UTC, minutes.
fn offset_min() -> i64 {
    i64::from(crate::clocks::calendar().offset.minutes())
}

/// Now on the centre's wall clock, seconds.
fn wall_now() -> i64 {
    store::now_ms().div_euclid(1000) + offset_min() * 60
}

async fn page(st: &AppState, caller: &Caller) -> Result<ToolsPage, ApiError> {
    let chrome = chrome(st, caller, "planning", "tools-title");
    let forecasts = st
        .store
        .list_forecasts(None)
        .await?
        .into_iter()
        .map(|f| {
            (
                f.id,
                format!("#{} · {} · {}", f.id, f.chosen, f.points.first().map(|p| wall_clock(p.0)).unwrap_or_default()),
            )
        })
        .collect();
    let channels = domain::contact::Channel::ALL
        .iter()
        .map(|c| (c.as_str(), chrome.t.get(&format!("channel-{}", c.as_str()))))
        .collect();
    let now = wall_now();
    let today = Date::from_days(now.div_euclid(86_400));
    let tomorrow = Date::from_days(now.div_euclid(86_400) + 1);
    Ok(ToolsPage {
        chrome,
        forecasts,
        channels,
        forecast_id: 0,
        date: today.to_string(),
        until: String::new(),
        channel: String::new(),
        reforecast: None,
        reforecast_error: None,
        shrinkage_from: tomorrow.to_string(),
        shrinkage_days: "14".into(),
        shrinkage: None,
        shrinkage_errors: Vec::new(),
        vacation_input: String::new(),
        vacation: None,
        vacation_errors: Vec::new(),
    })
}

fn show(status: StatusCode, p: Result<ToolsPage, ApiError>) -> Response {
    match p {
        Ok(p) => render(status, &p),
        Err(e) => e.into_response(),
    }
}

/// `GET /planning/tools`: the three tools' forms.
pub async fn tools(State(st): State<AppState>, caller: Caller) -> Response {
    show(StatusCode::OK, page(&st, &caller).await)
}

/// A refusal's lines for the page: `line N: …` each, at most
/// [`SHOWN_LINE_ERRORS`] and a count of the rest.
fn line_errors(st: &AppState, caller: &Caller, e: &wfm::Error) -> Vec<String> {
    match e {
        wfm::Error::Lines(lines) => {
            let mut out: Vec<String> =
                lines.iter().take(SHOWN_LINE_ERRORS).map(|(l, m)| format!("line {l}: {m}")).collect();
            if lines.len() > SHOWN_LINE_ERRORS {
                let more = (lines.len() - SHOWN_LINE_ERRORS).to_string();
                out.push(st.catalog.get_args(caller.locale, "tools-more-lines", &[("count", &more)]));
            }
            out
        }
        other => vec![other.to_string()],
    }
}

// ---------------------------------------------------------------- reforecast

#[derive(Deserialize, Default)]
pub struct ReforecastQuery {
    #[serde(default)]
    forecast: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    channel: String,
}

/// Why a reforecast was not drawn: a message key, or a `wfm` reason.
enum Refused {
    Key(StatusCode, &'static str),
    Wfm(wfm::Error),
    Internal(ApiError),
}

impl From<store::StoreError> for Refused {
    fn from(e: store::StoreError) -> Refused {
        match e {
            store::StoreError::NotFound(_) => Refused::Key(StatusCode::NOT_FOUND, "tools-unknown-forecast"),
            e => Refused::Internal(ApiError::internal(e)),
        }
    }
}

/// `HH:MM` as seconds after midnight (`24:00` is the end of the day).
fn parse_hm(s: &str) -> Option<i64> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m) || (h == 24 && m == 0)).then_some(h * 3600 + m * 60)
}

/// The reforecast of forecast `q.forecast` on `q.date` (default today)
/// from the centre's contacts up to `q.until` (default now; the whole day
/// for a past day). Only complete intervals count as elapsed.
async fn reforecast(st: &AppState, q: &ReforecastQuery) -> Result<(IntradayReforecast, String, String), Refused> {
    let id: i64 =
        q.forecast.trim().parse().map_err(|_| Refused::Key(StatusCode::UNPROCESSABLE_ENTITY, "tools-pick-forecast"))?;
    let now = wall_now();
    let today = now.div_euclid(86_400);
    let day = match q.date.trim() {
        "" => today,
        d => parse_date(d).ok_or(Refused::Key(StatusCode::UNPROCESSABLE_ENTITY, "invalid-date"))?.days(),
    };
    let until = match q.until.trim() {
        "" if day < today => 86_400,
        "" => now - day * 86_400,
        t => parse_hm(t).ok_or(Refused::Key(StatusCode::UNPROCESSABLE_ENTITY, "tools-bad-until"))?,
    };
    let until_ts = day * 86_400 + until.clamp(0, 86_400);
    let channel = q.channel.trim();
    let channel = if channel.is_empty() {
        None
    } else {
        Some(
            domain::contact::Channel::parse(channel)
                .ok_or(Refused::Key(StatusCode::UNPROCESSABLE_ENTITY, "invalid-channel"))?
                .as_str(),
        )
    };
    let f = st.store.forecast(id).await?;
    let step = st.store.series(f.series_id).await?.interval_s.max(60);
    let rows: Vec<(i64, f64)> = f.points.iter().copied().filter(|p| p.0.div_euclid(86_400) == day).collect();
    // The centre's contacts of that day counted per interval, the way a
    // history "from the centre" counts them.
    let off = offset_min() * 60;
    let counts =
        st.store.arrivals((day * 86_400 - off) * 1000, (until_ts - off) * 1000, step * 1000, channel, None).await?;
    let counted: HashMap<i64, f64> =
        centre_points(&counts, step, offset_min()).into_iter().map(|p| (p.ts, p.calls)).collect();
    let actual: Vec<(i64, f64)> = rows
        .iter()
        .take_while(|(ts, _)| ts + step <= until_ts)
        .map(|(ts, _)| (*ts, counted.get(ts).copied().unwrap_or(0.0)))
        .collect();
    if rows.is_empty() {
        return Err(Refused::Key(StatusCode::UNPROCESSABLE_ENTITY, "tools-day-not-in-forecast"));
    }
    if actual.is_empty() {
        return Err(Refused::Key(StatusCode::UNPROCESSABLE_ENTITY, "tools-nothing-elapsed"));
    }
    let r = tools::reforecast_day(&f.points, &actual).map_err(Refused::Wfm)?;
    Ok((r, Date::from_days(day).to_string(), wall_clock(until_ts)[11..].to_string()))
}

fn reforecast_view(r: &IntradayReforecast, date: String, until: String) -> ReforecastView {
    let n = r.rows.len();
    let y_max = r.rows.iter().map(|x| x.forecast.max(x.reforecast).max(x.actual.unwrap_or(0.0))).fold(0.0, f64::max);
    let line = |pick: &dyn Fn(&tools::IntradayRow) -> Option<f64>| -> Vec<(f64, f64)> {
        r.rows.iter().enumerate().filter_map(|(i, x)| pick(x).map(|v| (i as f64 + 0.5, v))).collect()
    };
    let mut chart = Chart::new(n as f64, y_max)
        .line("rf-forecast", &line(&|x| Some(x.forecast)))
        .line("rf-reforecast", &line(&|x| (x.actual.is_none()).then_some(x.reforecast)))
        .line("rf-actual", &line(&|x| x.actual));
    for (i, x) in r.rows.iter().enumerate().step_by((n / 8).max(1)) {
        chart = chart.label(i as f64, &wall_clock(x.ts)[11..]);
    }
    let (f_so_far, a_so_far) = r.so_far();
    let rows = r
        .rows
        .iter()
        .map(|x| ReforecastRow {
            time: wall_clock(x.ts)[11..].to_string(),
            forecast: format!("{:.1}", x.forecast),
            actual: x.actual.map(|a| format!("{a:.0}")).unwrap_or_default(),
            reforecast: format!("{:.1}", x.reforecast),
            elapsed: x.actual.is_some(),
        })
        .collect();
    ReforecastView {
        date,
        until,
        level_factor: format!("{:.3}", r.ratio),
        forecast_so_far: format!("{f_so_far:.1}"),
        actual_so_far: format!("{a_so_far:.0}"),
        remaining_forecast: format!("{:.1}", r.remaining().iter().map(|x| x.forecast).sum::<f64>()),
        remaining_reforecast: format!("{:.1}", r.remaining().iter().map(|x| x.reforecast).sum::<f64>()),
        rows,
        chart: chart.svg("reforecast-chart"),
    }
}

/// `GET /planning/tools/reforecast?forecast=ID&date=YYYY-MM-DD&until=HH:MM&channel=`:
/// the form alone without `forecast`, else the day's table.
pub async fn reforecast_page(
    State(st): State<AppState>,
    caller: Caller,
    q: Result<Query<ReforecastQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut p = match page(&st, &caller).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    p.forecast_id = q.forecast.trim().parse().unwrap_or(0);
    if !q.date.trim().is_empty() {
        p.date = q.date.trim().to_string();
    }
    p.until = q.until.trim().to_string();
    p.channel = q.channel.trim().to_string();
    if q.forecast.trim().is_empty() {
        return render(StatusCode::OK, &p);
    }
    match reforecast(&st, &q).await {
        Ok((r, date, until)) => {
            p.reforecast = Some(reforecast_view(&r, date, until));
            render(StatusCode::OK, &p)
        }
        Err(Refused::Key(status, key)) => {
            p.reforecast_error = Some(p.chrome.t.get(key));
            render(status, &p)
        }
        Err(Refused::Wfm(e)) => {
            p.reforecast_error = Some(e.to_string());
            render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(Refused::Internal(e)) => e.into_response(),
    }
}

// ---------------------------------------------------------------- uploads

/// The fields of a multipart form: name → bytes (a file field's content).
/// The total is capped at [`MAX_TOOL_INPUT_BYTES`] plus room for the rest.
async fn fields(form: &mut Multipart) -> Result<HashMap<String, Vec<u8>>, &'static str> {
    let mut out = HashMap::new();
    let mut total = 0;
    while let Some(field) = form.next_field().await.map_err(|_| "error-bad-request")? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(|_| "error-bad-request")?;
        total += bytes.len();
        if total > MAX_TOOL_INPUT_BYTES + 64 * 1024 {
            return Err("tools-too-large");
        }
        out.insert(name, bytes.to_vec());
    }
    Ok(out)
}

/// The page and the fields of a posted tool form (`Err(message key)` when
/// the form cannot be read); `Err(response)` when the page cannot be built.
async fn posted(
    st: &AppState,
    caller: &Caller,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(ToolsPage, Result<HashMap<String, Vec<u8>>, &'static str>), Response> {
    let p = page(st, caller).await.map_err(IntoResponse::into_response)?;
    let f = match form {
        Ok(mut form) => fields(&mut form).await,
        Err(_) => Err("error-bad-request"),
    };
    Ok((p, f))
}

fn text_field(f: &HashMap<String, Vec<u8>>, name: &str) -> Result<String, &'static str> {
    match f.get(name) {
        None => Ok(String::new()),
        Some(b) if b.len() > MAX_TOOL_INPUT_BYTES => Err("tools-too-large"),
        Some(b) => String::from_utf8(b.clone()).map_err(|_| "tools-not-text"),
    }
}

/// `POST /planning/tools/shrinkage` (multipart: `file` a `date,shrinkage`
/// CSV, `from` YYYY-MM-DD, `days`): the forecast per date, or every bad
/// line of a refused file.
pub async fn shrinkage(
    State(st): State<AppState>,
    caller: Caller,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let (mut p, f) = match posted(&st, &caller, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let answer = async {
        let f = f?;
        let from = text_field(&f, "from")?;
        let days = text_field(&f, "days")?;
        p.shrinkage_from = from.trim().to_string();
        p.shrinkage_days = days.trim().to_string();
        let from = parse_date(from.trim()).ok_or("invalid-date")?;
        let days: i64 = days.trim().parse().map_err(|_| "tools-bad-days")?;
        if !(1..=MAX_SHRINKAGE_DAYS).contains(&days) {
            return Err("tools-bad-days");
        }
        let text = text_field(&f, "file")?;
        if text.trim().is_empty() {
            return Err("tools-no-file");
        }
        Ok((text, from, days as usize))
    };
    let (text, from, days) = match answer.await {
        Ok(x) => x,
        Err(key) => {
            p.shrinkage_errors = vec![p.chrome.t.get(key)];
            return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    let history = match tools::parse_shrinkage(&text) {
        Ok(h) => h,
        Err(e) => {
            p.shrinkage_errors = line_errors(&st, &caller, &e);
            return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    let dates = tools::dates_from(from, days);
    let values = wfm::forecast::planning::shrinkage_forecast(&history, &dates);
    p.shrinkage = Some(ShrinkageView {
        history_days: history.len(),
        history_from: history.first().map(|h| h.0.to_string()).unwrap_or_default(),
        history_to: history.last().map(|h| h.0.to_string()).unwrap_or_default(),
        rows: dates.iter().zip(&values).map(|(d, v)| (d.to_string(), format!("{:.2} %", v * 100.0))).collect(),
    });
    render(StatusCode::OK, &p)
}

fn vacation_view(r: &VacationReport) -> VacationView {
    let n = |x: f64| format!("{x:.2}");
    VacationView {
        coverage_loss: n(r.coverage_loss),
        weeks_short: r.weeks_short,
        wishes_met: r.wishes_met,
        wishes_total: r.wishes_total,
        operators: r
            .operators
            .iter()
            .map(|o| LeaveRow {
                id: o.id.clone(),
                leave_days: o.leave_days,
                blocks: o.blocks.iter().map(|b| format!("{} ({})", b.week + 1, b.days)).collect::<Vec<_>>().join(", "),
                wishes: o.wishes_met.iter().map(|w| (w + 1).to_string()).collect::<Vec<_>>().join(", "),
            })
            .collect(),
        weeks: r
            .weeks
            .iter()
            .map(|w| WeekRow {
                week: w.week + 1,
                required: n(w.required),
                available: n(w.available),
                on_leave: n(w.on_leave),
                surplus: n(w.surplus),
                loss: n(w.loss),
                short: w.loss > 1e-9,
            })
            .collect(),
    }
}

/// `POST /planning/tools/vacation` (multipart: `file` or `input`, the
/// `VacationInput` JSON of docs/WFM.md): the plan per operator and week.
pub async fn vacation_plan(
    State(st): State<AppState>,
    caller: Caller,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let (mut p, f) = match posted(&st, &caller, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let text = async {
        let f = f?;
        let file = text_field(&f, "file")?;
        let text = if file.trim().is_empty() { text_field(&f, "input")? } else { file };
        if text.trim().is_empty() {
            return Err("tools-no-file");
        }
        Ok(text)
    };
    let text = match text.await {
        Ok(t) => t,
        Err(key) => {
            p.vacation_errors = vec![p.chrome.t.get(key)];
            return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    p.vacation_input = text.clone();
    let report = serde_json::from_str::<VacationInput>(&text)
        .map_err(|e| e.to_string())
        .and_then(|input| vacation::report(&input).map_err(|e| e.to_string()));
    match report {
        Ok(r) => {
            p.vacation = Some(vacation_view(&r));
            render(StatusCode::OK, &p)
        }
        Err(message) => {
            p.vacation_errors = vec![message];
            render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
    }
}
