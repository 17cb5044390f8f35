//! A year of orders: who buys what, when and how, priced with
//! `retail::pricing` for the client type at the time, ready for
//! `Store::import_history` (the contacts they were taken in) and
//! `Store::import_order_history` (orders, lines, events, receivables).

use std::collections::{BTreeMap, HashSet};

use domain::contact::{Channel, ContactType};
use domain::time::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use retail::pricing::{price_order, LineRequest};
use retail::Money;
use serde_json::json;
use store::contacts::PastContact;
use store::order_history::{PastAccount, PastOrder, PastOrderLine};
use store::{EventRefs, NewEvent};

use crate::clients::Standing;
use crate::history::LOCAL_OFFSET_MS;
use crate::people::weighted;
use crate::shop::Shop;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Orders per month against the year's average (index 0 = January): the
/// New Year peak in December, 8 March, a summer swell.
pub const MONTH_FACTORS: [f64; 12] = [0.85, 0.88, 1.02, 0.95, 0.98, 1.02, 1.05, 1.02, 0.98, 1.0, 1.08, 1.6];
/// Orders per weekday (index 0 = Monday): busiest after the weekend.
const WEEKDAY_FACTORS: [f64; 7] = [1.2, 1.15, 1.1, 1.05, 1.1, 0.8, 0.6];

/// Client types that buy for resale and may get credit.
pub const TRADE_TYPES: [&str; 4] = ["key", "regional", "marketer", "own_outlet"];

/// A customer who may buy.
#[derive(Debug, Clone, Copy)]
pub struct Buyer<'a> {
    pub id: i64,
    pub client_type: &'a str,
    pub created_at: i64,
    pub name: &'a str,
    pub phone: &'a str,
    pub standing: Standing,
    /// A city for the delivery address; empty = chosen by client type.
    pub city: &'a str,
}

/// What to generate: see [`trade`].
#[derive(Debug, Clone, Copy)]
pub struct TradeSpec<'a> {
    pub shop: &'a Shop,
    pub buyers: &'a [Buyer<'a>],
    /// The sales desk's operators who take orders by phone, chat and e-mail.
    pub operators: &'a [i64],
    pub sales_queue: Option<i64>,
    pub now_ms: i64,
    /// Calendar days of trade, ending the day before `now_ms` (local time).
    pub days: u32,
    pub seed: u64,
    pub first_order_id: i64,
    pub first_contact_id: i64,
}

/// The year of trade, ready to import.
#[derive(Debug, Clone, Default)]
pub struct Trade {
    pub orders: Vec<PastOrder>,
    /// One closed sale-order contact per order (same index), numbered from
    /// `first_contact_id`.
    pub contacts: Vec<PastContact>,
    /// `order.created` and the final status of every order, sorted by time.
    pub events: Vec<NewEvent>,
    /// Receivables of the trade clients (none for shoppers).
    pub accounts: Vec<PastAccount>,
}

/// An order before ids are given.
struct Draft {
    order: PastOrder,
    channel: Channel,
    contact_from: i64,
    contact_until: i64,
    final_kind: &'static str,
    final_payload: serde_json::Value,
}

const REGIONAL_CITIES: &[&str] = &[
    "Талдыкорган",
    "Тараз",
    "Шымкент",
    "Кызылорда",
    "Караганда",
    "Усть-Каменогорск",
    "Семей",
    "Актобе",
    "Костанай",
    "Павлодар",
    "Туркестан",
];
const NEAR_ALMATY: &[&str] = &["Алматы", "Алматы", "Алматы", "Конаев", "Талгар", "Каскелен", "Есик"];
const STREETS: &[&str] = &[
    "ул. Абая",
    "пр. Достык",
    "ул. Толе би",
    "ул. Жибек жолы",
    "ул. Сейфуллина",
    "ул. Гоголя",
    "ул. Кабанбай батыра",
    "пр. Райымбека",
    "ул. Байтурсынова",
    "мкр. Самал-2",
    "ул. Назарбаева",
    "ул. Пушкина",
];
const OPERATOR_HOURS: &[(i64, u32)] =
    &[(9, 8), (10, 12), (11, 12), (12, 10), (13, 8), (14, 9), (15, 9), (16, 8), (17, 7), (18, 5), (19, 3)];

fn is_trade(client_type: &str) -> bool {
    TRADE_TYPES.contains(&client_type)
}

