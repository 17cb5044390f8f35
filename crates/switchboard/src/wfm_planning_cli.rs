//! `switchboard wfm reforecast`, `wfm shrinkage` and `wfm vacation`: read
//! the files, call the pure `wfm::forecast::tools` / `planning` /
//! `schedule::vacation`, write the answer. Every check runs before anything
//! is written, so a refused input leaves no output file. These run in
//! milliseconds, so there is no progress bar. Formats in docs/WFM.md.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use serde_json::json;
use wfm::forecast::planning::shrinkage_forecast;
use wfm::forecast::time::{parse_date, WEEKDAY_NAMES};
use wfm::forecast::tools::{self, IntradayReforecast};
use wfm::schedule::vacation::{self, VacationInput};

/// The longest shrinkage horizon, in days.
pub const MAX_SHRINKAGE_DAYS: usize = 3660;

#[derive(Args)]
pub struct ReforecastArgs {
    /// The day's forecast, `timestamp,calls` (e.g. `wfm forecast` output; other days are ignored).
    #[arg(long)]
    forecast: PathBuf,
    /// The day's actual volumes so far, `timestamp,calls`, one row per interval from the first.
    #[arg(long)]
    actuals: PathBuf,
    /// Where to write the rest of the day re-forecast (`timestamp,calls`).
    #[arg(long)]
    out: PathBuf,
    /// Print the summary (with the level factor) as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ShrinkageArgs {
    /// Absence history, `date,shrinkage` (share 0..1 of staff absent unplanned).
    #[arg(long)]
    history: PathBuf,
    /// First date to forecast, YYYY-MM-DD.
    #[arg(long)]
    from: String,
    /// Number of days to forecast.
    #[arg(long)]
    days: usize,
    /// Where to write the forecast (`date,shrinkage`); stdout without it.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct VacationArgs {
    /// Operators with leave entitlements and the FTE required per week (JSON, docs/WFM.md).
    #[arg(long)]
    input: PathBuf,
    /// Where to write the plan (JSON: leave per operator, coverage per week).
    #[arg(long)]
    out: PathBuf,
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// `timestamp,calls` rows of the rest of the day, timestamps written as in the forecast file.
fn rest_of_day_csv(r: &IntradayReforecast, format: &wfm::forecast::TimeFormat) -> String {
    let mut out = String::from("timestamp,calls\n");
    for row in r.remaining() {
        out.push_str(&format!("{},{:.2}\n", format.format(row.ts), row.reforecast));
    }
    out
}

pub fn reforecast_cmd(a: &ReforecastArgs) -> anyhow::Result<()> {
    let forecast =
        tools::parse_volumes(&read(&a.forecast)?).with_context(|| format!("cannot read {}", a.forecast.display()))?;
    let actuals =
        tools::parse_volumes(&read(&a.actuals)?).with_context(|| format!("cannot read {}", a.actuals.display()))?;
    let r = tools::reforecast_day(&forecast.rows, &actuals.rows)?;
    write(&a.out, &rest_of_day_csv(&r, &forecast.format))?;
    let (f_so_far, a_so_far) = r.so_far();
    let remaining_forecast: f64 = r.remaining().iter().map(|x| x.forecast).sum();
    let remaining_reforecast: f64 = r.remaining().iter().map(|x| x.reforecast).sum();
    if a.json {
        println!(
            "{}",
            json!({
                "date": r.date.to_string(),
                "elapsed_intervals": r.elapsed,
                "remaining_intervals": r.rows.len() - r.elapsed,
                "forecast_so_far": f_so_far,
                "actual_so_far": a_so_far,
                "level_factor": r.ratio,
                "remaining_forecast": remaining_forecast,
                "remaining_reforecast": remaining_reforecast,
                "out": a.out.display().to_string(),
            })
        );
    } else {
        println!("day               {}", r.date);
        println!("so far            {a_so_far:.1} actual against {f_so_far:.1} forecast ({} intervals)", r.elapsed);
        println!("level factor      {:.4}", r.ratio);
        println!(
            "rest of the day   {remaining_reforecast:.1} (was {remaining_forecast:.1}) in {} intervals → {}",
            r.rows.len() - r.elapsed,
            a.out.display()
        );
    }
    Ok(())
}

pub fn shrinkage_cmd(a: &ShrinkageArgs) -> anyhow::Result<()> {
    let from = parse_date(a.from.trim()).with_context(|| format!("--from {:?} is not a YYYY-MM-DD date", a.from))?;
    if a.days == 0 || a.days > MAX_SHRINKAGE_DAYS {
        bail!("--days must be 1–{MAX_SHRINKAGE_DAYS}, got {}", a.days);
    }
    let history =
        tools::parse_shrinkage(&read(&a.history)?).with_context(|| format!("cannot read {}", a.history.display()))?;
    let dates = tools::dates_from(from, a.days);
    let values = shrinkage_forecast(&history, &dates);
    if let Some(path) = &a.out {
        let mut csv = String::from("date,shrinkage\n");
        for (d, v) in dates.iter().zip(&values) {
            csv.push_str(&format!("{d},{v:.4}\n"));
        }
        write(path, &csv)?;
    }
    if a.json {
        let rows: Vec<_> = dates
            .iter()
            .zip(&values)
            .map(|(d, v)| json!({"date": d.to_string(), "weekday": WEEKDAY_NAMES[d.weekday()], "shrinkage": v}))
            .collect();
        println!(
            "{}",
            json!({
                "history_days": history.len(),
                "history_from": history.first().map(|h| h.0.to_string()),
                "history_to": history.last().map(|h| h.0.to_string()),
                "forecast": rows,
            })
        );
    } else {
        println!("history: {} days, {} to {}", history.len(), history[0].0, history[history.len() - 1].0);
        for (d, v) in dates.iter().zip(&values) {
            println!("{d} {}  {:>6.2} %", WEEKDAY_NAMES[d.weekday()], v * 100.0);
        }
    }
    Ok(())
}

pub fn vacation_cmd(a: &VacationArgs) -> anyhow::Result<()> {
    let input: VacationInput = serde_json::from_str(&read(&a.input)?)
        .with_context(|| format!("{} is not a vacation input (JSON)", a.input.display()))?;
    let r = vacation::report(&input)?;
    write(&a.out, &serde_json::to_string_pretty(&r)?)?;
    println!("operators         {}", r.operators.len());
    println!("weeks             {} ({} short of the requirement)", r.weeks.len(), r.weeks_short);
    println!("coverage loss     {:.2} FTE-weeks", r.coverage_loss);
    println!("wishes met        {} of {}", r.wishes_met, r.wishes_total);
    println!("plan              → {}", a.out.display());
    Ok(())
}
