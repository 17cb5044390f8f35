use super::*;
use proptest::prelude::*;

/// The KPI.md example: 100 contacts per 30 minutes, AHT 180 s.
fn kpi_load() -> Load {
    Load::new(100.0, 1800.0, 180.0).expect("valid load")
}

fn kpi_target() -> Target {
    Target { service_level: 0.8, answer_time_s: 20.0, max_occupancy: Some(0.85), max_asa_s: None }
}

/// Erlang C P_wait by the textbook formula, with factorials as exact
/// ratios built term by term (fine for small n).
fn p_wait_direct(n: u32, a: f64) -> f64 {
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..n {
        sum += term;
        term *= a / (k as f64 + 1.0);
    }
    // term is now a^n / n!
    let top = term * n as f64 / (n as f64 - a);
    top / (sum + top)
}

#[test]
fn kpi_check_values_erlang_c() {
    let s = staff(&kpi_load(), &kpi_target(), None, 0.30).expect("staffing");
    eprintln!("Erlang C check: {s:?}");
    assert_eq!(s.on_line, 14);
    assert_eq!(s.scheduled, 20);
    let m = s.metrics;
    // KPI.md prints SL 0.88835, occupancy 0.7143, P_wait 0.17413: each must
    // agree to within half a unit of the last printed digit.
    assert!((m.service_level - 0.88835).abs() < 5e-6, "SL {}", m.service_level);
    assert!((m.p_wait - 0.17413).abs() < 5e-6, "P_wait {}", m.p_wait);
    assert!((m.occupancy - 0.7143).abs() < 5e-5, "occupancy {}", m.occupancy);
    // 13 agents would miss the SL target, so 14 is the smallest.
    assert!(erlang_c_metrics(&kpi_load(), 13, 20.0).service_level < 0.8);
}

#[test]
fn erlang_c_matches_direct_formula_to_1e9() {
    let load = kpi_load();
    let m = erlang_c_metrics(&load, 14, 20.0);
    let pw = p_wait_direct(14, 10.0);
    assert!((m.p_wait - pw).abs() < 1e-9);
    let sl = 1.0 - pw * (-(14.0 - 10.0) * 20.0 / 180.0f64).exp();
    assert!((m.service_level - sl).abs() < 1e-9);
    assert!((m.asa_s - pw * 180.0 / 4.0).abs() < 1e-9);
    assert!((m.occupancy - 10.0 / 14.0).abs() < 1e-12);
    for n in 1..60u32 {
        for a in [0.3, 1.0, 2.5, 7.0, 19.9, 33.3, 50.0] {
            if (n as f64) > a {
                let d = p_wait_direct(n, a);
                assert!((erlang_c(n, a) - d).abs() < 1e-9, "n={n} a={a}");
            }
        }
    }
}

#[test]
fn erlang_b_small_values() {
    assert_eq!(erlang_b(0, 3.0), 1.0);
    assert!((erlang_b(1, 1.0) - 0.5).abs() < 1e-15);
    // B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2
    assert!((erlang_b(2, 1.0) - 0.2).abs() < 1e-15);
}

#[test]
fn ten_thousand_agents_stay_finite() {
    let a = 9_800.0;
    let pw = erlang_c(10_000, a);
    assert!(pw.is_finite() && pw > 0.0 && pw < 1.0, "{pw}");
    let load = Load::new(a, 3600.0, 3600.0).expect("load");
    let m = erlang_c_metrics(&load, 10_000, 20.0);
    assert!(m.service_level.is_finite() && m.asa_s.is_finite());
    let mut target = kpi_target();
    target.max_occupancy = None;
    let s = staff(&load, &target, None, 0.3).expect("staffing");
    assert!(s.on_line > 9_800 && s.on_line < 10_100, "{}", s.on_line);
    // With the occupancy cap, occupancy binds: ceil(9800 / 0.85) = 11530.
    let capped = staff(&load, &kpi_target(), None, 0.3).expect("staffing");
    assert_eq!(capped.on_line, 11_530);
    let sa = staff(&load, &target, Some(300.0), 0.3).expect("Erlang A staffing");
    assert!(sa.on_line <= s.on_line && sa.on_line > 9_000, "{}", sa.on_line);
    let ma = erlang_a_metrics(&load, 10_000, 20.0, 300.0);
    for x in [ma.service_level, ma.asa_s, ma.occupancy, ma.p_wait, ma.abandon_rate.unwrap_or(f64::NAN)] {
        assert!(x.is_finite(), "{ma:?}");
    }
}