/// Whether a client type buys from a category path (`A > B`): regional
/// shops buy groceries and daily goods, marketplace sellers non-food.
fn buys(client_type: &str, category: &[String]) -> bool {
    let top = category.first().map_or("", String::as_str);
    match client_type {
        "regional" => matches!(top, "Продукты" | "Бытовая химия" | "Гигиена"),
        "marketer" => top != "Продукты",
        _ => true,
    }
}

/// Demand tables per month: SKUs (listed or not) and cumulative weights.
struct Demand<'a> {
    skus: Vec<&'a str>,
    cumulative: Vec<Vec<f64>>,
}

impl<'a> Demand<'a> {
    fn new(shop: &'a Shop) -> Demand<'a> {
        let skus: Vec<&str> = shop.catalogue.items.keys().map(String::as_str).collect();
        let cumulative = (1..=12)
            .map(|m| {
                let mut acc = 0.0;
                skus.iter()
                    .map(|s| {
                        let season = shop.seasons.get(*s).map_or(1.0, |x| x.factor(m));
                        acc += shop.demand.get(*s).copied().unwrap_or(0.0) * season;
                        acc
                    })
                    .collect()
            })
            .collect();
        Demand { skus, cumulative }
    }

    fn pick(&self, rng: &mut StdRng, month: u32) -> &'a str {
        let c = &self.cumulative[(month.clamp(1, 12) - 1) as usize];
        let total = c.last().copied().unwrap_or(0.0);
        let r = rng.gen::<f64>() * total;
        let i = c.partition_point(|&x| x <= r).min(self.skus.len().saturating_sub(1));
        self.skus[i]
    }
}

