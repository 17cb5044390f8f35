//! Open contacts for the demo desk: the ones seeded as waiting and the live
//! stream that keeps arriving while `switchboard demo` runs. Everything here
//! is pure and deterministic for a seed; the binary only runs the loop.

use domain::contact::{Channel, ContactType, Direction};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use store::contacts::NewContact;

use crate::bank::{BankDay, FIRST_SLOT_MIN, SLOTS_PER_DAY};
use crate::history::LOCAL_OFFSET_MS;
use crate::people::weighted;

/// Mean seconds between live contacts at the busiest five minutes of the
/// bank's day; quieter times of day stretch it in proportion.
pub const LIVE_PEAK_INTERARRIVAL_S: f64 = 5.0;
/// Longest mean gap while the centre is open (07:00–21:05 local time).
pub const LIVE_MAX_DAY_INTERARRIVAL_S: f64 = 30.0;
/// Mean gap at night, outside the bank's hours: a slow trickle, never a stop.
pub const LIVE_NIGHT_INTERARRIVAL_S: f64 = 90.0;
/// Mean gap during opening hours when no bank profile is available.
pub const LIVE_FLAT_INTERARRIVAL_S: f64 = 12.0;
/// The live stream pauses while this many contacts are waiting, so a demo
/// left running for days does not pile up thousands of unanswered contacts.
pub const LIVE_MAX_WAITING: usize = 300;

const DAY_MS: i64 = 24 * 3_600_000;
const SLOT_MS: i64 = 5 * 60_000;

/// An open contact to register; [`ContactDraft::into_new`] gives the store's
/// form once the queue code is resolved to an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDraft {
    /// Code of the queue: `sales`, `support` or `complaints`.
    pub queue: &'static str,
    pub channel: Channel,
    pub contact_type: ContactType,
    pub topic: &'static str,
    pub subject: String,
    /// 0 normal or 1 high.
    pub priority: i64,
    pub customer_id: Option<i64>,
}

impl ContactDraft {
    /// The contact as the store registers it, inbound, in queue `queue_id`.
    pub fn into_new(self, queue_id: i64) -> NewContact {
        NewContact {
            channel: self.channel,
            direction: Direction::Inbound,
            contact_type: self.contact_type,
            topic: self.topic.to_string(),
            priority: self.priority,
            subject: self.subject,
            customer_id: self.customer_id,
            queue_id,
        }
    }
}

/// A subject template: `{n}` becomes an order number.
struct Subject {
    contact_type: ContactType,
    topic: &'static str,
    text: &'static str,
}

const fn s(contact_type: ContactType, topic: &'static str, text: &'static str) -> Subject {
    Subject { contact_type, topic, text }
}

use ContactType::{Complaint, Information, SaleOrder, TechnicalService};

const SUPPORT: &[Subject] = &[
    s(Information, "delivery.time", "Не пришёл заказ №{n}"),
    s(Information, "delivery.time", "Тапсырыс №{n} қашан жеткізіледі?"),
    s(Information, "orders.status", "Где мой заказ №{n}? Трек-номер не обновляется"),
    s(Information, "delivery.address", "Можно изменить адрес доставки в заказе №{n}?"),
    s(Information, "payment.methods", "Как оплатить заказ №{n} картой при получении?"),
    s(Information, "payment.return", "Как вернуть товар из заказа №{n}?"),
    s(Information, "payment.return", "Тауарды қалай қайтаруға болады? Тапсырыс №{n}"),
    s(TechnicalService, "tech.account", "Не могу войти в личный кабинет"),
    s(TechnicalService, "tech.account", "Жеке кабинетке кіре алмаймын"),
    s(TechnicalService, "tech.warranty", "Не работает чайник из заказа №{n}, нужен сервисный центр"),
    s(TechnicalService, "tech.warranty", "Тоңазытқыш істемей тұр, кепілдік бойынша жөндеу керек"),
    s(TechnicalService, "payment.error", "Оплата по заказу №{n} не проходит, ошибка на сайте"),
];

const SALES: &[Subject] = &[
    s(SaleOrder, "orders.new", "Хочу оформить заказ на подсолнечное масло"),
    s(SaleOrder, "orders.new", "Оптовый заказ гречки для магазина в Караганде"),
    s(SaleOrder, "orders.new", "Күнбағыс майына тапсырыс бергім келеді"),
    s(SaleOrder, "orders.new", "Ұн мен қантқа көтерме тапсырыс"),
    s(SaleOrder, "orders.new", "Повторить прошлый заказ №{n}"),
    s(SaleOrder, "orders.change", "Добавить две упаковки риса к заказу №{n}"),
    s(Information, "info.products", "Есть ли в наличии рис басмати по 5 кг?"),
    s(Information, "info.prices", "Прайс-лист для юридических лиц"),
    s(Information, "info.promotions", "Жеңілдіктер бар ма? Тұрақты клиентпін"),
];

