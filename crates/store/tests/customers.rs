//! The customer card in the store, on every database kind: identities,
//! quick search, duplicates and merging, manager and consent, and the
//! back-fill of customers stored before identities existed.

use domain::contact::{Channel, ContactType, Direction};
use domain::customer::{DuplicateReason, Identity, IdentityKind, SearchQuery};
use domain::Role;
use store::contacts::NewContact;
use store::{AuditActor, NewCustomer, NewUser, Store, StoreError};

async fn open(db: &testkit::TestDb) -> Store {
    let store = Store::connect(&db.url).await.unwrap_or_else(|e| panic!("{}: connect: {e}", db.kind));
    store.migrate().await.unwrap_or_else(|e| panic!("{}: migrate: {e}", db.kind));
    store
}

fn customer(name: &str, phone: &str, email: &str) -> NewCustomer {
    NewCustomer {
        full_name: name.into(),
        phone: phone.into(),
        email: email.into(),
        client_type: "retail".into(),
        locale: "ru".into(),
        created_at: 1_000,
        consent_at: None,
    }
}

fn search(raw: &str) -> SearchQuery {
    SearchQuery::parse(raw).unwrap_or_else(|e| panic!("query {raw}: {e}"))
}

async fn ids(store: &Store, raw: &str) -> Vec<i64> {
    store.search_customers(&search(raw), 50).await.expect(raw).into_iter().map(|c| c.id).collect()
}

async fn contact_for(store: &Store, queue: i64, customer: i64) -> i64 {
    let new = NewContact {
        channel: Channel::Voice,
        direction: Direction::Inbound,
        contact_type: ContactType::Information,
        topic: String::new(),
        priority: 0,
        subject: "Где заказ?".into(),
        customer_id: Some(customer),
        queue_id: queue,
    };
    store.create_contact(&new, &AuditActor::cli()).await.expect("contact").id
}

#[tokio::test]
async fn identities_are_normalised_and_search_finds_by_every_key() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let ids_ = store
            .create_customers(&[
                customer("Ахметова Айгерим Сериковна", "8 (701) 123-45-67", " Aigerim@Mail.KZ "),
                customer("Иванов Иван", "+79161234567", "ivanov@mail.ru"),
                customer("Ёлкина Анна", "bad phone", ""),
            ])
            .await
            .expect(k);
        let (a, b, c) = (ids_[0], ids_[1], ids_[2]);
        let found = store.customer_identities(a).await.expect(k);
        let values: Vec<(IdentityKind, &str)> = found.iter().map(|i| (i.kind, i.value.as_str())).collect();
        assert_eq!(
            values,
            vec![(IdentityKind::Email, "aigerim@mail.kz"), (IdentityKind::Phone, "+77011234567")],
            "{k}"
        );
        assert!(store.customer_identities(c).await.expect(k).is_empty(), "{k}: nothing valid to keep");

        // Phone in any format, e-mail in any case.
        for q in ["+77011234567", "87011234567", "7011234567", "+7 (701) 123 45 67"] {
            assert_eq!(ids(&store, q).await, vec![a], "{k}: {q}");
        }
        assert_eq!(ids(&store, "AIGERIM@mail.kz").await, vec![a], "{k}");
        assert!(ids(&store, "other@mail.kz").await.is_empty(), "{k}");
        // Names: any case, Cyrillic too, a fragment, ё as е.
        assert_eq!(ids(&store, "АХМЕТОВА").await, vec![a], "{k}");
        assert_eq!(ids(&store, "айгерим сер").await, vec![a], "{k}");
        assert_eq!(ids(&store, "ИВАН").await, vec![b], "{k}");
        assert_eq!(ids(&store, "елкина").await, vec![c], "{k}");
        assert!(ids(&store, "100%").await.is_empty(), "{k}: LIKE wildcards are literal");
        assert!(ids(&store, "a_b").await.is_empty(), "{k}");
        // A contact's number leads to its customer.
        let q = store.create_queue("support", "Поддержка", "Қолдау", "Support").await.expect(k).id;
        let n = contact_for(&store, q, b).await;
        assert_eq!(ids(&store, &format!("№ {n}")).await, vec![b], "{k}");
        assert_eq!(ids(&store, &n.to_string()).await, vec![b], "{k}");
        assert!(ids(&store, "№ 99999").await.is_empty(), "{k}");

        // Registering with several identities: the first of each kind is the main one.
        let more = [
            Identity::new(IdentityKind::Phone, "8 777 000 11 22").expect("phone"),
            Identity::new(IdentityKind::Phone, "+77011234567").expect("phone"),
            Identity::new(IdentityKind::Chat, "@nurlan").expect("chat"),
        ];
        let actor = AuditActor { user_id: None, login: "op".into(), ip: None };
        let new = NewCustomer { consent_at: Some(1_000), ..customer("Нұрлан Әбенов", "", "") };
        let d = store.register_customer(&new, &more, &actor).await.expect(k);
        let dc = store.customer(d).await.expect(k).expect("customer");
        assert_eq!((dc.phone.as_str(), dc.email.as_str(), dc.consent), ("+77770001122", "", true), "{k}");
        assert_eq!(dc.consent_at, Some(1_000), "{k}");
        assert_eq!(store.customer_identities(d).await.expect(k).len(), 3, "{k}");
        assert_eq!(ids(&store, "нұрлан").await, vec![d], "{k}: Kazakh letters fold too");
        assert_eq!(ids(&store, "87011234567").await, vec![a, d], "{k}: a shared phone finds both");
        assert_eq!(store.list_audit(Some("customer.create"), 10, 0).await.expect(k).len(), 1, "{k}");
    }
}

