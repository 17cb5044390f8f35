//! The messenger channel's storage on every database kind: an update is
//! processed exactly once, messages thread into the customer's open
//! contact, a finished contact makes the next message a new one, and bot
//! changes log settings only (never the sealed token or the secret's hash).

use domain::contact::{Channel, Status, WrapUp};
use domain::telegram::Sender;
use store::telegram::{BotSettings, Delivery, IncomingUpdate, UpdateKind, UpdateOutcome};
use store::{AuditActor, NewUser, Store, StoreError};

async fn open(db: &testkit::TestDb) -> Store {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

fn sender(user: i64) -> Sender {
    Sender { user_id: user, chat_id: user, name: "Асель Нурланова".into(), locale: "kk" }
}

fn message(bot_id: i64, update_id: i64, user: i64, text: &str) -> IncomingUpdate {
    IncomingUpdate {
        bot_id,
        update_id,
        kind: UpdateKind::Message {
            sender: sender(user),
            message_id: update_id,
            text: text.into(),
            file: None,
            phone: None,
        },
    }
}

#[tokio::test]
async fn updates_are_processed_once_and_thread_into_the_open_contact() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let queue = store.create_queue("support", "Поддержка", "Қолдау", "Support").await.expect("queue").id;
        let settings = BotSettings {
            name: "Бот".into(),
            token_sealed: Some("xc20p1:sealed-token-text".into()),
            api_base: "https://api.telegram.org/".into(),
            queue_id: queue,
            greeting: String::new(),
            active: true,
        };
        let missing = BotSettings { token_sealed: None, ..settings.clone() };
        let r = store.create_telegram_bot(&missing, "h0", &AuditActor::cli()).await;
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{k}: a token is required");
        let unknown_queue = BotSettings { queue_id: 999_999, ..settings.clone() };
        let r = store.create_telegram_bot(&unknown_queue, "h0", &AuditActor::cli()).await;
        assert!(matches!(r, Err(StoreError::NotFound(_))), "{k}: {r:?}");
        let bot = store.create_telegram_bot(&settings, "secret-hash-1", &AuditActor::cli()).await.expect("bot");
        assert_eq!(bot.api_base, "https://api.telegram.org", "{k}: trailing slash trimmed");
        assert_eq!(store.telegram_bot_by_secret("secret-hash-1").await.expect("r").map(|b| b.id), Some(bot.id));

        let first = store.ingest_update(&message(bot.id, 1, 42, "Сәлем")).await.expect("ingest");
        let UpdateOutcome::Created(c) = first else { panic!("{k}: {first:?}") };
        assert_eq!((c.channel, c.status, c.queue_id), (Channel::Messenger, Status::Queued, Some(queue)), "{k}");
        let events = store.count_events(None).await.expect("count");
        assert_eq!(
            store.ingest_update(&message(bot.id, 1, 42, "Сәлем")).await.expect("again"),
            UpdateOutcome::AlreadyDone
        );
        assert_eq!(store.count_events(None).await.expect("count"), events, "{k}: a repeat writes nothing");
        assert!(store.telegram_update_seen(bot.id, 1).await.expect("seen"), "{k}");

        let second = store.ingest_update(&message(bot.id, 2, 42, "Тағы")).await.expect("ingest");
        assert!(matches!(&second, UpdateOutcome::Threaded { contact } if contact.id == c.id), "{k}: {second:?}");
        assert_eq!(store.contact_messenger_messages(c.id).await.expect("m").len(), 2, "{k}");
        let customer = store.customer(c.customer_id.expect("customer")).await.expect("r").expect("c");
        assert_eq!((customer.full_name.as_str(), customer.locale.as_str()), ("Асель Нурланова", "kk"), "{k}");
        assert_eq!(store.telegram_chat_of_customer(customer.id).await.expect("chat"), Some((bot.id, 42)), "{k}");

        // A finished contact: the next message opens a new one for the same customer.
        let op = NewUser {
            login: "op.tg".into(),
            name: "Оператор".into(),
            password_hash: "x".into(),
            locale: "ru".into(),
            roles: vec![domain::Role::Operator],
        };
        let op = store.create_user(&op, &AuditActor::cli()).await.expect("user").id;
        store.present_contact(c.id, op).await.expect("offer");
        store.accept_contact(c.id, op).await.expect("accept");
        let wrapup = WrapUp {
            summary: "Ответили".into(),
            outcome: "answered".into(),
            fields: Default::default(),
            first_contact_resolution: true,
        };
        store.resolve_contact(c.id, op, &wrapup).await.expect("resolve");
        let third = store.ingest_update(&message(bot.id, 3, 42, "Жаңа сұрақ")).await.expect("ingest");
        let UpdateOutcome::Created(c3) = third else { panic!("{k}: {third:?}") };
        assert_ne!(c3.id, c.id, "{k}");
        assert_eq!(c3.customer_id, Some(customer.id), "{k}: the same customer");

        // A greeting is recorded to send, once.
        let start = IncomingUpdate {
            bot_id: bot.id,
            update_id: 4,
            kind: UpdateKind::Start { sender: sender(43), greeting: "Сәлеметсіз бе!".into() },
        };
        let UpdateOutcome::Greet { message: m, chat_id, .. } = store.ingest_update(&start).await.expect("start") else {
            panic!("{k}: no greeting")
        };
        assert_eq!(chat_id, 43);
        store.finish_messenger_message(m, &Delivery::Sent(vec![9])).await.expect("finish");
        let again = store.finish_messenger_message(m, &Delivery::Sent(vec![9])).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{k}: finished once");

        // Changes log settings only.
        let change = BotSettings { name: "Жаңа бот".into(), token_sealed: None, ..settings.clone() };
        let changed = store.update_telegram_bot(bot.id, &change, Some("secret-hash-2"), &AuditActor::cli()).await;
        let changed = changed.expect("update");
        assert_eq!(changed.token_sealed, "xc20p1:sealed-token-text", "{k}: the token kept");
        assert!(store.telegram_bot_by_secret("secret-hash-1").await.expect("r").is_none(), "{k}: old secret gone");
        let log = store.events_after(None, 0, 10_000).await.expect("events");
        let audit = store.list_audit(None, 100, 0).await.expect("audit");
        for text in log.iter().map(|e| e.payload.to_string()).chain(audit.iter().map(|a| a.detail.clone())) {
            assert!(!text.contains("sealed-token") && !text.contains("secret-hash"), "{k}: {text}");
        }
        assert!(audit.iter().any(|a| a.action == domain::events::TELEGRAM_BOT_CHANGED), "{k}");
    }
}
