use super::*;

fn bank() -> Series {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bank_calls_5min.csv");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    Series::parse_csv(&text).expect("bank_calls parses")
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::new(y, m, d).expect("valid date")
}

#[test]
fn bank_calendar_is_found() {
    let s = bank();
    assert_eq!(s.calendar.step_s, 300);
    assert_eq!(s.calendar.first_slot_s, 7 * 3600);
    assert_eq!(s.calendar.slots, 169);
    assert_eq!(s.calendar.open_weekday_names(), ["Mon", "Tue", "Wed", "Thu", "Fri"]);
    for wd in 0..5 {
        assert_eq!(s.calendar.open[wd], Some((0, 169)));
    }
    assert_eq!(s.days.len(), 144);
    assert!(s.missing.is_empty());
    for h in [date(2003, 4, 4), date(2003, 5, 26), date(2003, 7, 4), date(2003, 9, 1)] {
        assert!(s.closed_days.contains(&h), "{h} should be a closed day");
    }
    let next = s.calendar.next_days(date(2003, 9, 25), 3);
    assert_eq!(next, [date(2003, 9, 26), date(2003, 9, 29), date(2003, 9, 30)]);
}

#[test]
fn seasonal_naive_skips_holidays() {
    let s = bank();
    // History up to Thursday 2003-07-03; Friday 2003-07-04 is a holiday, so
    // a forecast for Monday 2003-07-07 must use Monday 2003-06-30, and one
    // for Friday uses Friday 2003-06-27 (not "5 operating days ago").
    let cut = s.days.iter().position(|d| d.date == date(2003, 7, 7)).expect("7 July present");
    let train = &s.days[..cut];
    let f = models::seasonal_naive(train, &s.calendar, &[(0, 0), (1, 4)]);
    let monday = s.days.iter().find(|d| d.date == date(2003, 6, 30)).expect("30 June");
    let friday = s.days.iter().find(|d| d.date == date(2003, 6, 27)).expect("27 June");
    assert_eq!(f[0], monday.values);
    assert_eq!(f[1], friday.values);
}

#[test]
fn day_after_a_holiday_is_flagged_anomalous() {
    let s = bank();
    let flags = models::anomalous_days(&s.days);
    let flagged: Vec<Date> = s.days.iter().zip(&flags).filter(|(_, b)| **b).map(|(d, _)| d.date).collect();
    assert!(flagged.contains(&date(2003, 9, 2)), "Tuesday after Labor Day: {flagged:?}");
    assert!(flagged.len() < 10, "only a few days are anomalous: {flagged:?}");
}

/// A synthetic series with a fixed weekday × slot pattern and level: every
/// model except seasonal naive's noise should reproduce it.
fn synthetic(days: usize, noise: bool) -> Series {
    let mut rows = Vec::new();
    let mut d = date(2024, 1, 1).days(); // a Monday
    let mut seed = 1u64;
    let mut count = 0;
    while count < days {
        let dt = Date::from_days(d);
        d += 1;
        if dt.weekday() >= 5 {
            continue;
        }
        count += 1;
        for slot in 0..20 {
            let shape = 1.0 + (slot as f64 / 19.0 * std::f64::consts::PI).sin();
            let wd = [1.3, 1.0, 0.95, 0.9, 1.05][dt.weekday()];
            let mut v = 50.0 * shape * wd;
            if noise {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                v *= 0.8 + 0.4 * ((seed >> 11) as f64 / (1u64 << 53) as f64);
            }
            rows.push((dt.days() * 86_400 + 9 * 3600 + slot * 1800, v));
        }
    }
    Series::from_values(rows, TimeFormat::Plain { seconds: false }).expect("synthetic series")
}

#[test]
fn models_reproduce_a_clean_pattern() {
    let s = synthetic(60, false);
    let (scores, week) = backtest(&s, &Model::ALL, &BacktestOptions::default(), &mut |_, _| {}).expect("backtest");
    assert_eq!(week, 5);
    for sc in &scores {
        // STL's LOESS smooths a little even on a noiseless pattern.
        let tol = if sc.model == Model::Mstl { 0.02 } else { 1e-6 };
        assert!(sc.wape < tol, "{:?} should be exact on a noiseless pattern: {}", sc.model, sc.wape);
        assert_eq!(sc.origin_wapes.len(), 4);
    }
}

