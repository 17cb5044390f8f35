//! `switchboard wfm shifts` and `switchboard wfm schedule`: read the JSON
//! input, call the pure `wfm::shifts` / `wfm::schedule`, write the answer.
//! Formats are documented in docs/WFM.md.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde_json::json;
use wfm::schedule::{self, ScheduleInput};
use wfm::shifts::{self, ShiftsInput};

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a valid input", path.display()))
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string(value)?;
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

pub fn shifts_cmd(input: &Path, out: &Path) -> anyhow::Result<()> {
    let problem: ShiftsInput = read_json(input)?;
    let started = Instant::now();
    let solution = shifts::solve(&problem)?;
    let elapsed = started.elapsed();
    write_json(out, &solution)?;
    eprintln!(
        "{} {}: cost {} total abs difference {} in {:.3} ms → {}",
        solution.problem,
        solution.status,
        solution.cost,
        solution.total_abs_difference,
        elapsed.as_secs_f64() * 1e3,
        out.display()
    );
    Ok(())
}

/// A one-line progress bar on stderr, drawn only on a terminal.
fn progress_bar(label: &'static str) -> impl FnMut(usize, usize) {
    let tty = std::io::stderr().is_terminal();
    move |done, total| {
        if tty {
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!("\r{label} [{}{}] {done}/{total}", "#".repeat(filled), " ".repeat(width - filled));
            if done >= total {
                eprintln!();
            }
        }
    }
}

pub fn schedule_cmd(input: &Path, out: &Path, report: Option<&Path>, as_json: bool) -> anyhow::Result<()> {
    let spec: ScheduleInput = read_json(input)?;
    let started = Instant::now();
    let result = schedule::schedule(&spec, &mut progress_bar("scheduling"))?;
    let elapsed = started.elapsed().as_secs_f64();
    write_json(out, &result.roster)?;
    let r = &result.report;
    if let Some(path) = report {
        write_json(path, &json!({ "rules": result.rules, "report": r }))?;
    }
    let shifts: usize = result.roster.operators.iter().map(|o| o.shifts.len()).sum();
    let breaks: usize = result.roster.operators.iter().flat_map(|o| &o.shifts).map(|s| s.activities.len()).sum();
    let required: f64 = r.required.iter().flatten().sum();
    let summary = json!({
        "operators": result.roster.operators.len(),
        "days": result.roster.days,
        "interval_min": result.roster.interval_min,
        "shifts": shifts,
        "activities": breaks,
        "required_agent_intervals": required,
        "total_abs_diff": r.total_abs_diff,
        "under": r.under,
        "over": r.over,
        "service_level": r.service_level_total,
        "notes": r.notes,
        "elapsed_s": elapsed,
        "roster": out.display().to_string(),
    });
    if as_json {
        println!("{summary}");
    } else {
        println!("operators         {}", result.roster.operators.len());
        println!("shifts            {shifts} ({breaks} breaks and lunches)");
        println!("required          {required:.0} agent-intervals");
        println!("abs difference    {:.1} (under {:.1}, over {:.1})", r.total_abs_diff, r.under, r.over);
        if let Some(sl) = r.service_level_total {
            println!("service level     {:.2} % (Erlang C per interval, weighted by calls)", sl * 100.0);
        }
        for n in &r.notes {
            println!("note              {n}");
        }
        println!("time              {elapsed:.3} s → {}", out.display());
    }
    Ok(())
}