const COMPLAINTS: &[Subject] = &[
    s(Complaint, "delivery.damage", "Привезли разбитые банки в заказе №{n}"),
    s(Complaint, "complaints.quality", "Масло с истёкшим сроком годности, заказ №{n}"),
    s(Complaint, "complaints.quality", "Сапасыз тауар жеткізілді, тапсырыс №{n}"),
    s(Complaint, "complaints.late", "Курьер опоздал на три часа"),
    s(Complaint, "complaints.incomplete", "Тапсырыс №{n} толық жеткізілмеді"),
    s(Complaint, "complaints.service", "Курьер дөрекі сөйледі"),
    s(Complaint, "complaints.service", "Грубое обращение оператора"),
    s(Complaint, "payment.refund", "Деньги за возврат по заказу №{n} не вернули уже две недели"),
];

/// Queue shares of open contacts, as in the history: support half, sales a
/// third, complaints the rest.
const QUEUES: &[(&str, u32)] = &[("support", 50), ("sales", 35), ("complaints", 15)];
const CHANNELS: &[(Channel, u32)] =
    &[(Channel::Voice, 60), (Channel::Chat, 20), (Channel::Email, 12), (Channel::WebForm, 8)];

/// A generator for item `n` of the stream `seed` (independent of the others).
fn rng_for(seed: u64, n: u64, salt: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ salt ^ n.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// The `n`-th open contact of stream `seed`: its queue (support 50%, sales
/// 35%, complaints 15%), a type and subject that fit the queue (Russian or
/// Kazakh, with an order number where the subject names one), a channel, a
/// customer from `customer_ids` (none when empty) and priority 0, or 1 for
/// about one in ten (three in ten complaints). Deterministic for (seed, n).
pub fn open_contact(seed: u64, n: u64, customer_ids: &[i64]) -> ContactDraft {
    let mut rng = rng_for(seed, n, 0x0c0f_fee5);
    let queue = weighted(&mut rng, QUEUES);
    let (subjects, high_share) = match queue {
        "sales" => (SALES, 0.1),
        "complaints" => (COMPLAINTS, 0.3),
        _ => (SUPPORT, 0.1),
    };
    let subject = &subjects[rng.gen_range(0..subjects.len())];
    let order = rng.gen_range(10_000..100_000u32);
    let channel = weighted(&mut rng, CHANNELS);
    let priority = i64::from(rng.gen_bool(high_share));
    let customer_id =
        if customer_ids.is_empty() { None } else { Some(customer_ids[rng.gen_range(0..customer_ids.len())]) };
    ContactDraft {
        queue,
        channel,
        contact_type: subject.contact_type,
        topic: subject.topic,
        subject: subject.text.replace("{n}", &order.to_string()),
        priority,
        customer_id,
    }
}

/// How often live contacts arrive by local time of day, shaped by the bank's
/// average day.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalProfile {
    /// Mean gap in seconds for each five-minute slot from 07:00.
    slot_gap_s: Vec<f64>,
}

impl ArrivalProfile {
    /// The bank's calls per slot averaged over all days, turned into mean
    /// gaps: [`LIVE_PEAK_INTERARRIVAL_S`] at the busiest slot, longer in
    /// proportion to how much quieter a slot is, capped at
    /// [`LIVE_MAX_DAY_INTERARRIVAL_S`]. With no days the gap is
    /// [`LIVE_FLAT_INTERARRIVAL_S`] all through opening hours.
    pub fn from_bank(bank: &[BankDay]) -> ArrivalProfile {
        if bank.is_empty() {
            return ArrivalProfile { slot_gap_s: vec![LIVE_FLAT_INTERARRIVAL_S; SLOTS_PER_DAY] };
        }
        let mut mean = vec![0.0f64; SLOTS_PER_DAY];
        for day in bank {
            for (m, &c) in mean.iter_mut().zip(&day.slots) {
                *m += f64::from(c);
            }
        }
        let peak = mean.iter().copied().fold(0.0, f64::max);
        let slot_gap_s = mean
            .iter()
            .map(|&m| {
                if m <= 0.0 || peak <= 0.0 {
                    LIVE_MAX_DAY_INTERARRIVAL_S
                } else {
                    (LIVE_PEAK_INTERARRIVAL_S * peak / m).clamp(LIVE_PEAK_INTERARRIVAL_S, LIVE_MAX_DAY_INTERARRIVAL_S)
                }
            })
            .collect();
        ArrivalProfile { slot_gap_s }
    }

