//! The planner's room on both databases: a history imported whole or not at
//! all, forecasts stored with every model's backtest, staffing equal to
//! `wfm::erlang`, schedules published to the operators they name (and only
//! to them), XLSX exports that are real workbooks, and who may enter.

mod common;

use std::io::Read;

use axum::http::{Method, StatusCode};
use domain::Role;
use wfm::erlang::{self, Load, Target};

/// Eight weeks of hourly history, Monday–Friday 09:00–17:00, with a daily and
/// weekly shape and a little deterministic noise; handling time 240 s.
fn history_csv() -> String {
    let mut out = String::from("timestamp,calls,aht_s\n");
    // 2026-09-07 is a Monday.
    let start = wfm::forecast::Date::new(2026, 9, 7).expect("date").days();
    for d in 0..56 {
        let date = wfm::forecast::Date::from_days(start + d);
        let wd = date.weekday();
        if wd >= 5 {
            continue;
        }
        for h in 9..18 {
            let shape = [0.6, 0.9, 1.2, 1.3, 1.0, 1.1, 1.2, 1.0, 0.7][h - 9];
            let week = [1.2, 1.05, 1.0, 0.95, 0.9][wd];
            let noise = ((d * 7 + h as i64 * 13) % 5) as f64 - 2.0;
            out.push_str(&format!("{date} {h:02}:00,{:.0},240\n", 40.0 * shape * week + noise));
        }
    }
    out
}

fn body(name: &str, csv: &str) -> String {
    serde_json::json!({"name": name, "csv": csv}).to_string()
}

/// The same eight weeks as [`history_csv`] as an XLSX workbook written with
/// rust_xlsxwriter: date-time cells, numbers, handling time; `bad_row`
/// (a 1-based sheet row) gets a word for its calls.
fn history_xlsx(bad_row: Option<u32>) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (c, h) in ["timestamp", "calls", "aht_s"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    let csv = history_csv();
    for (i, line) in csv.lines().skip(1).enumerate() {
        let row = i as u32 + 1;
        let mut f = line.split(',');
        let (ts, calls) = (f.next().expect("ts"), f.next().expect("calls"));
        let num = |a: usize, b: usize| ts[a..b].parse::<u16>().expect("digits");
        let t = ExcelDateTime::from_ymd(num(0, 4), num(5, 7) as u8, num(8, 10) as u8)
            .and_then(|d| d.and_hms(num(11, 13), num(14, 16) as u8, 0))
            .expect("date-time");
        sheet.write_datetime_with_format(row, 0, &t, &fmt).expect("cell");
        if bad_row == Some(row + 1) {
            sheet.write_string(row, 1, "many").expect("cell");
        } else {
            sheet.write_number(row, 1, calls.parse::<f64>().expect("calls")).expect("cell");
        }
        sheet.write_number(row, 2, 240.0).expect("cell");
    }
    book.save_to_buffer().expect("xlsx")
}

fn xlsx_body(name: &str, bytes: &[u8]) -> String {
    use base64::Engine;
    serde_json::json!({"name": name, "xlsx_base64": base64::engine::general_purpose::STANDARD.encode(bytes)})
        .to_string()
}

/// A multipart form with the CSRF field and one file.
fn multipart_file(boundary: &str, csrf: &str, filename: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

/// The number of points of the chart line with CSS class `class`.
fn line_points(svg: &str, class: &str) -> usize {
    let start = format!("<polyline class=\"{class}\" fill=\"none\" points=\"");
    svg.split_once(&start)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or(0, |(pts, _)| pts.split_whitespace().count())
}

/// How many histories are stored and how many import events were written.
async fn imported(store: &store::Store) -> (usize, i64) {
    let series = store.list_series().await.expect("histories").len();
    (series, store.count_events(Some(domain::events::PLANNING_SERIES_IMPORTED)).await.expect("events"))
}

/// The files of a zip archive: name → text.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip archive");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let mut text = String::new();
        if f.read_to_string(&mut text).is_ok() {
            out.insert(f.name().to_string(), text);
        }
    }
    out
}

