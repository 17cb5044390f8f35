//! Returns, exchanges and claims through HTTP on SQLite and PostgreSQL
//! (issue 6 acceptance): a return outside the statutory window is refused
//! with the reason; inside it is accepted and stock and refund records
//! follow (on-hand numbers, the refund row and amount, events, notices);
//! a non-returnable class is refused; a quantity over what was delivered is
//! refused with nothing written; an exchange reserves the replacement;
//! defective goods stay out of sellable stock; a claim opens a complaint
//! contact linked to the order with its legal deadline; the presets an
//! administrator edits are validated and put in force.
//!
//! Orders come from `Store::test_fixture_delivered_order` until
//! `store::orders::create_order` is merged.

mod common;

use axum::http::{Method, StatusCode};
use domain::Role;
use serde_json::{json, Value};

const DAY: i64 = 86_400_000;

/// The refund rows of an order and its `refunded` total, as `Store::order` reads them.
async fn refunds(store: &store::Store, id: i64) -> (Vec<store::orders::OrderPayment>, i64) {
    let o = store.order(id).await.expect("order").expect("stored");
    (o.payments.into_iter().filter(|p| p.kind == "refund").collect(), o.refunded)
}

async fn on_hand(app: &common::TestApp, sku: &str) -> (i64, i64) {
    let e = app.state.store.catalogue_item(sku).await.expect("read").expect("item");
    e.stock.iter().fold((0, 0), |(h, r), s| (h + s.on_hand, r + s.reserved))
}

