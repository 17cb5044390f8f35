//! The planner's other forecasts: handling time per interval, the intraday
//! reforecast from today's actuals, and unplanned shrinkage from absence
//! history.

use super::models::anomalous_days;
use super::series::Series;
use super::time::Date;

/// Same-weekday days the handling-time profile averages over.
pub const AHT_WEEKS: usize = 8;

/// Handling-time forecast (seconds) for every open interval of `dates`, in
/// the order [`super::run`] writes intervals: per weekday × slot, the
/// volume-weighted mean handling time Σ(calls·aht)/Σcalls over the last
/// [`AHT_WEEKS`] usable days of that weekday. A slot with no handled calls
/// falls back to the weekday's volume-weighted mean, then to the whole
/// history's. Empty when the history has no handling time.
pub fn aht_forecast(series: &Series, dates: &[Date]) -> Vec<f64> {
    let Some(aht) = &series.aht else { return Vec::new() };
    let cal = &series.calendar;
    let bad = anomalous_days(&series.days);
    let (mut all_w, mut all_n) = (0.0, 0.0);
    for (d, a) in series.days.iter().zip(aht) {
        for (v, t) in d.values.iter().zip(a) {
            if v.is_finite() && t.is_finite() {
                all_w += v * t;
                all_n += v;
            }
        }
    }
    let overall = if all_n > 0.0 { all_w / all_n } else { f64::NAN };
    let mut profiles: [Option<Vec<f64>>; 7] = Default::default();
    let mut out = Vec::new();
    for date in dates {
        let wd = date.weekday();
        let Some((a, b)) = cal.open[wd] else { continue };
        let profile = profiles[wd].get_or_insert_with(|| {
            let mut w = vec![0.0; cal.slots];
            let mut n = vec![0.0; cal.slots];
            let idx = (0..series.days.len()).rev().filter(|&i| series.days[i].weekday == wd && !bad[i]).take(AHT_WEEKS);
            for i in idx {
                for (s, (v, t)) in series.days[i].values.iter().zip(&aht[i]).enumerate() {
                    if v.is_finite() && t.is_finite() {
                        w[s] += v * t;
                        n[s] += v;
                    }
                }
            }
            let (sw, sn): (f64, f64) = (w.iter().sum(), n.iter().sum());
            let day = if sn > 0.0 { sw / sn } else { overall };
            w.iter().zip(&n).map(|(w, n)| if *n > 0.0 { w / n } else { day }).collect()
        });
        out.extend_from_slice(&profile[a..b]);
    }
    out
}

/// Prior weight (in contacts) of the original forecast in the intraday
/// reforecast: with this many contacts forecast so far, the observed ratio
/// counts half.
pub const REFORECAST_PRIOR: f64 = 100.0;
/// Bounds on the reforecast ratio, so one odd morning cannot double or
/// halve the rest of the day.
pub const REFORECAST_BOUNDS: (f64, f64) = (0.5, 2.0);

/// Intraday reforecast. `forecast` is today's forecast per interval,
/// `actual` today's actual volumes for the intervals elapsed so far (its
/// length is "now"). The elapsed intervals keep their actuals; the rest are
/// scaled by the damped ratio `1 + w·(r − 1)`, where `r` = Σactual /
/// Σforecast so far and `w` = F / (F + [`REFORECAST_PRIOR`]) with F the
/// forecast volume so far (little evidence, little change), clamped to
/// [`REFORECAST_BOUNDS`]. Returns the whole day and the applied ratio.
pub fn reforecast_intraday(forecast: &[f64], actual: &[f64]) -> (Vec<f64>, f64) {
    let now = actual.len().min(forecast.len());
    let f_so_far: f64 = forecast[..now].iter().filter(|v| v.is_finite()).sum();
    let a_so_far: f64 = actual[..now].iter().filter(|v| v.is_finite()).sum();
    let ratio = if f_so_far > 0.0 {
        let r = a_so_far / f_so_far;
        let w = f_so_far / (f_so_far + REFORECAST_PRIOR);
        (1.0 + w * (r - 1.0)).clamp(REFORECAST_BOUNDS.0, REFORECAST_BOUNDS.1)
    } else {
        1.0
    };
    let mut out: Vec<f64> = actual[..now].to_vec();
    out.extend(forecast[now..].iter().map(|v| v * ratio));
    (out, ratio)
}

