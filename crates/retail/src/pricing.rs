//! The price of a line and of an order.
//!
//! Rules (also in docs/RETAIL.md):
//! 1. The unit price is the client type's price-list column (fallback
//!    `retail`); prices include VAT.
//! 2. The line's list amount is unit price × quantity; the quantity tier
//!    (highest reached) takes its percent off the line amount, half-up.
//! 3. Promotions do **not** stack: of the promotions that cover the line and
//!    whose conditions hold, the one with the largest discount applies (ties:
//!    the smallest id), computed on the amount after the tier, capped at it.
//!    A promotion's `min_order_sum` is checked against the order's sum after
//!    tiers and before promotions.
//! 4. VAT is extracted per line from the line total, half-up; the order's VAT
//!    is the sum of the lines' VAT. Delivery is a separate amount with its own
//!    VAT rate.

use crate::catalogue::{Benefit, Catalogue, Item, Price, Promotion};
use crate::money::{mul_div_half_up, percent_of, vat_included, Bp, Money};

/// A line asked for: an item and a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRequest<'a> {
    pub sku: &'a str,
    pub qty: i64,
}

/// A priced line. All amounts are for the whole line, VAT included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub sku: String,
    pub qty: i64,
    pub unit_price: Money,
    /// unit price × quantity.
    pub list_amount: Money,
    pub tier_bp: Bp,
    pub tier_discount: Money,
    /// The promotion applied, if any.
    pub promotion: Option<String>,
    pub promotion_discount: Money,
    /// list − tier discount − promotion discount.
    pub total: Money,
    pub vat_bp: Bp,
    pub vat: Money,
}

/// Why an order cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("line {line}: item {sku} is not in the catalogue or has no price")]
    UnknownItem { line: usize, sku: String },
    #[error("line {line}: quantity must be positive, got {qty}")]
    BadQuantity { line: usize, qty: i64 },
}

/// An order's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub lines: Vec<PricedLine>,
    pub list_amount: Money,
    pub discount: Money,
    pub goods_total: Money,
    pub delivery: Money,
    pub delivery_vat: Money,
    /// goods total + delivery.
    pub grand_total: Money,
    /// VAT of the lines plus that of delivery.
    pub vat: Money,
}

/// The discount a promotion gives on a line whose amount after tiers is
/// `amount` for `qty` units, capped at `amount`.
pub fn promotion_discount(benefit: Benefit, amount: Money, qty: i64) -> Money {
    let d = match benefit {
        Benefit::Percent(bp) => percent_of(amount, bp),
        Benefit::FixedPerUnit(m) => m.saturating_mul(qty),
        Benefit::NForM { n, m } if n > 0 && (0..n).contains(&m) && qty > 0 => {
            let free = (qty / n) * (n - m);
            mul_div_half_up(amount, free, qty)
        }
        Benefit::NForM { .. } => 0,
    };
    d.clamp(0, amount.max(0))
}

/// Prices one line without promotions' order conditions (`order_sum` is
/// the order's sum after tiers, for `min_order_sum`).
#[allow(clippy::too_many_arguments)]
pub fn price_line<'p>(
    item: &Item,
    price: &Price,
    client_type: &str,
    qty: i64,
    promotions: impl IntoIterator<Item = &'p Promotion>,
    order_sum: Money,
    at: i64,
) -> PricedLine {
    let unit_price = price.unit_price(client_type);
    let list_amount = unit_price.saturating_mul(qty);
    let tier_bp = price.tier_bp(qty);
    let tier_discount = percent_of(list_amount, tier_bp);
    let after_tier = list_amount - tier_discount;
    let mut best: Option<(&Promotion, Money)> = None;
    for p in promotions {
        if !p.covers(item, client_type, at) || qty < p.min_qty || order_sum < p.min_order_sum {
            continue;
        }
        let d = promotion_discount(p.benefit, after_tier, qty);
        let better = match best {
            None => d > 0,
            Some((b, bd)) => d > bd || (d == bd && p.id < b.id),
        };
        if better {
            best = Some((p, d));
        }
    }
    let promotion_discount = best.map_or(0, |(_, d)| d);
    let total = after_tier - promotion_discount;
    PricedLine {
        sku: item.sku.clone(),
        qty,
        unit_price,
        list_amount,
        tier_bp,
        tier_discount,
        promotion: best.map(|(p, _)| p.id.clone()),
        promotion_discount,
        total,
        vat_bp: item.vat_bp,
        vat: vat_included(total, item.vat_bp),
    }
}

