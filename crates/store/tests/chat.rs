//! Web chat in the store, on every database kind: starting a chat registers
//! customer, consent, contact, session and first message together; messages
//! are numbered 1..n per session; a repeated cid stores nothing new; files
//! belong to their own session only.

use domain::contact::{Channel, Status};
use domain::customer::{Identity, IdentityKind};
use domain::Role;
use store::chat::{NewChat, NewChatMessage, Sender};
use store::{AuditActor, NewCustomer, NewUser, Store};

async fn open(db: &testkit::TestDb) -> (Store, i64, i64) {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let queue = store.create_queue("support", "Поддержка", "Қолдау", "Support").await.expect("queue").id;
    let new = NewUser {
        login: "op.chat".into(),
        name: "Оператор Дана".into(),
        password_hash: "x".into(),
        locale: "ru".into(),
        roles: vec![Role::Operator],
    };
    let op = store.create_user(&new, &AuditActor::cli()).await.expect("user").id;
    (store, queue, op)
}

fn chat(token: &str, queue: i64, email: &str, text: Option<&str>) -> NewChat {
    NewChat {
        token_hash: token.into(),
        queue_id: queue,
        name: "Айгерим".into(),
        identities: vec![Identity::new(IdentityKind::Email, email).expect("email")],
        topic: String::new(),
        subject: "Где мой заказ?".into(),
        text: text.map(str::to_string),
        locale: "kk".into(),
        page_url: "https://shop.test/cart".into(),
    }
}

#[tokio::test]
async fn a_chat_starts_with_its_contact_customer_and_first_message() {
    for db in testkit::databases().await {
        let (store, queue, _) = open(&db).await;
        let existing = store
            .create_customers(&[NewCustomer {
                full_name: "Ахметова Айгерим".into(),
                phone: String::new(),
                email: "aigerim@mail.kz".into(),
                client_type: "retail".into(),
                locale: "kk".into(),
                created_at: 0,
                consent_at: None,
            }])
            .await
            .expect("customer")[0];
        let started = store.start_chat(&chat("h1", queue, " Aigerim@Mail.KZ ", Some("Сәлем"))).await.expect("start");
        assert_eq!(started.customer_id, existing, "{}: found by the normalised e-mail", db.kind);
        assert_eq!(started.contact.channel, Channel::Chat);
        assert_eq!(started.contact.status, Status::Queued);
        assert_eq!(started.contact.queue_id, Some(queue));
        assert_eq!(started.session.visitor_email, "aigerim@mail.kz");
        let first = started.first.expect("first message");
        assert_eq!((first.seq, first.from, first.text.as_str()), (1, Sender::Visitor, "Сәлем"));
        assert_eq!(first.name, "Айгерим");
        let customer = store.customer(existing).await.expect("read").expect("customer");
        assert!(customer.consent, "{}: consent recorded", db.kind);
        let kinds: Vec<String> =
            store.contact_events(started.contact.id).await.expect("events").into_iter().map(|e| e.kind).collect();
        for k in ["contact.created", "chat.started", "chat.message"] {
            assert!(kinds.iter().any(|x| x == k), "{}: {k} in {kinds:?}", db.kind);
        }
        assert_eq!(store.chat_session_by_token("h1").await.expect("read").map(|s| s.id), Some(started.session.id));
        // A stranger is registered as a new customer.
        let other = store.start_chat(&chat("h2", queue, "new@mail.kz", None)).await.expect("start");
        assert_ne!(other.customer_id, existing);
        assert!(other.first.is_none());
        // A token twice is refused.
        assert!(store.start_chat(&chat("h2", queue, "new@mail.kz", None)).await.is_err());
    }
}

