//! The forecasting models. Each takes the operating days of history (holidays
//! are simply absent, so "a week ago" means the latest day with the same
//! weekday) and the target days, and returns one value per global slot for
//! each target day (only the target weekday's open slots are meaningful).

use super::series::{Calendar, Day};

/// Weeks of history the profile and median models look back over.
const PROFILE_WEEKS: usize = 8;
const MEDIAN_WEEKS: usize = 6;
const LEVEL_WEEKS: usize = 4;
/// A day whose total is off its weekday's typical total by more than this
/// factor (either way) is treated as anomalous (e.g. the day after a holiday,
/// an outage) and left out of the profiles.
const ANOMALY_FACTOR: f64 = 1.25;

/// Flags anomalous days: total more than [`ANOMALY_FACTOR`] away from the
/// median total of the same weekday over the surrounding ±4 occurrences.
pub fn anomalous_days(days: &[Day]) -> Vec<bool> {
    let mut by_wd: [Vec<usize>; 7] = Default::default();
    for (i, d) in days.iter().enumerate() {
        by_wd[d.weekday].push(i);
    }
    let mut out = vec![false; days.len()];
    for idx in &by_wd {
        for (k, &i) in idx.iter().enumerate() {
            let lo = k.saturating_sub(4);
            let hi = (k + 5).min(idx.len());
            let mut totals: Vec<f64> = (lo..hi).filter(|&j| j != k).map(|j| days[idx[j]].total()).collect();
            if totals.len() < 3 {
                continue;
            }
            let med = median(&mut totals);
            let t = days[i].total();
            if med > 0.0 && (t > med * ANOMALY_FACTOR || t < med / ANOMALY_FACTOR) {
                out[i] = true;
            }
        }
    }
    out
}

pub(crate) fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The latest `weeks` occurrences of `weekday` among usable days (not
/// anomalous), newest first; falls back to anomalous ones if none is usable.
fn recent_same_weekday<'a>(days: &'a [Day], bad: &[bool], weekday: usize, weeks: usize) -> Vec<&'a Day> {
    let good: Vec<&Day> =
        days.iter().zip(bad).rev().filter(|(d, b)| d.weekday == weekday && !**b).map(|(d, _)| d).take(weeks).collect();
    if !good.is_empty() {
        return good;
    }
    days.iter().rev().filter(|d| d.weekday == weekday).take(weeks).collect()
}

/// Seasonal naive: the same slot on the latest day with the same weekday.
pub fn seasonal_naive(history: &[Day], cal: &Calendar, targets: &[(usize, usize)]) -> Vec<Vec<f64>> {
    targets
        .iter()
        .map(|&(_, wd)| {
            history
                .iter()
                .rev()
                .find(|d| d.weekday == wd)
                .map(|d| d.values.clone())
                .unwrap_or_else(|| vec![f64::NAN; cal.slots])
        })
        .collect()
}

/// Historical average profile: recent level × day-of-week factor × intraday
/// shape of that weekday (average share of the day's total per slot over the
/// last [`PROFILE_WEEKS`] usable same-weekday days).
pub fn profile(history: &[Day], cal: &Calendar, targets: &[(usize, usize)]) -> Vec<Vec<f64>> {
    let bad = anomalous_days(history);
    let usable: Vec<&Day> = history.iter().zip(&bad).filter(|(_, b)| !**b).map(|(d, _)| d).collect();
    let factor = weekday_factors(&usable, cal);
    // Level: recent deseasonalised daily total.
    let open_wd = cal.open_weekdays().max(1);
    let recent: Vec<&Day> = usable.iter().rev().take(LEVEL_WEEKS * open_wd).copied().collect();
    let level = recent.iter().map(|d| d.total() / factor[d.weekday]).sum::<f64>() / recent.len().max(1) as f64;
    targets.iter().map(|&(_, wd)| scaled_shape(history, &bad, cal, wd, level * factor[wd])).collect()
}

