//! The email channel against real servers (`scripts/mail-start`: Dovecot
//! IMAP over TLS, an SMTP server delivering into Dovecot), on SQLite and
//! PostgreSQL: a KOI8-R letter with an attachment becomes a contact; the
//! operator's reply reaches the customer's mailbox threaded; the customer's
//! answer threads back; an auto-reply creates and sends nothing. Also the
//! mailbox API (passwords sealed, never shown) and its refusals.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::mailbox::{inbox, mail_env, split, MailEnv};
use domain::Role;
use lettre::AsyncTransport;
use serde_json::{json, Value};
use server::mail_channel::MailConfig;

/// Sends a raw letter through the test SMTP server (no TLS, no auth).
async fn smtp_raw(env: &MailEnv, from: &str, to: &str, raw: &[u8]) {
    let (host, port) = split(&env.smtp);
    let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(host).port(port).build();
    // An empty sender is the null reverse-path of bounces.
    let from = (!from.is_empty()).then(|| from.parse().expect("from"));
    let envelope = lettre::address::Envelope::new(from, vec![to.parse().expect("to")]).expect("envelope");
    transport.send_raw(&envelope, raw).await.expect("SMTP accepted the letter");
}

async fn wait_for<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let head = raw.split("\r\n\r\n").next()?;
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// "Здравствуйте! Где мой заказ?" in KOI8-R.
fn koi8r_question() -> Vec<u8> {
    vec![
        0xfa, 0xc4, 0xd2, 0xc1, 0xd7, 0xd3, 0xd4, 0xd7, 0xd5, 0xca, 0xd4, 0xc5, 0x21, 0x20, 0xe7, 0xc4, 0xc5, 0x20,
        0xcd, 0xcf, 0xca, 0x20, 0xda, 0xc1, 0xcb, 0xc1, 0xda, 0x3f,
    ]
}