#[tokio::test]
async fn duplicates_are_found_and_merged_atomically() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let manager = store
            .create_user(
                &NewUser {
                    login: "manager1".into(),
                    name: "Байжанова Әсел".into(),
                    password_hash: "x".into(),
                    locale: "kk".into(),
                    roles: vec![Role::StoreManager],
                },
                &AuditActor::cli(),
            )
            .await
            .expect(k)
            .id;
        let ids_ = store
            .create_customers(&[
                customer("Ахметова Айгерим", "+77011234567", "aigerim@mail.kz"),
                customer("АХМЕТОВА  айгерим", "8 701 123 45 67", "aigerim.work@mail.kz"),
                customer("Иванов Иван", "+79161234567", "aigerim@mail.kz"),
                customer("Петров Пётр", "+79035550000", "petrov@mail.ru"),
            ])
            .await
            .expect(k);
        let (a, b, c, d) = (ids_[0], ids_[1], ids_[2], ids_[3]);
        store.set_customer_manager(b, Some(manager), &AuditActor::cli()).await.expect(k);
        store.set_customer_consent(b, true, 5_000, &AuditActor::cli()).await.expect(k);

        let dups = store.customer_duplicates(a).await.expect(k);
        let found: Vec<(i64, u32)> = dups.iter().map(|d| (d.customer.id, d.score)).collect();
        assert_eq!(found, vec![(b, 90), (c, 50)], "{k}: same phone + name ranks above same e-mail");
        assert_eq!(dups[0].reasons, vec![DuplicateReason::SamePhone, DuplicateReason::SameName], "{k}");
        assert!(store.customer_duplicates(d).await.expect(k).is_empty(), "{k}");
        assert!(matches!(store.customer_duplicates(9999).await, Err(StoreError::NotFound(_))), "{k}");

        let q = store.create_queue("support", "Поддержка", "Қолдау", "Support").await.expect(k).id;
        let kb1 = contact_for(&store, q, b).await;
        let kb2 = contact_for(&store, q, b).await;
        let ka = contact_for(&store, q, a).await;

        let actor = AuditActor { user_id: Some(manager), login: "manager1".into(), ip: Some("10.0.0.1".into()) };
        let events_before = store.count_events(None).await.expect(k);
        let audit_before = store.list_audit(None, 1000, 0).await.expect(k).len();
        let snapshot = |s: Store| async move {
            let mut out = Vec::new();
            for id in [a, b, c, d] {
                out.push((
                    s.customer(id).await.expect("read"),
                    s.customer_identities(id).await.expect("read"),
                    s.customer_contacts(id, 100).await.expect("read").len(),
                ));
            }
            out
        };
        let before = snapshot(store.clone()).await;

        // Bad merges: refused, nothing changes.
        let refused = [
            store.merge_customers(a, a, &actor).await,
            store.merge_customers(a, 9999, &actor).await,
            store.merge_customers(9999, a, &actor).await,
        ];
        assert!(matches!(&refused[0], Err(StoreError::Invalid(i)) if i.code == "merge-into-itself"), "{k}");
        assert!(matches!(&refused[1], Err(StoreError::NotFound(_))), "{k}");
        assert!(matches!(&refused[2], Err(StoreError::NotFound(_))), "{k}");
        assert_eq!(snapshot(store.clone()).await, before, "{k}: refused merges change nothing");

        let outcome = store.merge_customers(a, b, &actor).await.expect(k);
        assert_eq!((outcome.identities_moved, outcome.contacts_moved), (1, 2), "{k}: the shared phone stays once");
        let survivor = store.customer(a).await.expect(k).expect("a");
        let merged = store.customer(b).await.expect(k).expect("b");
        assert_eq!(merged.merged_into, Some(a), "{k}");
        assert_eq!((survivor.manager_id, survivor.consent, survivor.consent_at), (Some(manager), true, Some(5_000)));
        let values: Vec<String> = store.customer_identities(a).await.expect(k).into_iter().map(|i| i.value).collect();
        assert_eq!(values, vec!["aigerim@mail.kz", "aigerim.work@mail.kz", "+77011234567"], "{k}");
        assert!(store.customer_identities(b).await.expect(k).is_empty(), "{k}");
        let mut moved: Vec<i64> = store.customer_contacts(a, 100).await.expect(k).iter().map(|c| c.id).collect();
        moved.sort_unstable();
        assert_eq!(moved, vec![kb1, kb2, ka], "{k}");
        assert!(store.customer_contacts(b, 100).await.expect(k).is_empty(), "{k}");
        // One event and one audit entry, by who merged.
        let ev = store.events_after(Some(domain::events::CUSTOMER_MERGED), 0, 10).await.expect(k);
        assert_eq!(ev.len(), 1, "{k}");
        assert_eq!((ev[0].refs.customer_id, ev[0].payload["duplicate_id"].as_i64()), (Some(a), Some(b)), "{k}");
        let audit = store.list_audit(Some("customer.merge"), 10, 0).await.expect(k);
        assert_eq!(audit.len(), 1, "{k}");
        assert_eq!((audit[0].actor_id, audit[0].target.as_str()), (Some(manager), format!("customer:{a}").as_str()));
        assert!(audit[0].detail.contains(&format!("customer:{b}")), "{k}");
        // The merged customer leaves search, lists and duplicates.
        assert_eq!(ids(&store, "8 701 123 45 67").await, vec![a], "{k}");
        assert_eq!(ids(&store, &format!("№ {kb1}")).await, vec![a], "{k}");
        assert!(!store.list_customers(100, 0).await.expect(k).iter().any(|c| c.id == b), "{k}");
        assert_eq!(store.count_customers().await.expect(k), 3, "{k}");
        assert!(store.customer_duplicates(b).await.expect(k).is_empty(), "{k}");
        assert!(store.customer_duplicates(a).await.expect(k).iter().all(|d| d.customer.id != b), "{k}");

        // Merging into or from a merged customer is refused and changes nothing.
        let events_mid = store.count_events(None).await.expect(k);
        let before = snapshot(store.clone()).await;
        for (s, dup) in [(a, b), (b, c), (c, b)] {
            let r = store.merge_customers(s, dup, &actor).await;
            assert!(matches!(&r, Err(StoreError::Invalid(i)) if i.code == "merge-already-merged"), "{k}: {s}←{dup}");
        }
        let r = store.set_customer_consent(b, false, 9_000, &actor).await;
        assert!(
            matches!(&r, Err(StoreError::Invalid(i)) if i.code == "customer-merged"),
            "{k}: a merged card is read-only"
        );
        let r = store.set_customer_manager(b, None, &actor).await;
        assert!(matches!(&r, Err(StoreError::Invalid(i)) if i.code == "customer-merged"), "{k}");
        assert_eq!(snapshot(store.clone()).await, before, "{k}");
        assert_eq!(store.count_events(None).await.expect(k), events_mid, "{k}");
        assert_eq!(events_mid, events_before + 1, "{k}");
        assert_eq!(store.list_audit(None, 1000, 0).await.expect(k).len(), audit_before + 1, "{k}");
    }
}