/// The year of trade for `spec.buyers`, deterministic for `spec.seed`.
///
/// Each buyer orders on each day with a probability from its yearly rate
/// (shoppers a few times a year, trade clients weekly to monthly, new
/// clients since they registered), shaped by [`MONTH_FACTORS`] and the
/// weekday. One in five regular clients stopped buying 95–300 days ago
/// (dormant, for the outbound list). Lines come two thirds from the buyer's
/// usual basket and a third from the month's demand (drinks and ice cream
/// in summer, sweets and gift boxes in December); delisted items appear only
/// in orders older than 120 days. Sources: calls, chats and letters taken by
/// the sales desk, the web form and (trade clients) the API; the centre is
/// closed on Sundays, so Sunday orders come by the web form.
///
/// Orders older than a few days are closed (about 6 % cancelled, with a
/// reason and a refund when money was taken); recent ones are shipped or
/// delivered. None is left before shipping, since a past order holds no
/// stock reservation. Trade clients with credit buy on deferred invoices;
/// unpaid ones make their balance, those past due their overdue debt (late
/// payers and [`Standing::Overdue`]); a few are over their limit.
pub fn trade(spec: &TradeSpec) -> Trade {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let demand = Demand::new(spec.shop);
    let today = (spec.now_ms + LOCAL_OFFSET_MS).div_euclid(DAY_MS);
    let first_day = today - i64::from(spec.days);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut accounts = Vec::new();
    // How busy each day of the period is (month × weekday).
    let day_factor: Vec<f64> = (first_day..today)
        .map(|day| {
            let date = Date::from_days(day);
            MONTH_FACTORS[(date.month() - 1) as usize] * WEEKDAY_FACTORS[date.weekday().index()]
        })
        .collect();

    for b in spec.buyers {
        let trade_client = is_trade(b.client_type);
        let special = b.standing != Standing::Usual;
        let mut rate: f64 = match b.client_type {
            "retail" => (2.0f64.ln() - 0.4 + 0.9 * crate::history::standard_normal(&mut rng)).exp().min(30.0),
            "new" => 6.0,
            "regional" => 6.0,
            "key" => 10.0,
            "marketer" => 5.0,
            "own_outlet" => 12.0,
            _ => 3.0,
        };
        if special {
            rate = rate.max(20.0);
        }
        let start = first_day.max((b.created_at + LOCAL_OFFSET_MS).div_euclid(DAY_MS));
        let stop = if !special && b.client_type != "new" && rng.gen_bool(0.2) {
            today - rng.gen_range(95..300)
        } else {
            today
        };
        let has_credit = trade_client && (special || rng.gen_bool(0.8));
        let late = b.standing == Standing::Overdue || (!special && has_credit && rng.gen_bool(0.12));
        let over_limit = b.standing == Standing::OverLimit || (!special && has_credit && !late && rng.gen_bool(0.07));
        let terms_days: u32 = match b.client_type {
            "regional" if b.standing == Standing::Usual && rng.gen_bool(0.5) => 14,
            "marketer" if b.standing == Standing::Usual => 14,
            _ => 30,
        };
        let basket_size = if trade_client { 40 } else { 12 };
        let mut basket: Vec<&str> = Vec::with_capacity(basket_size);
        for _ in 0..basket_size * 4 {
            if basket.len() >= basket_size {
                break;
            }
            let month = rng.gen_range(1..=12);
            let sku = demand.pick(&mut rng, month);
            let item = &spec.shop.catalogue.items[sku];
            if buys(b.client_type, &item.category) && !basket.contains(&sku) {
                basket.push(sku);
            }
        }
        let city = if !b.city.is_empty() {
            b.city
        } else if b.client_type == "regional" {
            REGIONAL_CITIES[rng.gen_range(0..REGIONAL_CITIES.len())]
        } else {
            NEAR_ALMATY[rng.gen_range(0..NEAR_ALMATY.len())]
        };
        let address = format!("{city}, {}, {}", STREETS[rng.gen_range(0..STREETS.len())], rng.gen_range(1..180));

        let mut days: Vec<i64> = Vec::new();
        for day in start..stop {
            let p = rate / 365.0 * day_factor[(day - first_day) as usize];
            if rng.gen::<f64>() < p {
                days.push(day);
            }
        }
        // The named clients always have recent orders, and the debtors
        // invoices that fell due weeks ago.
        if special {
            days.extend([today - 2, today - 9]);
            match b.standing {
                Standing::Overdue => days.extend([today - 50, today - 65]),
                Standing::OverLimit => days.extend([today - 5, today - 12]),
                _ => {}
            }
            days.sort_unstable();
            days.dedup();
        }

        let mut balance: Money = 0;
        let mut overdue: Money = 0;
        for day in days {
            let ctx =
                OrderCtx { spec, b, basket: &basket, address: &address, city, has_credit, late, terms_days, today };
            if let Some((draft, unpaid, past_due)) = order(&mut rng, &demand, &ctx, day) {
                balance += unpaid;
                overdue += past_due;
                drafts.push(draft);
            }
        }
        if trade_client {
            let base: Money = match b.client_type {
                "key" => 500_000_000,
                "regional" => 200_000_000,
                "own_outlet" => 300_000_000,
                _ => 80_000_000,
            };
            const STEP: Money = 5_000_000; // 50,000 ₸
            const FINE_STEP: Money = 1_000_000; // 10,000 ₸
            let credit_limit = if !has_credit {
                None
            } else if over_limit && balance > 2 * FINE_STEP {
                // The limit was cut below what is owed.
                Some((balance * 9 / 10) / FINE_STEP * FINE_STEP)
            } else {
                Some(base.max((balance * 13 / 10 / STEP + 1) * STEP))
            };
            accounts.push(PastAccount { customer_id: b.id, balance, overdue, credit_limit });
        }
    }

    drafts.sort_by_key(|d| (d.order.created_at, d.order.customer_id));
    let mut out = Trade { accounts, ..Trade::default() };
    out.orders.reserve(drafts.len());
    out.contacts.reserve(drafts.len());
    out.events.reserve(drafts.len() * 2);
    for (n, d) in drafts.into_iter().enumerate() {
        let mut o = d.order;
        o.id = spec.first_order_id + n as i64;
        o.contact_id = spec.first_contact_id + n as i64;
        let refs = EventRefs {
            contact_id: Some(o.contact_id),
            agent_id: o.operator_id,
            order_id: Some(o.id),
            queue_id: None,
            customer_id: Some(o.customer_id),
        };
        let total: Money = o.lines.iter().map(|l| l.total).sum::<Money>() + o.delivery_cost;
        out.events.push(NewEvent {
            at: o.created_at,
            kind: "order.created",
            refs,
            payload: json!({"status": "new", "source": o.source, "total": total, "lines": o.lines.len()}),
        });
        out.events.push(NewEvent { at: o.updated_at, kind: d.final_kind, refs, payload: d.final_payload });
        out.contacts.push(PastContact {
            id: o.contact_id,
            channel: d.channel,
            contact_type: ContactType::SaleOrder,
            topic: "orders.new".into(),
            queue_id: spec.sales_queue,
            operator_id: o.operator_id,
            customer_id: Some(o.customer_id),
            subject: format!("Заказ №{}", o.id),
            created_at: d.contact_from,
            closed_at: d.contact_until,
        });
        out.orders.push(o);
    }
    out.events.sort_by_key(|e| e.at);
    out
}