#[tokio::test]
async fn letters_become_contacts_replies_thread_and_auto_replies_do_not_loop() {
    let Some(env) = mail_env() else {
        eprintln!("!!!! SKIPPED: SWITCHBOARD_TEST_IMAP is not set — run scripts/mail-start (scripts/test does) !!!!");
        return;
    };
    for db in testkit::databases().await {
        let kind = db.kind;
        let app = common::app(db).await;
        let mut st = app.state.clone();
        st.mail = Arc::new(MailConfig {
            poll_every: Duration::from_millis(300),
            idle_for: Duration::from_secs(2),
            send_every: Duration::from_millis(200),
            extra_ca_file: Some(env.ca.clone().into()),
            batch: 25,
        });
        let tag = format!("{kind}-{}", rand::random::<u32>());
        let support = format!("support-{tag}@switchboard.test");
        let customer = format!("client-{tag}@example.test");
        let admin = app.account(Role::Administrator).bearer.clone();
        let (imaps_host, imaps_port) = split(&env.imaps);
        let (smtp_host, smtp_port) = split(&env.smtp);
        let body = json!({
            "name": "Поддержка", "address": support, "imap_host": imaps_host, "imap_port": imaps_port,
            "imap_tls": "tls", "imap_user": support, "imap_password": env.password,
            "smtp_host": smtp_host, "smtp_port": smtp_port, "smtp_tls": "starttls", "smtp_user": support,
            "smtp_password": env.password, "queue_id": app.queue, "topic": "delivery",
            "signature": "Служба поддержки магазина"
        });
        let r = app.api(Method::POST, "/api/v1/mailboxes", Some(&admin), Some(&body.to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        let mailbox = r.json();
        assert!(!r.body.contains(&env.password), "{kind}: a password leaked: {}", r.body);
        assert_eq!(mailbox["imap_password_set"], true);
        let mailbox_id = mailbox["id"].as_i64().expect("id");
        let stored = st.store.mailbox(mailbox_id).await.expect("read").expect("mailbox");
        assert!(!stored.imap_password_sealed.contains(&env.password), "{kind}: stored in clear");
        assert_eq!(st.secrets.open(&stored.imap_password_sealed).ok().as_deref(), Some(env.password.as_str()));
        let contacts_before = count_contacts(&st).await;

        let channel = server::mail_channel::spawn(st.clone());

        // 1. A KOI8-R letter with an attachment becomes a contact.
        let mut raw = format!(
            "From: =?koi8-r?B?8NXby8nO?= <{customer}>\r\nTo: {support}\r\nSubject: =?koi8-r?B?2sHLwdo=?=\r\n\
Message-ID: <q1-{tag}@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n\
--XX\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        )
        .into_bytes();
        raw.extend_from_slice(&koi8r_question());
        raw.extend_from_slice(
            b"\r\n--XX\r\nContent-Type: application/pdf; name=\"check.pdf\"\r\nContent-Disposition: attachment; \
filename=\"check.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfs\r\n--XX--\r\n",
        );
        smtp_raw(&env, &customer, &support, &raw).await;
        let contact = wait_for("the letter's contact", || async {
            let emails = st.store.mailbox_letters(mailbox_id).await.ok()?;
            emails.first().and_then(|e| e.contact_id)
        })
        .await;
        let c = st.store.contact(contact).await.expect("read").expect("contact");
        assert_eq!(c.channel, domain::contact::Channel::Email, "{kind}");
        assert_eq!(c.subject, "заказ", "{kind}: subject decoded from KOI8-R");
        assert_eq!(c.queue_id, Some(app.queue));
        assert_eq!(c.topic, "delivery");
        let emails = st.store.contact_emails(contact).await.expect("emails");
        assert_eq!(emails.len(), 1);
        assert_eq!(emails[0].body_text.trim(), "Здравствуйте! Где мой заказ?", "{kind}: body decoded from KOI8-R");
        assert_eq!(emails[0].message_id, format!("q1-{tag}@example.test"));
        let files = st.store.contact_attachments(contact).await.expect("files");
        assert_eq!(files.len(), 1, "{kind}: {files:?}");
        assert_eq!((files[0].filename.as_str(), files[0].content_type.as_str()), ("check.pdf", "application/pdf"));
        let pdf = st.store.attachment(contact, files[0].id).await.expect("read").expect("file");
        assert_eq!(pdf.content, b"%PDF-1.4\n%\xc7\xec");
        let cust = st.store.customer(c.customer_id.expect("customer registered")).await.expect("r").expect("c");
        assert_eq!(cust.full_name, "Пушкин");
        let (path, op) = (format!("/api/v1/contacts/{contact}/emails"), op_bearer(&app));
        let seen = app.api(Method::GET, &path, Some(&op), None).await;
        assert_eq!(seen.json().as_array().map(Vec::len), Some(1));

        // 2. The operator's reply arrives in the customer's mailbox, threaded.
        let op = op_bearer(&app);
        let reply = json!({"text": "Здравствуйте! Заказ передан в доставку."});
        let r = app
            .api(Method::POST, &format!("/api/v1/contacts/{contact}/replies"), Some(&op), Some(&reply.to_string()))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        let got = wait_for("the reply in the customer's mailbox", || async {
            inbox(&env, &customer).await.into_iter().next()
        })
        .await;
        let got = String::from_utf8_lossy(&got).to_string();
        assert_eq!(header(&got, "In-Reply-To"), Some(format!("<q1-{tag}@example.test>").as_str()), "{kind}: {got}");
        assert_eq!(header(&got, "References"), Some(format!("<q1-{tag}@example.test>").as_str()));
        let parsed = mail::parse(got.as_bytes()).expect("reply parses");
        assert!(parsed.subject.ends_with(&format!("[#{contact}]")), "{kind}: {}", parsed.subject);
        assert!(parsed.text.contains("Заказ передан в доставку."), "{}", parsed.text);
        assert!(parsed.text.contains("-- \nТест operator\nСлужба поддержки магазина"), "{}", parsed.text);
        assert!(parsed.text.contains("> Здравствуйте! Где мой заказ?"), "{}", parsed.text);
        let ours = parsed.message_id.clone().expect("our Message-ID");
        let replies = st.store.contact_replies(contact).await.expect("replies");
        assert_eq!(replies[0].status, "sent", "{kind}");
        let out = st.store.contact_emails(contact).await.expect("emails");
        assert_eq!(out.iter().filter(|e| e.direction == "out" && e.message_id == ours).count(), 1);

        // 3. The customer's answer threads into the same contact (by In-Reply-To only).
        let answer = format!(
            "From: {customer}\r\nTo: {support}\r\nSubject: Re: something else\r\nMessage-ID: <q2-{tag}@example.test>\r\n\
In-Reply-To: <{ours}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСпасибо!\r\n\r\n{support} писал:\r\n> старое\r\n"
        );
        smtp_raw(&env, &customer, &support, answer.as_bytes()).await;
        wait_for("the answer threaded", || async {
            let e = st.store.contact_emails(contact).await.ok()?;
            e.iter().any(|e| e.message_id == format!("q2-{tag}@example.test")).then_some(())
        })
        .await;
        let e = st.store.contact_emails(contact).await.expect("emails");
        let answer = e.iter().find(|e| e.message_id.starts_with("q2-")).expect("answer");
        assert_eq!(answer.body_text, "Спасибо!", "{kind}: quoted history trimmed");
        assert_eq!(answer.disposition, "threaded");
        // By the contact number in the subject alone, from the same customer.
        let by_number = format!(
            "From: {customer}\r\nTo: {support}\r\nSubject: Ещё вопрос [#{contact}]\r\nMessage-ID: <q2b-{tag}@example.test>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nИ ещё: можно курьером?\r\n"
        );
        smtp_raw(&env, &customer, &support, by_number.as_bytes()).await;
        wait_for("the letter threaded by its subject", || async {
            let e = st.store.contact_emails(contact).await.ok()?;
            e.iter().any(|e| e.message_id.starts_with("q2b-")).then_some(())
        })
        .await;
        // An HTML letter with an inline image: shown sanitised, the image from its attachment.
        let html = format!(
            "From: {customer}\r\nTo: {support}\r\nSubject: Фото [#{contact}]\r\nMessage-ID: <q2c-{tag}@example.test>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"REL\"\r\n\r\n\
--REL\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p onclick=\"steal()\">Вот фото <img src=\"cid:photo1@x\"></p>\
<script>steal()</script>\r\n--REL\r\nContent-Type: image/png\r\nContent-ID: <photo1@x>\r\n\
Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--REL--\r\n"
        );
        smtp_raw(&env, &customer, &support, html.as_bytes()).await;
        wait_for("the HTML letter", || async {
            let e = st.store.contact_emails(contact).await.ok()?;
            e.iter().any(|e| e.message_id.starts_with("q2c-")).then_some(())
        })
        .await;
        let image = st.store.contact_inline_images(contact).await.expect("inline");
        assert_eq!(image.len(), 1, "{kind}: {image:?}");
        // The contact window shows the letters.
        let (cookie, _) = app.session(app.account(Role::Operator).id).await;
        let page = app.get(&format!("/desk/contacts/{contact}"), &[("cookie", &cookie)]).await;
        assert_eq!(page.status, StatusCode::OK, "{kind}");
        assert!(page.body.contains("id=\"emails\""), "{kind}: no letters section");
        for text in ["Здравствуйте! Где мой заказ?", "Заказ передан в доставку.", "Спасибо!", "Вот фото"]
        {
            assert!(page.body.contains(text), "{kind}: the window lacks {text:?}");
        }
        let src = format!("src=\"/desk/contacts/{contact}/attachments/{}\"", image[0].1);
        assert!(page.body.contains(&src), "{kind}: the inline image is not shown from its attachment");
        assert!(!page.body.contains("steal()"), "{kind}: the letter's script reached the page");

        // 4. An auto-reply to our letter: nothing created, nothing sent.
        let auto = format!(
            "From: {customer}\r\nTo: {support}\r\nSubject: Auto: I am away\r\nMessage-ID: <q3-{tag}@example.test>\r\n\
In-Reply-To: <{ours}>\r\nAuto-Submitted: auto-replied\r\n\r\nI am on holiday.\r\n"
        );
        smtp_raw(&env, &customer, &support, auto.as_bytes()).await;
        // A letter from a stranger after it proves the poller got past the
        // auto-reply; the contact number in its subject does not join it to
        // someone else's contact.
        let later = format!(
            "From: other-{tag}@example.test\r\nTo: {support}\r\nSubject: Вопрос [#{contact}]\r\nMessage-ID: <q4-{tag}@example.test>\r\n\r\nЕсть ли доставка в Алматы?\r\n"
        );
        smtp_raw(&env, &format!("other-{tag}@example.test"), &support, later.as_bytes()).await;
        wait_for("the later letter", || async {
            let l = st.store.mailbox_letters(mailbox_id).await.ok()?;
            l.iter().any(|e| e.message_id.starts_with("q4-") && e.contact_id.is_some()).then_some(())
        })
        .await;
        let letters = st.store.mailbox_letters(mailbox_id).await.expect("letters");
        let auto = letters.iter().find(|e| e.message_id.starts_with("q3-")).expect("auto-reply recorded");
        assert_eq!((auto.disposition.as_str(), auto.contact_id), ("ignored", None), "{kind}");
        assert_eq!(auto.detail, "auto-submitted");
        assert_eq!(count_contacts(&st).await, contacts_before + 2, "{kind}: the letter and the stranger's, no more");
        assert_eq!(st.store.contact_emails(contact).await.expect("e").len(), 5, "{kind}: in, out, three answers");
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(inbox(&env, &customer).await.len(), 1, "{kind}: only the operator's reply was sent");
        let m = st.store.mailbox(mailbox_id).await.expect("r").expect("m");
        assert_eq!(m.last_uid, 6, "{kind}: the cursor passed every letter");

        // 5. A bounce of our reply is attached to the contact as a delivery failure.
        let dsn = format!(
            "From: MAILER-DAEMON@mx.example.test\r\nTo: {support}\r\nSubject: Undelivered Mail Returned to Sender\r\n\
Message-ID: <dsn-{tag}@mx.example.test>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\r\n\
--R\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver your message.\r\n\
--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.test\r\n\r\n\
Final-Recipient: rfc822; {customer}\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 mailbox full\r\n\r\n\
--R\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{ours}>\r\nSubject: Re: x\r\n\r\n--R--\r\n"
        );
        smtp_raw(&env, "", &support, dsn.as_bytes()).await;
        wait_for("the bounce", || async {
            let r = st.store.contact_replies(contact).await.ok()?;
            (r[0].status == "failed").then_some(())
        })
        .await;
        let e = st.store.contact_emails(contact).await.expect("emails");
        let bounce = e.iter().find(|e| e.disposition == "bounce").expect("bounce on the contact");
        assert!(bounce.detail.contains("5.2.2") && bounce.detail.contains("mailbox full"), "{kind}: {}", bounce.detail);
        let out = e.iter().find(|e| e.direction == "out").expect("our letter");
        assert_eq!(out.disposition, "failed", "{kind}");
        assert_eq!(st.store.count_events(Some(domain::events::CONTACT_DELIVERY_FAILED)).await.expect("n"), 1);
        assert_eq!(count_contacts(&st).await, contacts_before + 2, "{kind}: a bounce is never a contact");
        channel.abort();
    }
}

fn op_bearer(app: &common::TestApp) -> String {
    app.account(Role::Operator).bearer.clone()
}

async fn count_contacts(st: &server::AppState) -> usize {
    st.store.count_events(Some(domain::events::CONTACT_CREATED)).await.expect("count") as usize
}

#[tokio::test]
async fn mailbox_api_refuses_bad_settings_and_never_shows_passwords() {
    for db in testkit::databases().await {
        let kind = db.kind;
        let app = common::app(db).await;
        let admin = app.account(Role::Administrator).bearer.clone();
        let good = json!({"name": "Sales", "address": "sales@shop.test", "imap_host": "imap.shop.test",
            "imap_port": 993, "imap_user": "sales", "imap_password": "s3cret-imap", "smtp_host": "smtp.shop.test",
            "smtp_port": 465, "smtp_password": "s3cret-smtp", "smtp_user": "sales", "queue_id": app.queue});
        for (field, value, code) in [
            ("address", json!("not-an-address"), "address"),
            ("imap_port", json!(0), "imap_port"),
            ("smtp_tls", json!("maybe"), "smtp_tls"),
            ("imap_host", json!("bad host"), "imap_host"),
            ("name", json!(" "), "name"),
        ] {
            let mut b = good.clone();
            b[field] = value;
            let r = app.api(Method::POST, "/api/v1/mailboxes", Some(&admin), Some(&b.to_string())).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind} {field}: {}", r.body);
            assert!(r.body.contains(&format!("\"{code}: ")), "{kind}: {}", r.body);
        }
        let mut unknown_queue = good.clone();
        unknown_queue["queue_id"] = json!(999_999);
        let r = app.api(Method::POST, "/api/v1/mailboxes", Some(&admin), Some(&unknown_queue.to_string())).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{kind}: {}", r.body);
        assert_eq!(app.api(Method::GET, "/api/v1/mailboxes", Some(&admin), None).await.json(), json!([]));

        let r = app.api(Method::POST, "/api/v1/mailboxes", Some(&admin), Some(&good.to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{kind}: {}", r.body);
        let id = r.json()["id"].as_i64().expect("id");
        let again = app.api(Method::POST, "/api/v1/mailboxes", Some(&admin), Some(&good.to_string())).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{kind}: same address twice");
        // An update without passwords keeps them.
        let mut change = good.clone();
        change.as_object_mut().expect("object").remove("imap_password");
        change["name"] = json!("Продажи");
        let (path, body) = (format!("/api/v1/mailboxes/{id}"), change.to_string());
        let r = app.api(Method::PUT, &path, Some(&admin), Some(&body)).await;
        assert_eq!(r.status, StatusCode::OK, "{kind}: {}", r.body);
        let m = app.state.store.mailbox(id).await.expect("r").expect("m");
        assert_eq!(app.state.secrets.open(&m.imap_password_sealed).ok().as_deref(), Some("s3cret-imap"));
        assert_eq!(m.name, "Продажи");
        let listed = app.api(Method::GET, "/api/v1/mailboxes", Some(&admin), None).await;
        assert!(!listed.body.contains("s3cret"), "{kind}: {}", listed.body);
        let audit = app.api(Method::GET, "/api/v1/audit", Some(&admin), None).await;
        assert!(audit.body.contains("mailbox.created") && audit.body.contains("mailbox.changed"), "{kind}");
        assert!(!audit.body.contains("s3cret") && !audit.body.contains("xc20p1"), "{kind}: secrets in the audit");
        let r = app.api(Method::PUT, "/api/v1/mailboxes/999999", Some(&admin), Some(&change.to_string())).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The room: every mailbox as a form, refusals shown in place, passwords never.
        let (cookie, csrf) = app.session(app.account(Role::Administrator).id).await;
        let room = app.get("/admin/mailboxes", &[("cookie", &cookie)]).await;
        assert_eq!(room.status, StatusCode::OK, "{kind}");
        assert!(room.body.contains(&format!("id=\"mailbox-{id}\"")) && room.body.contains("id=\"mailbox-0\""));
        assert!(!room.body.contains("s3cret") && !room.body.contains("xc20p1"), "{kind}: a password on the page");
        let queue = app.queue.to_string();
        let mut fields = vec![
            ("name", "Жалобы"),
            ("address", "complaints@shop.test"),
            ("imap_host", "imap.shop.test"),
            ("imap_port", "99999"),
            ("imap_tls", "tls"),
            ("imap_user", "c"),
            ("imap_password", "pw-imap"),
            ("imap_folder", "INBOX"),
            ("smtp_host", "smtp.shop.test"),
            ("smtp_port", "587"),
            ("smtp_tls", "starttls"),
            ("queue_id", queue.as_str()),
            ("active", "1"),
        ];
        let r = app.form("/admin/mailboxes", &cookie, Some(&csrf), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}");
        assert!(r.body.contains("65535"), "{kind}: the refusal is explained");
        fields[3] = ("imap_port", "993");
        let r = app.form("/admin/mailboxes", &cookie, Some(&csrf), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{kind}: {}", r.body);
        let all = app.state.store.mailboxes().await.expect("list");
        let made = all.iter().find(|m| m.address == "complaints@shop.test").expect("made in the room");
        assert_eq!(app.state.secrets.open(&made.imap_password_sealed).ok().as_deref(), Some("pw-imap"));
        assert_eq!(made.smtp_password_sealed, "", "{kind}: no SMTP password given");

        let bad = app.api(Method::POST, "/api/v1/mailboxes", Some(&admin), Some("{\"name\": 1}")).await;
        assert!(bad.status.is_client_error());
        let _: Value = bad.json();
    }
}
