//! The shop manager's analytics room (`/orders/analytics`, issue 6 §6):
//! ABC / XYZ / the 9-cell matrix, demand per item, RFM segments, sales by
//! period / channel / operator / client type, plan vs actual, dormant
//! clients with a "call back" action (004:248), its settings form, CSV/XLSX
//! exports and the JSON API `GET /api/v1/sales/analytics`. The rules are
//! `retail::analytics_report`; this file reads, masks and renders.
//!
//! Access: every route requires `ManageOrders` (store managers and
//! supervisors), checked by the guard from the route table.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Json, Redirect, Response};
use domain::masking::mask_name;
use domain::time::{Date, UtcOffset};
use domain::validate::Invalid;
use domain::Permission;
use retail::analytics::{Basis, Dimension};
use retail::analytics_report::{self as rep, Client, Report, Settings, Table};
use retail::money::{format_amount, parse_amount};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::pages::{chrome, error_page, render, Chrome, PageForm};
use crate::planning_pages::Chart;
use crate::AppState;

/// Longest period a report covers (two years).
pub const MAX_DAYS: i64 = 731;

/// Rows of a per-customer table the page shows (the export has them all).
pub const SHOWN_ROWS: usize = 200;
/// Names listed per RFM segment on the page.
pub const SHOWN_NAMES: usize = 20;

/// The source of the dormant clients' callbacks (`callbacks.source`).
pub const CALLBACK_SOURCE: &str = "dormant";

fn offset() -> UtcOffset {
    crate::clocks::calendar().offset
}

fn today() -> Date {
    offset().local_date(store::now_ms())
}

/// The period and views asked for (`?from=&to=&grain=&basis=&report=`).
#[derive(Debug, Default, Deserialize)]
pub struct AnalyticsQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub grain: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub report: String,
    /// The contact of a callback just created (the room says so).
    #[serde(default)]
    pub called: String,
}

/// A query checked: the period (local days, inclusive) and the views.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub from: Date,
    pub to: Date,
    pub grain: Dimension,
    pub basis: Basis,
    pub table: Table,
}

fn invalid(field: &'static str, code: &'static str) -> Invalid {
    Invalid { field, code }
}

/// Checks a query; empty fields take defaults: the last twelve months up to
/// `today` (from the first of the month eleven months back), by month, the
/// settings' ABC basis, the ABC table.
pub fn params(q: &AnalyticsQuery, settings: &Settings, today: Date) -> Result<Params, Invalid> {
    let day = |s: &str, field: &'static str| match s.trim() {
        "" => Ok(None),
        s => Date::parse(s).map(Some).ok_or(invalid(field, "invalid-date")),
    };
    let to = day(&q.to, "to")?.unwrap_or(today);
    let from = match day(&q.from, "from")? {
        Some(d) => d,
        None => {
            let (y, m) = (to.year(), to.month() as i32);
            let months = y * 12 + m - 1 - 11;
            Date::from_ymd(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1).unwrap_or(to)
        }
    };
    if from > to {
        return Err(invalid("from", "after-to"));
    }
    if to.days() - from.days() + 1 > MAX_DAYS {
        return Err(invalid("to", "period-too-long"));
    }
    let grain = match q.grain.trim() {
        "" | "month" => Dimension::Month,
        "week" => Dimension::Week,
        "day" => Dimension::Day,
        _ => return Err(invalid("grain", "unknown-grain")),
    };
    let basis = match q.basis.trim() {
        "" => settings.basis,
        "revenue" => Basis::Revenue,
        "margin" => Basis::Margin,
        "units" => Basis::Units,
        _ => return Err(invalid("basis", "unknown-basis")),
    };
    let table = match q.report.trim() {
        "" => Table::Abc,
        t => Table::parse(t).ok_or(invalid("report", "unknown-report"))?,
    };
    Ok(Params { from, to, grain, basis, table })
}

