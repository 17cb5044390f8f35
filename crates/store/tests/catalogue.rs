//! The catalogue in the store, on every database kind: an applied catalogue
//! reads back equal, a re-import counts updates and rewrites prices, and a
//! statement failing mid-way leaves nothing of the import behind.

use std::collections::BTreeMap;

use retail::catalogue::{Benefit, Catalogue, Item, Names, Price, Promotion, Stock, StockRow, Tier};
use store::{AuditActor, Store};

async fn open(db: &testkit::TestDb) -> Store {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

fn item(n: usize) -> Item {
    Item {
        sku: format!("SKU-{n:05}"),
        name: Names { ru: format!("Товар №{n}"), kk: format!("Тауар №{n}"), en: format!("Item {n}") },
        description: Names { ru: "Описание".into(), kk: String::new(), en: String::new() },
        category: vec!["Продукты".into(), "Молочные".into()],
        attributes: vec![("объём".into(), "1 л".into())],
        unit: "pcs".into(),
        vat_bp: 1200,
        listed: !n.is_multiple_of(7),
        goods_class: "food".into(),
        warranty_months: 0,
        alternatives: vec![],
        complements: vec![],
        competitor_note: String::new(),
        photos: vec!["https://example.org/p.jpg".into()],
    }
}

/// `n` items priced `base + i`, each with stock in two warehouses.
fn catalogue(n: usize, base: i64) -> Catalogue {
    let mut cat = Catalogue::default();
    let mut stock = Vec::new();
    for i in 1..=n {
        let it = item(i);
        let mut by_client_type = BTreeMap::new();
        by_client_type.insert("retail".to_string(), base + i as i64);
        by_client_type.insert("key".to_string(), base + i as i64 - 10);
        cat.prices.insert(
            it.sku.clone(),
            Price { by_client_type, tiers: vec![Tier { min_qty: 10, bp: 300 }, Tier { min_qty: 50, bp: 500 }] },
        );
        stock.push(StockRow { sku: it.sku.clone(), warehouse: "main".into(), on_hand: (i % 97) as i64, reserved: 0 });
        stock.push(StockRow { sku: it.sku.clone(), warehouse: "almaty".into(), on_hand: 5, reserved: 0 });
        cat.items.insert(it.sku.clone(), it);
    }
    cat.stock = Stock::from(stock);
    cat.promotions.push(Promotion {
        id: "spring".into(),
        title: Names { ru: "Весна".into(), kk: "Көктем".into(), en: "Spring".into() },
        from: 1_700_000_000,
        until: 1_800_000_000,
        min_qty: 1,
        min_order_sum: 0,
        skus: vec!["SKU-00001".into()],
        categories: vec![],
        client_types: vec![],
        benefit: Benefit::Percent(500),
    });
    cat
}

const N: usize = 1_200; // more than two batches

#[tokio::test]
async fn applied_catalogue_reads_back_equal_and_reapply_counts_updates() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let actor = AuditActor::cli();
        let cat = catalogue(N, 10_000);
        let calls = std::sync::Mutex::new(Vec::new());
        let started = std::time::Instant::now();
        let out = store
            .apply_catalogue_import(&cat, &actor, &|done, total| calls.lock().unwrap().push((done, total)))
            .await
            .expect(k);
        eprintln!("{k}: {N} items applied in {:?}", started.elapsed());
        assert_eq!((out.created, out.updated, out.stock_rows, out.promotions), (N, 0, 2 * N, 1), "{k}");
        assert_eq!(calls.lock().unwrap().last(), Some(&(N, N)), "{k}");
        assert_eq!(store.catalogue_count().await.expect(k), N as i64, "{k}");
        assert_eq!(store.catalogue().await.expect(k), cat, "{k}: read back equal");
        let one = store.catalogue_item("SKU-00042").await.expect(k).expect("stored");
        assert_eq!(one.item, cat.items["SKU-00042"], "{k}");
        assert_eq!(one.price.as_ref(), cat.prices.get("SKU-00042"), "{k}");
        assert_eq!(
            one.stock.iter().map(|s| (s.warehouse.as_str(), s.on_hand)).collect::<Vec<_>>(),
            vec![("almaty", 5), ("main", 42)],
            "{k}"
        );
        assert!(store.catalogue_item("NOPE").await.expect(k).is_none(), "{k}");

        // Re-apply with new prices and one new item.
        let cat2 = catalogue(N + 1, 20_000);
        let out = store.apply_catalogue_import(&cat2, &actor, &|_, _| {}).await.expect(k);
        assert_eq!((out.created, out.updated), (1, N), "{k}");
        assert_eq!(store.catalogue().await.expect(k), cat2, "{k}: updated prices read back");
        let one = store.catalogue_item("SKU-00042").await.expect(k).expect("stored");
        assert_eq!(one.price.expect("price").unit_price("retail"), 20_042, "{k}");

        let events = store.events_after(Some(domain::events::CATALOGUE_IMPORTED), 0, 10).await.expect(k);
        assert_eq!(events.len(), 2, "{k}");
        assert_eq!(events[1].payload["created"], 1, "{k}");
        assert_eq!(events[1].payload["updated"], N, "{k}");
        let audit = store.list_audit(Some("catalogue.import"), 10, 0).await.expect(k);
        assert_eq!(audit.len(), 2, "{k}");
    }
}

#[tokio::test]
async fn a_statement_failing_mid_way_leaves_nothing() {
    for db in testkit::databases().await {
        let k = db.kind;
        let store = open(&db).await;
        let actor = AuditActor::cli();
        let first = catalogue(10, 10_000);
        store.apply_catalogue_import(&first, &actor, &|_, _| {}).await.expect(k);
        let events_before = store.count_events(None).await.expect(k);

        // New prices for every item and 600 new items (two batches are written), then
        // stock for a SKU that is in neither the store nor the file: the foreign key fails.
        let mut bad = catalogue(610, 50_000);
        let mut stock: Vec<StockRow> = bad.stock.clone().into();
        stock.push(StockRow { sku: "GHOST".into(), warehouse: "main".into(), on_hand: 1, reserved: 0 });
        bad.stock = Stock::from(stock);
        let err = store.apply_catalogue_import(&bad, &actor, &|_, _| {}).await;
        assert!(err.is_err(), "{k}: a stock row without its item must fail");

        assert_eq!(store.catalogue_count().await.expect(k), 10, "{k}: no new item kept");
        assert_eq!(store.catalogue().await.expect(k), first, "{k}: old prices and stock kept");
        assert_eq!(store.count_events(None).await.expect(k), events_before, "{k}: no event");
    }
}
