//! Orders through the JSON API on every database kind (docs/ORDERS.md):
//! search, quote, create, the whole lifecycle, refusals, roles.

mod common;

use axum::http::{Method, StatusCode};
use domain::Role;
use serde_json::{json, Value};

fn draft(customer: i64, contact: Option<i64>, lines: Value) -> Value {
    let from = store::now_ms() + 86_400_000;
    json!({
        "customer_id": customer, "contact_id": contact, "lines": lines,
        "receiver": {"name": "Айгерим Ахметова", "phone": "+7 701 123 45 67"},
        "delivery": {"method": "courier", "address": "Алматы, Абая 10", "slot_from": from, "slot_until": from + 7_200_000},
        "payment": {"method": "card_link", "terms": "prepaid"},
        "offers": [{"sku": "TEA", "why": "special", "accepted": true}, {"sku": "FOIL", "why": "new", "accepted": false},
                   {"sku": "SPONGE", "why": "new", "accepted": false}],
        "read_back": true
    })
}

#[tokio::test]
async fn an_order_goes_from_search_to_closed_through_the_api() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        common::orders::shop(&app).await;
        let op = app.account(Role::Operator).bearer.clone();
        let manager = app.account(Role::StoreManager).bearer.clone();
        let kind = app.db.kind;

        // Search by a name form (any case, Cyrillic), by SKU, by attribute; key price.
        let path =
            format!("/api/v1/catalogue/search?q=%D0%9C%D0%9E%D0%9B%D0%9E%D0%9A%D0%9E&customer_id={}", app.customer);
        let r = app.api(Method::GET, &path, Some(&op), None).await;
        assert_eq!(r.status, StatusCode::OK, "{kind}: {}", r.body);
        let hits = r.json();
        assert_eq!(hits[0]["sku"], "MILK", "{kind}: {hits}");
        assert_eq!(hits[0]["price"], 41_999, "the key client's price");
        assert_eq!(hits[0]["available"], 120);
        let r = app.api(Method::GET, "/api/v1/catalogue/search?q=tea", Some(&op), None).await.json();
        assert_eq!(r[0]["sku"], "TEA");
        assert_eq!(r[0]["promotions"][0]["id"], "tea10");
        let r = app.api(Method::GET, "/api/v1/catalogue/search?q=3.2%25", Some(&op), None).await.json();
        assert!(r.as_array().expect("hits").iter().any(|h| h["sku"] == "MILK"), "{r}");

        // Quote: promotions, suggestions, alternatives of an out-of-stock line, the gate.
        let body = draft(
            app.customer,
            Some(app.contact),
            json!([{"sku": "MILK", "qty": 10}, {"sku": "TEA", "qty": 1}, {"sku": "SOAP", "qty": 1}]),
        );
        let r = app.api(Method::POST, "/api/v1/orders/quote", Some(&op), Some(&body.to_string())).await;
        assert_eq!(r.status, StatusCode::OK, "{kind}: {}", r.body);
        let q = r.json();
        assert_eq!(q["gate"]["open"], true);
        assert_eq!(q["promotions"][0]["id"], "tea10");
        assert_eq!(q["alternatives"]["SOAP"][0]["sku"], "GEL", "{q}");
        assert!(q["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["field"] == "lines[2].qty" && e["code"] == "out-of-stock"));
        assert_eq!(q["offers"], json!({"count": 3, "threshold": 3, "enough": true}));
        assert!(!q["suggestions"].as_array().expect("suggestions").is_empty());
        // 419.99 × 10 = 4 199.90, 3 % tier off = 125.997 → 126.00 → 4 073.90; tea 1 200 − 10 % = 1 080.
        assert_eq!(q["lines"][0]["total"], 407_390);
        assert_eq!(q["lines"][1]["total"], 108_000);
        assert_eq!(q["delivery_cost"], 150_000);
        assert_eq!(
            app.state.store.count_events(Some("order.created")).await.expect("count"),
            0,
            "quote writes nothing"
        );

        // Create in the call contact: source call, no confirmation call, notice, reservations.
        let body =
            draft(app.customer, Some(app.contact), json!([{"sku": "MILK", "qty": 10}, {"sku": "TEA", "qty": 1}]));
        let r = app.api(Method::POST, "/api/v1/orders", Some(&op), Some(&body.to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        let o = r.json();
        let id = o["id"].as_i64().expect("id");
        assert_eq!((o["status"].as_str(), o["source"].as_str()), (Some("new"), Some("call")));
        assert_eq!(o["total"], 407_390 + 108_000 + 150_000);
        assert_eq!(o["confirmation_contact_id"], Value::Null, "taken on a call: read back instead");
        assert_eq!(o["offers_count"], 3);
        assert_eq!(o["notices"][0]["template_key"], "order-created");
        assert!(o["notices"][0]["body"].as_str().expect("body").contains(&id.to_string()), "{}", o["notices"]);
        let milk = app.state.store.catalogue_item("MILK").await.expect("item").expect("milk");
        assert_eq!(milk.stock.iter().map(|s| s.reserved).sum::<i64>(), 10);

        // The operator may not ship; confirm and pay are theirs.
        let act = |a: Value| a.to_string();
        let path = format!("/api/v1/orders/{id}/actions");
        let r = app.api(Method::POST, &path, Some(&op), Some(&act(json!({"action": "pick"})))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.api(Method::POST, &path, Some(&op), Some(&act(json!({"action": "confirm"})))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.api(Method::POST, &path, Some(&op), Some(&act(json!({"action": "confirm"})))).await;
        assert_eq!((r.status, r.json()["error"].as_str()), (StatusCode::CONFLICT, Some("not-allowed")));
        let r = app.api(Method::POST, &path, Some(&op), Some(&act(json!({"action": "pay", "amount": 1})))).await;
        assert_eq!((r.status, r.json()["error"].as_str()), (StatusCode::CONFLICT, Some("wrong-amount")));
        let total = o["total"].as_i64().expect("total");
        let r = app.api(Method::POST, &path, Some(&op), Some(&act(json!({"action": "pay", "amount": total})))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for a in ["pick", "pack"] {
            let r = app.api(Method::POST, &path, Some(&manager), Some(&act(json!({"action": a})))).await;
            assert_eq!(r.status, StatusCode::OK, "{a}: {}", r.body);
        }
        let r = app.api(Method::POST, &path, Some(&manager), Some(&act(json!({"action": "ship"})))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "carrier needed: {}", r.body);
        let ship = json!({"action": "ship", "carrier": "Kazpost", "tracking": "RR123KZ"});
        let r = app.api(Method::POST, &path, Some(&manager), Some(&act(ship))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let milk = app.state.store.catalogue_item("MILK").await.expect("item").expect("milk");
        assert_eq!(milk.stock.iter().map(|s| s.on_hand).sum::<i64>(), 110, "shipped goods left the stock");
        assert_eq!(milk.stock.iter().map(|s| s.reserved).sum::<i64>(), 0);
        for a in ["deliver", "close"] {
            let r = app.api(Method::POST, &path, Some(&manager), Some(&act(json!({"action": a})))).await;
            assert_eq!(r.status, StatusCode::OK, "{a}: {}", r.body);
        }
        let o = app.api(Method::GET, &format!("/api/v1/orders/{id}"), Some(&op), None).await.json();
        assert_eq!(o["status"], "closed");
        assert_eq!(
            (o["paid"].as_i64(), o["carrier"].as_str(), o["tracking"].as_str()),
            (Some(total), Some("Kazpost"), Some("RR123KZ"))
        );
        let kinds: Vec<&str> =
            o["history"].as_array().expect("history").iter().filter_map(|e| e["kind"].as_str()).collect();
        assert_eq!(
            kinds,
            [
                "order.created",
                "order.confirmed",
                "order.paid",
                "order.picked",
                "order.packed",
                "order.shipped",
                "order.delivered",
                "order.closed"
            ]
        );
        let keys: Vec<&str> =
            o["notices"].as_array().expect("notices").iter().filter_map(|n| n["template_key"].as_str()).collect();
        assert_eq!(keys.len(), 8, "{keys:?}");
        let shipped = o["notices"]
            .as_array()
            .expect("notices")
            .iter()
            .find(|n| n["template_key"] == "order-shipped")
            .expect("shipped");
        assert!(shipped["body"].as_str().expect("body").contains("RR123KZ"), "{shipped}");
        assert_eq!(o["payments"][0]["amount"], total);

        // Listing.
        let list =
            app.api(Method::GET, &format!("/api/v1/orders?customer_id={}", app.customer), Some(&op), None).await.json();
        assert_eq!(list[0]["id"], id);
        let r = app.api(Method::GET, "/api/v1/orders?status=nope", Some(&op), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn refusals_write_nothing_and_api_orders_get_a_confirmation_call() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let sales = common::orders::shop(&app).await;
        let op = app.account(Role::Operator).bearer.clone();
        let manager = app.account(Role::StoreManager).bearer.clone();
        let kind = app.db.kind;
        let events_before = app.state.store.count_events(None).await.expect("count");

        // Field errors, all at once.
        let mut body =
            draft(app.customer, Some(app.contact), json!([{"sku": "NOPE", "qty": 1}, {"sku": "MILK", "qty": 0}]));
        body["receiver"]["phone"] = json!("12");
        let r = app.api(Method::POST, "/api/v1/orders", Some(&op), Some(&body.to_string())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {}", r.body);
        let errs: Vec<(String, String)> = r.json()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| (e["field"].as_str().unwrap_or("").to_string(), e["code"].as_str().unwrap_or("").to_string()))
            .collect();
        for want in
            [("lines[0].sku", "unknown-item"), ("lines[1].qty", "bad-quantity"), ("receiver.phone", "invalid-phone")]
        {
            assert!(errs.iter().any(|(f, c)| f == want.0 && c == want.1), "{want:?} in {errs:?}");
        }
        let r = app.api(Method::POST, "/api/v1/orders", Some(&op), Some(r#"{"customer_id": 1, "lines": "x"}"#)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Credit gate: overdue debt blocks, with where to send the contact.
        let acc = json!({"balance": 500_000, "overdue": 100_000, "credit_limit": 1_000_000}).to_string();
        let path = format!("/api/v1/customers/{}/account", app.customer);
        assert_eq!(app.api(Method::PUT, &path, Some(&op), Some(&acc)).await.status, StatusCode::FORBIDDEN);
        let r = app.api(Method::PUT, &path, Some(&manager), Some(&acc)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let events_before = events_before + 1;
        let bad = json!({"balance": 1, "overdue": 2, "credit_limit": null}).to_string();
        assert_eq!(
            app.api(Method::PUT, &path, Some(&manager), Some(&bad)).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let body = draft(app.customer, Some(app.contact), json!([{"sku": "MILK", "qty": 1}]));
        let r = app.api(Method::POST, "/api/v1/orders", Some(&op), Some(&body.to_string())).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let g = r.json();
        assert_eq!(g["error"], "credit-blocked");
        assert_eq!(g["gate"]["reasons"], json!(["overdue"]));
        assert_eq!(g["gate"]["redirect"], "finance");
        let q = app.api(Method::POST, "/api/v1/orders/quote", Some(&op), Some(&body.to_string())).await.json();
        assert_eq!(q["gate"]["open"], false);
        assert_eq!(
            app.state.store.count_events(None).await.expect("count"),
            events_before,
            "{kind}: refusals write nothing"
        );
        // The blocked contact goes to finance (no manager), with the reasons; event order.blocked.
        let redirect = format!("/api/v1/contacts/{}/credit-redirect", app.contact);
        let r = app.api(Method::POST, &redirect, Some(&op), Some("{}")).await;
        assert_eq!(r.status, StatusCode::OK, "{kind}: {}", r.body);
        assert_eq!(r.json()["redirect"], "finance");
        let moved = app.state.store.contact(app.contact).await.expect("read").expect("contact");
        assert_eq!(moved.queue_id, r.json()["queue_id"].as_i64());
        let hops = app.state.store.contact_hops(app.contact).await.expect("hops");
        assert!(hops.last().expect("hop").reason.contains("overdue"), "{hops:?}");
        assert_eq!(app.state.store.count_events(Some("order.blocked")).await.expect("count"), 1);
        let acc = json!({"balance": 0, "overdue": 0, "credit_limit": 1_000_000}).to_string();
        assert_eq!(app.api(Method::PUT, &path, Some(&manager), Some(&acc)).await.status, StatusCode::OK);
        let r = app.api(Method::POST, &redirect, Some(&op), Some("{}")).await;
        assert_eq!((r.status, r.json()["error"].as_str()), (StatusCode::CONFLICT, Some("gate-open")));
        let r = app.api(Method::GET, &path, Some(&op), None).await.json();
        assert_eq!(r["credit_limit"], 1_000_000);

        // An API order (no contact): its own web contact in sales, a confirmation call; idempotent.
        let mut body = draft(app.customer, None, json!([{"sku": "COFFEE", "qty": 2}]));
        body["request_key"] = json!("shop-4711");
        let r = app.api(Method::POST, "/api/v1/orders", Some(&op), Some(&body.to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        let o = r.json();
        assert_eq!(o["source"], "api");
        let contact =
            app.state.store.contact(o["contact_id"].as_i64().expect("contact")).await.expect("read").expect("contact");
        assert_eq!((contact.channel.as_str(), contact.queue_id), ("web_form", Some(sales)));
        let call = o["confirmation_contact_id"].as_i64().expect("a confirmation call");
        let call = app.state.store.contact(call).await.expect("read").expect("call contact");
        assert_eq!((call.channel.as_str(), call.direction.as_str()), ("voice", "outbound"));
        let again = app.api(Method::POST, "/api/v1/orders", Some(&op), Some(&body.to_string())).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["id"], o["id"]);
        // The coffee is gone: another order for it is out of stock.
        let body = draft(app.customer, None, json!([{"sku": "COFFEE", "qty": 1}]));
        let r = app.api(Method::POST, "/api/v1/orders", Some(&op), Some(&body.to_string())).await;
        assert_eq!((r.status, r.json()["error"].as_str()), (StatusCode::CONFLICT, Some("out-of-stock")), "{}", r.body);
        // Confirming needs the call first; a cancel releases the stock and says why.
        let path = format!("/api/v1/orders/{}/actions", o["id"]);
        let r = app.api(Method::POST, &path, Some(&op), Some(r#"{"action":"confirm"}"#)).await;
        assert_eq!((r.status, r.json()["error"].as_str()), (StatusCode::CONFLICT, Some("confirmation-call-needed")));
        let r = app.api(Method::POST, &path, Some(&op), Some(r#"{"action":"cancel"}"#)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = app.api(Method::POST, &path, Some(&op), Some(r#"{"action":"cancel","reason":"customer"}"#)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["cancel_reason"], "customer");
        let coffee = app.state.store.catalogue_item("COFFEE").await.expect("item").expect("coffee");
        assert_eq!(coffee.stock[0].reserved, 0);
    }
}
