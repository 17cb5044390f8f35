//! Orders in the store, on every database kind (docs/ORDERS.md): the whole
//! lifecycle with stock and payment numbers, refusals that write nothing,
//! the race for the last units, idempotent request keys, two clicks making
//! one change, and the confirmation call only for orders not taken on a call.

use domain::contact::{Channel, ContactType, Direction};
use retail::order::{Action, CancelReason, DeliveryMethod, NewOrder, PaymentMethod, Receiver, Terms};
use store::contacts::NewContact;
use store::orders::{ActionRefused, CreateOrder, Created, Order, OrderSettings, Refusal};
use store::{AuditActor, NewCustomer, Store};

struct Shop {
    store: Store,
    customer: i64,
    call: i64,
    settings: OrderSettings,
}

async fn shop(db: &testkit::TestDb) -> Shop {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
        .apply_catalogue_import(&retail::synthetic::small_shop(), &AuditActor::cli(), &|_, _| {})
        .await
        .expect("catalogue");
    let queue = store.create_queue("sales", "Продажи", "Сату", "Sales").await.expect("queue").id;
    let customer = store
        .create_customers(&[NewCustomer {
            full_name: "ТОО Береке".into(),
            phone: "+77017654321".into(),
            email: "bereke@shop.kz".into(),
            client_type: "regional".into(),
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
        queue_id: queue,
    };
    let call = store.create_contact(&new, &AuditActor::cli()).await.expect("contact").id;
    Shop { store, customer, call, settings: OrderSettings::default() }
}

fn input(s: &Shop, contact: Option<i64>, lines: &[(&str, i64)], payment: PaymentMethod, terms: Terms) -> CreateOrder {
    let now_s = store::now_ms() / 1000;
    CreateOrder {
        customer_id: s.customer,
        contact_id: contact,
        operator_id: None,
        source: None,
        order: NewOrder {
            lines: lines.iter().map(|(k, q)| (k.to_string(), *q)).collect(),
            receiver: Receiver { name: "Серик".into(), phone: "+7 701 765 43 21".into() },
            delivery: DeliveryMethod::Courier,
            address: "Шымкент, Тауке хана 5".into(),
            pickup_point: String::new(),
            slot: Some((now_s + 3_600, now_s + 7_200)),
            payment,
            terms,
        },
        offers: vec![],
        read_back: true,
        request_key: None,
    }
}

async fn create(s: &Shop, i: &CreateOrder) -> Order {
    match s.store.create_order(i, &s.settings).await.expect("create") {
        Created::New(o) => *o,
        other => panic!("refused: {other:?}"),
    }
}

async fn stock(s: &Shop, sku: &str) -> (i64, i64) {
    let e = s.store.catalogue_item(sku).await.expect("item").expect("exists");
    (e.stock.iter().map(|r| r.on_hand).sum(), e.stock.iter().map(|r| r.reserved).sum())
}

async fn act(s: &Shop, id: i64, a: Action) -> Order {
    match s.store.transition_order(id, &a, &AuditActor::cli()).await.expect("transition") {
        Ok(o) => o,
        Err(e) => panic!("{a:?} refused: {e:?}"),
    }
}

#[tokio::test]
async fn a_deferred_order_runs_its_lifecycle_with_stock_and_balance() {
    for db in testkit::databases().await {
        let s = shop(&db).await;
        s.store.set_customer_account(s.customer, 0, 0, Some(10_000_000), &AuditActor::cli()).await.expect("account");
        let i = input(
            &s,
            Some(s.call),
            &[("MILK", 30), ("KEFIR", 5)],
            PaymentMethod::BankTransfer,
            Terms::Deferred { days: 14 },
        );
        let o = create(&s, &i).await;
        // Regional pays retail: 450 × 30 = 13 500 − 3 % = 13 095; kefir 5 × 390 = 1 950; courier 1 500 (below 20 000).
        assert_eq!((o.goods_total, o.delivery_cost, o.total), (1_309_500 + 195_000, 150_000, 1_654_500), "{}", db.kind);
        assert_eq!(o.source, "call");
        assert_eq!(o.confirmation_contact_id, None);
        assert_eq!(o.lines.len(), 2);
        assert_eq!(stock(&s, "MILK").await, (120, 30));
        let o = act(&s, o.id, Action::Confirm { call_done: false }).await;
        assert_eq!(o.status, "confirmed");
        // Deferred terms: picked without payment.
        act(&s, o.id, Action::Pick).await;
        act(&s, o.id, Action::Pack).await;
        act(&s, o.id, Action::Ship { carrier: "Свой курьер".into(), tracking: String::new() }).await;
        assert_eq!(stock(&s, "MILK").await, (90, 0));
        assert_eq!(stock(&s, "KEFIR").await, (45, 0));
        let o = act(&s, o.id, Action::Deliver).await;
        assert!(o.delivered_at.is_some());
        let acc = s.store.customer_account(s.customer).await.expect("read").expect("account");
        assert_eq!(acc.balance, 1_654_500, "the invoice is owed from delivery");
        let o = act(&s, o.id, Action::Close).await;
        assert_eq!(o.status, "closed");
        assert_eq!(o.history.len(), 7);
        assert!(o.history.iter().all(|e| e.refs.order_id == Some(o.id) && e.refs.customer_id == Some(s.customer)));
        assert_eq!(o.notices.len(), 7);

        // A paid order cancelled after shipping: goods back, refund recorded.
        let i = input(&s, Some(s.call), &[("TEA", 3)], PaymentMethod::CardLink, Terms::Prepaid);
        let o = create(&s, &i).await;
        // 3 × 1 200 = 3 600 − 10 % = 3 240 + courier 1 500.
        assert_eq!(o.total, 324_000 + 150_000);
        act(&s, o.id, Action::Confirm { call_done: false }).await;
        act(&s, o.id, Action::Pay { amount: o.total }).await;
        act(&s, o.id, Action::Pick).await;
        act(&s, o.id, Action::Pack).await;
        act(&s, o.id, Action::Ship { carrier: "Kazpost".into(), tracking: "RR1".into() }).await;
        assert_eq!(stock(&s, "TEA").await, (37, 0));
        let o = act(&s, o.id, Action::Cancel { reason: CancelReason::Customer }).await;
        assert_eq!(stock(&s, "TEA").await, (40, 0), "refused at the door: the goods are back");
        assert_eq!((o.paid, o.refunded), (o.total, o.total));
        let kinds: Vec<&str> = o.payments.iter().map(|p| p.kind.as_str()).collect();
        assert_eq!(kinds, ["payment", "refund"]);
        assert_eq!(o.cancel_reason.as_deref(), Some("customer"));
    }
}

#[tokio::test]
async fn refusals_write_nothing() {
    for db in testkit::databases().await {
        let s = shop(&db).await;
        let before = s.store.count_events(None).await.expect("count");
        // Overdue debt: blocked, redirected to finance (no manager).
        s.store.set_customer_account(s.customer, 100, 100, None, &AuditActor::cli()).await.expect("account");
        let before = before + 1;
        let i = input(&s, Some(s.call), &[("MILK", 1)], PaymentMethod::CardLink, Terms::Prepaid);
        match s.store.create_order(&i, &s.settings).await.expect("create") {
            Created::Refused(Refusal::CreditBlocked(g)) => {
                assert_eq!((g.reasons, g.redirect), (vec!["overdue"], Some("finance")));
            }
            other => panic!("{other:?}"),
        }
        // Over the limit on credit.
        s.store
            .set_customer_account(s.customer, 900_000, 0, Some(1_000_000), &AuditActor::cli())
            .await
            .expect("account");
        let before = before + 1;
        let i = input(&s, Some(s.call), &[("MILK", 1)], PaymentMethod::BankTransfer, Terms::Deferred { days: 7 });
        match s.store.create_order(&i, &s.settings).await.expect("create") {
            Created::Refused(Refusal::CreditBlocked(g)) => {
                assert_eq!(g.reasons, vec!["over-limit"]);
                assert_eq!(g.over_by, 900_000 + 45_000 + 150_000 - 1_000_000);
            }
            other => panic!("{other:?}"),
        }
        // Field errors, and a method without a tariff.
        let mut i = input(&s, Some(s.call), &[("SOAP", 1), ("NOPE", 1)], PaymentMethod::CardLink, Terms::OnDelivery);
        i.order.receiver.name = " ".into();
        match s.store.create_order(&i, &s.settings).await.expect("create") {
            Created::Refused(Refusal::Invalid(e)) => {
                let codes: Vec<(&str, &str)> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
                assert!(codes.contains(&("lines[1].sku", "unknown-item")), "{codes:?}");
                assert!(codes.contains(&("receiver.name", "required")), "{codes:?}");
                assert!(codes.contains(&("terms", "terms-not-allowed")), "{codes:?}");
            }
            other => panic!("{other:?}"),
        }
        let mut settings = OrderSettings::default();
        settings.tariffs.retain(|t| t.method != DeliveryMethod::Courier);
        let i = input(&s, Some(s.call), &[("MILK", 1)], PaymentMethod::CardLink, Terms::Prepaid);
        match s.store.create_order(&i, &settings).await.expect("create") {
            Created::Refused(Refusal::Invalid(e)) => assert_eq!(e[0].code, "method-not-offered"),
            other => panic!("{other:?}"),
        }
        assert_eq!(s.store.count_events(None).await.expect("count"), before, "{}: nothing written", db.kind);
        assert_eq!(stock(&s, "MILK").await, (120, 0));
        assert!(s
            .store
            .orders(&store::orders::OrderFilter { limit: 10, ..Default::default() })
            .await
            .expect("list")
            .is_empty());
    }
}

#[tokio::test]
async fn the_last_units_go_to_one_order_and_keys_and_clicks_count_once() {
    for db in testkit::databases().await {
        let s = shop(&db).await;
        // Two API orders race for the last two coffees: one wins.
        let a = input(&s, None, &[("COFFEE", 2)], PaymentMethod::CardLink, Terms::Prepaid);
        let b = input(&s, None, &[("COFFEE", 2)], PaymentMethod::CardLink, Terms::Prepaid);
        let (ra, rb) = tokio::join!(s.store.create_order(&a, &s.settings), s.store.create_order(&b, &s.settings));
        let outcomes = [ra.expect("a"), rb.expect("b")];
        let won = outcomes.iter().filter(|o| matches!(o, Created::New(_))).count();
        let lost = outcomes.iter().filter(|o| matches!(o, Created::Refused(Refusal::OutOfStock(_)))).count();
        assert_eq!((won, lost), (1, 1), "{}: {outcomes:?}", db.kind);
        assert_eq!(stock(&s, "COFFEE").await, (2, 2));
        let Some(Created::New(o)) = outcomes.into_iter().find(|o| matches!(o, Created::New(_))) else { panic!() };
        // An API order has its confirmation call; a call order has none (checked above).
        let call = o.confirmation_contact_id.expect("confirmation call");
        let c = s.store.contact(call).await.expect("read").expect("call contact");
        assert_eq!((c.channel, c.direction, c.customer_id), (Channel::Voice, Direction::Outbound, Some(s.customer)));
        assert_eq!(o.source, "api");

        // The same request key twice: one order.
        let mut k = input(&s, None, &[("SPONGE", 1)], PaymentMethod::CardLink, Terms::Prepaid);
        k.request_key = Some("shop-1".into());
        let first = create(&s, &k).await;
        match s.store.create_order(&k, &s.settings).await.expect("again") {
            Created::Repeated(o) => assert_eq!(o.id, first.id),
            other => panic!("{other:?}"),
        }
        assert_eq!(stock(&s, "SPONGE").await, (200, 1));

        // Two clicks on confirm: one change, the other refused.
        let confirm = Action::Confirm { call_done: true };
        let by = AuditActor::cli();
        let (x, y) = tokio::join!(
            s.store.transition_order(first.id, &confirm, &by),
            s.store.transition_order(first.id, &confirm, &by)
        );
        let results = [x.expect("x"), y.expect("y")];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
        assert!(results.iter().any(|r| matches!(r, Err(ActionRefused::Stale) | Err(ActionRefused::Lifecycle(_)))));
        let o = s.store.order(first.id).await.expect("read").expect("order");
        assert_eq!(o.history.iter().filter(|e| e.kind == "order.confirmed").count(), 1);
        // A payment must be what is due; an unknown order is not found.
        let o2 = s.store.transition_order(o.id, &Action::Pay { amount: 1 }, &by).await.expect("pay");
        assert!(matches!(o2, Err(ActionRefused::Lifecycle(retail::order::LifecycleError::WrongAmount { .. }))));
        assert!(matches!(
            s.store.transition_order(999_999, &Action::Pick, &by).await.expect("missing"),
            Err(ActionRefused::NotFound)
        ));
    }
}
