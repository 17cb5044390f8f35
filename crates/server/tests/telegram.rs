//! The messenger channel (Telegram bot) on every database kind, against a
//! local stand-in of the Bot API: a real HTTP server on 127.0.0.1 that
//! answers like Telegram (`{"ok":true,"result":…}`), serves files, and
//! records every request. Updates come in through the real webhook route;
//! replies go out through the real sender.

mod common;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use domain::Role;
use serde_json::{json, Value};

use common::{build, Reply, TestApp};

const TOKEN: &str = "123456789:AAH-stand-in-SECRET_token";
const PHOTO: &[u8] = b"\xff\xd8\xff\xe0 a photo from the stand-in";

/// The stand-in's memory: requests seen and the statuses to answer sendMessage with.
#[derive(Default)]
struct Stand {
    /// (method, JSON body) in arrival order.
    calls: Vec<(String, Value)>,
    /// Statuses for the next sendMessage calls (200 when empty).
    script: VecDeque<u16>,
    next_id: i64,
}

type Shared = Arc<Mutex<Stand>>;

async fn bot_method(
    State(s): State<Shared>,
    Path((bot, method)): Path<(String, String)>,
    body: String,
) -> impl IntoResponse {
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let mut g = s.lock().expect("lock");
    g.calls.push((method.clone(), v.clone()));
    if bot != format!("bot{TOKEN}") {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"ok": false, "error_code": 401, "description": "Unauthorized"})),
        );
    }
    match method.as_str() {
        "sendMessage" => match g.script.pop_front().unwrap_or(200) {
            200 => {
                g.next_id += 1;
                let id = g.next_id;
                (
                    StatusCode::OK,
                    Json(json!({"ok": true, "result": {"message_id": id, "date": 1,
                    "chat": {"id": v["chat_id"], "type": "private"}, "text": v["text"]}})),
                )
            }
            403 => (
                StatusCode::FORBIDDEN,
                Json(json!({"ok": false, "error_code": 403,
                "description": "Forbidden: bot was blocked by the user"})),
            ),
            code => (
                StatusCode::from_u16(code).expect("status"),
                Json(json!({"ok": false, "error_code": code,
                "description": "Internal Server Error"})),
            ),
        },
        "getFile" => (
            StatusCode::OK,
            Json(json!({"ok": true, "result": {"file_id": v["file_id"],
            "file_unique_id": "u1", "file_size": PHOTO.len(), "file_path": "photos/file_1.jpg"}})),
        ),
        "setWebhook" => (StatusCode::OK, Json(json!({"ok": true, "result": true, "description": "Webhook was set"}))),
        _ => (StatusCode::NOT_FOUND, Json(json!({"ok": false, "error_code": 404, "description": "Not Found"}))),
    }
}

async fn file(State(s): State<Shared>, Path((bot, path)): Path<(String, String)>) -> impl IntoResponse {
    s.lock().expect("lock").calls.push(("file".into(), json!({"path": path})));
    if bot != format!("bot{TOKEN}") || path != "photos/file_1.jpg" {
        return (StatusCode::NOT_FOUND, Vec::new());
    }
    (StatusCode::OK, PHOTO.to_vec())
}

/// Starts the stand-in; its base URL and memory.
async fn stand_in() -> (String, Shared) {
    let shared: Shared = Arc::default();
    let app = axum::Router::new()
        .route("/{bot}/{method}", axum::routing::post(bot_method))
        .route("/file/{bot}/{*path}", axum::routing::get(file))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("stand-in serves") });
    (format!("http://{addr}"), shared)
}

fn sent(s: &Shared) -> Vec<Value> {
    s.lock().expect("lock").calls.iter().filter(|(m, _)| m == "sendMessage").map(|(_, v)| v.clone()).collect()
}

async fn post_update(app: &TestApp, path: &str, update: &Value) -> Reply {
    app.send(build(Method::POST, path, &[("content-type", "application/json")], Body::from(update.to_string()))).await
}

fn text_update(update_id: i64, user: i64, lang: &str, text: &str) -> Value {
    json!({"update_id": update_id, "message": {"message_id": update_id * 10, "date": 1_764_000_000,
        "from": {"id": user, "is_bot": false, "first_name": "Данияр", "last_name": "Сейтов", "username": "dseit",
                 "language_code": lang},
        "chat": {"id": user, "type": "private", "first_name": "Данияр"}, "text": text}})
}