/// Day-of-week factors (mean total of the weekday / mean total of all days)
/// over the last [`PROFILE_WEEKS`] operating weeks of `usable` days.
pub fn weekday_factors(usable: &[&Day], cal: &Calendar) -> [f64; 7] {
    let open_wd = cal.open_weekdays().max(1);
    let window: Vec<&Day> = usable.iter().rev().take(PROFILE_WEEKS * open_wd).copied().collect();
    let mean_all = window.iter().map(|d| d.total()).sum::<f64>() / window.len().max(1) as f64;
    let mut factor = [1.0f64; 7];
    for (wd, f) in factor.iter_mut().enumerate() {
        let t: Vec<f64> = window.iter().filter(|d| d.weekday == wd).map(|d| d.total()).collect();
        if !t.is_empty() && mean_all > 0.0 {
            *f = t.iter().sum::<f64>() / t.len() as f64 / mean_all;
        }
    }
    factor
}

/// The intraday shape of weekday `wd` (mean share of the day's total per
/// slot over the last [`PROFILE_WEEKS`] usable same-weekday days) scaled to
/// the day total `total`.
pub fn scaled_shape(history: &[Day], bad: &[bool], cal: &Calendar, wd: usize, total: f64) -> Vec<f64> {
    let same = recent_same_weekday(history, bad, wd, PROFILE_WEEKS);
    let mut shape = vec![0.0f64; cal.slots];
    let mut n = 0.0;
    for d in &same {
        let t = d.total();
        if t <= 0.0 {
            continue;
        }
        for (s, v) in shape.iter_mut().zip(&d.values) {
            *s += if v.is_nan() { 0.0 } else { v / t };
        }
        n += 1.0;
    }
    shape.iter().map(|s| if n > 0.0 { total * s / n } else { f64::NAN }).collect()
}

/// Median of recent weeks: per slot, the median of the last
/// [`MEDIAN_WEEKS`] usable same-weekday days. Robust to one-off spikes.
pub fn median_weeks(history: &[Day], cal: &Calendar, targets: &[(usize, usize)]) -> Vec<Vec<f64>> {
    let bad = anomalous_days(history);
    targets
        .iter()
        .map(|&(_, wd)| {
            let same = recent_same_weekday(history, &bad, wd, MEDIAN_WEEKS);
            (0..cal.slots)
                .map(|s| {
                    let mut v: Vec<f64> = same.iter().map(|d| d.values[s]).filter(|x| !x.is_nan()).collect();
                    median(&mut v)
                })
                .collect()
        })
        .collect()
}

/// Parameters of the double-seasonal Holt–Winters model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaylorParams {
    /// Level smoothing (per interval).
    pub alpha: f64,
    /// Intraday seasonal smoothing (per day).
    pub delta: f64,
    /// Intraweek seasonal smoothing (per week).
    pub omega: f64,
}

/// State of the multiplicative double-seasonal Holt–Winters model of Taylor
/// (2003), without trend: `ŷ = level · daily[slot] · weekly[weekday][slot]`.
/// Seasonal indices are keyed by slot and weekday rather than by position in
/// the series, so a missing holiday does not shift the weekly cycle.
struct TaylorState {
    level: f64,
    daily: Vec<f64>,
    weekly: Vec<Vec<f64>>,
}

const EPS: f64 = 1e-9;

impl TaylorState {
    /// Initial state from the first `init` days: level = mean value; daily
    /// index = mean ratio per slot; weekly index = per weekday/slot ratio
    /// left over.
    fn init(days: &[Day], slots: usize) -> TaylorState {
        let mut sum = 0.0;
        let mut count = 0.0f64;
        for d in days {
            for v in d.values.iter().filter(|v| !v.is_nan()) {
                sum += v;
                count += 1.0;
            }
        }
        let level = (sum / count.max(1.0)).max(EPS);
        let mut daily = vec![0.0; slots];
        let mut dn = vec![0.0; slots];
        for d in days {
            for (s, v) in d.values.iter().enumerate() {
                if !v.is_nan() {
                    daily[s] += v / level;
                    dn[s] += 1.0;
                }
            }
        }
        for (x, n) in daily.iter_mut().zip(&dn) {
            *x = if *n > 0.0 { (*x / n).max(EPS) } else { 1.0 };
        }
        let mut weekly = vec![vec![0.0; slots]; 7];
        let mut wn = vec![vec![0.0; slots]; 7];
        for d in days {
            for (s, v) in d.values.iter().enumerate() {
                if !v.is_nan() {
                    weekly[d.weekday][s] += v / (level * daily[s]);
                    wn[d.weekday][s] += 1.0;
                }
            }
        }
        for (w, n) in weekly.iter_mut().zip(&wn) {
            for (x, k) in w.iter_mut().zip(n) {
                *x = if *k > 0.0 { (*x / k).max(EPS) } else { 1.0 };
            }
        }
        TaylorState { level, daily, weekly }
    }

