//! `switchboard wfm reforecast`, `wfm shrinkage` and `wfm vacation` run as a
//! program on small hand-checked files; refused input exits non-zero with
//! the fault named and writes no output file.

use std::path::Path;
use std::process::{Command, Output};

fn switchboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard")).args(args).output().expect("the binary runs")
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const FORECAST: &str = "timestamp,calls\n\
    2026-11-22 09:00,5\n\
    2026-11-23 09:00,40\n2026-11-23 10:00,60\n2026-11-23 11:00,80\n2026-11-23 12:00,50\n";

#[test]
fn reforecast_scales_the_rest_of_the_day() {
    let dir = tempfile::tempdir().expect("dir");
    let (f, a, out) = (dir.path().join("f.csv"), dir.path().join("a.csv"), dir.path().join("out.csv"));
    std::fs::write(&f, FORECAST).expect("write");
    // 150 actual on 100 forecast so far: r = 1.5, weight 100 / (100 + 100) → factor 1.25.
    std::fs::write(&a, "timestamp,calls\n2026-11-23 09:00,70\n2026-11-23 10:00,80\n").expect("write");
    let o = switchboard(&["wfm", "reforecast", "--forecast", p(&f), "--actuals", p(&a), "--out", p(&out), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(s["level_factor"], 1.25);
    assert_eq!(s["date"], "2026-11-23");
    assert_eq!((s["elapsed_intervals"].as_u64(), s["remaining_intervals"].as_u64()), (Some(2), Some(2)));
    assert_eq!((s["forecast_so_far"].as_f64(), s["actual_so_far"].as_f64()), (Some(100.0), Some(150.0)));
    assert_eq!(s["remaining_reforecast"], 162.5);
    assert_eq!(
        std::fs::read_to_string(&out).expect("out"),
        "timestamp,calls\n2026-11-23 11:00,100.00\n2026-11-23 12:00,62.50\n"
    );
    // Without --json: a summary naming the factor.
    let o = switchboard(&["wfm", "reforecast", "--forecast", p(&f), "--actuals", p(&a), "--out", p(&out)]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("level factor      1.2500"));

    // Refusals: nothing written.
    let refused = |actuals: &str, needle: &str| {
        let bad = dir.path().join("bad.csv");
        let out = dir.path().join("never.csv");
        std::fs::write(&bad, actuals).expect("write");
        let o = switchboard(&["wfm", "reforecast", "--forecast", p(&f), "--actuals", p(&bad), "--out", p(&out)]);
        assert!(!o.status.success(), "{actuals}");
        assert!(stderr(&o).contains(needle), "{needle:?} in {}", stderr(&o));
        assert!(!out.exists(), "no output for {actuals}");
    };
    refused(
        "timestamp,calls\n2026-11-23 09:00,70\n2026-11-23 10:30,80\n",
        "mismatched intervals: actual row 2 is 2026-11-23 10:30, the forecast's interval there is 2026-11-23 10:00",
    );
    refused("timestamp,calls\n", "no data rows");
    refused("timestamp,calls\n2026-11-23 09:00,seventy\n", "line 2: calls \"seventy\" is not a number");
    refused("timestamp,calls\n2026-11-24 09:00,70\n", "the forecast has no intervals on 2026-11-24");
}

#[test]
fn shrinkage_forecasts_per_date() {
    let dir = tempfile::tempdir().expect("dir");
    let (h, out) = (dir.path().join("abs.csv"), dir.path().join("out.csv"));
    // One week of history (no trend with under four weeks): Monday 10 %, Tuesday 5 %;
    // a weekday without history gets the overall mean, 7.5 %.
    std::fs::write(&h, "date,shrinkage\n2026-11-03,0.05\n2026-11-02,0.10\n").expect("write");
    let o = switchboard(&[
        "wfm",
        "shrinkage",
        "--history",
        p(&h),
        "--from",
        "2026-11-09",
        "--days",
        "3",
        "--out",
        p(&out),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&out).expect("out"),
        "date,shrinkage\n2026-11-09,0.1000\n2026-11-10,0.0500\n2026-11-11,0.0750\n"
    );
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(s["history_days"], 2);
    assert_eq!(s["forecast"][2]["weekday"], "Wed");
    // No --out: a table on stdout.
    let o = switchboard(&["wfm", "shrinkage", "--history", p(&h), "--from", "2026-11-09", "--days", "1"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("2026-11-09 Mon   10.00 %"), "{:?}", o);

    let bad = dir.path().join("bad.csv");
    let never = dir.path().join("never.csv");
    std::fs::write(&bad, "date,shrinkage\n2026-11-02,12\n2026-11-03,0.1\n2026-13-01,0.1\n").expect("write");
    let o = switchboard(&[
        "wfm",
        "shrinkage",
        "--history",
        p(&bad),
        "--from",
        "2026-11-09",
        "--days",
        "3",
        "--out",
        p(&never),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("line 2: shrinkage 12 is outside 0..1") && e.contains("line 4: date \"2026-13-01\""), "{e}");
    assert!(!never.exists());
    let o =
        switchboard(&["wfm", "shrinkage", "--history", p(&h), "--from", "9 Nov", "--days", "3", "--out", p(&never)]);
    assert!(!o.status.success() && stderr(&o).contains("--from \"9 Nov\" is not a YYYY-MM-DD date"));
    assert!(!never.exists());
}

#[test]
fn vacation_plans_leave_with_loss_per_week() {
    let dir = tempfile::tempdir().expect("dir");
    let (input, out) = (dir.path().join("v.json"), dir.path().join("plan.json"));
    // Three weeks needing 2, 1 and 1 FTE; three operators with a week each.
    // a → week 1 (largest surplus, the later of ties loses), b wishes week 2
    // (affordable) → week 2, c → week 0 (surplus 1 is now the largest): no loss.
    std::fs::write(
        &input,
        r#"{"required": [2, 1, 1],
            "operators": [
              {"id": "a", "entitlement_days": 7},
              {"id": "b", "entitlement_days": 7, "wished_weeks": [2]},
              {"id": "c", "entitlement_days": 7}]}"#,
    )
    .expect("write");
    let o = switchboard(&["wfm", "vacation", "--input", p(&input), "--out", p(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plan: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("plan")).expect("JSON");
    let weeks = |op: usize| -> Vec<u64> {
        plan["operators"][op]["blocks"].as_array().expect("blocks").iter().filter_map(|b| b["week"].as_u64()).collect()
    };
    assert_eq!((weeks(0), weeks(1), weeks(2)), (vec![1], vec![2], vec![0]));
    let available: Vec<f64> =
        plan["weeks"].as_array().expect("weeks").iter().filter_map(|w| w["available"].as_f64()).collect();
    assert_eq!(available, vec![2.0, 2.0, 2.0]);
    assert_eq!(plan["coverage_loss"], 0.0);
    assert_eq!((plan["wishes_met"].as_u64(), plan["wishes_total"].as_u64()), (Some(1), Some(1)));
    assert_eq!(plan["weeks"][0]["surplus"], 0.0);

    // Too much leave for the horizon; an unknown field: refused, no plan written.
    let never = dir.path().join("never.json");
    for (text, needle) in [
        (
            r#"{"required":[1],"operators":[{"id":"a","entitlement_days":14}]}"#,
            "operator a: 14 days of leave need 2 weeks",
        ),
        (r#"{"required":[1],"operators":[{"id":"a","entitlement":7}]}"#, "unknown field `entitlement`"),
    ] {
        std::fs::write(&input, text).expect("write");
        let o = switchboard(&["wfm", "vacation", "--input", p(&input), "--out", p(&never)]);
        assert!(!o.status.success(), "{text}");
        assert!(stderr(&o).contains(needle), "{needle:?} in {}", stderr(&o));
        assert!(!never.exists());
    }
}
