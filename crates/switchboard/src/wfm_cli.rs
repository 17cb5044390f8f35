//! `switchboard wfm …`: the planner's maths from the command line. All the
//! computing is in the pure `wfm` crate; this module parses flags, reads and
//! writes files, and prints.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};
use std::time::Instant;
use wfm::erlang::{self, Load, Target};
use wfm::forecast::time::{parse_timestamp, TimeFormat};
use wfm::forecast::{self, history, Method};
use wfm::roster::Roster;
use wfm::sim;

#[derive(Subcommand)]
pub enum WfmCommand {
    /// Staff one interval with Erlang C (or Erlang A with --patience-s).
    Erlang(ErlangArgs),
    /// Forecast interval volumes from a `timestamp,calls` history.
    Forecast(ForecastArgs),
    /// Replay a roster against arrivals through the routing engine (docs/WFM.md, "Simulation").
    Simulate(SimulateArgs),
    /// Resources per day and shift (pyworkforce MinAbsDifference / MinRequiredResources input).
    Shifts(ShiftsArgs),
    /// Build a roster (shifts, breaks, lunches) from operators, templates and rules.
    Schedule(ScheduleArgs),
    /// Re-forecast the rest of a day from its actual volumes so far.
    Reforecast(crate::wfm_planning_cli::ReforecastArgs),
    /// Forecast unplanned shrinkage (absence) per date from a `date,shrinkage` history.
    Shrinkage(crate::wfm_planning_cli::ShrinkageArgs),
    /// Spread operators' annual leave over the weeks where it costs least coverage.
    Vacation(crate::wfm_planning_cli::VacationArgs),
}