    fn predict(&self, wd: usize, slot: usize) -> f64 {
        self.level * self.daily[slot] * self.weekly[wd][slot]
    }

    fn update(&mut self, p: &TaylorParams, wd: usize, slot: usize, y: f64) {
        let d = self.daily[slot];
        let w = self.weekly[wd][slot];
        let level = (p.alpha * y / (d * w).max(EPS) + (1.0 - p.alpha) * self.level).max(EPS);
        self.daily[slot] = (p.delta * y / (level * w).max(EPS) + (1.0 - p.delta) * d).max(EPS);
        self.weekly[wd][slot] = (p.omega * y / (level * d).max(EPS) + (1.0 - p.omega) * w).max(EPS);
        self.level = level;
    }
}

/// Days used to initialise the Taylor model (two operating weeks).
fn taylor_init_days(cal: &Calendar) -> usize {
    2 * cal.open_weekdays().max(1)
}

/// Runs the model over `history`; returns the final state and the mean
/// absolute error of day-ahead forecasts (each day forecast from the state at
/// the end of the previous day) after the initialisation period. Anomalous
/// days (see [`anomalous_days`]) are skipped, as if they were missing, so a
/// post-holiday surge does not drag the level and seasonal indices.
fn taylor_run(history: &[Day], cal: &Calendar, p: &TaylorParams, bad: &[bool]) -> (TaylorState, f64) {
    let init = taylor_init_days(cal).min(history.len());
    let mut st = TaylorState::init(&history[..init], cal.slots);
    let mut err = 0.0;
    let mut n = 0.0;
    for (i, day) in history.iter().enumerate() {
        if bad.get(i).copied().unwrap_or(false) {
            continue;
        }
        if i >= init {
            for (s, y) in day.values.iter().enumerate() {
                if !y.is_nan() {
                    err += (y - st.predict(day.weekday, s)).abs();
                    n += 1.0;
                }
            }
        }
        for (s, y) in day.values.iter().enumerate() {
            if !y.is_nan() {
                st.update(p, day.weekday, s, *y);
            }
        }
    }
    (st, if n > 0.0 { err / n } else { f64::INFINITY })
}

/// Chooses the smoothing parameters on a small grid by in-sample day-ahead
/// MAE (the horizon the planner uses), not by one-step error.
pub fn taylor_fit(history: &[Day], cal: &Calendar) -> TaylorParams {
    let bad = anomalous_days(history);
    let mut best = (f64::INFINITY, TaylorParams { alpha: 0.01, delta: 0.05, omega: 0.1 });
    for alpha in [0.002, 0.005, 0.01, 0.02] {
        for delta in [0.02, 0.05, 0.1, 0.2] {
            for omega in [0.05, 0.1, 0.2, 0.3] {
                let p = TaylorParams { alpha, delta, omega };
                let (_, mae) = taylor_run(history, cal, &p, &bad);
                if mae < best.0 {
                    best = (mae, p);
                }
            }
        }
    }
    best.1
}

/// Double-seasonal Holt–Winters (Taylor 2003) forecast.
pub fn taylor(history: &[Day], cal: &Calendar, targets: &[(usize, usize)]) -> Vec<Vec<f64>> {
    let p = taylor_fit(history, cal);
    let (st, _) = taylor_run(history, cal, &p, &anomalous_days(history));
    targets.iter().map(|&(_, wd)| (0..cal.slots).map(|s| st.predict(wd, s)).collect()).collect()
}

/// Equal-weight combination of the profile, median and Taylor forecasts.
pub fn ensemble(history: &[Day], cal: &Calendar, targets: &[(usize, usize)]) -> Vec<Vec<f64>> {
    let parts = [profile(history, cal, targets), median_weeks(history, cal, targets), taylor(history, cal, targets)];
    (0..targets.len())
        .map(|t| (0..cal.slots).map(|s| parts.iter().map(|p| p[t][s]).sum::<f64>() / parts.len() as f64).collect())
        .collect()
}
