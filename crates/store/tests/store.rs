//! The store's behaviour, run on every database kind (SQLite always,
//! PostgreSQL when `SWITCHBOARD_TEST_POSTGRES` is set, which CI requires).

use domain::Role;
use store::{AuditActor, NewCustomer, NewEvent, NewUser, Store, StoreError};

async fn open(db: &testkit::TestDb) -> Store {
    let store = Store::connect(&db.url).await.unwrap_or_else(|e| panic!("{}: connect: {e}", db.kind));
    store.migrate().await.unwrap_or_else(|e| panic!("{}: migrate: {e}", db.kind));
    store
}

fn new_user(login: &str, roles: &[Role]) -> NewUser {
    NewUser {
        login: login.into(),
        name: "Әбенова Айгерім".into(),
        password_hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        locale: "kk".into(),
        roles: roles.to_vec(),
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_health_answers() {
    for db in testkit::databases().await {
        let store = open(&db).await;
        store.migrate().await.unwrap_or_else(|e| panic!("{}: second migrate: {e}", db.kind));
        store.ping().await.unwrap_or_else(|e| panic!("{}: ping: {e}", db.kind));
        assert_eq!(store.count_users().await.ok(), Some(0), "{}", db.kind);
    }
}

#[tokio::test]
async fn users_roles_and_their_events_and_audit() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let actor = AuditActor { user_id: None, login: "tester".into(), ip: Some("10.0.0.1".into()) };
        let u = store.create_user(&new_user("aigerim", &[Role::Operator, Role::Operator]), &actor).await.expect(k);
        assert_eq!(u.roles, vec![Role::Operator], "{k}: duplicate roles collapse");

        // Duplicate login: a conflict, and nothing else written.
        let events_before = store.count_events(None).await.expect(k);
        match store.create_user(&new_user("aigerim", &[]), &actor).await {
            Err(StoreError::Conflict("login")) => {}
            other => panic!("{k}: expected conflict, got {other:?}"),
        }
        assert_eq!(store.count_events(None).await.expect(k), events_before, "{k}: failed create left an event");
        // Invalid login: refused before touching the database.
        assert!(matches!(store.create_user(&new_user("A B", &[]), &actor).await, Err(StoreError::Invalid(_))), "{k}");

        let changed = store.set_roles(u.id, &[Role::Supervisor, Role::QualitySpecialist], &actor).await.expect(k);
        assert_eq!(changed.roles, vec![Role::QualitySpecialist, Role::Supervisor], "{k}");
        let loaded = store.user_by_login("aigerim").await.expect(k).expect("user exists");
        assert_eq!(loaded.roles, changed.roles, "{k}");
        assert_eq!(loaded.name, "Әбенова Айгерім", "{k}: Kazakh letters survive");

        let kinds: Vec<String> = store.events_after(None, 0, 100).await.expect(k).into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds, vec!["user.created", "user.roles_changed"], "{k}");
        let roles_event = &store.events_after(Some("user.roles_changed"), 0, 10).await.expect(k)[0];
        assert_eq!(roles_event.refs.agent_id, Some(u.id), "{k}");
        assert_eq!(roles_event.payload["before"], serde_json::json!(["operator"]), "{k}");

        let audit = store.list_audit(None, 10, 0).await.expect(k);
        assert_eq!(audit.len(), 2, "{k}");
        assert_eq!(audit[0].action, "user.roles", "{k}: newest first");
        assert_eq!(audit[0].actor_login, "tester", "{k}");
        assert_eq!(audit[0].ip.as_deref(), Some("10.0.0.1"), "{k}");

        assert!(matches!(store.set_roles(9999, &[], &actor).await, Err(StoreError::NotFound("user"))), "{k}");
    }
}

#[tokio::test]
async fn sessions_expire_and_die_with_password_change_or_deactivation() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let actor = AuditActor::cli();
        let u = store.create_user(&new_user("nurlan", &[Role::Operator]), &actor).await.expect(k);
        store.create_session("live", u.id, "csrf1", 60_000, Some("127.0.0.1")).await.expect(k);
        store.create_session("dead", u.id, "csrf2", -1, None).await.expect(k);
        let s = store.session("live").await.expect(k).expect("live session");
        assert_eq!((s.user_id, s.csrf_token.as_str()), (u.id, "csrf1"), "{k}");
        assert!(store.session("dead").await.expect(k).is_none(), "{k}: expired session must not count");
        assert!(store.session("nope").await.expect(k).is_none(), "{k}");

        store.set_password_hash(u.id, "$argon2id$new", &actor).await.expect(k);
        assert!(store.session("live").await.expect(k).is_none(), "{k}: password change ends sessions");
        let (_, hash) = store.credentials("nurlan").await.expect(k).expect("credentials");
        assert_eq!(hash, "$argon2id$new", "{k}");

        store.create_session("again", u.id, "csrf3", 60_000, None).await.expect(k);
        store.create_api_token(u.id, "pbx", "tokenhash", &actor).await.expect(k);
        assert_eq!(store.api_token_user("tokenhash").await.expect(k), Some(u.id), "{k}");
        store.set_active(u.id, false, &actor).await.expect(k);
        assert!(store.session("again").await.expect(k).is_none(), "{k}: deactivation ends sessions");
        assert_eq!(store.api_token_user("tokenhash").await.expect(k), None, "{k}: deactivated user's token");
        assert!(store.create_api_token(u.id, "  ", "h2", &actor).await.is_err(), "{k}: empty token name");
    }
}

