//! Past orders load in bulk on every database kind: ids kept, totals taken
//! from the lines, and any bad row (unknown SKU, id taken twice) leaves
//! nothing of the import behind.

use std::collections::BTreeMap;

use domain::contact::{Channel, ContactType};
use retail::catalogue::{Catalogue, Item, Names, Price, Stock, StockRow};
use store::contacts::PastContact;
use store::order_history::{PastAccount, PastOrder, PastOrderLine};
use store::{AuditActor, NewCustomer, Store};

async fn open(db: &testkit::TestDb) -> Store {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

fn one_item_catalogue() -> Catalogue {
    let mut cat = Catalogue::default();
    let sku = "MILK-1".to_string();
    cat.items.insert(
        sku.clone(),
        Item {
            sku: sku.clone(),
            name: Names { ru: "Молоко 1 л".into(), kk: "Сүт 1 л".into(), en: "Milk 1 l".into() },
            description: Names::default(),
            category: vec!["Продукты".into()],
            attributes: vec![],
            unit: "pcs".into(),
            vat_bp: 1200,
            listed: true,
            goods_class: "food".into(),
            warranty_months: 0,
            alternatives: vec![],
            complements: vec![],
            competitor_note: String::new(),
            photos: vec![],
        },
    );
    cat.prices
        .insert(sku.clone(), Price { by_client_type: BTreeMap::from([("retail".into(), 50_000)]), tiers: vec![] });
    cat.stock = Stock::from(vec![StockRow { sku, warehouse: "main".into(), on_hand: 10, reserved: 0 }]);
    cat
}

fn line(sku: &str, qty: i64) -> PastOrderLine {
    PastOrderLine {
        sku: sku.into(),
        name: "Молоко 1 л".into(),
        unit: "pcs".into(),
        qty,
        unit_price: 50_000,
        unit_cost: 40_000,
        tier_discount: 0,
        promotion_id: None,
        promotion_discount: 5_000,
        total: 50_000 * qty - 5_000,
        vat_bp: 1200,
        vat: 1_000,
    }
}

fn order(id: i64, customer_id: i64, contact_id: i64, lines: Vec<PastOrderLine>) -> PastOrder {
    PastOrder {
        id,
        customer_id,
        contact_id,
        operator_id: None,
        source: "call".into(),
        client_type: "regional".into(),
        status: "closed".into(),
        delivery_method: "courier".into(),
        address: "Алматы, Абая 10".into(),
        receiver_name: "Айгүл".into(),
        receiver_phone: "+77011234567".into(),
        payment_method: "cash_on_delivery".into(),
        terms: "on_delivery".into(),
        delivery_cost: 100_000,
        paid: 0,
        refunded: 0,
        cancel_reason: None,
        created_at: 1_700_000_000_000,
        updated_at: 1_700_000_100_000,
        delivered_at: Some(1_700_000_100_000),
        lines,
    }
}

#[tokio::test]
async fn past_orders_import_whole_or_not_at_all() {
    for db in testkit::databases().await {
        let store = open(&db).await;
        let actor = AuditActor::cli();
        store.apply_catalogue_import(&one_item_catalogue(), &actor, &|_, _| {}).await.unwrap();
        let customer = store
            .create_customers(&[NewCustomer {
                full_name: "Айгүл Сейітова".into(),
                phone: "+77011234567".into(),
                email: String::new(),
                client_type: "regional".into(),
                locale: "kk".into(),
                created_at: 1_600_000_000_000,
                consent_at: None,
            }])
            .await
            .unwrap()[0];
        let contact = PastContact {
            id: 900,
            channel: Channel::Voice,
            contact_type: ContactType::SaleOrder,
            topic: String::new(),
            queue_id: None,
            operator_id: None,
            customer_id: Some(customer),
            subject: "Заказ".into(),
            created_at: 1_700_000_000_000,
            closed_at: 1_700_000_000_000,
        };
        store.import_history(&[contact], &[]).await.unwrap();
        let account =
            PastAccount { customer_id: customer, balance: 300_000, overdue: 0, credit_limit: Some(1_000_000) };

        // An unknown SKU in the second order: nothing of the first stays either.
        let bad = [order(10, customer, 900, vec![line("MILK-1", 2)]), order(11, customer, 900, vec![line("NOPE", 1)])];
        assert!(store.import_order_history(&bad, &[account], &[], 1).await.is_err(), "{}", db.url);
        assert_eq!(store.count_orders().await.unwrap(), 0);

        let good = [order(10, customer, 900, vec![line("MILK-1", 2), line("MILK-1", 1)])];
        store.import_order_history(&good, &[account], &[], 1).await.unwrap();
        assert_eq!(store.count_orders().await.unwrap(), 1);
        // The same id again is refused and changes nothing.
        assert!(store.import_order_history(&good, &[], &[], 2).await.is_err());
        assert_eq!(store.count_orders().await.unwrap(), 1);
        // Stock is history's business, not the import's.
        let entry = store.catalogue_item("MILK-1").await.unwrap().unwrap();
        assert_eq!(entry.stock[0].on_hand, 10);
    }
}