/// Prices an order for a client type at a moment, with a delivery amount
/// and its VAT rate.
pub fn price_order(
    cat: &Catalogue,
    client_type: &str,
    lines: &[LineRequest<'_>],
    delivery: Money,
    delivery_vat_bp: Bp,
    at: i64,
) -> Result<Totals, PriceError> {
    // First pass: check lines and compute the order sum after tiers.
    let mut resolved = Vec::with_capacity(lines.len());
    let mut order_sum: Money = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.qty <= 0 {
            return Err(PriceError::BadQuantity { line: i + 1, qty: l.qty });
        }
        let (Some(item), Some(price)) = (cat.item(l.sku), cat.price(l.sku)) else {
            return Err(PriceError::UnknownItem { line: i + 1, sku: l.sku.to_string() });
        };
        let amount = price.unit_price(client_type).saturating_mul(l.qty);
        order_sum += amount - percent_of(amount, price.tier_bp(l.qty));
        resolved.push((item, price, l.qty));
    }
    // Active promotions once, not per line.
    let active: Vec<&Promotion> = cat.promotions.iter().filter(|p| p.active_at(at)).collect();
    let mut priced = Vec::with_capacity(lines.len());
    for (item, price, qty) in resolved {
        priced.push(price_line(item, price, client_type, qty, active.iter().copied(), order_sum, at));
    }
    let list_amount = priced.iter().map(|l| l.list_amount).sum();
    let goods_total: Money = priced.iter().map(|l| l.total).sum();
    let delivery_vat = vat_included(delivery, delivery_vat_bp);
    let vat = priced.iter().map(|l| l.vat).sum::<Money>() + delivery_vat;
    Ok(Totals {
        discount: list_amount - goods_total,
        list_amount,
        goods_total,
        delivery,
        delivery_vat,
        grand_total: goods_total + delivery,
        vat,
        lines: priced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Names, Tier};
    use std::collections::BTreeMap;

    fn item(sku: &str, vat_bp: Bp, category: &[&str]) -> Item {
        Item {
            sku: sku.into(),
            name: Names { ru: sku.into(), ..Names::default() },
            description: Names::default(),
            category: category.iter().map(|s| s.to_string()).collect(),
            attributes: vec![],
            unit: "pcs".into(),
            vat_bp,
            listed: true,
            goods_class: "food".into(),
            warranty_months: 0,
            alternatives: vec![],
            complements: vec![],
            competitor_note: String::new(),
            photos: vec![],
        }
    }

    fn promo(id: &str, benefit: Benefit) -> Promotion {
        Promotion {
            id: id.into(),
            title: Names::default(),
            from: 0,
            until: 1000,
            min_qty: 0,
            min_order_sum: 0,
            skus: vec![],
            categories: vec![],
            client_types: vec![],
            benefit,
        }
    }

    fn catalogue() -> Catalogue {
        let mut c = Catalogue::default();
        c.items.insert("MILK".into(), item("MILK", 1200, &["Food", "Dairy"]));
        c.items.insert("SOAP".into(), item("SOAP", 1200, &["Household"]));
        let mut p = BTreeMap::new();
        p.insert("retail".to_string(), 45_000);
        p.insert("key".to_string(), 41_999);
        c.prices.insert(
            "MILK".into(),
            Price { by_client_type: p, tiers: vec![Tier { min_qty: 10, bp: 300 }, Tier { min_qty: 50, bp: 500 }] },
        );
        c.prices
            .insert("SOAP".into(), Price { by_client_type: [("retail".to_string(), 19_990)].into(), tiers: vec![] });
        c
    }

    #[test]
    fn tier_and_vat_are_rounded_half_up_per_line() {
        let c = catalogue();
        let t = price_order(&c, "key", &[LineRequest { sku: "MILK", qty: 11 }], 0, 0, 10).unwrap();
        let l = &t.lines[0];
        // 41 999 × 11 = 461 989; 3 % = 13 859.67 → 13 860; total 448 129.
        assert_eq!((l.list_amount, l.tier_bp, l.tier_discount, l.total), (461_989, 300, 13_860, 448_129));
        // VAT inside at 12 %: 448 129 × 12 / 112 = 48 013.82 → 48 014.
        assert_eq!(l.vat, 48_014);
        // A type without its own column pays retail.
        let t = price_order(&c, "regional", &[LineRequest { sku: "MILK", qty: 1 }], 0, 0, 10).unwrap();
        assert_eq!(t.lines[0].unit_price, 45_000);
    }

    #[test]
    fn the_best_single_promotion_applies_and_conditions_hold() {
        let mut c = catalogue();
        c.promotions = vec![
            promo("pct10", Benefit::Percent(1000)),
            promo("fix50", Benefit::FixedPerUnit(5_000)),
            Promotion { min_qty: 6, ..promo("3for2", Benefit::NForM { n: 3, m: 2 }) },
            Promotion { min_order_sum: 10_000_000, ..promo("big", Benefit::Percent(5000)) },
            Promotion { client_types: vec!["key".into()], ..promo("keyonly", Benefit::Percent(9000)) },
        ];
        // 5 × 45 000 = 225 000: 10 % = 22 500; fixed 5 × 5 000 = 25 000 (best);
        // 3-for-2 needs 6; "big" needs an order of 100 000.00; keyonly is for key.
        let t = price_order(&c, "retail", &[LineRequest { sku: "MILK", qty: 5 }], 0, 0, 10).unwrap();
        assert_eq!(t.lines[0].promotion.as_deref(), Some("fix50"));
        assert_eq!(t.lines[0].total, 200_000);
        // 9 units (below the 10-unit tier): 3-for-2 makes 3 of 9 free, which
        // beats 10 % (40 500) and fixed (45 000).
        let t = price_order(&c, "retail", &[LineRequest { sku: "MILK", qty: 9 }], 0, 0, 10).unwrap();
        assert_eq!(t.lines[0].tier_discount, 0, "9 is below the first tier");
        // 9 × 45 000 = 405 000; 3 free → 405 000 × 3 / 9 = 135 000.
        assert_eq!((t.lines[0].promotion.as_deref(), t.lines[0].promotion_discount), (Some("3for2"), 135_000));
        // Outside the window: no promotion.
        let t = price_order(&c, "retail", &[LineRequest { sku: "MILK", qty: 9 }], 0, 0, 1000).unwrap();
        assert_eq!(t.lines[0].promotion, None);
    }

    #[test]
    fn order_totals_add_up_with_delivery() {
        let c = catalogue();
        let lines = [LineRequest { sku: "MILK", qty: 2 }, LineRequest { sku: "SOAP", qty: 3 }];
        let t = price_order(&c, "retail", &lines, 150_000, 1200, 10).unwrap();
        assert_eq!(t.goods_total, 90_000 + 59_970);
        assert_eq!(t.grand_total, 149_970 + 150_000);
        assert_eq!(t.discount, 0);
        // VAT: 90 000 × 12/112 = 9 642.86 → 9 643; 59 970 → 6 425.36 → 6 425; delivery 16 071.43 → 16 071.
        assert_eq!(t.vat, 9_643 + 6_425 + 16_071);
        assert_eq!(
            price_order(&c, "retail", &[LineRequest { sku: "NOPE", qty: 1 }], 0, 0, 0),
            Err(PriceError::UnknownItem { line: 1, sku: "NOPE".into() })
        );
        assert_eq!(
            price_order(&c, "retail", &[LineRequest { sku: "MILK", qty: 0 }], 0, 0, 0),
            Err(PriceError::BadQuantity { line: 1, qty: 0 })
        );
    }

    #[test]
    fn discounts_never_exceed_the_amount() {
        assert_eq!(promotion_discount(Benefit::FixedPerUnit(1_000), 500, 1), 500);
        assert_eq!(promotion_discount(Benefit::NForM { n: 2, m: 2 }, 500, 4), 0);
        assert_eq!(promotion_discount(Benefit::NForM { n: 0, m: 0 }, 500, 4), 0);
        assert_eq!(promotion_discount(Benefit::Percent(20_000), 500, 1), 500);
    }

    proptest::proptest! {
        #[test]
        fn line_totals_are_consistent(unit in 0i64..10_000_000, qty in 1i64..10_000, bp in 0u32..10_000, n in 2i64..6) {
            let amount = unit * qty;
            for b in [Benefit::Percent(bp), Benefit::FixedPerUnit(unit / 3), Benefit::NForM { n, m: n - 1 }] {
                let d = promotion_discount(b, amount, qty);
                proptest::prop_assert!(0 <= d && d <= amount);
            }
        }
    }
}
