//! Interval-volume forecasting: read a history ([`Series`]), forecast it with
//! several models ([`Model`]), choose among them by a rolling-origin backtest
//! (lowest mean WAPE; MASE reported too), and produce the next operating
//! days' intervals following the calendar found in the history.
//!
//! Backtest: origins at the starts of each of the last `weeks` operating
//! weeks (an operating week = as many operating days as there are open
//! weekdays); from each origin every model is fitted on the days before it
//! and forecasts the next operating week. Per origin, WAPE = Σ|y − ŷ| / Σy
//! and MASE = MAE / (in-sample MAE of the seasonal-naive forecast, i.e. of
//! "the same slot on the latest earlier day with the same weekday"). The
//! scores are averaged over origins.

pub mod models;
pub mod series;
pub mod time;

pub use series::{Calendar, Day, Series};
pub use time::{Date, TimeFormat};

use crate::{Error, Result};

/// A forecasting model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Same slot, latest day with the same weekday (one operating week back).
    SeasonalNaive,
    /// Recent level × day-of-week factor × weekday's intraday shape.
    Profile,
    /// Per-slot median of the last weeks' same-weekday days.
    Median,
    /// Double-seasonal Holt–Winters (Taylor 2003).
    Taylor,
    /// Mean of profile, median and Taylor.
    Ensemble,
}

impl Model {
    pub const ALL: [Model; 5] = [Model::SeasonalNaive, Model::Profile, Model::Median, Model::Taylor, Model::Ensemble];

    pub fn name(self) -> &'static str {
        match self {
            Model::SeasonalNaive => "seasonal_naive",
            Model::Profile => "profile",
            Model::Median => "median",
            Model::Taylor => "taylor",
            Model::Ensemble => "ensemble",
        }
    }

    /// Forecasts `targets` (day number, weekday) from `history`.
    pub fn forecast(self, history: &[Day], cal: &Calendar, targets: &[(usize, usize)]) -> Vec<Vec<f64>> {
        match self {
            Model::SeasonalNaive => models::seasonal_naive(history, cal, targets),
            Model::Profile => models::profile(history, cal, targets),
            Model::Median => models::median_weeks(history, cal, targets),
            Model::Taylor => models::taylor(history, cal, targets),
            Model::Ensemble => models::ensemble(history, cal, targets),
        }
    }
}

/// What `--method` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The model with the lowest backtest WAPE.
    Auto,
    Fixed(Model),
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        if s == "auto" {
            return Some(Method::Auto);
        }
        Model::ALL.iter().find(|m| m.name() == s).map(|m| Method::Fixed(*m))
    }

    pub fn names() -> Vec<&'static str> {
        let mut v = vec!["auto"];
        v.extend(Model::ALL.iter().map(|m| m.name()));
        v
    }
}

/// Backtest settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BacktestOptions {
    /// Number of weekly origins at the end of the history.
    pub weeks: usize,
}

impl Default for BacktestOptions {
    fn default() -> Self {
        BacktestOptions { weeks: 4 }
    }
}

/// One model's backtest result.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub model: Model,
    /// Mean WAPE over origins.
    pub wape: f64,
    /// Mean MASE over origins.
    pub mase: f64,
    pub origin_wapes: Vec<f64>,
}

/// The answer of [`run`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// Every open interval of the next operating days: (timestamp, value).
    pub forecast: Vec<(i64, f64)>,
    pub backtest: Vec<Score>,
    pub chosen: Model,
    pub backtest_horizon_days: usize,
    /// Days the models left out of their profiles as anomalous.
    pub excluded_days: Vec<Date>,
}

fn targets_of(days: &[Day]) -> Vec<(usize, usize)> {
    days.iter().enumerate().map(|(i, d)| (i, d.weekday)).collect()
}

/// In-sample MAE of the seasonal-naive forecast (MASE's scale).
pub fn seasonal_naive_scale(history: &[Day], cal: &Calendar) -> f64 {
    let mut last: [Option<usize>; 7] = [None; 7];
    let (mut err, mut n) = (0.0, 0.0);
    for (i, d) in history.iter().enumerate() {
        if let Some(j) = last[d.weekday] {
            if let Some((a, b)) = cal.open[d.weekday] {
                for s in a..b {
                    let (y, p) = (d.values[s], history[j].values[s]);
                    if !y.is_nan() && !p.is_nan() {
                        err += (y - p).abs();
                        n += 1.0;
                    }
                }
            }
        }
        last[d.weekday] = Some(i);
    }
    if n > 0.0 {
        err / n
    } else {
        f64::NAN
    }
}

