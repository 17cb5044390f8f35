//! `switchboard wfm …`: the planner's maths from the command line. All the
//! computing is in the pure `wfm` crate; this module parses flags, reads and
//! writes files, and prints.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};
use wfm::erlang::{self, Load, Target};
use wfm::forecast::{self, Method};

#[derive(Subcommand)]
pub enum WfmCommand {
    /// Staff one interval with Erlang C (or Erlang A with --patience-s).
    Erlang(ErlangArgs),
    /// Forecast interval volumes from a `timestamp,calls` history.
    Forecast(ForecastArgs),
    /// Resources per day and shift (pyworkforce MinAbsDifference / MinRequiredResources input).
    Shifts(ShiftsArgs),
    /// Build a roster (shifts, breaks, lunches) from operators, templates and rules.
    Schedule(ScheduleArgs),
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
    /// History CSV with a `timestamp,calls` header (RFC 3339 or `YYYY-MM-DD HH:MM`).
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
}

pub fn run(action: WfmCommand) -> anyhow::Result<()> {
    match action {
        WfmCommand::Erlang(args) => erlang_cmd(&args),
        WfmCommand::Forecast(args) => forecast_cmd(&args),
        WfmCommand::Shifts(args) => crate::wfm_schedule_cli::shifts_cmd(&args.input, &args.out),
        WfmCommand::Schedule(args) => {
            crate::wfm_schedule_cli::schedule_cmd(&args.input, &args.out, args.report.as_deref(), args.json)
        }
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
    let text = read(&a.history)?;
    let series = forecast::Series::parse_csv(&text).with_context(|| format!("cannot read {}", a.history.display()))?;
    let options = forecast::BacktestOptions { weeks: a.backtest_weeks };
    eprintln!(
        "history: {} intervals of {} min over {} operating days; backtesting…",
        series.values.len(),
        series.calendar.step_s / 60,
        series.days.len()
    );
    // A one-line progress bar on stderr, only when it is a terminal.
    let tty = std::io::stderr().is_terminal();
    let mut progress = |done: usize, total: usize| {
        if tty {
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!("\r[{}{}] {done}/{total} backtest runs", "#".repeat(filled), " ".repeat(width - filled));
            if done == total {
                eprintln!();
            }
        }
    };
    let result = forecast::run_with_progress(&series, method, a.horizon_days, &options, &mut progress)?;
    let csv = series.to_csv(&result.forecast);
    std::fs::write(&a.out, csv).with_context(|| format!("cannot write {}", a.out.display()))?;
    for s in &result.backtest {
        eprintln!("  {:<16} WAPE {:.4}  MASE {:.4}", s.model.name(), s.wape, s.mase);
    }
    eprintln!("chosen: {} → {} rows in {}", result.chosen.name(), result.forecast.len(), a.out.display());
    if let Some(path) = &a.report {
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
                "excluded_days": result.excluded_days.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            },
            "backtest": {
                "weeks": options.weeks,
                "horizon_days": result.backtest_horizon_days,
                "metric": "WAPE (choice), MASE scaled by in-sample seasonal-naive MAE",
            },
            "models": models,
            "chosen": result.chosen.name(),
            "method": a.method,
            "horizon_days": a.horizon_days,
        });
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
