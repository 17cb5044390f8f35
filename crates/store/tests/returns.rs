//! Returns in the store on every database kind: deferred terms write the
//! refund off the customer's debt (no money row), an order not yet
//! delivered cannot be returned, two concurrent requests for the last unit
//! make exactly one return, and the complaints queue takes claims.

use domain::contact::{Channel, ContactType, Direction};
use store::contacts::NewContact;
use store::returns::{NewClaim, NewReturn, RequestKind};
use store::{AuditActor, NewCustomer, Store, StoreError};

const DAY: i64 = 86_400_000;

struct Setup {
    store: Store,
    customer: i64,
    contact: i64,
    complaints: i64,
}

/// The refund rows of an order and its `refunded` total, as `Store::order` reads them.
async fn refunds(store: &store::Store, id: i64) -> (Vec<store::orders::OrderPayment>, i64) {
    let o = store.order(id).await.expect("order").expect("stored");
    (o.payments.into_iter().filter(|p| p.kind == "refund").collect(), o.refunded)
}

async fn setup(db: &testkit::TestDb) -> Setup {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let sales = store.create_queue("sales", "Продажи", "Сату", "Sales").await.expect("queue").id;
    let complaints = store.create_queue("complaints", "Жалобы", "Шағымдар", "Complaints").await.expect("queue").id;
    let customer = store
        .create_customers(&[NewCustomer {
            full_name: "ТОО «Береке»".into(),
            phone: "+77017654321".into(),
            email: "bereke@mail.kz".into(),
            client_type: "key".into(),
            locale: "ru".into(),
            created_at: 0,
            consent_at: None,
        }])
        .await
        .expect("customer")[0];
    let new = NewContact {
        channel: Channel::Voice,
        direction: Direction::Inbound,
        contact_type: ContactType::SaleOrder,
        topic: String::new(),
        priority: 0,
        subject: "Заказ".into(),
        customer_id: Some(customer),
        queue_id: sales,
    };
    let contact = store.create_contact(&new, &AuditActor::cli()).await.expect("contact").id;
    store.test_fixture_item("SKU-PAN", "Сковорода", "non_food", 0, 4).await.expect("item");
    Setup { store, customer, contact, complaints }
}

fn one(qty: i64) -> NewReturn {
    NewReturn {
        kind: RequestKind::Return,
        reason: "не нужна".into(),
        defective: false,
        written_terms_given: true,
        return_shipping: 0,
        lines: vec![("SKU-PAN".into(), qty)],
    }
}

#[tokio::test]
async fn deferred_terms_write_the_refund_off_the_debt() {
    for db in testkit::databases().await {
        let k = db.kind;
        let s = setup(&db).await;
        let now = store::now_ms();
        let order = s
            .store
            .test_fixture_delivered_order(s.customer, s.contact, &[("SKU-PAN", 2, 15_000)], "deferred:30", now - DAY)
            .await
            .expect(k);
        s.store.test_fixture_account(s.customer, Some((50_000, 40_000))).await.expect(k);
        let r = s.store.request_return(order, &one(1), &AuditActor::cli(), now).await.expect(k);
        assert_eq!(
            (r.decision.as_str(), r.refund, r.refund_paid, r.debt_reduced),
            ("accepted", 15_000, 0, 15_000),
            "{k}"
        );
        assert_eq!(s.store.test_fixture_account(s.customer, None).await.expect(k), Some((35_000, 35_000)), "{k}");
        assert_eq!(refunds(&s.store, order).await, (vec![], 0), "{k}: no money went back");
        let stock = s.store.catalogue_item("SKU-PAN").await.expect(k).expect("item").stock;
        assert_eq!(stock[0].on_hand, 5, "{k}");
    }
}

#[tokio::test]
async fn only_delivered_orders_and_only_what_is_left_can_be_returned() {
    for db in testkit::databases().await {
        let k = db.kind;
        let s = setup(&db).await;
        let now = store::now_ms();
        let shipped = s
            .store
            .test_fixture_order(s.customer, s.contact, &[("SKU-PAN", 1, 15_000)], "prepaid", "shipped", None)
            .await
            .expect(k);
        let e = s.store.request_return(shipped, &one(1), &AuditActor::cli(), now).await.unwrap_err();
        assert!(matches!(e, StoreError::Conflict("order-not-delivered")), "{k}: {e}");
        assert!(s.store.order_returns(shipped).await.expect(k).is_empty(), "{k}");

        // Two requests for the last unit at once: one return, one refusal as invalid.
        let order = s
            .store
            .test_fixture_delivered_order(s.customer, s.contact, &[("SKU-PAN", 1, 15_000)], "prepaid", now - DAY)
            .await
            .expect(k);
        let (req, actor) = (one(1), AuditActor::cli());
        let (a, b) = tokio::join!(
            s.store.request_return(order, &req, &actor, now),
            s.store.request_return(order, &req, &actor, now)
        );
        let ok = [&a, &b].iter().filter(|r| r.is_ok()).count();
        let invalid = [&a, &b]
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Invalid(i)) if i.code == "return-qty-exceeds"))
            .count();
        assert_eq!((ok, invalid), (1, 1), "{k}: {a:?} {b:?}");
        assert_eq!(refunds(&s.store, order).await.1, 15_000, "{k}: refunded once");
        assert_eq!(s.store.catalogue_item("SKU-PAN").await.expect(k).expect("item").stock[0].on_hand, 5, "{k}");
    }
}

#[tokio::test]
async fn claims_go_to_the_complaints_queue() {
    for db in testkit::databases().await {
        let k = db.kind;
        let s = setup(&db).await;
        let order = s
            .store
            .test_fixture_delivered_order(s.customer, s.contact, &[("SKU-PAN", 1, 15_000)], "prepaid", store::now_ms())
            .await
            .expect(k);
        let claim = NewClaim { text: "Сковорода с трещиной".into(), channel: None };
        let (c, contact) = s.store.file_claim(order, &claim, &AuditActor::cli()).await.expect(k);
        assert_eq!(
            (contact.queue_id, contact.channel, c.preset_id.as_str()),
            (Some(s.complaints), Channel::Voice, "kz.consumer_claim"),
            "{k}"
        );
        assert!(contact.subject.contains(&order.to_string()), "{k}");
        // The customer is told the claim is registered (the contact's own notice).
        let notices = s.store.contact_notifications(contact.id).await.expect(k);
        assert_eq!(notices.iter().map(|n| n.template_key.as_str()).collect::<Vec<_>>(), ["notice-registered"], "{k}");
        assert!(
            matches!(s.store.file_claim(424_242, &claim, &AuditActor::cli()).await, Err(StoreError::NotFound("order"))),
            "{k}"
        );
    }
}
