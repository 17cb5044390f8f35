//! The planner's work between the HTTP edge and the `wfm` maths: reading an
//! uploaded history, building one from the centre's contacts, running a
//! forecast, staffing it with Erlang C, drafting a schedule, and checking an
//! uploaded roster against the centre's users. No HTTP and no SQL here; the
//! API (`planning_api`) and the room (`planning_pages`) call these.

use serde::{Deserialize, Serialize};
use store::planning::SeriesPoint;
use wfm::erlang::{self, Load, Target};
use wfm::forecast::{self, BacktestOptions, Method, TimeFormat};
use wfm::roster::{Activity, ActivityKind, Roster, RosterOperator, RosterShift};

/// The largest history file accepted (a year of 5-minute rows is ~3 MiB).
pub const MAX_HISTORY_BYTES: usize = 8 * 1024 * 1024;
/// The longest forecast horizon, in operating days.
pub const MAX_HORIZON_DAYS: usize = 62;
/// The longest range counted from the centre's contacts, in days.
pub const MAX_CENTRE_DAYS: i64 = 400;

/// Why an import or a run was refused: a message for people and, for input
/// text, the 1-based line (row) it is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    pub line: Option<usize>,
    pub message: String,
}

impl Refusal {
    fn from_wfm(e: wfm::Error) -> Refusal {
        match e {
            wfm::Error::Parse { line, message } => Refusal { line: Some(line), message },
            other => Refusal { line: None, message: other.to_string() },
        }
    }