struct OrderCtx<'a> {
    spec: &'a TradeSpec<'a>,
    b: &'a Buyer<'a>,
    basket: &'a [&'a str],
    address: &'a str,
    city: &'a str,
    has_credit: bool,
    late: bool,
    terms_days: u32,
    today: i64,
}

/// One order on `day`, or `None` when it would not be finished by now (or
/// could not be priced). Also returns what of it is still owed, and the
/// part of that past due.
fn order(rng: &mut StdRng, demand: &Demand, c: &OrderCtx, day: i64) -> Option<(Draft, Money, Money)> {
    let spec = c.spec;
    let b = c.b;
    let trade_client = is_trade(b.client_type);
    let date = Date::from_days(day);
    let weekday = date.weekday().index();
    let mut source = if trade_client {
        weighted(rng, &[("call", 50), ("email", 20), ("chat", 5), ("api", 20), ("web_form", 5)])
    } else {
        weighted(rng, &[("call", 45), ("chat", 15), ("email", 5), ("web_form", 35)])
    };
    let by_operator = matches!(source, "call" | "chat" | "email");
    if by_operator && (weekday == 6 || spec.operators.is_empty()) {
        source = "web_form";
    }
    let by_operator = matches!(source, "call" | "chat" | "email");
    let hour = if by_operator {
        let hours: Vec<(i64, u32)> = OPERATOR_HOURS.iter().copied().filter(|&(h, _)| weekday != 5 || h < 18).collect();
        weighted(rng, &hours)
    } else {
        rng.gen_range(7..24)
    };
    let at = day * DAY_MS - LOCAL_OFFSET_MS + hour * HOUR_MS + rng.gen_range(0..HOUR_MS);
    if at > spec.now_ms - 6 * HOUR_MS {
        return None;
    }
    let operator_id = by_operator.then(|| spec.operators[rng.gen_range(0..spec.operators.len())]);

    // Lines.
    let n_lines = if trade_client { rng.gen_range(3..=7) } else { rng.gen_range(1..=3) + rng.gen_range(0..=1) };
    let recent = day > c.today - 120;
    let mut skus: Vec<&str> = Vec::with_capacity(n_lines);
    let mut seen: HashSet<&str> = HashSet::new();
    for _ in 0..n_lines * 5 {
        if skus.len() >= n_lines {
            break;
        }
        let sku = if !c.basket.is_empty() && rng.gen_bool(0.65) {
            // The usual items sell by season too.
            let sku = c.basket[rng.gen_range(0..c.basket.len())];
            let season = spec.shop.seasons.get(sku).map_or(1.0, |s| s.factor(date.month()));
            if rng.gen::<f64>() * 2.0 > season {
                continue;
            }
            sku
        } else {
            demand.pick(rng, date.month())
        };
        let item = &spec.shop.catalogue.items[sku];
        if (recent && !item.listed) || !buys(b.client_type, &item.category) || !seen.insert(sku) {
            continue;
        }
        skus.push(sku);
    }
    if skus.is_empty() {
        return None;
    }
    let qtys: Vec<i64> = skus
        .iter()
        .map(|sku| {
            let item = &spec.shop.catalogue.items[*sku];
            match (trade_client, item.unit.as_str(), item.goods_class.as_str()) {
                (_, _, "technically_complex") => {
                    if trade_client {
                        rng.gen_range(1..=4)
                    } else {
                        1
                    }
                }
                (false, "kg", _) => rng.gen_range(1..=2),
                (false, ..) => weighted(rng, &[(1, 60), (2, 25), (3, 10), (5, 5)]),
                (true, "kg", _) => rng.gen_range(5..=30),
                (true, ..) => 6 * rng.gen_range(1..=10),
            }
        })
        .collect();
    let requests: Vec<LineRequest> = skus.iter().zip(&qtys).map(|(&sku, &qty)| LineRequest { sku, qty }).collect();
    let totals = price_order(&spec.shop.catalogue, b.client_type, &requests, 0, 1200, at.div_euclid(1000)).ok()?;
    let lines: Vec<PastOrderLine> = totals
        .lines
        .iter()
        .map(|l| {
            let item = &spec.shop.catalogue.items[&l.sku];
            PastOrderLine {
                sku: l.sku.clone(),
                name: item.name.ru.clone(),
                unit: item.unit.clone(),
                qty: l.qty,
                unit_price: l.unit_price,
                unit_cost: spec.shop.costs.get(&l.sku).copied().unwrap_or(0),
                tier_discount: l.tier_discount,
                promotion_id: l.promotion.clone(),
                promotion_discount: l.promotion_discount,
                total: l.total,
                vat_bp: i64::from(l.vat_bp),
                vat: l.vat,
            }
        })
        .collect();
    let goods = totals.goods_total;

    // Delivery and payment.
    let method = if trade_client {
        weighted(rng, &[("courier", 70), ("self_pickup", 20), ("post", 10)])
    } else if c.city == "Алматы" {
        weighted(rng, &[("courier", 60), ("pickup_point", 20), ("self_pickup", 15), ("post", 5)])
    } else {
        weighted(rng, &[("courier", 35), ("pickup_point", 30), ("post", 30), ("self_pickup", 5)])
    };
    let delivery_cost: Money = match method {
        "courier" if goods >= 2_000_000 => 0,
        "courier" => 100_000,
        "post" => 150_000,
        "pickup_point" => 50_000,
        _ => 0,
    };
    let total = goods + delivery_cost;
    let (payment_method, terms) = if trade_client {
        if c.has_credit && (c.b.standing != Standing::Usual || rng.gen_bool(0.75)) {
            ("bank_transfer", format!("deferred:{}", c.terms_days))
        } else if rng.gen_bool(0.7) {
            ("bank_transfer", "prepaid".to_string())
        } else {
            ("cash_on_delivery", "on_delivery".to_string())
        }
    } else {
        let (m, t) = weighted(
            rng,
            &[
                (("card_link", "prepaid"), 50),
                (("cash_on_delivery", "on_delivery"), 45),
                (("bank_transfer", "prepaid"), 5),
            ],
        );
        (m, t.to_string())
    };
    let prepaid = terms == "prepaid";
    let deferred = terms.starts_with("deferred");
    let address = match method {
        "courier" | "post" => c.address.to_string(),
        "pickup_point" => format!("Пункт выдачи CDEK, {}, {}", c.city, STREETS[rng.gen_range(0..STREETS.len())]),
        _ => String::new(),
    };

    // What became of it.
    let now = spec.now_ms;
    let mut paid: Money = 0;
    let mut refunded: Money = 0;
    let mut cancel_reason = None;
    let mut delivered_at = None;
    let mut unpaid: Money = 0;
    let mut past_due: Money = 0;
    let (status, updated_at, final_kind, final_payload);
    let cancel = rng.gen_bool(0.06) && !(c.b.standing != Standing::Usual && deferred);
    let cancelled_at = at + rng.gen_range(2 * HOUR_MS..40 * HOUR_MS);
    if cancel && cancelled_at < now {
        let reason = weighted(rng, &[("customer", 55), ("stock", 25), ("delivery_problem", 20)]);
        let reason = if reason == "delivery_problem" && method == "self_pickup" { "customer" } else { reason };
        let from = match reason {
            "customer" => {
                if rng.gen_bool(0.5) {
                    "new"
                } else {
                    "confirmed"
                }
            }
            "stock" if prepaid => "paid",
            "stock" => "confirmed",
            _ => "shipped",
        };
        if prepaid && matches!(from, "paid" | "shipped") {
            paid = total;
            refunded = total;
        }
        cancel_reason = Some(reason.to_string());
        status = "cancelled";
        updated_at = cancelled_at;
        final_kind = "order.cancelled";
        final_payload = json!({"status": "cancelled", "from": from, "reason": reason, "amount": refunded});
    } else {
        let lead = match method {
            "courier" => rng.gen_range(14 * HOUR_MS..30 * HOUR_MS),
            "post" => rng.gen_range(72 * HOUR_MS..144 * HOUR_MS),
            "pickup_point" => rng.gen_range(36 * HOUR_MS..60 * HOUR_MS),
            _ => rng.gen_range(3 * HOUR_MS..8 * HOUR_MS),
        };
        let shipped_at = at + rng.gen_range(3 * HOUR_MS..9 * HOUR_MS);
        let delivered = if method == "self_pickup" { at + lead } else { shipped_at + lead };
        let (carrier, tracking) = match method {
            "courier" => ("Собственная доставка".to_string(), String::new()),
            "post" => ("Казпочта".to_string(), format!("RR{:09}KZ", rng.gen_range(0..1_000_000_000u64))),
            "pickup_point" => ("CDEK".to_string(), format!("{:010}", rng.gen_range(0..10_000_000_000u64))),
            _ => (String::new(), String::new()),
        };
        if delivered > now {
            if method == "self_pickup" || shipped_at > now {
                return None;
            }
            status = "shipped";
            updated_at = shipped_at;
            paid = if prepaid { total } else { 0 };
            final_kind = "order.shipped";
            final_payload = json!({"status": "shipped", "from": "packed", "carrier": carrier, "tracking": tracking});
        } else {
            delivered_at = Some(delivered);
            let closed_at = delivered + rng.gen_range(12 * HOUR_MS..60 * HOUR_MS);
            if deferred {
                let due = delivered + i64::from(c.terms_days) * DAY_MS;
                let owed = due >= now || (c.late && due > now - 60 * DAY_MS);
                if owed {
                    unpaid = total;
                    if due < now {
                        past_due = total;
                    }
                } else {
                    paid = total;
                }
            } else {
                paid = total;
            }
            let from = if method == "self_pickup" { "packed" } else { "shipped" };
            if closed_at > now {
                status = "delivered";
                updated_at = delivered;
                final_kind = "order.delivered";
                final_payload = json!({"status": "delivered", "from": from});
            } else {
                status = "closed";
                updated_at = closed_at;
                final_kind = "order.closed";
                final_payload = json!({"status": "closed", "from": "delivered"});
            }
        }
    }

    let channel = match source {
        "call" => Channel::Voice,
        "chat" => Channel::Chat,
        "email" => Channel::Email,
        _ => Channel::WebForm,
    };
    let contact_from = match source {
        "call" => at - rng.gen_range(120_000..420_000),
        "chat" => at - rng.gen_range(300_000..900_000),
        "email" => at - rng.gen_range(1_800_000..7_200_000),
        _ => at,
    };
    let contact_until = if by_operator { at + rng.gen_range(30_000..120_000) } else { at };
    let order = PastOrder {
        id: 0,
        customer_id: b.id,
        contact_id: 0,
        operator_id,
        source: source.to_string(),
        client_type: b.client_type.to_string(),
        status: status.to_string(),
        delivery_method: method.to_string(),
        address,
        receiver_name: b.name.to_string(),
        receiver_phone: b.phone.to_string(),
        payment_method: payment_method.to_string(),
        terms,
        delivery_cost,
        paid,
        refunded,
        cancel_reason,
        created_at: at,
        updated_at,
        delivered_at,
        lines,
    };
    Some((Draft { order, channel, contact_from, contact_until, final_kind, final_payload }, unpaid, past_due))
}

