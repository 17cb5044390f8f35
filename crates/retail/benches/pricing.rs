//! Pricing a 5-line order against a 10,000-item catalogue with 50 active
//! promotions (the desk's hot path). `cargo bench -p retail`.

use std::collections::BTreeMap;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use retail::catalogue::{Benefit, Catalogue, Item, Names, Price, Promotion, Tier};
use retail::pricing::{price_order, LineRequest};

fn catalogue() -> Catalogue {
    let mut c = Catalogue::default();
    for i in 0..10_000 {
        let sku = format!("SKU-{i:05}");
        c.items.insert(
            sku.clone(),
            Item {
                sku: sku.clone(),
                name: Names { ru: format!("Товар {i}"), ..Names::default() },
                description: Names::default(),
                category: vec!["Продукты".into(), format!("Группа {}", i % 40)],
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
        let prices: BTreeMap<String, i64> = [("retail".to_string(), 10_000 + i), ("key".to_string(), 9_000 + i)].into();
        c.prices.insert(
            sku,
            Price { by_client_type: prices, tiers: vec![Tier { min_qty: 10, bp: 300 }, Tier { min_qty: 50, bp: 500 }] },
        );
    }
    for p in 0..50 {
        c.promotions.push(Promotion {
            id: format!("promo-{p}"),
            title: Names::default(),
            from: 0,
            until: i64::MAX,
            min_qty: 0,
            min_order_sum: 0,
            skus: vec![],
            categories: vec![vec!["Продукты".into(), format!("Группа {p}")]],
            client_types: vec![],
            benefit: if p % 2 == 0 { Benefit::Percent(500) } else { Benefit::NForM { n: 3, m: 2 } },
        });
    }
    c
}

fn bench(c: &mut Criterion) {
    let cat = catalogue();
    let skus: Vec<String> = [17, 1_234, 5_000, 7_777, 9_999].iter().map(|i| format!("SKU-{i:05}")).collect();
    let lines: Vec<LineRequest<'_>> =
        skus.iter().enumerate().map(|(n, s)| LineRequest { sku: s, qty: 3 + 7 * n as i64 }).collect();
    c.bench_function("price a 5-line order", |b| {
        b.iter(|| price_order(black_box(&cat), "key", black_box(&lines), 150_000, 1200, 1_000))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
