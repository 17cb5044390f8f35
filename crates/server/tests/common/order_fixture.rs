//! TEST FIXTURE for the order documents' tests: catalogue items and one
//! order inserted as raw migration-0021 rows (`store::order_documents::
//! test_fixture`), without the order desk's rules, events or stock.

use std::collections::BTreeMap;

use retail::catalogue::{Catalogue, Item, Names, Price};
use store::order_documents::test_fixture::RawOrder;
use store::AuditActor;

use super::TestApp;

/// An order of `lines` lines for the app's customer and contact; line 1 is
/// `Қазы «Ет-Ас» <деликатес>` (2 × 4 500,00 − 200,00), the others 1 × 1 000,00;
/// delivery 1 500,00; deferred 14 days by bank transfer.
pub async fn raw_order(app: &TestApp, lines: usize) -> i64 {
    let mut cat = Catalogue::default();
    let mut rows = Vec::new();
    for i in 1..=lines {
        let sku = format!("DOC-{i:04}");
        let item = Item {
            sku: sku.clone(),
            name: Names { ru: format!("Товар {i}"), kk: String::new(), en: String::new() },
            description: Names::default(),
            category: vec!["Продукты".into()],
            attributes: vec![],
            unit: "шт".into(),
            vat_bp: 1200,
            listed: true,
            goods_class: "food".into(),
            warranty_months: 0,
            alternatives: vec![],
            complements: vec![],
            competitor_note: String::new(),
            photos: vec![],
        };
        cat.prices
            .insert(sku.clone(), Price { by_client_type: BTreeMap::from([("retail".into(), 100_000)]), tiers: vec![] });
        cat.items.insert(sku.clone(), item);
        rows.push(if i == 1 {
            (sku, "Қазы «Ет-Ас» <деликатес>".to_string(), "кг".to_string(), 2, 450_000, 20_000, 1200)
        } else {
            (sku, format!("Шәй өнімі №{i}"), "шт".to_string(), 1, 100_000, 0, 1200)
        });
    }
    app.state.store.apply_catalogue_import(&cat, &AuditActor::cli(), &|_, _| {}).await.expect("catalogue");
    let raw = RawOrder {
        customer_id: app.customer,
        contact_id: app.contact,
        status: "confirmed".into(),
        address: "Қарағанды, Бұқар жырау 5".into(),
        receiver_name: "Айгүл Сейітова".into(),
        receiver_phone: "+7 701 123 45 67".into(),
        payment_method: "bank_transfer".into(),
        terms: "deferred:14".into(),
        delivery_cost: 150_000,
        created_at: 1_796_000_000_000,
        lines: rows,
    };
    app.state.store.insert_raw_order_fixture(&raw).await.expect("order fixture")
}
