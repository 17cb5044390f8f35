//! The shop manager's analytics room on both databases: a hand-computed
//! fixture of past orders (imported with `import_order_history`) gives the
//! expected ABC classes (each basis), XYZ classes and CVs, the 9-cell
//! matrix, demand, RFM segments (stable under re-run), plan vs actual and
//! the dormant list, through the JSON API, the page and the CSV/XLSX
//! exports (which parse back to the same rows); the settings form and the
//! dormant client's "call back".
//!
//! Fixture (period 2026-03-02 … 2026-03-29, four weeks, Almaty time):
//!
//! | SKU | price | cost | weekly units | revenue | margin |
//! |-----|------:|-----:|---|--------:|-------:|
//! | P1 | 1 000 | 900 | 10 10 10 10 | 40 000 | 4 000 |
//! | P2 |   500 | 100 |  8 12  8 12 | 20 000 | 16 000 |
//! | P3 |   100 |  50 |  0 20  0 20 |  4 000 | 2 000 |
//! | P4 |   100 |   0 | — | 0 | 0 |
//!
//! Revenue total 64 000: P1 A (before 0 %), P2 A (62.5 %), P3 B (93.75 %), P4 C (zero).
//! Margin total 22 000: P2 A (0 %), P1 A (72.7 %), P3 B (90.9 %), P4 C.
//! Units 40 each, ties by SKU: P1 A (0), P2 A (33 %), P3 A (67 %), P4 C.
//! XYZ: P1 CV 0 → X; P2 mean 10, SD 2 → 20 % → Y; P3 mean 10, SD 10 → 100 % → Z; P4 → Z.
//! Matrix: AX P1, AY P2, BZ P3, CZ P4.
//!
//! RFM over 2025-06-02 … 2026-03-29 (as of 2026-03-29, default bins):
//! C1 4 orders (P1 weekly, P2 in weeks 3–4), 50 000.00, last 03-23 → R5 F3 M3 → loyal;
//! C2 2 orders (P2 weeks 1–2), 10 000.00, last 03-09 → R5 F2 M2 → promising;
//! C3 1 order 03-09 (P3), C4 1 order 03-23 (P3) → R5 F1 M1 → new;
//! C5 1 order 2025-07-01 (P4), 271 days → R1 → lost.

mod common;

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use domain::contact::{Channel, ContactType};
use domain::time::{Date, UtcOffset};
use domain::Role;
use retail::catalogue::{Catalogue, Item, Names, Price};
use serde_json::Value;
use store::contacts::PastContact;
use store::order_history::{PastOrder, PastOrderLine};
use store::{AuditActor, NewCustomer};

const PERIOD: &str = "from=2026-03-02&to=2026-03-29";
const LONG: &str = "from=2025-06-02&to=2026-03-29";

fn item(sku: &str, name: &str) -> Item {
    Item {
        sku: sku.into(),
        name: Names { ru: name.into(), kk: name.into(), en: name.into() },
        description: Names::default(),
        category: vec![],
        attributes: vec![],
        unit: "pcs".into(),
        vat_bp: 1200,
        listed: true,
        goods_class: "food".into(),
        warranty_months: 0,
        alternatives: vec![],
        complements: vec![],
        competitor_note: String::new(),
        photos: vec![],
    }
}

/// (price, cost) per SKU, minor units.
fn price(sku: &str) -> (i64, i64) {
    match sku {
        "P1" => (100_000, 90_000),
        "P2" => (50_000, 10_000),
        "P3" => (10_000, 5_000),
        _ => (10_000, 0),
    }
}

fn line(sku: &str, qty: i64) -> PastOrderLine {
    let (p, c) = price(sku);
    PastOrderLine {
        sku: sku.into(),
        name: sku.into(),
        unit: "pcs".into(),
        qty,
        unit_price: p,
        unit_cost: c,
        tier_discount: 0,
        promotion_id: None,
        promotion_discount: 0,
        total: p * qty,
        vat_bp: 1200,
        vat: 0,
    }
}

struct Fixture {
    c: [i64; 5],
}

