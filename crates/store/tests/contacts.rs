//! Contacts in the store, on every database kind: lifecycle, races,
//! redirection trace, wrap-up rules, events.

use domain::contact::{Channel, ContactType, Direction, Status, WrapUp};
use domain::Role;
use store::contacts::NewContact;
use store::{AuditActor, NewUser, Store, StoreError};

async fn setup(db: &testkit::TestDb) -> (Store, i64, i64, i64, i64) {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let mk = |login: &str| NewUser {
        login: login.into(),
        name: "Оператор".into(),
        password_hash: "x".into(),
        locale: "ru".into(),
        roles: vec![Role::Operator],
    };
    let a = store.create_user(&mk("op.a"), &AuditActor::cli()).await.expect("user a").id;
    let b = store.create_user(&mk("op.b"), &AuditActor::cli()).await.expect("user b").id;
    let sales = store.create_queue("sales", "Продажи", "Сату", "Sales").await.expect("queue").id;
    let claims = store.create_queue("complaints", "Жалобы", "Шағымдар", "Complaints").await.expect("queue").id;
    let delivery = store::topics::NewTopic {
        parent_id: None,
        code: "delivery".into(),
        name_ru: "Доставка".into(),
        name_kk: "Жеткізу".into(),
        name_en: "Delivery".into(),
        contact_type: None,
        position: 0,
    };
    store.create_topic(&delivery, &AuditActor::cli()).await.expect("topic");
    (store, a, b, sales, claims)
}

fn complaint(queue_id: i64) -> NewContact {
    NewContact {
        channel: Channel::Voice,
        direction: Direction::Inbound,
        contact_type: ContactType::Complaint,
        topic: "delivery".into(),
        priority: 1,
        subject: "Опоздала доставка".into(),
        customer_id: None,
        queue_id,
    }
}

#[tokio::test]
async fn a_contact_lives_through_offer_transfer_and_wrap_up() {
    for db in testkit::databases().await {
        let k = db.kind;
        let (store, a, b, sales, claims) = setup(&db).await;
        let actor = AuditActor { user_id: Some(a), login: "op.a".into(), ip: None };
        let c = store.create_contact(&complaint(sales), &actor).await.expect(k);
        assert_eq!((c.status, c.queue_id, c.operator_id), (Status::Queued, Some(sales), None), "{k}");

        store.present_contact(c.id, a).await.expect(k);
        // The router cannot offer it twice, and another operator cannot take it.
        assert!(matches!(store.present_contact(c.id, b).await, Err(StoreError::Conflict(_))), "{k}");
        assert!(matches!(store.accept_contact(c.id, b).await, Err(StoreError::Conflict(_))), "{k}");
        store.accept_contact(c.id, a).await.expect(k);
        assert_eq!(store.operator_contacts(a).await.expect(k).len(), 1, "{k}");

        store.transfer_contact(c.id, claims, "нужен отдел претензий", &actor).await.expect(k);
        let moved = store.contact(c.id).await.expect(k).expect("contact");
        assert_eq!((moved.status, moved.queue_id, moved.operator_id), (Status::Queued, Some(claims), None), "{k}");
        let hops = store.contact_hops(c.id).await.expect(k);
        assert_eq!(hops.len(), 1, "{k}");
        assert_eq!(
            (hops[0].from_queue_id, hops[0].to_queue_id, hops[0].from_operator_id),
            (Some(sales), Some(claims), Some(a))
        );
        assert!(store.transfer_contact(c.id, claims, " ", &actor).await.is_err(), "{k}: reason required");
        assert!(matches!(store.transfer_contact(c.id, 9999, "x", &actor).await, Err(StoreError::NotFound(_))), "{k}");

        store.present_contact(c.id, b).await.expect(k);
        store.accept_contact(c.id, b).await.expect(k);
        store.set_contact_waiting(c.id, b, Status::WaitingCustomer).await.expect(k);
        store.set_contact_waiting(c.id, b, Status::InWork).await.expect(k);
        let mut w = WrapUp {
            summary: "Извинились, компенсация".into(),
            outcome: "complaint_registered".into(),
            fields: Default::default(),
            first_contact_resolution: false,
        };
        assert!(matches!(store.resolve_contact(c.id, b, &w).await, Err(StoreError::Invalid(_))), "{k}: cause required");
        w.fields.insert("cause".into(), "delivery_late".into());
        w.fields.insert("responsible_unit".into(), "logistics".into());
        assert!(matches!(store.resolve_contact(c.id, a, &w).await, Err(StoreError::Conflict(_))), "{k}: not a's");
        store.resolve_contact(c.id, b, &w).await.expect(k);
        let done = store.contact(c.id).await.expect(k).expect("contact");
        assert_eq!(done.status, Status::Resolved, "{k}");
        assert_eq!(done.wrapup.as_ref().map(|w| w.outcome.as_str()), Some("complaint_registered"), "{k}");
        assert!(store.open_contacts().await.expect(k).is_empty(), "{k}");

        let kinds: Vec<String> = store
            .events_after(None, 0, 1000)
            .await
            .expect(k)
            .into_iter()
            .filter(|e| e.refs.contact_id == Some(c.id))
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                "contact.created",
                "contact.offered",
                "contact.presented",
                "contact.answered",
                "contact.transferred",
                "contact.presented",
                "contact.answered",
                "contact.status_changed",
                "contact.status_changed",
                "contact.resolved"
            ],
            "{k}"
        );
    }
}

