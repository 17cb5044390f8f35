//! `switchboard wfm …` run as a program: the JSON contract of `wfm erlang`
//! on the KPI.md check values, input validation, and `wfm forecast` on the
//! bank's call history.

use std::path::PathBuf;
use std::process::{Command, Output};

fn switchboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard")).args(args).output().expect("the binary runs")
}

fn json_of(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.trim().lines().count(), 1, "exactly one JSON line expected: {text}");
    serde_json::from_str(text.trim()).expect("stdout is JSON")
}

fn num(v: &serde_json::Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} missing or not a number in {v}"))
}

const KPI: [&str; 12] = [
    "wfm",
    "erlang",
    "--calls",
    "100",
    "--interval-min",
    "30",
    "--aht-s",
    "180",
    "--target-sl",
    "0.8",
    "--target-time-s",
    "20",
];

#[test]
fn erlang_c_check_values() {
    let mut args = KPI.to_vec();
    args.extend(["--max-occupancy", "0.85", "--shrinkage", "0.3", "--json"]);
    let v = json_of(&switchboard(&args));
    assert_eq!(v["agents_on_line"], 14);
    assert_eq!(v["agents_scheduled"], 20);
    assert!((num(&v, "service_level") - 0.88835).abs() < 5e-6, "{v}");
    assert!((num(&v, "p_wait") - 0.17413).abs() < 5e-6, "{v}");
    assert!((num(&v, "occupancy") - 0.7143).abs() < 5e-5, "{v}");
    assert!((num(&v, "asa_s") - 0.17413 * 180.0 / 4.0).abs() < 1e-3, "{v}");
    assert!(v.get("abandon_rate").is_none(), "no abandonment without patience: {v}");
    let keys: Vec<&String> = v.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys.len(), 6, "{keys:?}");
}

#[test]
fn erlang_a_check_values() {
    let mut args = KPI.to_vec();
    args.extend(["--max-occupancy", "0.85", "--shrinkage", "0.3", "--patience-s", "300", "--json"]);
    let v = json_of(&switchboard(&args));
    assert_eq!(v["agents_on_line"], 13);
    assert_eq!(v["agents_scheduled"], 19);
    assert!((num(&v, "service_level") - 0.858).abs() < 5e-4, "{v}");
    assert!((num(&v, "abandon_rate") - 0.025).abs() < 5e-4, "{v}");
}

#[test]
fn erlang_human_table_and_bad_input() {
    let out = switchboard(&KPI);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("agents on line    14"), "{text}");
    for (flag, value, needle) in [
        ("--target-sl", "1.5", "target service level"),
        ("--aht-s", "0", "average handling time"),
        ("--interval-min", "-30", "interval-min"),
        ("--shrinkage", "1", "shrinkage"),
        ("--patience-s", "0", "patience"),
        ("--calls", "lots", "invalid value"),
    ] {
        let mut args: Vec<&str> = KPI.to_vec();
        if let Some(i) = args.iter().position(|a| *a == flag) {
            args[i + 1] = value;
        } else {
            args.extend([flag, value]);
        }
        let out = switchboard(&args);
        assert!(!out.status.success(), "{flag} {value} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{flag} {value}: {err}");
    }
}

fn bank_csv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bank_calls_5min.csv")
}

#[test]
fn forecast_bank_calls() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_csv = dir.path().join("forecast.csv");
    let report = dir.path().join("report.json");
    let history = bank_csv();
    let out = switchboard(&[
        "wfm",
        "forecast",
        "--history",
        history.to_str().expect("utf-8 path"),
        "--horizon-days",
        "5",
        "--out",
        out_csv.to_str().expect("utf-8 path"),
        "--report",
        report.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&out_csv).expect("forecast written");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("timestamp,calls"));
    let rows: Vec<(String, f64)> = lines
        .map(|l| {
            let (t, v) = l.split_once(',').expect("two columns");
            (t.to_string(), v.parse().expect("number"))
        })
        .collect();
    assert_eq!(rows.len(), 5 * 169);
    // Last history day is Thursday 2003-09-25: next operating days are
    // Fri 26, Mon 29, Tue 30 Sep, Wed 1 and Thu 2 Oct (weekends skipped).
    let days = ["2003-09-26", "2003-09-29", "2003-09-30", "2003-10-01", "2003-10-02"];
    for (i, day) in days.iter().enumerate() {
        let block = &rows[i * 169..(i + 1) * 169];
        assert_eq!(block[0].0, format!("{day}T07:00:00Z"));
        assert_eq!(block[168].0, format!("{day}T21:00:00Z"));
        assert!(block.iter().all(|(t, _)| t.starts_with(day)));
        let total: f64 = block.iter().map(|r| r.1).sum();
        assert!(total > 20_000.0 && total < 45_000.0, "{day}: {total}");
    }
    assert!(rows.iter().all(|r| r.1 >= 0.0 && r.1.is_finite()));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report written")).expect("report is JSON");
    let models = report["models"].as_array().expect("models list");
    let wape = |name: &str| {
        models.iter().find(|m| m["model"] == name).and_then(|m| m["wape"].as_f64()).expect("model in report")
    };
    let chosen = report["chosen"].as_str().expect("chosen model");
    assert_ne!(chosen, "seasonal_naive");
    assert!(wape(chosen) < 0.85 * wape("seasonal_naive"), "{report}");
    for m in models {
        assert!(m["mase"].as_f64().is_some_and(f64::is_finite), "{m}");
        assert_eq!(m["origins"], 4);
    }
}

