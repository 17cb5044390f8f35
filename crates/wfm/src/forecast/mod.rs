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
//!
//! The combination (`combo`) is the robust default: at each origin its
//! weights come only from the base models' errors over the
//! [`COMBO_WINDOW`] operating weeks *before* that origin (weights ∝
//! 1/WAPE² over the best [`COMBO_TOP`]), so its backtest score is honest
//! and nothing is fitted on the weeks it is judged on.

pub mod history;
pub mod models;
pub mod planning;
pub mod series;
pub mod stat;
pub mod table;
pub mod time;
pub mod tools;

pub use series::{Calendar, Cell, Day, Series};
pub use table::Table;
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
    /// MSTL (daily + weekly seasonality) with an AutoETS trend.
    Mstl,
    /// AutoETS on deseasonalised daily totals × intraday shape.
    Ets,
    /// Backtest-weighted combination of the base models (see module docs).
    Combo,
}

/// Operating weeks before an origin whose errors set the combination weights.
pub const COMBO_WINDOW: usize = 2;
/// How many of the best base models the combination uses.
pub const COMBO_TOP: usize = 3;

impl Model {
    pub const ALL: [Model; 8] = [
        Model::SeasonalNaive,
        Model::Profile,
        Model::Median,
        Model::Taylor,
        Model::Ensemble,
        Model::Mstl,
        Model::Ets,
        Model::Combo,
    ];
    /// The models the combination chooses among.
    pub const BASE: [Model; 7] =
        [Model::SeasonalNaive, Model::Profile, Model::Median, Model::Taylor, Model::Ensemble, Model::Mstl, Model::Ets];