/// Weeks of absence history the shrinkage forecast averages per weekday.
pub const SHRINKAGE_WEEKS: usize = 8;
/// Weeks of weekly means the shrinkage trend is fitted on.
pub const SHRINKAGE_TREND_WEEKS: usize = 12;
/// Damping of the shrinkage trend per week ahead (0 = none, 1 = full).
pub const SHRINKAGE_DAMPING: f64 = 0.8;

/// Unplanned-shrinkage forecast from daily absence rates (sickness and
/// other unplanned absence as a share of scheduled staff, each in [0, 1]).
///
/// Method: per weekday, the mean rate over the last [`SHRINKAGE_WEEKS`]
/// weeks of that weekday (the seasonal average, centred at the middle of
/// that window), plus a damped trend: the least-squares slope of the weekly
/// mean rate over the last [`SHRINKAGE_TREND_WEEKS`] weeks, applied from the
/// window's centre to the target with damping φ = [`SHRINKAGE_DAMPING`] per
/// week (Σφ^k, as in damped-trend exponential smoothing). With under four
/// weeks of data no trend is used. Results are clamped to [0, 1]; a weekday
/// with no history gets the overall mean.
pub fn shrinkage_forecast(history: &[(Date, f64)], dates: &[Date]) -> Vec<f64> {
    let mut h: Vec<(Date, f64)> = history.iter().copied().filter(|(_, r)| r.is_finite()).collect();
    h.sort_by_key(|(d, _)| *d);
    let Some(&(last, _)) = h.last() else { return vec![0.0; dates.len()] };
    let week_of = |d: Date| (last.days() - d.days()).div_euclid(7); // 0 = latest week
    let overall = h.iter().map(|x| x.1).sum::<f64>() / h.len() as f64;
    // Weekly means, newest first.
    let mut weekly: Vec<(f64, f64)> = vec![(0.0, 0.0); SHRINKAGE_TREND_WEEKS];
    for &(d, r) in &h {
        if let Some(w) = usize::try_from(week_of(d)).ok().filter(|w| *w < SHRINKAGE_TREND_WEEKS) {
            weekly[w].0 += r;
            weekly[w].1 += 1.0;
        }
    }
    let pts: Vec<(f64, f64)> =
        weekly.iter().enumerate().filter(|(_, (_, n))| *n > 0.0).map(|(w, (s, n))| (-(w as f64), s / n)).collect();
    let slope = if pts.len() >= 4 {
        let (mx, my) = (
            pts.iter().map(|p| p.0).sum::<f64>() / pts.len() as f64,
            pts.iter().map(|p| p.1).sum::<f64>() / pts.len() as f64,
        );
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        if sxx > 0.0 {
            sxy / sxx
        } else {
            0.0
        }
    } else {
        0.0
    };
    let centre_weeks = (SHRINKAGE_WEEKS as f64 - 1.0) / 2.0;
    dates
        .iter()
        .map(|d| {
            let same: Vec<f64> = h
                .iter()
                .filter(|(x, _)| x.weekday() == d.weekday() && (0..SHRINKAGE_WEEKS as i64).contains(&week_of(*x)))
                .map(|x| x.1)
                .collect();
            let base = if same.is_empty() { overall } else { same.iter().sum::<f64>() / same.len() as f64 };
            let ahead = centre_weeks + (d.days() - last.days()) as f64 / 7.0;
            let steps = ahead.max(0.0);
            // Σ_{k=1..steps} φ^k, continuous in `steps`.
            let phi = SHRINKAGE_DAMPING;
            let damped = phi * (1.0 - phi.powf(steps)) / (1.0 - phi);
            (base + slope * damped).clamp(0.0, 1.0)
        })
        .collect()
}
