//! The acceptance week: 300 operators × 7 days × 15-minute intervals with
//! breaks, under the steady load for which Erlang C predicts 80 % in 20 s.
//!
//! `cargo run --release -p wfm --example steady_week -- [DIR]` writes
//! `DIR/roster.json` and `DIR/arrivals.csv` for `switchboard wfm simulate`
//! (DIR defaults to the current directory) and simulates the week once,
//! printing the simulated and predicted service level and the time taken.

use std::time::Instant;

use wfm::sim::{self, steady, Arrivals, Config, Dist};

const AHT_S: f64 = 180.0;
const T_S: f64 = 20.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let roster = steady::staggered_roster(300, 7, 15, "2026-11-30");
    let staff = roster.coverage().concat();
    let calls = steady::calls_for_service_level(&staff, 900.0, AHT_S, T_S, 0.8)?;
    let arrivals = Arrivals::steady(&roster, calls)?;
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("roster.json"), serde_json::to_string_pretty(&roster)?)?;
    let mut csv = String::from("timestamp,calls\n");
    for d in 0..7 {
        for i in 0..96 {
            csv.push_str(&format!("2026-{}-{:02} {:02}:{:02},{calls:.4}\n", date(d).0, date(d).1, i / 4, i % 4 * 15));
        }
    }
    std::fs::write(dir.join("arrivals.csv"), csv)?;
    let (min, max) = staff.iter().fold((f64::MAX, 0.0f64), |(a, b), x| (a.min(*x), b.max(*x)));
    println!("roster: 300 operators, 7 days, on line {min}–{max}; steady load {calls:.2} calls per 15 min");
    let mut cfg = Config::new(Dist::Exponential { mean_s: AHT_S });
    cfg.target_time_s = T_S;
    let started = Instant::now();
    let report = sim::simulate(&roster, &arrivals, &cfg, &mut |_, _| {})?;
    let took = started.elapsed();
    let check = sim::erlang_check(&report.staff, &report.expected_calls, 900.0, AHT_S, T_S, None)?;
    println!(
        "simulated {:.0} contacts in {:.2} s: SL {:.4}, ASA {:.1} s, occupancy {:.4}; Erlang C predicts SL {:.4}",
        report.totals.offered,
        took.as_secs_f64(),
        report.totals.service_level().unwrap_or(f64::NAN),
        report.totals.asa_s().unwrap_or(f64::NAN),
        report.totals.occupancy().unwrap_or(f64::NAN),
        check.service_level.unwrap_or(f64::NAN),
    );
    Ok(())
}

/// Month and day of day `d` of the roster (30 Nov 2026 onwards).
fn date(d: u32) -> (u32, u32) {
    if d == 0 {
        (11, 30)
    } else {
        (12, d)
    }
}