    pub fn name(self) -> &'static str {
        match self {
            Model::SeasonalNaive => "seasonal_naive",
            Model::Profile => "profile",
            Model::Median => "median",
            Model::Taylor => "taylor",
            Model::Ensemble => "ensemble",
            Model::Mstl => "mstl",
            Model::Ets => "ets",
            Model::Combo => "combo",
        }
    }

    /// Forecasts `targets` (day number, weekday; the operating days right
    /// after `history`) from `history`.
    pub fn forecast(self, history: &[Day], cal: &Calendar, targets: &[(usize, usize)]) -> Vec<Vec<f64>> {
        match self {
            Model::SeasonalNaive => models::seasonal_naive(history, cal, targets),
            Model::Profile => models::profile(history, cal, targets),
            Model::Median => models::median_weeks(history, cal, targets),
            Model::Taylor => models::taylor(history, cal, targets),
            Model::Ensemble => models::ensemble(history, cal, targets),
            Model::Mstl => stat::mstl(history, cal, targets),
            Model::Ets => stat::ets(history, cal, targets),
            Model::Combo => combo_forecast(history, cal, targets),
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
    /// The rolling-origin forecasts themselves: (timestamp, value) for every
    /// open interval of the scored weeks, each predicted from the history
    /// before its week's origin (the weeks tile the backtested span).
    pub predictions: Vec<(i64, f64)>,
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
    /// The combination's weights when it was chosen.
    pub combo_weights: Vec<(Model, f64)>,
    /// Handling time (seconds) for each row of `forecast`, when the history
    /// had a handling-time column.
    pub aht: Option<Vec<f64>>,
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

/// A forecast of `days` as (timestamp, value) over their open slots.
fn stamped(days: &[Day], forecast: &[Vec<f64>], cal: &Calendar) -> Vec<(i64, f64)> {
    let mut out = Vec::new();
    for (d, f) in days.iter().zip(forecast) {
        if let Some((a, b)) = cal.open[d.weekday] {
            for (s, &v) in f.iter().enumerate().take(b).skip(a) {
                out.push((cal.timestamp(d.date, s), if v.is_finite() { v.max(0.0) } else { 0.0 }));
            }
        }
    }
    out
}

/// WAPE and MASE of one forecast against the actual days.
fn score(test: &[Day], f: &[Vec<f64>], train: &[Day], cal: &Calendar) -> (f64, f64) {
    let (abs, sum, n) = errors(test, f, cal);
    let wape = if sum > 0.0 { abs / sum } else { f64::NAN };
    (wape, abs / n.max(1.0) / seasonal_naive_scale(train, cal))
}

/// Combination weights from the base models' mean WAPE over recent origins:
/// ∝ 1/WAPE² over the best [`COMBO_TOP`]; equal weights of profile, median
/// and Taylor when no error is known.
pub fn combo_weights(wapes: &[(Model, f64)]) -> Vec<(Model, f64)> {
    let mut ok: Vec<(Model, f64)> =
        wapes.iter().copied().filter(|(_, w)| w.is_finite() && *w >= 0.0).map(|(m, w)| (m, w.max(1e-9))).collect();
    if ok.is_empty() {
        return [Model::Profile, Model::Median, Model::Taylor].iter().map(|m| (*m, 1.0 / 3.0)).collect();
    }
    ok.sort_by(|a, b| a.1.total_cmp(&b.1));
    ok.truncate(COMBO_TOP);
    let total: f64 = ok.iter().map(|(_, w)| 1.0 / (w * w)).sum();
    ok.iter().map(|(m, w)| (*m, 1.0 / (w * w) / total)).collect()
}

/// Σ weight × forecast over the weighted models.
fn combine(weights: &[(Model, f64)], forecasts: &dyn Fn(Model) -> Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::new();
    for &(m, w) in weights {
        let f = forecasts(m);
        if out.is_empty() {
            out = f.iter().map(|d| vec![0.0; d.len()]).collect();
        }
        for (o, d) in out.iter_mut().zip(&f) {
            for (x, v) in o.iter_mut().zip(d) {
                *x += w * if v.is_finite() { *v } else { 0.0 };
            }
        }
    }
    out
}

/// The combination fitted on `history` alone: weights from a backtest of the
/// base models over its last [`COMBO_WINDOW`] operating weeks.
fn combo_forecast(history: &[Day], cal: &Calendar, targets: &[(usize, usize)]) -> Vec<Vec<f64>> {
    let week = cal.open_weekdays().max(1);
    let origins: Vec<usize> = (1..=COMBO_WINDOW)
        .rev()
        .filter_map(|k| history.len().checked_sub(k * week))
        .filter(|o| *o >= 3 * week)
        .collect();
    let mut wapes = Vec::new();
    for m in Model::BASE {
        let w: Vec<f64> = origins
            .iter()
            .map(|&o| {
                score(
                    &history[o..o + week],
                    &m.forecast(&history[..o], cal, &targets_of(&history[o..o + week])),
                    &history[..o],
                    cal,
                )
                .0
            })
            .collect();
        wapes.push((m, mean(&w)));
    }
    combine(&combo_weights(&wapes), &|m| m.forecast(history, cal, targets))
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Rolling-origin backtest of `models` over the last `opts.weeks` operating
/// weeks of `series`. `progress` is called after each (model, origin).
/// Returns the scores, the horizon (days) and the combination weights for a
/// forecast from the whole history (from the last [`COMBO_WINDOW`] origins).
pub fn backtest(
    series: &Series,
    models: &[Model],
    opts: &BacktestOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Vec<Score>, usize)> {
    backtest_full(series, models, opts, progress).map(|b| (b.scores, b.horizon))
}

/// What [`backtest_full`] finds.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    pub scores: Vec<Score>,
    pub horizon: usize,
    /// Weights of the combination for a forecast from the whole history.
    pub combo_weights: Vec<(Model, f64)>,
}

/// [`backtest`] with the combination weights. Base models are run at
/// [`COMBO_WINDOW`] extra earlier origins (when the history allows) so the
/// combination has past errors at every scored origin; those extra origins
/// do not enter the scores.
pub fn backtest_full(
    series: &Series,
    models: &[Model],
    opts: &BacktestOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Backtest> {
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
    let extra = if models.contains(&Model::Combo) { COMBO_WINDOW.min(max_weeks - weeks) } else { 0 };
    let origins: Vec<usize> = (1..=weeks + extra).rev().map(|k| days.len() - k * week).collect();
    let base: Vec<Model> = if extra > 0 || models.contains(&Model::Combo) {
        Model::BASE.iter().copied().filter(|m| models.contains(m) || models.contains(&Model::Combo)).collect()
    } else {
        models.to_vec()
    };
    let total = origins.len() * base.len();
    let mut done = 0;
    // forecasts[m][k], wapes[m][k], mases[m][k] for base model m at origin k.
    let mut forecasts: Vec<Vec<Vec<Vec<f64>>>> = Vec::new();
    let mut wapes: Vec<Vec<f64>> = Vec::new();
    let mut mases: Vec<Vec<f64>> = Vec::new();
    for &model in &base {
        let (mut fs, mut ws, mut ms) = (Vec::new(), Vec::new(), Vec::new());
        for &o in &origins {
            let (train, test) = (&days[..o], &days[o..(o + week).min(days.len())]);
            let f = model.forecast(train, cal, &targets_of(test));
            let (w, m) = score(test, &f, train, cal);
            fs.push(f);
            ws.push(w);
            ms.push(m);
            done += 1;
            progress(done, total);
        }
        forecasts.push(fs);
        wapes.push(ws);
        mases.push(ms);
    }
    let weights_at = |k: usize| -> Vec<(Model, f64)> {
        let lo = k.saturating_sub(COMBO_WINDOW);
        combo_weights(&base.iter().enumerate().map(|(i, m)| (*m, mean(&wapes[i][lo..k]))).collect::<Vec<_>>())
    };
    let mut scores = Vec::new();
    for &model in models {
        let (mut ws, mut ms, mut predictions) = (Vec::new(), Vec::new(), Vec::new());
        let i = base.iter().position(|b| *b == model).unwrap_or(0);
        for (k, &o) in origins.iter().enumerate().skip(extra) {
            let (train, test) = (&days[..o], &days[o..(o + week).min(days.len())]);
            if model == Model::Combo {
                let pos = |m: Model| base.iter().position(|b| *b == m).unwrap_or(0);
                let f = combine(&weights_at(k), &|m| forecasts[pos(m)][k].clone());
                let (w, m) = score(test, &f, train, cal);
                ws.push(w);
                ms.push(m);
                predictions.extend(stamped(test, &f, cal));
            } else {
                ws.push(wapes[i][k]);
                ms.push(mases[i][k]);
                predictions.extend(stamped(test, &forecasts[i][k], cal));
            }
        }
        scores.push(Score { model, wape: mean(&ws), mase: mean(&ms), origin_wapes: ws, predictions });
    }
    let combo_weights = weights_at(origins.len());
    Ok(Backtest { scores, horizon: week, combo_weights })
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
    let (backtest, horizon, weights) = match backtest_full(series, &Model::ALL, opts, progress) {
        Ok(b) => (b.scores, b.horizon, b.combo_weights),
        Err(_) if matches!(method, Method::Fixed(_)) && series.days.len() >= cal.open_weekdays() => {
            (Vec::new(), 0, combo_weights(&[]))
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
    let values = if chosen == Model::Combo {
        combine(&weights, &|m| m.forecast(&series.days, cal, &targets))
    } else {
        chosen.forecast(&series.days, cal, &targets)
    };
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
    let aht = series.aht.as_ref().map(|_| planning::aht_forecast(series, &future));
    Ok(RunResult {
        forecast,
        backtest,
        chosen,
        backtest_horizon_days: horizon,
        excluded_days,
        combo_weights: if chosen == Model::Combo { weights } else { Vec::new() },
        aht,
    })
}

#[cfg(test)]
mod tests;
