//! Timed runs of the planner's maths for bench/wfm/run-staffing.sh, one
//! process per measurement so it compares fairly with a Python process:
//!
//! - `wfm-bench erlang FILE.json` — FILE is `[{"calls","aht_s","interval_min",
//!   "target_sl","target_time_s","max_occupancy"}]`; staffs every interval with
//!   Erlang C `PASSES` times (optional, default 1) and prints
//!   `{"agents":[…],"compute_s": first pass,"warm_s": fastest pass}`.
//! - `wfm-bench shifts IN.json OUT.json` — what `switchboard wfm shifts` does
//!   (same library call, same files), in a small binary.
//! - `wfm-bench schedule-input OPERATORS DAYS INTERVAL_MIN SEED OUT.json` —
//!   writes the synthetic schedule input (`wfm::schedule::synthetic`).
//! - `wfm-bench schedule OPERATORS DAYS INTERVAL_MIN SEED` — schedules it and
//!   prints the time and coverage figures as JSON.

use std::time::Instant;

use serde::Deserialize;
use wfm::erlang::{self, Load, Target};

#[derive(Deserialize)]
struct Interval {
    calls: f64,
    aht_s: f64,
    interval_min: f64,
    target_sl: f64,
    target_time_s: f64,
    #[serde(default)]
    max_occupancy: Option<f64>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> Result<u64, Box<dyn std::error::Error>> {
        Ok(args.get(i).ok_or("missing argument")?.parse::<u64>()?)
    };
    match args.first().map(String::as_str) {
        Some("erlang") => {
            let text = std::fs::read_to_string(args.get(1).ok_or("erlang FILE.json")?)?;
            let intervals: Vec<Interval> = serde_json::from_str(&text)?;
            let passes: usize = args.get(2).map(|p| p.parse()).transpose()?.unwrap_or(1).max(1);
            let mut times = Vec::with_capacity(passes);
            let mut agents = Vec::with_capacity(intervals.len());
            for _ in 0..passes {
                let started = Instant::now();
                agents.clear();
                for i in &intervals {
                    let load = Load::new(i.calls, i.interval_min * 60.0, i.aht_s)?;
                    let target = Target {
                        service_level: i.target_sl,
                        answer_time_s: i.target_time_s,
                        max_occupancy: i.max_occupancy,
                        max_asa_s: None,
                    };
                    agents.push(erlang::staff(&load, &target, None, 0.0)?.on_line);
                }
                times.push(started.elapsed().as_secs_f64());
            }
            let warm = times.iter().copied().fold(f64::INFINITY, f64::min);
            println!("{}", serde_json::json!({ "agents": agents, "compute_s": times[0], "warm_s": warm }));
        }
        Some("shifts") => {
            let text = std::fs::read_to_string(args.get(1).ok_or("shifts IN OUT")?)?;
            let problem: wfm::shifts::ShiftsInput = serde_json::from_str(&text)?;
            let started = Instant::now();
            let solution = wfm::shifts::solve(&problem)?;
            let ms = started.elapsed().as_secs_f64() * 1e3;
            std::fs::write(args.get(2).ok_or("shifts IN OUT")?, serde_json::to_string(&solution)?)?;
            eprintln!("{} {}: cost {} in {ms:.3} ms", solution.problem, solution.status, solution.cost);
        }
        Some("schedule-input") => {
            let input = wfm::schedule::synthetic(num(1)? as usize, num(2)? as u32, num(3)? as u32, num(4)?);
            std::fs::write(args.get(5).ok_or("OUT.json")?, serde_json::to_string(&input)?)?;
        }
        Some("schedule") => {
            let input = wfm::schedule::synthetic(num(1)? as usize, num(2)? as u32, num(3)? as u32, num(4)?);
            let started = Instant::now();
            let r = wfm::schedule::schedule(&input, &mut |_, _| {})?;
            let compute_s = started.elapsed().as_secs_f64();
            let shifts: usize = r.roster.operators.iter().map(|o| o.shifts.len()).sum();
            let required: f64 = r.report.required.iter().flatten().sum();
            println!(
                "{}",
                serde_json::json!({
                    "operators": input.operators.len(), "days": input.days, "interval_min": input.interval_min,
                    "shifts": shifts, "required": required, "total_abs_diff": r.report.total_abs_diff,
                    "under": r.report.under, "over": r.report.over, "compute_s": compute_s,
                })
            );
        }
        _ => return Err(
            "usage: wfm-bench erlang FILE [PASSES] | schedule-input N DAYS INTERVAL SEED OUT | schedule N DAYS INTERVAL SEED"
                .into(),
        ),
    }
    Ok(())
}