/// Errors of `forecast` against `actual` over the open slots: (Σ|e|, Σy, n).
fn errors(actual: &[Day], forecast: &[Vec<f64>], cal: &Calendar) -> (f64, f64, f64) {
    let (mut abs, mut sum, mut n) = (0.0, 0.0, 0.0);
    for (d, f) in actual.iter().zip(forecast) {
        if let Some((a, b)) = cal.open[d.weekday] {
            for (&y, &p) in d.values[a..b].iter().zip(&f[a..b]) {
                if y.is_nan() {
                    continue;
                }
                abs += if p.is_nan() { y.abs() } else { (y - p).abs() };
                sum += y.abs();
                n += 1.0;
            }
        }
    }
    (abs, sum, n)
}

/// Rolling-origin backtest of `models` over the last `opts.weeks` operating
/// weeks of `series`. `progress` is called after each (model, origin).
pub fn backtest(
    series: &Series,
    models: &[Model],
    opts: &BacktestOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Vec<Score>, usize)> {
    let cal = &series.calendar;
    let week = cal.open_weekdays().max(1);
    let days = &series.days;
    // Leave at least three operating weeks of training before the first origin.
    let max_weeks = (days.len() / week).saturating_sub(3);
    let weeks = opts.weeks.min(max_weeks);
    if weeks == 0 {
        return Err(Error::Insufficient(format!(
            "a backtest needs at least four operating weeks of history; got {} operating days",
            days.len()
        )));
    }
    let origins: Vec<usize> = (1..=weeks).rev().map(|k| days.len() - k * week).collect();
    let total = origins.len() * models.len();
    let mut done = 0;
    let mut scores = Vec::new();
    for &model in models {
        let (mut wapes, mut mases) = (Vec::new(), Vec::new());
        for &o in &origins {
            let train = &days[..o];
            let test = &days[o..(o + week).min(days.len())];
            let f = model.forecast(train, cal, &targets_of(test));
            let (abs, sum, n) = errors(test, &f, cal);
            wapes.push(if sum > 0.0 { abs / sum } else { f64::NAN });
            mases.push(abs / n.max(1.0) / seasonal_naive_scale(train, cal));
            done += 1;
            progress(done, total);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        scores.push(Score { model, wape: mean(&wapes), mase: mean(&mases), origin_wapes: wapes });
    }
    Ok((scores, week))
}

/// Backtests every model, picks one (`method`), and forecasts the next
/// `horizon_days` operating days from the whole history.
pub fn run(series: &Series, method: Method, horizon_days: usize, opts: &BacktestOptions) -> Result<RunResult> {
    run_with_progress(series, method, horizon_days, opts, &mut |_, _| {})
}

/// [`run`] with a progress callback `(done, total)` for the backtest.
pub fn run_with_progress(
    series: &Series,
    method: Method,
    horizon_days: usize,
    opts: &BacktestOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<RunResult> {
    let cal = &series.calendar;
    let last = series.days.last().ok_or_else(|| Error::Insufficient("no operating days in the history".into()))?;
    let (backtest, horizon) = match backtest(series, &Model::ALL, opts, progress) {
        Ok(b) => b,
        Err(e) if matches!(method, Method::Fixed(_)) && series.days.len() >= cal.open_weekdays() => {
            let _ = e;
            (Vec::new(), 0)
        }
        Err(e) => return Err(e),
    };
    let chosen = match method {
        Method::Fixed(m) => m,
        Method::Auto => backtest
            .iter()
            .filter(|s| s.wape.is_finite())
            .min_by(|a, b| a.wape.total_cmp(&b.wape))
            .map(|s| s.model)
            .unwrap_or(Model::SeasonalNaive),
    };
    let future = cal.next_days(last.date, horizon_days);
    let targets: Vec<(usize, usize)> = future.iter().enumerate().map(|(i, d)| (i, d.weekday())).collect();
    let values = chosen.forecast(&series.days, cal, &targets);
    let mut forecast = Vec::new();
    for (date, vals) in future.iter().zip(&values) {
        if let Some((a, b)) = cal.open[date.weekday()] {
            for (s, v) in vals.iter().enumerate().take(b).skip(a) {
                let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                forecast.push((cal.timestamp(*date, s), v));
            }
        }
    }
    let flags = models::anomalous_days(&series.days);
    let excluded_days = series.days.iter().zip(&flags).filter(|(_, b)| **b).map(|(d, _)| d.date).collect();
    Ok(RunResult { forecast, backtest, chosen, backtest_horizon_days: horizon, excluded_days })
}

#[cfg(test)]
mod tests;
