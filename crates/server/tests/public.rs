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

const BOUNDARY: &str = "----switchboard-request-boundary";

/// The request form as a browser posts it: multipart, the pre-session CSRF pair, optional files.
async fn submit(app: &TestApp, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Reply {
    use axum::body::Body;
    let mut all = vec![("csrf", "public-token")];
    all.extend_from_slice(fields);
    let files: Vec<_> = files.iter().map(|(name, ctype, bytes)| ("file", *name, *ctype, *bytes)).collect();
    let body = common::multipart(BOUNDARY, &all, &files);
    let ctype = format!("multipart/form-data; boundary={BOUNDARY}");
    let headers = [("cookie", "sb_csrf=public-token"), ("content-type", ctype.as_str())];
    app.send(common::build(axum::http::Method::POST, "/request", &headers, Body::from(body))).await
}

fn number(r: &Reply) -> Option<i64> {
    let start = r.body.find("id=\"request-number\">")? + "id=\"request-number\">".len();
    r.body[start..].split('<').next()?.parse().ok()
}

#[tokio::test]
async fn the_request_form_registers_a_web_form_contact_with_consent_and_spam_protection() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let form = app.get("/request", &[]).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.cookie("sb_csrf").is_some(), "{k:?}");
        assert!(form.body.contains("name=\"consent\"") && form.body.contains("name=\"website\""), "{k:?}");
        let created = || async { store.count_events(Some("contact.created")).await.expect("count") };
        let before = created().await;
        let customers = store.count_customers().await.expect("customers");

        let good = [
            ("type", "complaint"),
            ("topic", "delivery"),
            ("text", "Курьер не привёз заказ 123, прошу разобраться."),
            ("name", "Серик Жанов"),
            ("email", "Serik@Mail.kz"),
            ("phone", "8 702 555 11 22"),
            ("consent", "yes"),
        ];
        // Refused with nothing stored: no consent, no way to answer, bad phone, unknown topic, empty file.
        let without = |skip: &str| good.iter().filter(|(n, _)| *n != skip).copied().collect::<Vec<_>>();
        let mut bad_phone = good.to_vec();
        bad_phone[5] = ("phone", "call me");
        let mut bad_topic = good.to_vec();
        bad_topic[1] = ("topic", "no-such-topic");
        let no_contact: Vec<_> = without("email").into_iter().filter(|(n, _)| *n != "phone").collect();
        for (fields, key) in [
            (without("consent"), "персональных данных"),
            (no_contact, "e-mail или телефон"),
            (bad_phone, "номер телефона"),
            (bad_topic, "тему из списка"),
        ] {
            let r = submit(&app, &fields, &[]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k:?} {key}: {}", r.body);
            assert!(r.body.contains(key), "{k:?}: the message says what is wrong: {key}");
            assert!(r.body.contains("Курьер не привёз заказ 123"), "{k:?}: what was typed is kept");
        }
        let r = submit(&app, &good, &[("empty.pdf", "application/pdf", b"")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k:?}: empty file");
        assert_eq!(created().await, before, "{k:?}: refused requests store nothing");
        assert_eq!(store.count_customers().await.expect("customers"), customers, "{k:?}: not even a customer");

        // A bot fills the honeypot: thanked, nothing stored.
        let mut bot = good.to_vec();
        bot.push(("website", "http://spam.example"));
        let r = submit(&app, &bot, &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("id=\"request-done\"") && number(&r).is_none(), "{k:?}");
        assert_eq!(created().await, before, "{k:?}: the honeypot stores nothing");

        // A real request: a web-form contact for a new customer with consent, the text and the file.
        let r = submit(&app, &good, &[("photo.jpg", "image/jpeg", b"\xff\xd8\xff fake jpeg")]).await;
        assert_eq!(r.status, StatusCode::OK, "{k:?}: {}", r.body);
        let id = number(&r).expect("the contact's number is shown");
        let c = store.contact(id).await.expect("read").expect("contact");
        assert_eq!(
            (c.channel, c.contact_type),
            (domain::contact::Channel::WebForm, domain::contact::ContactType::Complaint)
        );
        assert_eq!(c.topic, "delivery");
        let customer = store.customer(c.customer_id.expect("customer")).await.expect("read").expect("customer");
        assert!(customer.consent, "{k:?}: consent recorded");
        assert_eq!(customer.full_name, "Серик Жанов");
        let notes = store.contact_notes(id).await.expect("notes");
        assert_eq!(notes[0].body, "Курьер не привёз заказ 123, прошу разобраться.");
        let files = store.contact_attachments(id).await.expect("files");
        assert_eq!((files.len(), files[0].filename.as_str()), (1, "photo.jpg"), "{k:?}");
        // The customer can follow it on the status page.
        let r = lookup(&app, &id.to_string(), "+7 702 555 11 22").await;
        assert!(r.body.contains("id=\"status-found\""), "{k:?}");

        // A known customer (by phone) is not registered twice.
        let mut known = good.to_vec();
        known[4] = ("email", "");
        known[5] = ("phone", "+7 701 123 45 67");
        let r = submit(&app, &known, &[]).await;
        let id = number(&r).expect("number");
        assert_eq!(store.contact(id).await.expect("read").expect("c").customer_id, Some(app.customer), "{k:?}");

        // "Call me back" at a chosen time (Almaty): an outbound task due then, for the customer's phone.
        let mut call = good.to_vec();
        call.push(("call_me", "yes"));
        call.push(("call_at", "2030-01-15T10:30"));
        let r = submit(&app, &call, &[]).await;
        assert!(number(&r).is_some(), "{k:?}: {}", r.body);
        let due = 1_894_685_400_000; // 2030-01-15 05:30 UTC
        let pending = store.due_callbacks(due).await.expect("due");
        assert_eq!(pending.len(), 1, "{k:?}");
        assert_eq!((pending[0].due_at, pending[0].number.as_str()), (due, "+77025551122"));
        assert!(store.due_callbacks(due - 1).await.expect("due").is_empty(), "{k:?}: not before its time");
        let task = store.contact(pending[0].contact_id).await.expect("read").expect("task");
        assert_eq!(task.direction, domain::contact::Direction::Outbound);
        // Without a phone there is no one to call.
        let mut no_phone = call.clone();
        no_phone[5] = ("phone", "");
        let r = submit(&app, &no_phone, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k:?}");

        // Five requests an hour from one address; the sixth waits.
        for _ in 0..2 {
            assert!(number(&submit(&app, &known, &[]).await).is_some(), "{k:?}");
        }
        let count = created().await;
        let r = submit(&app, &known, &[]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{k:?}");
        assert_eq!(created().await, count, "{k:?}: nothing stored over the limit");
    }
}