/// The numeric cell values of a worksheet, in order (string cells, `t="s"`,
/// hold an index into the shared strings and are skipped).
fn numbers(sheet: &str) -> Vec<f64> {
    sheet
        .split("<c ")
        .skip(1)
        .filter(|c| !c.split('>').next().unwrap_or_default().contains("t=\"s\""))
        .filter_map(|c| c.split_once("<v>").and_then(|(_, v)| v.split_once("</v>")))
        .filter_map(|(v, _)| v.parse().ok())
        .collect()
}

#[tokio::test]
async fn a_history_is_imported_whole_or_not_at_all() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let planner = app.account(Role::ResourcePlanner);
        let store = &app.state.store;

        let csv = history_csv();
        let r =
            app.api(Method::POST, "/api/v1/planning/series", Some(&planner.bearer), Some(&body("bank", &csv))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        assert_eq!(r.json()["interval_s"], 3600, "{k}");
        assert_eq!(r.json()["points"].as_array().map(|a| a.len()), Some(40 * 9), "{k}");
        assert_eq!(r.json()["points"][0]["aht_s"], 240.0, "{k}");

        let before = imported(store).await;
        // Line 5 (the header is line 1) has a word for calls; nothing is stored.
        let mut lines: Vec<String> = csv.lines().map(String::from).collect();
        let (ts, _) = lines[4].split_once(',').expect("row");
        lines[4] = format!("{ts},many,240");
        let bad = lines.join("\n");
        let r = app.api(Method::POST, "/api/v1/planning/series", Some(&planner.bearer), Some(&body("bad", &bad))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "invalid_history", "{k}");
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with("line 5:")), "{k}: {}", r.body);
        // A bad handling time is refused the same way.
        let bad_aht = csv.replacen(",240\n", ",-3\n", 3);
        let r =
            app.api(Method::POST, "/api/v1/planning/series", Some(&planner.bearer), Some(&body("aht", &bad_aht))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with("line 2:")), "{k}: {}", r.body);
        assert_eq!(imported(store).await, before, "{k}: nothing stored, no event for a refused import");

        // The same through the room's upload form: the room again with the line.
        let (cookie, csrf) = app.session(planner.id).await;
        let boundary = "XBOUNDARYX";
        let multipart = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"bad.csv\"\r\nContent-Type: text/csv\r\n\r\n{bad}\r\n--{boundary}--\r\n"
        );
        let ctype = format!("multipart/form-data; boundary={boundary}");
        let req = common::build(
            Method::POST,
            "/planning/series",
            &[("cookie", &cookie), ("content-type", &ctype)],
            axum::body::Body::from(multipart.clone()),
        );
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("line 5:"), "{k}: the room names the line");
        let good = multipart.replace(&bad, &csv).replace("bad.csv", "upload.csv");
        let req = common::build(
            Method::POST,
            "/planning/series",
            &[("cookie", &cookie), ("content-type", &ctype)],
            axum::body::Body::from(good),
        );
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{k}: {}", r.body);
        let page = app.get(r.location().expect("to the history"), &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("id=\"history-chart\"") && page.body.contains("upload"), "{k}");
    }
}

