//! The modules together, the way the desk will call them: an operator takes
//! an order on a call for a regional client — credit gate, prices for the
//! client's type with a promotion, three offers, validation, reservation,
//! the lifecycle with a notice per step — then a return inside and outside
//! the statutory window.

use retail::catalogue::{import, Benefit, ImportRules, Names, Promotion};
use retail::credit::{gate, BlockReason, Gate, Receivables, Redirect};
use retail::offers::{alternatives, suggest, OfferInput, OfferLog, OfferSettings};
use retail::order::{
    apply, validate, Action, DeliveryMethod, NewOrder, OrderState, PaymentMethod, Receiver, Source, Status, Terms,
};
use retail::pricing::{price_order, LineRequest};
use retail::returns::{decide, Decision, Refusal, RequestKind, ReturnPresets, ReturnRequest, StockTo};

const CATALOGUE: &str =
    "sku,name_ru,name_kk,category,unit,vat,price_retail,price_regional,tiers,stock,alternatives,complements,goods_class
RICE-5,Рис 5 кг,Күріш 5 кг,Бакалея > Крупы,pack,12,4500,4100,10:3,main:200,BUCK-1,OIL-1,food
BUCK-1,Гречка 1 кг,Қарақұмық 1 кг,Бакалея > Крупы,pack,12,900,820,,main:50,,,food
OIL-1,Масло подсолнечное 1 л,Күнбағыс майы 1 л,Бакалея > Масло,l,12,1200,1100,,main:80,,,food
SOAP-1,Мыло хозяйственное,Кір сабын,Хозтовары,pcs,12,350,300,,main:500,,,hygiene
PAN-1,Сковорода 26 см,Таба 26 см,Хозтовары,pcs,12,8900,8000,,main:5,,,non_food
NEW-1,Чай зелёный,Жасыл шай,Бакалея > Чай,pack,12,1500,1400,,main:40,,,food
GONE-1,Рис круглый 5 кг,Дөңгелек күріш,Бакалея > Крупы,pack,12,4300,4000,,main:0,RICE-5,,food
";

