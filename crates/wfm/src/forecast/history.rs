//! History cleaning: find what in a history should not be learnt from as it
//! is — single intervals far from their usual value, missing intervals,
//! whole days far from their weekday's usual total (holidays, outages, the
//! day after a holiday) — mark each with a reason, and apply the planner's
//! decision on each (keep, fix, or label as an event) before forecasting.
//!
//! Interval outliers are robust: an interval's expected value is the median
//! of the same weekday and slot over the nearest usable same-weekday days
//! (up to [`NEIGHBOURS`] each side), its spread the scaled median absolute
//! deviation (MAD × 1.4826, floored by the Poisson spread √median so quiet
//! slots are not flagged for small counts). An interval is flagged when it is
//! more than [`DetectOptions::z`] spreads away. Whole-day anomalies come from
//! [`models::anomalous_days`].

use std::collections::{BTreeMap, HashMap};

use super::models::{self, median};
use super::series::{Day, Series};
use super::time::Date;
use crate::{Error, Result};

/// Same-weekday days each side that an interval is compared with.
pub const NEIGHBOURS: usize = 4;

/// What is wrong with a point or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagKind {
    /// An interval far above its usual value.
    Spike,
    /// An interval far below its usual value.
    Dip,
    /// An interval inside open hours with no row (filled by interpolation).
    Missing,
    /// A whole day whose total is far from its weekday's usual total.
    AnomalousDay,
}

impl FlagKind {
    pub fn name(self) -> &'static str {
        match self {
            FlagKind::Spike => "spike",
            FlagKind::Dip => "dip",
            FlagKind::Missing => "missing",
            FlagKind::AnomalousDay => "anomalous_day",
        }
    }
}

/// What a flag points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// One interval, by its timestamp.
    Interval(i64),
    /// A whole operating day.
    Day(Date),
}

/// One finding, with its reason in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub target: Target,
    pub kind: FlagKind,
    /// The value as read (interval count, or day total).
    pub value: f64,
    /// What was expected (the robust median, or the weekday's usual total).
    pub expected: f64,
    pub reason: String,
}

/// An event a planner can name a flagged point or day with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Promotion,
    Outage,
    Holiday,
    Other(String),
}

impl Label {
    pub fn parse(s: &str) -> Label {
        match s.trim().to_ascii_lowercase().as_str() {
            "promotion" => Label::Promotion,
            "outage" => Label::Outage,
            "holiday" => Label::Holiday,
            _ => Label::Other(s.trim().to_string()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Label::Promotion => "promotion",
            Label::Outage => "outage",
            Label::Holiday => "holiday",
            Label::Other(s) => s,
        }
    }
}

/// The planner's decision on a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The value is real and recurring: learn from it as it is.
    Keep,
    /// The value is wrong: replace it by the expected value.
    Fix,
    /// The value is real but caused by a one-off event: an interval is
    /// replaced by its expected value, a day is left out of the history
    /// (like a closed day) so the models do not learn the event as normal.
    Label(Label),
}

/// Detection thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectOptions {
    /// Robust z-score above which an interval is flagged.
    pub z: f64,
    /// Smallest absolute difference (contacts) worth flagging.
    pub min_abs: f64,
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions { z: 6.0, min_abs: 5.0 }
    }
}

/// The history as the planner sees it: its shape and every flag.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryReport {
    pub intervals: usize,
    pub operating_days: usize,
    pub step_s: i64,
    pub closed_days: Vec<Date>,
    pub has_aht: bool,
    pub flags: Vec<Flag>,
}

impl HistoryReport {
    pub fn count(&self, kind: FlagKind) -> usize {
        self.flags.iter().filter(|f| f.kind == kind).count()
    }
}

/// Finds interval outliers, missing intervals and anomalous days.
pub fn detect(series: &Series, opts: &DetectOptions) -> HistoryReport {
    let days = &series.days;
    let bad = models::anomalous_days(days);
    let mut flags = Vec::new();
    // Whole days.
    let typical = typical_day_totals(days, &bad);
    for (i, d) in days.iter().enumerate().filter(|(i, _)| bad[*i]) {
        let (t, e) = (d.total(), typical[i]);
        flags.push(Flag {
            target: Target::Day(d.date),
            kind: FlagKind::AnomalousDay,
            value: t,
            expected: e,
            reason: format!(
                "day total {:.0} is {:.0} % of the usual {} total {:.0}; left out of the profiles unless kept",
                t,
                100.0 * t / e.max(f64::MIN_POSITIVE),
                super::time::WEEKDAY_NAMES[d.weekday],
                e
            ),
        });
    }
    // Missing intervals.
    let missing: std::collections::HashSet<i64> = series.missing.iter().copied().collect();
    for &ts in &series.missing {
        flags.push(Flag {
            target: Target::Interval(ts),
            kind: FlagKind::Missing,
            value: f64::NAN,
            expected: f64::NAN,
            reason: "no row for this open interval; filled by interpolation between its neighbours".into(),
        });
    }
    // Interval outliers on usable days.
    let cal = &series.calendar;
    let expected = expected_matrix(days, &bad, cal.slots);
    for (i, d) in days.iter().enumerate() {
        if bad[i] {
            continue;
        }
        let Some((a, b)) = cal.open[d.weekday] else { continue };
        for (s, &(med, spread)) in expected[i].iter().enumerate().take(b).skip(a) {
            let ts = cal.timestamp(d.date, s);
            let y = d.values[s];
            if y.is_nan() || med.is_nan() || missing.contains(&ts) {
                continue;
            }
            let diff = y - med;
            if diff.abs() < opts.min_abs || diff.abs() < opts.z * spread {
                continue;
            }
            let kind = if diff > 0.0 { FlagKind::Spike } else { FlagKind::Dip };
            flags.push(Flag {
                target: Target::Interval(ts),
                kind,
                value: y,
                expected: med,
                reason: format!(
                    "{y:.0} against a usual {med:.0} (median of the same weekday and time); {:.1} robust deviations {}",
                    diff.abs() / spread,
                    if diff > 0.0 { "above" } else { "below" }
                ),
            });
        }
    }
    flags.sort_by(|x, y| key(&x.target).cmp(&key(&y.target)).then(x.kind.name().cmp(y.kind.name())));
    HistoryReport {
        intervals: series.values.len(),
        operating_days: days.len(),
        step_s: cal.step_s,
        closed_days: series.closed_days.clone(),
        has_aht: series.aht.is_some(),
        flags,
    }
}