#[test]
fn forecast_errors_are_clear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "timestamp,calls\n2003-03-03 07:00,5\n2003-03-03 07:05,oops\n").expect("write");
    let out_csv = dir.path().join("f.csv");
    let out = switchboard(&[
        "wfm",
        "forecast",
        "--history",
        bad.to_str().expect("utf-8"),
        "--horizon-days",
        "1",
        "--out",
        out_csv.to_str().expect("utf-8"),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3"), "{err}");
    let out = switchboard(&[
        "wfm",
        "forecast",
        "--history",
        bank_csv().to_str().expect("utf-8"),
        "--horizon-days",
        "1",
        "--out",
        out_csv.to_str().expect("utf-8"),
        "--method",
        "crystal_ball",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown --method"));
}

/// An XLSX history (date-time cells, calls, handling time) written with
/// rust_xlsxwriter is read through calamine: the forecast follows its
/// calendar and carries a handling-time column.
#[test]
fn forecast_reads_xlsx_with_handling_time() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().expect("temp dir");
    let xlsx = dir.path().join("history.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (c, h) in ["timestamp", "calls", "aht_s"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    // Six weeks of Monday–Friday, 09:00–11:30 half-hours.
    let mut row = 1u32;
    for week in 0..6u8 {
        for wd in 0..5u8 {
            let day = 1 + week * 7 + wd; // January 2024 starts on a Monday
            let (month, day) = if day > 31 { (2, day - 31) } else { (1, day) };
            for slot in 0..6u8 {
                let t = ExcelDateTime::from_ymd(2024, month, day)
                    .and_then(|d| d.and_hms(u16::from(9 + slot / 2), (slot % 2) * 30, 0))
                    .expect("date-time");
                sheet.write_datetime_with_format(row, 0, &t, &fmt).expect("cell");
                sheet.write_number(row, 1, 20.0 + f64::from(slot) + f64::from(wd)).expect("cell");
                sheet.write_number(row, 2, 150.0 + f64::from(slot) * 10.0).expect("cell");
                row += 1;
            }
        }
    }
    book.save(&xlsx).expect("xlsx written");
    let out_csv = dir.path().join("f.csv");
    let report = dir.path().join("r.json");
    let out = switchboard(&[
        "wfm",
        "forecast",
        "--history",
        xlsx.to_str().expect("utf-8"),
        "--horizon-days",
        "2",
        "--out",
        out_csv.to_str().expect("utf-8"),
        "--report",
        report.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&out_csv).expect("forecast written");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "timestamp,calls,aht_s");
    assert_eq!(lines.len(), 1 + 2 * 6);
    // Last history day is Friday 9 Feb 2024: next are Monday 12 and Tuesday 13.
    assert!(lines[1].starts_with("2024-02-12 09:00,"), "{}", lines[1]);
    assert!(lines[12].starts_with("2024-02-13 11:30,"), "{}", lines[12]);
    let fields: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(fields[2], "160.0", "{}", lines[2]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    assert_eq!(report["history"]["has_aht"], true);
    assert!(report["history"]["flags"].as_array().is_some());
}

/// A planner's decision file is applied: fixing an injected spike changes the
/// forecast, and a decision on an unflagged target is refused.
#[test]
fn forecast_applies_planner_decisions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bank = std::fs::read_to_string(bank_csv()).expect("bank csv");
    let history = dir.path().join("h.csv");
    // A spike on the last Friday at 10:00 (265 calls → 1,265; the day's
    // total grows by only 3 %, so it is an interval outlier, not a bad day).
    let spiked = bank.replace("2003-09-19T10:00:00Z,265", "2003-09-19T10:00:00Z,1265");
    assert_ne!(spiked, bank);
    std::fs::write(&history, &spiked).expect("write");
    let run = |decisions: Option<&str>| {
        let out_csv = dir.path().join("f.csv");
        let report = dir.path().join("r.json");
        let mut args = vec![
            "wfm".to_string(),
            "forecast".into(),
            "--history".into(),
            history.display().to_string(),
            "--horizon-days".into(),
            "1".into(),
            "--out".into(),
            out_csv.display().to_string(),
            "--method".into(),
            "profile".into(),
            "--report".into(),
            report.display().to_string(),
        ];
        if let Some(d) = decisions {
            let path = dir.path().join("d.json");
            std::fs::write(&path, d).expect("write decisions");
            args.extend(["--decisions".to_string(), path.display().to_string()]);
        }
        let out = Command::new(env!("CARGO_BIN_EXE_switchboard")).args(&args).output().expect("runs");
        let rep = std::fs::read_to_string(&report).ok();
        (out, std::fs::read_to_string(&out_csv).unwrap_or_default(), rep)
    };
    let (out, raw, rep) = run(None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rep: serde_json::Value = serde_json::from_str(&rep.expect("report")).expect("json");
    let flags = rep["history"]["flags"].as_array().expect("flags");
    let spike = flags.iter().find(|f| f["target"] == "2003-09-19T10:00:00Z").expect("spike flagged");
    assert_eq!(spike["kind"], "spike");
    let (out, fixed, _) = run(Some(r#"[{"target":"2003-09-19T10:00:00Z","action":"fix"}]"#));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let at = |text: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with("2003-09-26T10:00:00Z"))
            .and_then(|l| l.split(',').nth(1))
            .and_then(|v| v.parse().ok())
            .expect("10:00 row")
    };
    assert!(at(&fixed) < at(&raw), "fixed {} vs raw {}", at(&fixed), at(&raw));
    let (out, _, _) = run(Some(r#"[{"target":"2003-09-18","action":"keep"}]"#));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not flagged"));
}

/// Two operators 08:00–12:00 with a break, a steady hour-by-hour load.
fn small_plan(dir: &std::path::Path) -> (String, String) {
    let roster = serde_json::json!({
        "interval_min": 30,
        "start_date": "2026-11-30",
        "days": 1,
        "operators": [
            {"id": "a", "shifts": [{"day": 0, "start_min": 480, "end_min": 720,
                "activities": [{"kind": "break", "start_min": 600, "end_min": 615}]}]},
            {"id": "b", "skills": ["kk"], "shifts": [{"day": 0, "start_min": 480, "end_min": 720}]}
        ]
    });
    let roster_path = dir.join("roster.json");
    std::fs::write(&roster_path, roster.to_string()).expect("write roster");
    let mut csv = String::from("timestamp,calls\n");
    for h in 8..12 {
        csv.push_str(&format!("2026-11-30 {h:02}:00,20\n"));
    }
    csv.push_str("2026-12-05 08:00,20\n"); // outside the roster: ignored
    let arrivals_path = dir.join("arrivals.csv");
    std::fs::write(&arrivals_path, csv).expect("write arrivals");
    (roster_path.to_string_lossy().into_owned(), arrivals_path.to_string_lossy().into_owned())
}

#[test]
fn simulate_json_contract_and_interval_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (roster, arrivals) = small_plan(dir.path());
    let out_csv = dir.path().join("intervals.csv");
    let args = [
        "wfm",
        "simulate",
        "--roster",
        &roster,
        "--arrivals",
        &arrivals,
        "--aht-s",
        "120",
        "--patience-s",
        "90",
        "--replications",
        "3",
        "--seed",
        "5",
        "--mode",
        "round-robin",
        "--json",
        "--erlang-check",
        "--out",
        out_csv.to_str().expect("utf-8"),
    ];
    let v = json_of(&switchboard(&args));
    assert_eq!(v["replications"], 3);
    let t = &v["totals"];
    assert!(num(t, "offered") > 50.0 && num(t, "answered") > 20.0, "{t}");
    for key in ["service_level", "asa_s", "abandon_rate", "occupancy"] {
        let m = num(&t[key], "mean");
        assert!((0.0..=1000.0).contains(&m), "{key}: {m}");
        assert!(num(&t[key], "half_width") >= 0.0, "{key}");
    }
    assert_eq!(v["days"][0]["date"], "2026-11-30");
    assert_eq!(v["operators"].as_array().map(Vec::len), Some(2));
    let e = &v["erlang_check"];
    assert_eq!(e["model"], "erlang_a");
    assert!((0.0..=1.0).contains(&num(e, "service_level_roster_staff")));
    // Same seed, same answer.
    assert_eq!(json_of(&switchboard(&args)), v);
    let csv = std::fs::read_to_string(&out_csv).expect("intervals written");
    let mut lines = csv.lines();
    assert!(lines.next().expect("header").ends_with(",occupancy,erlang_service_level"));
    assert_eq!(lines.count(), 48);
    assert!(csv.contains("\n2026-11-30 10:00,1.5,"), "the break halves an operator at 10:00: {csv}");
}

#[test]
fn simulate_errors_are_clear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (roster, arrivals) = small_plan(dir.path());
    let run = |extra: &[&str]| {
        let mut args = vec!["wfm", "simulate", "--roster", &roster, "--arrivals", &arrivals];
        args.extend_from_slice(extra);
        let out = switchboard(&args);
        assert!(!out.status.success(), "{extra:?} accepted");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run(&["--aht-s", "0"]).contains("handling time"));
    assert!(run(&["--aht-s", "60", "--mode", "random"]).contains("unknown --mode"));
    assert!(run(&["--aht-s", "60", "--replications", "0"]).contains("replications"));
    std::fs::write(&arrivals, "timestamp,calls\n2026-11-30 08:00,many\n").expect("write");
    assert!(run(&["--aht-s", "60"]).contains("line 2"));
    std::fs::write(&roster, "{\"interval_min\": 7}").expect("write");
    assert!(run(&["--aht-s", "60"]).contains("roster"));
}
