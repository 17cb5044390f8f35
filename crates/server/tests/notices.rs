//! Customer notices delivered through the customer's channel, on SQLite and
//! PostgreSQL: by e-mail through the REAL SMTP server into Dovecot (in the
//! customer's language, `[#N]` in the subject, the status link); by a
//! webhook SMS gateway (a real HTTP stand-in on 127.0.0.1) with Kazakh text
//! for a `kk` customer; 500 retried with back-off then `failed`; 400 failed
//! at once; no route `undeliverable` with its reason; two workers never send
//! one notice twice; gateways' bad input refused with nothing stored, and
//! only administrators manage them.

mod common;

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::Json;
use common::mailbox::{inbox, mail_env, split};
use domain::Role;
use serde_json::{json, Value};
use server::mail_channel::MailConfig;
use server::notices::{deliver_due, NoticeConfig};
use server::AppState;
use store::{AuditActor, NewCustomer};

/// The stand-in SMS gateway: records every POST (Authorization, body) and
/// answers with the status set in `answer`.
/// (Authorization header, JSON body) of one POST.
type Posted = (Option<String>, Value);

#[derive(Clone, Default)]
struct Gateway {
    got: Arc<Mutex<Vec<Posted>>>,
    answer: Arc<AtomicU16>,
}

impl Gateway {
    fn received(&self) -> Vec<Posted> {
        self.got.lock().map(|g| g.clone()).unwrap_or_default()
    }
    fn for_notice(&self, id: i64) -> usize {
        self.received().iter().filter(|(_, v)| v["notice_id"].as_i64() == Some(id)).count()
    }
}

