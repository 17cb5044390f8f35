//! `switchboard wfm shifts` and `wfm schedule` run as a program: the
//! pyworkforce-shaped answer, the roster file and its summary, and refusals.

use std::process::{Command, Output};

fn switchboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard")).args(args).output().expect("the binary runs")
}

fn hours(range: std::ops::Range<u32>) -> Vec<u8> {
    (0..24).map(|h| u8::from(range.contains(&h))).collect()
}

#[test]
fn shifts_answers_like_pyworkforce() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("problem.json");
    let out = dir.path().join("answer.json");
    let night: Vec<u8> = (0..24).map(|h| u8::from(!(5..21).contains(&h))).collect();
    let problem = serde_json::json!({
        "num_days": 2, "periods": 24,
        "shifts_coverage": {"Morning": hours(5..13), "Afternoon": hours(13..21), "Night": night, "Mixed": hours(9..17)},
        "required_resources": [
            [9, 11, 17, 9, 7, 12, 5, 11, 8, 9, 18, 17, 8, 12, 16, 8, 7, 12, 11, 10, 13, 19, 16, 7],
            [13, 13, 12, 15, 18, 20, 13, 16, 17, 8, 13, 11, 6, 19, 11, 20, 19, 17, 10, 13, 14, 23, 16, 8]],
        "max_period_concurrency": 27, "max_shift_concurrency": 25,
    });
    // serde_json sorts object keys; put the shifts back in pyworkforce's order
    // (Morning first) to check that the answer follows the file's order.
    let text = problem.to_string().replace(
        &format!("\"Afternoon\":{}", serde_json::to_string(&hours(13..21)).unwrap()),
        &format!(
            "\"Morning\":{},\"Afternoon\":{}",
            serde_json::to_string(&hours(5..13)).unwrap(),
            serde_json::to_string(&hours(13..21)).unwrap()
        ),
    );
    let text = text.replacen(&format!(",\"Morning\":{}", serde_json::to_string(&hours(5..13)).unwrap()), "", 1);
    assert!(text.find("Morning") < text.find("Afternoon"), "{text}");
    std::fs::write(&input, text).unwrap();
    let o = switchboard(&["wfm", "shifts", "--input", input.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let answer: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(answer["status"], "OPTIMAL");
    // pyworkforce 0.5.1 (CP-SAT) answers 157 on its own example.
    assert_eq!(answer["cost"], 157.0);
    assert_eq!(answer["total_abs_difference"], 157.0);
    let lines = answer["resources_shifts"].as_array().unwrap();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0]["shift"], "Morning");
    assert_eq!(lines[7]["day"], 1);
    // Bad input: a clear error, no answer file written.
    let bad = dir.path().join("bad.json");
    let out2 = dir.path().join("answer2.json");
    std::fs::write(&bad, r#"{"num_days":1,"periods":2,"shifts_coverage":{"a":[1]},"required_resources":[[1,1]],"max_period_concurrency":3,"max_shift_concurrency":3}"#).unwrap();
    let o = switchboard(&["wfm", "shifts", "--input", bad.to_str().unwrap(), "--out", out2.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("covers 1 periods"));
    assert!(!out2.exists());
}

#[test]
fn schedule_writes_a_valid_roster_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("schedule.json");
    let out = dir.path().join("roster.json");
    let report = dir.path().join("report.json");
    let spec = wfm::schedule::synthetic(20, 7, 30, 11);
    std::fs::write(&input, serde_json::to_string(&spec).unwrap()).unwrap();
    let o = switchboard(&[
        "wfm",
        "schedule",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    let roster: wfm::roster::Roster = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    roster.validate().unwrap();
    assert_eq!(roster.operators.len(), 20);
    let shifts: usize = roster.operators.iter().map(|o| o.shifts.len()).sum();
    assert_eq!(summary["shifts"], shifts);
    assert!(shifts >= 80, "{shifts}");
    let rules = spec.rules.resolve().unwrap();
    let contracts: Vec<f64> = spec.operators.iter().map(|o| o.weekly_hours).collect();
    assert!(wfm::schedule::rules::check(&roster, &rules, &contracts).is_empty());
    let full: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(full["report"]["covered"].as_array().unwrap().len(), 7);
    assert_eq!(full["rules"]["weekly_rest_min"], 2520);
    // A lunch of 3 hours breaks the RU preset: refused, nothing written.
    let mut bad = spec.clone();
    bad.rules.breaks.as_mut().unwrap()[1].length_min = 180;
    std::fs::write(&input, serde_json::to_string(&bad).unwrap()).unwrap();
    let out2 = dir.path().join("roster2.json");
    let o = switchboard(&["wfm", "schedule", "--input", input.to_str().unwrap(), "--out", out2.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("30 to 120"));
    assert!(!out2.exists());
}