/// Reads and computes the report. Customer names are masked for a caller
/// without `ViewCustomerData`; a caller who sees them in full leaves an
/// audit row (`customer.list_view`, `via` = ui / api / export).
pub async fn report(st: &AppState, caller: &Caller, p: &Params, via: &str) -> Result<(Report, Settings), ApiError> {
    let settings = st.store.sales_analytics_settings().await?;
    let off = offset();
    let sales = st.store.sale_lines(off.start_of_day(p.from), off.start_of_day(p.to.add_days(1)), off).await?;
    let items = st.store.analytics_items().await?;
    let full = caller.user().is_some_and(|u| u.can(Permission::ViewCustomerData));
    let clients: Vec<Client> = st
        .store
        .clients_last_order()
        .await?
        .into_iter()
        .map(|c| Client {
            id: c.id,
            name: if full { c.full_name } else { mask_name(&c.full_name) },
            client_type: c.client_type,
            last_order: c.last_order_at.map(|at| off.local_date(at)),
        })
        .collect();
    let operators: BTreeMap<i64, String> = st.store.list_users().await?.into_iter().map(|u| (u.id, u.name)).collect();
    let input = rep::Input {
        sales: &sales,
        items: &items,
        clients: &clients,
        operators: &operators,
        from: p.from,
        to: p.to,
        today: today(),
        grain: p.grain,
        basis: p.basis,
        settings: &settings,
    };
    let r = rep::build(&input);
    if full && (!r.rfm.is_empty() || !r.dormant.is_empty()) {
        let detail = format!("{via} {}..{} rfm={} dormant={}", p.from, p.to, r.rfm.len(), r.dormant.len());
        st.store.audit(&caller.actor(), "customer.list_view", "sales-analytics", &detail).await?;
    }
    Ok((r, settings))
}

// ---------------------------------------------------------------- JSON API

