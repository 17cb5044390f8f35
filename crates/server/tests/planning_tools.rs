//! The planner's tools on both databases: the intraday reforecast of a
//! stored forecast from the centre's contacts, the shrinkage forecast from
//! an uploaded CSV, the vacation plan from a JSON; refused input names its
//! fault and changes nothing; operators are kept out.

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use domain::Role;
use store::planning::{NewForecast, NewSeries, SeriesPoint};

/// A multipart form of text fields and files: (name, filename, content).
fn multipart(fields: &[(&str, Option<&str>, &str)]) -> (String, String) {
    let boundary = "XTOOLSBOUNDARYX";
    let mut body = String::new();
    for (name, file, content) in fields {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""));
        if let Some(f) = file {
            body.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: text/plain"));
        }
        body.push_str(&format!("\r\n\r\n{content}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    app: &common::TestApp,
    path: &str,
    cookie: &str,
    csrf: &str,
    fields: &[(&str, Option<&str>, &str)],
) -> common::Reply {
    let (ctype, body) = multipart(fields);
    let headers = [("cookie", cookie), ("x-csrf-token", csrf), ("content-type", ctype.as_str())];
    app.send(common::build(Method::POST, path, &headers, Body::from(body))).await
}

/// An app, its database kind, a planner's session (cookie, CSRF token) and
/// the number of events before the test acts.
async fn planner_app(db: testkit::TestDb) -> (common::TestApp, &'static str, String, String, i64) {
    let app = common::app(db).await;
    let k = app.db.kind;
    let (cookie, csrf) = app.session(app.account(Role::ResourcePlanner).id).await;
    let events = app.state.store.count_events(None).await.expect(k);
    (app, k, cookie, csrf, events)
}

/// Wall-clock seconds of 2026-10-05 (a Monday) at `h:m`.
fn at(h: i64, m: i64) -> i64 {
    wfm::forecast::Date::new(2026, 10, 5).expect("date").days() * 86_400 + h * 3600 + m * 60
}

#[tokio::test]
async fn intraday_reforecast_from_the_centres_contacts() {
    for db in testkit::databases().await {
        let (app, k, cookie, _, _) = planner_app(db).await;
        let store = &app.state.store;
        let actor = store::AuditActor::cli();

        let points =
            (0..4).map(|i| SeriesPoint { ts: at(9, 0) - 86_400 + i * 3600, calls: 2.0, aht_s: None }).collect();
        let series = store
            .create_series(&NewSeries { name: "tools".into(), source: "upload", interval_s: 3600, points }, &actor)
            .await
            .expect(k)
            .id;
        // The forecast of 2026-10-05: 2 contacts an hour, 09:00–12:00 (and a row of the day before).
        let fc = NewForecast {
            series_id: series,
            method: "auto".into(),
            chosen: "profile".into(),
            horizon_days: 1,
            report: serde_json::json!({"backtest": []}),
            points: vec![
                (at(9, 0) - 86_400, 7.0),
                (at(9, 0), 2.0),
                (at(10, 0), 2.0),
                (at(11, 0), 2.0),
                (at(12, 0), 2.0),
            ],
        };
        let forecast = store.create_forecast(&fc, &actor).await.expect(k).id;
        // Voice contacts at 09:05, 09:10, 09:20, 09:55 (4), 10:30, 10:45 (2), 11:30 (after
        // "until"); a chat at 10:15 that the voice-only reforecast leaves out. Centre
        // time is UTC+5.
        let utc_ms = |wall: i64| (wall - 5 * 3600) * 1000;
        let times = [
            (at(9, 5), "voice"),
            (at(9, 10), "voice"),
            (at(9, 20), "voice"),
            (at(9, 55), "voice"),
            (at(10, 30), "voice"),
            (at(10, 45), "voice"),
            (at(11, 30), "voice"),
            (at(10, 15), "chat"),
        ];
        let past: Vec<store::contacts::PastContact> = times
            .iter()
            .enumerate()
            .map(|(i, (t, ch))| store::contacts::PastContact {
                id: 20_000 + i as i64,
                channel: domain::contact::Channel::parse(ch).expect("channel"),
                contact_type: domain::contact::ContactType::Information,
                topic: String::new(),
                queue_id: Some(app.queue),
                operator_id: None,
                customer_id: None,
                subject: "факт".into(),
                created_at: utc_ms(*t),
                closed_at: utc_ms(*t) + 60_000,
            })
            .collect();
        store.import_history(&past, &[]).await.expect(k);
        let events = store.count_events(None).await.expect(k);

        let url = format!("/planning/tools/reforecast?forecast={forecast}&date=2026-10-05&until=11:00&channel=voice");
        let page = app.get(&url, &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}: {}", page.body);
        // Elapsed 09:00 and 10:00: 6 actual on 4 forecast.
        let (_, ratio) = wfm::forecast::planning::reforecast_intraday(&[2.0; 4], &[4.0, 2.0]);
        assert!((ratio - (1.0 + 4.0 / 104.0 * 0.5)).abs() < 1e-12, "{k}: {ratio}");
        assert!(page.body.contains(&format!("id=\"level-factor\">{ratio:.3}<")), "{k}: {ratio:.3}");
        let row = |time: &str| {
            let start = page.body.find(&format!("data-time=\"{time}\"")).unwrap_or_else(|| panic!("{k}: row {time}"));
            let end = page.body[start..].find("</tr>").map_or(page.body.len(), |e| start + e);
            page.body[start..end].to_string()
        };
        assert!(row("09:00").contains("<td>2.0</td><td>4</td><td>4.0</td>"), "{k}: {}", row("09:00"));
        assert!(row("10:00").contains("<td>2.0</td><td>2</td><td>2.0</td>"), "{k}: {}", row("10:00"));
        let rest = format!("<td>2.0</td><td></td><td>{:.1}</td>", 2.0 * ratio);
        assert!(row("11:00").contains(&rest) && row("12:00").contains(&rest), "{k}: {}", row("11:00"));
        assert!(page.body.contains("id=\"reforecast-chart\""), "{k}: the chart");
        // All channels: the chat counts too (10:00 has 3).
        let page = app.get(&url.replace("&channel=voice", ""), &[("cookie", &cookie)]).await;
        assert!(row_of(&page.body, "10:00").contains("<td>2.0</td><td>3</td>"), "{k}");

        // Refusals: the reason on the page, nothing changed.
        for (query, status, key) in [
            (
                format!("forecast={forecast}&date=2026-10-07"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "tools-day-not-in-forecast",
            ),
            (
                format!("forecast={forecast}&date=2026-10-05&until=25:00"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "tools-bad-until",
            ),
            (
                format!("forecast={forecast}&date=2026-10-05&until=09:30"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "tools-nothing-elapsed",
            ),
            (format!("forecast={forecast}&date=5.10.2026"), StatusCode::UNPROCESSABLE_ENTITY, "invalid-date"),
            (
                format!("forecast={forecast}&date=2026-10-05&channel=fax"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-channel",
            ),
            ("forecast=99999&date=2026-10-05".to_string(), StatusCode::NOT_FOUND, "tools-unknown-forecast"),
        ] {
            let page = app.get(&format!("/planning/tools/reforecast?{query}"), &[("cookie", &cookie)]).await;
            assert_eq!(page.status, status, "{k}: {query}");
            let message = app.state.catalog.get(i18n::Locale::default(), key);
            assert!(page.body.contains(&format!("id=\"reforecast-error\">{message}<")), "{k}: {query}: {message}");
            assert!(!page.body.contains("id=\"reforecast-table\""), "{k}: {query}");
        }
        assert_eq!(store.count_events(None).await.expect(k), events, "{k}: nothing written");
    }
}

fn row_of(body: &str, time: &str) -> String {
    let start = body.find(&format!("data-time=\"{time}\"")).unwrap_or_else(|| panic!("row {time}"));
    let end = body[start..].find("</tr>").map_or(body.len(), |e| start + e);
    body[start..end].to_string()
}

#[tokio::test]
async fn shrinkage_forecast_from_an_upload() {
    for db in testkit::databases().await {
        let (app, k, cookie, csrf, events) = planner_app(db).await;

        // One week: Monday 10 %, Tuesday 5 % → Monday 10 %, Tuesday 5 %, Wednesday the mean 7.5 %.
        let csv = "date,shrinkage\n2026-11-02,0.10\n2026-11-03,0.05\n";
        let fields = [("file", Some("abs.csv"), csv), ("from", None, "2026-11-09"), ("days", None, "3")];
        let r = post_multipart(&app, "/planning/tools/shrinkage", &cookie, &csrf, &fields).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        for (date, share) in [("2026-11-09", "10.00 %"), ("2026-11-10", "5.00 %"), ("2026-11-11", "7.50 %")] {
            assert!(
                r.body.contains(&format!("<tr data-date=\"{date}\"><td>{date}</td><td>{share}</td>")),
                "{k}: {date}"
            );
        }
        assert!(r.body.contains("2026-11-02 – 2026-11-03"), "{k}: the history's span");

        // Two bad lines: both named, no forecast shown.
        let bad = "date,shrinkage\n2026-11-02,12\n2026-11-03,0.05\n2026-11-31,0.1\n";
        let fields = [("file", Some("abs.csv"), bad), ("from", None, "2026-11-09"), ("days", None, "3")];
        let r = post_multipart(&app, "/planning/tools/shrinkage", &cookie, &csrf, &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("line 2: shrinkage 12 is outside 0..1"), "{k}: {}", r.body);
        assert!(r.body.contains("line 4: date"), "{k}");
        assert!(!r.body.contains("id=\"shrinkage-table\""), "{k}: no forecast from a refused file");
        // A bad number of days; no file.
        let fields = [("file", Some("abs.csv"), csv), ("from", None, "2026-11-09"), ("days", None, "0")];
        let r = post_multipart(&app, "/planning/tools/shrinkage", &cookie, &csrf, &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("id=\"shrinkage-errors\""), "{k}");
        let fields = [("from", None, "2026-11-09"), ("days", None, "3")];
        let r = post_multipart(&app, "/planning/tools/shrinkage", &cookie, &csrf, &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert_eq!(app.state.store.count_events(None).await.expect(k), events, "{k}: nothing written");
    }
}

#[tokio::test]
async fn vacation_plan_from_json() {
    for db in testkit::databases().await {
        let (app, k, cookie, csrf, events) = planner_app(db).await;

        // As in docs/WFM.md: op001 → week 2 (shown 1-based), op002's wish (week 3)
        // is met, op003 → weeks 1 and 2; no week short.
        let input = r#"{"required": [2, 1, 1], "operators": [
            {"id": "op001", "entitlement_days": 7},
            {"id": "op002", "entitlement_days": 7, "wished_weeks": [2]},
            {"id": "op003", "entitlement_days": 10}]}"#;
        let r = post_multipart(&app, "/planning/tools/vacation", &cookie, &csrf, &[("input", None, input)]).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        let row = |attr: &str| {
            let start = r.body.find(attr).unwrap_or_else(|| panic!("{k}: {attr}"));
            let end = r.body[start..].find("</tr>").map_or(r.body.len(), |e| start + e);
            r.body[start..end].to_string()
        };
        assert!(row("data-operator=\"op001\"").contains("<td>7</td><td>2 (7)</td><td></td>"), "{k}");
        assert!(row("data-operator=\"op002\"").contains("<td>3 (7)</td><td>3</td>"), "{k}");
        assert!(row("data-operator=\"op003\"").contains("<td>10</td><td>1 (7), 2 (3)</td>"), "{k}");
        assert!(
            row("data-week=\"2\"").contains("<td>1.00</td><td>1.57</td><td>1.43</td><td>0.57</td><td>0.00</td>"),
            "{k}"
        );
        assert!(r.body.contains("id=\"coverage-loss\">0.00<"), "{k}");
        // The same as a file: a week short shows its loss.
        let short = r#"{"required": [2, 1], "operators": [{"id": "a", "entitlement_days": 7},
            {"id": "b", "entitlement_days": 7, "wished_weeks": [1]}]}"#;
        let r =
            post_multipart(&app, "/planning/tools/vacation", &cookie, &csrf, &[("file", Some("v.json"), short)]).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert!(r.body.contains("<tr data-week=\"1\" class=\"short\">"), "{k}: week 1 short");
        assert!(r.body.contains("id=\"coverage-loss\">1.00<"), "{k}");

        // Refused: too much leave; not JSON; nothing.
        for (text, needle) in [
            (
                r#"{"required":[1],"operators":[{"id":"a","entitlement_days":14}]}"#,
                "operator a: 14 days of leave need 2 weeks",
            ),
            (r#"{"required":[1],"operators":[{"id":"a","entitlement":7}]}"#, "unknown field `entitlement`"),
            ("", "id=\"vacation-errors\""),
        ] {
            let r = post_multipart(&app, "/planning/tools/vacation", &cookie, &csrf, &[("input", None, text)]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {text}");
            assert!(r.body.contains(needle), "{k}: {needle} in the page");
            assert!(!r.body.contains("id=\"vacation-weeks\""), "{k}: no plan");
        }
        assert_eq!(app.state.store.count_events(None).await.expect(k), events, "{k}: nothing written");
    }
}

#[tokio::test]
async fn only_planners_use_the_tools() {
    let app = common::app(testkit::sqlite()).await;
    let (cookie, _) = app.session(app.account(Role::ResourcePlanner).id).await;
    let room = app.get("/planning", &[("cookie", &cookie)]).await;
    assert!(room.body.contains("href=\"/planning/tools\""), "the room links to the tools");
    let page = app.get("/planning/tools", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    for id in ["tool-reforecast", "tool-shrinkage", "tool-vacation"] {
        assert!(page.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    let (cookie, csrf) = app.session(app.account(Role::Operator).id).await;
    for path in ["/planning/tools", "/planning/tools/reforecast?forecast=1"] {
        assert_eq!(app.get(path, &[("cookie", &cookie)]).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let fields = [("input", None, r#"{"required":[1],"operators":[]}"#)];
    for path in ["/planning/tools/shrinkage", "/planning/tools/vacation"] {
        let r = post_multipart(&app, path, &cookie, &csrf, &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
}