#[derive(Args)]
pub struct ShiftsArgs {
    /// pyworkforce-style JSON: num_days, periods, shifts_coverage, required_resources,
    /// max_period_concurrency, max_shift_concurrency [, cost_dict → MinRequiredResources].
    #[arg(long)]
    input: PathBuf,
    /// Where to write the answer: {"status","cost","resources_shifts","total_abs_difference","problem"}.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct ScheduleArgs {
    /// Schedule input JSON (see docs/WFM.md, "wfm schedule").
    #[arg(long)]
    input: PathBuf,
    /// Where to write the roster JSON.
    #[arg(long)]
    out: PathBuf,
    /// Where to write the full coverage report (per-interval required, covered, SL).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ErlangArgs {
    /// Contacts offered in the interval.
    #[arg(long)]
    calls: f64,
    /// Interval length, minutes.
    #[arg(long)]
    interval_min: f64,
    /// Average handling time, seconds.
    #[arg(long)]
    aht_s: f64,
    /// Target service level, a share in (0, 1).
    #[arg(long)]
    target_sl: f64,
    /// Answer-time threshold of the service level, seconds.
    #[arg(long)]
    target_time_s: f64,
    /// Highest acceptable occupancy, in (0, 1].
    #[arg(long)]
    max_occupancy: Option<f64>,
    /// Highest acceptable ASA, seconds.
    #[arg(long)]
    target_asa_s: Option<f64>,
    /// Share of paid time not available for contacts, in [0, 1).
    #[arg(long, default_value_t = 0.0)]
    shrinkage: f64,
    /// Mean caller patience, seconds: switches to Erlang A (with abandonment).
    #[arg(long)]
    patience_s: Option<f64>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ForecastArgs {
    /// History with a `timestamp,calls[,aht_s]` header (RFC 3339 or
    /// `YYYY-MM-DD HH:MM`): CSV, or an `.xlsx` workbook (first sheet).
    #[arg(long)]
    history: PathBuf,
    /// Number of operating days to forecast.
    #[arg(long)]
    horizon_days: usize,
    /// Where to write the forecast CSV (`timestamp,calls`).
    #[arg(long)]
    out: PathBuf,
    /// Model: auto (lowest backtest WAPE) or one of the model names.
    #[arg(long, default_value = "auto")]
    method: String,
    /// Where to write the backtest report (JSON).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Weeks at the end of the history used as backtest origins.
    #[arg(long, default_value_t = 4)]
    backtest_weeks: usize,
    /// The planner's decisions on flagged points and days (JSON array of
    /// {"target", "action": keep|fix|label, "label"}), applied before forecasting.
    #[arg(long)]
    decisions: Option<PathBuf>,
}

#[derive(Args)]
pub struct SimulateArgs {
    /// Roster JSON (the shape of `wfm::roster::Roster`).
    #[arg(long)]
    roster: PathBuf,
    /// Arrivals CSV `timestamp,calls[,skill]` (e.g. the forecast's output);
    /// the roster's start_date at 00:00 is day 0.
    #[arg(long)]
    arrivals: PathBuf,
    /// Mean handling time, seconds.
    #[arg(long)]
    aht_s: f64,
    /// Coefficient of variation of the handling time: log-normal unless 1
    /// (default: exponential).
    #[arg(long)]
    aht_cv: Option<f64>,
    /// Mean caller patience, seconds (exponential); default: nobody abandons.
    #[arg(long)]
    patience_s: Option<f64>,
    /// Answer-time threshold T of the service level, seconds.
    #[arg(long, default_value_t = 20.0)]
    target_time_s: f64,
    /// Short-abandon threshold S, seconds.
    #[arg(long, default_value_t = 5.0)]
    short_abandon_s: f64,
    /// Routing mode: longest-idle, least-occupied or round-robin.
    #[arg(long, default_value = "longest-idle")]
    mode: String,
    /// Independent replications (means and 95 % half-widths).
    #[arg(long, default_value_t = 1)]
    replications: u32,
    /// Seed of the random numbers (same seed, same result).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print one JSON object (totals, per day, per operator).
    #[arg(long)]
    json: bool,
    /// Write per-interval results to this CSV.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Compare with Erlang C (Erlang A with --patience-s) for the on-line staff, per interval.
    #[arg(long)]
    erlang_check: bool,
}

pub fn run(action: WfmCommand) -> anyhow::Result<()> {
    match action {
        WfmCommand::Erlang(args) => erlang_cmd(&args),
        WfmCommand::Forecast(args) => forecast_cmd(&args),
        WfmCommand::Simulate(args) => simulate_cmd(&args),
        WfmCommand::Shifts(args) => crate::wfm_schedule_cli::shifts_cmd(&args.input, &args.out),
        WfmCommand::Schedule(args) => {
            crate::wfm_schedule_cli::schedule_cmd(&args.input, &args.out, args.report.as_deref(), args.json)
        }
        WfmCommand::Reforecast(args) => crate::wfm_planning_cli::reforecast_cmd(&args),
        WfmCommand::Shrinkage(args) => crate::wfm_planning_cli::shrinkage_cmd(&args),
        WfmCommand::Vacation(args) => crate::wfm_planning_cli::vacation_cmd(&args),
    }
}

fn erlang_cmd(a: &ErlangArgs) -> anyhow::Result<()> {
    if !(a.interval_min.is_finite() && a.interval_min > 0.0) {
        bail!("--interval-min must be a number > 0, got {}", a.interval_min);
    }
    let load = Load::new(a.calls, a.interval_min * 60.0, a.aht_s)?;
    let target = Target {
        service_level: a.target_sl,
        answer_time_s: a.target_time_s,
        max_occupancy: a.max_occupancy,
        max_asa_s: a.target_asa_s,
    };
    let s = erlang::staff(&load, &target, a.patience_s, a.shrinkage)?;
    let m = s.metrics;
    if a.json {
        let mut obj = Map::new();
        obj.insert("agents_on_line".into(), json!(s.on_line));
        obj.insert("agents_scheduled".into(), json!(s.scheduled));
        obj.insert("service_level".into(), json!(m.service_level));
        obj.insert("asa_s".into(), json!(m.asa_s));
        obj.insert("occupancy".into(), json!(m.occupancy));
        obj.insert("p_wait".into(), json!(m.p_wait));
        if let Some(ab) = m.abandon_rate {
            obj.insert("abandon_rate".into(), json!(ab));
        }
        println!("{}", Value::Object(obj));
    } else {
        let model = if a.patience_s.is_some() { "Erlang A" } else { "Erlang C" };
        println!("model             {model} (load {:.3} erlangs)", load.erlangs());
        println!("agents on line    {}", s.on_line);
        println!("agents scheduled  {} (shrinkage {:.1} %)", s.scheduled, a.shrinkage * 100.0);
        println!("service level     {:.2} % within {} s", m.service_level * 100.0, a.target_time_s);
        println!("ASA               {:.1} s", m.asa_s);
        println!("occupancy         {:.2} %", m.occupancy * 100.0);
        println!("P(wait)           {:.2} %", m.p_wait * 100.0);
        if let Some(ab) = m.abandon_rate {
            println!("abandonment       {:.2} %", ab * 100.0);
        }
    }
    Ok(())
}

fn forecast_cmd(a: &ForecastArgs) -> anyhow::Result<()> {
    if a.horizon_days == 0 {
        bail!("--horizon-days must be at least 1");
    }
    let method = Method::parse(&a.method).with_context(|| {
        format!("unknown --method {:?}; use auto or one of: {}", a.method, Method::names().join(", "))
    })?;
    let started = Instant::now();
    let series = read_history(&a.history)?;
    let flags = history::detect(&series, &history::DetectOptions::default());
    let decisions = match &a.decisions {
        Some(path) => parse_decisions(&read(path)?).with_context(|| format!("cannot read {}", path.display()))?,
        None => Vec::new(),
    };
    let cleaned = history::apply(&series, &flags, &decisions)?;
    let options = forecast::BacktestOptions { weeks: a.backtest_weeks };
    eprintln!(
        "history: {} intervals of {} min over {} operating days, {} flags; backtesting…",
        series.values.len(),
        series.calendar.step_s / 60,
        series.days.len(),
        flags.flags.len()
    );
    // A one-line progress bar on stderr, only when it is a terminal and the
    // run has taken more than a second. Backtest runs go model by model, so
    // the time of each model's runs is recorded for the report.
    let tty = std::io::stderr().is_terminal();
    let mut last = Instant::now();
    let mut per_run: Vec<f64> = Vec::new();
    let mut progress = |done: usize, total: usize| {
        per_run.push(last.elapsed().as_secs_f64());
        last = Instant::now();
        if tty && started.elapsed().as_secs_f64() > 1.0 {
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!("\r[{}{}] {done}/{total} backtest runs", "#".repeat(filled), " ".repeat(width - filled));
            if done == total {
                eprintln!();
            }
        }
    };
    let result = forecast::run_with_progress(&cleaned, method, a.horizon_days, &options, &mut progress)?;
    let csv = match &result.aht {
        Some(aht) => forecast_csv_with_aht(&series, &result.forecast, aht),
        None => series.to_csv(&result.forecast),
    };
    std::fs::write(&a.out, csv).with_context(|| format!("cannot write {}", a.out.display()))?;
    for s in &result.backtest {
        eprintln!("  {:<16} WAPE {:.4}  MASE {:.4}", s.model.name(), s.wape, s.mase);
    }
    eprintln!(
        "chosen: {} → {} rows in {} ({:.1} s)",
        result.chosen.name(),
        result.forecast.len(),
        a.out.display(),
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = &a.report {
        // Base models ran origin by origin in model order; the combination
        // reuses their forecasts and takes no extra time of its own.
        let runs_per_model = per_run.len() / forecast::Model::BASE.len().max(1);
        let model_seconds = |m: forecast::Model| -> Option<f64> {
            let i = forecast::Model::BASE.iter().position(|b| *b == m)?;
            per_run.get(i * runs_per_model..(i + 1) * runs_per_model).map(|r| r.iter().sum())
        };
        let models: Vec<Value> = result
            .backtest
            .iter()
            .map(|s| {
                json!({
                    "model": s.model.name(),
                    "wape": s.wape,
                    "mase": s.mase,
                    "origins": s.origin_wapes.len(),
                    "wape_per_origin": s.origin_wapes,
                    "backtest_seconds": model_seconds(s.model),
                })
            })
            .collect();
        let report = json!({
            "history": {
                "file": a.history.display().to_string(),
                "intervals": series.values.len(),
                "interval_min": series.calendar.step_s / 60,
                "operating_days": series.days.len(),
                "open_weekdays": series.calendar.open_weekday_names(),
                "missing_intervals": series.missing.len(),
                "has_aht": series.aht.is_some(),
                "closed_days": series.closed_days.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                "excluded_days": result.excluded_days.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                "flags": flags_json(&series, &flags),
                "decisions_applied": decisions.len(),
            },
            "backtest": {
                "weeks": options.weeks,
                "horizon_days": result.backtest_horizon_days,
                "metric": "WAPE (choice), MASE scaled by in-sample seasonal-naive MAE",
            },
            "models": models,
            "chosen": result.chosen.name(),
            "combo_weights": result.combo_weights.iter().map(|(m, w)| json!({"model": m.name(), "weight": w})).collect::<Vec<_>>(),
            "method": a.method,
            "horizon_days": a.horizon_days,
            "seconds": started.elapsed().as_secs_f64(),
        });
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Reads a history file, CSV or a workbook (`.xlsx`/`.xlsm`/`.xls`/`.ods`,
/// first sheet, first row the header), by `wfm::forecast::Table::read` — the
/// same reading as the planner's room.
fn read_history(path: &Path) -> anyhow::Result<forecast::Series> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    forecast::Series::read(&bytes).with_context(|| format!("cannot read {}", path.display()))
}

/// `timestamp,calls,aht_s` when the history had handling times.
fn forecast_csv_with_aht(series: &forecast::Series, rows: &[(i64, f64)], aht: &[f64]) -> String {
    let mut out = String::from("timestamp,calls,aht_s\n");
    for (&(ts, v), a) in rows.iter().zip(aht) {
        let a = if a.is_finite() { format!("{a:.1}") } else { String::new() };
        out.push_str(&format!("{},{v:.2},{a}\n", series.format.format(ts)));
    }
    out
}

fn target_text(series: &forecast::Series, t: &history::Target) -> String {
    match t {
        history::Target::Interval(ts) => series.format.format(*ts),
        history::Target::Day(d) => d.to_string(),
    }
}

fn flags_json(series: &forecast::Series, report: &history::HistoryReport) -> Value {
    let finite = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
    Value::Array(
        report
            .flags
            .iter()
            .map(|f| {
                json!({
                    "target": target_text(series, &f.target),
                    "kind": f.kind.name(),
                    "value": finite(f.value),
                    "expected": finite(f.expected),
                    "reason": f.reason,
                })
            })
            .collect(),
    )
}

/// The planner's decisions: a JSON array of `{"target": "YYYY-MM-DD" or a
/// timestamp as in the history, "action": "keep"|"fix"|"label",
/// "label": "promotion"|"outage"|"holiday"|…}`.
fn parse_decisions(text: &str) -> anyhow::Result<Vec<(history::Target, history::Action)>> {
    let v: Value = serde_json::from_str(text).context("decisions must be a JSON array")?;
    let items = v.as_array().context("decisions must be a JSON array")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let n = i + 1;
        let target = item["target"].as_str().with_context(|| format!("decision {n}: target missing"))?;
        let target = if target.len() == 10 {
            let d = forecast::time::parse_timestamp(&format!("{target} 00:00"))
                .map_err(|e| anyhow::anyhow!("decision {n}: {e}"))?;
            history::Target::Day(forecast::Date::from_days(d.0.div_euclid(86_400)))
        } else {
            let (ts, _) = forecast::time::parse_timestamp(target).map_err(|e| anyhow::anyhow!("decision {n}: {e}"))?;
            history::Target::Interval(ts)
        };
        let action = match item["action"].as_str() {
            Some("keep") => history::Action::Keep,
            Some("fix") => history::Action::Fix,
            Some("label") => {
                let label = item["label"].as_str().with_context(|| format!("decision {n}: label missing"))?;
                history::Action::Label(history::Label::parse(label))
            }
            other => bail!("decision {n}: action must be keep, fix or label; got {other:?}"),
        };
        out.push((target, action));
    }
    Ok(out)
}

/// A one-line progress bar on stderr, only when it is a terminal.
fn progress_bar(what: &'static str) -> impl FnMut(usize, usize) {
    let tty = std::io::stderr().is_terminal();
    move |done: usize, total: usize| {
        if tty {
            let width = 30;
            let filled = (done * width / total.max(1)).min(width);
            eprint!("\r[{}{}] {done}/{total} {what}", "#".repeat(filled), " ".repeat(width - filled));
            if done >= total {
                eprintln!();
            }
        }
    }
}

fn simulate_cmd(a: &SimulateArgs) -> anyhow::Result<()> {
    let text = read(&a.roster)?;
    let roster: Roster =
        serde_json::from_str(&text).with_context(|| format!("{} is not a roster (JSON)", a.roster.display()))?;
    roster.validate().with_context(|| format!("bad roster {}", a.roster.display()))?;
    let arrivals = sim::Arrivals::parse_csv(&read(&a.arrivals)?, &roster)
        .with_context(|| format!("cannot read {}", a.arrivals.display()))?;
    if arrivals.ignored_rows > 0 {
        eprintln!("note: {} arrivals rows fall outside the roster's days and are ignored", arrivals.ignored_rows);
    }
    let mut cfg = sim::Config::new(sim::Dist::from_mean_cv(a.aht_s, a.aht_cv));
    cfg.patience = a.patience_s.map(|mean_s| sim::Dist::Exponential { mean_s });
    cfg.target_time_s = a.target_time_s;
    cfg.short_abandon_s = a.short_abandon_s;
    cfg.mode = sim::Mode::from_name(&a.mode)
        .with_context(|| format!("unknown --mode {:?}; use longest-idle, least-occupied or round-robin", a.mode))?;
    cfg.replications = a.replications;
    cfg.seed = a.seed;
    let mut progress = progress_bar("days simulated");
    let r = sim::simulate(&roster, &arrivals, &cfg, &mut progress)?;
    let (start, _) = parse_timestamp(&format!("{} 00:00", roster.start_date))
        .map_err(|_| anyhow::anyhow!("roster start_date {:?} is not a date", roster.start_date))?;
    let step_s = i64::from(roster.interval_min) * 60;
    let fmt = TimeFormat::Plain { seconds: false };
    let interval_s = step_s as f64;
    let check = if a.erlang_check {
        let on_roster =
            sim::erlang_check(&r.staff, &r.expected_calls, interval_s, a.aht_s, a.target_time_s, a.patience_s)?;
        let working = sim::erlang_check(
            &r.effective_staff(),
            &r.expected_calls,
            interval_s,
            a.aht_s,
            a.target_time_s,
            a.patience_s,
        )?;
        Some((on_roster, working))
    } else {
        None
    };
    if let Some(path) = &a.out {
        let mut csv = String::from(
            "timestamp,staff,offered,answered,abandoned,short_abandoned,service_level,asa_s,abandon_rate,occupancy",
        );
        if check.is_some() {
            csv.push_str(",erlang_service_level");
        }
        csv.push('\n');
        let num = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
        for (i, c) in r.intervals.iter().enumerate() {
            csv.push_str(&format!(
                "{},{},{:.2},{:.2},{:.2},{:.2},{},{},{},{}",
                fmt.format(start + i as i64 * step_s),
                r.staff[i],
                c.offered,
                c.answered,
                c.abandoned,
                c.short_abandoned,
                num(c.service_level()),
                num(c.asa_s()),
                num(c.abandon_rate()),
                num(c.occupancy()),
            ));
            if let Some((on_roster, _)) = &check {
                csv.push(',');
                csv.push_str(&num(on_roster.intervals[i]));
            }
            csv.push('\n');
        }
        std::fs::write(path, csv).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let est = |e: Option<sim::Estimate>| match e {
        Some(e) => json!({"mean": e.mean, "half_width": e.half_width}),
        None => Value::Null,
    };
    if a.json {
        let days: Vec<Value> = r
            .days
            .iter()
            .enumerate()
            .map(|(d, c)| {
                json!({
                    "date": fmt.format(start + d as i64 * 86_400).get(..10),
                    "offered": c.offered,
                    "answered": c.answered,
                    "abandoned": c.abandoned,
                    "short_abandoned": c.short_abandoned,
                    "service_level": c.service_level(),
                    "asa_s": c.asa_s(),
                    "abandon_rate": c.abandon_rate(),
                    "occupancy": c.occupancy(),
                })
            })
            .collect();
        let operators: Vec<Value> = r
            .operators
            .iter()
            .map(|o| json!({"id": o.id, "answered": o.answered, "occupancy": o.occupancy()}))
            .collect();
        let t = &r.totals;
        let mut obj = json!({
            "replications": r.replications,
            "seed": a.seed,
            "mode": a.mode,
            "totals": {
                "offered": t.offered,
                "answered": t.answered,
                "abandoned": t.abandoned,
                "short_abandoned": t.short_abandoned,
                "unserved": t.unserved,
                "service_level": est(r.service_level),
                "asa_s": est(r.asa_s),
                "abandon_rate": est(r.abandon_rate),
                "occupancy": est(r.occupancy),
            },
            "days": days,
            "operators": operators,
        });
        if let Some((on_roster, working)) = &check {
            obj["erlang_check"] = json!({
                "model": if a.patience_s.is_some() { "erlang_a" } else { "erlang_c" },
                "service_level_roster_staff": on_roster.service_level,
                "service_level_working_staff": working.service_level,
            });
        }
        println!("{obj}");
        return Ok(());
    }
    if let Some((on_roster, _)) = &check {
        println!("{:<17} {:>6} {:>8} {:>9} {:>9}", "interval", "staff", "offered", "Erlang SL", "sim SL");
        for (i, c) in r.intervals.iter().enumerate() {
            let Some(p) = on_roster.intervals[i] else { continue };
            let sim_sl = c.service_level().map_or("—".into(), |v| format!("{:.2} %", v * 100.0));
            println!(
                "{:<17} {:>6.2} {:>8.1} {:>7.2} % {:>9}",
                fmt.format(start + i as i64 * step_s),
                r.staff[i],
                c.offered,
                p * 100.0,
                sim_sl
            );
        }
    }
    let pct = |e: Option<sim::Estimate>| match e {
        Some(sim::Estimate { mean, half_width: Some(h) }) => format!("{:.2} % ± {:.2}", mean * 100.0, h * 100.0),
        Some(e) => format!("{:.2} %", e.mean * 100.0),
        None => "—".into(),
    };
    let t = &r.totals;
    println!("replications      {} (seed {}, mode {})", r.replications, a.seed, a.mode);
    println!("offered           {:.1}", t.offered);
    println!("answered          {:.1}", t.answered);
    println!("abandoned         {:.1} (+ {:.1} short, {:.1} never served)", t.abandoned, t.short_abandoned, t.unserved);
    println!("service level     {} within {} s", pct(r.service_level), a.target_time_s);
    match r.asa_s {
        Some(sim::Estimate { mean, half_width }) => {
            println!("ASA               {mean:.1} s{}", half_width.map(|h| format!(" ± {h:.1}")).unwrap_or_default())
        }
        None => println!("ASA               —"),
    }
    println!("abandonment       {}", pct(r.abandon_rate));
    println!("occupancy         {}", pct(r.occupancy));
    if let Some((on_roster, working)) = &check {
        let model = if a.patience_s.is_some() { "Erlang A" } else { "Erlang C" };
        let p = |x: Option<f64>| x.map_or("—".into(), |v| format!("{:.2} %", v * 100.0));
        println!("{model:<17} {} for the roster's on-line staff", p(on_roster.service_level));
        println!(
            "{:<17} {} for the staff working (incl. contacts finished past breaks and shift ends)",
            "",
            p(working.service_level)
        );
    }
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