/// `GET /api/v1/sales/analytics?from=&to=&grain=&basis=`: every table of the room.
#[utoipa::path(get, path = "/api/v1/sales/analytics", tag = "orders",
    params(("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (default: the first of the month eleven months back)"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD (default: today, local time)"),
        ("grain" = Option<String>, Query, description = "Sales by period: day, week or month (default)"),
        ("basis" = Option<String>, Query, description = "ABC basis: revenue, margin or units (default: the setting)")),
    responses((status = 200, description = "`{report, settings}`: ABC, XYZ, matrix, demand, RFM, segments, sales by period / channel / operator / client type, plan vs actual, dormant clients", body = serde_json::Value),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn api(
    State(st): State<AppState>,
    caller: Caller,
    q: Result<Query<AnalyticsQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return ApiError::new(StatusCode::BAD_REQUEST, "bad_query", "unreadable query").into_response();
    };
    let run = async {
        let settings = st.store.sales_analytics_settings().await?;
        let p = params(&q, &settings, today())?;
        let (r, settings) = report(&st, &caller, &p, "api").await?;
        Ok::<_, ApiError>(serde_json::json!({"report": r, "settings": settings}))
    };
    match run.await {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------- exports

async fn export(st: &AppState, caller: &Caller, q: AnalyticsQuery, xlsx: bool) -> Response {
    {
        let run = async {
            let settings = st.store.sales_analytics_settings().await?;
            let p = params(&q, &settings, today())?;
            let (r, _) = report(st, caller, &p, "export").await?;
            Ok::<_, ApiError>((p, r))
        };
        let (p, r) = match run.await {
            Ok(x) => x,
            Err(e) => return e.into_response(),
        };
        let (head, rows) = r.table(p.table);
        let name = format!("{}_{}_{}", p.table.as_str(), p.from, p.to);
        let (ctype, name, body) = if xlsx {
            match retail::to_xlsx(&head, &rows) {
                Ok(b) => {
                    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", format!("{name}.xlsx"), b)
                }
                Err(e) => return ApiError::internal(e).into_response(),
            }
        } else {
            // A BOM so that Excel reads the file as UTF-8.
            let mut b = "\u{feff}".to_string().into_bytes();
            b.extend(retail::to_csv(&head, &rows).into_bytes());
            ("text/csv; charset=utf-8", format!("{name}.csv"), b)
        };
        (
            [
                (header::CONTENT_TYPE, ctype.to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            ],
            body,
        )
            .into_response()
    }
}

/// `GET /orders/analytics/export.csv?report=…&from=&to=&grain=&basis=`.
pub async fn export_csv(
    State(st): State<AppState>,
    caller: Caller,
    q: Result<Query<AnalyticsQuery>, QueryRejection>,
) -> Response {
    match q {
        Ok(Query(q)) => export(&st, &caller, q, false).await,
        Err(_) => error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request"),
    }
}

/// `GET /orders/analytics/export.xlsx?…`: the same rows as a workbook.
pub async fn export_xlsx(
    State(st): State<AppState>,
    caller: Caller,
    q: Result<Query<AnalyticsQuery>, QueryRejection>,
) -> Response {
    match q {
        Ok(Query(q)) => export(&st, &caller, q, true).await,
        Err(_) => error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request"),
    }
}

// ---------------------------------------------------------------- the room

/// A number of minor units for people: `1 234 567.50`.
pub fn money(m: i64) -> String {
    let s = format_amount(m);
    let (whole, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

struct Link {
    table: &'static str,
    csv: String,
    xlsx: String,
}

#[derive(Template)]
#[template(path = "orders_analytics.html")]
struct RoomPage {
    chrome: Chrome,
    error: Option<String>,
    notice: Option<String>,
    from: String,
    to: String,
    grain: &'static str,
    basis: &'static str,
    links: Vec<Link>,
    r: Option<Report>,
    sales_chart: String,
    pareto_chart: String,
    rfm_chart: String,
    s: Settings,
    plan_text: String,
    xyz_x: String,
    xyz_y: String,
    monetary: Vec<String>,
    recency_text: String,
    frequency_text: String,
    grain_opts: Vec<(&'static str, String, bool)>,
    basis_opts: Vec<(&'static str, String, bool)>,
    settings_basis_opts: Vec<(&'static str, String, bool)>,
    matrix_rows: Vec<(&'static str, Vec<rep::MatrixCell>)>,
    sales_tables: Vec<(&'static str, String, Vec<rep::SalesRow>)>,
    rfm_rows: Vec<rep::RfmRow>,
    dormant_rows: Vec<rep::DormantRow>,
    /// "showing 200 of N" for the RFM and dormant tables, when cut.
    rfm_cut: Option<String>,
    dormant_cut: Option<String>,
}

impl RoomPage {
    /// The message `prefix` + `v` (a segment, a basis …).
    fn tk(&self, prefix: &str, v: &str) -> String {
        self.chrome.t.get(&format!("{prefix}{v}"))
    }
    fn m(&self, v: &i64) -> String {
        money(*v)
    }
    fn bp(&self, v: &i64) -> String {
        rep::format_bp(*v)
    }
    fn done(&self, v: &Option<i64>) -> String {
        v.map(rep::format_bp).unwrap_or_default()
    }
    fn cv(&self, v: &Option<f64>) -> String {
        rep::format_cv(*v)
    }
    fn value(&self, v: &i64) -> String {
        match self.r.as_ref().map(|r| r.basis) {
            Some(Basis::Units) => v.to_string(),
            _ => money(*v),
        }
    }
    fn opt(&self, v: &Option<i64>) -> String {
        v.map(|x| x.to_string()).unwrap_or_else(|| "—".into())
    }
    fn day(&self, v: &Option<Date>) -> String {
        v.map(|x| x.to_string()).unwrap_or_else(|| "—".into())
    }
    fn names(&self, customers: &[i64]) -> String {
        let Some(r) = &self.r else { return String::new() };
        let names: BTreeMap<i64, &str> = r.rfm.iter().map(|x| (x.customer, x.name.as_str())).collect();
        let mut shown =
            customers.iter().take(SHOWN_NAMES).filter_map(|c| names.get(c)).copied().collect::<Vec<_>>().join(", ");
        if customers.len() > SHOWN_NAMES {
            shown.push_str(&format!(", … (+{})", customers.len() - SHOWN_NAMES));
        }
        shown
    }
}

fn grain_name(g: Dimension) -> &'static str {
    match g {
        Dimension::Day => "day",
        Dimension::Week => "week",
        _ => "month",
    }
}

fn basis_name(b: Basis) -> &'static str {
    match b {
        Basis::Revenue => "revenue",
        Basis::Margin => "margin",
        Basis::Units => "units",
    }
}

/// Sales by month as bars (major units) with the plan as a line.
fn sales_chart(r: &Report) -> String {
    let months: Vec<&retail::analytics::PlanActual> = r.plan.iter().collect();
    let y_max = months.iter().map(|p| p.actual.max(p.plan) as f64 / 100.0).fold(0.0, f64::max);
    let mut c = Chart::new(months.len() as f64, y_max);
    for (i, p) in months.iter().enumerate() {
        c = c.bar("sales-bar", i as f64, p.actual as f64 / 100.0, &format!("{} {}", p.month, money(p.actual)));
        c = c.label(i as f64, &p.month);
    }
    let plan: Vec<(f64, f64)> = months
        .iter()
        .enumerate()
        .filter(|(_, p)| p.plan > 0)
        .map(|(i, p)| (i as f64 + 0.4, p.plan as f64 / 100.0))
        .collect();
    c.line("plan-line", &plan).svg("sales-chart")
}

/// The ABC Pareto curve: cumulative share (%) over items in ranking order,
/// with the A and A+B thresholds as rules.
fn pareto_chart(r: &Report, s: &Settings) -> String {
    let mut pts = vec![(0.0, 0.0)];
    pts.extend(r.abc.iter().enumerate().map(|(i, a)| (i as f64 + 1.0, a.cumulative_bp as f64 / 100.0)));
    Chart::new(r.abc.len() as f64, 100.0 / 1.05)
        .rule("abc-a", s.abc.a as f64)
        .rule("abc-b", (s.abc.a + s.abc.b) as f64)
        .line("pareto", &pts)
        .svg("pareto-chart")
}

/// Customers per RFM segment as bars.
fn rfm_chart(r: &Report, st: &AppState, caller: &Caller) -> String {
    let y_max = r.segments.iter().map(|s| s.count as f64).fold(0.0, f64::max);
    let mut c = Chart::new(r.segments.len() as f64, y_max);
    for (i, s) in r.segments.iter().enumerate() {
        let label = st.catalog.get(caller.locale, &format!("analytics-segment-{}", s.segment));
        c = c.bar("rfm-bar", i as f64, s.count as f64, &format!("{label}: {}", s.count)).label(i as f64, &label);
    }
    c.svg("rfm-chart")
}

fn link(q: &Params, t: Table) -> Link {
    let qs = format!(
        "report={}&from={}&to={}&grain={}&basis={}",
        t.as_str(),
        q.from,
        q.to,
        grain_name(q.grain),
        basis_name(q.basis)
    );
    Link {
        table: t.as_str(),
        csv: format!("/orders/analytics/export.csv?{qs}"),
        xlsx: format!("/orders/analytics/export.xlsx?{qs}"),
    }
}

fn form_values(s: &Settings) -> (String, String, String, Vec<String>) {
    let monetary = s.rfm.monetary.iter().map(|m| format_amount(*m)).collect();
    (rep::format_plan(&s.plan), format!("{}", s.xyz.x), format!("{}", s.xyz.y), monetary)
}

fn error_text(st: &AppState, caller: &Caller, inv: &Invalid) -> String {
    let key = format!("analytics-error-{}", inv.code);
    let text = st.catalog.get(caller.locale, &key);
    format!("{} ({}: {})", text, inv.field, inv.code)
}

fn opts(chrome: &Chrome, prefix: &str, values: &[&'static str], on: &str) -> Vec<(&'static str, String, bool)> {
    values.iter().map(|v| (*v, chrome.t.get(&format!("{prefix}{v}")), *v == on)).collect()
}

async fn room_page(
    st: &AppState,
    caller: &Caller,
    q: &AnalyticsQuery,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let chrome = chrome(st, caller, "orders", "analytics-title");
    let settings = match st.store.sales_analytics_settings().await {
        Ok(s) => s,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let notice = q
        .called
        .trim()
        .parse::<i64>()
        .ok()
        .map(|c| st.catalog.get_args(caller.locale, "analytics-callback-created", &[("contact", &c.to_string())]));
    let (mut status, mut error) = (status, error);
    let (mut from, mut to, mut grain, mut basis) = (q.from.clone(), q.to.clone(), "month", basis_name(settings.basis));
    let (mut links, mut report_value) = (Vec::new(), None);
    let (mut sales, mut pareto, mut rfm) = (String::new(), String::new(), String::new());
    match params(q, &settings, today()) {
        Err(inv) => {
            error = Some(error_text(st, caller, &inv));
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(p) => match report(st, caller, &p, "ui").await {
            Err(e) => return e.into_response(),
            Ok((r, settings)) => {
                from = p.from.to_string();
                to = p.to.to_string();
                grain = grain_name(p.grain);
                basis = basis_name(p.basis);
                links = Table::ALL.iter().map(|t| link(&p, *t)).collect();
                sales = sales_chart(&r);
                pareto = pareto_chart(&r, &settings);
                rfm = rfm_chart(&r, st, caller);
                report_value = Some(r);
            }
        },
    }
    let (plan_text, xyz_x, xyz_y, monetary) = form_values(&settings);
    let join = |v: &[String]| v.join(", ");
    let recency_text = join(&settings.rfm.recency_days.map(|x| x.to_string()));
    let frequency_text = join(&settings.rfm.frequency.map(|x| x.to_string()));
    let matrix_rows = match &report_value {
        Some(r) => ["A", "B", "C"]
            .into_iter()
            .map(|a| (a, r.matrix.iter().filter(|c| c.cell.starts_with(a)).cloned().collect()))
            .collect(),
        None => Vec::new(),
    };
    let sales_tables = match &report_value {
        Some(r) => vec![
            ("period", chrome.t.get(&format!("analytics-grain-{grain}")), r.by_period.clone()),
            ("channel", chrome.t.get("analytics-channel"), r.by_channel.clone()),
            ("operator", chrome.t.get("analytics-operator"), r.by_operator.clone()),
            ("client_type", chrome.t.get("analytics-client-type"), r.by_client_type.clone()),
        ],
        None => Vec::new(),
    };
    let cut = |n: usize| {
        (n > SHOWN_ROWS).then(|| {
            let (shown, all) = (SHOWN_ROWS.to_string(), n.to_string());
            st.catalog.get_args(caller.locale, "analytics-shown-of", &[("shown", &shown), ("count", &all)])
        })
    };
    let (rfm_rows, dormant_rows, rfm_cut, dormant_cut) = match &report_value {
        Some(r) => (
            r.rfm.iter().take(SHOWN_ROWS).cloned().collect(),
            r.dormant.iter().take(SHOWN_ROWS).cloned().collect(),
            cut(r.rfm.len()),
            cut(r.dormant.len()),
        ),
        None => (Vec::new(), Vec::new(), None, None),
    };
    let page = RoomPage {
        rfm_rows,
        dormant_rows,
        rfm_cut,
        dormant_cut,
        grain_opts: opts(&chrome, "analytics-grain-", &["day", "week", "month"], grain),
        basis_opts: opts(&chrome, "analytics-basis-", &["revenue", "margin", "units"], basis),
        settings_basis_opts: opts(
            &chrome,
            "analytics-basis-",
            &["revenue", "margin", "units"],
            basis_name(settings.basis),
        ),
        chrome,
        error,
        notice,
        from,
        to,
        grain,
        basis,
        links,
        r: report_value,
        sales_chart: sales,
        pareto_chart: pareto,
        rfm_chart: rfm,
        s: settings,
        plan_text,
        xyz_x,
        xyz_y,
        monetary,
        recency_text,
        frequency_text,
        matrix_rows,
        sales_tables,
    };
    render(status, &page)
}

/// `GET /orders/analytics`: the room for a period.
pub async fn room(
    State(st): State<AppState>,
    caller: Caller,
    q: Result<Query<AnalyticsQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return error_page(&st, caller.locale, StatusCode::BAD_REQUEST, "error-bad-request");
    };
    room_page(&st, &caller, &q, StatusCode::OK, None).await
}

/// The settings form's fields (all text, checked here).
#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub abc_a: String,
    #[serde(default)]
    pub abc_b: String,
    #[serde(default)]
    pub xyz_x: String,
    #[serde(default)]
    pub xyz_y: String,
    #[serde(default)]
    pub recency: String,
    #[serde(default)]
    pub frequency: String,
    #[serde(default)]
    pub monetary: String,
    #[serde(default)]
    pub dormant_days: String,
    #[serde(default)]
    pub callback_queue: String,
    #[serde(default)]
    pub plan: String,
}

fn four<T: Copy + Default>(s: &str, field: &'static str, parse: impl Fn(&str) -> Option<T>) -> Result<[T; 4], Invalid> {
    let parts: Vec<&str> = s.split([',', ';', '/']).map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.len() != 4 {
        return Err(invalid(field, "four-values"));
    }
    let mut out = [T::default(); 4];
    for (slot, p) in out.iter_mut().zip(parts) {
        *slot = parse(p).ok_or(invalid(field, "not-a-number"))?;
    }
    Ok(out)
}

/// The settings a form describes (not yet validated as a whole).
pub fn settings_from_form(f: &SettingsForm, current: &Settings) -> Result<Settings, Invalid> {
    let num = |s: &str, field: &'static str| s.trim().parse::<u32>().map_err(|_| invalid(field, "not-a-number"));
    let pct = |s: &str, field: &'static str| {
        s.trim().replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite()).ok_or(invalid(field, "not-a-number"))
    };
    let basis = match f.basis.trim() {
        "revenue" => Basis::Revenue,
        "margin" => Basis::Margin,
        "units" => Basis::Units,
        _ => return Err(invalid("basis", "unknown-basis")),
    };
    let mut s = current.clone();
    s.basis = basis;
    s.abc.a = num(&f.abc_a, "abc_a")?;
    s.abc.b = num(&f.abc_b, "abc_b")?;
    s.xyz.x = pct(&f.xyz_x, "xyz_x")?;
    s.xyz.y = pct(&f.xyz_y, "xyz_y")?;
    s.rfm.recency_days = four(&f.recency, "rfm_recency", |p| p.parse().ok())?;
    s.rfm.frequency = four(&f.frequency, "rfm_frequency", |p| p.parse().ok())?;
    s.rfm.monetary = four(&f.monetary, "rfm_monetary", parse_amount)?;
    s.dormant_days = f.dormant_days.trim().parse().map_err(|_| invalid("dormant_days", "not-a-number"))?;
    s.callback_queue = f.callback_queue.trim().to_string();
    s.plan = rep::parse_plan(&f.plan)?;
    s.validate()?;
    Ok(s)
}

/// `POST /orders/analytics/settings`: replaces the settings (audited); a
/// bad field is a 422 page with the form as typed and nothing changed.
pub async fn save_settings(
    State(st): State<AppState>,
    caller: Caller,
    PageForm(f): PageForm<SettingsForm>,
) -> Response {
    let current = match st.store.sales_analytics_settings().await {
        Ok(s) => s,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let q = AnalyticsQuery::default();
    match settings_from_form(&f, &current) {
        Err(inv) => {
            let msg = error_text(&st, &caller, &inv);
            room_page(&st, &caller, &q, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await
        }
        Ok(s) => match st.store.set_sales_analytics_settings(&s, &caller.actor()).await {
            Ok(()) => Redirect::to("/orders/analytics").into_response(),
            Err(store::StoreError::Invalid(inv)) => {
                let msg = error_text(&st, &caller, &inv);
                room_page(&st, &caller, &q, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await
            }
            Err(e) => ApiError::internal(e).into_response(),
        },
    }
}

/// `POST /orders/analytics/customers/{id}/callback`: an outbound callback
/// for a dormant client (004:248) in the settings' queue, due now; one per
/// client per day (a second click is the same task). Audited.
pub async fn callback(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found");
    };
    let run = async {
        let client = st.store.client_last_order(id).await?.ok_or(store::StoreError::NotFound("customer"))?;
        if client.phone.trim().is_empty() {
            return Err(invalid("phone", "no-phone").into());
        }
        let settings = st.store.sales_analytics_settings().await?;
        let now = store::now_ms();
        let cb = store::cti::NewCallback {
            number: client.phone.clone(),
            queue: settings.callback_queue.clone(),
            due_at: now,
            source: CALLBACK_SOURCE,
            key: format!("{id}:{}", today()),
        };
        let contact = st.store.request_callback(&cb).await?;
        st.store.audit(&caller.actor(), "analytics.callback", &format!("customer:{id}"), &contact.to_string()).await?;
        crate::cti::release_due_callbacks(&st, now).await;
        Ok::<_, ApiError>(contact)
    };
    match run.await {
        Ok(contact) => Redirect::to(&format!("/orders/analytics?called={contact}")).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let q = AnalyticsQuery::default();
            let msg = format!("{}: {}", st.catalog.get(caller.locale, "analytics-callback-refused"), e.message);
            room_page(&st, &caller, &q, StatusCode::UNPROCESSABLE_ENTITY, Some(msg)).await
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            error_page(&st, caller.locale, StatusCode::NOT_FOUND, "error-not-found")
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn queries_default_and_refuse_bad_periods() {
        let s = Settings::default();
        let p = params(&AnalyticsQuery::default(), &s, d("2026-12-03")).unwrap();
        assert_eq!(
            (p.from, p.to, p.grain, p.basis, p.table),
            (d("2026-01-01"), d("2026-12-03"), Dimension::Month, Basis::Revenue, Table::Abc)
        );
        let q = |from: &str, to: &str| AnalyticsQuery { from: from.into(), to: to.into(), ..Default::default() };
        assert_eq!(params(&q("2026-02-01", "2026-01-01"), &s, d("2026-12-03")), Err(invalid("from", "after-to")));
        assert_eq!(params(&q("2020-01-01", "2026-01-01"), &s, d("2026-12-03")), Err(invalid("to", "period-too-long")));
        assert_eq!(params(&q("yesterday", ""), &s, d("2026-12-03")), Err(invalid("from", "invalid-date")));
        let bad = AnalyticsQuery { report: "secrets".into(), ..Default::default() };
        assert_eq!(params(&bad, &s, d("2026-12-03")), Err(invalid("report", "unknown-report")));
        let jan = params(&q("", "2026-01-15"), &s, d("2026-12-03")).unwrap();
        assert_eq!(jan.from, d("2025-02-01"));
        assert_eq!(money(123_456_750), "1\u{a0}234\u{a0}567.50");
        assert_eq!(money(-5), "-0.05");
    }

    #[test]
    fn the_settings_form_reads_every_field() {
        let f = SettingsForm {
            basis: "margin".into(),
            abc_a: "70".into(),
            abc_b: "20".into(),
            xyz_x: "12,5".into(),
            xyz_y: "30".into(),
            recency: "14, 30, 90, 180".into(),
            frequency: "2,3,5,10".into(),
            monetary: "1000; 5000; 20 000; 100000".into(),
            dormant_days: "45".into(),
            callback_queue: "sales".into(),
            plan: "2026-01 1 000 000".into(),
        };
        let s = settings_from_form(&f, &Settings::default()).unwrap();
        assert_eq!(
            (s.basis, s.abc.a, s.xyz.x, s.rfm.recency_days[0], s.rfm.monetary[2]),
            (Basis::Margin, 70, 12.5, 14, 2_000_000)
        );
        assert_eq!(s.plan["2026-01"], 100_000_000);
        let bad = SettingsForm { recency: "1,2,3".into(), ..f };
        assert_eq!(settings_from_form(&bad, &Settings::default()), Err(invalid("rfm_recency", "four-values")));
    }
}
