//! The documents' reader and the seller's details on every database kind:
//! an order of migration 0021 reads back with its lines and customer; the
//! seller's details are refused with the field named and nothing stored,
//! or stored normalised with their event and audit row.

use std::collections::BTreeMap;

use documents::Seller;
use domain::contact::{Channel, ContactType, Direction};
use retail::catalogue::{Catalogue, Item, Names, Price};
use store::order_documents::test_fixture::RawOrder;
use store::{AuditActor, NewCustomer, Store, StoreError};

fn seller() -> Seller {
    Seller {
        jurisdiction: "kz".into(),
        name: " ТОО «Жетісу Азық» ".into(),
        tax_id: "180340021791".into(),
        address: "Алматы, пр. Абая 10".into(),
        bank_name: "АО «Kaspi Bank»".into(),
        account: "kz86 125K ZT50 0410 0100".into(),
        bik: "CASPKZKA".into(),
        kbe: "17".into(),
        director: "Сейітов Ә. Б.".into(),
        ..Seller::default()
    }
}

/// A store with one customer, one contact and the catalogue items `skus`.
pub async fn setup(db: &testkit::TestDb, skus: &[&str]) -> (Store, i64, i64) {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let customer = store
        .create_customers(&[NewCustomer {
            full_name: "Сейітова Айгүл".into(),
            phone: "+77011234567".into(),
            email: "aigul@example.kz".into(),
            client_type: "key".into(),
            locale: "kk".into(),
            created_at: 0,
            consent_at: None,
        }])
        .await
        .expect("customer")[0];
    let sales = store.create_queue("sales", "Продажи", "Сату", "Sales").await.expect("queue").id;
    let topic = store::topics::NewTopic {
        parent_id: None,
        code: "order".into(),
        name_ru: "Заказ".into(),
        name_kk: "Тапсырыс".into(),
        name_en: "Order".into(),
        contact_type: None,
        position: 0,
    };
    store.create_topic(&topic, &AuditActor::cli()).await.expect("topic");
    let contact = store
        .create_contact(
            &store::contacts::NewContact {
                channel: Channel::Voice,
                direction: Direction::Inbound,
                contact_type: ContactType::Information,
                topic: "order".into(),
                priority: 0,
                subject: "Заказ".into(),
                customer_id: Some(customer),
                queue_id: sales,
            },
            &AuditActor::cli(),
        )
        .await
        .expect("contact")
        .id;
    let mut cat = Catalogue::default();
    for sku in skus {
        let item = Item {
            sku: sku.to_string(),
            name: Names { ru: format!("Товар {sku}"), kk: String::new(), en: String::new() },
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
        let by_client_type = BTreeMap::from([("retail".to_string(), 10_000)]);
        cat.prices.insert(sku.to_string(), Price { by_client_type, tiers: vec![] });
        cat.items.insert(sku.to_string(), item);
    }
    store.apply_catalogue_import(&cat, &AuditActor::cli(), &|_, _| {}).await.expect("catalogue");
    (store, customer, contact)
}

#[tokio::test]
async fn an_order_reads_back_with_lines_and_customer() {
    for db in testkit::databases().await {
        let k = db.kind;
        let (store, customer, contact) = setup(&db, &["SKU-1", "SKU-2"]).await;
        assert_eq!(store.order_for_documents(999).await.expect(k), None, "{k}");
        let raw = RawOrder {
            customer_id: customer,
            contact_id: contact,
            status: "confirmed".into(),
            address: "Қарағанды, Бұқар жырау 5".into(),
            receiver_name: "Айгүл".into(),
            receiver_phone: "+7 701 123 45 67".into(),
            payment_method: "bank_transfer".into(),
            terms: "deferred:14".into(),
            delivery_cost: 150_000,
            created_at: 1_796_000_000_000,
            lines: vec![
                ("SKU-2".into(), "Ұн, 2 кг".into(), "шт".into(), 3, 45_000, 2_000, 1200),
                ("SKU-1".into(), "Шәй".into(), "уп".into(), 1, 99_990, 0, 1200),
            ],
        };
        let id = store.insert_raw_order_fixture(&raw).await.expect(k);
        let o = store.order_for_documents(id).await.expect(k).expect("order");
        assert_eq!((o.customer_id, o.contact_id), (customer, contact), "{k}");
        assert_eq!(o.customer_name, "Сейітова Айгүл", "{k}");
        assert_eq!(o.customer_email, "aigul@example.kz", "{k}");
        assert_eq!(o.lines.len(), 2, "{k}");
        assert_eq!((o.lines[0].line_no, o.lines[0].sku.as_str(), o.lines[0].name.as_str()), (1, "SKU-2", "Ұн, 2 кг"));
        assert_eq!((o.lines[0].qty, o.lines[0].discount, o.lines[0].total), (3, 2_000, 133_000), "{k}");
        assert_eq!(o.goods_total, 133_000 + 99_990, "{k}");
        assert_eq!(o.total, o.goods_total + 150_000, "{k}");
        assert_eq!(o.terms, "deferred:14", "{k}");
    }
}

#[tokio::test]
async fn seller_details_are_validated_normalised_and_audited() {
    for db in testkit::databases().await {
        let k = db.kind;
        let (store, _, _) = setup(&db, &[]).await;
        assert_eq!(store.seller().await.expect(k), Seller::default(), "{k}: nothing saved yet");
        let mut bad = seller();
        bad.tax_id = "180340021790".into();
        match store.set_seller(&bad, &AuditActor::cli()).await {
            Err(StoreError::Invalid(inv)) => assert_eq!((inv.field, inv.code), ("tax_id", "seller-invalid-bin")),
            other => panic!("{k}: {other:?}"),
        }
        assert_eq!(store.seller().await.expect(k), Seller::default(), "{k}: a refused save changes nothing");
        assert_eq!(store.count_events(Some("settings.seller_changed")).await.expect(k), 0, "{k}");

        let saved = store.set_seller(&seller(), &AuditActor::cli()).await.expect(k);
        assert_eq!(saved.account, "KZ86125KZT5004100100", "{k}: spaces and case normalised");
        assert_eq!((saved.jurisdiction.as_str(), saved.name.as_str()), ("KZ", "ТОО «Жетісу Азық»"), "{k}");
        assert_eq!(store.seller().await.expect(k), saved, "{k}");
        assert_eq!(store.count_events(Some("settings.seller_changed")).await.expect(k), 1, "{k}");
        let audit = store.list_audit(Some("settings.seller"), 10, 0).await.expect(k);
        assert_eq!(audit.len(), 1, "{k}");
        assert!(audit[0].detail.contains("180340021791"), "{k}: the audit row has the document");
    }
}