/// An XLSX history goes the same way as a CSV one, through the API (base64)
/// and the room's upload: every row or none, a bad row named by its sheet row.
#[tokio::test]
async fn an_xlsx_history_is_imported_whole_or_not_at_all() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let planner = app.account(Role::ResourcePlanner);
        let store = &app.state.store;

        let good = history_xlsx(None);
        let r =
            app.api(Method::POST, "/api/v1/planning/series", Some(&planner.bearer), Some(&xlsx_body("x", &good))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        assert_eq!(r.json()["interval_s"], 3600, "{k}");
        assert_eq!(r.json()["points"].as_array().map(|a| a.len()), Some(40 * 9), "{k}");
        assert_eq!(r.json()["points"][0]["aht_s"], 240.0, "{k}");
        // The same rows as the CSV: timestamps and calls equal.
        let from_csv = planning_points(&app, &planner.bearer, &body("c", &history_csv())).await;
        assert_eq!(r.json()["points"], from_csv, "{k}: XLSX and CSV read alike");

        let before = imported(store).await;
        let bad = history_xlsx(Some(5));
        let r =
            app.api(Method::POST, "/api/v1/planning/series", Some(&planner.bearer), Some(&xlsx_body("b", &bad))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "invalid_history", "{k}");
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with("line 5:")), "{k}: {}", r.body);
        // Not a workbook, bad base64, both or neither file: refused too.
        for (input, code) in [
            (xlsx_body("z", b"PK\x03\x04not a workbook"), "invalid_history"),
            (serde_json::json!({"name": "z", "xlsx_base64": "***"}).to_string(), "invalid_field"),
            (serde_json::json!({"name": "z", "csv": history_csv(), "xlsx_base64": ""}).to_string(), "invalid_field"),
            (serde_json::json!({"name": "z"}).to_string(), "invalid_field"),
        ] {
            let r = app.api(Method::POST, "/api/v1/planning/series", Some(&planner.bearer), Some(&input)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
            assert_eq!(r.json()["error"]["code"], code, "{k}: {}", r.body);
        }

        // The room's upload form: the bad workbook shows the room with the row …
        let (cookie, csrf) = app.session(planner.id).await;
        let ctype = "multipart/form-data; boundary=XBOUNDARYX";
        let upload = |bytes: Vec<u8>| {
            common::build(
                Method::POST,
                "/planning/series",
                &[("cookie", &cookie), ("content-type", ctype)],
                axum::body::Body::from(bytes),
            )
        };
        let r = app.send(upload(multipart_file("XBOUNDARYX", &csrf, "bad.xlsx", &bad))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("line 5:"), "{k}: the room names the row");
        assert_eq!(imported(store).await, before, "{k}: nothing stored, no event for a refused import");
        // … the good one is stored under the file's name.
        let r = app.send(upload(multipart_file("XBOUNDARYX", &csrf, "Неделя.xlsx", &good))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{k}: {}", r.body);
        let newest = store.list_series().await.expect(k).into_iter().max_by_key(|s| s.id).expect("stored");
        assert_eq!(newest.name, "Неделя", "{k}");
        assert_eq!(store.series(newest.id).await.expect(k).points.len(), 40 * 9, "{k}");
    }
}

