//! The steady week of the acceptance check: a roster of staggered 8-hour
//! shifts with a 15-minute break and a 30-minute lunch, five days on and two
//! off, round the clock, and the constant load for which Erlang C predicts a
//! chosen service level on that roster. Used by the tests, the benchmark and
//! `cargo run -p wfm --example steady_week` until the scheduler writes real
//! rosters.

use crate::roster::{Activity, ActivityKind, Roster, RosterOperator, RosterShift};
use crate::{Error, Result};

use super::erlang_check;

/// Shift length, minutes.
pub const SHIFT_MIN: u32 = 480;
/// The break starts 2 hours into the shift, the lunch 4 hours.
pub const BREAK: (u32, u32) = (120, 15);
pub const LUNCH: (u32, u32) = (240, 30);

/// `operators` operators over `days` days of `interval_min`-minute
/// intervals. Operator `i` starts every day at the same time, spread evenly
/// over the day on interval boundaries, and is off on days `i mod 7` and
/// `i + 1 mod 7`. Shifts that began the day before the roster (round-the-
/// clock) appear on day 0 as the remainder from 00:00, so the first night is
/// staffed like the others.
pub fn staggered_roster(operators: usize, days: u32, interval_min: u32, start_date: &str) -> Roster {
    let step = interval_min.max(1);
    let slots = (1440 / step) as usize;
    let ops = (0..operators)
        .map(|i| {
            let start = ((i * slots) / operators.max(1)) as u32 * step;
            let works = |d: i64| {
                let w = d.rem_euclid(7) as usize;
                w != i % 7 && w != (i + 1) % 7
            };
            let activities = |offset: i64| -> Vec<Activity> {
                [(BREAK, ActivityKind::Break), (LUNCH, ActivityKind::Lunch)]
                    .iter()
                    .filter_map(|&((at, len), kind)| {
                        let a = i64::from(start + at) + offset;
                        let b = a + i64::from(len);
                        (b > 0).then(|| Activity { kind, start_min: a.max(0) as u32, end_min: b as u32 })
                    })
                    .collect()
            };
            let mut shifts = Vec::new();
            let spill = i64::from(start + SHIFT_MIN) - 1440;
            if spill > 0 && works(-1) {
                shifts.push(RosterShift { day: 0, start_min: 0, end_min: spill as u32, activities: activities(-1440) });
            }
            for d in 0..days {
                if works(i64::from(d)) {
                    shifts.push(RosterShift {
                        day: d,
                        start_min: start,
                        end_min: start + SHIFT_MIN,
                        activities: activities(0),
                    });
                }
            }
            RosterOperator {
                id: format!("op{:04}", i + 1),
                name: format!("Оператор {}", i + 1),
                skills: Vec::new(),
                shifts,
                leave_days: Vec::new(),
            }
        })
        .collect();
    Roster { interval_min: step, start_date: start_date.to_string(), days, operators: ops }
}

/// The constant contacts per interval for which the Erlang C service level,
/// averaged over intervals for `staff` on line, equals `target` (bisection).
pub fn calls_for_service_level(
    staff: &[f64],
    interval_s: f64,
    aht_s: f64,
    target_time_s: f64,
    target: f64,
) -> Result<f64> {
    if !(target > 0.0 && target < 1.0) {
        return Err(Error::InvalidInput(format!("target service level must be in (0, 1), got {target}")));
    }
    let most = staff.iter().copied().fold(0.0, f64::max);
    if most <= 0.0 {
        return Err(Error::Insufficient("nobody is on line".into()));
    }
    let sl = |c: f64| -> Result<f64> {
        let check = erlang_check(staff, &vec![c; staff.len()], interval_s, aht_s, target_time_s, None)?;
        Ok(check.service_level.unwrap_or(1.0))
    };
    let (mut lo, mut hi) = (1e-6, most * interval_s / aht_s);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if sl(mid)? > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok((lo + hi) / 2.0)
}
