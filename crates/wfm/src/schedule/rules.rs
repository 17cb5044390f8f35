//! Work rules: jurisdiction presets (RU, KZ) and the checker that every
//! roster the scheduler writes must pass.
//!
//! # Sources of the presets
//! Russian Federation — Labour Code (Трудовой кодекс РФ, 197-ФЗ):
//! - art. 91: normal working time ≤ 40 hours a week → `max_weekly_hours: 40`;
//! - art. 108: a break for rest and meals of 30 minutes to 2 hours, not
//!   counted as working time → lunch 30 min (the minimum; companies set more),
//!   unpaid, and any lunch length outside 30–120 min is refused;
//! - art. 110: weekly uninterrupted rest ≥ 42 hours → `weekly_rest_min: 2520`
//!   (text checked at fzrf.su/kodeks/tk/st-110.php);
//! - daily rest between shifts: the Code sets no general figure; 12 hours is
//!   the common internal rule (labour-law commentary) → `min_rest_min: 720`
//!   (verify against the employer's internal rules);
//! - art. 115: 28 calendar days of annual leave → `annual_leave_days: 28`.
//!
//! Republic of Kazakhstan — Labour Code of 23.11.2015 № 414-V:
//! - art. 68: normal working time ≤ 40 hours a week (checked: news.mail.ru
//!   2025-12-10 quoting art. 68);
//! - art. 81: one break for rest and meals of at least 30 minutes, not
//!   counted as working time (text checked at pavlodar.com/zakon, ch. 7);
//!   the 2-hour upper bound is from the brief — verify;
//! - art. 82: daily rest between shifts ≥ 12 hours (verify);
//! - art. 84: weekly rest ≥ 24 hours continuous (verify);
//! - art. 88: 24 calendar days of annual leave (verify).
//!
//! The number of days in a row is not set by either code directly (it follows
//! from the weekly rest); the presets use 6.

use serde::{Deserialize, Serialize};

use crate::roster::{ActivityKind, Roster};
use crate::{Error, Result};

/// A labour-code preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Jurisdiction {
    Ru,
    Kz,
}

/// An off-line period every long enough shift gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakRule {
    /// `break` (paid) or `lunch` (unpaid, not working time).
    pub kind: ActivityKind,
    pub length_min: u32,
    /// Earliest start, minutes after the shift starts.
    pub earliest_after_min: u32,
    /// Latest start, minutes after the shift starts.
    pub latest_after_min: u32,
    /// Applies to shifts at least this long (minutes, gross).
    #[serde(default)]
    pub min_shift_min: u32,
}

/// Work rules as given in the input: a preset and/or explicit values
/// (explicit values win).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RulesSpec {
    #[serde(default)]
    pub preset: Option<Jurisdiction>,
    #[serde(default)]
    pub min_rest_min: Option<u32>,
    #[serde(default)]
    pub weekly_rest_min: Option<u32>,
    #[serde(default)]
    pub max_days_in_row: Option<u32>,
    #[serde(default)]
    pub max_weekly_hours: Option<f64>,
    #[serde(default)]
    pub breaks: Option<Vec<BreakRule>>,
    #[serde(default)]
    pub annual_leave_days: Option<u32>,
}

/// Resolved work rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkRules {
    pub jurisdiction: Option<Jurisdiction>,
    /// Minimum rest between the end of one shift and the start of the next.
    pub min_rest_min: u32,
    /// Longest uninterrupted rest required inside every full calendar week
    /// of the roster (days 0–6, 7–13, …).
    pub weekly_rest_min: u32,
    pub max_days_in_row: u32,
    /// Legal cap on paid hours a week (each operator's contract may be lower).
    pub max_weekly_hours: f64,
    pub breaks: Vec<BreakRule>,
    pub annual_leave_days: u32,
}