    /// Mean seconds between live contacts at `now_ms` (Unix milliseconds),
    /// read at the centre's local time (UTC+5); [`LIVE_NIGHT_INTERARRIVAL_S`]
    /// outside the bank's hours.
    pub fn mean_interarrival_s(&self, now_ms: i64) -> f64 {
        let ms_of_day = (now_ms + LOCAL_OFFSET_MS).rem_euclid(DAY_MS);
        let from_open = ms_of_day - i64::from(FIRST_SLOT_MIN) * 60_000;
        if from_open < 0 {
            return LIVE_NIGHT_INTERARRIVAL_S;
        }
        usize::try_from(from_open / SLOT_MS)
            .ok()
            .and_then(|slot| self.slot_gap_s.get(slot))
            .copied()
            .unwrap_or(LIVE_NIGHT_INTERARRIVAL_S)
    }

    /// The wait in milliseconds before live contact `n` of stream `seed`,
    /// starting at `now_ms`: exponential around [`Self::mean_interarrival_s`]
    /// (a Poisson stream), kept between half a second and four means so the
    /// desk never falls silent for long. Deterministic for (seed, n, now_ms).
    pub fn gap_ms(&self, now_ms: i64, seed: u64, n: u64) -> u64 {
        let mean_ms = self.mean_interarrival_s(now_ms) * 1000.0;
        let mut rng = rng_for(seed, n, 0x6a95_0000);
        let draw = -mean_ms * (1.0 - rng.gen::<f64>()).ln();
        draw.clamp(500.0, 4.0 * mean_ms).round() as u64
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::bank::parse_bank_calls;

    /// 2025-06-16 00:00 local time (UTC+5), a Monday.
    const MIDNIGHT: i64 = 1_750_014_000_000;

    fn at(h: i64, m: i64) -> i64 {
        MIDNIGHT + (h * 60 + m) * 60_000
    }

    fn bank() -> Vec<BankDay> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bank_calls_5min.csv");
        let csv = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        parse_bank_calls(&csv).expect("real file parses")
    }

    #[test]
    fn open_contacts_fit_their_queue_and_are_deterministic() {
        let customers: Vec<i64> = (101..=400).collect();
        let drafts: Vec<ContactDraft> = (0..3000).map(|n| open_contact(7, n, &customers)).collect();
        let again: Vec<ContactDraft> = (0..3000).map(|n| open_contact(7, n, &customers)).collect();
        assert_eq!(drafts, again);
        let other: Vec<ContactDraft> = (0..3000).map(|n| open_contact(8, n, &customers)).collect();
        assert_ne!(drafts, other);
        assert_eq!(open_contact(7, 42, &customers), drafts[42], "item n does not depend on the items before it");

        let mut per_queue: HashMap<&str, usize> = HashMap::new();
        let mut types = HashSet::new();
        let mut high = 0;
        for d in &drafts {
            *per_queue.entry(d.queue).or_default() += 1;
            types.insert(d.contact_type);
            let fits = match d.queue {
                "sales" => matches!(d.contact_type, SaleOrder | Information),
                "support" => matches!(d.contact_type, Information | TechnicalService),
                "complaints" => d.contact_type == Complaint,
                other => panic!("unknown queue {other}"),
            };
            assert!(fits, "{:?} in {}", d.contact_type, d.queue);
            assert!(!d.subject.contains('{') && !d.subject.trim().is_empty(), "{}", d.subject);
            assert!(d.subject.chars().count() <= 500);
            assert!(crate::topics::is_demo_topic(d.topic), "{}", d.topic);
            assert!(d.customer_id.is_some_and(|c| customers.contains(&c)));
            assert!(d.priority == 0 || d.priority == 1);
            high += d.priority;
            assert!(matches!(d.channel, Channel::Voice | Channel::Chat | Channel::Email | Channel::WebForm));
        }
        let share = |q: &str| per_queue.get(q).copied().unwrap_or(0) as f64 / drafts.len() as f64;
        assert!((share("support") - 0.50).abs() < 0.04, "support {}", share("support"));
        assert!((share("sales") - 0.35).abs() < 0.04, "sales {}", share("sales"));
        assert!((share("complaints") - 0.15).abs() < 0.03, "complaints {}", share("complaints"));
        assert_eq!(types.len(), 4, "information, sale_order, technical_service and complaint all occur");
        let high = high as f64 / drafts.len() as f64;
        assert!((0.08..0.22).contains(&high), "priority 1 share {high}");

        // Russian and Kazakh subjects, order numbers filled in.
        assert!(drafts.iter().any(|d| d.subject.starts_with("Не пришёл заказ №")));
        assert!(drafts.iter().any(|d| d.subject.contains('қ') || d.subject.contains('ұ')));
        assert!(drafts.iter().any(|d| d.subject.contains("№") && d.subject.chars().any(|c| c.is_ascii_digit())));

        let lone = open_contact(1, 0, &[]);
        assert_eq!(lone.customer_id, None);
        let new = lone.clone().into_new(9);
        assert_eq!((new.queue_id, new.direction, new.subject.as_str()), (9, Direction::Inbound, lone.subject.as_str()));
    }