/// Every model keeps its backtest forecasts: one per open interval of the
/// last four operating weeks, in time order, each week predicted from the
/// days before it (seasonal naive: the same slot a week earlier), and its
/// WAPE over them is the reported score.
#[test]
fn backtest_keeps_each_models_rolling_origin_predictions() {
    let s = synthetic(60, true);
    let opts = BacktestOptions::default();
    let b = backtest_full(&s, &Model::ALL, &opts, &mut |_, _| {}).expect("backtest");
    let tail: Vec<(i64, f64)> = s.values[s.values.len() - 4 * 5 * 20..].to_vec();
    for sc in &b.scores {
        let ts: Vec<i64> = sc.predictions.iter().map(|p| p.0).collect();
        assert_eq!(ts, tail.iter().map(|p| p.0).collect::<Vec<_>>(), "{:?}", sc.model);
        // Per origin (a week of 100 intervals), WAPE of the kept predictions.
        for (k, w) in sc.origin_wapes.iter().enumerate() {
            let range = k * 100..(k + 1) * 100;
            let abs: f64 = range.clone().map(|i| (tail[i].1 - sc.predictions[i].1).abs()).sum();
            let sum: f64 = range.map(|i| tail[i].1).sum();
            assert!((abs / sum - w).abs() < 1e-9, "{:?} origin {k}: {} vs {w}", sc.model, abs / sum);
        }
    }
    let naive = b.scores.iter().find(|sc| sc.model == Model::SeasonalNaive).expect("seasonal naive");
    let n = s.values.len();
    for (i, p) in naive.predictions.iter().enumerate() {
        assert_eq!(p.1, s.values[n - 4 * 100 - 100 + i].1, "a week back");
    }
}

#[test]
fn averaging_models_beat_seasonal_naive_on_noise() {
    let s = synthetic(60, true);
    let (scores, _) = backtest(&s, &Model::ALL, &BacktestOptions::default(), &mut |_, _| {}).expect("backtest");
    let get = |m: Model| scores.iter().find(|x| x.model == m).map(|x| x.wape).unwrap_or(f64::NAN);
    let naive = get(Model::SeasonalNaive);
    // Uniform ±20 % noise: naive WAPE ≈ E|u1 − u2|·0.4/1 ≈ 0.133; averages much less.
    assert!(naive > 0.1 && naive < 0.17, "naive {naive}");
    for m in [Model::Profile, Model::Taylor, Model::Ensemble] {
        assert!(get(m) < 0.8 * naive, "{m:?}: {} vs naive {naive}", get(m));
    }
    // A median of six noisy values is a less efficient estimate than a mean.
    assert!(get(Model::Median) < 0.9 * naive, "median {} vs naive {naive}", get(Model::Median));
    // MASE of seasonal naive out of sample is close to 1 on a stationary series.
    let mase = scores.iter().find(|x| x.model == Model::SeasonalNaive).map(|x| x.mase).unwrap_or(f64::NAN);
    assert!((mase - 1.0).abs() < 0.15, "naive MASE {mase}");
}

#[test]
fn bank_backtest_chooses_a_model_that_beats_seasonal_naive() {
    let s = bank();
    let r = run(&s, Method::Auto, 3, &BacktestOptions::default()).expect("run");
    for sc in &r.backtest {
        eprintln!("{:<15} WAPE {:.4} MASE {:.4} per origin {:?}", sc.model.name(), sc.wape, sc.mase, sc.origin_wapes);
    }
    let naive = r.backtest.iter().find(|x| x.model == Model::SeasonalNaive).map(|x| x.wape).unwrap_or(0.0);
    let best = r.backtest.iter().find(|x| x.model == r.chosen).map(|x| x.wape).unwrap_or(1.0);
    assert_ne!(r.chosen, Model::SeasonalNaive);
    assert!(best < 0.85 * naive, "chosen {best} vs naive {naive}");
    assert_eq!(r.forecast.len(), 3 * 169);
    assert_eq!(s.format.format(r.forecast[0].0), "2003-09-26T07:00:00Z");
    assert_eq!(s.format.format(r.forecast[169].0), "2003-09-29T07:00:00Z");
    assert_eq!(s.format.format(r.forecast[3 * 169 - 1].0), "2003-09-30T21:00:00Z");
    assert!(r.forecast.iter().all(|(_, v)| v.is_finite() && *v >= 0.0));
}

