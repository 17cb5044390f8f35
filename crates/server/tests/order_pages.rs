//! The order desk's pages (docs/ORDERS.md): the order panel in the contact
//! window of the operator who holds a contact with a customer (and nobody
//! else), the order room's list and order shells with their scripts and
//! texts, and order changes on the customer card's timeline. The panel's and
//! room's behaviour over the orders API is the browser test's
//! (tests/e2e/orders.test.mjs).

mod common;

use axum::http::StatusCode;
use domain::Role;
use store::events::{EventRefs, NewEvent};

#[tokio::test]
async fn the_order_panel_belongs_to_the_operator_holding_the_contact() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let op = app.account(Role::Operator);
        let other = app.account(Role::SeniorOperator);
        store.add_queue_member(app.queue, op.id).await.expect("member");
        app.state.dispatch.reload(store).await.expect("reload");
        let (c1, t1) = app.session(op.id).await;
        let contact_path = format!("/desk/contacts/{}", app.contact);

        // Not held yet: no panel.
        let page = app.get(&contact_path, &[("cookie", &c1)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(!page.body.contains("id=\"order-panel\""), "{k}: no panel before accepting");

        app.form("/desk/state", &c1, Some(&t1), &[("state", "ready")]).await;
        let r = app.form(&format!("{contact_path}/accept"), &c1, Some(&t1), &[]).await;
        assert_eq!(r.location(), Some(contact_path.as_str()), "{k}: {}", r.body);
        let page = app.get(&contact_path, &[("cookie", &c1)]).await;
        assert!(page.body.contains("id=\"order-panel\""), "{k}: the holder gets the panel");
        assert!(page.body.contains(&format!("data-customer=\"{}\"", app.customer)), "{k}");
        assert!(page.body.contains("data-receiver-name=\"Ахметова Айгерим Сериковна\""), "{k}: receiver prefilled");
        assert!(page.body.contains("data-receiver-phone=\"+77011234567\""), "{k}");
        assert!(page.body.contains("/static/order-desk.js"), "{k}");
        for id in ["od-search", "od-lines", "od-gate", "od-offer-count", "od-delivery-method", "od-payment-method"] {
            assert!(page.body.contains(&format!("id=\"{id}\"")), "{k}: {id}");
        }
        assert!(page.body.contains("value=\"pickup_point\">Пункт выдачи"), "{k}: options in the viewer's language");
        // The scripts' texts come as one JSON attribute, escaped.
        let texts = page.body.split("data-texts=\"").nth(1).and_then(|s| s.split('"').next()).expect("texts");
        assert!(texts.contains("&quot;ord-status-shipped&quot;:&quot;отгружен&quot;"), "{k}: {texts}");

        // Someone else looking at the same contact gets no panel.
        let (c2, _) = app.session(other.id).await;
        let page = app.get(&contact_path, &[("cookie", &c2)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(!page.body.contains("id=\"order-panel\""), "{k}: not the holder");

        let js = app.get("/static/order-desk.js", &[]).await;
        assert_eq!(js.status, StatusCode::OK, "{k}");
        assert!(js.body.contains("/api/v1/orders/quote") && js.body.contains("credit-redirect"), "{k}");
    }
}

#[tokio::test]
async fn the_order_room_is_a_shell_over_the_api_with_actions_by_role() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let (op, _) = app.session(app.account(Role::Operator).id).await;
        let (sm, _) = app.session(app.account(Role::StoreManager).id).await;

        let list =
            app.get("/orders?status=shipped&customer_id=12&from=2026-01-01&until=%22%3E", &[("cookie", &op)]).await;
        assert_eq!(list.status, StatusCode::OK, "{k}");
        assert!(list.body.contains("id=\"orders-list\"") && list.body.contains("/static/orders.js"), "{k}");
        assert!(list.body.contains("<option value=\"shipped\" selected>"), "{k}: the filter is kept");
        assert!(list.body.contains("value=\"12\"") && list.body.contains("value=\"2026-01-01\""), "{k}");
        assert!(list.body.contains("id=\"orders-until\" value=\"\""), "{k}: a bad filter value is dropped, not echoed");

        let page = app.get("/orders/77", &[("cookie", &op)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("data-order=\"77\""), "{k}");
        assert!(page.body.contains("data-can-manage=\"false\""), "{k}: operators confirm, pay and cancel only");
        assert!(page.body.contains("/orders/77/documents/invoice.pdf?lang=kk"), "{k}: documents linked");
        let page = app.get("/orders/77", &[("cookie", &sm)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("data-can-manage=\"true\""), "{k}: fulfilment for ManageOrders");

        let bad = app.get("/orders/abc", &[("cookie", &op)]).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{k}: a number is needed");
        let js = app.get("/static/orders.js", &[]).await;
        assert_eq!(js.status, StatusCode::OK, "{k}");
        assert!(js.body.contains("/actions"), "{k}");
    }
}

#[tokio::test]
async fn order_changes_show_on_the_customer_timeline() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let refs = EventRefs {
            contact_id: Some(app.contact),
            customer_id: Some(app.customer),
            order_id: Some(41),
            ..EventRefs::default()
        };
        let at = store::now_ms();
        let ev = |kind: &'static str, payload: serde_json::Value| NewEvent { at, kind, refs, payload };
        store
            .append_events(&[
                ev("order.created", serde_json::json!({"status": "new"})),
                ev("order.confirmed", serde_json::json!({"status": "confirmed", "from": "new"})),
                ev(
                    "order.shipped",
                    serde_json::json!({"status": "shipped", "from": "packed", "carrier": "Kazpost", "tracking": "KZ123"}),
                ),
            ])
            .await
            .expect("events");
        let blocked = EventRefs { order_id: None, ..refs };
        store
            .append_events(&[NewEvent { at, kind: "order.blocked", refs: blocked, payload: serde_json::json!({}) }])
            .await
            .expect("blocked event");
        let (cookie, _) = app.session(app.account(Role::Operator).id).await;
        let card = app.get(&format!("/desk/customers/{}", app.customer), &[("cookie", &cookie)]).await;
        assert_eq!(card.status, StatusCode::OK, "{k}");
        for kind in ["order.created", "order.confirmed", "order.shipped"] {
            assert!(card.body.contains(&format!("data-order=\"41\" data-kind=\"{kind}\"")), "{k}: {kind}");
        }
        assert!(card.body.contains("заказ оформлен"), "{k}");
        assert!(card.body.contains("отгружен (Kazpost, KZ123)"), "{k}: carrier and tracking shown");
        assert!(card.body.contains("href=\"/orders/41\""), "{k}");
        assert!(card.body.contains("data-order=\"0\" data-kind=\"order.blocked\""), "{k}: a blocked order too");
        assert!(card.body.contains("заблокирован кредитным контролем"), "{k}");
    }
}
