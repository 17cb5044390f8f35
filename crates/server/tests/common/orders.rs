//! The order desk on a test app: the small shop's catalogue applied, the
//! `sales` and `finance` queues, and orders made through the store.

use store::orders::{CreateOrder, Created};
use store::AuditActor;

use super::TestApp;

/// Applies `retail::synthetic::small_shop` and creates the `sales` and
/// `finance` queues; returns the sales queue id.
pub async fn shop(app: &TestApp) -> i64 {
    let st = &app.state.store;
    st.apply_catalogue_import(&retail::synthetic::small_shop(), &AuditActor::cli(), &|_, _| {})
        .await
        .expect("catalogue");
    st.create_queue("finance", "Финансы", "Қаржы", "Finance").await.expect("finance queue");
    st.create_queue("sales", "Продажи", "Сату", "Sales").await.expect("sales queue").id
}

/// A courier order by card link of `lines` for `customer`, in `contact` (or an API order).
pub fn courier_order(customer: i64, contact: Option<i64>, lines: &[(&str, i64)]) -> CreateOrder {
    let now_s = store::now_ms() / 1000;
    CreateOrder {
        customer_id: customer,
        contact_id: contact,
        operator_id: None,
        source: None,
        order: retail::order::NewOrder {
            lines: lines.iter().map(|(s, q)| (s.to_string(), *q)).collect(),
            receiver: retail::order::Receiver {
                name: "Айгерим Ахметова".into(), phone: "+7 701 123 45 67".into()
            },
            delivery: retail::order::DeliveryMethod::Courier,
            address: "Алматы, Абая 10".into(),
            pickup_point: String::new(),
            slot: Some((now_s + 86_400, now_s + 86_400 + 7_200)),
            payment: retail::order::PaymentMethod::CardLink,
            terms: retail::order::Terms::Prepaid,
        },
        offers: vec![],
        read_back: true,
        request_key: None,
    }
}

/// Creates an order through the store; its id.
pub async fn order(app: &TestApp, contact: Option<i64>) -> i64 {
    let st = &app.state.store;
    let settings = st.order_settings().await.expect("settings");
    match st.create_order(&courier_order(app.customer, contact, &[("MILK", 2)]), &settings).await.expect("create") {
        Created::New(o) => o.id,
        other => panic!("order refused: {other:?}"),
    }
}