async fn wait_for<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates the bot through the API; (id, webhook path).
async fn make_bot(app: &TestApp, base: &str) -> (i64, String) {
    let admin = app.account(Role::Administrator).bearer.clone();
    let body = json!({"name": "Магазин", "token": TOKEN, "api_base": base, "queue_id": app.queue});
    let r = app.api(Method::POST, "/api/v1/telegram-bots", Some(&admin), Some(&body.to_string())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(!r.body.contains("SECRET_token"), "the token came back: {}", r.body);
    let j = r.json();
    assert_eq!(j["token_set"], true);
    (j["id"].as_i64().expect("id"), j["webhook_path"].as_str().expect("path").to_string())
}

async fn record_reply(app: &TestApp, contact: i64, text: &str) -> i64 {
    let op = app.account(Role::Operator).bearer.clone();
    let body = json!({"text": text}).to_string();
    let r = app.api(Method::POST, &format!("/api/v1/contacts/{contact}/replies"), Some(&op), Some(&body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().expect("reply id")
}

async fn reply_status(app: &TestApp, contact: i64, reply: i64) -> String {
    let replies = app.state.store.contact_replies(contact).await.expect("replies");
    replies.into_iter().find(|r| r.id == reply).map(|r| r.status).unwrap_or_default()
}

#[tokio::test]
async fn updates_become_one_contact_replies_go_out_and_failures_are_recorded() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let st = app.state.clone();
        let store = &st.store;
        let (base, stand) = stand_in().await;
        let (bot, hook) = make_bot(&app, &base).await;
        let op = app.account(Role::Operator);
        store.add_queue_member(app.queue, op.id).await.expect("member");
        st.dispatch.reload(store).await.expect("reload");
        let r = app.api(Method::PUT, "/api/v1/me/state", Some(&op.bearer), Some(r#"{"state":"ready"}"#)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}");
        let created = || async { store.count_events(Some(domain::events::CONTACT_CREATED)).await.expect("count") };
        let created_before = created().await;

        // 1. A text message: one messenger contact, the customer registered, offered to the ready operator.
        let first = text_update(1001, 777, "kk", "Сәлеметсіз бе! Тапсырысым қайда?");
        let r = post_update(&app, &hook, &first).await;
        assert_eq!((r.status, r.json()), (StatusCode::OK, json!({})), "{k}: {}", r.body);
        assert_eq!(created().await, created_before + 1, "{k}");
        let found = store
            .search_customers(&domain::customer::SearchQuery::parse("Сейтов").expect("query"), 10)
            .await
            .expect("search");
        assert_eq!(found.len(), 1, "{k}: {found:?}");
        let customer = &found[0];
        assert_eq!((customer.full_name.as_str(), customer.locale.as_str()), ("Данияр Сейтов", "kk"), "{k}");
        let ids = store.customer_identities(customer.id).await.expect("identities");
        assert!(ids.iter().any(|i| i.kind == domain::customer::IdentityKind::Chat && i.value == "tg:777"), "{k}");
        let events = store.events_after(Some(domain::events::CONTACT_MESSENGER_RECEIVED), 0, 10).await.expect("ev");
        assert_eq!(events.len(), 1, "{k}");
        let contact = events[0].refs.contact_id.expect("contact");
        let c = store.contact(contact).await.expect("read").expect("contact");
        assert_eq!(c.channel, domain::contact::Channel::Messenger, "{k}");
        assert_eq!((c.customer_id, c.queue_id), (Some(customer.id), Some(app.queue)), "{k}");
        assert_eq!((c.status, c.operator_id), (domain::contact::Status::Offered, Some(op.id)), "{k}: offered");
        let msgs = store.contact_messenger_messages(contact).await.expect("messages");
        assert_eq!(msgs.len(), 1);
        assert_eq!((msgs[0].direction.as_str(), msgs[0].body.as_str()), ("in", "Сәлеметсіз бе! Тапсырысым қайда?"));
        assert_eq!((msgs[0].chat_id, msgs[0].message_id), (777, Some(10010)), "{k}");

        // 2. The same update again: 200 and nothing new.
        let events_before = store.count_events(None).await.expect("count");
        let r = post_update(&app, &hook, &first).await;
        assert_eq!((r.status, r.json()), (StatusCode::OK, json!({})), "{k}");
        assert_eq!(store.count_events(None).await.expect("count"), events_before, "{k}: a repeat changes nothing");
        assert_eq!(store.contact_messenger_messages(contact).await.expect("m").len(), 1, "{k}");

        // 3. A second message threads into the open contact.
        let r = post_update(&app, &hook, &text_update(1002, 777, "kk", "Нөмірі 5521")).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        assert_eq!(created().await, created_before + 1, "{k}: no second contact");
        assert_eq!(store.contact_messenger_messages(contact).await.expect("m").len(), 2, "{k}");

        // 4. A photo: fetched from the stand-in (getFile + download) and kept as an attachment.
        let photo = json!({"update_id": 1003, "message": {"message_id": 10030, "from": {"id": 777,
            "first_name": "Данияр", "language_code": "kk"}, "chat": {"id": 777, "type": "private"},
            "caption": "Чек", "photo": [{"file_id": "small-1", "width": 90, "height": 60, "file_size": 10},
            {"file_id": "big-1", "width": 1280, "height": 853, "file_size": PHOTO.len()}]}});
        let r = post_update(&app, &hook, &photo).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        let msgs = store.contact_messenger_messages(contact).await.expect("m");
        let with_file = msgs.last().expect("photo message");
        assert_eq!(with_file.body, "Чек");
        let aid = with_file.attachment_id.expect("attachment");
        let file = store.attachment(contact, aid).await.expect("read").expect("file");
        assert_eq!((file.content.as_slice(), file.meta.content_type.as_str()), (PHOTO, "image/jpeg"), "{k}");
        let asked = stand.lock().expect("lock").calls.iter().find(|(m, _)| m == "getFile").map(|(_, v)| v.clone());
        assert_eq!(asked.map(|v| v["file_id"].clone()), Some(json!("big-1")), "{k}: the largest size");

        // 5. /start from a Kazakh speaker: the greeting in Kazakh, through the Bot API.
        let r = post_update(&app, &hook, &text_update(1004, 778, "kk", "/start")).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        let greeting = st.catalog.get(i18n::Locale::Kk, "telegram-greeting");
        let got = wait_for("the greeting", || async { sent(&stand).into_iter().find(|v| v["chat_id"] == 778) }).await;
        assert_eq!(got["text"], greeting, "{k}");
        assert_eq!(created().await, created_before + 1, "{k}: /start is not a contact");
        wait_for("the greeting recorded sent", || async {
            let m = store.bot_messenger_messages(bot).await.ok()?;
            m.iter().any(|m| m.chat_id == 778 && m.status == "sent").then_some(())
        })
        .await;

        // A greeting whose immediate send failed stays `failed`: the sender does not resend it.
        stand.lock().expect("lock").script.push_back(500);
        let r = post_update(&app, &hook, &text_update(1010, 781, "en", "/start")).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        wait_for("the failed greeting recorded", || async {
            let m = store.bot_messenger_messages(bot).await.ok()?;
            m.iter().any(|m| m.chat_id == 781 && m.status == "failed").then_some(())
        })
        .await;
        server::telegram::deliver_pending(&st, store::now_ms() + store::telegram::GREETING_GRACE_MS + 1).await;
        let m = store.bot_messenger_messages(bot).await.expect("messages");
        assert!(m.iter().filter(|m| m.chat_id == 781).all(|m| m.status == "failed"), "{k}: not resent");
        assert!(sent(&stand).iter().filter(|v| v["chat_id"] == 781).count() == 1, "{k}");

        // 6. The operator's reply: sendMessage with the chat and text; recorded sent.
        let reply = record_reply(&app, contact, "Тапсырысыңыз жолда, ертең жеткізіледі.").await;
        assert_eq!(reply_status(&app, contact, reply).await, "pending", "{k}");
        server::telegram::deliver_pending(&st, store::now_ms()).await;
        let last = sent(&stand).last().cloned().expect("a send");
        assert_eq!(
            (last["chat_id"].clone(), last["text"].clone()),
            (json!(777), json!("Тапсырысыңыз жолда, ертең жеткізіледі."))
        );
        assert_eq!(reply_status(&app, contact, reply).await, "sent", "{k}");
        let out = store.contact_messenger_messages(contact).await.expect("m");
        let out = out.iter().find(|m| m.reply_id == Some(reply)).expect("out row");
        assert!(out.message_id.is_some() && out.status == "sent", "{k}: {out:?}");

        // 7. A long text (a notice; replies are at most 4000 characters) goes out in pieces of ≤ 4096.
        let long = "Жауап ".repeat(1200);
        let calls_before = sent(&stand).len();
        let bot_row = store.telegram_bot(bot).await.expect("read").expect("bot");
        let ids = server::telegram::send_text(&st, &bot_row, 777, &long).await.expect("sent");
        let pieces: Vec<Value> = sent(&stand)[calls_before..].to_vec();
        assert_eq!((pieces.len(), ids.len()), (2, 2), "{k}");
        assert!(pieces.iter().all(|p| p["text"].as_str().is_some_and(|t| t.chars().count() <= 4096)));
        assert!(pieces.iter().all(|p| p["chat_id"] == 777));

        // 8. The user blocked the bot (403): failed with Telegram's words, never retried.
        stand.lock().expect("lock").script.push_back(403);
        let reply = record_reply(&app, contact, "Сіз бар ма?").await;
        server::telegram::deliver_pending(&st, store::now_ms()).await;
        assert_eq!(reply_status(&app, contact, reply).await, "failed", "{k}");
        let rows = store.contact_messenger_messages(contact).await.expect("m");
        let row = rows.iter().find(|m| m.reply_id == Some(reply)).expect("row");
        assert!(row.error.contains("blocked"), "{k}: {}", row.error);
        let calls = sent(&stand).len();
        server::telegram::deliver_pending(&st, store::now_ms() + 3_600_000).await;
        assert_eq!(sent(&stand).len(), calls, "{k}: a permanent failure is not tried again");

        // 9. A 500: left sending, tried again later, then sent.
        stand.lock().expect("lock").script.push_back(500);
        let reply = record_reply(&app, contact, "Қайталап көреміз").await;
        server::telegram::deliver_pending(&st, store::now_ms()).await;
        assert_eq!(reply_status(&app, contact, reply).await, "sending", "{k}");
        server::telegram::deliver_pending(&st, store::now_ms()).await;
        assert_eq!(reply_status(&app, contact, reply).await, "sending", "{k}: not before its time");
        server::telegram::deliver_pending(&st, store::now_ms() + 600_000).await;
        assert_eq!(reply_status(&app, contact, reply).await, "sent", "{k}");
        let tries = sent(&stand).iter().filter(|v| v["text"] == "Қайталап көреміз").count();
        assert_eq!(tries, 2, "{k}");
        assert_eq!(store.count_events(Some(domain::events::CONTACT_MESSENGER_RETRY)).await.expect("n"), 1);

        // A contact waiting on the customer goes back in work when they write.
        let path = |a: &str| format!("/api/v1/contacts/{contact}/{a}");
        let r = app.api(Method::POST, &path("accept"), Some(&op.bearer), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);
        let r =
            app.api(Method::POST, &path("waiting"), Some(&op.bearer), Some(r#"{"status":"waiting_customer"}"#)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);
        let r = post_update(&app, &hook, &text_update(1005, 777, "kk", "Иә, күтемін")).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        let c = store.contact(contact).await.expect("read").expect("contact");
        assert_eq!((c.status, c.operator_id), (domain::contact::Status::InWork, Some(op.id)), "{k}");

        // A document over 10 MiB is not downloaded; its message still arrives, saying so.
        let huge = json!({"update_id": 1006, "message": {"message_id": 10060, "from": {"id": 777,
            "first_name": "Данияр"}, "chat": {"id": 777, "type": "private"}, "caption": "архив",
            "document": {"file_id": "huge-1", "file_name": "big.zip", "mime_type": "application/zip",
            "file_size": 20_000_000}}});
        assert_eq!(post_update(&app, &hook, &huge).await.status, StatusCode::OK, "{k}");
        let last = store.contact_messenger_messages(contact).await.expect("m").pop().expect("message");
        assert_eq!((last.body.as_str(), last.attachment_id), ("архив", None), "{k}");
        let asked_huge =
            stand.lock().expect("lock").calls.iter().any(|(m, v)| m == "getFile" && v["file_id"] == "huge-1");
        assert!(!asked_huge, "{k}: an oversized file is not fetched");

        // A phone shared by a new Telegram user finds the customer who has it.
        let shared = json!({"update_id": 1007, "message": {"message_id": 10070, "from": {"id": 780,
            "first_name": "Айгерим", "language_code": "kk"}, "chat": {"id": 780, "type": "private"},
            "contact": {"phone_number": "8 (701) 123-45-67", "user_id": 780}}});
        assert_eq!(post_update(&app, &hook, &shared).await.status, StatusCode::OK, "{k}");
        let ids = store.customer_identities(app.customer).await.expect("identities");
        assert!(ids.iter().any(|i| i.value == "tg:780"), "{k}: the Telegram identity joins the card: {ids:?}");
        let ev = store.events_after(Some(domain::events::CONTACT_MESSENGER_RECEIVED), 0, 100).await.expect("ev");
        let theirs = ev.last().and_then(|e| e.refs.customer_id);
        assert_eq!(theirs, Some(app.customer), "{k}");

        // Notices reach a customer on the chat they last wrote from (and nobody else).
        let calls_before = sent(&stand).len();
        let ids = server::telegram::send_to_customer(&st, customer.id, "Статус: в работе").await.expect("sent");
        assert_eq!(ids.map(|i| i.len()), Some(1), "{k}");
        assert_eq!(sent(&stand)[calls_before]["chat_id"], 777, "{k}");
        let new = [store::NewCustomer {
            full_name: "Без Телеграма".into(),
            phone: String::new(),
            email: String::new(),
            client_type: "new".into(),
            locale: "ru".into(),
            created_at: 0,
            consent_at: None,
        }];
        let nobody = store.create_customers(&new).await.expect("customer")[0];
        assert_eq!(server::telegram::send_to_customer(&st, nobody, "x").await.expect("answer"), None, "{k}");

        // The contact window shows the conversation with delivery status.
        let (cookie, _) = app.session(op.id).await;
        let page = app.get(&format!("/desk/contacts/{contact}"), &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{k}");
        assert!(page.body.contains("id=\"messenger\""), "{k}: no conversation section");
        for text in ["Тапсырысым қайда?", "Нөмірі 5521", "Тапсырысыңыз жолда", "blocked"]
        {
            assert!(page.body.contains(text), "{k}: the window lacks {text:?}");
        }
        let sent_label = st.catalog.get(i18n::Locale::Ru, "messenger-status-sent");
        assert!(page.body.contains(&sent_label), "{k}: no delivery status");
        let api = app.api(Method::GET, &format!("/api/v1/contacts/{contact}/messages"), Some(&op.bearer), None).await;
        assert_eq!(api.status, StatusCode::OK, "{k}");
        assert!(api.json().as_array().is_some_and(|a| a.len() >= 6), "{k}: {}", api.body);

        // Refusals: unknown secret 401, a wrong secret header 401, malformed 400 — nothing stored.
        let events_before = store.count_events(None).await.expect("count");
        let r = post_update(&app, "/api/v1/telegram/not-a-secret", &text_update(2001, 779, "ru", "x")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{k}");
        let headers = [("content-type", "application/json"), ("x-telegram-bot-api-secret-token", "wrong")];
        let body = Body::from(text_update(2002, 779, "ru", "x").to_string());
        let r = app.send(build(Method::POST, &hook, &headers, body)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{k}");
        for bad in ["{", "[]", "{\"message\": {}}", "not json"] {
            let r =
                app.send(build(Method::POST, &hook, &[("content-type", "application/json")], Body::from(bad))).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{k} {bad}: {}", r.body);
        }
        assert_eq!(store.count_events(None).await.expect("count"), events_before, "{k}: refusals store nothing");
        // The right header is accepted.
        let secret = hook.rsplit('/').next().expect("secret").to_string();
        let headers = [("content-type", "application/json"), ("x-telegram-bot-api-secret-token", secret.as_str())];
        let body = Body::from(json!({"update_id": 2003, "edited_message": {"message_id": 1}}).to_string());
        let r = app.send(build(Method::POST, &hook, &headers, body)).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!(store.count_events(Some(domain::events::TELEGRAM_UPDATE_IGNORED)).await.expect("n"), 1, "{k}");

        // The token is never in the log, the audit or the API's answers.
        let all = store.events_after(None, 0, 100_000).await.expect("events");
        assert!(all.iter().all(|e| !e.payload.to_string().contains("SECRET_token")), "{k}: token in an event");
        let admin = app.account(Role::Administrator).bearer.clone();
        for path in ["/api/v1/audit", "/api/v1/telegram-bots"] {
            let r = app.api(Method::GET, path, Some(&admin), None).await;
            assert_eq!(r.status, StatusCode::OK, "{k} {path}");
            assert!(r.body.contains("Магазин"), "{k} {path}: {}", r.body);
            assert!(!r.body.contains("SECRET_token") && !r.body.contains("xc20p1"), "{k} {path}: {}", r.body);
        }
        let stored = store.telegram_bot(bot).await.expect("read").expect("bot");
        assert!(!stored.token_sealed.contains("SECRET_token"), "{k}: token stored in clear");
        assert_eq!(st.secrets.open(&stored.token_sealed).ok().as_deref(), Some(TOKEN));
    }
}

#[tokio::test]
async fn bots_are_managed_by_administrators_and_the_webhook_registered() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let (base, stand) = stand_in().await;
        let admin = app.account(Role::Administrator).bearer.clone();
        let good = json!({"name": "Shop", "token": TOKEN, "api_base": base, "queue_id": app.queue});
        for (field, value, status) in [
            ("token", json!("not-a-token"), StatusCode::UNPROCESSABLE_ENTITY),
            ("token", Value::Null, StatusCode::UNPROCESSABLE_ENTITY),
            ("api_base", json!("ftp://x"), StatusCode::UNPROCESSABLE_ENTITY),
            ("name", json!(" "), StatusCode::UNPROCESSABLE_ENTITY),
            ("queue_id", json!(999_999), StatusCode::NOT_FOUND),
        ] {
            let mut b = good.clone();
            b[field] = value;
            let r = app.api(Method::POST, "/api/v1/telegram-bots", Some(&admin), Some(&b.to_string())).await;
            assert_eq!(r.status, status, "{k} {field}: {}", r.body);
        }
        let r = app.api(Method::POST, "/api/v1/telegram-bots", Some(&admin), Some("{\"name\": 1}")).await;
        assert!(r.status.is_client_error(), "{k}");
        assert_eq!(app.api(Method::GET, "/api/v1/telegram-bots", Some(&admin), None).await.json(), json!([]), "{k}");

        let (id, hook) = make_bot(&app, &base).await;
        // An update without the token keeps it; rotating the secret retires the old one.
        let change = json!({"name": "Дүкен", "api_base": base, "queue_id": app.queue, "rotate_secret": true});
        let r =
            app.api(Method::PUT, &format!("/api/v1/telegram-bots/{id}"), Some(&admin), Some(&change.to_string())).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        let new_hook = r.json()["webhook_path"].as_str().expect("new path").to_string();
        assert_ne!(new_hook, hook);
        let stored = app.state.store.telegram_bot(id).await.expect("r").expect("bot");
        assert_eq!(app.state.secrets.open(&stored.token_sealed).ok().as_deref(), Some(TOKEN), "{k}: token kept");
        let update = text_update(1, 9, "ru", "Привет");
        assert_eq!(post_update(&app, &hook, &update).await.status, StatusCode::UNAUTHORIZED, "{k}: old secret");
        assert_eq!(post_update(&app, &new_hook, &update).await.status, StatusCode::OK, "{k}: new secret");
        let r = app.api(Method::PUT, "/api/v1/telegram-bots/999999", Some(&admin), Some(&change.to_string())).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{k}");

        // "Register webhook": setWebhook with the public URL and a fresh secret as secret_token.
        let body = json!({"public_url": "https://desk.example.kz/"}).to_string();
        let r = app.api(Method::POST, &format!("/api/v1/telegram-bots/{id}/webhook"), Some(&admin), Some(&body)).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        let path = r.json()["webhook_path"].as_str().expect("path").to_string();
        let secret = r.json()["webhook_secret"].as_str().expect("secret").to_string();
        let set = stand.lock().expect("lock").calls.iter().find(|(m, _)| m == "setWebhook").map(|(_, v)| v.clone());
        let set = set.expect("setWebhook called");
        assert_eq!(set["url"], format!("https://desk.example.kz{path}"), "{k}");
        assert_eq!(set["secret_token"], secret, "{k}");
        let headers = [("content-type", "application/json"), ("x-telegram-bot-api-secret-token", secret.as_str())];
        let r = app
            .send(build(Method::POST, &path, &headers, Body::from(text_update(2, 9, "ru", "Ещё").to_string())))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{k}: the registered secret works");
        let body = json!({"public_url": "not a url"}).to_string();
        let r = app.api(Method::POST, &format!("/api/v1/telegram-bots/{id}/webhook"), Some(&admin), Some(&body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");

        // The room: every bot as a form, the secret shown once after creation, the token never.
        let (cookie, csrf) = app.session(app.account(Role::Administrator).id).await;
        let room = app.get("/admin/telegram", &[("cookie", &cookie)]).await;
        assert_eq!(room.status, StatusCode::OK, "{k}");
        assert!(room.body.contains(&format!("id=\"bot-{id}\"")) && room.body.contains("id=\"bot-0\""), "{k}");
        assert!(!room.body.contains("SECRET_token") && !room.body.contains("xc20p1"), "{k}");
        let queue = app.queue.to_string();
        let mut fields = vec![
            ("name", "Жалобы"),
            ("token", "bad"),
            ("api_base", base.as_str()),
            ("queue_id", queue.as_str()),
            ("active", "1"),
        ];
        let r = app.form("/admin/telegram", &cookie, Some(&csrf), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        assert!(r.body.contains(&app.state.catalog.get(i18n::Locale::Ru, "invalid-bot-token")), "{k}: explained");
        fields[1] = ("token", "987654:ANOTHER-room-token");
        let r = app.form("/admin/telegram", &cookie, Some(&csrf), &fields).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert!(r.body.contains("id=\"webhook-shown\"") && r.body.contains("/api/v1/telegram/"), "{k}");
        assert!(!r.body.contains("ANOTHER-room-token"), "{k}: the token on the page");
        let mailboxes = app.get("/admin/mailboxes", &[("cookie", &cookie)]).await;
        assert!(mailboxes.body.contains("href=\"/admin/telegram\""), "{k}: the room is reachable");
    }
}

#[tokio::test]
async fn https_is_spoken_and_transport_errors_never_carry_the_token() {
    // A peer that accepts and hangs up: the TLS handshake fails (ureq is built with rustls).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            drop(s);
        }
    });
    let err = server::telegram::call(&format!("https://{addr}"), TOKEN, "getMe", json!({})).await.expect_err("fails");
    assert_eq!(err.kind, domain::telegram::Failure::Retry { retry_after: None }, "{err}");
    assert!(!err.message.to_lowercase().contains("scheme"), "https is supported: {err}");
    assert!(!err.message.contains("SECRET_token"), "the token leaked: {err}");
}

#[tokio::test]
async fn customer_notices_of_a_messenger_contact_go_out_through_the_bot() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let st = app.state.clone();
        let store = &st.store;
        let (base, stand) = stand_in().await;
        let (_bot, hook) = make_bot(&app, &base).await;
        let r = post_update(&app, &hook, &text_update(2001, 901, "kk", "Тапсырыс бергім келеді")).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        let events = store.events_after(Some(domain::events::CONTACT_MESSENGER_RECEIVED), 0, 10).await.expect("ev");
        let contact = events[0].refs.contact_id.expect("contact");
        let before = sent(&stand).len();

        // The registration notice, in Kazakh, through the bot to the chat the customer wrote from.
        server::notices::deliver_due(&st, store::now_ms()).await.expect("round");
        let notices = store.contact_notifications(contact).await.expect("notices");
        let registered = notices.iter().find(|n| n.template_key == "notice-registered").expect("registered");
        assert_eq!((registered.status.as_str(), registered.via.as_str()), ("sent", "messenger"), "{k}: {registered:?}");
        let out = sent(&stand);
        assert_eq!(out.len(), before + 1, "{k}: one sendMessage");
        let msg = out.last().expect("sent");
        assert_eq!(msg["chat_id"], 901, "{k}");
        assert!(msg["text"].as_str().is_some_and(|t| t.contains(&registered.body)), "{k}: {msg}");
    }
}