impl WorkRules {
    /// The preset's values (see the module doc for sources).
    pub fn preset(j: Jurisdiction) -> WorkRules {
        let lunch = BreakRule {
            kind: ActivityKind::Lunch,
            length_min: 30,
            earliest_after_min: 180,
            latest_after_min: 300,
            min_shift_min: 300,
        };
        match j {
            Jurisdiction::Ru => WorkRules {
                jurisdiction: Some(j),
                min_rest_min: 12 * 60,
                weekly_rest_min: 42 * 60,
                max_days_in_row: 6,
                max_weekly_hours: 40.0,
                breaks: vec![lunch],
                annual_leave_days: 28,
            },
            Jurisdiction::Kz => WorkRules {
                jurisdiction: Some(j),
                min_rest_min: 12 * 60,
                weekly_rest_min: 24 * 60,
                max_days_in_row: 6,
                max_weekly_hours: 40.0,
                breaks: vec![lunch],
                annual_leave_days: 24,
            },
        }
    }
}

impl RulesSpec {
    /// Fills what is missing from the preset (RU when none is named) and
    /// checks the result against the preset's law.
    pub fn resolve(&self) -> Result<WorkRules> {
        let base = WorkRules::preset(self.preset.unwrap_or(Jurisdiction::Ru));
        let r = WorkRules {
            jurisdiction: self.preset,
            min_rest_min: self.min_rest_min.unwrap_or(base.min_rest_min),
            weekly_rest_min: self.weekly_rest_min.unwrap_or(base.weekly_rest_min),
            max_days_in_row: self.max_days_in_row.unwrap_or(base.max_days_in_row),
            max_weekly_hours: self.max_weekly_hours.unwrap_or(base.max_weekly_hours),
            breaks: self.breaks.clone().unwrap_or(base.breaks.clone()),
            annual_leave_days: self.annual_leave_days.unwrap_or(base.annual_leave_days),
        };
        if r.max_days_in_row == 0 || r.max_weekly_hours.is_nan() || r.max_weekly_hours <= 0.0 {
            return Err(Error::InvalidInput("max_days_in_row and max_weekly_hours must be > 0".into()));
        }
        for b in &r.breaks {
            if b.length_min == 0 || b.earliest_after_min > b.latest_after_min {
                return Err(Error::InvalidInput(format!(
                    "break rule {:?} {} min: needs a length > 0 and earliest ≤ latest",
                    b.kind, b.length_min
                )));
            }
        }
        if self.preset.is_some() {
            if r.max_weekly_hours > base.max_weekly_hours {
                return Err(Error::InvalidInput(format!(
                    "max_weekly_hours {} is above the preset's {}",
                    r.max_weekly_hours, base.max_weekly_hours
                )));
            }
            if r.min_rest_min < base.min_rest_min || r.weekly_rest_min < base.weekly_rest_min {
                return Err(Error::InvalidInput("rest below the preset's minimum".into()));
            }
            if let Some(b) =
                r.breaks.iter().find(|b| b.kind == ActivityKind::Lunch && !(30..=120).contains(&b.length_min))
            {
                return Err(Error::InvalidInput(format!(
                    "lunch of {} min: the labour code allows 30 to 120 minutes",
                    b.length_min
                )));
            }
        }
        Ok(r)
    }
}

/// Minutes of unpaid lunch in a shift of `len` minutes under `rules`.
pub fn lunch_min(rules: &WorkRules, len: u32) -> u32 {
    rules.breaks.iter().filter(|b| b.kind == ActivityKind::Lunch && len >= b.min_shift_min).map(|b| b.length_min).sum()
}

/// Minutes off line (all breaks) in a shift of `len` minutes.
pub fn offline_min(rules: &WorkRules, len: u32) -> u32 {
    rules.breaks.iter().filter(|b| len >= b.min_shift_min).map(|b| b.length_min).sum()
}

/// One broken rule, named for a person to read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    pub operator: String,
    pub message: String,
}