#[tokio::test]
async fn manager_and_consent_are_recorded_with_events_and_audit() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let user = store
            .create_user(
                &NewUser {
                    login: "senior1".into(),
                    name: "Старший".into(),
                    password_hash: "x".into(),
                    locale: "ru".into(),
                    roles: vec![Role::SeniorOperator],
                },
                &AuditActor::cli(),
            )
            .await
            .expect(k)
            .id;
        let c = store.create_customers(&[customer("Клиент", "+77010000001", "")]).await.expect(k)[0];
        let fresh = store.customer(c).await.expect(k).expect("c");
        assert_eq!((fresh.manager_id, fresh.consent, fresh.consent_at, fresh.merged_into), (None, false, None, None));

        let operator = store
            .create_user(
                &NewUser {
                    login: "operator1".into(),
                    name: "Оператор".into(),
                    password_hash: "x".into(),
                    locale: "ru".into(),
                    roles: vec![Role::Operator],
                },
                &AuditActor::cli(),
            )
            .await
            .expect(k)
            .id;
        let r = store.set_customer_manager(c, Some(operator), &AuditActor::cli()).await;
        assert!(matches!(r, Err(StoreError::Invalid(i)) if i.code == "manager-not-eligible"), "{k}");
        store.set_customer_manager(c, Some(user), &AuditActor::cli()).await.expect(k);
        assert!(matches!(
            store.set_customer_manager(c, Some(9999), &AuditActor::cli()).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.set_customer_manager(9999, None, &AuditActor::cli()).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(store.customer(c).await.expect(k).expect("c").manager_id, Some(user), "{k}");
        store.set_customer_consent(c, true, 7_000, &AuditActor::cli()).await.expect(k);
        store.set_customer_consent(c, false, 8_000, &AuditActor::cli()).await.expect(k);
        let now = store.customer(c).await.expect(k).expect("c");
        assert_eq!((now.consent, now.consent_at), (false, Some(8_000)), "{k}");
        store.set_customer_manager(c, None, &AuditActor::cli()).await.expect(k);
        assert_eq!(store.customer(c).await.expect(k).expect("c").manager_id, None, "{k}");
        assert_eq!(store.count_events(Some(domain::events::CUSTOMER_MANAGER_CHANGED)).await.expect(k), 2, "{k}");
        assert_eq!(store.count_events(Some(domain::events::CUSTOMER_CONSENT_CHANGED)).await.expect(k), 2, "{k}");
        assert_eq!(store.list_audit(Some("customer.manager"), 10, 0).await.expect(k).len(), 2, "{k}");
        assert_eq!(store.list_audit(Some("customer.consent"), 10, 0).await.expect(k).len(), 2, "{k}");
    }
}

#[tokio::test]
async fn customers_stored_before_identities_are_filled_in_by_migrate() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        // A row as an older version wrote it: no folded name, no identities.
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.expect(k);
        sqlx::query(
            "INSERT INTO customers (full_name, phone, email, client_type, locale, created_at) \
             VALUES ($1, $2, $3, 'key', 'ru', 42)",
        )
        .bind("СЕРІКБАЕВ Ерлан")
        .bind("8 (777) 123-00-00")
        .bind("Erlan@Mail.kz")
        .execute(&pool)
        .await
        .expect(k);
        pool.close().await;
        assert!(ids(&store, "ерлан").await.is_empty(), "{k}: not searchable yet");
        store.migrate().await.expect(k);
        store.migrate().await.expect(k);
        let id = ids(&store, "серікбаев").await;
        assert_eq!(id.len(), 1, "{k}");
        assert_eq!(ids(&store, "+77771230000").await, id, "{k}");
        assert_eq!(ids(&store, "erlan@mail.kz").await, id, "{k}");
        assert_eq!(store.customer_identities(id[0]).await.expect(k).len(), 2, "{k}: once, however often migrated");
    }
}
