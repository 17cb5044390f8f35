//! The analytics readers on every database kind: sold lines of a period
//! (cancelled orders left out, the day in local time, cost from the line),
//! customers' last orders, the catalogue's items, and the settings document
//! (validated, evented, audited).

use std::collections::BTreeMap;

use domain::contact::{Channel, ContactType};
use domain::time::{Date, UtcOffset};
use retail::analytics_report::Settings;
use retail::catalogue::{Catalogue, Item, Names, Price};
use store::contacts::PastContact;
use store::order_history::{PastOrder, PastOrderLine};
use store::{AuditActor, NewCustomer, Store};

fn item(sku: &str, listed: bool) -> Item {
    Item {
        sku: sku.into(),
        name: Names { ru: format!("Товар {sku}"), kk: String::new(), en: String::new() },
        description: Names::default(),
        category: vec![],
        attributes: vec![],
        unit: "pcs".into(),
        vat_bp: 1200,
        listed,
        goods_class: "food".into(),
        warranty_months: 0,
        alternatives: vec![],
        complements: vec![],
        competitor_note: String::new(),
        photos: vec![],
    }
}

fn line(sku: &str, qty: i64, unit_price: i64, unit_cost: i64) -> PastOrderLine {
    PastOrderLine {
        sku: sku.into(),
        name: sku.into(),
        unit: "pcs".into(),
        qty,
        unit_price,
        unit_cost,
        tier_discount: 0,
        promotion_id: None,
        promotion_discount: 0,
        total: unit_price * qty,
        vat_bp: 1200,
        vat: 0,
    }
}

fn order(id: i64, customer_id: i64, status: &str, at: i64, lines: Vec<PastOrderLine>) -> PastOrder {
    PastOrder {
        id,
        customer_id,
        contact_id: 900,
        operator_id: None,
        source: "web_form".into(),
        client_type: "key".into(),
        status: status.into(),
        delivery_method: "courier".into(),
        address: "Алматы".into(),
        receiver_name: "Айгүл".into(),
        receiver_phone: "+77011234567".into(),
        payment_method: "card_link".into(),
        terms: "prepaid".into(),
        delivery_cost: 0,
        paid: 0,
        refunded: 0,
        cancel_reason: None,
        created_at: at,
        updated_at: at,
        delivered_at: None,
        lines,
    }
}

#[tokio::test]
async fn sold_lines_last_orders_and_settings() {
    for db in testkit::databases().await {
        let store = Store::connect(&db.url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let actor = AuditActor::cli();
        let mut cat = Catalogue::default();
        for (sku, listed) in [("A", true), ("B", true), ("Z", false)] {
            cat.items.insert(sku.into(), item(sku, listed));
            cat.prices
                .insert(sku.into(), Price { by_client_type: BTreeMap::from([("retail".into(), 100)]), tiers: vec![] });
        }
        store.apply_catalogue_import(&cat, &actor, &|_, _| {}).await.unwrap();
        let new = |name: &str| NewCustomer {
            full_name: name.into(),
            phone: "+77011234567".into(),
            email: String::new(),
            client_type: "key".into(),
            locale: "ru".into(),
            created_at: 0,
            consent_at: None,
        };
        let ids = store.create_customers(&[new("Первый"), new("Второй"), new("Третий")]).await.unwrap();
        let contact = PastContact {
            id: 900,
            channel: Channel::Voice,
            contact_type: ContactType::SaleOrder,
            topic: String::new(),
            queue_id: None,
            operator_id: None,
            customer_id: Some(ids[0]),
            subject: "Заказ".into(),
            created_at: 0,
            closed_at: 0,
        };
        store.import_history(&[contact], &[]).await.unwrap();
        let almaty = UtcOffset::ALMATY;
        let day = Date::parse("2026-03-02").unwrap();
        // 20:00 UTC on 1 March is 01:00 on 2 March in Almaty.
        let late = almaty.start_of_day(day) + 3_600_000;
        let orders = [
            order(1, ids[0], "closed", late, vec![line("A", 2, 1_000, 600), line("B", 1, 500, 0)]),
            order(2, ids[0], "cancelled", late + 1_000, vec![line("A", 9, 1_000, 600)]),
            order(3, ids[1], "new", late + 86_400_000, vec![line("B", 3, 500, 100)]),
            order(4, ids[1], "closed", late + 40 * 86_400_000, vec![line("A", 1, 1_000, 600)]),
        ];
        store.import_order_history(&orders, &[], &[], 1).await.unwrap();

        let from = almaty.start_of_day(day);
        let lines = store.sale_lines(from, from + 7 * 86_400_000, almaty).await.unwrap();
        let got: Vec<(i64, String, String, i64, i64, i64)> =
            lines.iter().map(|l| (l.order, l.day.to_string(), l.sku.clone(), l.units, l.revenue, l.cost)).collect();
        assert_eq!(
            got,
            vec![
                (1, "2026-03-02".into(), "A".into(), 2, 2_000, 1_200),
                (1, "2026-03-02".into(), "B".into(), 1, 500, 0),
                (3, "2026-03-03".into(), "B".into(), 3, 1_500, 300),
            ],
            "{}",
            db.url
        );
        assert_eq!(lines[0].channel, "web_form");
        assert_eq!(lines[0].client_type, "key");
        // The same instants in UTC fall a day earlier.
        let utc = store.sale_lines(from, from + 7 * 86_400_000, UtcOffset::UTC).await.unwrap();
        assert_eq!(utc[0].day.to_string(), "2026-03-01");

        let last = store.clients_last_order().await.unwrap();
        let last: Vec<(i64, Option<i64>)> = last.iter().map(|c| (c.id, c.last_order_at)).collect();
        assert_eq!(last, vec![(ids[0], Some(late)), (ids[1], Some(late + 40 * 86_400_000)), (ids[2], None)]);
        assert_eq!(store.client_last_order(ids[2]).await.unwrap().map(|c| c.full_name), Some("Третий".into()));
        assert_eq!(store.client_last_order(99_999).await.unwrap(), None);
        let items = store.analytics_items().await.unwrap();
        assert_eq!(
            items.iter().map(|i| (i.sku.as_str(), i.listed)).collect::<Vec<_>>(),
            [("A", true), ("B", true), ("Z", false)]
        );

        assert_eq!(store.sales_analytics_settings().await.unwrap(), Settings::default());
        let mut s = Settings { dormant_days: 45, ..Settings::default() };
        s.plan.insert("2026-03".into(), 5_000_000);
        store.set_sales_analytics_settings(&s, &actor).await.unwrap();
        assert_eq!(store.sales_analytics_settings().await.unwrap(), s);
        let bad = Settings { dormant_days: 0, ..s.clone() };
        assert!(store.set_sales_analytics_settings(&bad, &actor).await.is_err());
        assert_eq!(store.sales_analytics_settings().await.unwrap(), s, "a refused change changes nothing");
        let audit = store.list_audit(Some("settings.sales_analytics"), 10, 0).await.unwrap();
        assert_eq!(audit.len(), 1);
    }
}