async fn fixture(app: &common::TestApp) -> Fixture {
    let store = &app.state.store;
    let actor = AuditActor::cli();
    let mut cat = Catalogue::default();
    for (sku, name) in [("P1", "Молоко 1 л"), ("P2", "Хлеб, батон"), ("P3", "Соль \"Экстра\""), ("P4", "Спички")]
    {
        cat.items.insert(sku.into(), item(sku, name));
        cat.prices.insert(
            sku.into(),
            Price { by_client_type: BTreeMap::from([("retail".into(), price(sku).0)]), tiers: vec![] },
        );
    }
    store.apply_catalogue_import(&cat, &actor, &|_, _| {}).await.unwrap();
    let new = |name: &str, phone: &str, ct: &str| NewCustomer {
        full_name: name.into(),
        phone: phone.into(),
        email: String::new(),
        client_type: ct.into(),
        locale: "ru".into(),
        created_at: 0,
        consent_at: None,
    };
    let ids = store
        .create_customers(&[
            new("Серіков Дәулет", "+77010000001", "key"),
            new("Омарова Жанна", "+77010000002", "regional"),
            new("Ким Ольга", "+77010000003", "retail"),
            new("Петров Иван", "+77010000004", "retail"),
            new("Нурланов Асхат", "+77010000005", "retail"),
        ])
        .await
        .unwrap();
    let c: [i64; 5] = [ids[0], ids[1], ids[2], ids[3], ids[4]];
    let contact = PastContact {
        id: 900,
        channel: Channel::Voice,
        contact_type: ContactType::SaleOrder,
        topic: String::new(),
        queue_id: None,
        operator_id: None,
        customer_id: Some(c[0]),
        subject: "Заказ".into(),
        created_at: 0,
        closed_at: 0,
    };
    store.import_history(&[contact], &[]).await.unwrap();
    let operator = app.account(Role::Operator).id;
    let at = |day: &str| UtcOffset::ALMATY.at(Date::parse(day).unwrap(), 10, 0);
    let order = |id: i64, customer: i64, day: &str, lines: Vec<PastOrderLine>| PastOrder {
        id,
        customer_id: customer,
        contact_id: 900,
        operator_id: (customer == c[0]).then_some(operator),
        source: if customer == c[0] { "call" } else { "web_form" }.into(),
        client_type: if customer == c[0] { "key" } else { "retail" }.into(),
        status: "closed".into(),
        delivery_method: "courier".into(),
        address: "Алматы".into(),
        receiver_name: "Получатель".into(),
        receiver_phone: "+77010000009".into(),
        payment_method: "card_link".into(),
        terms: "prepaid".into(),
        delivery_cost: 0,
        paid: 0,
        refunded: 0,
        cancel_reason: None,
        created_at: at(day),
        updated_at: at(day),
        delivered_at: None,
        lines,
    };
    let mut cancelled = order(20, c[2], "2026-03-04", vec![line("P4", 50)]);
    cancelled.status = "cancelled".into();
    cancelled.cancel_reason = Some("customer".into());
    let orders = vec![
        order(1, c[0], "2026-03-02", vec![line("P1", 10)]),
        order(2, c[0], "2026-03-10", vec![line("P1", 10)]),
        order(3, c[0], "2026-03-17", vec![line("P1", 10), line("P2", 8)]),
        order(4, c[0], "2026-03-23", vec![line("P1", 10), line("P2", 12)]),
        order(5, c[1], "2026-03-03", vec![line("P2", 8)]),
        order(6, c[1], "2026-03-09", vec![line("P2", 12)]),
        order(7, c[2], "2026-03-09", vec![line("P3", 20)]),
        order(8, c[3], "2026-03-23", vec![line("P3", 20)]),
        order(9, c[4], "2025-07-01", vec![line("P4", 1)]),
        cancelled,
    ];
    store.import_order_history(&orders, &[], &[], 1).await.unwrap();
    Fixture { c }
}