/// Sort key: time of the interval or start of the day.
fn key(t: &Target) -> i64 {
    match t {
        Target::Interval(ts) => *ts,
        Target::Day(d) => d.days() * 86_400,
    }
}

/// Indices of the usable same-weekday days nearest to day `i` (up to
/// [`NEIGHBOURS`] before and after), excluding `i` itself.
fn neighbours(days: &[Day], bad: &[bool], i: usize) -> Vec<usize> {
    let wd = days[i].weekday;
    let usable = |j: &usize| days[*j].weekday == wd && !bad[*j];
    let before = (0..i).rev().filter(usable).take(NEIGHBOURS);
    let after = (i + 1..days.len()).filter(usable).take(NEIGHBOURS);
    before.chain(after).collect()
}

/// The usual total of each day's weekday around it (median of neighbours).
fn typical_day_totals(days: &[Day], bad: &[bool]) -> Vec<f64> {
    (0..days.len())
        .map(|i| {
            let mut t: Vec<f64> = neighbours(days, bad, i).iter().map(|&j| days[j].total()).collect();
            median(&mut t)
        })
        .collect()
}

/// Per day and slot: (median of the neighbours' values, robust spread).
fn expected_matrix(days: &[Day], bad: &[bool], slots: usize) -> Vec<Vec<(f64, f64)>> {
    (0..days.len())
        .map(|i| {
            let nb = neighbours(days, bad, i);
            (0..slots)
                .map(|s| {
                    let mut v: Vec<f64> = nb.iter().map(|&j| days[j].values[s]).filter(|x| !x.is_nan()).collect();
                    if v.len() < 3 {
                        return (f64::NAN, f64::NAN);
                    }
                    let med = median(&mut v);
                    let mut dev: Vec<f64> = v.iter().map(|x| (x - med).abs()).collect();
                    let mad = median(&mut dev) * 1.4826;
                    (med, mad.max(med.max(1.0).sqrt()))
                })
                .collect()
        })
        .collect()
}

/// Applies the planner's decisions and returns the series to forecast
/// from. Flags without a decision are left as found (interval outliers kept,
/// anomalous days still left out of the profiles by the models). A decision
/// on a target that was not flagged is an error, so a typo cannot silently
/// change nothing.
pub fn apply(series: &Series, report: &HistoryReport, decisions: &[(Target, Action)]) -> Result<Series> {
    let flagged: HashMap<Target, &Flag> = report.flags.iter().map(|f| (f.target, f)).collect();
    let mut by_day: BTreeMap<Date, Vec<(Option<usize>, &Action)>> = BTreeMap::new();
    let cal = &series.calendar;
    for (target, action) in decisions {
        if !flagged.contains_key(target) {
            return Err(Error::InvalidInput(format!("{} is not flagged in this history", describe(target, series))));
        }
        match target {
            Target::Day(d) => by_day.entry(*d).or_default().push((None, action)),
            Target::Interval(ts) => {
                let date = Date::from_days(ts.div_euclid(86_400));
                let slot = ((ts.rem_euclid(86_400) - cal.first_slot_s) / cal.step_s) as usize;
                by_day.entry(date).or_default().push((Some(slot), action));
            }
        }
    }
    let bad = models::anomalous_days(&series.days);
    let expected = expected_matrix(&series.days, &bad, cal.slots);
    let mut out = series.clone();
    let mut drop = vec![false; out.days.len()];
    for (i, day) in out.days.iter_mut().enumerate() {
        let Some(list) = by_day.get(&day.date) else { continue };
        for (slot, action) in list {
            match (slot, action) {
                (_, Action::Keep) => {}
                (Some(s), Action::Fix | Action::Label(_)) => {
                    let e = expected[i][*s].0;
                    if e.is_finite() {
                        day.values[*s] = e;
                    }
                }
                (None, Action::Fix) => {
                    // Rescale the day to its weekday's usual total, keeping its shape.
                    let (t, e) = (day.total(), typical_day_totals(&series.days, &bad)[i]);
                    if t > 0.0 && e.is_finite() {
                        day.values.iter_mut().filter(|v| !v.is_nan()).for_each(|v| *v *= e / t);
                    }
                }
                (None, Action::Label(_)) => drop[i] = true,
            }
        }
    }
    let mut keep = drop.iter().map(|d| !d);
    let dropped: Vec<Date> = out.days.iter().zip(&drop).filter(|(_, d)| **d).map(|(d, _)| d.date).collect();
    out.days.retain(|_| keep.next().unwrap_or(true));
    if let Some(aht) = &mut out.aht {
        let mut keep = drop.iter().map(|d| !d);
        aht.retain(|_| keep.next().unwrap_or(true));
    }
    out.closed_days.extend(dropped);
    out.closed_days.sort();
    Ok(out)
}

fn describe(t: &Target, series: &Series) -> String {
    match t {
        Target::Interval(ts) => format!("interval {}", series.format.format(*ts)),
        Target::Day(d) => format!("day {d}"),
    }
}
