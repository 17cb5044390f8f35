//! The topic tree in the store, on every database kind: round trip in order,
//! refusals (code, names, depth, cycles) that change nothing, events and
//! audit with each change, and contacts accepting only active topics.

use domain::contact::{Channel, ContactType, Direction};
use store::contacts::NewContact;
use store::topics::{flatten, NewTopic, TopicChange};
use store::{AuditActor, Store, StoreError, Topic};

async fn open(db: &testkit::TestDb) -> Store {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

fn new(parent_id: Option<i64>, code: &str, position: i64) -> NewTopic {
    NewTopic {
        parent_id,
        code: code.into(),
        name_ru: format!("Тема {code}"),
        name_kk: format!("Тақырып {code}"),
        name_en: format!("Topic {code}"),
        contact_type: None,
        position,
    }
}

fn change(t: &Topic) -> TopicChange {
    TopicChange {
        parent_id: t.parent_id,
        name_ru: t.name_ru.clone(),
        name_kk: t.name_kk.clone(),
        name_en: t.name_en.clone(),
        contact_type: t.contact_type,
        active: t.active,
        position: t.position,
    }
}

fn invalid(r: Result<Topic, StoreError>) -> &'static str {
    match r {
        Err(StoreError::Invalid(e)) => e.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn the_tree_round_trips_in_order_and_refusals_change_nothing() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let actor = AuditActor::cli();
        let delivery = store.create_topic(&new(None, "delivery", 2), &actor).await.expect(k);
        let orders = store.create_topic(&new(None, "orders", 1), &actor).await.expect(k);
        let late = store.create_topic(&new(Some(delivery.id), "delivery.late", 1), &actor).await.expect(k);
        let mut damaged = new(Some(delivery.id), "delivery.damaged", 0);
        damaged.contact_type = Some(ContactType::Complaint);
        let damaged = store.create_topic(&damaged, &actor).await.expect(k);
        let courier = store.create_topic(&new(Some(late.id), "delivery.late.courier", 0), &actor).await.expect(k);

        let tree = store.topic_tree().await.expect(k);
        let order: Vec<(usize, &str)> = flatten(&tree).into_iter().map(|(l, t)| (l, t.code.as_str())).collect();
        assert_eq!(
            order,
            [
                (1, "orders"),
                (1, "delivery"),
                (2, "delivery.damaged"),
                (2, "delivery.late"),
                (3, "delivery.late.courier")
            ],
            "{k}"
        );
        let stored = store.topic_by_code("delivery.damaged").await.expect(k).expect("stored");
        assert_eq!(stored, damaged, "{k}");
        assert_eq!(stored.contact_type, Some(ContactType::Complaint), "{k}");
        assert_eq!(stored.name("kk"), "Тақырып delivery.damaged", "{k}");

        // Refusals: a fourth level, cycles, a moved subtree too deep, bad
        // code, bad names, a taken code, an unknown parent or topic.
        let before = store.list_topics().await.expect(k);
        let events = store.count_events(None).await.expect(k);
        assert_eq!(invalid(store.create_topic(&new(Some(courier.id), "too.deep", 0), &actor).await), "topic-too-deep");
        let mut to = change(&delivery);
        to.parent_id = Some(courier.id);
        assert_eq!(invalid(store.update_topic(delivery.id, &to, &actor).await), "topic-cycle", "{k}");
        to.parent_id = Some(delivery.id);
        assert_eq!(invalid(store.update_topic(delivery.id, &to, &actor).await), "topic-cycle", "{k}");
        let mut to = change(&late);
        to.parent_id = Some(damaged.id);
        assert_eq!(invalid(store.update_topic(late.id, &to, &actor).await), "topic-too-deep", "{k}");
        assert_eq!(invalid(store.create_topic(&new(None, "Bad Code", 0), &actor).await), "invalid-topic-code");
        let mut unnamed = new(None, "unnamed", 0);
        unnamed.name_kk = " ".into();
        assert_eq!(invalid(store.create_topic(&unnamed, &actor).await), "invalid-topic-name");
        let mut to = change(&orders);
        to.name_en = "x".repeat(201);
        assert_eq!(invalid(store.update_topic(orders.id, &to, &actor).await), "invalid-topic-name", "{k}");
        assert!(matches!(store.create_topic(&new(None, "orders", 0), &actor).await, Err(StoreError::Conflict(_))));
        assert_eq!(invalid(store.create_topic(&new(Some(9999), "orphan", 0), &actor).await), "unknown-topic-parent");
        assert!(matches!(store.update_topic(9999, &change(&orders), &actor).await, Err(StoreError::NotFound(_))));
        assert_eq!(store.list_topics().await.expect(k), before, "{k}: nothing changed");
        assert_eq!(store.count_events(None).await.expect(k), events, "{k}: no events from refusals");

        // A move that fits: `late` (two levels) under `orders`; then rename,
        // retype and deactivate `damaged`. Each change is an event and audited.
        let mut to = change(&late);
        to.parent_id = Some(orders.id);
        let moved = store.update_topic(late.id, &to, &actor).await.expect(k);
        assert_eq!(moved.parent_id, Some(orders.id), "{k}");
        let mut to = change(&damaged);
        to.name_ru = "Повреждение при доставке".into();
        to.contact_type = Some(ContactType::Other);
        to.active = false;
        let changed = store.update_topic(damaged.id, &to, &actor).await.expect(k);
        assert_eq!(
            (changed.active, changed.contact_type, changed.code.as_str()),
            (false, Some(ContactType::Other), "delivery.damaged")
        );
        assert_eq!(changed.name("ru"), "Повреждение при доставке", "{k}");
        assert_eq!(store.count_events(Some(domain::events::TOPIC_CREATED)).await.expect(k), 5, "{k}");
        assert_eq!(store.count_events(Some(domain::events::TOPIC_CHANGED)).await.expect(k), 2, "{k}");
        let audit = store.list_audit(Some("topic.changed"), 10, 0).await.expect(k);
        assert_eq!(audit.len(), 2, "{k}");
        assert!(audit
            .iter()
            .any(|a| a.target == format!("topic:{}", damaged.id) && a.detail.contains("\"active\":false")));
        let tree = store.topic_tree().await.expect(k);
        let order: Vec<&str> = flatten(&tree).into_iter().map(|(_, t)| t.code.as_str()).collect();
        assert_eq!(order, ["orders", "delivery.late", "delivery.late.courier", "delivery", "delivery.damaged"], "{k}");
    }
}