    pub fn plain(message: impl Into<String>) -> Refusal {
        Refusal { line: None, message: message.into() }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Reads a `timestamp,calls[,aht_s]` history — CSV text or a workbook
/// (XLSX and whatever calamine opens; the first sheet, first row the
/// header) — all rows or none. The file becomes a table by
/// `wfm::forecast::Table::read` (the CLI reads histories the same way);
/// timestamps and calls are read (and refused, with the line or sheet row)
/// by `wfm::forecast::Series::from_table`, which also finds the interval
/// length; the optional handling-time column must be > 0 where given.
/// Returns (interval seconds, points).
pub fn parse_history(bytes: &[u8]) -> Result<(i64, Vec<SeriesPoint>), Refusal> {
    if bytes.len() > MAX_HISTORY_BYTES {
        return Err(Refusal::plain(format!("the file is larger than {} MiB", MAX_HISTORY_BYTES / 1024 / 1024)));
    }
    let table = forecast::Table::read(bytes).map_err(Refusal::from_wfm)?;
    let series = forecast::Series::of_table(&table).map_err(Refusal::from_wfm)?;
    let aht_col = table.column(&["aht_s", "aht", "handling_time_s"]);
    let mut aht = Vec::with_capacity(series.values.len());
    for (line, cells) in table.rows.iter().filter(|(_, cells)| !cells.iter().all(forecast::Cell::is_empty)) {
        let refuse = |message: String| Refusal { line: Some(*line), message };
        let v = match aht_col.and_then(|c| cells.get(c)) {
            None => None,
            Some(cell) => match cell.number("aht_s").map_err(refuse)? {
                Some(v) if v > 0.0 => Some(v),
                None => None,
                Some(v) => return Err(refuse(format!("aht_s {v} is not a number > 0"))),
            },
        };
        aht.push(v);
    }
    let points = series
        .values
        .iter()
        .enumerate()
        .map(|(i, &(ts, calls))| SeriesPoint { ts, calls, aht_s: aht.get(i).copied().flatten() })
        .collect();
    Ok((series.calendar.step_s, points))
}

/// A stored history as the forecaster reads it.
pub fn wfm_series(points: &[SeriesPoint]) -> Result<forecast::Series, Refusal> {
    let values = points.iter().map(|p| (p.ts, p.calls)).collect();
    forecast::Series::from_values(values, TimeFormat::Plain { seconds: false }).map_err(Refusal::from_wfm)
}

/// Mean handling time over the points that have one, weighted by contacts.
pub fn mean_aht(points: &[SeriesPoint]) -> Option<f64> {
    let (w, s) = points
        .iter()
        .filter_map(|p| p.aht_s.map(|a| (p.calls, p.calls * a)))
        .fold((0.0, 0.0), |(w, s), (c, x)| (w + c, s + x));
    (w > 0.0).then(|| s / w)
}

/// A history counted from the centre's contacts: `counts` are (interval
/// start, UTC ms; contacts) from `Store::arrivals`; times become the centre's
/// wall clock (`offset_min` east of UTC) in seconds, and every interval
/// between a day's first and last arrival that had none becomes a zero (the
/// centre was open, nobody called), so quiet intervals are not mistaken for
/// missing data.
pub fn centre_points(counts: &[(i64, i64)], interval_s: i64, offset_min: i64) -> Vec<SeriesPoint> {
    let mut out: Vec<SeriesPoint> = Vec::with_capacity(counts.len());
    for &(ms, n) in counts {
        let ts = ms.div_euclid(1000) + offset_min * 60;
        if let Some(last) = out.last().map(|p| p.ts) {
            if last.div_euclid(86_400) == ts.div_euclid(86_400) {
                let mut t = last + interval_s;
                while t < ts {
                    out.push(SeriesPoint { ts: t, calls: 0.0, aht_s: None });
                    t += interval_s;
                }
            }
        }
        out.push(SeriesPoint { ts, calls: n as f64, aht_s: None });
    }
    out
}

/// A forecast run ready to store.
pub struct ForecastRun {
    pub chosen: String,
    /// `{"chosen", "backtest": [{"model","wape","mase"}], "backtest_points": [[ts, calls]],
    /// "backtest_horizon_days", "excluded_days": ["YYYY-MM-DD"]}`; `backtest_points`
    /// are the chosen model's rolling-origin forecasts over the backtested weeks.
    pub report: serde_json::Value,
    pub points: Vec<(i64, f64)>,
}

/// Backtests every model on the history and forecasts `horizon_days`
/// operating days with the chosen one (`method`: `auto` or a model name).
/// CPU-bound: call it off the async workers.
pub fn run_forecast(points: &[SeriesPoint], method: &str, horizon_days: usize) -> Result<ForecastRun, Refusal> {
    let m = Method::parse(method)
        .ok_or_else(|| Refusal::plain(format!("method must be one of {}", Method::names().join(", "))))?;
    if horizon_days == 0 || horizon_days > MAX_HORIZON_DAYS {
        return Err(Refusal::plain(format!("horizon_days must be 1–{MAX_HORIZON_DAYS}")));
    }
    let series = wfm_series(points)?;
    let run = forecast::run(&series, m, horizon_days, &BacktestOptions::default()).map_err(Refusal::from_wfm)?;
    let finite = |x: f64| if x.is_finite() { serde_json::json!(x) } else { serde_json::Value::Null };
    let backtest: Vec<serde_json::Value> = run
        .backtest
        .iter()
        .map(|s| serde_json::json!({"model": s.model.name(), "wape": finite(s.wape), "mase": finite(s.mase)}))
        .collect();
    let excluded: Vec<String> = run.excluded_days.iter().map(|d| d.to_string()).collect();
    // The chosen model's rolling-origin forecasts over the backtested weeks,
    // for the chart (none when the history was too short for a backtest).
    let backtest_points: Vec<(i64, f64)> =
        run.backtest.iter().find(|s| s.model == run.chosen).map(|s| s.predictions.clone()).unwrap_or_default();
    let report = serde_json::json!({
        "chosen": run.chosen.name(),
        "backtest": backtest,
        "backtest_points": backtest_points,
        "backtest_horizon_days": run.backtest_horizon_days,
        "excluded_days": excluded,
    });
    Ok(ForecastRun { chosen: run.chosen.name().to_string(), report, points: run.forecast })
}

/// What a staffing plan must achieve, and the load's handling time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    /// Service level to reach, in (0, 1).
    pub service_level: f64,
    /// Its answer-time threshold, seconds.
    pub answer_time_s: f64,
    /// Highest occupancy, in (0, 1]; none for no limit.
    pub max_occupancy: Option<f64>,
    /// Share of paid time off the phones, in [0, 1).
    pub shrinkage: f64,
    /// Average handling time, seconds.
    pub aht_s: f64,
    /// Interval length, seconds (the forecast's).
    pub interval_s: f64,
}

impl Targets {
    fn target(&self) -> Target {
        Target {
            service_level: self.service_level,
            answer_time_s: self.answer_time_s,
            max_occupancy: self.max_occupancy,
            max_asa_s: None,
        }
    }
}

/// One interval of a staffing plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaffRow {
    /// Wall-clock seconds of the interval start.
    pub ts: i64,
    pub calls: f64,
    /// Agents on line (Erlang C).
    pub on_line: u32,
    /// Agents to schedule under shrinkage.
    pub scheduled: u32,
    pub service_level: f64,
    pub asa_s: f64,
    pub occupancy: f64,
}

