//! The public status page on every database kind: a customer sees their
//! contact (status, public replies, decision) only with its number plus
//! their e-mail or phone; an unknown number and a wrong pair get the very
//! same answer, and failed lookups from one address are rate-limited.

mod common;

use axum::http::StatusCode;
use domain::Role;

use common::{Reply, TestApp};

async fn lookup(app: &TestApp, number: &str, contact: &str) -> Reply {
    app.form("/status", "sb_csrf=public-token", Some("public-token"), &[("number", number), ("contact", contact)]).await
}

#[tokio::test]
async fn the_status_page_shows_a_contact_only_to_the_right_pair() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let op = app.account(Role::Operator);
        let id = app.contact;
        let actor = store::AuditActor { user_id: Some(op.id), login: op.login.clone(), ip: None };
        store.record_reply(id, &actor, None, "Ваш заказ отправлен курьером.").await.expect("reply");
        let _ = store.requeue_contact(id, "test").await; // wherever routing put it: back to queued
        store.present_contact(id, op.id).await.expect("present");
        store.accept_contact(id, op.id).await.expect("accept");
        let wrapup = domain::contact::WrapUp {
            summary: "Заказ доставлен 20 ноября".into(),
            outcome: "answered".into(),
            fields: Default::default(),
            first_contact_resolution: true,
        };
        store.resolve_contact(id, op.id, &wrapup).await.expect("resolve");

        let form = app.get("/status", &[]).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.cookie("sb_csrf").is_some(), "{k:?}: the form gives its CSRF cookie");
        assert!(form.body.contains("id=\"status-form\""));

        // The right pairs: e-mail in any case, phone in any format, number with "№".
        for (number, contact) in [(id.to_string(), "Aigerim@Mail.kz"), (format!("№ {id}"), "8 (701) 123-45-67")] {
            let r = lookup(&app, &number, contact).await;
            assert_eq!(r.status, StatusCode::OK, "{k:?}");
            assert!(r.body.contains("id=\"status-found\""), "{k:?} {contact}: {}", r.body);
            assert!(r.body.contains("Ваш заказ отправлен курьером."), "{k:?}: the public reply");
            assert!(r.body.contains("Заказ доставлен 20 ноября"), "{k:?}: the decision");
            assert!(r.body.contains("Решено"), "{k:?}: the status in Russian");
        }

        // Unknown number, wrong pair, nonsense: one and the same answer, nothing revealed.
        let wrong_pair = lookup(&app, &id.to_string(), "someone@else.kz").await;
        let unknown = lookup(&app, "987654", "aigerim@mail.kz").await;
        let nonsense = lookup(&app, "abc", "not a contact").await;
        for r in [&wrong_pair, &unknown, &nonsense] {
            assert_eq!(r.status, StatusCode::OK, "{k:?}");
            assert!(!r.body.contains("status-found") && !r.body.contains("Ахметова"), "{k:?}: reveals nothing");
        }
        assert_eq!(wrong_pair.body, unknown.body, "{k:?}: wrong pair reads as unknown number");
        assert_eq!(unknown.body, nonsense.body, "{k:?}");

        // Two more failures reach the limit: then even the right pair waits.
        for _ in 0..2 {
            assert_eq!(lookup(&app, "987654", "x@y.kz").await.status, StatusCode::OK);
        }
        let r = lookup(&app, &id.to_string(), "aigerim@mail.kz").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{k:?}: rate-limited");
        assert!(!r.body.contains("status-found"), "{k:?}");
        let viewed = store.recent_actions_from("status.viewed", "unknown", 0).await.expect("count");
        assert_eq!(viewed, 2, "{k:?}: every view is audited");
    }
}