fn classes(report: &Value, table: &str, class: &str) -> Vec<(String, String)> {
    report[table]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["sku"].as_str().unwrap().to_string(), r[class].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// A small RFC 4180 reader for the test: quoted fields, doubled quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

fn parse_xlsx(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[tokio::test]
async fn analytics_match_the_hand_computed_fixture() {
    for db in testkit::databases().await {
        let url = db.url.clone();
        let app = common::app(db).await;
        let fx = fixture(&app).await;
        let bearer = app.account(Role::StoreManager).bearer.clone();
        let get = |q: String| {
            let app = &app;
            let bearer = bearer.clone();
            async move {
                let r = app.api(Method::GET, &format!("/api/v1/sales/analytics?{q}"), Some(&bearer), None).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
                r.json()["report"].clone()
            }
        };

        // ABC by each basis.
        let r = get(PERIOD.to_string()).await;
        assert_eq!(classes(&r, "abc", "class"), pairs(&[("P1", "A"), ("P2", "A"), ("P3", "B"), ("P4", "C")]), "{url}");
        assert_eq!(r["abc"][1]["cumulative_bp"], 9_375);
        let m = get(format!("{PERIOD}&basis=margin")).await;
        assert_eq!(classes(&m, "abc", "class"), pairs(&[("P2", "A"), ("P1", "A"), ("P3", "B"), ("P4", "C")]));
        let u = get(format!("{PERIOD}&basis=units")).await;
        assert_eq!(classes(&u, "abc", "class"), pairs(&[("P1", "A"), ("P2", "A"), ("P3", "A"), ("P4", "C")]));

        // XYZ with CV and the weekly series, the matrix, demand.
        assert_eq!(classes(&r, "xyz", "class"), pairs(&[("P1", "X"), ("P2", "Y"), ("P3", "Z"), ("P4", "Z")]));
        let cv: Vec<Option<f64>> = r["xyz"].as_array().unwrap().iter().map(|x| x["cv"].as_f64()).collect();
        assert_eq!(cv, vec![Some(0.0), Some(20.0), Some(100.0), None]);
        assert_eq!(r["xyz"][1]["weekly"], serde_json::json!([8, 12, 8, 12]));
        let cells: BTreeMap<String, Vec<String>> = r["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["cell"].as_str().unwrap().to_string(), serde_json::from_value(c["skus"].clone()).unwrap()))
            .collect();
        assert_eq!(cells.len(), 9);
        assert_eq!(cells["AX"], vec!["P1"]);
        assert_eq!(cells["AY"], vec!["P2"]);
        assert_eq!(cells["BZ"], vec!["P3"]);
        assert_eq!(cells["CZ"], vec!["P4"], "the cancelled order's P4 does not count");
        assert!(cells["AZ"].is_empty() && cells["CX"].is_empty());
        let last = r["demand"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["sku"].as_str(), last["units"].as_i64()), (Some("P4"), Some(0)));

        // Sales by channel, operator, client type and by week.
        let keys = |t: &str| -> Vec<String> {
            r[t].as_array().unwrap().iter().map(|x| x["key"].as_str().unwrap().to_string()).collect()
        };
        assert_eq!(keys("by_channel"), vec!["call", "web_form"]);
        assert_eq!(r["by_channel"][0]["revenue"], 5_000_000);
        assert_eq!(r["by_operator"][1]["label"], "Тест operator");
        assert_eq!(keys("by_client_type"), vec!["key", "retail"]);
        let weeks = get(format!("{PERIOD}&grain=week")).await;
        let w: Vec<i64> =
            weeks["by_period"].as_array().unwrap().iter().map(|x| x["revenue"].as_i64().unwrap()).collect();
        // Week 1: 10×1000 + 8×500; week 2: 10×1000 + 12×500 + 20×100; …
        assert_eq!(w, vec![1_400_000, 1_800_000, 1_400_000, 1_800_000]);

        // RFM over the long period: hand-computed segments, stable under re-run.
        let long = get(LONG.to_string()).await;
        let seg: Vec<(i64, String)> = long["rfm"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["customer"].as_i64().unwrap(), x["segment"].as_str().unwrap().to_string()))
            .collect();
        let c = fx.c;
        assert_eq!(
            seg,
            vec![
                (c[0], "loyal".to_string()),
                (c[1], "promising".into()),
                (c[2], "new".into()),
                (c[3], "new".into()),
                (c[4], "lost".into())
            ]
        );
        assert_eq!(long["rfm"][0]["monetary"], 5_000_000);
        assert_eq!(long["rfm"][4]["recency_days"], 271);
        assert_eq!(get(LONG.to_string()).await["rfm"], long["rfm"], "re-run");
        let counts: BTreeMap<String, u64> = long["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["segment"].as_str().unwrap().to_string(), s["count"].as_u64().unwrap()))
            .collect();
        assert_eq!((counts["loyal"], counts["new"], counts["lost"], counts["champions"]), (1, 2, 1, 0));

        // Dormant (default 60 days, as of today): never ordered first, then the longest silence.
        let dormant: Vec<i64> =
            r["dormant"].as_array().unwrap().iter().map(|x| x["customer"].as_i64().unwrap()).collect();
        assert_eq!(dormant, vec![app.customer, c[4], c[1], c[2], c[0], c[3]]);

        // Bad queries: 422, and the room refuses the roles outside it.
        let bad =
            app.api(Method::GET, "/api/v1/sales/analytics?from=2026-04-01&to=2026-03-01", Some(&bearer), None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let bad = app.api(Method::GET, "/api/v1/sales/analytics?basis=profit", Some(&bearer), None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let quality = app.account(Role::QualitySpecialist).bearer.clone();
        let denied = app.api(Method::GET, "/api/v1/sales/analytics", Some(&quality), None).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "ViewReports without UseOrders");

        // The page: the same classes, cells, segments and the three charts; the view is audited.
        let manager = app.account(Role::StoreManager).id;
        let (cookie, csrf) = app.session(manager).await;
        let page = app.get(&format!("/orders/analytics?{PERIOD}"), &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for needle in [
            r#"data-sku="P1" data-abc="A""#,
            r#"data-sku="P3" data-abc="B""#,
            r#"data-sku="P2" data-xyz="Y""#,
            r#"data-cell="AX" data-count="1""#,
            r#"data-cell="CZ" data-count="1""#,
            r#"data-sku="P4" data-units="0""#,
            r#"id="sales-chart""#,
            r#"id="pareto-chart""#,
            r#"id="rfm-chart""#,
            "Серіков Дәулет",
            &format!("/orders/analytics/customers/{}/callback", c[4]),
        ] {
            assert!(page.body.contains(needle), "page lacks {needle}");
        }
        let long_page = app.get(&format!("/orders/analytics?{LONG}"), &[("cookie", &cookie)]).await;
        assert!(long_page.body.contains(r#"data-segment="new" data-count="2""#));
        let audit = app.state.store.list_audit(Some("customer.list_view"), 50, 0).await.unwrap();
        assert!(audit.len() >= 2, "personal data views are audited");
        let bad_page = app.get("/orders/analytics?from=nonsense", &[("cookie", &cookie)]).await;
        assert_eq!(bad_page.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Exports: CSV (BOM, RFC 4180) and XLSX give the same rows as the report.
        for (report, expect_rows) in
            [("abc", 4), ("xyz", 4), ("matrix", 9), ("rfm", 5), ("demand", 4), ("plan", 1), ("dormant", 6)]
        {
            let q = if report == "rfm" { LONG } else { PERIOD };
            let csv = app.get_bytes(&format!("/orders/analytics/export.csv?report={report}&{q}"), &cookie).await;
            assert!(csv.starts_with("\u{feff}".as_bytes()), "{report}: BOM");
            let csv_rows = parse_csv(std::str::from_utf8(&csv[3..]).unwrap());
            let xlsx =
                parse_xlsx(app.get_bytes(&format!("/orders/analytics/export.xlsx?report={report}&{q}"), &cookie).await);
            assert_eq!(csv_rows.len(), expect_rows + 1, "{report}: header and rows");
            assert_eq!(csv_rows, xlsx, "{report}: CSV and XLSX agree");
        }
        let csv = app.get_bytes(&format!("/orders/analytics/export.csv?report=abc&{PERIOD}"), &cookie).await;
        let rows = parse_csv(std::str::from_utf8(&csv[3..]).unwrap());
        assert_eq!(rows[0], vec!["sku", "name", "value", "share_pct", "cumulative_pct", "class"]);
        assert_eq!(rows[1], vec!["P1", "Молоко 1 л", "40000.00", "62.50", "62.50", "A"]);
        assert_eq!(rows[2], vec!["P2", "Хлеб, батон", "20000.00", "31.25", "93.75", "A"]);
        assert_eq!(rows[3][1], "Соль \"Экстра\"");
        let xyz = parse_csv(
            std::str::from_utf8(
                &app.get_bytes(&format!("/orders/analytics/export.csv?report=xyz&{PERIOD}"), &cookie).await[3..],
            )
            .unwrap(),
        );
        assert_eq!(xyz[2], vec!["P2", "Хлеб, батон", "8 12 8 12", "20.00", "Y"]);
        let rfm = parse_csv(
            std::str::from_utf8(
                &app.get_bytes(&format!("/orders/analytics/export.csv?report=rfm&{LONG}"), &cookie).await[3..],
            )
            .unwrap(),
        );
        let segs: Vec<&str> = rfm[1..].iter().map(|r| r[8].as_str()).collect();
        assert_eq!(segs, vec!["loyal", "promising", "new", "new", "lost"]);
        let unknown =
            app.get(&format!("/orders/analytics/export.csv?report=secrets&{PERIOD}"), &[("cookie", &cookie)]).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Settings: a bad form changes nothing; a good one sets the plan and thresholds.
        let form = |a: &'static str, plan: &'static str| {
            vec![
                ("basis", "revenue"),
                ("abc_a", a),
                ("abc_b", "15"),
                ("xyz_x", "10"),
                ("xyz_y", "25"),
                ("recency", "30, 60, 120, 240"),
                ("frequency", "2, 4, 8, 16"),
                ("monetary", "10000; 50000; 200000; 1000000"),
                ("dormant_days", "60"),
                ("callback_queue", "sales"),
                ("plan", plan),
            ]
        };
        let refused = app.form("/orders/analytics/settings", &cookie, Some(&csrf), &form("150", "")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let refused = app.form("/orders/analytics/settings", &cookie, Some(&csrf), &form("80", "2026-03 lots")).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.state.store.sales_analytics_settings().await.unwrap(), Default::default());
        let saved = app.form("/orders/analytics/settings", &cookie, Some(&csrf), &form("60", "2026-03 100 000")).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let s = app.state.store.sales_analytics_settings().await.unwrap();
        assert_eq!((s.abc.a, s.plan["2026-03"]), (60, 10_000_000));
        let r = get(PERIOD.to_string()).await;
        // 64 000 of 100 000 → 64 %.
        assert_eq!((r["plan"][0]["actual"].as_i64(), r["plan"][0]["done_bp"].as_i64()), (Some(6_400_000), Some(6_400)));
        // A = 60 %: P2's 62.5 % before it now makes it B.
        assert_eq!(classes(&r, "abc", "class")[1], ("P2".to_string(), "B".to_string()));

        // "Call back" a dormant client: an outbound callback contact in the sales queue, once a day.
        app.state.store.create_queue("sales", "Продажи", "Сату", "Sales").await.unwrap();
        let path = format!("/orders/analytics/customers/{}/callback", c[4]);
        let first = app.form(&path, &cookie, Some(&csrf), &[]).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        let contact: i64 = first.location().unwrap().rsplit('=').next().unwrap().parse().unwrap();
        let made = app.state.store.contact(contact).await.unwrap().unwrap();
        assert_eq!(made.customer_id, Some(c[4]));
        assert_eq!(made.direction, domain::contact::Direction::Outbound);
        let again = app.form(&path, &cookie, Some(&csrf), &[]).await;
        assert_eq!(again.location(), first.location(), "a second click is the same task");
        let shown = app.get(first.location().unwrap(), &[("cookie", &cookie)]).await;
        assert!(shown.body.contains(r#"id="analytics-notice""#));
        let unknown = app.form("/orders/analytics/customers/999999/callback", &cookie, Some(&csrf), &[]).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }
}