/// Erlang C staffing of every forecast interval (`wfm::erlang::staff`).
pub fn staff_plan(points: &[(i64, f64)], t: &Targets) -> Result<Vec<StaffRow>, Refusal> {
    let target = t.target();
    points
        .iter()
        .map(|&(ts, calls)| {
            let load = Load::new(calls, t.interval_s, t.aht_s).map_err(Refusal::from_wfm)?;
            let s = erlang::staff(&load, &target, None, t.shrinkage).map_err(Refusal::from_wfm)?;
            Ok(StaffRow {
                ts,
                calls,
                on_line: s.on_line,
                scheduled: s.scheduled,
                service_level: s.metrics.service_level,
                asa_s: s.metrics.asa_s,
                occupancy: s.metrics.occupancy,
            })
        })
        .collect()
}

/// The what-if curve of one interval: service level for agent counts around
/// the plan's (`wfm::erlang::erlang_c_metrics`), from the first count above
/// the load to a few past the plan.
pub fn sl_curve(calls: f64, t: &Targets, planned: u32) -> Vec<(u32, f64)> {
    let Ok(load) = Load::new(calls, t.interval_s, t.aht_s) else { return Vec::new() };
    let first = (load.erlangs().floor() as u32 + 1).max(planned.saturating_sub(6)).max(1);
    (first..=planned + 6).map(|n| (n, erlang::erlang_c_metrics(&load, n, t.answer_time_s).service_level)).collect()
}

/// Shift length of the simple generator, minutes.
pub const SHIFT_MIN: u32 = 8 * 60;

/// Drafts a schedule for `operators` (login, name) meeting the per-interval
/// requirement of a staffing plan (`scheduled` agents), with the real
/// scheduler (`wfm::schedule`: RU labour rules, 40-hour weeks, 9-hour shifts
/// with lunch and breaks placed against the requirement). Should the rules
/// leave it no solution, or a roster less covering than the simple generator
/// below (e.g. over a horizon shorter than a week), the generator's draft is
/// taken instead.
pub fn build_schedule(rows: &[StaffRow], interval_s: i64, operators: &[(String, String)]) -> Roster {
    let simple = simple_schedule(rows, interval_s, operators);
    // The scheduler keeps weekly hours per week of the plan and pro-rates a
    // short last week (40 h over 5 of 7 days = 28.6 h). A plan of five
    // weekdays is a whole working week, though: the days after it are the
    // rest days. So schedule whole weeks with no requirement past the
    // horizon (the rest falls there) and cut the roster back to the horizon.
    let whole_weeks = simple.days.div_ceil(7).max(1) * 7;
    let mut need = requirement(rows, &simple);
    need.resize(whole_weeks as usize, vec![0.0; simple.intervals_per_day()]);
    let input = wfm::schedule::ScheduleInput {
        interval_min: simple.interval_min,
        start_date: simple.start_date.clone(),
        days: whole_weeks,
        requirement: Some(need),
        calls: None,
        aht_s: None,
        target: None,
        operators: operators
            .iter()
            .map(|(id, name)| wfm::schedule::OperatorSpec {
                id: id.clone(),
                name: name.clone(),
                skills: Vec::new(),
                weekly_hours: 40.0,
                preferred_start: None,
                days_off_wished: Vec::new(),
                leave_days: Vec::new(),
            })
            .collect(),
        templates: vec![wfm::schedule::ShiftTemplate {
            name: "day".into(),
            earliest_start_min: 0,
            latest_start_min: 1440 - 9 * 60,
            // 8 h or 8.5 h paid with the lunch the rules set (30 min in RU):
            // five 8-hour days fill a 40-hour week.
            lengths_min: vec![8 * 60 + 30, 9 * 60],
            start_step_min: None,
        }],
        rules: wfm::schedule::RulesSpec::default(),
        preference_weight: None,
        day_off_weight: None,
    };
    let need = requirement(rows, &simple);
    let under = |r: &Roster| -> f64 {
        let cov = r.coverage();
        need.iter().zip(&cov).flat_map(|(n, c)| n.iter().zip(c).map(|(n, c)| (n - c).max(0.0))).sum()
    };
    match wfm::schedule::schedule(&input, &mut |_, _| {}) {
        // Kept only when it covers at least as well as the simple generator.
        Ok(done) => {
            let roster = within(done.roster, simple.days);
            if under(&roster) <= under(&simple) + 1e-9 {
                roster
            } else {
                simple
            }
        }
        Err(e) => {
            tracing::info!("scheduler found no roster ({e}); using the simple generator");
            simple
        }
    }
}