#[tokio::test]
async fn failed_sign_ins_are_counted_by_login_and_by_address() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let from = |ip: &str| AuditActor { user_id: None, login: "x".into(), ip: Some(ip.into()) };
        for _ in 0..3 {
            store.audit(&from("1.1.1.1"), "sign_in.failed", "login:aigerim", "").await.expect(k);
        }
        store.audit(&from("2.2.2.2"), "sign_in.failed", "login:other", "").await.expect(k);
        store.audit(&from("2.2.2.2"), "sign_in.ok", "user:1", "").await.expect(k);
        let since = store::now_ms() - 60_000;
        assert_eq!(store.recent_failed_sign_ins("aigerim", "9.9.9.9", since).await.expect(k), 3, "{k}");
        assert_eq!(store.recent_failed_sign_ins("nobody", "2.2.2.2", since).await.expect(k), 1, "{k}");
        assert_eq!(store.recent_failed_sign_ins("aigerim", "1.1.1.1", store::now_ms() + 1).await.expect(k), 0, "{k}");
        assert_eq!(store.list_audit(Some("sign_in.ok"), 10, 0).await.expect(k).len(), 1, "{k}");
    }
}

#[tokio::test]
async fn bulk_events_customers_and_queues() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let q = store.create_queue("sales", "Продажи", "Сатылым", "Sales").await.expect(k);
        assert!(matches!(store.create_queue("sales", "a", "b", "c").await, Err(StoreError::Conflict(_))), "{k}");
        assert_eq!(store.list_queues().await.expect(k)[0].name("kk"), "Сатылым", "{k}");

        let customers: Vec<NewCustomer> = (0..3)
            .map(|i| NewCustomer {
                full_name: format!("Клиент {i}"),
                phone: format!("+7701000000{i}"),
                email: format!("c{i}@mail.kz"),
                client_type: "retail".into(),
                locale: "ru".into(),
                created_at: 1_000 + i,
                consent_at: None,
            })
            .collect();
        let ids = store.create_customers(&customers).await.expect(k);
        assert_eq!(ids.len(), 3, "{k}");
        let c = store.customer(ids[2]).await.expect(k).expect("customer");
        assert_eq!(c.phone, "+77010000002", "{k}");
        assert_eq!(store.list_customers(2, 1).await.expect(k).len(), 2, "{k}");

        // More rows than one multi-row INSERT holds, so chunking is exercised.
        let events: Vec<NewEvent> = (0..1234)
            .map(|i| NewEvent {
                at: 10_000 + i,
                kind: domain::events::CONTACT_OFFERED,
                refs: store::EventRefs { contact_id: Some(i), queue_id: Some(q.id), ..Default::default() },
                payload: serde_json::json!({"channel": "voice", "n": i}),
            })
            .collect();
        store.append_events(&events).await.expect(k);
        assert_eq!(store.count_events(Some("contact.offered")).await.expect(k), 1234, "{k}");
        let page = store.events_after(Some("contact.offered"), 0, 1000).await.expect(k);
        assert_eq!(page.len(), 1000, "{k}");
        assert_eq!(page[999].payload["n"], 999, "{k}");
        let rest = store.events_after(Some("contact.offered"), page[999].id, 1000).await.expect(k);
        assert_eq!(rest.len(), 234, "{k}");
        assert_eq!(rest[0].refs.queue_id, Some(q.id), "{k}");
    }
}

#[tokio::test]
async fn concurrent_writers_all_commit() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let mut tasks = Vec::new();
        for i in 0..24 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                s.create_user(&new_user(&format!("user{i:02}"), &[Role::Operator]), &AuditActor::cli()).await
            }));
        }
        for t in tasks {
            t.await.expect("task").unwrap_or_else(|e| panic!("{k}: concurrent create failed: {e}"));
        }
        assert_eq!(store.count_users().await.expect(k), 24, "{k}");
        assert_eq!(store.count_events(Some("user.created")).await.expect(k), 24, "{k}");
    }
}

#[tokio::test]
async fn bad_urls_are_refused_clearly() {
    match Store::connect("mysql://x").await {
        Err(StoreError::BadUrl(u)) => assert_eq!(u, "mysql://x"),
        Err(e) => panic!("wrong error {e}"),
        Ok(_) => panic!("mysql URL accepted"),
    }
}

#[tokio::test]
async fn knowledge_base_versions_and_read_acknowledgements() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let user = store.create_user(&new_user("reader", &[Role::Operator]), &AuditActor::cli()).await.expect(k);
        let v = |id, version, doc: &str| store::kb::ArticleVersion {
            id,
            version,
            updated_at: 1_000 + version,
            document: doc.into(),
        };
        store.put_article(&v(7, 1, "{\"title\":\"Доставка\"}")).await.expect(k);
        store.put_article(&v(7, 2, "{\"title\":\"Доставка и оплата\"}")).await.expect(k);
        store.put_article(&v(8, 1, "{\"title\":\"Возврат\"}")).await.expect(k);
        assert!(
            matches!(store.put_article(&v(7, 2, "{}")).await, Err(StoreError::Conflict(_))),
            "{k}: versions are immutable"
        );
        let current = store.current_articles().await.expect(k);
        assert_eq!(current.iter().map(|a| (a.id, a.version)).collect::<Vec<_>>(), vec![(7, 2), (8, 1)], "{k}");
        assert!(current[0].document.contains("оплата"), "{k}");

        store.ack_article(user.id, 7, 2).await.expect(k);
        store.ack_article(user.id, 7, 2).await.expect(k);
        assert!(matches!(store.ack_article(user.id, 7, 9).await, Err(StoreError::NotFound(_))), "{k}");
        assert_eq!(
            store.article_acks(user.id).await.expect(k).iter().map(|a| (a.0, a.1)).collect::<Vec<_>>(),
            vec![(7, 2)]
        );
        assert_eq!(store.count_events(Some("kb.article_read")).await.expect(k), 1, "{k}: one read event");
    }
}