#[test]
fn a_call_order_for_a_regional_client_from_gate_to_return() {
    let mut cat = import(CATALOGUE.as_bytes(), &ImportRules::default()).unwrap().unwrap().catalogue;
    cat.promotions.push(Promotion {
        id: "rice-spring".into(),
        title: Names { ru: "Весна: рис −5 %".into(), ..Names::default() },
        from: 1_000,
        until: 2_000,
        min_qty: 10,
        min_order_sum: 0,
        skus: vec!["RICE-5".into()],
        categories: vec![],
        client_types: vec!["regional".into()],
        benefit: Benefit::Percent(500),
    });
    let now = 1_500;

    // A client with overdue debt is blocked and goes to their manager.
    let debtor =
        Receivables { balance: 5_000_000, overdue: 100_000, credit_limit: Some(10_000_000), manager: Some(42) };
    assert_eq!(
        gate(&debtor, 1, false),
        Gate::Blocked { reasons: vec![BlockReason::Overdue], redirect: Redirect::Manager(42), over_by: 0 }
    );

    // A good regional client: the out-of-stock item has an alternative, the
    // promotion shows, three extras are offered and one is taken.
    assert_eq!(alternatives(&cat, "GONE-1"), vec!["RICE-5".to_string()]);
    let rice = cat.item("RICE-5").unwrap();
    assert_eq!(cat.promotions_for(rice, "regional", now).count(), 1);
    let mut basket = vec!["RICE-5".to_string()];
    let special = vec!["PAN-1".to_string()];
    let new_items = vec!["NEW-1".to_string()];
    let usual = vec!["SOAP-1".to_string(), "RICE-5".to_string()];
    let mut log = OfferLog::default();
    let input =
        OfferInput { special: &special, new_items: &new_items, usual: &usual, basket: &basket, already_offered: &[] };
    for s in suggest(&cat, &input, 3) {
        log.offered(&s.sku);
    }
    assert_eq!(log.skus(), vec!["PAN-1", "NEW-1", "SOAP-1"]);
    assert!(log.enough_offered(OfferSettings::default().threshold));
    log.accepted("SOAP-1");
    basket.push("SOAP-1".into());

    let lines = [LineRequest { sku: "RICE-5", qty: 10 }, LineRequest { sku: "SOAP-1", qty: 20 }];
    let totals = price_order(&cat, "regional", &lines, 200_000, 1200, now).unwrap();
    // Rice: 4 100.00 × 10 = 41 000.00; tier 3 % = 1 230.00 → 39 770.00; promotion 5 %
    // = 1 988.50 → 37 781.50. Soap: 300.00 × 20 = 6 000.00. Goods 43 781.50 + delivery 2 000.00.
    assert_eq!(totals.lines[0].total, 3_778_150);
    assert_eq!(totals.lines[0].promotion.as_deref(), Some("rice-spring"));
    assert_eq!(totals.goods_total, 4_378_150);
    assert_eq!(totals.grand_total, 4_578_150);

    let good = Receivables { balance: 0, overdue: 0, credit_limit: Some(10_000_000), manager: Some(42) };
    let terms = Terms::Deferred { days: 14 };
    assert_eq!(gate(&good, totals.grand_total, terms.on_credit()), Gate::Open);

    let new_order = NewOrder {
        lines: lines.iter().map(|l| (l.sku.to_string(), l.qty)).collect(),
        receiver: Receiver { name: "Ержан Сапаров".into(), phone: "8 701 555 12 34".into() },
        delivery: DeliveryMethod::Courier,
        address: "Караганда, ул. Ерубаева 10".into(),
        pickup_point: String::new(),
        slot: Some((now + 86_400, now + 86_400 + 7_200)),
        payment: PaymentMethod::BankTransfer,
        terms,
    };
    assert_eq!(validate(&new_order, &cat, now), vec![]);
    let lines_ref: Vec<(&str, i64)> = new_order.lines.iter().map(|(s, q)| (s.as_str(), *q)).collect();
    cat.stock.reserve_all(&lines_ref, &["main"]).unwrap();
    assert_eq!(cat.stock.available("RICE-5"), 190);

    // Lifecycle: a notice for every change; shipping takes the goods off hand.
    let mut o = OrderState {
        status: Status::New,
        source: Source::Call,
        delivery: DeliveryMethod::Courier,
        payment: PaymentMethod::BankTransfer,
        terms,
        total: totals.grand_total,
        paid: 0,
    };
    let mut notices = Vec::new();
    for a in [
        Action::Confirm { call_done: false },
        Action::Pick,
        Action::Pack,
        Action::Ship { carrier: "own fleet".into(), tracking: String::new() },
        Action::Deliver,
    ] {
        let t = apply(&o, &a).unwrap();
        if t.stock == retail::order::StockEffect::Ship {
            for (sku, q) in &lines_ref {
                cat.stock.ship(sku, "main", *q).unwrap();
            }
        }
        notices.push(t.notice);
        o.status = t.to;
    }
    assert_eq!(notices, vec!["order-confirmed", "order-picked", "order-packed", "order-shipped", "order-delivered"]);
    assert_eq!(cat.stock.level("RICE-5", "main").on_hand, 190);

    // Returns under KZ law: soap (hygiene) is not returnable; a pan inside
    // 14 days is; outside it is refused with the reason.
    let presets = ReturnPresets::shipped().unwrap();
    let delivered = domain::time::Date::parse("2026-04-01").unwrap();
    let items = cat.items.clone();
    let req = |sku: &str, days: i64| ReturnRequest {
        jurisdiction: "KZ".into(),
        kind: RequestKind::Return,
        defective: false,
        goods_class: items[sku].goods_class.clone(),
        warranty_months: items[sku].warranty_months,
        written_terms_given: true,
        delivered_on: delivered,
        requested_on: delivered.add_days(days),
        qty: 1,
        unit_paid: 800_000,
        return_shipping: 0,
    };
    assert!(matches!(
        decide(&presets, &req("SOAP-1", 2), None),
        Decision::Refused { reason: Refusal::NonReturnable { .. }, .. }
    ));
    match decide(&presets, &req("PAN-1", 14), None) {
        Decision::Accepted { refund, stock_in, stock_to, .. } => {
            assert_eq!((refund, stock_in, stock_to), (800_000, 1, StockTo::Sellable));
            cat.stock.receive("PAN-1", "main", stock_in).unwrap();
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cat.stock.available("PAN-1"), 6);
    match decide(&presets, &req("PAN-1", 15), None) {
        Decision::Refused { reason, source } => {
            assert_eq!(reason.code(), "outside-window");
            assert!(source.contains("274-IV"));
        }
        other => panic!("{other:?}"),
    }
}