/// The synthetic noisy series with one interval multiplied by `factor` and
/// one row removed; returns the text form so the parser finds the gap.
fn with_spike_and_gap(factor: f64) -> (Series, i64, i64) {
    let s = synthetic(40, true);
    let spike_day = &s.days[30];
    let spike_ts = s.calendar.timestamp(spike_day.date, 7);
    let gap_ts = s.calendar.timestamp(s.days[20].date, 12);
    let mut text = String::from("timestamp,calls\n");
    for &(ts, v) in &s.values {
        if ts == gap_ts {
            continue;
        }
        let v = if ts == spike_ts { v * factor } else { v };
        text.push_str(&format!("{},{v}\n", s.format.format(ts)));
    }
    (Series::parse_csv(&text).expect("parses"), spike_ts, gap_ts)
}

#[test]
fn injected_spike_and_missing_interval_are_flagged_with_reasons() {
    let (s, spike_ts, gap_ts) = with_spike_and_gap(4.0);
    let r = history::detect(&s, &history::DetectOptions::default());
    let spike = r.flags.iter().find(|f| f.target == history::Target::Interval(spike_ts)).expect("spike flagged");
    assert_eq!(spike.kind, history::FlagKind::Spike);
    assert!(spike.value > 3.0 * spike.expected, "{spike:?}");
    assert!(spike.reason.contains("robust deviations above"), "{}", spike.reason);
    let gap = r.flags.iter().find(|f| f.target == history::Target::Interval(gap_ts)).expect("gap flagged");
    assert_eq!(gap.kind, history::FlagKind::Missing);
    assert!(gap.reason.contains("interpolation"));
    // ±20 % noise alone is not an outlier: only the two injected findings.
    assert_eq!(r.flags.len(), 2, "{:?}", r.flags);
    // A mild bump stays unflagged.
    let (mild, mild_ts, _) = with_spike_and_gap(1.15);
    let r = history::detect(&mild, &history::DetectOptions::default());
    assert!(r.flags.iter().all(|f| f.target != history::Target::Interval(mild_ts)));
}

#[test]
fn fix_and_label_change_the_forecast_input() {
    let (s, spike_ts, _) = with_spike_and_gap(4.0);
    let r = history::detect(&s, &history::DetectOptions::default());
    let target = history::Target::Interval(spike_ts);
    let slot = ((spike_ts.rem_euclid(86_400) - s.calendar.first_slot_s) / s.calendar.step_s) as usize;
    let before = s.days[30].values[slot];
    let kept = history::apply(&s, &r, &[(target, history::Action::Keep)]).expect("keep");
    assert_eq!(kept.days[30].values[slot], before);
    let fixed = history::apply(&s, &r, &[(target, history::Action::Fix)]).expect("fix");
    let expected = r.flags.iter().find(|f| f.target == target).map(|f| f.expected).unwrap_or(f64::NAN);
    assert_eq!(fixed.days[30].values[slot], expected);
    assert!(fixed.days[30].values[slot] < before / 2.0);
    // The fixed history gives a different (lower) profile forecast for that slot's weekday.
    let wd = s.days[30].weekday;
    let f_raw = models::profile(&s.days, &s.calendar, &[(0, wd)]);
    let f_fixed = models::profile(&fixed.days, &s.calendar, &[(0, wd)]);
    assert!(f_fixed[0][slot] < f_raw[0][slot], "{} vs {}", f_fixed[0][slot], f_raw[0][slot]);
    // Labelling a whole day as an outage leaves it out of the history.
    let mut r2 = r.clone();
    let day = s.days[25].date;
    r2.flags.push(history::Flag {
        target: history::Target::Day(day),
        kind: history::FlagKind::AnomalousDay,
        value: 0.0,
        expected: 0.0,
        reason: String::new(),
    });
    let labelled =
        history::apply(&s, &r2, &[(history::Target::Day(day), history::Action::Label(history::Label::Outage))])
            .expect("label");
    assert_eq!(labelled.days.len(), s.days.len() - 1);
    assert!(labelled.days.iter().all(|d| d.date != day));
    assert!(labelled.closed_days.contains(&day));
    // A decision on something not flagged is refused.
    let e = history::apply(&s, &r, &[(history::Target::Day(day), history::Action::Fix)]).expect_err("not flagged");
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
}