/// `roster` cut back to its first `days` days.
fn within(mut roster: Roster, days: u32) -> Roster {
    roster.days = days;
    for op in &mut roster.operators {
        op.shifts.retain(|s| s.day < days);
        op.leave_days.retain(|d| *d < days);
    }
    roster
}

/// The staffing plan's `scheduled` agents as `[day][interval]` of `shape`.
fn requirement(rows: &[StaffRow], shape: &Roster) -> Vec<Vec<f64>> {
    let step = i64::from(shape.interval_min) * 60;
    let first_day = rows.iter().map(|r| r.ts.div_euclid(86_400)).min().unwrap_or(0);
    let mut need = vec![vec![0.0f64; shape.intervals_per_day()]; shape.days as usize];
    for r in rows {
        let day = (r.ts.div_euclid(86_400) - first_day) as usize;
        let slot = (r.ts.rem_euclid(86_400) / step) as usize;
        if let Some(x) = need.get_mut(day).and_then(|d| d.get_mut(slot)) {
            *x = x.max(f64::from(r.scheduled));
        }
    }
    need
}

/// The simple generator: per day, while some interval
/// is short of staff and an operator has no shift that day (operators taken
/// round-robin, starting a day later each day, so everyone gets days off in
/// turn), start an eight-hour shift at the first short interval (moved
/// earlier if it would run past midnight), with a 15-minute break after two
/// hours, a 45-minute lunch after four and a 15-minute break after six.
/// Coverage counts time on line only (`Roster::coverage`), so breaks create
/// gaps later shifts fill.
fn simple_schedule(rows: &[StaffRow], interval_s: i64, operators: &[(String, String)]) -> Roster {
    let interval_min = u32::try_from(interval_s / 60).unwrap_or(15).clamp(1, 1440);
    let interval_min = if 1440 % interval_min == 0 { interval_min } else { 15 };
    let first_day = rows.iter().map(|r| r.ts.div_euclid(86_400)).min().unwrap_or(0);
    let last_day = rows.iter().map(|r| r.ts.div_euclid(86_400)).max().unwrap_or(first_day);
    let days = (last_day - first_day + 1) as u32;
    let per_day = (1440 / interval_min) as usize;
    let start_date = forecast::Date::from_days(first_day).to_string();
    let shape = Roster { interval_min, start_date, days, operators: Vec::new() };
    let need = requirement(rows, &shape);
    let mut ops: Vec<RosterOperator> = operators
        .iter()
        .map(|(id, name)| RosterOperator {
            id: id.clone(),
            name: name.clone(),
            skills: Vec::new(),
            shifts: Vec::new(),
            leave_days: Vec::new(),
        })
        .collect();
    let step = interval_min as usize;
    for (day, need) in need.iter().enumerate() {
        let mut have = vec![0.0f64; per_day];
        let n = ops.len();
        for k in 0..n {
            let Some(slot) = (0..per_day).find(|s| have[*s] + 1e-9 < need[*s]) else { break };
            let start = ((slot * step) as u32).min(1440 - SHIFT_MIN);
            let at = |h: u32| start + h;
            let activities = vec![
                Activity { kind: ActivityKind::Break, start_min: at(120), end_min: at(135) },
                Activity { kind: ActivityKind::Lunch, start_min: at(240), end_min: at(285) },
                Activity { kind: ActivityKind::Break, start_min: at(360), end_min: at(375) },
            ];
            let shift = RosterShift { day: day as u32, start_min: start, end_min: start + SHIFT_MIN, activities };
            for (s, h) in have.iter_mut().enumerate() {
                *h += on_line_share(&shift, (s * step) as u32, step as u32);
            }
            ops[(k + day) % n].shifts.push(shift);
        }
    }
    Roster { operators: ops, ..shape }
}