/// Checks a roster against the rules and each operator's weekly contract
/// hours (`contract_hours[i]` for `roster.operators[i]`). Empty when all
/// rules hold.
pub fn check(roster: &Roster, rules: &WorkRules, contract_hours: &[f64]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (k, op) in roster.operators.iter().enumerate() {
        let mut v = |message: String| out.push(Violation { operator: op.id.clone(), message });
        let mut shifts: Vec<_> = op.shifts.iter().collect();
        shifts.sort_by_key(|s| (s.day, s.start_min));
        // Leave days: no shift on them, and none spilling into them.
        for s in &shifts {
            let last_day = s.day + (s.end_min - 1) / 1440;
            if (s.day..=last_day).any(|d| op.leave_days.contains(&d)) {
                v(format!("shift on day {} touches a leave day", s.day));
            }
        }
        // Rest between shifts.
        for w in shifts.windows(2) {
            let end = w[0].day * 1440 + w[0].end_min;
            let start = w[1].day * 1440 + w[1].start_min;
            if start < end + rules.min_rest_min {
                v(format!(
                    "rest before day {} is {} min < {}",
                    w[1].day,
                    start.saturating_sub(end),
                    rules.min_rest_min
                ));
            }
        }
        // Breaks inside their windows.
        for s in &shifts {
            let len = s.end_min - s.start_min;
            let due: Vec<&BreakRule> = rules.breaks.iter().filter(|b| len >= b.min_shift_min).collect();
            let mut acts: Vec<_> = s.activities.iter().filter(|a| a.kind != ActivityKind::Training).collect();
            acts.sort_by_key(|a| a.start_min);
            for w in acts.windows(2) {
                if w[1].start_min < w[0].end_min {
                    v(format!("overlapping breaks on day {}", s.day));
                }
            }
            for b in &due {
                let placed = acts.iter().any(|a| {
                    a.kind == b.kind
                        && a.end_min - a.start_min == b.length_min
                        && a.start_min >= s.start_min + b.earliest_after_min
                        && a.start_min <= s.start_min + b.latest_after_min
                });
                if !placed {
                    v(format!("day {}: {:?} of {} min not inside its window", s.day, b.kind, b.length_min));
                }
            }
        }
        // Weekly hours (paid: gross minus lunch) and weekly rest, per full week.
        let weeks = roster.days.div_ceil(7);
        let contract = contract_hours.get(k).copied().unwrap_or(rules.max_weekly_hours).min(rules.max_weekly_hours);
        for w in 0..weeks {
            let (d0, d1) = (w * 7, (w * 7 + 7).min(roster.days));
            let paid: u32 = shifts
                .iter()
                .filter(|s| s.day >= d0 && s.day < d1)
                .map(|s| {
                    let lunch: u32 = s
                        .activities
                        .iter()
                        .filter(|a| a.kind == ActivityKind::Lunch)
                        .map(|a| a.end_min - a.start_min)
                        .sum();
                    s.end_min - s.start_min - lunch
                })
                .sum();
            let cap = contract * 60.0 * f64::from(d1 - d0) / 7.0;
            if f64::from(paid) > cap + 1e-6 {
                v(format!("week {}: {} paid minutes > {:.0}", w + 1, paid, cap));
            }
            if d1 - d0 == 7 {
                let rest = longest_rest(&shifts, d0 * 1440, d1 * 1440);
                if rest < rules.weekly_rest_min {
                    v(format!("week {}: longest rest {} min < {}", w + 1, rest, rules.weekly_rest_min));
                }
            }
        }
        // Days in a row.
        let mut run = 0;
        for d in 0..roster.days {
            if shifts.iter().any(|s| s.day == d) {
                run += 1;
                if run > rules.max_days_in_row {
                    v(format!("day {d}: {run} days in a row > {}", rules.max_days_in_row));
                }
            } else {
                run = 0;
            }
        }
    }
    out
}

/// Longest stretch of `[from, to)` (absolute minutes) not inside any shift.
pub fn longest_rest(shifts: &[&crate::roster::RosterShift], from: u32, to: u32) -> u32 {
    let mut busy: Vec<(u32, u32)> = shifts
        .iter()
        .map(|s| (s.day * 1440 + s.start_min, s.day * 1440 + s.end_min))
        .filter(|(a, b)| *b > from && *a < to)
        .map(|(a, b)| (a.max(from), b.min(to)))
        .collect();
    busy.sort_unstable();
    let mut best = 0;
    let mut t = from;
    for (a, b) in busy {
        if a > t {
            best = best.max(a - t);
        }
        t = t.max(b);
    }
    best.max(to.saturating_sub(t))
}