/// A monthly sales plan (`YYYY-MM` → goods revenue in minor units) for the
/// months of `orders` and the next one: the year's average month shaped by
/// [`MONTH_FACTORS`], 5 % above it, rounded to 100,000 ₸ — what a shop
/// manager sets at the start of the year, for plan vs actual.
pub fn sales_plan(orders: &[PastOrder]) -> BTreeMap<String, Money> {
    let month_of = |at: i64| Date::from_days((at + LOCAL_OFFSET_MS).div_euclid(DAY_MS));
    let mut revenue: BTreeMap<(i32, u32), Money> = BTreeMap::new();
    for o in orders.iter().filter(|o| o.status != "cancelled") {
        let d = month_of(o.created_at);
        *revenue.entry((d.year(), d.month())).or_default() += o.lines.iter().map(|l| l.total).sum::<Money>();
    }
    let mut plan = BTreeMap::new();
    let Some(&(ly, lm)) = revenue.keys().last() else { return plan };
    let months = revenue.len() as f64;
    let average = revenue.values().sum::<Money>() as f64 / months;
    let mean_factor = MONTH_FACTORS.iter().sum::<f64>() / 12.0;
    const STEP: f64 = 10_000_000.0;
    let next = if lm == 12 { (ly + 1, 1) } else { (ly, lm + 1) };
    for (y, m) in revenue.keys().copied().chain([next]) {
        let p = average * MONTH_FACTORS[(m - 1) as usize] / mean_factor * 1.05;
        plan.insert(format!("{y:04}-{m:02}"), ((p / STEP).round() * STEP) as Money);
    }
    plan
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::shop::shop;

    /// 2025-06-15 15:06:40 UTC, a Sunday.
    const NOW: i64 = 1_750_000_000_000;

    fn buyers(n: usize) -> Vec<(i64, &'static str, Standing)> {
        let mix: &[(&str, u32)] =
            &[("retail", 66), ("new", 12), ("regional", 10), ("key", 6), ("marketer", 3), ("own_outlet", 3)];
        let mut rng = StdRng::seed_from_u64(9);
        let mut out: Vec<(i64, &str, Standing)> =
            (0..n).map(|i| (i as i64 + 1, weighted(&mut rng, mix), Standing::Usual)).collect();
        out.push((9001, "regional", Standing::Overdue));
        out.push((9002, "regional", Standing::Good));
        out.push((9003, "key", Standing::OverLimit));
        out
    }

    fn run(seed: u64) -> (Shop, Trade) {
        let shop = shop(1, NOW);
        let list = buyers(900);
        let bs: Vec<Buyer> = list
            .iter()
            .map(|&(id, t, standing)| Buyer {
                id,
                client_type: t,
                created_at: if t == "new" { NOW - (id % 80) * DAY_MS } else { NOW - (400 + id * 7 % 600) * DAY_MS },
                name: "Сейітова Айгүл",
                phone: "+77011234567",
                standing,
                city: "",
            })
            .collect();
        let spec = TradeSpec {
            shop: &shop,
            buyers: &bs,
            operators: &[11, 12, 13],
            sales_queue: Some(1),
            now_ms: NOW,
            days: 365,
            seed,
            first_order_id: 1,
            first_contact_id: 5000,
        };
        let t = trade(&spec);
        (shop, t)
    }

    fn local(at: i64) -> Date {
        Date::from_days((at + LOCAL_OFFSET_MS).div_euclid(DAY_MS))
    }

    #[test]
    fn a_year_with_seasons_dormant_clients_and_debts() {
        let (shop, t) = run(3);
        let n = t.orders.len();
        assert!(n > 1_500 && n < 6_000, "{n} orders");
        assert_eq!(t.contacts.len(), n);
        assert_eq!(t.events.len(), 2 * n);
        // Ids and contacts line up; times are in the past year, in order.
        for (i, (o, c)) in t.orders.iter().zip(&t.contacts).enumerate() {
            assert_eq!(o.id, 1 + i as i64);
            assert_eq!(o.contact_id, c.id);
            assert_eq!(c.id, 5000 + i as i64);
            assert_eq!(c.customer_id, Some(o.customer_id));
            assert!(c.created_at <= o.created_at && o.created_at <= o.updated_at && o.updated_at <= NOW);
            assert!(o.created_at >= NOW - 367 * DAY_MS);
            assert!(!o.lines.is_empty());
            assert_eq!(c.operator_id.is_some(), matches!(o.source.as_str(), "call" | "chat" | "email"));
            assert!(["closed", "delivered", "shipped", "cancelled"].contains(&o.status.as_str()), "{}", o.status);
            assert!(o
                .lines
                .iter()
                .all(|l| l.unit_cost > 0 && l.total > 0 && shop.catalogue.items.contains_key(&l.sku)));
            let total: Money = o.lines.iter().map(|l| l.total).sum::<Money>() + o.delivery_cost;
            assert!(o.paid <= total && o.refunded <= o.paid);
            if o.status == "cancelled" {
                assert!(o.cancel_reason.is_some());
            }
            if o.status == "closed" && !o.terms.starts_with("deferred") {
                assert_eq!(o.paid, total, "closed means paid");
            }
        }
        assert!(t.orders.windows(2).all(|w| w[0].created_at <= w[1].created_at));
        // Every month has orders; December is the peak of the full months.
        let mut per_month: HashMap<(i32, u32), usize> = HashMap::new();
        for o in &t.orders {
            let d = local(o.created_at);
            *per_month.entry((d.year(), d.month())).or_default() += 1;
        }
        assert!(per_month.len() >= 12, "{per_month:?}");
        let now_month = (local(NOW).year(), local(NOW).month());
        let first_month = {
            let d = local(NOW - 365 * DAY_MS);
            (d.year(), d.month())
        };
        let full: Vec<(&(i32, u32), &usize)> =
            per_month.iter().filter(|(m, _)| **m != now_month && **m != first_month).collect();
        let december = full.iter().find(|(m, _)| m.1 == 12).map(|(_, &n)| n).expect("a December");
        assert!(full.iter().all(|(m, &c)| m.1 == 12 || c * 10 < december * 9), "{per_month:?}");
        // Summer drinks: more water sold in July than in January.
        let water = |month: u32| -> i64 {
            t.orders
                .iter()
                .filter(|o| local(o.created_at).month() == month)
                .flat_map(|o| &o.lines)
                .filter(|l| l.sku.starts_with("WAT-"))
                .map(|l| l.qty)
                .sum()
        };
        assert!(water(7) > 2 * water(1), "July {} January {}", water(7), water(1));
        // Channels and statuses.
        for s in ["call", "chat", "email", "web_form", "api"] {
            assert!(t.orders.iter().any(|o| o.source == s), "{s}");
        }
        let cancelled = t.orders.iter().filter(|o| o.status == "cancelled").count() as f64 / n as f64;
        assert!((0.03..0.09).contains(&cancelled), "{cancelled}");
        assert!(t.orders.iter().filter(|o| o.status == "closed").count() * 10 > n * 8);
        assert!(t.orders.iter().any(|o| o.status == "shipped"), "some in flight");
        assert!(t.orders.iter().any(|o| o.status == "delivered"));
        assert!(t.orders.iter().any(|o| o.lines.iter().any(|l| l.promotion_id.is_some())), "promotions applied");
        assert!(t.orders.iter().any(|o| o.lines.iter().any(|l| l.tier_discount > 0)), "tiers applied");
        assert!(t.orders.iter().any(|o| o.refunded > 0), "refunds of cancelled prepaid orders");
        // Repeat buyers and dormant clients.
        let mut last: HashMap<i64, (i64, usize)> = HashMap::new();
        for o in &t.orders {
            let e = last.entry(o.customer_id).or_default();
            e.0 = e.0.max(o.created_at);
            e.1 += 1;
        }
        let dormant = last.values().filter(|(at, _)| *at < NOW - 90 * DAY_MS).count();
        assert!(dormant >= 40, "{dormant} dormant");
        assert!(last.values().filter(|(_, k)| *k >= 5).count() > 60, "repeat buyers");
        // Receivables: overdue debtors, a few over the limit, the named ones as named.
        let acc: HashMap<i64, &PastAccount> = t.accounts.iter().map(|a| (a.customer_id, a)).collect();
        assert!(t.accounts.iter().filter(|a| a.overdue > 0).count() >= 5);
        assert!(t.accounts.iter().filter(|a| a.credit_limit.is_some_and(|l| a.balance > l)).count() >= 2);
        assert!(t.accounts.iter().all(|a| a.overdue <= a.balance));
        let gate = |id: i64| {
            let a = acc[&id];
            retail::credit::gate(
                &retail::credit::Receivables {
                    balance: a.balance,
                    overdue: a.overdue,
                    credit_limit: a.credit_limit,
                    manager: Some(1),
                },
                1_000_000,
                true,
            )
        };
        assert!(matches!(gate(9001), retail::credit::Gate::Blocked { .. }), "{:?}", acc[&9001]);
        assert!(acc[&9001].overdue > 0);
        assert_eq!(gate(9002), retail::credit::Gate::Open, "{:?}", acc[&9002]);
        assert!(acc[&9003].overdue == 0 && matches!(gate(9003), retail::credit::Gate::Blocked { .. }));
        // Balances are the unpaid deferred invoices.
        for a in &t.accounts {
            let owed: Money = t
                .orders
                .iter()
                .filter(|o| {
                    o.customer_id == a.customer_id && o.terms.starts_with("deferred") && o.delivered_at.is_some()
                })
                .map(|o| o.lines.iter().map(|l| l.total).sum::<Money>() + o.delivery_cost - o.paid)
                .sum();
            assert_eq!(owed, a.balance, "customer {}", a.customer_id);
        }
        // Events: created then the final status, with the order's refs.
        let created = t.events.iter().filter(|e| e.kind == "order.created").count();
        assert_eq!(created, n);
        assert!(t.events.iter().all(|e| e.refs.order_id.is_some() && e.refs.customer_id.is_some()));
        assert!(t.events.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn deterministic_for_a_seed() {
        let (_, a) = run(4);
        let (_, b) = run(4);
        assert_eq!(a.orders, b.orders);
        assert_eq!(a.accounts, b.accounts);
        let (_, c) = run(5);
        assert_ne!(a.orders, c.orders);
    }

    #[test]
    fn the_plan_follows_the_seasons() {
        let (_, t) = run(3);
        let plan = sales_plan(&t.orders);
        assert!(plan.len() >= 13, "{}", plan.len());
        let dec = plan.iter().find(|(k, _)| k.ends_with("-12")).map(|(_, &v)| v).expect("December");
        let jan = plan.iter().find(|(k, _)| k.ends_with("-01")).map(|(_, &v)| v).expect("January");
        assert!(dec > jan && jan > 0);
        assert!(plan.values().all(|v| v % 10_000_000 == 0));
    }
}