/// The share of `[from, from + len)` the shift is on line.
fn on_line_share(s: &RosterShift, from: u32, len: u32) -> f64 {
    let overlap = |a: u32, b: u32| b.min(from + len).saturating_sub(a.max(from));
    let off: u32 = s.activities.iter().map(|a| overlap(a.start_min, a.end_min)).sum();
    f64::from(overlap(s.start_min, s.end_min).saturating_sub(off)) / f64::from(len)
}

/// Reads and checks an uploaded roster: JSON shape, `Roster::validate`, and
/// that every operator id is the login of a known user. Unknown ids are all
/// reported, each with its row (1-based position in `operators`).
pub fn check_roster(json: &str, known: &dyn Fn(&str) -> Option<i64>) -> Result<(Roster, Vec<(String, i64)>), Refusal> {
    let roster: Roster = serde_json::from_str(json).map_err(|e| Refusal::plain(format!("roster JSON: {e}")))?;
    roster.validate().map_err(Refusal::from_wfm)?;
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for (i, op) in roster.operators.iter().enumerate() {
        if found.iter().any(|(l, _): &(String, i64)| *l == op.id) {
            unknown.push(format!("row {}: operator {:?} appears twice", i + 1, op.id));
            continue;
        }
        match known(&op.id) {
            Some(uid) => found.push((op.id.clone(), uid)),
            None => unknown.push(format!("row {}: unknown operator {:?}", i + 1, op.id)),
        }
    }
    if !unknown.is_empty() {
        return Err(Refusal::plain(unknown.join("; ")));
    }
    Ok((roster, found))
}

/// `HH:MM` of minutes from the start of a day (past 24:00 for night shifts).
pub fn hm(min: u32) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