#[test]
fn kpi_check_values_erlang_a() {
    let s = staff(&kpi_load(), &kpi_target(), Some(300.0), 0.30).expect("staffing");
    eprintln!("Erlang A check: {s:?}");
    assert_eq!(s.on_line, 13);
    assert_eq!(s.scheduled, 19);
    let m = s.metrics;
    assert!((m.service_level - 0.858).abs() < 5e-4, "SL {}", m.service_level);
    let ab = m.abandon_rate.expect("abandon rate");
    assert!((ab - 0.025).abs() < 5e-4, "abandon {ab}");
    assert!(erlang_a_metrics(&kpi_load(), 12, 20.0, 300.0).service_level < 0.8);
}

/// Independent birth–death computation: plain products of rate ratios (no
/// logs), a fixed generous truncation, and the abandonment from Little's law
/// (θ·E[queue]/λ) rather than from the per-caller stage formula.
fn erlang_a_direct(lambda: f64, mu: f64, theta: f64, n: usize) -> (f64, f64, f64) {
    let states = n + 3000;
    let mut w = vec![1.0f64];
    for k in 1..states {
        let death = k.min(n) as f64 * mu + k.saturating_sub(n) as f64 * theta;
        let prev = w[k - 1];
        w.push(prev * lambda / death);
    }
    let z: f64 = w.iter().sum();
    let p_wait = w[n..].iter().sum::<f64>() / z;
    let queue = w.iter().enumerate().map(|(k, p)| k.saturating_sub(n) as f64 * p).sum::<f64>() / z;
    let busy = w.iter().enumerate().map(|(k, p)| k.min(n) as f64 * p).sum::<f64>() / z;
    (p_wait, theta * queue / lambda, busy / n as f64)
}

#[test]
fn erlang_a_matches_independent_birth_death_to_1e9() {
    for (calls, n, patience) in [(100.0, 13u32, 300.0), (100.0, 9, 300.0), (60.0, 5, 60.0), (150.0, 16, 120.0)] {
        let load = Load::new(calls, 1800.0, 180.0).expect("load");
        let m = erlang_a_metrics(&load, n, 20.0, patience);
        let (pw, ab, occ) = erlang_a_direct(load.rate(), 1.0 / 180.0, 1.0 / patience, n as usize);
        assert!((m.p_wait - pw).abs() < 1e-9, "P_wait {} vs {pw}", m.p_wait);
        assert!((m.abandon_rate.expect("abandon") - ab).abs() < 1e-9, "abandon {:?} vs {ab}", m.abandon_rate);
        assert!((m.occupancy - occ).abs() < 1e-9, "occupancy {} vs {occ}", m.occupancy);
    }
}

#[test]
fn erlang_a_tends_to_erlang_c_as_patience_grows() {
    let load = kpi_load();
    let c = erlang_c_metrics(&load, 14, 20.0);
    let a = erlang_a_metrics(&load, 14, 20.0, 1e9);
    assert!((c.p_wait - a.p_wait).abs() < 1e-5);
    assert!((c.service_level - a.service_level).abs() < 1e-5);
    assert!((c.asa_s - a.asa_s).abs() < 1e-3);
}

#[test]
fn stage_cdf_matches_closed_forms() {
    let (s, th, t) = (13.0 / 180.0, 1.0 / 300.0, 20.0);
    let f = stage_cdfs(s, th, 3, t);
    let r0 = s + th;
    let r1 = s + 2.0 * th;
    assert!((f[0] - (1.0 - (-r0 * t).exp())).abs() < 1e-12);
    let two = 1.0 - (r1 * (-r0 * t).exp() - r0 * (-r1 * t).exp()) / (r1 - r0);
    assert!((f[1] - two).abs() < 1e-12);
    assert!(f[2] < f[1] && f[1] < f[0]);
}

// The comparison of Erlang C and Erlang A with the discrete-event simulator
// (`crate::sim`, through the real routing engine) is in `sim/tests.rs`:
// `steady_load_matches_erlang_c_at_several_loads`, `patience_matches_erlang_a`.

