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
        assert!(sc.wape < 1e-6, "{:?} should be exact on a noiseless pattern: {}", sc.model, sc.wape);
        assert_eq!(sc.origin_wapes.len(), 4);
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
