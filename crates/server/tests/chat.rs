//! The web chat through the real router on a real TCP listener (so the
//! WebSocket is real), on SQLite and PostgreSQL: start → contact routed and
//! offered; queue position; messages both ways; a dropped socket loses
//! nothing on reconnect with `after`; a resent cid is no duplicate; upload
//! limits; files only for their own session; bad input refused with nothing
//! stored; CORS; chat capacity; offline message and transcript through the
//! real SMTP/Dovecot servers.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use domain::contact::Status;
use domain::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use common::mailbox::{inbox, mail_env, split, MailEnv};
use common::{build, TestApp};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Serves the app's router on a free local port.
async fn listen(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = server::routes::router(app.state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    addr
}

async fn connect(addr: SocketAddr, token: &str, after: i64) -> Socket {
    let url = format!("ws://{addr}/chat/ws?session={token}&after={after}");
    tokio_tungstenite::connect_async(url).await.expect("websocket").0
}

/// The next JSON frame (10 s at most: a hang is a failure, not a wait).
async fn next(ws: &mut Socket) -> Value {
    loop {
        let got = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("a frame in time");
        match got.expect("socket open").expect("frame") {
            Message::Text(t) => return serde_json::from_str(t.as_str()).expect("JSON frame"),
            Message::Close(_) => panic!("socket closed"),
            _ => continue,
        }
    }
}

/// Frames until one of type `t` (skipping others, e.g. queue updates).
async fn until(ws: &mut Socket, t: &str) -> Value {
    loop {
        let f = next(ws).await;
        if f["t"] == t {
            return f;
        }
    }
}

async fn send(ws: &mut Socket, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.expect("send");
}

async fn post_json(app: &TestApp, path: &str, body: &Value) -> common::Reply {
    app.send(build(Method::POST, path, &[("content-type", "application/json")], Body::from(body.to_string()))).await
}

fn start_body(email: &str) -> Value {
    json!({"queue": "support", "name": "Айгерим", "email": email, "topic": "Доставка", "text": "Сәлем! Тапсырыс қайда?",
        "locale": "kk", "page_url": "https://shop.test/cart", "consent": true})
}

async fn operator_ready(app: &TestApp, role: Role) -> i64 {
    let op = app.account(role).id;
    app.state.store.add_queue_member(app.queue, op).await.expect("member");
    app.state.dispatch.reload(&app.state.store).await.expect("reload");
    app.state.dispatch.set_state(&app.state.store, op, "ready").await.expect("ready");
    op
}

async fn wait_status(app: &TestApp, contact: i64, want: Status) {
    for _ in 0..100 {
        if app.state.store.contact(contact).await.expect("read").map(|c| c.status) == Some(want) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("contact {contact} never became {want:?}");
}

#[tokio::test]
async fn a_visitor_chats_with_an_operator_and_a_dropped_socket_loses_nothing() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let app = common::app(db).await;
        let addr = listen(&app).await;
        let st = &app.state;
        // The test app made its queue after routing was built.
        st.dispatch.reload(&st.store).await.expect("reload");
        let bearer = app.account(Role::Operator).bearer.clone();

        // Nobody ready: offline, then a queued chat with its position.
        let r = app.get("/chat/api/status?queue=support", &[]).await;
        assert_eq!(r.json(), json!({"online": false, "queue": "support"}), "{kind}");
        let r = post_json(&app, "/chat/api/start", &start_body("visitor@mail.kz")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        assert_eq!(r.headers.get("access-control-allow-origin").map(|v| v.as_bytes()), Some(&b"*"[..]));
        let started = r.json();
        let token = started["session"].as_str().expect("token").to_string();
        let contact = started["contact"].as_i64().expect("contact");
        let c = st.store.contact(contact).await.expect("read").expect("contact");
        assert_eq!(c.channel, domain::contact::Channel::Chat);
        assert_eq!(c.status, Status::Queued, "{kind}");

        let mut ws = connect(addr, &token, 0).await;
        let hello = next(&mut ws).await;
        assert_eq!((hello["t"].as_str(), hello["contact"].as_i64()), (Some("hello"), Some(contact)), "{hello}");
        assert_eq!(hello["status"], "queued");
        let first = next(&mut ws).await;
        assert_eq!((first["t"].as_str(), first["seq"].as_i64()), (Some("msg"), Some(1)), "{first}");
        assert_eq!(first["text"], "Сәлем! Тапсырыс қайда?");
        let queue = until(&mut ws, "queue").await;
        // The voice contact of the test app waits ahead of the chat.
        assert!(queue["position"].as_i64().is_some_and(|p| p >= 1), "{kind}: {queue}");
        assert!(queue["ewt_s"].as_i64().is_some(), "{queue}");

        // An operator gets ready: the chat is offered, accepted, announced.
        let op = operator_ready(&app, Role::Operator).await;
        wait_status(&app, contact, Status::Offered).await;
        assert_eq!(app.get("/chat/api/status?queue=support", &[]).await.json()["online"], true, "{kind}");
        let r = app.api(Method::POST, &format!("/api/v1/contacts/{contact}/accept"), Some(&bearer), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{kind}: {}", r.body);
        let assigned = until(&mut ws, "assigned").await;
        assert_eq!(assigned["operator"], "Тест operator", "{kind}");

        // The visitor writes; the desk sees it.
        send(&mut ws, json!({"t": "msg", "cid": "c-1", "text": "Заказ 1042"})).await;
        let echo = until(&mut ws, "msg").await;
        assert_eq!((echo["seq"].as_i64(), echo["cid"].as_str()), (Some(2), Some("c-1")), "{kind}: {echo}");
        let path = format!("/api/v1/contacts/{contact}/chat");
        let seen = app.api(Method::GET, &path, Some(&bearer), None).await.json();
        let texts: Vec<&str> =
            seen["messages"].as_array().expect("list").iter().filter_map(|m| m["text"].as_str()).collect();
        assert_eq!(texts, ["Сәлем! Тапсырыс қайда?", "Заказ 1042"], "{kind}");

        // The operator answers; the visitor's socket gets it.
        let r = app.api(Method::POST, &path, Some(&bearer), Some(r#"{"text":"Сейчас проверю"}"#)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        let got = until(&mut ws, "msg").await;
        assert_eq!((got["seq"].as_i64(), got["from"].as_str()), (Some(3), Some("operator")), "{got}");
        assert_eq!(got["name"], "Тест operator");
        // Someone else may not write in it.
        let other = app.account(Role::SeniorOperator).bearer.clone();
        let r = app.api(Method::POST, &path, Some(&other), Some(r#"{"text":"чужой"}"#)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{kind}: {}", r.body);
        let r = app.api(Method::POST, &path, Some(&bearer), Some(&json!({"text": "x".repeat(4001)}).to_string())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}");

        // The network drops; the operator writes twice meanwhile.
        drop(ws);
        for text in ["Заказ у курьера", "Будет сегодня до 18:00"] {
            let r = app.api(Method::POST, &path, Some(&bearer), Some(&json!({"text": text}).to_string())).await;
            assert_eq!(r.status, StatusCode::CREATED);
        }
        let mut ws = connect(addr, &token, 3).await;
        let hello = next(&mut ws).await;
        assert_eq!((hello["status"].as_str(), hello["operator"].as_str()), (Some("in_work"), Some("Тест operator")));
        let a = next(&mut ws).await;
        let b = next(&mut ws).await;
        assert_eq!((a["seq"].as_i64(), a["text"].as_str()), (Some(4), Some("Заказ у курьера")), "{kind}: {a}");
        assert_eq!((b["seq"].as_i64(), b["text"].as_str()), (Some(5), Some("Будет сегодня до 18:00")), "{b}");
        // The widget resends what it never saw echoed: the same message, nothing new.
        let (_, before) = st.store.count_chat_rows().await.expect("count");
        send(&mut ws, json!({"t": "msg", "cid": "c-1", "text": "Заказ 1042"})).await;
        let again = until(&mut ws, "msg").await;
        assert_eq!((again["seq"].as_i64(), again["cid"].as_str()), (Some(2), Some("c-1")), "{kind}: {again}");
        assert_eq!(st.store.count_chat_rows().await.expect("count").1, before, "{kind}: no duplicate");
        send(&mut ws, json!({"t": "ping"})).await;
        assert_eq!(until(&mut ws, "pong").await, json!({"t": "pong"}));
        // Nothing else was sent twice: the next message is the next seq.
        send(&mut ws, json!({"t": "msg", "cid": "c-2", "text": "Спасибо"})).await;
        let next_msg = until(&mut ws, "msg").await;
        assert_eq!(next_msg["seq"].as_i64(), Some(6), "{kind}: {next_msg}");

        // Files: limits, and only the own session reads them.
        let boundary = "XCHAT";
        let upload = |fields: Vec<(&'static str, String)>, file: (&'static str, &'static str, Vec<u8>)| {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            common::multipart(boundary, &f, &[("file", file.0, file.1, &file.2)])
        };
        let ct = format!("multipart/form-data; boundary={boundary}");
        let big = upload(
            vec![("session", token.clone()), ("cid", "f-1".into())],
            ("big.png", "image/png", vec![7; 5 * 1024 * 1024 + 1]),
        );
        let r = app.send(build(Method::POST, "/chat/api/upload", &[("content-type", &ct)], Body::from(big))).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{kind}: {}", r.body);
        let exe = upload(
            vec![("session", token.clone()), ("cid", "f-2".into())],
            ("setup.exe", "application/x-msdownload", b"MZ".to_vec()),
        );
        let r = app.send(build(Method::POST, "/chat/api/upload", &[("content-type", &ct)], Body::from(exe))).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{kind}: {}", r.body);
        assert_eq!(
            st.store.count_chat_rows().await.expect("count").1,
            before + 1,
            "{kind}: refused files store nothing"
        );
        let pdf = upload(
            vec![("session", token.clone()), ("cid", "f-3".into())],
            ("чек.pdf", "application/pdf", b"%PDF-1.4 chat".to_vec()),
        );
        let r = app.send(build(Method::POST, "/chat/api/upload", &[("content-type", &ct)], Body::from(pdf))).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        let file_msg = until(&mut ws, "msg").await;
        assert_eq!(file_msg["cid"], "f-3");
        assert_eq!(file_msg["file"]["name"], "чек.pdf");
        let file_id = file_msg["file"]["id"].as_i64().expect("file id");
        let r = app.get(&format!("/chat/api/file/{file_id}?session={token}"), &[]).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "%PDF-1.4 chat"), "{kind}");
        let stranger = post_json(&app, "/chat/api/start", &start_body("other@mail.kz")).await.json();
        let other_token = stranger["session"].as_str().expect("token");
        let r = app.get(&format!("/chat/api/file/{file_id}?session={other_token}"), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{kind}: another session cannot read the file");

        // The operator types; the visitor sees it.
        let (cookie, csrf) = app.session(op).await;
        let r = app.form(&format!("/desk/contacts/{contact}/chat/typing"), &cookie, Some(&csrf), &[("on", "1")]).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{kind}: {}", r.body);
        assert_eq!(until(&mut ws, "typing").await, json!({"t": "typing", "on": true}));

        // The operator resolves: the visitor is told the chat is over.
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/contacts/{contact}/resolve"),
                Some(&bearer),
                Some(r#"{"summary":"Ответили","outcome":"answered"}"#),
            )
            .await;
        assert!(r.status.is_success(), "{kind}: {}", r.body);
        assert_eq!(until(&mut ws, "ended").await, json!({"t": "ended"}), "{kind}");
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_nothing_stored_and_cors_is_answered() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let app = common::app(db).await;
        let st = &app.state;
        let contacts = st.store.count_events(Some("contact.created")).await.expect("count");
        let customers = st.store.count_customers().await.expect("count");
        let bad = [
            json!({"queue": "support", "name": "А", "email": "a@mail.kz", "locale": "ru", "consent": false}),
            json!({"queue": "support", "name": "", "email": "a@mail.kz", "locale": "ru", "consent": true}),
            json!({"queue": "support", "name": "А", "email": "not-an-email", "locale": "ru", "consent": true}),
            json!({"queue": "support", "name": "А", "locale": "ru", "consent": true}),
            json!({"queue": "support", "name": "А", "phone": "12", "locale": "ru", "consent": true}),
            json!({"queue": "nope", "name": "А", "email": "a@mail.kz", "locale": "ru", "consent": true}),
            json!({"queue": "support", "name": "А", "email": "a@mail.kz", "text": "x".repeat(4001), "consent": true}),
        ];
        for b in &bad {
            let r = post_json(&app, "/chat/api/start", b).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {b} → {}", r.body);
            assert!(r.json()["error"].is_string() && r.json()["fields"].is_object(), "{}", r.body);
        }
        let r = app
            .send(build(Method::POST, "/chat/api/start", &[("content-type", "application/json")], Body::from("{nope")))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{kind}");
        let r = post_json(&app, "/chat/api/offline", &json!({"queue": "support", "name": "А", "consent": true})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {}", r.body);
        assert_eq!(st.store.count_chat_rows().await.expect("count"), (0, 0), "{kind}: nothing stored");
        assert_eq!(st.store.count_events(Some("contact.created")).await.expect("count"), contacts);
        assert_eq!(st.store.count_customers().await.expect("count"), customers, "{kind}: no customer left behind");
        // Unknown sessions are refused on every route.
        let r = post_json(&app, "/chat/api/transcript", &json!({"session": "nope"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"], "unknown-session");
        // CORS preflight from any origin.
        let headers = [("origin", "https://shop.test"), ("access-control-request-method", "POST")];
        let r = app.send(build(Method::OPTIONS, "/chat/api/start", &headers, Body::empty())).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{kind}");
        assert_eq!(r.headers.get("access-control-allow-origin").map(|v| v.as_bytes()), Some(&b"*"[..]));
        assert!(r.headers.get("access-control-allow-headers").is_some());
        // The demo page embeds the widget with its one tag.
        let r = app.get("/chat/demo?lang=kk", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains(r#"<script src="/chat/widget.js" data-queue="support" data-lang="kk" async>"#),
            "{}",
            r.body
        );
        // The widget itself.
        let r = app.get("/chat/widget.js", &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"].to_str().unwrap_or_default().starts_with("application/javascript"));
    }
}

#[tokio::test]
async fn an_operator_with_chat_capacity_two_gets_two_chats_and_the_third_waits() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let app = common::app(db).await;
        let st = &app.state;
        let op = app.account(Role::Operator).id;
        let admin = app.account(Role::Supervisor).bearer.clone();
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/operators/{op}/capacity"),
                Some(&admin),
                Some(r#"{"capacity":{"chat":2}}"#),
            )
            .await;
        assert!(r.status.is_success(), "{kind}: {}", r.body);
        operator_ready(&app, Role::Operator).await;
        let mut contacts = Vec::new();
        for i in 0..3 {
            let r = post_json(&app, "/chat/api/start", &start_body(&format!("v{i}@mail.kz"))).await;
            assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
            contacts.push(r.json()["contact"].as_i64().expect("id"));
        }
        let mut statuses = Vec::new();
        for c in &contacts {
            let c = st.store.contact(*c).await.expect("read").expect("contact");
            statuses.push((c.status, c.operator_id));
        }
        assert_eq!(
            statuses,
            [(Status::Offered, Some(op)), (Status::Offered, Some(op)), (Status::Queued, None)],
            "{kind}: two at once, the third waits"
        );
        let pos = st.dispatch.position(contacts[2]).await.expect("waiting");
        assert_eq!(pos.position, 1, "{kind}");
    }
}

/// The first letter in `user`'s INBOX, parsed (30 s at most).
async fn first_letter(env: &MailEnv, user: &str) -> mail::Letter {
    for _ in 0..300 {
        if let Some(raw) = inbox(env, user).await.into_iter().next() {
            return mail::parse(&raw).expect("letter parses");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no letter reached {user}");
}

async fn call(router: &axum::Router, path: &str, body: &Value, bearer: Option<&str>) -> (StatusCode, Value) {
    use tower::ServiceExt;
    let auth = bearer.map(|b| format!("Bearer {b}"));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("authorization", a.as_str()));
    }
    let resp = router.clone().oneshot(build(Method::POST, path, &headers, Body::from(body.to_string()))).await;
    let resp = resp.expect("answer");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn offline_messages_are_answered_by_email_and_transcripts_arrive() {
    let Some(env) = mail_env() else {
        eprintln!("!!!! SKIPPED: SWITCHBOARD_TEST_IMAP is not set — run scripts/mail-start (scripts/test does) !!!!");
        return;
    };
    for db in testkit::databases().await {
        let kind = db.kind;
        let app = common::app(db).await;
        let mut st = app.state.clone();
        st.mail = std::sync::Arc::new(server::mail_channel::MailConfig {
            poll_every: Duration::from_millis(300),
            idle_for: Duration::from_secs(2),
            send_every: Duration::from_millis(200),
            extra_ca_file: Some(env.ca.clone().into()),
            batch: 25,
        });
        st.dispatch.reload(&st.store).await.expect("reload");
        let router = server::routes::router(st.clone());
        let tag = format!("{kind}-{}", rand::random::<u32>());
        let support = format!("chat-support-{tag}@switchboard.test");
        let visitor = format!("chat-visitor-{tag}@example.test");
        let admin = app.account(Role::Administrator).bearer.clone();
        let op = app.account(Role::Operator).bearer.clone();

        // No mailbox: a transcript cannot be sent.
        let (_, started) = call(&router, "/chat/api/start", &start_body(&visitor), None).await;
        let token = started["session"].as_str().expect("token").to_string();
        let (status, body) = call(&router, "/chat/api/transcript", &json!({"session": token}), None).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("no-mailbox")), "{kind}");

        let (imaps_host, imaps_port) = split(&env.imaps);
        let (smtp_host, smtp_port) = split(&env.smtp);
        let mailbox = json!({
            "name": "Поддержка", "address": support, "imap_host": imaps_host, "imap_port": imaps_port,
            "imap_tls": "tls", "imap_user": support, "imap_password": env.password,
            "smtp_host": smtp_host, "smtp_port": smtp_port, "smtp_tls": "starttls", "smtp_user": support,
            "smtp_password": env.password, "queue_id": app.queue, "topic": "", "signature": "Служба поддержки"
        });
        let (status, body) = call(&router, "/api/v1/mailboxes", &mailbox, Some(&admin)).await;
        assert_eq!(status, StatusCode::CREATED, "{kind}: {body}");

        // The transcript: every message, names, file names, in the session's language.
        let session = st.store.chat_session_by_token(&server::auth::token_hash(&token)).await.expect("r").expect("s");
        let operator = app.account(Role::Operator).id;
        server::chat::send_operator_message(&st, &session, operator, "Заказ будет завтра").await.expect("message");
        let file = store::chat::NewChatMessage {
            from: store::chat::Sender::Visitor,
            author_id: None,
            text: "",
            file: Some(("чек.pdf", "application/pdf", b"%PDF-1.4")),
            cid: Some("f-1"),
        };
        st.store.append_chat_message(session.id, &file).await.expect("file");
        let (status, body) = call(&router, "/chat/api/transcript", &json!({"session": token}), None).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{kind}: {body}");
        let letter = first_letter(&env, &visitor).await;
        assert!(letter.subject.starts_with("Чат жазбасы"), "{kind}: {}", letter.subject);
        for text in ["Сәлем! Тапсырыс қайда?", "Заказ будет завтра", "Тест operator", "Айгерим", "чек.pdf"]
        {
            assert!(letter.text.contains(text), "{kind}: {text} in {}", letter.text);
        }
        let letters = st.store.contact_emails(session.contact_id).await.expect("letters");
        assert_eq!(letters.iter().map(|e| e.disposition.as_str()).collect::<Vec<_>>(), ["sent"], "{kind}");
        assert_eq!(st.store.count_events(Some("chat.transcript_sent")).await.expect("count"), 1);
        let (status, _) =
            call(&router, "/chat/api/transcript", &json!({"session": token, "email": "nonsense"}), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}");

        // Offline: an email contact whose reply reaches the visitor, threaded.
        let offline_visitor = format!("chat-offline-{tag}@example.test");
        let form = json!({"queue": "support", "name": "Нурлан", "email": offline_visitor, "text": "Перезвоните мне",
            "locale": "ru", "consent": true});
        let (status, body) = call(&router, "/chat/api/offline", &form, None).await;
        assert_eq!(status, StatusCode::CREATED, "{kind}: {body}");
        let contact = body["number"].as_i64().expect("number");
        let c = st.store.contact(contact).await.expect("read").expect("contact");
        assert_eq!(c.channel, domain::contact::Channel::Email, "{kind}");
        assert_eq!(c.queue_id, Some(app.queue));
        let channel = server::mail_channel::spawn(st.clone());
        let (status, body) = call(
            &router,
            &format!("/api/v1/contacts/{contact}/replies"),
            &json!({"text": "Перезвоним сегодня."}),
            Some(&op),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{kind}: {body}");
        let reply = first_letter(&env, &offline_visitor).await;
        channel.abort();
        assert!(reply.text.contains("Перезвоним сегодня."), "{kind}: {}", reply.text);
        assert!(reply.text.contains("> Перезвоните мне"), "{kind}: the visitor's message quoted: {}", reply.text);
        assert!(reply.subject.ends_with(&format!("[#{contact}]")), "{kind}: {}", reply.subject);
        let ours = st.store.contact_emails(contact).await.expect("letters");
        assert_eq!(reply.in_reply_to.first(), Some(&ours[0].message_id), "{kind}: threaded to the offline message");
    }
}

#[tokio::test]
async fn the_contact_window_shows_the_chat_live_to_its_operator_only() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let app = common::app(db).await;
        let addr = listen(&app).await;
        let st = &app.state;
        st.dispatch.reload(&st.store).await.expect("reload");
        let op = operator_ready(&app, Role::Operator).await;
        let started = post_json(&app, "/chat/api/start", &start_body("desk@mail.kz")).await.json();
        let token = started["session"].as_str().expect("token").to_string();
        let contact = started["contact"].as_i64().expect("contact");
        wait_status(&app, contact, Status::Offered).await;
        let bearer = app.account(Role::Operator).bearer.clone();
        let r = app.api(Method::POST, &format!("/api/v1/contacts/{contact}/accept"), Some(&bearer), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{kind}");

        // The window: the conversation with the selectors the browser test uses.
        let (cookie, csrf) = app.session(op).await;
        let page = app.get(&format!("/desk/contacts/{contact}"), &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{kind}");
        for needle in [
            r#"id="chat""#,
            r#"id="chat-log""#,
            r#"class="chat-msg chat-visitor" data-seq="1" data-from="visitor""#,
            "Сәлем! Тапсырыс қайда?",
            r#"id="chat-typing" class="muted" hidden"#,
            r#"id="chat-form""#,
            r#"textarea name="text""#,
            "/static/chat-desk.js",
        ] {
            assert!(page.body.contains(needle), "{kind}: {needle} in the contact window");
        }
        // Another operator's window has no composer.
        let (other_cookie, _) = app.session(app.account(Role::SeniorOperator).id).await;
        let other = app.get(&format!("/desk/contacts/{contact}"), &[("cookie", &other_cookie)]).await;
        assert!(other.body.contains(r#"id="chat-log""#) && !other.body.contains(r#"id="chat-form""#), "{kind}");

        // Visitor activity reaches the holder's event stream, nobody else's.
        let mut mine = app.events("/desk/events", &[("cookie", &cookie)]).await;
        assert!(mine.wait_for("hello", "{}").await.is_some());
        let mut theirs = app.events("/desk/events", &[("cookie", &other_cookie)]).await;
        assert!(theirs.wait_for("hello", "{}").await.is_some());
        let mut ws = connect(addr, &token, 1).await;
        until(&mut ws, "hello").await;
        send(&mut ws, json!({"t": "typing", "on": true})).await;
        let typing = mine.wait_for("chat-typing", &format!(r#""contact":{contact}"#)).await.expect("typing");
        assert!(typing.contains(r#""on":true"#), "{kind}: {typing}");
        send(&mut ws, json!({"t": "msg", "cid": "d-1", "text": "Вы тут?"})).await;
        assert_eq!(until(&mut ws, "msg").await["seq"].as_i64(), Some(2), "{kind}: echoed");
        let chat = mine.wait_for("chat", &format!(r#""contact":{contact}"#)).await.expect("chat event");
        assert!(chat.contains(r#""seq":2"#), "{kind}: {chat}");
        assert!(theirs.wait_for("chat", &format!(r#""contact":{contact}"#)).await.is_none(), "{kind}: not to others");

        // Without JavaScript the composer posts a form and comes back.
        let r =
            app.form(&format!("/desk/contacts/{contact}/chat"), &cookie, Some(&csrf), &[("text", "Да, слушаю")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{kind}: {}", r.body);
        let got = until(&mut ws, "msg").await;
        assert_eq!((got["seq"].as_i64(), got["text"].as_str()), (Some(3), Some("Да, слушаю")), "{kind}");
        let r = app.form(&format!("/desk/contacts/{contact}/chat"), &cookie, None, &[("text", "без csrf")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{kind}: CSRF still guards the desk");

        // The visitor ends: a system message; the contact stays in work for the wrap-up.
        send(&mut ws, json!({"t": "end"})).await;
        let sys = until(&mut ws, "msg").await;
        assert_eq!(sys["from"], "system", "{kind}");
        assert_eq!(until(&mut ws, "ended").await, json!({"t": "ended"}));
        let c = st.store.contact(contact).await.expect("read").expect("contact");
        assert_eq!((c.status, c.operator_id), (Status::InWork, Some(op)), "{kind}");
        let page = app.get(&format!("/desk/contacts/{contact}"), &[("cookie", &cookie)]).await;
        assert!(page.body.contains(r#"data-seq="4" data-from="system""#), "{kind}");
        // A reload of the widget after its end is told so again.
        drop(ws);
        let mut ws = connect(addr, &token, 4).await;
        assert_eq!(next(&mut ws).await["t"], "hello");
        assert_eq!(next(&mut ws).await, json!({"t": "ended"}), "{kind}");
    }
}

#[tokio::test]
async fn offline_messages_without_a_mailbox_are_kept_and_limited_per_address() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let app = common::app(db).await;
        let st = &app.state;
        let before = st.store.count_events(Some("contact.created")).await.expect("count");
        for i in 0..server::chat::MAX_OFFLINE {
            let form = json!({"queue": "support", "name": "Нурлан", "email": format!("n{i}@mail.kz"),
                "text": format!("Сообщение {i}"), "locale": "ru", "consent": true});
            let r = post_json(&app, "/chat/api/offline", &form).await;
            assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
            let contact = r.json()["number"].as_i64().expect("number");
            let c = st.store.contact(contact).await.expect("read").expect("contact");
            assert_eq!(c.channel, domain::contact::Channel::Email, "{kind}");
            let notes = st.store.contact_notes(contact).await.expect("notes");
            assert_eq!(notes.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(), [format!("Сообщение {i}")]);
        }
        let form = json!({"queue": "support", "name": "Нурлан", "email": "spam@mail.kz", "text": "ещё",
            "locale": "ru", "consent": true});
        let r = post_json(&app, "/chat/api/offline", &form).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{kind}: {}", r.body);
        assert_eq!(r.json()["error"], "rate-limited");
        let after = st.store.count_events(Some("contact.created")).await.expect("count");
        assert_eq!(after - before, server::chat::MAX_OFFLINE, "{kind}: the refused one stored nothing");
    }
}

#[tokio::test]
async fn customer_notices_reach_an_online_visitor_as_a_replayable_chat_message() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let app = common::app(db).await;
        let addr = listen(&app).await;
        let st = app.state.clone();
        let r = post_json(&app, "/chat/api/start", &start_body("notice.visitor@shop.test")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        let started = r.json();
        let token = started["session"].as_str().expect("session").to_string();
        let contact = started["contact"].as_i64().expect("contact");
        let mut ws = connect(addr, &token, 0).await;
        until(&mut ws, "hello").await;

        // The registration notice: a system message in the open chat, in Kazakh.
        server::notices::deliver_due(&st, store::now_ms()).await.expect("round");
        let notices = st.store.contact_notifications(contact).await.expect("notices");
        let registered = notices.iter().find(|n| n.template_key == "notice-registered").expect("registered");
        assert_eq!((registered.status.as_str(), registered.via.as_str()), ("sent", "chat"), "{kind}: {registered:?}");
        assert_eq!(registered.locale, "kk", "{kind}");
        let told = loop {
            let f = until(&mut ws, "msg").await;
            if f["from"] == "system" {
                break f;
            }
        };
        assert!(told["text"].as_str().is_some_and(|t| t.contains(&registered.body)), "{kind}: {told}");
        let seq = told["seq"].as_i64().expect("seq");
        // Stored like every message: a reconnect replays it.
        drop(ws);
        let mut again = connect(addr, &token, seq - 1).await;
        let replayed = until(&mut again, "msg").await;
        assert_eq!((replayed["seq"].as_i64(), replayed["from"].as_str()), (Some(seq), Some("system")), "{kind}");
        drop(again);

        // With the visitor gone the chat sender stops offering itself (route falls back to e-mail / SMS).
        tokio::time::sleep(Duration::from_millis(200)).await;
        let session = st.store.chat_session_of_contact(contact).await.expect("read").expect("session");
        assert!(!st.chat.online(session.id), "{kind}: no socket open");
    }
}