#[test]
fn bank_history_flags_are_few_and_explained() {
    let s = bank();
    let r = history::detect(&s, &history::DetectOptions::default());
    assert!(r.count(history::FlagKind::AnomalousDay) >= 1);
    assert_eq!(r.count(history::FlagKind::Missing), 0);
    let outliers = r.count(history::FlagKind::Spike) + r.count(history::FlagKind::Dip);
    // A handful among 24,336 intervals, not a noise detector.
    assert!(outliers < 60, "{outliers} interval outliers");
    assert!(r.flags.iter().all(|f| !f.reason.is_empty()));
}

#[test]
fn aht_is_read_and_forecast_by_weekday_and_slot_weighted_by_volume() {
    // Two weekdays' worth of pattern: Mondays 09:00 handle in 200 s, other
    // slots 100 s; one low-volume odd interval must not move the mean much.
    let mut text = String::from("timestamp,calls,aht_s\n");
    let mut d = date(2024, 1, 1).days();
    let mut n = 0;
    while n < 30 {
        let dt = Date::from_days(d);
        d += 1;
        if dt.weekday() >= 5 {
            continue;
        }
        n += 1;
        for h in 9..12 {
            let aht = if dt.weekday() == 0 && h == 9 { 200.0 } else { 100.0 };
            text.push_str(&format!("{dt} {h:02}:00,10,{aht}\n"));
        }
    }
    // The last Monday 10:00 gets 9 calls of 1000 s against 10 calls at 100 s
    // on the five other Mondays: the mean is weighted by volume.
    text = text.replace("2024-02-05 10:00,10,100", "2024-02-05 10:00,9,1000");
    let s = Series::parse_csv(&text).expect("parses with aht");
    assert!(s.aht.is_some());
    let next = s.calendar.next_days(s.days.last().expect("days").date, 5);
    let f = planning::aht_forecast(&s, &next);
    assert_eq!(f.len(), 5 * 3);
    let monday = next.iter().position(|d| d.weekday() == 0).expect("a Monday");
    assert!((f[monday * 3] - 200.0).abs() < 1e-9, "{f:?}");
    let weighted = (5.0 * 10.0 * 100.0 + 9.0 * 1000.0) / 59.0; // six Mondays in the history
    assert!((f[monday * 3 + 1] - weighted).abs() < 1e-9, "{} vs {weighted}", f[monday * 3 + 1]);
    assert!((f[(monday + 1) % 5 * 3] - 100.0).abs() < 1e-9);
    // The run carries it through, one value per forecast row.
    let r = run(&s, Method::Fixed(Model::Profile), 5, &BacktestOptions::default()).expect("run");
    assert_eq!(r.aht.as_ref().map(Vec::len), Some(r.forecast.len()));
    // A negative handling time is refused with its line.
    let e = Series::parse_csv("timestamp,calls,aht_s\n2024-01-01 09:00,1,-5\n").expect_err("negative");
    assert!(matches!(e, Error::Parse { line: 2, .. }), "{e:?}");
}

