use super::*;
use proptest::prelude::*;

fn input(shifts: &[(&str, Vec<u8>)], req: Vec<Vec<u32>>, m: u32, u: u32, costs: Option<&[f64]>) -> ShiftsInput {
    ShiftsInput {
        num_days: req.len(),
        periods: req[0].len(),
        shifts_coverage: OrderedShifts(
            shifts.iter().map(|(n, c)| (n.to_string(), c.iter().map(|v| f64::from(*v)).collect())).collect(),
        ),
        required_resources: req.into_iter().map(|r| r.into_iter().map(f64::from).collect()).collect(),
        max_period_concurrency: m,
        max_shift_concurrency: u,
        cost_dict: costs.map(|c| OrderedCosts(shifts.iter().zip(c).map(|((n, _), c)| (n.to_string(), *c)).collect())),
    }
}

/// Best objective of one day by trying every assignment (tiny instances only).
fn brute(inp: &ShiftsInput, day: usize) -> Option<f64> {
    let s = inp.shifts_coverage.0.len();
    let u = inp.max_shift_concurrency as usize;
    let req = &inp.required_resources[day];
    let mut best: Option<f64> = None;
    let mut x = vec![0usize; s];
    loop {
        let y: Vec<f64> =
            (0..inp.periods).map(|p| (0..s).map(|k| inp.shifts_coverage.0[k].1[p] * x[k] as f64).sum()).collect();
        let ok_cap = y.iter().all(|v| *v <= f64::from(inp.max_period_concurrency));
        let obj = match &inp.cost_dict {
            None => ok_cap.then(|| y.iter().zip(req).map(|(y, r)| (y - r).abs()).sum::<f64>()),
            Some(c) => (ok_cap && y.iter().zip(req).all(|(y, r)| y >= r))
                .then(|| x.iter().zip(&c.0).map(|(x, (_, c))| *x as f64 * c).sum::<f64>()),
        };
        if let Some(o) = obj {
            if best.is_none_or(|b| o < b - 1e-9) {
                best = Some(o);
            }
        }
        let mut k = 0;
        loop {
            if k == s {
                return best;
            }
            x[k] += 1;
            if x[k] <= u {
                break;
            }
            x[k] = 0;
            k += 1;
        }
    }
}

#[test]
fn pyworkforce_example_is_solved_optimally_in_file_order() {
    // pyworkforce's own MinAbsDifference example (two days, 24 hours, a wrapped night shift).
    let morning = (0..24).map(|h| u8::from((5..13).contains(&h))).collect();
    let afternoon = (0..24).map(|h| u8::from((13..21).contains(&h))).collect();
    let night = (0..24).map(|h| u8::from(!(5..21).contains(&h))).collect();
    let mixed = (0..24).map(|h| u8::from((9..17).contains(&h))).collect();
    let req = vec![
        vec![9, 11, 17, 9, 7, 12, 5, 11, 8, 9, 18, 17, 8, 12, 16, 8, 7, 12, 11, 10, 13, 19, 16, 7],
        vec![13, 13, 12, 15, 18, 20, 13, 16, 17, 8, 13, 11, 6, 19, 11, 20, 19, 17, 10, 13, 14, 23, 16, 8],
    ];
    let inp =
        input(&[("Morning", morning), ("Afternoon", afternoon), ("Night", night), ("Mixed", mixed)], req, 27, 25, None);
    let sol = solve(&inp).unwrap();
    assert_eq!(sol.status, "OPTIMAL");
    assert_eq!(sol.problem, "MinAbsDifference");
    let names: Vec<&str> = sol.resources_shifts.iter().take(4).map(|r| r.shift.as_str()).collect();
    assert_eq!(names, ["Morning", "Afternoon", "Night", "Mixed"]);
    assert_eq!(sol.resources_shifts.len(), 8);
    let want: f64 = (0..2).map(|d| brute_small_u(&inp, d)).sum();
    assert_eq!(sol.cost, want);
    assert_eq!(sol.total_abs_difference, want);
}

/// Brute force with the shift cap lowered to what can matter (requirement ≤ 23).
fn brute_small_u(inp: &ShiftsInput, day: usize) -> f64 {
    let mut small = inp.clone();
    small.max_shift_concurrency = 24;
    brute(&small, day).unwrap()
}

