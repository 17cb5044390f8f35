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
use wfm::forecast::{self, history, Cell, Method};

#[derive(Subcommand)]
pub enum WfmCommand {
    /// Staff one interval with Erlang C (or Erlang A with --patience-s).
    Erlang(ErlangArgs),
    /// Forecast interval volumes from a `timestamp,calls` history.
    Forecast(ForecastArgs),
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

pub fn run(action: WfmCommand) -> anyhow::Result<()> {
    match action {
        WfmCommand::Erlang(args) => erlang_cmd(&args),
        WfmCommand::Forecast(args) => forecast_cmd(&args),
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

/// Reads a history file: `.xlsx`/`.xlsm`/`.xls`/`.ods` through calamine
/// (first sheet, first row the header), anything else as CSV text.
fn read_history(path: &Path) -> anyhow::Result<forecast::Series> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let series = if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
        let (header, rows) = read_sheet(path)?;
        forecast::Series::from_table(1, &header, &rows)
    } else {
        forecast::Series::parse_csv(&read(path)?)
    };
    series.with_context(|| format!("cannot read {}", path.display()))
}

/// Numbered (1-based line) rows of cells.
type Rows = Vec<(usize, Vec<Cell>)>;

/// The first sheet of a workbook as a header and numbered rows of cells.
fn read_sheet(path: &Path) -> anyhow::Result<(Vec<String>, Rows)> {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto(path).with_context(|| format!("cannot open {}", path.display()))?;
    let range = book
        .worksheet_range_at(0)
        .with_context(|| format!("{} has no sheet", path.display()))?
        .with_context(|| format!("cannot read the first sheet of {}", path.display()))?;
    let cell = |d: &Data| match d {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(t) => Cell::DateTime(t.as_f64()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    };
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = range.rows().enumerate().map(|(i, r)| (first_row + i + 1, r.iter().map(cell).collect::<Vec<_>>()));
    let header = match rows.next() {
        Some((_, cells)) => cells
            .iter()
            .map(|c| match c {
                Cell::Text(t) => t.clone(),
                _ => String::new(),
            })
            .collect(),
        None => bail!("{}: the first sheet is empty", path.display()),
    };
    Ok((header, rows.collect()))
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

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