#[tokio::test]
async fn racing_offers_have_one_winner() {
    for db in testkit::databases().await {
        let k = db.kind;
        let (store, a, b, sales, _) = setup(&db).await;
        let c = store.create_contact(&complaint(sales), &AuditActor::cli()).await.expect(k);
        let (s1, s2) = (store.clone(), store.clone());
        let (r1, r2) = tokio::join!(s1.present_contact(c.id, a), s2.present_contact(c.id, b));
        assert!(r1.is_ok() != r2.is_ok(), "{k}: exactly one offer wins: {r1:?} {r2:?}");
        assert_eq!(store.count_events(Some("contact.presented")).await.expect(k), 1, "{k}");
    }
}

#[tokio::test]
async fn bad_contacts_are_refused_and_leave_nothing() {
    for db in testkit::databases().await {
        let k = db.kind;
        let (store, _, _, sales, _) = setup(&db).await;
        let mut bad = complaint(9999);
        assert!(matches!(store.create_contact(&bad, &AuditActor::cli()).await, Err(StoreError::NotFound(_))), "{k}");
        bad.queue_id = sales;
        bad.priority = 7;
        assert!(matches!(store.create_contact(&bad, &AuditActor::cli()).await, Err(StoreError::Invalid(_))), "{k}");
        assert_eq!(store.count_events(Some("contact.created")).await.expect(k), 0, "{k}");
    }
}

#[tokio::test]
async fn imported_history_keeps_ids_and_new_contacts_number_after_it() {
    for db in testkit::databases().await {
        let k = db.kind;
        let (store, a, _, sales, _) = setup(&db).await;
        let past: Vec<store::contacts::PastContact> = (1..=3)
            .map(|id| store::contacts::PastContact {
                id,
                channel: Channel::Voice,
                contact_type: ContactType::SaleOrder,
                topic: "delivery".into(),
                queue_id: Some(sales),
                operator_id: Some(a),
                customer_id: None,
                subject: "Заказ".into(),
                created_at: 1_000 * id,
                closed_at: 1_000 * id + 500,
            })
            .collect();
        let events: Vec<store::NewEvent> = (1..=3)
            .map(|id| store::NewEvent {
                at: 1_000 * id,
                kind: "contact.offered",
                refs: store::EventRefs { contact_id: Some(id), queue_id: Some(sales), ..Default::default() },
                payload: serde_json::json!({}),
            })
            .collect();
        store.import_history(&past, &events).await.expect(k);
        let c = store.contact(2).await.expect(k).expect("imported");
        assert_eq!((c.status, c.operator_id, c.updated_at), (Status::Closed, Some(a), 2_500), "{k}");
        assert_eq!(store.contact_events(2).await.expect(k).len(), 1, "{k}: events follow their contact");
        let fresh = store.create_contact(&complaint(sales), &AuditActor::cli()).await.expect(k);
        assert!(fresh.id > 3, "{k}: new contact {} collides with history", fresh.id);
        assert!(store.import_history(&past[..1], &[]).await.is_err(), "{k}: an id twice is refused");
        let mut unknown = past[0].clone();
        unknown.id = 100;
        unknown.topic = "no-such-topic".into();
        assert!(
            matches!(store.import_history(&[unknown], &events[..1]).await, Err(StoreError::Invalid(_))),
            "{k}: an unknown topic is refused"
        );
        assert_eq!(store.count_events(Some("contact.offered")).await.expect(k), 4, "{k}: nothing half-imported");
    }
}

#[tokio::test]
async fn an_alert_is_raised_once_and_acknowledged_once() {
    for db in testkit::databases().await {
        let k = db.kind;
        let (store, a, _b, sales, _claims) = setup(&db).await;
        let c = store.create_contact(&complaint(sales), &AuditActor::cli()).await.expect(k);
        let first = store.raise_alert(c.id, "legal", "at_risk", Some(5), 1).await.expect(k).expect("new");
        assert_eq!((first.clock.as_str(), first.level.as_str(), first.due_at), ("legal", "at_risk", Some(5)), "{k}");
        assert_eq!(store.raise_alert(c.id, "legal", "at_risk", Some(5), 2).await.expect(k), None, "{k}: once");
        assert!(store.raise_alert(c.id, "legal", "breached", Some(5), 3).await.expect(k).is_some(), "{k}");
        assert!(matches!(store.raise_alert(c.id, "legal", "mild", None, 4).await, Err(StoreError::Invalid(_))));
        assert_eq!(store.open_alerts(10).await.expect(k).len(), 2, "{k}");

        let acked = store.acknowledge_alert(first.id, a).await.expect(k);
        assert_eq!(acked.acknowledged_by, Some(a), "{k}");
        assert!(matches!(store.acknowledge_alert(first.id, a).await, Err(StoreError::Conflict(_))), "{k}");
        assert!(matches!(store.acknowledge_alert(99_999, a).await, Err(StoreError::NotFound(_))), "{k}");
        assert_eq!(store.open_alerts(10).await.expect(k).len(), 1, "{k}");
        let kinds: Vec<String> = store.contact_events(c.id).await.expect(k).into_iter().map(|e| e.kind).collect();
        let count = |kind: &str| kinds.iter().filter(|x| *x == kind).count();
        assert_eq!(count(domain::events::CONTACT_SLA_ALERT), 2, "{k}: {kinds:?}");
        assert_eq!(count(domain::events::CONTACT_SLA_ALERT_ACKNOWLEDGED), 1, "{k}");
    }
}