#[test]
fn spreadsheet_cells_parse_like_csv() {
    // 2024-01-01 09:00 as an Excel serial: 45292 + 9/24.
    let header = vec!["Timestamp".to_string(), "calls".to_string()];
    let rows: Vec<(usize, Vec<Cell>)> = (0..40)
        .map(|i| {
            let serial = 45_292.0 + (i / 4) as f64 + (9.0 + (i % 4) as f64 * 0.5) / 24.0;
            (i + 2, vec![Cell::DateTime(serial), Cell::Number(5.0 + i as f64)])
        })
        .collect();
    let s = Series::from_table(1, &header, &rows).expect("table parses");
    assert_eq!(s.calendar.step_s, 1800);
    assert_eq!(s.format.format(s.values[0].0), "2024-01-01 09:00");
    let bad = vec![(2, vec![Cell::DateTime(45_292.5), Cell::Text("many".into())])];
    let e = Series::from_table(1, &header, &bad).expect_err("text calls");
    assert_eq!(e, Error::Parse { line: 2, message: "calls \"many\" is not a number".into() });
}

#[test]
fn intraday_reforecast_scales_the_rest_of_the_day_damped() {
    let forecast = vec![100.0; 10];
    // Busier morning: 4 intervals at 130 → ratio 1.3 on 400 forecast;
    // weight 400/500 = 0.8 → applied 1.24.
    let (day, ratio) = planning::reforecast_intraday(&forecast, &[130.0; 4]);
    assert!((ratio - 1.24).abs() < 1e-12, "{ratio}");
    assert_eq!(&day[..4], &[130.0; 4]);
    assert!(day[4..].iter().all(|v| (v - 124.0).abs() < 1e-9));
    // Little evidence, little change; no actuals, no change; bounded.
    let (_, r1) = planning::reforecast_intraday(&[10.0; 10], &[20.0]);
    assert!(r1 > 1.0 && r1 < 1.1, "{r1}");
    assert_eq!(planning::reforecast_intraday(&forecast, &[]).1, 1.0);
    let (_, r3) = planning::reforecast_intraday(&forecast, &[1000.0; 8]);
    assert_eq!(r3, planning::REFORECAST_BOUNDS.1);
}

#[test]
fn shrinkage_forecast_follows_weekday_pattern_and_trend() {
    let start = date(2024, 1, 1).days();
    let flat: Vec<(Date, f64)> = (0..84)
        .map(|i| Date::from_days(start + i))
        .filter(|d| d.weekday() < 5)
        .map(|d| (d, if d.weekday() == 0 { 0.12 } else { 0.06 }))
        .collect();
    let last = flat.last().expect("history").0;
    let next: Vec<Date> = (1..=7).map(|k| Date::from_days(last.days() + k)).filter(|d| d.weekday() < 5).collect();
    let f = planning::shrinkage_forecast(&flat, &next);
    for (d, v) in next.iter().zip(&f) {
        let want = if d.weekday() == 0 { 0.12 } else { 0.06 };
        assert!((v - want).abs() < 1e-9, "{d}: {v}");
    }
    // Rising absence (+0.5 point a week): forecasts above the recent average, damped.
    let rising: Vec<(Date, f64)> =
        flat.iter().map(|&(d, r)| (d, r + 0.005 * ((d.days() - start) / 7) as f64)).collect();
    let g = planning::shrinkage_forecast(&rising, &next);
    for ((d, v), base) in next.iter().zip(&g).zip(&f) {
        let seasonal_average = base + 0.005 * 7.5; // mean of the last 8 weeks' levels
        let recent = base + 0.005 * 11.0; // last week's level
        assert!(*v > seasonal_average + 0.005 && *v < recent + 0.01, "{d}: {v} vs {seasonal_average}..{recent}");
    }
    assert!(planning::shrinkage_forecast(&[], &next).iter().all(|v| *v == 0.0));
}

#[test]
fn daily_totals_forecast_weeks_ahead() {
    let s = bank();
    let f = stat::daily_totals(&s, 40).expect("daily totals");
    assert_eq!(f.len(), 40);
    assert_eq!(f[0].0, date(2003, 9, 26));
    assert!(f.iter().all(|(d, t)| d.weekday() < 5 && *t > 15_000.0 && *t < 50_000.0), "{f:?}");
    // Monday is the busiest bank day in the history; it stays so.
    let mon = f.iter().find(|(d, _)| d.weekday() == 0).map(|x| x.1).unwrap_or(0.0);
    let thu = f.iter().find(|(d, _)| d.weekday() == 3).map(|x| x.1).unwrap_or(0.0);
    assert!(mon > thu, "{mon} vs {thu}");
}