/// `YYYY-MM-DD HH:MM` of wall-clock seconds.
pub fn wall_clock(ts: i64) -> String {
    TimeFormat::Plain { seconds: false }.format(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A five-weekday plan is a whole working week: the scheduler gives
    /// operators five shifts (not 40 h pro-rated to 5/7 of a week), breaks
    /// are staggered, and the draft covers at least as well as the simple
    /// generator.
    #[test]
    fn a_five_day_plan_is_a_working_week() {
        // Mon 2026-11-02 .. Fri 2026-11-06, 08:00–18:00 in 30-min intervals, 4 agents.
        let monday = 20_759 * 86_400; // days since 1970-01-01
        let rows: Vec<StaffRow> = (0..5)
            .flat_map(|d| (16..36).map(move |slot| (d, slot)))
            .map(|(d, slot)| StaffRow {
                ts: monday + d * 86_400 + slot * 1800,
                calls: 40.0,
                on_line: 4,
                scheduled: 4,
                service_level: 0.8,
                asa_s: 10.0,
                occupancy: 0.8,
            })
            .collect();
        let ops: Vec<(String, String)> = (1..=7).map(|i| (format!("op{i}"), format!("Оператор {i}"))).collect();
        let roster = build_schedule(&rows, 1800, &ops);
        assert_eq!(roster.days, 5);
        assert!(roster.operators.iter().flat_map(|o| &o.shifts).all(|s| s.day < 5));
        let most = roster.operators.iter().map(|o| o.shifts.len()).max().unwrap_or(0);
        assert_eq!(most, 5, "someone works the whole week");
        let need = requirement(&rows, &roster);
        let cov = roster.coverage();
        let under = |cov: &[Vec<f64>]| -> f64 {
            need.iter().zip(cov).flat_map(|(n, c)| n.iter().zip(c).map(|(n, c)| (n - c).max(0.0))).sum()
        };
        let simple = simple_schedule(&rows, 1800, &ops);
        assert!(under(&cov) <= under(&simple.coverage()) + 1e-9);
        // Nobody's lunch leaves the floor empty: every open interval keeps someone on line.
        for (d, day) in need.iter().enumerate() {
            for (i, n) in day.iter().enumerate() {
                if *n > 0.0 {
                    assert!(cov[d][i] > 0.0, "day {d} interval {i} left bare");
                }
            }
        }
    }

    #[test]
    fn history_rows_are_all_or_nothing_with_the_line() {
        let ok = "timestamp,calls,aht_s\n2026-11-02 09:00,10,200\n2026-11-02 09:30,12,\n2026-11-02 10:00,8,180\n";
        let (step, pts) = parse_history(ok.as_bytes()).unwrap();
        assert_eq!(step, 1800);
        assert_eq!(pts.len(), 3);
        assert_eq!(pts[0].aht_s, Some(200.0));
        assert_eq!(pts[1].aht_s, None);
        let bad = ok.replace("12,", "twelve,");
        assert_eq!(parse_history(bad.as_bytes()).unwrap_err().line, Some(3));
        let bad_aht = ok.replace(",180", ",-1");
        assert_eq!(parse_history(bad_aht.as_bytes()).unwrap_err().line, Some(4));
    }

    #[test]
    fn centre_points_fill_quiet_intervals_within_a_day_only() {
        let h = 3_600_000;
        let pts = centre_points(&[(9 * h, 3), (12 * h, 1), (24 * h + 9 * h, 2)], 3600, 300);
        let ts: Vec<i64> = pts.iter().map(|p| p.ts / 3600).collect();
        assert_eq!(ts, vec![14, 15, 16, 17, 24 + 14]);
        assert_eq!(pts[1].calls, 0.0);
    }

    #[test]
    fn generated_schedule_meets_the_requirement_when_staff_suffice() {
        let day = 20_000 * 86_400;
        let rows: Vec<StaffRow> = (0..16)
            .map(|i| StaffRow {
                ts: day + 9 * 3600 + i * 1800,
                calls: 10.0,
                on_line: 2,
                scheduled: if i < 8 { 2 } else { 3 },
                service_level: 0.8,
                asa_s: 10.0,
                occupancy: 0.8,
            })
            .collect();
        let ops: Vec<(String, String)> = (1..=12).map(|i| (format!("op{i}"), format!("Op {i}"))).collect();
        let r = build_schedule(&rows, 1800, &ops);
        r.validate().unwrap();
        let cov = r.coverage();
        for (i, row) in rows.iter().enumerate() {
            assert!(
                cov[0][18 + i] >= f64::from(row.scheduled) - 1e-9,
                "slot {i}: {} < {}",
                cov[0][18 + i],
                row.scheduled
            );
        }
        assert!(r.operators.iter().all(|o| o.shifts.len() <= 1));
    }

    #[test]
    fn roster_check_reports_every_unknown_operator_with_its_row() {
        let json = r#"{"interval_min":30,"start_date":"2026-11-30","days":1,"operators":[
            {"id":"op1","shifts":[]},{"id":"ghost","shifts":[]},{"id":"nobody","shifts":[]}]}"#;
        let known = |l: &str| (l == "op1").then_some(7);
        let e = check_roster(json, &known).unwrap_err().message;
        assert!(e.contains("row 2") && e.contains("ghost") && e.contains("row 3"), "{e}");
        let ok = json.replace(r#",{"id":"ghost","shifts":[]},{"id":"nobody","shifts":[]}"#, "");
        assert_eq!(check_roster(&ok, &known).unwrap().1, vec![("op1".to_string(), 7)]);
    }
}