async fn delivered(app: &common::TestApp, lines: Vec<(&'static str, i64, i64)>, at: i64) -> i64 {
    let store = &app.state.store;
    store.test_fixture_delivered_order(app.customer, app.contact, &lines, "prepaid", at).await.expect("order")
}

async fn post_json(app: &common::TestApp, bearer: &str, path: String, body: Value) -> common::Reply {
    app.api(Method::POST, &path, Some(bearer), Some(&body.to_string())).await
}

async fn notice_keys(app: &common::TestApp, contact: i64) -> Vec<(String, String)> {
    let list = app.state.store.contact_notifications(contact).await.expect("notices");
    list.into_iter().map(|n| (n.template_key, n.body)).collect()
}

#[tokio::test]
async fn returns_follow_the_statutory_window_with_stock_refunds_events_and_notices() {
    for db in testkit::databases().await {
        let k = db.kind;
        let app = common::app(db).await;
        let store = &app.state.store;
        let op = app.account(Role::Operator).bearer.clone();
        let now = store::now_ms();
        store.test_fixture_item("SKU-KETTLE", "Чайник электрический", "non_food", 0, 10).await.expect(k);
        store.test_fixture_item("SKU-MILK", "Молоко 3,2 % 1 л", "food", 0, 20).await.expect(k);
        store.test_fixture_item("SKU-IRON", "Утюг", "non_food", 12, 5).await.expect(k);
        let order = |lines: Vec<(&'static str, i64, i64)>, days_ago: i64| delivered(&app, lines, now - days_ago * DAY);
        let post = |path: String, body: Value| post_json(&app, &op, path, body);
        let ret = |sku: &str, qty: i64| json!({"reason": "не подошёл", "lines": [{"sku": sku, "qty": qty}]});

        // Outside the window: KZ 14 days, delivered 30 days ago → refused with the reason.
        let late = order(vec![("SKU-KETTLE", 2, 15_000)], 30).await;
        let r = post(format!("/api/v1/orders/{late}/returns"), ret("SKU-KETTLE", 1)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let v = r.json();
        assert_eq!(v["decision"], "refused", "{k}");
        assert_eq!(v["refusal_code"], "outside-window", "{k}");
        assert!(v["refusal_text"].as_str().unwrap().contains("274-IV"), "{k}: the legal basis is quoted");
        assert!(v["last_day"].is_string(), "{k}");
        assert_eq!((v["refund"].as_i64(), v["lines"][0]["stock_to"].is_null()), (Some(0), true), "{k}");
        assert_eq!(on_hand(&app, "SKU-KETTLE").await, (10, 0), "{k}: stock untouched");
        assert_eq!(refunds(store, late).await, (vec![], 0), "{k}: no refund");
        let refused = store.events_after(Some("order.return_refused"), 0, 10).await.expect(k);
        assert_eq!(refused.len(), 1, "{k}");
        assert_eq!(
            (refused[0].refs.order_id, refused[0].refs.contact_id, refused[0].refs.customer_id),
            (Some(late), Some(app.contact), Some(app.customer)),
            "{k}"
        );
        assert_eq!(refused[0].payload["code"], "outside-window", "{k}");
        let notes = notice_keys(&app, app.contact).await;
        let (_, body) = notes.iter().find(|(key, _)| key == "return-refused").expect("refusal notice");
        // The customer is Kazakh-speaking: the notice is in Kazakh with the order number.
        assert!(body.contains(&late.to_string()) && body.contains("мерзімі"), "{k}: {body}");

        // Inside the window: accepted, 2 units back on hand, refund less return shipping.
        let ok = order(vec![("SKU-KETTLE", 3, 15_000)], 2).await;
        let mut body = ret("SKU-KETTLE", 2);
        body["return_shipping"] = json!(1_000);
        let r = post(format!("/api/v1/orders/{ok}/returns"), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let v = r.json();
        assert_eq!((v["decision"].as_str(), v["basis"].as_str()), (Some("accepted"), Some("kz.proper_quality")), "{k}");
        assert_eq!((v["refund"].as_i64(), v["refund_paid"].as_i64()), (Some(29_000), Some(29_000)), "{k}");
        assert_eq!(
            (v["lines"][0]["stock_to"].as_str(), v["lines"][0]["warehouse"].as_str()),
            (Some("sellable"), Some("main"))
        );
        let return_id = v["id"].as_i64().unwrap();
        assert_eq!(on_hand(&app, "SKU-KETTLE").await, (12, 0), "{k}: 10 + 2 back on hand");
        let (rows, refunded) = refunds(store, ok).await;
        assert_eq!(rows.len(), 1, "{k}");
        assert_eq!((rows[0].amount, rows[0].return_id, refunded), (29_000, Some(return_id), 29_000), "{k}");
        assert_eq!(rows[0].by_user, Some(app.account(Role::Operator).id), "{k}");
        let accepted = store.events_after(Some("order.return_accepted"), 0, 10).await.expect(k);
        assert_eq!(accepted.len(), 1, "{k}");
        assert_eq!((accepted[0].refs.order_id, accepted[0].refs.customer_id), (Some(ok), Some(app.customer)), "{k}");
        assert_eq!(accepted[0].payload["amount"], 29_000, "{k}");
        let notes = notice_keys(&app, app.contact).await;
        let (_, body) = notes.iter().find(|(key, _)| key == "return-accepted").expect("acceptance notice");
        assert!(body.contains(&ok.to_string()) && body.contains("290.00"), "{k}: {body}");

        // More than delivered less returned (3 − 2 = 1 left): 422, nothing written.
        let events_before = store.count_events(None).await.expect(k);
        let r = post(format!("/api/v1/orders/{ok}/returns"), ret("SKU-KETTLE", 2)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {}", r.body);
        assert!(r.body.contains("return-qty-exceeds"), "{k}: {}", r.body);
        assert_eq!(store.count_events(None).await.expect(k), events_before, "{k}: no event");
        assert_eq!(store.order_returns(ok).await.expect(k).len(), 1, "{k}: no request stored");
        assert_eq!(on_hand(&app, "SKU-KETTLE").await, (12, 0), "{k}");
        assert_eq!(refunds(store, ok).await.1, 29_000, "{k}");
        // Other bad input: unknown SKU, zero quantity, unknown field, unknown order.
        for bad in [
            ret("SKU-MILK", 1),
            ret("SKU-KETTLE", 0),
            json!({"reason": "x", "lines": [], "colour": "red"}),
            json!({"reason": " ", "lines": [{"sku": "SKU-KETTLE", "qty": 1}]}),
        ] {
            let r = post(format!("/api/v1/orders/{ok}/returns"), bad.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {bad} → {}", r.body);
        }
        let r = post("/api/v1/orders/999999/returns".into(), ret("SKU-KETTLE", 1)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{k}");
        assert_eq!(store.count_events(None).await.expect(k), events_before, "{k}: bad input changed nothing");
        // The one unit left can still be returned.
        let r = post(format!("/api/v1/orders/{ok}/returns"), ret("SKU-KETTLE", 1)).await;
        assert_eq!(r.json()["decision"], "accepted", "{k}");
        assert_eq!(on_hand(&app, "SKU-KETTLE").await, (13, 0), "{k}");

        // A non-returnable class (food) is refused even inside the window.
        let milk = order(vec![("SKU-MILK", 2, 600)], 1).await;
        let r = post(format!("/api/v1/orders/{milk}/returns"), ret("SKU-MILK", 1)).await;
        let v = r.json();
        assert_eq!((v["decision"].as_str(), v["refusal_code"].as_str()), (Some("refused"), Some("non-returnable")));
        assert_eq!(on_hand(&app, "SKU-MILK").await, (20, 0), "{k}");

        // An exchange: the unit comes back and the same SKU is reserved for the replacement; no refund.
        let ex = order(vec![("SKU-KETTLE", 1, 15_000)], 1).await;
        let mut body = ret("SKU-KETTLE", 1);
        body["kind"] = json!("exchange");
        let r = post(format!("/api/v1/orders/{ex}/returns"), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let v = r.json();
        assert_eq!(
            (v["decision"].as_str(), v["kind"].as_str(), v["refund"].as_i64()),
            (Some("accepted"), Some("exchange"), Some(0))
        );
        assert_eq!(v["lines"][0]["replacement_reserved"], 1, "{k}");
        assert_eq!(on_hand(&app, "SKU-KETTLE").await, (14, 1), "{k}: back on hand, one reserved");
        assert_eq!(refunds(store, ex).await, (vec![], 0), "{k}");

        // Defective goods within the warranty (12 months, delivered 100 days ago):
        // full refund, and they do NOT go back into sellable stock.
        let iron = order(vec![("SKU-IRON", 1, 40_000)], 100).await;
        let mut body = ret("SKU-IRON", 1);
        body["quality"] = json!("defective");
        body["return_shipping"] = json!(5_000);
        let v = post(format!("/api/v1/orders/{iron}/returns"), body).await.json();
        assert_eq!(
            (v["decision"].as_str(), v["basis"].as_str(), v["refund"].as_i64()),
            (Some("accepted"), Some("warranty"), Some(40_000))
        );
        assert_eq!(v["lines"][0]["stock_to"], "defective", "{k}");
        assert_eq!(on_hand(&app, "SKU-IRON").await, (5, 0), "{k}: defective goods stay out");

        // Lists: the order's requests and every request (store manager), with the filter.
        let m = app.account(Role::StoreManager).bearer.clone();
        let list = app.api(Method::GET, &format!("/api/v1/orders/{ok}/returns"), Some(&m), None).await.json();
        assert_eq!(list.as_array().map(Vec::len), Some(2), "{k}");
        let all = app.api(Method::GET, "/api/v1/returns?decision=refused", Some(&m), None).await.json();
        assert_eq!(all.as_array().map(Vec::len), Some(2), "{k}: late and milk");
        let r = app.api(Method::GET, "/api/v1/returns?decision=maybe", Some(&m), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let (cookie, _) = app.session(app.account(Role::StoreManager).id).await;
        let page = app.get("/orders/returns", &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains(&format!("data-return=\"{return_id}\"")), "{k}");
        assert!(page.body.contains("срок возврата истёк"), "{k}: the store manager reads Russian reasons");
    }
}

#[tokio::test]
async fn a_claim_opens_a_complaint_contact_linked_to_the_order_with_its_legal_deadline() {
    for db in testkit::databases().await {
        let k = db.kind;
        let app = common::app(db).await;
        let store = &app.state.store;
        let op = app.account(Role::Operator).bearer.clone();
        store.test_fixture_item("SKU-KETTLE", "Чайник", "non_food", 0, 10).await.expect(k);
        let now = store::now_ms();
        let order = store
            .test_fixture_delivered_order(app.customer, app.contact, &[("SKU-KETTLE", 1, 15_000)], "prepaid", now - DAY)
            .await
            .expect(k);
        let path = format!("/api/v1/orders/{order}/claims");
        for bad in [json!({"text": "  "}), json!({"text": "x", "channel": "pigeon"}), json!({})] {
            let r = app.api(Method::POST, &path, Some(&op), Some(&bad.to_string())).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {bad}");
        }
        assert!(store.order_claims(order).await.expect(k).is_empty(), "{k}: nothing written");
        let body = json!({"text": "Чайник протекает, требую замены", "channel": "email"}).to_string();
        let r = app.api(Method::POST, &path, Some(&op), Some(&body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let v = r.json();
        assert_eq!(v["preset_id"], "kz.consumer_claim", "{k}");
        let (cid, due) = (v["contact_id"].as_i64().unwrap(), v["due_at"].as_i64().unwrap());
        // 10 calendar days from the day after registration, ending on a working day.
        assert!(due > now + 10 * DAY - DAY && due < now + 15 * DAY, "{k}: {due}");
        let c = store.contact(cid).await.expect(k).expect("contact");
        assert_eq!(
            (c.contact_type, c.customer_id),
            (domain::contact::ContactType::Complaint, Some(app.customer)),
            "{k}"
        );
        assert_eq!(c.channel, domain::contact::Channel::Email, "{k}");
        let links = store.contact_links(cid).await.expect(k);
        assert!(links.iter().any(|l| l.order_ref.as_deref() == Some(order.to_string().as_str())), "{k}");
        // The complaint's own legal clock shows the same deadline.
        let events = store.contact_events(cid).await.expect(k);
        let clocks = server::clocks::contact_clocks(&app.state.service_levels(), &c, &events, store::now_ms());
        assert_eq!(clocks.iter().find(|x| x.name == "legal").and_then(|x| x.due_at), Some(due), "{k}");
        let filed = store.events_after(Some("order.claim_filed"), 0, 10).await.expect(k);
        assert_eq!((filed[0].refs.order_id, filed[0].refs.contact_id), (Some(order), Some(cid)), "{k}");
        assert_eq!(store.order_claims(order).await.expect(k).len(), 1, "{k}");
        let r = app.api(Method::POST, "/api/v1/orders/999999/claims", Some(&op), Some(&body)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{k}");
    }
}

#[tokio::test]
async fn edited_return_windows_are_validated_and_put_in_force() {
    for db in testkit::databases().await {
        let k = db.kind;
        let app = common::app(db).await;
        let store = &app.state.store;
        let m = app.account(Role::StoreManager).bearer.clone();
        let shipped = app.api(Method::GET, "/api/v1/return-windows", Some(&m), None).await.json();
        assert_eq!(shipped["edited"], false, "{k}");
        let text = shipped["text"].as_str().unwrap().to_string();
        // A window without its source, or a broken file: 422 with the line, nothing changed.
        let no_source =
            "[[window]]\nid = \"kz.x\"\njurisdiction = \"KZ\"\nkind = \"proper_quality\"\ndays = 14\nsource = \" \"\n";
        for bad in [no_source, "[[window]\n", ""] {
            let r =
                app.api(Method::PUT, "/api/v1/return-windows", Some(&m), Some(&json!({"text": bad}).to_string())).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {bad:?} {}", r.body);
        }
        assert!(!store.return_windows().await.expect(k).edited, "{k}");
        // KZ goods of proper quality: 14 → 30 days. A return 20 days after delivery is then accepted.
        let edited = text.replacen("kind = \"proper_quality\"\ndays = 14", "kind = \"proper_quality\"\ndays = 30", 1);
        assert_ne!(edited, text);
        let r =
            app.api(Method::PUT, "/api/v1/return-windows", Some(&m), Some(&json!({"text": edited}).to_string())).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!(r.json()["edited"], true, "{k}");
        assert_eq!(store.count_events(Some("settings.return_windows_changed")).await.expect(k), 1, "{k}");
        store.test_fixture_item("SKU-KETTLE", "Чайник", "non_food", 0, 10).await.expect(k);
        let order = store
            .test_fixture_delivered_order(
                app.customer,
                app.contact,
                &[("SKU-KETTLE", 1, 15_000)],
                "prepaid",
                store::now_ms() - 20 * DAY,
            )
            .await
            .expect(k);
        let body = json!({"reason": "передумал", "lines": [{"sku": "SKU-KETTLE", "qty": 1}]}).to_string();
        let op = app.account(Role::Operator).bearer.clone();
        let v = app.api(Method::POST, &format!("/api/v1/orders/{order}/returns"), Some(&op), Some(&body)).await.json();
        assert_eq!(v["decision"], "accepted", "{k}: {v}");
        // The page shows the windows and takes the same file; a bad form is shown again with the error.
        let (cookie, csrf) = app.session(app.account(Role::StoreManager).id).await;
        let page = app.get("/admin/return-windows", &[("cookie", &cookie)]).await;
        assert!(page.status == StatusCode::OK && page.body.contains("data-window=\"kz.proper_quality\""), "{k}");
        let r = app.form("/admin/return-windows", &cookie, Some(&csrf), &[("text", "[[window]\n")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let r = app.form("/admin/return-windows", &cookie, Some(&csrf), &[("text", &text)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{k}");
        assert_eq!(store.return_windows().await.expect(k).text, text, "{k}: the form saved the file");
    }
}