#[tokio::test]
async fn messages_are_numbered_and_a_repeated_cid_is_the_same_message() {
    for db in testkit::databases().await {
        let (store, queue, op) = open(&db).await;
        let s = store.start_chat(&chat("h1", queue, "a@mail.kz", Some("привет"))).await.expect("start").session;
        let visitor = |cid: &'static str, text: &'static str| NewChatMessage {
            from: Sender::Visitor,
            author_id: None,
            text,
            file: None,
            cid: Some(cid),
        };
        let (m2, new2) = store.append_chat_message(s.id, &visitor("c-1", "есть вопрос")).await.expect("append");
        assert!(new2);
        assert_eq!(m2.seq, 2);
        let (again, new_again) = store.append_chat_message(s.id, &visitor("c-1", "есть вопрос")).await.expect("resend");
        assert!(!new_again, "{}: a resend stores nothing", db.kind);
        assert_eq!(again.id, m2.id);
        assert_eq!(again.cid.as_deref(), Some("c-1"));
        let op_msg =
            NewChatMessage { from: Sender::Operator, author_id: Some(op), text: "Слушаю", file: None, cid: None };
        let (m3, _) = store.append_chat_message(s.id, &op_msg).await.expect("operator");
        assert_eq!((m3.seq, m3.name.as_str()), (3, "Оператор Дана"));
        let file = NewChatMessage {
            from: Sender::Visitor,
            author_id: None,
            text: "",
            file: Some(("чек.pdf", "application/pdf", b"%PDF-1.4")),
            cid: Some("c-2"),
        };
        let (m4, _) = store.append_chat_message(s.id, &file).await.expect("file");
        let f = m4.file.clone().expect("file meta");
        assert_eq!((f.name.as_str(), f.size, f.content_type.as_str()), ("чек.pdf", 8, "application/pdf"));
        let all = store.chat_messages(s.id, 0).await.expect("list");
        assert_eq!(all.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        assert_eq!(store.chat_messages(s.id, 2).await.expect("after").len(), 2);
        // The file belongs to this session only.
        assert!(store.chat_file(s.id, f.id).await.expect("read").is_some());
        let other = store.start_chat(&chat("h2", queue, "b@mail.kz", None)).await.expect("other").session;
        assert!(store.chat_file(other.id, f.id).await.expect("read").is_none(), "{}: not another's", db.kind);
        // Ending once appends the system message; twice changes nothing.
        let end = store.end_chat(s.id, "Чат завершён").await.expect("end").expect("ended");
        assert_eq!((end.seq, end.from), (5, Sender::System));
        assert!(store.end_chat(s.id, "Чат завершён").await.expect("end again").is_none());
        assert!(store.chat_session(s.id).await.expect("read").expect("session").ended_at.is_some());
        let events = store.count_events(Some("chat.message")).await.expect("count");
        assert_eq!(events, 5, "{}: one event per stored message", db.kind);
    }
}

#[tokio::test]
async fn a_visitor_writing_on_a_chat_that_waits_on_them_puts_it_back_in_work() {
    for db in testkit::databases().await {
        let (store, queue, op) = open(&db).await;
        let started = store.start_chat(&chat("w1", queue, "wait@mail.kz", Some("Сәлем"))).await.expect("start");
        let c = started.contact.id;
        store.present_contact(c, op).await.expect("offer");
        store.accept_contact(c, op).await.expect("accept");
        store.set_contact_waiting(c, op, Status::WaitingCustomer).await.expect("wait");
        // The operator's own message changes nothing.
        let from_operator = NewChatMessage {
            from: Sender::Operator,
            author_id: Some(op),
            text: "Чек жіберіңізші",
            file: None,
            cid: None,
        };
        store.append_chat_message(started.session.id, &from_operator).await.expect("append");
        let status = |s: &Store| {
            let s = s.clone();
            async move { s.contact(c).await.expect("read").expect("contact").status }
        };
        assert_eq!(status(&store).await, Status::WaitingCustomer, "{}", db.kind);
        // The visitor's answer does, in the same transaction as the message.
        let from_visitor =
            NewChatMessage {
                from: Sender::Visitor, author_id: None, text: "Міне, чек", file: None, cid: Some("a1")
            };
        store.append_chat_message(started.session.id, &from_visitor).await.expect("append");
        let contact = store.contact(c).await.expect("read").expect("contact");
        assert_eq!((contact.status, contact.operator_id), (Status::InWork, Some(op)), "{}", db.kind);
        let kinds: Vec<String> = store.contact_events(c).await.expect("events").into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds.last().map(String::as_str), Some("contact.status_changed"), "{}: {kinds:?}", db.kind);
    }
}