/// The points of a history imported through the API.
async fn planning_points(app: &common::TestApp, bearer: &str, input: &str) -> serde_json::Value {
    let r = app.api(Method::POST, "/api/v1/planning/series", Some(bearer), Some(input)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["points"].clone()
}

#[tokio::test]
async fn forecast_staffing_schedule_publish_and_exports() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let planner = app.account(Role::ResourcePlanner);
        let op = app.account(Role::Operator);
        let senior = app.account(Role::SeniorOperator);
        let (cookie, _) = app.session(planner.id).await;

        let r = app
            .api(Method::POST, "/api/v1/planning/series", Some(&planner.bearer), Some(&body("h", &history_csv())))
            .await;
        let series = r.json()["id"].as_i64().expect("series id");

        // Forecast: every model backtested, one chosen, five operating days of nine hours.
        let path = format!("/api/v1/planning/series/{series}/forecasts");
        let r = app.api(Method::POST, &path, Some(&planner.bearer), Some(r#"{"horizon_days":5}"#)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let f = r.json();
        let forecast = f["id"].as_i64().expect("forecast id");
        let models: Vec<&str> =
            f["report"]["backtest"].as_array().expect("backtest").iter().filter_map(|m| m["model"].as_str()).collect();
        let all: Vec<&str> = wfm::forecast::Model::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(models, all, "{k}");
        assert_eq!(f["points"].as_array().map(|a| a.len()), Some(5 * 9), "{k}");
        let r =
            app.api(Method::POST, &path, Some(&planner.bearer), Some(r#"{"horizon_days":5,"method":"nope"}"#)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: unknown method");
        let page = app.get(&format!("/planning/forecasts/{forecast}"), &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        for m in &models {
            assert!(page.body.contains(&format!("data-model=\"{m}\"")), "{k}: {m} shown");
        }
        assert!(page.body.contains("id=\"forecast-chart\""), "{k}");
        // The chart draws three series: the last week of history (45 intervals as
        // the forecast), the chosen model's backtest over those same intervals,
        // and the forecast; the legend names all three.
        let backtest = f["report"]["backtest_points"].as_array().expect("backtest points kept");
        assert_eq!(backtest.len(), 4 * 5 * 9, "{k}: four weeks of rolling-origin forecasts");
        let chart = page.body.split_once("id=\"forecast-chart\"").map(|(_, c)| c).unwrap_or_default();
        assert_eq!(line_points(chart, "hist"), 45, "{k}");
        assert_eq!(line_points(chart, "bt"), 45, "{k}");
        assert_eq!(line_points(chart, "fc"), 45, "{k}");
        for key in ["key hist", "key bt", "key fc"] {
            assert!(page.body.contains(key), "{k}: legend {key}");
        }
        assert!(page.body.contains("Бэктест"), "{k}: the legend in the viewer's language");

        // Staffing: each interval is what wfm::erlang says.
        let path = format!("/api/v1/planning/forecasts/{forecast}/staffing");
        let targets = r#"{"service_level":0.8,"answer_time_s":20,"max_occupancy":0.9,"shrinkage":0.3,"aht_s":240}"#;
        let r = app.api(Method::POST, &path, Some(&planner.bearer), Some(targets)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let staffing = r.json()["id"].as_i64().expect("staffing id");
        let rows = r.json()["rows"].as_array().expect("rows").clone();
        assert_eq!(rows.len(), 45, "{k}");
        let target = Target { service_level: 0.8, answer_time_s: 20.0, max_occupancy: Some(0.9), max_asa_s: None };
        for row in &rows {
            let calls = row["calls"].as_f64().expect("calls");
            let want =
                erlang::staff(&Load::new(calls, 3600.0, 240.0).expect("load"), &target, None, 0.3).expect("staff");
            assert_eq!(row["on_line"].as_u64(), Some(u64::from(want.on_line)), "{k}: {row}");
            assert_eq!(row["scheduled"].as_u64(), Some(u64::from(want.scheduled)), "{k}: {row}");
            assert!((row["service_level"].as_f64().expect("sl") - want.metrics.service_level).abs() < 1e-12, "{k}");
        }
        let page = app.get(&format!("/planning/staffing/{staffing}"), &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("id=\"sl-curve\"") && page.body.contains("id=\"staffing-table\""), "{k}");

        // A generated schedule covers the requirement where staff suffice and is a draft.
        let path = format!("/api/v1/planning/staffing/{staffing}/schedules");
        let r = app.api(Method::POST, &path, Some(&planner.bearer), Some(r#"{"name":"Неделя 1"}"#)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        assert_eq!(r.json()["status"], "draft", "{k}");
        let generated: wfm::roster::Roster = serde_json::from_value(r.json()["roster"].clone()).expect("roster");
        generated.validate().expect("generated roster is valid");
        assert!(generated.operators.iter().any(|o| !o.shifts.is_empty()), "{k}: someone works");

        // An uploaded roster: unknown operators refused by row, nothing stored.
        let roster = |ids: &[&str]| {
            let ops: Vec<serde_json::Value> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let start = 480 + 240 * i as u32;
                    serde_json::json!({"id": id, "name": id, "shifts": [{"day": 0, "start_min": start, "end_min": start + 480,
                        "activities": [{"kind": "lunch", "start_min": start + 240, "end_min": start + 285}]}]})
                })
                .collect();
            serde_json::json!({"name": "Смена", "roster": {"interval_min": 15, "start_date": "2026-12-01", "days": 2, "operators": ops}})
                .to_string()
        };
        let before = app.state.store.list_schedules().await.expect(k).len();
        let r = app
            .api(
                Method::POST,
                "/api/v1/planning/schedules",
                Some(&planner.bearer),
                Some(&roster(&[&op.login, "ghost"])),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "invalid_roster", "{k}");
        assert!(
            r.json()["error"]["message"].as_str().is_some_and(|m| m.contains("row 2") && m.contains("ghost")),
            "{k}"
        );
        assert_eq!(app.state.store.list_schedules().await.expect(k).len(), before, "{k}: nothing stored");
        let r = app
            .api(
                Method::POST,
                "/api/v1/planning/schedules",
                Some(&planner.bearer),
                Some(&roster(&[&op.login, &senior.login])),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let schedule = r.json()["id"].as_i64().expect("schedule id");

        // Drafts are not shown to operators; operators cannot read schedules.
        let app = &app;
        let mine = |bearer: String| async move {
            app.api(Method::GET, "/api/v1/planning/my-schedule", Some(&bearer), None).await
        };
        assert_eq!(mine(op.bearer.clone()).await.json(), serde_json::json!([]), "{k}: a draft is not published");
        let r = app.api(Method::GET, &format!("/api/v1/planning/schedules/{schedule}"), Some(&op.bearer), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}: operators do not read whole schedules");
        let path = format!("/api/v1/planning/schedules/{schedule}/publish");
        let r = app.api(Method::POST, &path, Some(&op.bearer), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}: operators do not publish");

        let r = app.api(Method::POST, &path, Some(&planner.bearer), None).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!(r.json()["status"], "published", "{k}");
        let r = app.api(Method::POST, &path, Some(&planner.bearer), None).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{k}: published once");
        let audit = app.state.store.list_audit(None, 50, 0).await.expect(k);
        assert!(
            audit.iter().any(|a| a.action == "planning.schedule_publish" && a.target == format!("schedule:{schedule}")),
            "{k}: publishing is audited"
        );

        // Each operator sees their own shift and nobody else's.
        let r = mine(op.bearer.clone()).await.json();
        let shifts = r.as_array().expect("shifts");
        assert_eq!(shifts.len(), 1, "{k}: {r}");
        assert_eq!(shifts[0]["start"], "08:00", "{k}");
        assert_eq!(shifts[0]["date"], "2026-12-01", "{k}");
        assert_eq!(shifts[0]["activities"][0], "lunch 12:00–12:45", "{k}");
        let r = mine(senior.bearer.clone()).await.json();
        assert_eq!(r.as_array().map(|a| a.len()), Some(1), "{k}");
        assert_eq!(r[0]["start"], "12:00", "{k}: the senior's own shift");
        // The desk links to "My schedule"; following the link shows only own shifts.
        let (op_cookie, _) = app.session(op.id).await;
        let desk = app.get("/desk", &[("cookie", &op_cookie)]).await;
        assert_eq!(desk.status, StatusCode::OK, "{k}");
        let link = desk.body.split_once("<nav class=\"desk-links\"").map(|(_, n)| n).unwrap_or_default();
        let href = link.split_once("href=\"").and_then(|(_, h)| h.split_once('"')).map(|(h, _)| h).unwrap_or_default();
        assert_eq!(href, "/desk/schedule", "{k}: the desk's link");
        assert!(link.contains("id=\"my-schedule-link\">Мой график</a>"), "{k}: named in Russian by default");
        let page = app.get(href, &[("cookie", &op_cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("08:00–16:00") && !page.body.contains("12:00–20:00"), "{k}: only own shifts");

        // Exports: real workbooks with the expected sheets and values.
        let x = app.get(&format!("/planning/schedules/{schedule}/xlsx"), &[("cookie", &cookie)]).await;
        assert_eq!(x.status, StatusCode::OK, "{k}");
        let disposition = x.headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(disposition.starts_with("attachment;") && disposition.contains(".xlsx"), "{k}: {disposition}");
        let bytes = app.get_bytes(&format!("/planning/schedules/{schedule}/xlsx"), &cookie).await;
        let files = unzip(&bytes);
        let workbook = &files["xl/workbook.xml"];
        assert!(workbook.contains("name=\"grid\"") && workbook.contains("name=\"coverage\""), "{k}: {workbook}");
        let strings = &files["xl/sharedStrings.xml"];
        assert!(strings.contains(&op.login) && strings.contains("08:00"), "{k}: operator and times in the grid");
        assert!(files["xl/worksheets/sheet1.xml"].matches("<c ").count() > 60, "{k}: grid cells written");

        let bytes = app.get_bytes(&format!("/planning/forecasts/{forecast}/xlsx"), &cookie).await;
        let files = unzip(&bytes);
        let first = f["points"][0][1].as_f64().expect("first value");
        let values = numbers(&files["xl/worksheets/sheet1.xml"]);
        assert_eq!(values.len(), 45, "{k}: one number per forecast interval");
        assert!((values[0] - first).abs() < 1e-9, "{k}: first forecast value {first} in the sheet");
        let bytes = app.get_bytes(&format!("/planning/staffing/{staffing}/xlsx"), &cookie).await;
        let values = numbers(&unzip(&bytes)["xl/worksheets/sheet1.xml"]);
        // Per row: calls, on line, scheduled, SL, ASA, occupancy.
        assert_eq!(values.len(), 45 * 6, "{k}");
        assert_eq!(values[1], rows[0]["on_line"].as_f64().expect("agents"), "{k}: agents in the sheet");
    }
}

#[tokio::test]
async fn a_history_from_the_centres_contacts_counts_arrivals_per_interval() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let planner = app.account(Role::ResourcePlanner);
        // Two days, arrivals at 09:10, 09:20, 10:40 Almaty (04:10… UTC) on 2026-10-05 and 09:05 on 2026-10-06.
        let day = wfm::forecast::Date::new(2026, 10, 5).expect("date").days() * 86_400_000;
        let at = |d: i64, h: i64, m: i64| day + d * 86_400_000 + ((h - 5) * 60 + m) * 60_000;
        let times = [at(0, 9, 10), at(0, 9, 20), at(0, 10, 40), at(1, 9, 5), at(1, 11, 0)];
        let past: Vec<store::contacts::PastContact> = times
            .iter()
            .enumerate()
            .map(|(i, t)| store::contacts::PastContact {
                id: 10_000 + i as i64,
                channel: domain::contact::Channel::Voice,
                contact_type: domain::contact::ContactType::Information,
                topic: String::new(),
                queue_id: Some(app.queue),
                operator_id: None,
                customer_id: None,
                subject: "история".into(),
                created_at: *t,
                closed_at: *t + 60_000,
            })
            .collect();
        app.state.store.import_history(&past, &[]).await.expect(k);
        let req = r#"{"name":"Центр","from":"2026-10-05","to":"2026-10-06","interval_min":60,"channel":"voice"}"#;
        let r = app.api(Method::POST, "/api/v1/planning/series/centre", Some(&planner.bearer), Some(req)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        assert_eq!(r.json()["source"], "centre", "{k}");
        let pts: Vec<(String, f64)> = r.json()["points"]
            .as_array()
            .expect("points")
            .iter()
            .map(|p| {
                let ts = p["ts"].as_i64().expect("ts");
                (wfm::forecast::TimeFormat::Plain { seconds: false }.format(ts), p["calls"].as_f64().expect("calls"))
            })
            .collect();
        let want = [
            ("2026-10-05 09:00", 2.0),
            ("2026-10-05 10:00", 1.0),
            ("2026-10-06 09:00", 1.0),
            ("2026-10-06 10:00", 0.0),
            ("2026-10-06 11:00", 1.0),
        ];
        let want: Vec<(String, f64)> = want.iter().map(|(t, n)| (t.to_string(), *n)).collect();
        assert_eq!(pts, want, "{k}");
        let bad = req.replace("\"interval_min\":60", "\"interval_min\":7");
        let r = app.api(Method::POST, "/api/v1/planning/series/centre", Some(&planner.bearer), Some(&bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
    }
}

#[tokio::test]
async fn only_planning_roles_enter_the_room() {
    let app = common::app(testkit::sqlite()).await;
    for (role, ok) in [
        (Role::ResourcePlanner, true),
        (Role::Supervisor, true),
        (Role::HeadOfCentre, true),
        (Role::Operator, false),
        (Role::SeniorOperator, false),
    ] {
        let (cookie, _) = app.session(app.account(role).id).await;
        let page = app.get("/planning", &[("cookie", &cookie)]).await;
        let want = if ok { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(page.status, want, "{role:?}");
        if ok {
            assert!(page.body.contains("id=\"plan-import\""), "{role:?}: the import form");
        }
    }
}