#[test]
fn min_required_resources_meets_requirement_at_least_cost() {
    let a = vec![1, 1, 1, 0, 0, 0];
    let b = vec![0, 0, 1, 1, 1, 0];
    let c = vec![0, 0, 0, 0, 1, 1];
    let d = vec![1, 1, 1, 1, 1, 1];
    let costs = [1.0, 1.2, 1.0, 2.5];
    let inp = input(&[("a", a), ("b", b), ("c", c), ("d", d)], vec![vec![2, 3, 4, 2, 3, 1]], 10, 6, Some(&costs));
    let sol = solve(&inp).unwrap();
    assert_eq!(sol.problem, "MinRequiredResources");
    assert_eq!(sol.status, "OPTIMAL");
    assert!((sol.cost - brute(&inp, 0).unwrap()).abs() < 1e-6, "{} vs {:?}", sol.cost, brute(&inp, 0));
    // Infeasible: the cap is below the requirement.
    let inp = input(&[("a", vec![1, 1])], vec![vec![3, 1]], 2, 5, Some(&[1.0]));
    let sol = solve(&inp).unwrap();
    assert_eq!(sol.status, "INFEASIBLE");
    assert_eq!(sol.cost, -1.0);
    assert_eq!(sol.resources_shifts[0].day, -1);
}

#[test]
fn bad_input_is_named() {
    let inp = input(&[("a", vec![1, 1, 0])], vec![vec![1, 1]], 2, 2, None);
    assert!(solve(&inp).unwrap_err().to_string().contains("shift \"a\" covers 3 periods"));
    let mut inp = input(&[("a", vec![1, 1])], vec![vec![1, 1]], 2, 2, Some(&[1.0]));
    inp.cost_dict = Some(OrderedCosts(vec![("b".into(), 1.0)]));
    assert!(solve(&inp).unwrap_err().to_string().contains("no cost for shift \"a\""));
    let inp = input(&[("a", vec![1, 2])], vec![vec![1, 1]], 2, 2, None);
    assert!(solve(&inp).is_err());
}

#[test]
fn json_input_keeps_shift_order() {
    let text = r#"{"num_days":1,"periods":2,"shifts_coverage":{"z":[1,0],"a":[0,1]},
        "required_resources":[[2,1]],"max_period_concurrency":5,"max_shift_concurrency":5}"#;
    let inp: ShiftsInput = serde_json::from_str(text).unwrap();
    let sol = solve(&inp).unwrap();
    let got: Vec<(&str, i64)> = sol.resources_shifts.iter().map(|r| (r.shift.as_str(), r.resources)).collect();
    assert_eq!(got, [("z", 2), ("a", 1)]);
    assert_eq!(sol.cost, 0.0);
}

fn shift_strategy(periods: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // a block
        (0..periods, 1..=periods)
            .prop_map(move |(s, len)| (0..periods).map(|p| u8::from(p >= s && p < s + len)).collect()),
        // anything (usually not a block)
        proptest::collection::vec(0u8..=1, periods),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn matches_brute_force(
        shifts in proptest::collection::vec(shift_strategy(6), 1..=3),
        req in proptest::collection::vec(0u32..6, 6),
        m in 2u32..8,
        u in 1u32..4,
        with_costs in any::<bool>(),
        costs in proptest::collection::vec(0.0f64..3.0, 3),
    ) {
        let named: Vec<(String, Vec<u8>)> = shifts.iter().enumerate().map(|(i, c)| (format!("s{i}"), c.clone())).collect();
        let refs: Vec<(&str, Vec<u8>)> = named.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
        let inp = input(&refs, vec![req], m, u, with_costs.then_some(&costs[..shifts.len()]));
        let sol = solve(&inp).unwrap();
        let best = brute(&inp, 0);
        let general = shifts.iter().filter(|c| {
            let b: Vec<bool> = c.iter().map(|v| *v == 1).collect();
            block(&b).is_none()
        }).count();
        match best {
            None => prop_assert_eq!(sol.status.as_str(), "INFEASIBLE"),
            Some(b) if general <= 1 => {
                prop_assert_eq!(sol.status.as_str(), "OPTIMAL");
                prop_assert!((sol.cost - b).abs() < 1e-6, "cost {} brute {}", sol.cost, b);
            }
            Some(b) => {
                // Several non-block shifts: a feasible answer, never better than the optimum.
                if sol.status != "INFEASIBLE" {
                    prop_assert!(sol.cost >= b - 1e-6);
                }
            }
        }
        if sol.status != "INFEASIBLE" {
            // Every answer respects the caps.
            for r in &sol.resources_shifts {
                prop_assert!(r.resources >= 0 && r.resources <= i64::from(u));
            }
        }
    }
}