async fn hook(State(g): State<Gateway>, headers: HeaderMap, Json(v): Json<Value>) -> StatusCode {
    let auth = headers.get("authorization").and_then(|h| h.to_str().ok()).map(str::to_string);
    if let Ok(mut got) = g.got.lock() {
        got.push((auth, v));
    }
    StatusCode::from_u16(g.answer.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
}

async fn start_gateway() -> (Gateway, String) {
    let g = Gateway::default();
    g.answer.store(200, Ordering::SeqCst);
    let app = axum::Router::new().route("/send", axum::routing::post(hook)).with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (g, format!("http://{addr}/send"))
}

fn with_public_url(st: &AppState) -> AppState {
    let mut st = st.clone();
    st.notice_config =
        Arc::new(NoticeConfig { public_url: Some("https://help.shop.test".into()), ..Default::default() });
    st
}

async fn customer(app: &common::TestApp, email: &str, phone: &str, locale: &str, consent: bool) -> i64 {
    app.state
        .store
        .create_customers(&[NewCustomer {
            full_name: "Сериков Нурлан".into(),
            phone: phone.into(),
            email: email.into(),
            client_type: "retail".into(),
            locale: locale.into(),
            created_at: 0,
            consent_at: consent.then_some(1),
        }])
        .await
        .expect("customer")[0]
}

/// A web-form contact of `customer` in `queue` (its registration notice is written with it).
async fn web_contact(app: &common::TestApp, queue: i64, customer: i64) -> i64 {
    contact_on(app, domain::contact::Channel::WebForm, queue, customer).await
}

async fn contact_on(app: &common::TestApp, channel: domain::contact::Channel, queue: i64, customer: i64) -> i64 {
    let new = store::contacts::NewContact {
        channel,
        direction: domain::contact::Direction::Inbound,
        contact_type: domain::contact::ContactType::Information,
        topic: String::new(),
        priority: 0,
        subject: "Где мой заказ?".into(),
        customer_id: Some(customer),
        queue_id: queue,
    };
    app.state.dispatch.create_contact(&app.state.store, &new, &AuditActor::cli()).await.expect("contact").id
}

async fn notices(app: &common::TestApp, contact: i64) -> Vec<Value> {
    let admin = app.account(Role::Operator).bearer.clone();
    let r = app.api(Method::GET, &format!("/api/v1/contacts/{contact}/notifications"), Some(&admin), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_array().cloned().unwrap_or_default()
}

async fn add_gateway(app: &common::TestApp, url: &str) -> Value {
    let admin = app.account(Role::Administrator).bearer.clone();
    let body = json!({"kind": "sms", "name": "SMS-центр", "url": url, "auth_header": "Bearer s3cret"});
    let r = app.api(Method::POST, "/api/v1/notice-gateways", Some(&admin), Some(&body.to_string())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(!r.body.contains("s3cret"), "the header value is never shown: {}", r.body);
    r.json()
}

#[tokio::test]
async fn sms_gateway_delivers_retries_fails_and_never_sends_twice() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let st = with_public_url(&app.state);
        let (gw, url) = start_gateway().await;
        let g = add_gateway(&app, &url).await;
        assert_eq!((g["kind"].as_str(), g["auth_header_set"].as_bool()), (Some("sms"), Some(true)), "{k}");
        let stored = app.state.store.notice_gateways().await.expect("gateways");
        assert!(!stored[0].auth_header_sealed.contains("s3cret"), "{k}: sealed at rest");

        // A Kazakh customer with only a phone: the gateway gets the number and Kazakh text.
        let kk = customer(&app, "", "8 (701) 555-12-34", "kk", true).await;
        let c = web_contact(&app, app.queue, kk).await;
        let now = store::now_ms();
        deliver_due(&st, now).await.expect("round");
        let got = gw.received();
        let (auth, msg) = got.iter().find(|(_, v)| v["contact_number"].as_i64() == Some(c)).expect("posted").clone();
        assert_eq!(auth.as_deref(), Some("Bearer s3cret"), "{k}");
        assert_eq!(msg["to"], "+77015551234", "{k}: {msg}");
        assert_eq!(msg["kind"], "sms");
        assert_eq!(msg["locale"], "kk");
        let text = msg["text"].as_str().unwrap_or_default();
        assert!(text.contains(&format!("Сіздің № {c} өтінішіңіз тіркелді")), "{k}: Kazakh text: {text}");
        assert!(text.contains(&format!("https://help.shop.test/status?number={c}")), "{k}: status link: {text}");
        let n = &notices(&app, c).await[0];
        assert_eq!((n["status"].as_str(), n["via"].as_str()), (Some("sent"), Some("sms")), "{k}: {n}");
        assert_eq!(n["address"], "+7701*****34", "{k}: masked");
        assert_eq!(n["attempts"], 1);
        // The voice contact of the fixture: calls are told in the call.
        let v = &notices(&app, app.contact).await[0];
        assert_eq!((v["status"].as_str(), v["error"].as_str()), (Some("undeliverable"), Some("voice-channel")), "{k}");

        // 500: retried with back-off, then failed with the error kept.
        gw.answer.store(500, Ordering::SeqCst);
        let c500 = web_contact(&app, app.queue, kk).await;
        let id500 = notices(&app, c500).await[0]["id"].as_i64().expect("id");
        let mut t = now;
        deliver_due(&st, t).await.expect("round");
        let n = &notices(&app, c500).await[0];
        assert_eq!((n["status"].as_str(), n["attempts"].as_i64()), (Some("pending"), Some(1)), "{k}: {n}");
        assert!(n["error"].as_str().unwrap_or_default().contains("500"), "{k}: {n}");
        assert_eq!(n["next_attempt_at"].as_i64().map(|at| at >= t + 60_000), Some(true), "{k}: {n}");
        deliver_due(&st, t + 1_000).await.expect("round");
        assert_eq!(gw.for_notice(id500), 1, "{k}: not before its time");
        for _ in 0..5 {
            t += 31 * 60_000;
            deliver_due(&st, t).await.expect("round");
        }
        let n = &notices(&app, c500).await[0];
        assert_eq!((n["status"].as_str(), n["attempts"].as_i64()), (Some("failed"), Some(4)), "{k}: {n}");
        assert_eq!(n["error"], "the gateway answered 500", "{k}");
        assert_eq!(gw.for_notice(id500), 4, "{k}: four attempts, then given up");

        // 400: failed at once.
        gw.answer.store(400, Ordering::SeqCst);
        let c400 = web_contact(&app, app.queue, kk).await;
        deliver_due(&st, t).await.expect("round");
        let n = &notices(&app, c400).await[0];
        assert_eq!((n["status"].as_str(), n["attempts"].as_i64()), (Some("failed"), Some(1)), "{k}: {n}");
        assert_eq!(n["error"], "the gateway answered 400");

        // No address at all, and a phone without consent: undeliverable with the reason.
        let nobody = customer(&app, "", "", "ru", true).await;
        let c_none = web_contact(&app, app.queue, nobody).await;
        let shy = customer(&app, "", "+77017770000", "ru", false).await;
        let c_shy = web_contact(&app, app.queue, shy).await;
        deliver_due(&st, t).await.expect("round");
        let n = &notices(&app, c_none).await[0];
        assert_eq!((n["status"].as_str(), n["error"].as_str()), (Some("undeliverable"), Some("no-address")), "{k}");
        let n = &notices(&app, c_shy).await[0];
        assert_eq!((n["status"].as_str(), n["error"].as_str()), (Some("undeliverable"), Some("no-consent")), "{k}");
        let (cookie, _) = app.session(app.account(Role::Operator).id).await;
        let page = app.get(&format!("/desk/contacts/{c_none}"), &[("cookie", &cookie)]).await;
        assert!(page.body.contains("некуда отправить"), "{k}: the window shows the status in Russian");
        assert!(page.body.contains("у клиента нет ни e-mail, ни телефона"), "{k}: and the reason");
        let undeliverable = app.state.store.count_events(Some("notice.undeliverable")).await.expect("events");
        assert!(undeliverable >= 3, "{k}: {undeliverable}");

        // Two workers at once: every notice reaches the gateway exactly once.
        gw.answer.store(200, Ordering::SeqCst);
        let mut ids = Vec::new();
        for _ in 0..8 {
            let c = web_contact(&app, app.queue, kk).await;
            ids.push(notices(&app, c).await[0]["id"].as_i64().expect("id"));
        }
        let (a, b) = tokio::join!(deliver_due(&st, t), deliver_due(&st, t));
        assert_eq!(a.expect("a") + b.expect("b"), 8, "{k}: eight claims in all");
        for id in ids {
            assert_eq!(gw.for_notice(id), 1, "{k}: notice {id} sent exactly once");
        }
        assert_eq!(deliver_due(&st, t + 3_600_000).await.expect("round"), 0, "{k}: nothing left");

        // A messenger contact goes back through the messenger gateway, to the customer's handle.
        let body = json!({"kind": "messenger", "name": "WhatsApp", "url": url});
        let admin = app.account(Role::Administrator).bearer.clone();
        let r = app.api(Method::POST, "/api/v1/notice-gateways", Some(&admin), Some(&body.to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let new = NewCustomer {
            full_name: "Омаров Ерлан".into(),
            phone: String::new(),
            email: String::new(),
            client_type: "retail".into(),
            locale: "en".into(),
            created_at: 0,
            consent_at: Some(1),
        };
        let handle =
            domain::customer::Identity { kind: domain::customer::IdentityKind::Chat, value: "wa-77015550099".into() };
        let who = app.state.store.register_customer(&new, &[handle], &AuditActor::cli()).await.expect("customer");
        let handle = app.state.store.customer_identities(who).await.expect("ids")[0].value.clone();
        let cm = contact_on(&app, domain::contact::Channel::Messenger, app.queue, who).await;
        deliver_due(&st, t).await.expect("round");
        let got = gw.received();
        let (_, msg) = got.iter().find(|(_, v)| v["contact_number"].as_i64() == Some(cm)).expect("posted").clone();
        assert_eq!((msg["kind"].as_str(), msg["to"].as_str()), (Some("messenger"), Some(handle.as_str())), "{k}");
        assert!(msg["text"].as_str().unwrap_or_default().starts_with("Your request No."), "{k}: English: {msg}");
        let n = &notices(&app, cm).await[0];
        assert_eq!((n["status"].as_str(), n["via"].as_str()), (Some("sent"), Some("messenger")), "{k}: {n}");
        assert_eq!(n["address"], "wa-…", "{k}: masked");
    }
}

#[tokio::test]
async fn gateways_refuse_bad_input_and_operators() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let admin = app.account(Role::Administrator).bearer.clone();
        for body in [
            json!({"kind": "fax", "name": "x", "url": "http://127.0.0.1:9/"}),
            json!({"kind": "sms", "name": "x", "url": "not a url"}),
            json!({"kind": "sms", "name": "x", "url": "ftp://gw.kz/"}),
            json!({"kind": "sms", "name": "", "url": "http://gw.kz/"}),
            json!({"kind": "sms", "name": "x", "url": "http://gw.kz/", "secret": 1}),
            json!({"kind": "sms"}),
        ] {
            let r = app.api(Method::POST, "/api/v1/notice-gateways", Some(&admin), Some(&body.to_string())).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {body} → {}", r.body);
        }
        assert!(app.state.store.notice_gateways().await.expect("list").is_empty(), "{k}: nothing stored");
        let op = app.account(Role::Operator).bearer.clone();
        let good = json!({"kind": "sms", "name": "SMS", "url": "http://127.0.0.1:9/send"}).to_string();
        let r = app.api(Method::POST, "/api/v1/notice-gateways", Some(&op), Some(&good)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");
        let r = app.api(Method::GET, "/api/v1/notice-gateways", Some(&op), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");
        assert!(app.state.store.notice_gateways().await.expect("list").is_empty(), "{k}");

        // The administrator's room: add through the form, change through the API.
        let (cookie, csrf) = app.session(app.account(Role::Administrator).id).await;
        let page = app.get("/admin/gateways", &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("Шлюзы SMS и мессенджеров"), "{k}");
        let fields = [("kind", "messenger"), ("name", "WhatsApp"), ("url", "http://127.0.0.1:9/wa"), ("active", "1")];
        let r = app.form("/admin/gateways", &cookie, Some(&csrf), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{k}: {}", r.body);
        let bad = [("kind", "messenger"), ("name", "WA"), ("url", "javascript:alert(1)")];
        let r = app.form("/admin/gateways", &cookie, Some(&csrf), &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains("http://… или https://…"), "{k}: the reason, in Russian");
        let list = app.state.store.notice_gateways().await.expect("list");
        assert_eq!(list.len(), 1, "{k}");
        let id = list[0].id;
        let change = json!({"kind": "messenger", "name": "WhatsApp", "url": "http://127.0.0.1:9/wa2", "active": false});
        let r = app
            .api(Method::PUT, &format!("/api/v1/notice-gateways/{id}"), Some(&admin), Some(&change.to_string()))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!(
            (r.json()["url"].as_str(), r.json()["active"].as_bool()),
            (Some("http://127.0.0.1:9/wa2"), Some(false))
        );
        let r = app.api(Method::PUT, "/api/v1/notice-gateways/9999", Some(&admin), Some(&change.to_string())).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{k}");
        let audit = app.state.store.count_events(Some("notice_gateway.changed")).await.expect("events");
        assert_eq!(audit, 1, "{k}");
    }
}

// ---------------------------------------------------------------- e-mail against the real servers

#[tokio::test]
async fn a_resolved_web_form_contact_is_told_by_email_in_the_customers_language() {
    let Some(env) = mail_env() else {
        eprintln!("!!!! SKIPPED: SWITCHBOARD_TEST_IMAP is not set — run scripts/mail-start (scripts/test does) !!!!");
        return;
    };
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let mut st = with_public_url(&app.state);
        st.mail = Arc::new(MailConfig::default());
        let store = &app.state.store;
        let tag = format!("{k}-{}", rand::random::<u32>());
        let support = format!("notices-{tag}@switchboard.test");
        let client = format!("client-{tag}@example.test");
        let admin = app.account(Role::Administrator).bearer.clone();
        let (imap_host, imap_port) = split(&env.imap);
        let (smtp_host, smtp_port) = split(&env.smtp);
        let body = json!({
            "name": "Поддержка магазина", "address": support, "imap_host": imap_host, "imap_port": imap_port,
            "imap_tls": "none", "imap_user": support, "imap_password": env.password,
            "smtp_host": smtp_host, "smtp_port": smtp_port, "smtp_tls": "none", "queue_id": app.queue
        });
        let r = app.api(Method::POST, "/api/v1/mailboxes", Some(&admin), Some(&body.to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let mailbox_id = r.json()["id"].as_i64().expect("mailbox id");

        // An English-speaking customer's web form, taken and resolved by an operator.
        let op = app.account(Role::Operator);
        let code = format!("n{}", rand::random::<u16>());
        let queue = store.create_queue(&code, "Заявки", "Өтінімдер", "Requests").await.expect("queue").id;
        store.add_queue_member(queue, op.id).await.expect("member");
        app.state.dispatch.reload(store).await.expect("reload");
        let r = app.api(Method::PUT, "/api/v1/me/state", Some(&op.bearer), Some(r#"{"state":"ready"}"#)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}");
        let who = customer(&app, &client, "", "en", true).await;
        let c = web_contact(&app, queue, who).await;
        let path = |action: &str| format!("/api/v1/contacts/{c}/{action}");
        let r = app.api(Method::POST, &path("accept"), Some(&op.bearer), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);
        let wrapup = r#"{"summary":"Answered","outcome":"answered"}"#;
        let r = app.api(Method::POST, &path("resolve"), Some(&op.bearer), Some(wrapup)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);

        deliver_due(&st, store::now_ms()).await.expect("round");
        let told = notices(&app, c).await;
        let keys: Vec<&str> = told.iter().filter_map(|n| n["template_key"].as_str()).collect();
        assert_eq!(keys, ["notice-registered", "notice-resolved"], "{k}");
        for n in &told {
            assert_eq!((n["status"].as_str(), n["via"].as_str()), (Some("sent"), Some("email")), "{k}: {n}");
            assert!(n["address"].as_str().unwrap_or_default().starts_with("c*"), "{k}: masked: {n}");
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let letters = loop {
            let l = inbox(&env, &client).await;
            if l.len() >= 2 || tokio::time::Instant::now() > deadline {
                break l;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(letters.len(), 2, "{k}: both notices arrived");
        let resolved =
            letters.iter().find(|l| String::from_utf8_lossy(l).contains("resolved")).expect("the resolution letter");
        let subject = mail::parse(resolved).map(|l| l.subject).unwrap_or_default();
        assert_eq!(subject, format!("Request No. {c} resolved [#{c}]"), "{k}");
        assert_eq!(mail::contact_number_in_subject(&subject), Some(c), "{k}: the answer threads");
        let parsed = mail::parse(resolved).expect("parse");
        assert!(parsed.text.contains(&format!("Request No. {c} has been resolved")), "{k}: {}", parsed.text);
        assert!(parsed.text.contains(&format!("https://help.shop.test/status?number={c}")), "{k}");
        assert_eq!(parsed.from_address.as_deref(), Some(support.as_str()), "{k}");
        let mid = parsed.message_id.clone().unwrap_or_default();
        assert!(mid.starts_with(&format!("sb.{c}.n")) && mid.ends_with("@switchboard.test"), "{k}: {mid}");
        let letters_of_contact = store.contact_emails(c).await.expect("letters");
        assert!(letters_of_contact.iter().any(|e| e.message_id == mid), "{k}: kept so the answer threads");
        assert_eq!(store.count_events(Some("notice.sent")).await.expect("events"), 2, "{k}");

        // An email contact: the notice answers the customer's letter, and the
        // customer's answer to the notice threads back into the contact.
        let m = store.mailbox(mailbox_id).await.expect("read").expect("mailbox");
        let writer = format!("writer-{tag}@example.test");
        let first = format!(
            "From: <{writer}>\r\nTo: {support}\r\nSubject: Доставка\r\nMessage-ID: <w1-{tag}@example.test>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nГде мой заказ?\r\n"
        );
        let created = server::mail_channel::ingest_one(&st, &m, 7, 1, first.as_bytes()).await.expect("ingest");
        let store::mail::Ingested::Created(email_contact) = created else { panic!("{k}: {created:?}") };
        let e = email_contact.id;
        deliver_due(&st, store::now_ms()).await.expect("round");
        let n = &notices(&app, e).await[0];
        assert_eq!((n["status"].as_str(), n["via"].as_str()), (Some("sent"), Some("email")), "{k}: {n}");
        let got = loop {
            if let Some(l) = inbox(&env, &writer).await.into_iter().next() {
                break l;
            }
            assert!(tokio::time::Instant::now() < deadline + Duration::from_secs(30), "{k}: no notice letter");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let letter = mail::parse(&got).expect("parse");
        assert_eq!(letter.subject, format!("Обращение № {e} зарегистрировано [#{e}]"), "{k}: Russian by default");
        assert_eq!(letter.in_reply_to, vec![format!("w1-{tag}@example.test")], "{k}: answers the customer's letter");
        let notice_id = letter.message_id.clone().unwrap_or_default();
        let answer = format!(
            "From: <{writer}>\r\nTo: {support}\r\nSubject: Re: {}\r\nMessage-ID: <w2-{tag}@example.test>\r\n\
In-Reply-To: <{notice_id}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСпасибо!\r\n",
            letter.subject
        );
        let threaded = server::mail_channel::ingest_one(&st, &m, 7, 2, answer.as_bytes()).await.expect("ingest");
        match threaded {
            store::mail::Ingested::Threaded { contact, .. } => assert_eq!(contact.id, e, "{k}"),
            other => panic!("{k}: the answer to a notice threads into its contact: {other:?}"),
        }
    }
}

#[tokio::test]
async fn administrators_override_notice_texts_per_key_and_language() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let admin = app.account(Role::Administrator).bearer.clone();
        let put = |body: Value| {
            let (app, admin) = (&app, admin.clone());
            async move { app.api(Method::PUT, "/api/v1/notice-texts", Some(&admin), Some(&body.to_string())).await }
        };
        for bad in [
            json!({"texts": {"notice-unknown": {"ru": "x"}}}),
            json!({"texts": {"notice-registered": {"de": "x"}}}),
            json!({"texts": {"notice-registered": {"ru": "   "}}}),
            json!({"texts": {}, "extra": 1}),
        ] {
            let r = put(bad.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {bad} → {}", r.body);
        }
        let op = app.account(Role::Operator).bearer.clone();
        let r = app.api(Method::PUT, "/api/v1/notice-texts", Some(&op), Some(r#"{"texts":{}}"#)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");
        assert_eq!(app.state.store.count_events(Some("notice_texts.changed")).await.expect("events"), 0, "{k}");

        let r = put(json!({"texts": {"notice-registered": {"kk": "Өтініш № {number} қабылданды"}}})).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        let kk = customer(&app, "", "+77015550001", "kk", true).await;
        let ru = customer(&app, "", "+77015550002", "ru", true).await;
        let (c_kk, c_ru) = (web_contact(&app, app.queue, kk).await, web_contact(&app, app.queue, ru).await);
        assert_eq!(notices(&app, c_kk).await[0]["text"], format!("Өтініш № {c_kk} қабылданды"), "{k}");
        let ru_text = notices(&app, c_ru).await[0]["text"].as_str().unwrap_or_default().to_string();
        assert_eq!(ru_text, format!("Ваше обращение № {c_ru} зарегистрировано. Мы сообщим о решении."), "{k}");

        // The room's form: an empty field goes back to the catalogue's text.
        let (cookie, csrf) = app.session(app.account(Role::Administrator).id).await;
        let page = app.get("/admin/gateways", &[("cookie", &cookie)]).await;
        assert!(page.body.contains("Өтініш № {number} қабылданды"), "{k}: the stored text in its field");
        let fields = [("t.notice-registered.kk", ""), ("t.notice-resolved.en", "Done: {number}")];
        let r = app.form("/admin/notice-texts", &cookie, Some(&csrf), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{k}: {}", r.body);
        let r = app.api(Method::GET, "/api/v1/notice-texts", Some(&admin), None).await;
        assert_eq!(r.json(), json!({"texts": {"notice-resolved": {"en": "Done: {number}"}}}), "{k}");
        let c2 = web_contact(&app, app.queue, kk).await;
        assert!(notices(&app, c2).await[0]["text"].as_str().unwrap_or_default().contains("тіркелді"), "{k}");
        assert_eq!(app.state.store.count_events(Some("notice_texts.changed")).await.expect("events"), 2, "{k}");
    }
}