    #[test]
    fn arrivals_follow_the_bank_day() {
        let p = ArrivalProfile::from_bank(&bank());
        let gap = |h, m| p.mean_interarrival_s(at(h, m));
        // The bank peaks mid-morning: a new contact every ~5 s.
        let peak = gap(10, 30);
        assert!((LIVE_PEAK_INTERARRIVAL_S..6.0).contains(&peak), "10:30 {peak}");
        // Every open minute lies between the peak and ~20 s.
        for minute in (7 * 60..21 * 60 + 5).step_by(5) {
            let g = gap(minute / 60, minute % 60);
            assert!((5.0..=21.0).contains(&g), "{}:{:02} {g}", minute / 60, minute % 60);
        }
        // Morning ramp, afternoon decline.
        assert!(gap(7, 30) > 2.0 * peak && gap(20, 30) > 2.0 * peak);
        assert!(gap(8, 30) > gap(9, 30) && gap(17, 0) > gap(14, 0));
        // Night: a slow trickle, never a stop.
        for (h, m) in [(0, 0), (3, 17), (6, 59), (21, 5), (23, 59)] {
            assert_eq!(gap(h, m), LIVE_NIGHT_INTERARRIVAL_S, "{h}:{m:02}");
        }
        // Local time is UTC+5: 05:30 UTC is 10:30 in Almaty.
        let utc_0530 = MIDNIGHT + LOCAL_OFFSET_MS + (5 * 60 + 30) * 60_000;
        assert_eq!(p.mean_interarrival_s(utc_0530), peak);
        // The same clock time on another day gives the same mean.
        assert_eq!(p.mean_interarrival_s(at(10, 30) - 3 * DAY_MS), peak);

        let flat = ArrivalProfile::from_bank(&[]);
        assert_eq!(flat.mean_interarrival_s(at(12, 0)), LIVE_FLAT_INTERARRIVAL_S);
        assert_eq!(flat.mean_interarrival_s(at(2, 0)), LIVE_NIGHT_INTERARRIVAL_S);
    }

    #[test]
    fn gaps_are_exponential_around_the_mean() {
        let p = ArrivalProfile::from_bank(&bank());
        for (h, m) in [(10, 30), (19, 0), (2, 0)] {
            let now = at(h, m);
            let mean_ms = p.mean_interarrival_s(now) * 1000.0;
            let gaps: Vec<u64> = (0..20_000).map(|n| p.gap_ms(now, 11, n)).collect();
            assert!(gaps.iter().all(|&g| g >= 500 && g as f64 <= 4.0 * mean_ms + 1.0));
            let avg = gaps.iter().sum::<u64>() as f64 / gaps.len() as f64;
            // The cap at four means trims the tail: the mean drops by e^-4 of itself.
            assert!((avg - mean_ms * 0.98).abs() < 0.04 * mean_ms, "{h}:{m:02}: mean gap {avg} ms vs {mean_ms}");
            let short = gaps.iter().filter(|&&g| (g as f64) < mean_ms).count() as f64 / gaps.len() as f64;
            assert!((short - 0.632).abs() < 0.03, "P(gap < mean) {short}");
        }
        assert_eq!(p.gap_ms(at(12, 0), 5, 3), p.gap_ms(at(12, 0), 5, 3));
    }
}
