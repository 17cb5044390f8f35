//! Work on a contact through the API and the contact window, on every
//! database kind: notes, attachments, links, replies from templates, close
//! and reopen (re-routed to a ready operator), waiting, and the customer
//! notices written with each visible status change — and never with a
//! refused one. Bad input is a JSON 4xx and writes nothing.

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use domain::Role;

use common::{build, Reply, TestApp};

const BOUNDARY: &str = "----switchboard-test-boundary";

/// A multipart body with an optional CSRF field and one file field.
fn multipart(csrf: Option<&str>, filename: &str, content_type: &str, content: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(token) = csrf {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload_api(app: &TestApp, bearer: &str, contact: i64, body: Vec<u8>) -> Reply {
    let auth = format!("Bearer {bearer}");
    let ctype = format!("multipart/form-data; boundary={BOUNDARY}");
    let headers = [("authorization", auth.as_str()), ("content-type", ctype.as_str())];
    app.send(build(Method::POST, &format!("/api/v1/contacts/{contact}/attachments"), &headers, Body::from(body))).await
}

async fn upload_page(app: &TestApp, cookie: &str, contact: i64, body: Vec<u8>) -> Reply {
    let ctype = format!("multipart/form-data; boundary={BOUNDARY}");
    let headers = [("cookie", cookie), ("content-type", ctype.as_str())];
    app.send(build(Method::POST, &format!("/desk/contacts/{contact}/attachments"), &headers, Body::from(body))).await
}

fn error_code(r: &Reply) -> String {
    r.json()["error"]["code"].as_str().unwrap_or_default().to_string()
}

async fn notice_keys(app: &TestApp, contact: i64) -> Vec<String> {
    let store = &app.state.store;
    store.contact_notifications(contact).await.expect("notices").into_iter().map(|n| n.template_key).collect()
}

#[tokio::test]
async fn notes_attachments_links_and_replies_through_the_api() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let op = app.account(Role::Operator);
        let qa = app.account(Role::QualitySpecialist);
        let c = app.contact;
        let api = |m: Method, path: String, json: Option<&'static str>| {
            let bearer = op.bearer.clone();
            let app = &app;
            async move { app.api(m, &path, Some(&bearer), json).await }
        };

        // Notes: round trip; blank, too long, unknown fields, missing contact refused with JSON; none written.
        let r =
            api(Method::POST, format!("/api/v1/contacts/{c}/notes"), Some(r#"{"text":"Просит перезвонить"}"#)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        assert_eq!(r.json()["author_name"], "Тест operator", "{k}");
        for bad in [r#"{"text":"   "}"#, r#"{"text":"x","extra":1}"#, r#"{}"#] {
            let r = api(Method::POST, format!("/api/v1/contacts/{c}/notes"), Some(bad)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: {bad}");
            assert!(!error_code(&r).is_empty() && r.json()["error"]["message"].is_string(), "{k}: {}", r.body);
        }
        let long = format!(r#"{{"text":"{}"}}"#, "я".repeat(4001));
        let r = app.api(Method::POST, &format!("/api/v1/contacts/{c}/notes"), Some(&op.bearer), Some(&long)).await;
        assert_eq!(
            (r.status, r.json()["error"]["message"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("text: note-too-long"))
        );
        let r = api(Method::POST, "/api/v1/contacts/9999/notes".into(), Some(r#"{"text":"x"}"#)).await;
        assert_eq!((r.status, error_code(&r).as_str()), (StatusCode::NOT_FOUND, "not_found"), "{k}");
        let r = api(Method::GET, format!("/api/v1/contacts/{c}/notes"), None).await;
        assert_eq!(r.json().as_array().map(Vec::len), Some(1), "{k}");
        assert_eq!(store.count_events(Some("contact.note_added")).await.expect(k), 1, "{k}");
        let r = app.api(Method::GET, &format!("/api/v1/contacts/{c}/notes"), Some(&qa.bearer), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}: quality has no desk");

        // Attachments: upload, download the same bytes as a download; empty, missing, too big refused.
        let bytes: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let r =
            upload_api(&app, &op.bearer, c, multipart(None, "../../Скан чека.pdf", "application/pdf", &bytes)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        assert_eq!(r.json()["filename"], "Скан чека.pdf", "{k}: the path is dropped");
        let href = r.json()["href"].as_str().expect("href").to_string();
        let auth = format!("Bearer {}", op.bearer);
        let got = app.send(build(Method::GET, &href, &[("authorization", &auth)], Body::empty())).await;
        assert_eq!(got.status, StatusCode::OK, "{k}");
        assert_eq!(got.headers["content-type"], "application/pdf");
        assert!(got.headers["content-disposition"].to_str().is_ok_and(|d| d.starts_with("attachment;")), "{k}");
        assert_eq!(got.headers["x-content-type-options"], "nosniff");
        let a = store.contact_attachments(c).await.expect(k);
        let stored = store.attachment(c, a[0].id).await.expect(k).expect("stored");
        assert_eq!(stored.content, bytes, "{k}");
        let r = upload_api(&app, &op.bearer, c, multipart(None, "empty.txt", "text/plain", b"")).await;
        assert_eq!(
            (r.status, r.json()["error"]["message"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("file: attachment-empty"))
        );
        let big = vec![7u8; domain::contact_work::MAX_ATTACHMENT_BYTES + 1];
        let r = upload_api(&app, &op.bearer, c, multipart(None, "big.bin", "application/octet-stream", &big)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}: over 10 MiB but within the upload limit");
        let huge = vec![7u8; server::routes::UPLOAD_BODY_LIMIT + 1];
        let r = upload_api(&app, &op.bearer, c, multipart(None, "huge.bin", "application/octet-stream", &huge)).await;
        assert_eq!((r.status, error_code(&r).as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"), "{k}");
        let r = api(Method::POST, format!("/api/v1/contacts/{c}/attachments"), Some("{}")).await;
        assert_eq!((r.status, error_code(&r).as_str()), (StatusCode::BAD_REQUEST, "bad_multipart"), "{k}");
        let r = upload_api(&app, &op.bearer, 9999, multipart(None, "a.txt", "text/plain", b"x")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{k}");
        let r = api(Method::GET, format!("/api/v1/contacts/{c}/attachments/9999"), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{k}");
        assert_eq!(store.contact_attachments(c).await.expect(k).len(), 1, "{k}: nothing else written");
        let qa_get = format!("Bearer {}", qa.bearer);
        let r = app.send(build(Method::GET, &href, &[("authorization", &qa_get)], Body::empty())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}: the download checks the role");

        // Links.
        let other = store
            .create_contact(
                &store::contacts::NewContact {
                    channel: domain::contact::Channel::Email,
                    direction: domain::contact::Direction::Inbound,
                    contact_type: domain::contact::ContactType::Information,
                    topic: String::new(),
                    priority: 0,
                    subject: "Повтор".into(),
                    customer_id: None,
                    queue_id: app.queue,
                },
                &store::AuditActor::cli(),
            )
            .await
            .expect("other contact")
            .id;
        let link = |json: String| {
            let bearer = op.bearer.clone();
            let app = &app;
            async move {
                app.api(Method::POST, &format!("/api/v1/contacts/{other}/links"), Some(&bearer), Some(&json)).await
            }
        };
        let r = link(format!(r#"{{"kind":"duplicate_of","contact_id":{c}}}"#)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let r = link(format!(r#"{{"kind":"duplicate_of","contact_id":{c}}}"#)).await;
        assert_eq!((r.status, error_code(&r).as_str()), (StatusCode::CONFLICT, "link_exists"), "{k}");
        let r = link(format!(r#"{{"kind":"related","contact_id":{other}}}"#)).await;
        assert_eq!(
            (r.status, r.json()["error"]["message"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("contact_id: link-self"))
        );
        let r = link(r#"{"kind":"related","contact_id":9999}"#.into()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{k}");
        let r = link(r#"{"kind":"order"}"#.into()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let r = link(r#"{"kind":"order","order_ref":"ЗК-1024"}"#.into()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        assert_eq!(store.count_events(Some("contact.linked")).await.expect(k), 2, "{k}");

        // Replies from a template: filled from the contact; a blank left is refused until given.
        let r = api(Method::POST, format!("/api/v1/contacts/{c}/replies"), Some(r#"{"template_id":1}"#)).await;
        assert_eq!(
            (r.status, r.json()["error"]["message"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("text: reply-unfilled"))
        );
        let body = r#"{"template_id":1,"variables":{"company_name":"Азық-Түлік"}}"#;
        let r = api(Method::POST, format!("/api/v1/contacts/{c}/replies"), Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}: {}", r.body);
        let text = r.json()["text"].as_str().unwrap_or_default().to_string();
        assert!(
            text.contains("Ахметова Айгерим Сериковна")
                && text.contains("Тест operator")
                && text.contains("Азық-Түлік")
        );
        assert_eq!((r.json()["status"].as_str(), r.json()["channel"].as_str()), (Some("pending"), Some("voice")));
        let r =
            api(Method::POST, format!("/api/v1/contacts/{c}/replies"), Some(r#"{"text":"Спасибо за ожидание"}"#)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{k}");
        for (bad, status) in
            [(r#"{}"#, StatusCode::UNPROCESSABLE_ENTITY), (r#"{"template_id":999}"#, StatusCode::NOT_FOUND)]
        {
            let r = api(Method::POST, format!("/api/v1/contacts/{c}/replies"), Some(bad)).await;
            assert_eq!(r.status, status, "{k}: {bad}");
        }
        assert_eq!(store.count_events(Some("contact.reply_recorded")).await.expect(k), 2, "{k}");

        // The notice of registration, in the customer's language (kk).
        let r = api(Method::GET, format!("/api/v1/contacts/{c}/notifications"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{k}");
        let list = r.json();
        assert_eq!(list[0]["template_key"], "notice-registered", "{k}");
        assert_eq!(list[0]["locale"], "kk", "{k}");
        assert_eq!(list[0]["customer_id"], app.customer, "{k}");
        assert!(list[0]["text"].as_str().is_some_and(|t| t.contains("өтінішіңіз") && t.contains(&c.to_string())));
        let r = api(Method::GET, "/api/v1/contacts/9999/notifications".into(), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{k}");
    }
}

#[tokio::test]
async fn close_reopen_and_waiting_with_their_notices_and_routing() {
    for db in testkit::databases().await {
        let app = common::app(db).await;
        let k = app.db.kind;
        let store = &app.state.store;
        let op = app.account(Role::Operator);
        let other = app.account(Role::SeniorOperator);
        let sup = app.account(Role::Supervisor);
        store.add_queue_member(app.queue, op.id).await.expect("member");
        app.state.dispatch.reload(store).await.expect("reload");
        let c = app.contact;
        let call = |who: &str, m: Method, path: &str, json: Option<&str>| {
            let (app, who, path, json) = (&app, who.to_string(), path.to_string(), json.map(str::to_string));
            async move { app.api(m, &path, Some(&who), json.as_deref()).await }
        };
        let path = |action: &str| format!("/api/v1/contacts/{c}/{action}");

        let r = call(&op.bearer, Method::PUT, "/api/v1/me/state", Some(r#"{"state":"ready"}"#)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}");
        let r = call(&op.bearer, Method::POST, &path("accept"), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);

        // Close is refused while in work, and the customer hears nothing of it.
        let r = call(&op.bearer, Method::POST, &path("close"), None).await;
        assert_eq!((r.status, error_code(&r).as_str()), (StatusCode::CONFLICT, "wrong_status"), "{k}");
        let r = call(&op.bearer, Method::POST, &path("reopen"), Some(r#"{"reason":"x"}"#)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{k}");
        assert_eq!(notice_keys(&app, c).await, ["notice-registered"], "{k}");

        // Waiting on the customer is told; on a department is not; refusals write nothing.
        let r = call(&op.bearer, Method::POST, &path("waiting"), Some(r#"{"status":"waiting_customer"}"#)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);
        let r = call(&op.bearer, Method::POST, &path("waiting"), Some(r#"{"status":"waiting_department"}"#)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{k}: only from in work");
        let r = call(&op.bearer, Method::POST, &path("waiting"), Some(r#"{"status":"resolved"}"#)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let r = call(&other.bearer, Method::POST, &path("waiting"), Some(r#"{"status":"in_work"}"#)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{k}: not the holder");
        let r = call(&op.bearer, Method::POST, &path("waiting"), Some(r#"{"status":"in_work"}"#)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}");
        assert_eq!(notice_keys(&app, c).await, ["notice-registered", "notice-waiting-customer"], "{k}");

        let wrapup = r#"{"summary":"Ответили","outcome":"answered"}"#;
        let r = call(&op.bearer, Method::POST, &path("resolve"), Some(wrapup)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);

        // Close: not by another operator; by the resolver, once.
        let r = call(&other.bearer, Method::POST, &path("close"), None).await;
        assert_eq!((r.status, error_code(&r).as_str()), (StatusCode::CONFLICT, "not_yours"), "{k}");
        let r = call(&op.bearer, Method::POST, &path("close"), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);
        let r = call(&op.bearer, Method::POST, &path("close"), None).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{k}: twice");
        assert_eq!(store.contact(c).await.expect(k).map(|c| c.status), Some(domain::contact::Status::Closed));

        // Reopen (by anyone at the desk) puts it back through routing: the ready operator is offered it.
        let r = call(&other.bearer, Method::POST, &path("reopen"), Some(r#"{"reason":" "}"#)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{k}");
        let r = call(&other.bearer, Method::POST, &path("reopen"), Some(r#"{"reason":"Клиент перезвонил"}"#)).await;
        assert_eq!(r.status, StatusCode::OK, "{k}: {}", r.body);
        assert_eq!((r.json()["status"].as_str(), r.json()["operator_id"].as_i64()), (Some("offered"), Some(op.id)));
        assert_eq!(r.json()["routing"], "offered", "{k}");
        assert_eq!(
            notice_keys(&app, c).await,
            ["notice-registered", "notice-waiting-customer", "notice-resolved", "notice-closed", "notice-reopened"],
            "{k}"
        );

        // A supervisor may close a contact someone else resolved.
        call(&op.bearer, Method::POST, &path("accept"), None).await;
        let r = call(&op.bearer, Method::POST, &path("resolve"), Some(wrapup)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}");
        let r = call(&sup.bearer, Method::POST, &path("close"), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{k}: {}", r.body);
        assert_eq!(store.count_events(Some("contact.case_closed")).await.expect(k), 2, "{k}");
        assert_eq!(store.count_events(Some("contact.reopened")).await.expect(k), 1, "{k}");
    }
}

#[tokio::test]
async fn the_contact_window_offers_the_work_as_plain_forms() {
    let app = common::app(testkit::sqlite()).await;
    let store = &app.state.store;
    let op = app.account(Role::Operator);
    let (cookie, csrf) = app.session(op.id).await;
    let c = app.contact;
    let page_path = format!("/desk/contacts/{c}");
    let form = |action: &str, fields: Vec<(&'static str, String)>| {
        let (app, cookie, csrf, path) = (&app, cookie.clone(), csrf.clone(), format!("/desk/contacts/{c}/{action}"));
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.form(&path, &cookie, Some(&csrf), &pairs).await
        }
    };

    let r = form("notes", vec![("text", "Клиент раздражён, говорить мягко".into())]).await;
    assert_eq!(r.location(), Some(format!("{page_path}#notes").as_str()), "{}", r.body);
    let r = form("notes", vec![("text", "  ".into())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Напишите текст заметки"), "a clear message: {}", r.body);

    // Upload through the multipart form: the CSRF field is checked inside it.
    let r = upload_page(&app, &cookie, c, multipart(Some(&csrf), "фото.jpg", "image/jpeg", b"jpg")).await;
    assert_eq!(r.location(), Some(format!("{page_path}#attachments").as_str()), "{}", r.body);
    let r = upload_page(&app, &cookie, c, multipart(None, "x.jpg", "image/jpeg", b"\xFF")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token, no upload");
    let r = upload_page(&app, &cookie, c, multipart(Some("wrong"), "x.jpg", "image/jpeg", b"\xFF")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = upload_page(&app, &cookie, c, multipart(Some(&csrf), "empty.jpg", "image/jpeg", b"")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Файл пустой"), "{}", r.body);
    assert_eq!(store.contact_attachments(c).await.expect("list").len(), 1);

    let r = form("links", vec![("kind", "related".into()), ("target", "№ 9999".into())]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Обращения с таким номером нет"), "{}", r.body);
    let r = form("links", vec![("kind", "duplicate_of".into()), ("target", c.to_string())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = form("links", vec![("kind", "order".into()), ("target", "ЗК-77".into())]).await;
    assert_eq!(r.location(), Some(format!("{page_path}#links").as_str()), "{}", r.body);

    // The composer starts from a template filled from the contact.
    let page = app.get(&format!("{page_path}?template=2"), &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains(&format!("Ахметова Айгерим Сериковна, ваше обращение зарегистрировано под номером {c}")));
    let r = form("replies", vec![("text", "Ответ с {{deadline_date}}".into()), ("template_id", "2".into())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "blanks must be filled");
    let r = form("replies", vec![("text", "Ответим до пятницы.".into()), ("template_id", "2".into())]).await;
    assert_eq!(r.location(), Some(format!("{page_path}#replies").as_str()), "{}", r.body);

    let page = app.get(&page_path, &[("cookie", &cookie)]).await;
    for part in [
        "Клиент раздражён",
        "фото.jpg",
        "ЗК-77",
        "Ответим до пятницы.",
        "id=\"notices\"",
        "өтінішіңіз тіркелді",
        "id=\"attachment-form\"",
        "enctype=\"multipart/form-data\"",
    ] {
        assert!(page.body.contains(part), "the window shows {part}");
    }
    assert!(!page.body.contains("id=\"close-form\""), "nothing to close while queued");
    let a = store.contact_attachments(c).await.expect("list");
    let file = app.get(&format!("/desk/contacts/{c}/attachments/{}", a[0].id), &[("cookie", &cookie)]).await;
    assert_eq!((file.status, file.body.len()), (StatusCode::OK, 3));
    let r = form("close", vec![]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = form("waiting", vec![("status", "waiting_customer".into())]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not held by this operator");

    // The customer card's timeline shows the note.
    let card = app.get(&format!("/desk/customers/{}", app.customer), &[("cookie", &cookie)]).await;
    assert!(card.body.contains("Клиент раздражён"), "note in the timeline");
}