#[test]
fn bad_parameters_are_refused() {
    assert!(Load::new(-1.0, 1800.0, 180.0).is_err());
    assert!(Load::new(10.0, 0.0, 180.0).is_err());
    assert!(Load::new(10.0, 1800.0, f64::NAN).is_err());
    let mut t = kpi_target();
    t.service_level = 1.0;
    assert!(staff(&kpi_load(), &t, None, 0.3).is_err());
    assert!(staff(&kpi_load(), &kpi_target(), None, 1.0).is_err());
    assert!(staff(&kpi_load(), &kpi_target(), Some(0.0), 0.3).is_err());
    assert_eq!(scheduled(14, 0.3), Ok(20));
    assert_eq!(scheduled(13, 0.3), Ok(19));
    assert_eq!(scheduled(7, 0.0), Ok(7));
}

#[test]
fn unrolled_reciprocal_erlang_b_matches_the_recursion() {
    for &a in &[0.3, 1.0, 7.5, 42.0, 380.0, 9_000.0] {
        for n in (0..12).chain([50, 101, 397, 9_500]) {
            let want = erlang_b(n, a);
            let got = 1.0 / inv_erlang_b(n, 1.0 / a);
            assert!((got - want).abs() <= 1e-12 * want.max(1e-300), "a={a} n={n}: {got} vs {want}");
        }
    }
}

#[test]
fn asa_target_adds_agents() {
    let mut t = kpi_target();
    t.max_asa_s = Some(2.0);
    let s = staff(&kpi_load(), &t, None, 0.0).expect("staffing");
    assert!(s.metrics.asa_s <= 2.0);
    assert!(erlang_c_metrics(&kpi_load(), s.on_line - 1, 20.0).asa_s > 2.0);
    assert!(s.on_line > 14);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn erlang_c_sl_is_monotone_and_bounded(a in 0.1f64..400.0, t in 0.0f64..120.0) {
        let load = Load::new(a * 10.0, 1800.0, 180.0).expect("load");
        let mut prev = -1.0;
        let start = (a.floor() as u32).saturating_sub(2).max(1);
        for n in start..start + 40 {
            let m = erlang_c_metrics(&load, n, t);
            prop_assert!((0.0..=1.0).contains(&m.service_level));
            prop_assert!((0.0..=1.0).contains(&m.p_wait));
            prop_assert!(m.service_level >= prev - 1e-12, "SL fell at n={}", n);
            prev = m.service_level;
        }
    }

    #[test]
    fn erlang_a_is_monotone_and_bounded(a in 0.5f64..60.0, patience in 10.0f64..1000.0, t in 0.0f64..60.0) {
        let load = Load::new(a * 10.0, 1800.0, 180.0).expect("load");
        let (mut prev_sl, mut prev_ab) = (-1.0, 2.0);
        let start = ((a * 0.7) as u32).max(1);
        for n in start..start + 20 {
            let m = erlang_a_metrics(&load, n, t, patience);
            let ab = m.abandon_rate.expect("abandon");
            prop_assert!((0.0..=1.0).contains(&m.service_level));
            prop_assert!((0.0..=1.0).contains(&m.p_wait));
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert!(m.service_level >= prev_sl - 1e-9, "SL fell at n={}", n);
            prop_assert!(ab <= prev_ab + 1e-12, "abandonment rose at n={}", n);
            prev_sl = m.service_level;
            prev_ab = ab;
        }
    }

    /// The staffing search (skips past the unstable and over-occupied
    /// staffs, Erlang B by its reciprocal) answers exactly what a plain scan
    /// from one agent with the reference `erlang_c_metrics` answers.
    #[test]
    fn staffing_search_equals_plain_scan(
        calls in 0.0f64..3_000.0,
        aht in 20.0f64..900.0,
        sl in 0.05f64..0.99,
        t in 0.0f64..120.0,
        occ in prop::option::of(0.5f64..1.0),
    ) {
        let load = Load::new(calls, 900.0, aht).expect("load");
        let target = Target { service_level: sl, answer_time_s: t, max_occupancy: occ, max_asa_s: None };
        let fast = staff(&load, &target, None, 0.0).expect("staffing").on_line;
        let plain = (1..).find(|&n| target.met_by(&erlang_c_metrics(&load, n, t))).expect("some n");
        prop_assert_eq!(fast, plain);
    }

    #[test]
    fn large_staffs_are_finite(n in 1u32..=10_000, ratio in 0.5f64..1.5) {
        let a = n as f64 * ratio;
        let pw = erlang_c(n, a);
        prop_assert!(pw.is_finite() && (0.0..=1.0).contains(&pw));
        let b = erlang_b(n, a);
        prop_assert!(b.is_finite() && (0.0..=1.0).contains(&b));
    }
}