#[tokio::test]
async fn contacts_take_only_active_topics_and_keep_deactivated_ones() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let actor = AuditActor::cli();
        let queue = store.create_queue("support", "Поддержка", "Қолдау", "Support").await.expect(k).id;
        let topic = store.create_topic(&new(None, "delivery", 0), &actor).await.expect(k);
        let contact = |topic: &str| NewContact {
            channel: Channel::Chat,
            direction: Direction::Inbound,
            contact_type: ContactType::Information,
            topic: topic.into(),
            priority: 0,
            subject: "Где заказ?".into(),
            customer_id: None,
            queue_id: queue,
        };
        let kept = store.create_contact(&contact("delivery"), &actor).await.expect(k);
        store.create_contact(&contact(""), &actor).await.expect("unclassified is allowed");
        let code = |r: Result<store::Contact, StoreError>| match r {
            Err(StoreError::Invalid(e)) => (e.field, e.code),
            other => panic!("{k}: expected a refusal, got {other:?}"),
        };
        assert_eq!(code(store.create_contact(&contact("nope"), &actor).await), ("topic", "unknown-topic"));
        let mut off = change(&topic);
        off.active = false;
        store.update_topic(topic.id, &off, &actor).await.expect(k);
        assert_eq!(code(store.create_contact(&contact("delivery"), &actor).await), ("topic", "inactive-topic"));
        assert_eq!(store.count_events(Some("contact.created")).await.expect(k), 2, "{k}: refusals leave no trace");
        let still = store.contact(kept.id).await.expect(k).expect("contact");
        assert_eq!(still.topic, "delivery", "{k}: history keeps its topic");
    }
}
